"""The only module that knows the stage order: ingest -> extract -> cluster -> summarize."""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from digest import cluster, extract, feed_store, ingest, summarize, topics
from digest.config import FeedSpec
from digest.errors import IngestError
from digest.models import (
    Article,
    Briefing,
    BriefingSection,
    ReaderHistory,
    Story,
    StorySummary,
)
from digest.store import Store

if TYPE_CHECKING:
    from digest.feeds.fetch import FetchSettings
    from digest.progress import Progress

log = logging.getLogger(__name__)


@dataclass
class IngestReport:
    files_read: int = 0
    new_articles: int = 0
    unchanged: int = 0
    pending: list[str] = field(default_factory=list)  # still being written: next run
    warnings: list[str] = field(default_factory=list)  # one line each, naming the file
    # Files that failed before and still do (not read again this run, or not due for a retry):
    # warned about once, listed on every run for --strict.
    failing: list[str] = field(default_factory=list)
    feeds_fetched: int = 0  # feeds asked for (a 304 counts; an error too)


# Several files share one SQLite transaction (a COMMIT costs about as much as taking in a
# small file, and writes each story a batch touched: a big story's centroid is tens of KB):
# commit after this many files or this many seconds, whichever comes first. A crash loses
# nothing: the files of the open batch are not recorded yet and are read again.
BATCH_FILES = 1000
BATCH_SECONDS = 2.0
# Worker processes for the CPU-bound stages of a big run (summaries of many stories).
WORKERS = min(2, os.cpu_count() or 1)
PARALLEL_STORIES = 50
STORY_BATCH = 256
INGEST_WORKERS = WORKERS - 1  # the main process writes meanwhile
PARALLEL_FILES = 100
FILE_CHUNK = 16
# In a run of this many files or more, this process prepares a chunk itself whenever the
# worker has not finished the next one: the two take about as long per file, and neither
# should wait for the other. (Not in small runs: there the worker is only starting.)
SHARE_FILES = 1000
SHARED_AHEAD = 64  # chunks prepared ahead of their turn, at most (memory stays bounded)


class _Batch:
    """Groups the writes of consecutive files into one transaction.

    A transaction is atomic, so a crash (even kill -9) loses or duplicates nothing: the
    files of the uncommitted batch are simply not recorded yet and the next run redoes them.
    """

    def __init__(self, store: Store, max_files: int = BATCH_FILES,
                 max_seconds: float = BATCH_SECONDS) -> None:
        self.store, self.max_files, self.max_seconds = store, max_files, max_seconds
        self.open = False
        self.files = 0
        self.started = 0.0

    @contextmanager
    def file(self) -> Iterator[None]:
        """The writes of one file: all in the current batch, or (on an error) none."""
        if not self.open:
            self.store.begin()
            self.open, self.files, self.started = True, 0, time.monotonic()
        try:
            yield
        except BaseException:
            self.rollback()
            raise
        self.files += 1
        if self.files >= self.max_files or time.monotonic() - self.started >= self.max_seconds:
            self.commit()

    def commit(self) -> None:
        if self.open:
            self.open = False
            self.store.commit()

    def rollback(self) -> None:
        if self.open:
            self.open = False
            self.store.rollback()


