"""The only module that knows the stage order: ingest -> extract -> cluster -> summarize."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path

from digest import cluster, extract, ingest, summarize, topics
from digest.errors import IngestError
from digest.models import Article, Briefing, BriefingSection, Story, StorySummary
from digest.store import Store

log = logging.getLogger(__name__)


@dataclass
class IngestReport:
    files_read: int = 0
    new_articles: int = 0
    unchanged: int = 0
    pending: list[str] = field(default_factory=list)  # still being written: next run
    warnings: list[str] = field(default_factory=list)  # one line each, naming the file


def ingest_folders(store: Store, folders: Sequence[Path], *, now: datetime,
                   settle_seconds: float = 2.0) -> IngestReport:
    """Take in new or changed files; each file is one transaction (crash-safe)."""
    report = IngestReport()
    for folder in folders:
        try:
            ready, pending = ingest.scan(folder, settle_seconds=settle_seconds,
                                         now=now.timestamp() if settle_seconds else None)
        except IngestError as e:
            report.warnings.append(str(e))
            continue
        report.pending.extend(str(p) for p in pending)
        for entry in ready:
            _ingest_file(store, entry, now, report)
    return report


def _ingest_file(store: Store, entry: ingest.FileEntry, now: datetime, report: IngestReport) -> None:
    key = str(entry.path)
    known = store.file_state(key)
    if known and known[1] == entry.size and known[2] == entry.mtime:
        report.unchanged += 1
        return
    try:
        raw = ingest.read(entry)
    except IngestError as e:
        # Record the failure (by size/mtime) so an unchanged broken file warns once per change.
        with store.transaction():
            store.record_file(key, "", entry.size, entry.mtime, str(e), now)
        report.warnings.append(str(e))
        return
    if known and known[0] == raw.file_hash:
        with store.transaction():
            store.record_file(key, raw.file_hash, entry.size, entry.mtime, None, now)
        report.unchanged += 1
        return
    try:
        articles = extract.extract(raw)
    except Exception as e:  # one broken article never stops the others
        msg = str(e) if isinstance(e, IngestError) else (
            f"{entry.path}: cannot extract an article ({type(e).__name__}: {e})")
        with store.transaction():
            store.record_file(key, raw.file_hash, entry.size, entry.mtime, msg, now)
        report.warnings.append(msg)
        return
    report.files_read += 1
    with store.transaction():
        # Only the stories the file's old articles were in can be left empty.
        emptied = store.forget_articles_of(key)
        store.prune_empty_stories(emptied)
        for article in articles:
            article = _stamp(article, now)
            if store.has_article(article.id):
                continue  # the same text already came from another file
            cluster.place(store, article, now)
            report.new_articles += 1
        store.prune_empty_stories(emptied)
        store.record_file(key, raw.file_hash, entry.size, entry.mtime, None, now)
    if not articles:
        report.warnings.append(f"{entry.path}: no article text found")


def _stamp(article: Article, now: datetime) -> Article:
    return replace(article, ingested_at=now)


def story_summaries(store: Store, *, since: datetime | None = None, method: str | None = None,
                    sentences: int | None = None, words: int | None = None,
                    story_ids: Iterable[str] | None = None) -> list[StorySummary]:
    """Summaries of every stored story with articles (since `since`), most important first."""
    stories = store.stories(since=since, story_ids=story_ids)
    duplicates = store.duplicates()
    summaries = [
        summarize.summarize_story(replace(s, title=cluster.representative_title(list(s.articles))),
                                  method=method, sentences=sentences, words=words)
        for s in stories
    ]
    return rank(summaries, duplicates)


def rank(summaries: list[StorySummary], duplicates: dict[str, str] | None = None) -> list[StorySummary]:
    """Most important first: independent outlets, then articles, then recency."""
    duplicates = duplicates or {}

    def key(s: StorySummary) -> tuple[float, int, int, str, str]:
        story = s.story
        independent = {a.outlet for a in story.articles if a.id not in duplicates}
        last = story.last_date.isoformat() if story.last_date else ""
        return (-s.topic_score, -len(independent), -len(story.articles), _neg(last), story.id)

    return sorted(summaries, key=key)


def _neg(iso: str) -> str:
    # Sort later dates first while keeping a string key.
    return "".join(chr(0x10FFFF - ord(c)) for c in iso)


def briefing(summaries: list[StorySummary], *, now: datetime, max_stories: int | None = None,
             warnings: Iterable[str] = ()) -> Briefing:
    """One untitled section of the top stories."""
    chosen = summaries[:max_stories] if max_stories else summaries
    return Briefing(generated_at=now, sections=(BriefingSection(None, tuple(chosen)),),
                    warnings=tuple(warnings))


def topic_briefing(summaries: list[StorySummary], chosen: Sequence[topics.Topic], *,
                   now: datetime, max_stories: int | None = None, also_noted: bool = False,
                   duplicates: dict[str, str] | None = None,
                   warnings: Iterable[str] = ()) -> Briefing:
    """One section per followed topic (each cut to max_stories); no topics: all stories."""
    sections, noted = topics.build_sections(summaries, chosen, also_noted=also_noted,
                                            duplicates=duplicates, max_stories=max_stories)
    return Briefing(generated_at=now, sections=sections, also_noted=noted,
                    warnings=tuple(warnings))


def summarize_articles(articles: list[Article], *, method: str | None = None,
                       sentences: int | None = None, words: int | None = None) -> StorySummary:
    """Summarize given articles as one story, without grouping (digest summarize)."""
    story = Story(id=cluster.story_id_for(articles[0]), title=articles[0].title, articles=tuple(articles))
    return summarize.summarize_story(story, method=method, sentences=sentences, words=words)
