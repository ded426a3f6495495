"""A scan of every configured source: the folders' new files, then the feeds that are due.

What `digest run` (each tick), `send`, `status` and `brief` take in before they look at the
stored stories. Which feeds there are, and their network settings, are `feeds.manage`'s.
"""

from __future__ import annotations

from datetime import datetime

from digest.config import Config, FeedSpec, Sources
from digest.feeds.manage import all_feeds, settings
from digest.pipeline.ingesting import IngestReport, ingest_feeds, ingest_sources
from digest.progress import Progress
from digest.storage import Store


def scan_sources(store: Store, cfg: Config, now: datetime,
                 progress: Progress | None = None) -> IngestReport:
    """Every configured source: the folders' new files, then the feeds that are due."""
    report = ingest_sources(store, cfg.sources, now=now, progress=progress)
    return scan_feeds(store, cfg, now, report=report)


def scan_feeds(store: Store, cfg: Config | None, now: datetime, *, only: list[str] | None = None,
               report: IngestReport | None = None) -> IngestReport:
    """Fetch the feeds that are due and take in their entries; `only`: these URLs, now."""
    sources = cfg.sources if cfg else Sources()
    if only is not None:
        configured = {f.url: f for f in all_feeds(store, cfg)}
        specs = [configured.get(url) or FeedSpec(url=url) for url in only]
    else:
        specs = all_feeds(store, cfg)
    report = report if report is not None else IngestReport()
    if not specs:
        return report
    return ingest_feeds(store, specs, now=now, settings=settings(sources),
                        refresh=sources.feed_refresh, force=only is not None, report=report)