def ingest_folders(store: Store, folders: Sequence[Path], *, now: datetime,
                   settle_seconds: float = 2.0,
                   max_file_size: int = ingest.DEFAULT_MAX_FILE_SIZE,
                   progress: Progress | None = None) -> IngestReport:
    """Take in new or changed files; files are committed in batches, each atomic (crash-safe).

    Many files: reading, cleaning and vectorizing run in a worker process while this one
    groups and writes, in the files' order (story ids do not depend on the timing).
    """
    report = IngestReport()
    batch = _Batch(store)
    try:
        for folder in folders:
            try:
                ready, pending = ingest.scan(folder, settle_seconds=settle_seconds,
                                             now=now.timestamp() if settle_seconds else None,
                                             max_size=max_file_size)
            except IngestError as e:
                report.warnings.append(str(e))
                continue
            report.pending.extend(ingest.path_text(p) for p in pending)
            todo: list[tuple[ingest.FileEntry, str | None]] = []
            attempts: dict[str, int] = {}  # failed reads so far of the files read again
            for entry in ready:
                known = store.file_state(entry.name)
                if not known or known.size != entry.size or known.mtime != entry.mtime:
                    # a file that failed is read again whole, even if its bytes are the same
                    todo.append((entry, known.file_hash if known and known.error is None else None))
                elif known.error is None:
                    report.unchanged += 1
                elif known.attempts and ingest.retry_due(entry, known.attempts, known.seen_at, now):
                    attempts[entry.name] = known.attempts
                    todo.append((entry, None))  # read again, whatever its hash
                else:
                    report.failing.append(known.error)
            for n, ((entry, _), prepared) in enumerate(zip(todo, _prepare_all(todo), strict=True), 1):
                _ingest_file(store, batch, entry, prepared, now, report, attempts.get(entry.name, 0))
                if progress is not None:
                    progress("ingest", n, len(todo))
    except BaseException:
        batch.rollback()
        raise
    batch.commit()
    store.release_memory()
    store.record_scan(now, report.files_read, report.new_articles, report.unchanged,
                      len(report.warnings))
    return report


def ingest_feeds(store: Store, specs: Sequence[FeedSpec], *, now: datetime, settings: FetchSettings,
                 refresh: timedelta, force: bool = False,
                 report: IngestReport | None = None) -> IngestReport:
    """Fetch the feeds that are due (all with force) and take in their new or changed entries.

    Each feed's entries, their articles and the feed's new ETag go in one transaction, so a
    crash leaves a fetch all stored or not at all; a failing feed warns and backs off alone.
    """
    from digest.feeds import service

    report = report if report is not None else IngestReport()
    states = feed_store.states(store, [s.url for s in specs])
    plans = [service.FeedPlan(s, states.get(s.url), feed_store.known_entries(store, s.url), refresh)
             for s in specs if force or service.is_due(states.get(s.url), now)]

    def take(result: service.FeedResult) -> None:
        report.warnings.extend(result.warnings)
        report.feeds_fetched += 1
        if result.error is not None:
            report.warnings.append(result.error)
            feed_store.record_failure(store, result.url, result.error, now, result.next_fetch_at)
            return
        with store.transaction():
            known = feed_store.known_entries(store, result.url)  # another digest may have been first
            for entry in result.entries:
                if entry.key in known and known[entry.key].content_hash == entry.content_hash:
                    continue
                article = [entry.article] if entry.article is not None else []
                _replace_articles(store, entry.path, [(_stamp(a, now), cluster.features(a))
                                                      for a in article], now, report)
                feed_store.record_entry(store, result.url, entry.key, entry.path,
                                        entry.content_hash, now)
            feed_store.record_fetch(store, result.url, fetch_url=result.fetch_url,
                                    status=result.status, now=now,
                                    next_fetch_at=result.next_fetch_at, etag=result.etag,
                                    last_modified=result.last_modified, title=result.title)

    service.collect(plans, settings, now, take)
    return report


# What a worker hands back for one file: ("error", hash, message), ("retry", "", message)
# when the read failed but may succeed later, ("same", hash) when the bytes did not change,
# or ("ok", hash, [(article, cluster features), ...], warnings).
Prepared = tuple[Any, ...]


def _prepare(entry: ingest.FileEntry, known_hash: str | None) -> Prepared:
    """Everything about a file that needs no store: read, decode, extract, vectorize."""
    try:
        raw = ingest.read(entry)
    except ingest.ReadError as e:
        return ("retry", "", str(e))
    except IngestError as e:
        return ("error", "", str(e))
    if known_hash is not None and known_hash == raw.file_hash:
        return ("same", raw.file_hash)
    warnings = list(raw.warnings)
    try:
        articles = extract.extract(raw, warnings)
        return ("ok", raw.file_hash, [(a, cluster.features(a)) for a in articles], warnings)
    except Exception as e:  # one broken article never stops the others
        msg = str(e) if isinstance(e, IngestError) else (
            f"{entry.name}: cannot extract an article ({type(e).__name__}: {e})")
        return ("error", raw.file_hash, msg)


