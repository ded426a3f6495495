"""The only package that knows the stage order: ingest -> extract -> cluster -> summarize ->
topics -> a Briefing (rendering it is the caller's: Markdown for `brief`, an email per reader).

- `ingesting`: files and feeds in, each article grouped into its story and stored;
- `briefings`: stories out, summarized for everyone or for each reader, in topic sections;
- `scanning`: a scan of every configured source (folders, then the feeds that are due);
- `parallelism`: how the CPU-bound stages of both spread over processes.

Every caller builds its briefing with `build_briefings`: `digest brief`, the email service
(`send`, `preview`, the daemon's scheduled runs)."""

from digest.pipeline.briefings import (
    EVERYONE,
    BriefingPlan,
    briefing,
    build_briefings,
    rank,
    reader_summaries,
    story_summaries,
    summarize_articles,
    topic_briefing,
)
from digest.pipeline.ingesting import (
    IngestReport,
    Sources,
    ingest_feeds,
    ingest_folders,
    ingest_sources,
)
from digest.pipeline.parallelism import DEFAULT_PARALLELISM, Parallelism
from digest.pipeline.scanning import scan_feeds, scan_sources

__all__ = [
    "DEFAULT_PARALLELISM",
    "EVERYONE",
    "BriefingPlan",
    "IngestReport",
    "Parallelism",
    "Sources",
    "briefing",
    "build_briefings",
    "ingest_feeds",
    "ingest_folders",
    "ingest_sources",
    "rank",
    "reader_summaries",
    "scan_feeds",
    "scan_sources",
    "story_summaries",
    "summarize_articles",
    "topic_briefing",
]