def _prepare_chunk(chunk: list[tuple[ingest.FileEntry, str | None]]) -> list[Prepared]:
    return [_prepare(entry, known) for entry, known in chunk]


def _prepare_all(todo: list[tuple[ingest.FileEntry, str | None]]) -> Iterator[Prepared]:
    """_prepare of every file, in order; in worker processes when there are many."""
    if len(todo) < PARALLEL_FILES or INGEST_WORKERS < 1 or not _can_fork():
        for entry, known in todo:
            yield _prepare(entry, known)
        return
    # The first chunks are small: this process waits for the first result (the worker starts
    # cold), so it gets one file soon, then the chunks grow to FILE_CHUNK.
    chunks = []
    start, size = 0, 1
    while start < len(todo):
        chunks.append(todo[start:start + size])
        start, size = start + size, min(2 * size, FILE_CHUNK)
    ahead = 3 * INGEST_WORKERS  # chunks in flight: enough to keep busy, little held in memory
    share = len(todo) >= SHARE_FILES
    with ProcessPoolExecutor(INGEST_WORKERS, mp_context=_fork_context(),
                             initializer=_worker_init, initargs=(os.getpid(),)) as pool:
        # In order: a chunk given to the worker (a Future), or prepared here (its results, or
        # the exception preparing it raised).
        slots: deque[Future[list[Prepared]] | list[Prepared] | Exception] = deque(
            pool.submit(_prepare_chunk, c) for c in chunks[:ahead])
        next_chunk = len(slots)
        in_flight = len(slots)
        while slots:
            head = slots[0]
            if (share and isinstance(head, Future) and not head.done()
                    and next_chunk < len(chunks) and len(slots) < SHARED_AHEAD):
                try:
                    slots.append(_prepare_chunk(chunks[next_chunk]))  # rather than wait
                except Exception as e:  # raised in its turn: the files before it go in first
                    slots.append(e)
                next_chunk += 1
                continue
            slots.popleft()
            if isinstance(head, Future):
                results = head.result()
                in_flight -= 1
            elif isinstance(head, Exception):
                raise head
            else:
                results = head
            while in_flight < ahead and next_chunk < len(chunks):
                slots.append(pool.submit(_prepare_chunk, chunks[next_chunk]))
                next_chunk += 1
                in_flight += 1
            yield from results


def _worker_init(parent: int) -> None:
    """A worker dies with its parent (even on kill -9), never lingering on its own."""
    try:
        import ctypes
        import signal
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:
        os._exit(1)


def _ingest_file(store: Store, batch: _Batch, entry: ingest.FileEntry, prepared: Prepared,
                 now: datetime, report: IngestReport, attempts: int = 0) -> None:
    key = entry.name  # text even when the file name's bytes are not UTF-8
    kind, file_hash = prepared[0], prepared[1]
    if kind in ("error", "retry"):
        # Record the failure (by size/mtime) so an unchanged broken file warns once per change;
        # a failed read counts its attempts, for the retry backoff.
        with batch.file():
            store.record_file(key, file_hash, entry.size, entry.mtime, prepared[2], now,
                              attempts=attempts + 1 if kind == "retry" else 0)
        report.warnings.append(prepared[2])
        return
    if kind == "same":
        with batch.file():
            store.record_file(key, file_hash, entry.size, entry.mtime, None, now)
        report.unchanged += 1
        return
    articles = [(_stamp(a, now), features) for a, features in prepared[2]]
    report.warnings.extend(prepared[3])
    with batch.file():
        recorded = store.file_state(key)
        if recorded is not None and recorded[0] == file_hash and recorded[3] is None:
            # Another digest took this version in since the scan (its batch held the write
            # lock meanwhile): its work stands, as if this run had found the file unchanged.
            report.unchanged += 1
            return
        report.files_read += 1
        _replace_articles(store, key, articles, now, report)
        store.record_file(key, file_hash, entry.size, entry.mtime, None, now)
    if not articles:
        report.warnings.append(f"{entry.name}: no article text found")


def _replace_articles(store: Store, path: str, articles: list[tuple[Article, cluster.Features]],
                      now: datetime, report: IngestReport) -> None:
    """A file's articles in place of those an earlier version of it gave, leaving the stories
    as if this version had come first.

    An article whose title and text did not change keeps its place (only its other metadata
    is updated): stories are built in arrival order, so taking it out and in again could move
    it and what joined after it. The others are taken out of their stories (centroid, index,
    term counts; a story left empty is deleted), then the new ones placed like any new article.
    """
    old = {a.id: a for a in store.articles_of(path)}
    kept = {a.id for a, _ in articles
            if a.id in old and (a.title, a.text) == (old[a.id].title, old[a.id].text)}
    copies: list[str] = []
    for article in old.values():
        if article.id not in kept:
            copies += cluster.unplace(store, article, now)
    for article, features in articles:
        if article.id in kept:
            if _metadata(article) != _metadata(old[article.id]):
                store.update_article(article)
            continue
        if store.has_article(article.id):
            continue  # the same text already came from another file
        cluster.place(store, article, now, prepared=features)
        report.new_articles += 1
    cluster.recheck_copies(store, [c for c in copies if store.has_article(c)])


def _metadata(article: Article) -> tuple[object, ...]:
    """What an article row holds besides its title and text (and the time it came)."""
    return (article.path, article.outlet, article.date, article.author, article.url,
            article.captions)


def _stamp(article: Article, now: datetime) -> Article:
    return replace(article, ingested_at=now)


@dataclass(frozen=True)
class _Variant:
    """A story as some reader should get it: for everyone (seen is None), or given what of it
    the reader has (articles seen, keys of the summary sentences sent)."""

    story: Story
    seen: frozenset[str] | None = None
    sent: frozenset[str] = frozenset()


@dataclass(frozen=True)
class _SummaryWork:
    """One story to summarize, for everyone (seen is None) or for one reader's history."""

    story: Story
    method: str | None
    sentences: int | None
    words: int | None
    headline_terms: dict[str, dict[str, float]]  # of its articles, by id
    seen: frozenset[str] | None = None  # the articles of it the reader has
    sent: frozenset[str] = frozenset()  # keys of its sentences the reader was sent


def story_summaries(store: Store, *, since: datetime | None = None, method: str | None = None,
                    sentences: int | None = None, words: int | None = None,
                    story_ids: Iterable[str] | None = None,
                    history: ReaderHistory | None = None,
                    progress: Progress | None = None) -> list[StorySummary]:
    """Summaries of every stored story with articles (since `since`), most important first.

    With a reader's history, each story is summarized for that reader (status new, updated
    or unchanged; an updated story leads with what is new to them) and `since` is ignored:
    the history says what is old.
    """
    if history is not None:
        return reader_summaries(store, {"": history}, method=method, sentences=sentences,
                                words=words, story_ids=story_ids, progress=progress)[""]
    stories = store.stories(since=since, story_ids=story_ids)
    summaries = _summarize_all(store, [[_Variant(s)] for s in stories], method, sentences,
                               words, progress)
    return rank([per_story[0] for per_story in summaries], store.duplicates())


def reader_summaries(store: Store, histories: Mapping[str, ReaderHistory], *,
                     method: str | None = None, sentences: int | None = None,
                     words: int | None = None, story_ids: Iterable[str] | None = None,
                     progress: Progress | None = None) -> dict[str, list[StorySummary]]:
    """Per reader (any key), every story as that reader should get it, most important first.

    A story is summarized once per distinct history of it (readers who have the same of its
    articles and sentences share the work; a story new to all of them is summarized once).
    """
    stories = store.stories(story_ids=story_ids)
    readers = list(histories)
    # Per story, the distinct (articles seen, sentences sent) among the readers, and which
    # of them each reader has.
    variants: list[list[_Variant]] = []
    pick: list[list[int]] = []
    for story in stories:
        ids = {a.id for a in story.articles}
        keys: dict[tuple[frozenset[str], frozenset[str]], int] = {}
        which = []
        for r in readers:
            h = histories[r]
            seen = frozenset(ids.intersection(h.articles))
            key = (seen, h.sent_in(story.id) if seen else frozenset())
            which.append(keys.setdefault(key, len(keys)))
        variants.append([_Variant(story, seen, sent) for seen, sent in keys])
        pick.append(which)
    done = _summarize_all(store, variants, method, sentences, words, progress)
    duplicates = store.duplicates()
    out = {}
    for n, r in enumerate(readers):
        since = histories[r].since
        mine = []
        for per_story, which in zip(done, pick, strict=True):
            summary = per_story[which[n]]
            if summary.update is not None and summary.update.since != since:
                summary = replace(summary, update=replace(summary.update, since=since))
            mine.append(summary)
        # What is new to the reader first; the rest in the usual order.
        out[r] = sorted(rank(mine, duplicates), key=lambda s: s.status == "unchanged")
    return out


def _summarize_all(store: Store, variants: list[list[_Variant]], method: str | None,
                   sentences: int | None, words: int | None,
                   progress: Progress | None = None) -> list[list[StorySummary]]:
    """Each story's summaries (one per variant), in worker processes when there are many."""
    if variants:
        summarize.check_method(method)  # fail here, not in a worker
    # Stories go out in batches, each with its articles' headline terms read just before:
    # never the whole store's at once (100,000 articles' would take most of a gigabyte).
    batches = [variants[i:i + STORY_BATCH] for i in range(0, len(variants), STORY_BATCH)]

    def work(batch: list[list[_Variant]]) -> list[_SummaryWork]:
        headlines = store.headline_terms([v[0].story.id for v in batch])
        out = []
        for per_story in batch:
            story = per_story[0].story
            terms = {a.id: headlines[a.id] for a in story.articles if a.id in headlines}
            out += [_SummaryWork(story, method, sentences, words, terms, v.seen, v.sent)
                    for v in per_story]
        return out

    done: list[tuple[str, StorySummary]] = []
    n_work = sum(len(v) for v in variants)

    def tell() -> None:
        if progress is not None:
            progress("summaries", len(done), n_work)

    if n_work > PARALLEL_STORIES and WORKERS > 1 and _can_fork():
        # Each story is summarized on its own: spread them over the cores, in order.
        chunk = max(1, min(32, min(n_work, STORY_BATCH) // (WORKERS * 8)))
        with ProcessPoolExecutor(WORKERS, mp_context=_fork_context(),
                                 initializer=_worker_init, initargs=(os.getpid(),)) as pool:
            in_flight: deque[Iterator[tuple[str, StorySummary]]] = deque()
            for batch in batches:
                in_flight.append(pool.map(_summarize_one, work(batch), chunksize=chunk))
                if len(in_flight) > 2:
                    done.extend(in_flight.popleft())
                    tell()
            while in_flight:
                done.extend(in_flight.popleft())
                tell()
    else:
        for batch in batches:
            for w in work(batch):
                done.append(_summarize_one(w))
                tell()
    # The workers send back the summary without the story (the caller already has it).
    results = iter(done)
    out = []
    for per_story in variants:
        story = per_story[0].story
        summaries = []
        for _ in per_story:
            title, summary = next(results)
            summaries.append(replace(summary, story=replace(story, title=title)))
        out.append(summaries)
    return out


def _summarize_one(work: _SummaryWork) -> tuple[str, StorySummary]:
    story = work.story
    title = cluster.representative_title(list(story.articles), work.headline_terms)
    titled = replace(story, title=title)
    if work.seen is None:
        summary = summarize.summarize_story(titled, method=work.method,
                                            sentences=work.sentences, words=work.words)
    else:
        summary = summarize.summarize_for_reader(titled, work.seen, sent=work.sent,
                                                 method=work.method, sentences=work.sentences,
                                                 words=work.words)
    return title, replace(summary, story=None)  # type: ignore[arg-type]


def _fork_context() -> multiprocessing.context.BaseContext:
    return multiprocessing.get_context("fork")


def _can_fork() -> bool:
    """Workers are forked (they start at once, everything imported): only where fork exists
    and from a single-threaded process (the scheduler's jobs run in threads: in-process)."""
    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1


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
