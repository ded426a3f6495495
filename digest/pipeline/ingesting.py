"""Files and feeds in: each new or changed file read, cleaned and vectorized (ingest,
extract), grouped into its story (cluster) and stored, in batches that a crash or `kill -9`
never half-writes; several workers on the same sources split them through claims."""

from __future__ import annotations

import logging
import os
import secrets
import socket
import time
from collections import deque
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from digest import cluster, extract, ingest, parallel
from digest.errors import IngestError
from digest.models import (
    Article,
)
from digest.pipeline.parallelism import DEFAULT_PARALLELISM, Parallelism
from digest.progress import Progress
from digest.storage import FileState, Store

if TYPE_CHECKING:
    from digest.config import FeedSpec
    from digest.feeds.fetch import FetchSettings

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
    # Several workers on the same sources: files this worker read (parsed and extracted), and
    # files another worker took in while this one waited (feeds: left to the worker fetching).
    files_parsed: int = 0
    held_elsewhere: int = 0
    # Grouping per story (DIGEST_GROUP_LOCK=story): files whose transaction deadlocked with
    # another worker's and was run again.
    retried: int = 0
    # Unchanged files read again because an older digest's reader had read them: how many, and
    # how many of their articles took in new metadata (or were found for the first time).
    files_reread: int = 0
    articles_refreshed: int = 0

    def reread_line(self) -> str | None:
        """What reading files again after an upgrade did, for the run's log; None if nothing."""
        if not self.files_reread:
            return None
        return (f"read {self.files_reread} unchanged file(s) again (an older digest had read "
                f"them): {self.articles_refreshed} article(s) took in new outlets, dates or "
                "bylines, or were found")


# Several files share one SQLite transaction (a COMMIT costs about as much as taking in a
# small file, and writes each story a batch touched: a big story's centroid is tens of KB):
# commit after this many files or this many seconds, whichever comes first. A crash loses
# nothing: the files of the open batch are not recorded yet and are read again.
BATCH_FILES = 1000
BATCH_SECONDS = 2.0
# Several workers on the same folders split the files through claims (storage.files.Claims):
# a worker claims this many files at a time, just before it reads them, and keeps a claim
# until the batch that writes the file commits (or for CLAIM_SECONDS if it dies; the
# environment's DIGEST_CLAIM_SECONDS overrides it). A claim is its own transaction and
# commits the open batch first, so it costs a COMMIT: every 256 files is one more than the
# batch's own every ~200 files (~2 s) on this machine.
CLAIM_FILES = 256
CLAIM_SECONDS = 60.0
# A run waits for the files another worker holds (see ingest_folders), asking this often.
CLAIM_POLL_SECONDS = 0.5
# Grouping per story (storage's opt-in DIGEST_GROUP_LOCK=story): each file is its own
# transaction, so a story's row is locked only while one file is written; one that
# deadlocked with another worker's is run again this many times at most.
RACE_RETRIES = 5
class _Batch:
    """Groups the writes of consecutive files into one transaction.

    A transaction is atomic, so a crash (even kill -9) loses or duplicates nothing: the
    files of the uncommitted batch are simply not recorded yet and the next run redoes them.
    """

    def __init__(self, store: Store, max_files: int = BATCH_FILES,
                 max_seconds: float = BATCH_SECONDS, worker: str = "") -> None:
        self.store, self.max_files, self.max_seconds = store, max_files, max_seconds
        self.worker = worker  # whose claims the batch's files release at COMMIT
        self.open = False
        self.files = 0
        self.started = 0.0
        self.claims: list[str] = []

    @contextmanager
    def file(self, claim: str | None = None) -> Iterator[None]:
        """The writes of one file: all in the current batch, or (on an error) none; its claim
        (if this worker holds one) is released by the same COMMIT."""
        if not self.open:
            self.store.begin()
            self.open, self.files, self.started = True, 0, time.monotonic()
        try:
            yield
        except BaseException:
            self.rollback()
            raise
        self.files += 1
        if claim is not None:
            self.claims.append(claim)
        if self.files >= self.max_files or time.monotonic() - self.started >= self.max_seconds:
            self.commit()

    def commit(self) -> None:
        if self.open:
            self.open = False
            claims, self.claims = self.claims, []
            self.store.claims.release(claims, self.worker)
            self.store.commit()

    def rollback(self) -> None:
        self.claims = []  # kept in the table: released at the end of the run, or they lapse
        if self.open:
            self.open = False
            self.store.rollback()


def worker_id() -> str:
    """This worker in the claims table: host and process (for a person reading it), and a
    random part (a pid is reused)."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"


def _gone_workers(store: Store) -> list[str]:
    """Workers holding claims whose process on this machine has ended (killed, crashed): their
    claims are taken at once rather than after they lapse, so a run after a kill -9 on one
    machine (the single user's case) does not wait. A worker on another machine, or whose pid
    is now another live process, is waited for until its claims lapse."""
    host = socket.gethostname()
    gone = []
    for worker in store.claims.workers():
        where, _, rest = worker.rpartition(":")[0].rpartition(":")
        if where != host or not rest.isdigit():
            continue
        try:
            os.kill(int(rest), 0)
        except ProcessLookupError:
            gone.append(worker)
        except OSError:  # another user's live process
            pass
    return sorted(gone)


def claim_seconds() -> float:
    """How long a claim lasts if its worker dies: $DIGEST_CLAIM_SECONDS, else CLAIM_SECONDS."""
    value = os.environ.get("DIGEST_CLAIM_SECONDS", "")
    try:
        seconds = float(value) if value else CLAIM_SECONDS
    except ValueError:
        seconds = CLAIM_SECONDS
    return seconds if seconds > 0 else CLAIM_SECONDS


def _release_claims(store: Store, worker: str) -> None:
    """Drop what claims this worker still holds; on the way out of a failed run, a failure
    here (the connection lost) must not hide the first one: the claims then lapse."""
    try:
        store.claims.release_all(worker)
    except Exception as e:
        log.warning("could not release this worker's claims (they lapse by themselves): %s", e)


def ingest_folders(store: Store, folders: Sequence[Path], *, now: datetime,
                   settle_seconds: float = 2.0,
                   max_file_size: int = ingest.DEFAULT_MAX_FILE_SIZE,
                   progress: Progress | None = None,
                   parallelism: Parallelism = DEFAULT_PARALLELISM,
                   claim_for: float | None = None) -> IngestReport:
    """Take in new or changed files; files are committed in batches, each atomic (crash-safe).

    Many files: reading, cleaning and vectorizing run in a worker process while this one
    groups and writes, in the files' order (story ids do not depend on the timing).
    Several workers on the same folders (processes, machines sharing the state): each file
    to read is claimed first, so each is read by one worker; a file another worker holds is
    left to it (`held_elsewhere`), or taken once that claim lapsed (`claim_for` seconds,
    default `claim_seconds()`).
    """
    report = IngestReport()
    worker = worker_id()
    seconds = claim_seconds() if claim_for is None else claim_for
    # Per story, a batch of files would hold its stories' rows for seconds: one file each.
    batch = _Batch(store, worker=worker, max_files=1 if store.index.per_story else BATCH_FILES)
    claimed = False
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
            todo: list[_ToRead] = []
            attempts: dict[str, int] = {}  # failed reads so far of the files read again
            for entry in ready:
                known = store.files.state(entry.name)
                # Read by an older digest: once more, for what this reader finds in it, even
                # if its bytes are the same (a file that failed then may read now).
                older = known is not None and known.reader < extract.READER_VERSION
                if not known or known.size != entry.size or known.mtime != entry.mtime:
                    # a file that failed is read again whole, even if its bytes are the same
                    todo.append(_ToRead(entry, known.file_hash if known and known.error is None
                                        and not older else None, known, reread=older))
                elif older:
                    todo.append(_ToRead(entry, None, known, reread=True))
                elif known.error is None:
                    report.unchanged += 1
                elif known.attempts and ingest.retry_due(entry, known.attempts, known.seen_at, now):
                    attempts[entry.name] = known.attempts
                    todo.append(_ToRead(entry, None, known))  # read again, whatever its hash
                else:
                    report.failing.append(known.error)
            claimed = claimed or bool(todo)
            total, n = len(todo), 0
            # Files another worker holds are waited for (it writes them, or its claim lapses
            # and they are taken here) before the next folder: what this run briefs includes
            # them, and the folders go in in their order.
            # Waiting with no file of the folder moving: every claim seen at the start has
            # lapsed after one claim's length; past two, give up (a clock far off, a bug).
            give_up = time.monotonic() + 2 * seconds
            while todo:
                taken: deque[_ToRead] = deque()  # claimed and sent to be prepared, in order
                held: list[_ToRead] = []  # claimed by another worker
                mine = _claimed(store, batch, todo, worker, seconds, report, taken, held)
                prepared = parallel.ordered_map(_prepare, mine, parallelism.files,
                                                count=len(todo))
                for done in prepared:
                    file = taken.popleft()
                    report.files_parsed += 1
                    _ingest_file(store, batch, file.entry, done, now, report,
                                 attempts.get(file.entry.name, 0), claim=file.entry.name,
                                 reread_of=file.known if file.reread else None)
                    n += 1
                    if progress is not None:
                        progress("ingest", n, total)
                if len(held) < len(todo):  # files moved (here or elsewhere): wait on
                    give_up = time.monotonic() + 2 * seconds
                elif time.monotonic() > give_up:
                    report.warnings.append(f"{folder}: {len(held)} file(s) stayed claimed by "
                                           "another worker; left for the next run")
                    break
                if held:
                    batch.commit()  # not holding the write lock while waiting
                    time.sleep(min(CLAIM_POLL_SECONDS, seconds / 4))
                todo = held
    except BaseException:
        batch.rollback()
        _release_claims(store, worker)
        raise
    batch.commit()
    if claimed:
        store.claims.release_all(worker)  # claimed, then found done by another worker
        log.info("ingest: %d files read by this worker, %d taken in by other workers",
                 report.files_parsed, report.held_elsewhere)
    store.release_memory()
    store.scans.record(now, report.files_read, report.new_articles, report.unchanged,
                       len(report.warnings))
    return report


def _claimed(store: Store, batch: _Batch, todo: list[_ToRead], worker: str, seconds: float,
             report: IngestReport, taken: deque[_ToRead],
             elsewhere: list[_ToRead]) -> Iterator[_ToRead]:
    """The files of `todo` this worker claims, claimed CLAIM_FILES at a time as the readers
    ask for more (lazily: another worker splits the rest meanwhile); each also goes to
    `taken`, for the writer to match with what was prepared of it. Those another worker
    holds go to `elsewhere`."""
    for start in range(0, len(todo), CLAIM_FILES):
        part = todo[start:start + CLAIM_FILES]
        batch.commit()  # a claim is seen by others only once committed: its own transaction
        held = store.claims.take([f.entry.name for f in part], worker, time.time(), seconds,
                                 _gone_workers(store))
        for file in part:
            entry = file.entry
            if entry.name not in held:
                elsewhere.append(file)
                continue
            known = store.files.state(entry.name)
            if known != file.known and known is not None:
                # Another worker recorded the file since the scan (and released its claim).
                report.held_elsewhere += 1
                if known.error is None:
                    report.unchanged += 1
                else:
                    report.failing.append(known.error)
                continue
            taken.append(file)
            yield file


class Sources(Protocol):
    """What taking in a config's [sources] needs (config.Sources has it): the pipeline does not
    import the config, so a process that only runs the stages never loads pydantic."""

    @property
    def folders(self) -> Sequence[Path]: ...
    @property
    def settle(self) -> timedelta: ...
    @property
    def max_file_size(self) -> int: ...


def ingest_feeds(store: Store, specs: Sequence[FeedSpec], *, now: datetime, settings: FetchSettings,
                 refresh: timedelta, force: bool = False,
                 report: IngestReport | None = None,
                 claim_for: float | None = None) -> IngestReport:
    """Fetch the feeds that are due (all with force) and take in their new or changed entries.

    Each feed's entries, their articles and the feed's new ETag go in one transaction, so a
    crash leaves a fetch all stored or not at all; a failing feed warns and backs off alone.
    Several workers due to fetch the same feed: each feed is claimed first, and fetched by
    the worker that holds the claim (see ingest_folders).
    """
    from digest.feeds import service  # httpx and feedparser load only when feeds are fetched

    report = report if report is not None else IngestReport()
    states = store.feeds.states([s.url for s in specs])
    due = [s for s in specs if force or service.is_due(states.get(s.url), now)]
    if not due:
        return report
    worker = worker_id()
    held = store.claims.take([_feed_claim(s.url) for s in due], worker, time.time(),
                             claim_seconds() if claim_for is None else claim_for,
                             _gone_workers(store))
    report.held_elsewhere += len(due) - len(held)
    # Read again under the claim: another worker may have fetched one since the first look.
    states = store.feeds.states([s.url for s in due])
    plans = [service.FeedPlan(s, states.get(s.url), store.feeds.known_entries(s.url), refresh)
             for s in due if _feed_claim(s.url) in held
             and (force or service.is_due(states.get(s.url), now))]

    def take(result: service.FeedResult) -> None:
        report.warnings.extend(result.warnings)
        report.feeds_fetched += 1
        if result.error is not None:
            report.warnings.append(result.error)
            store.feeds.record_failure(result.url, result.error, now, result.next_fetch_at)
            return
        with store.transaction():
            # Per story: a feed's entries are one transaction, too long to hold stories' rows
            # beside other workers; it groups alone, as under the write lock.
            store.index.hold(None)
            known = store.feeds.known_entries(result.url)  # another digest may have been first
            for entry in result.entries:
                if entry.key in known and known[entry.key].content_hash == entry.content_hash:
                    continue
                article = [entry.article] if entry.article is not None else []
                _replace_articles(store, entry.path, [(_stamp(a, now), cluster.features(a))
                                                      for a in article], now, report)
                store.feeds.record_entry(result.url, entry.key, entry.path,
                                         entry.content_hash, now)
            store.feeds.record_fetch(result.url, fetch_url=result.fetch_url,
                                     status=result.status, now=now,
                                     next_fetch_at=result.next_fetch_at, etag=result.etag,
                                     last_modified=result.last_modified, title=result.title)
            store.claims.release([_feed_claim(result.url)], worker)

    try:
        service.collect(plans, settings, now, take)
    except BaseException:
        _release_claims(store, worker)
        raise
    store.claims.release_all(worker)  # failed feeds', and those found fetched meanwhile
    return report


def _feed_claim(url: str) -> str:
    """A feed's key in the claims table (a file's is its path: no path starts so)."""
    return f"feed:{url}"


def ingest_sources(store: Store, sources: Sources, *, now: datetime,
                   progress: Progress | None = None) -> IngestReport:
    """Take in new articles from the folders of a config's [sources] (the daemon, `send`)."""
    return ingest_folders(store, sources.folders, now=now,
                          settle_seconds=sources.settle.total_seconds(),
                          max_file_size=sources.max_file_size, progress=progress)


@dataclass(frozen=True)
class _ToRead:
    """A file to read, with the hash of its last good version (None: read it whatever)."""

    entry: ingest.FileEntry
    known_hash: str | None
    known: FileState | None = None  # what the files ledger said at the scan
    reread: bool = False  # unchanged, but an older digest's reader read it


# What preparing a file gives (in a worker or here): its articles, or that its bytes did not
# change, or why it failed.
@dataclass(frozen=True)
class _Read:
    file_hash: str
    articles: list[tuple[Article, cluster.Features | None]]  # None: placing vectorizes it
    warnings: list[str]


@dataclass(frozen=True)
class _Same:
    file_hash: str


@dataclass(frozen=True)
class _Failed:
    file_hash: str  # "" when the bytes could not be read
    message: str  # one line naming the file
    retry: bool  # the read failed but may succeed later (backoff)


_Prepared = _Read | _Same | _Failed


def _prepare(file: _ToRead) -> _Prepared:
    """Everything about a file that needs no store: read, decode, extract, vectorize."""
    entry = file.entry
    try:
        raw = ingest.read(entry)
    except ingest.ReadError as e:
        return _Failed("", str(e), retry=True)
    except IngestError as e:
        return _Failed("", str(e), retry=False)
    if file.known_hash is not None and file.known_hash == raw.file_hash:
        return _Same(raw.file_hash)
    warnings = list(raw.warnings)
    try:
        articles = extract.extract(raw, warnings)
        # A file read again after an upgrade mostly gives articles already stored, which need
        # no vectors (they keep their place): any that must be placed is vectorized then.
        return _Read(raw.file_hash, [(a, None if file.reread else cluster.features(a))
                                     for a in articles], warnings)
    except Exception as e:  # one broken article never stops the others
        msg = str(e) if isinstance(e, IngestError) else (
            f"{entry.name}: cannot extract an article ({type(e).__name__}: {e})")
        return _Failed(raw.file_hash, msg, retry=False)


def _ingest_file(store: Store, batch: _Batch, entry: ingest.FileEntry, prepared: _Prepared,
                 now: datetime, report: IngestReport, attempts: int = 0,
                 claim: str | None = None, reread_of: FileState | None = None) -> None:
    key = entry.name  # text even when the file name's bytes are not UTF-8
    reader = extract.READER_VERSION
    if isinstance(prepared, _Failed):
        # Record the failure (by size/mtime) so an unchanged broken file warns once per change;
        # a failed read counts its attempts, for the retry backoff.
        with batch.file(claim):
            store.files.record(key, prepared.file_hash, entry.size, entry.mtime, prepared.message,
                              now, attempts=attempts + 1 if prepared.retry else 0, reader=reader)
        report.warnings.append(prepared.message)
        return
    if isinstance(prepared, _Same):
        with batch.file(claim):
            store.files.record(key, prepared.file_hash, entry.size, entry.mtime, None, now,
                               reader=reader)
        report.unchanged += 1
        return
    file_hash = prepared.file_hash
    articles = [(_stamp(a, now), features) for a, features in prepared.articles]
    # The same bytes an older reader took in: its articles stay what readers were sent, and
    # take in what this reader finds about them (see _refresh_articles).
    refresh = (reread_of is not None and reread_of.error is None
               and reread_of.file_hash == file_hash)
    report.warnings.extend(prepared.warnings)
    counted = (report.unchanged, report.files_read, report.new_articles, report.files_reread,
               report.articles_refreshed)
    for attempt in range(1, RACE_RETRIES + 2):
        try:
            with batch.file(claim):
                recorded = store.files.state(key)
                if (recorded is not None and recorded.file_hash == file_hash
                        and recorded.error is None and recorded.reader >= reader):
                    # Another digest took this version in since the scan (its batch held the
                    # write lock meanwhile): its work stands, as if this run had found the
                    # file unchanged.
                    report.unchanged += 1
                    return
                if refresh:
                    report.files_reread += 1
                    _refresh_articles(store, key, articles, now, report)
                else:
                    report.files_read += 1
                    _replace_articles(store, key, articles, now, report)
                store.files.record(key, file_hash, entry.size, entry.mtime, None, now,
                                   reader=reader)
            break
        except Exception as e:
            # Per story, another worker's transaction locked what this one needed in the
            # other order: rolled back (the batch is this file alone), it runs again.
            if attempt > RACE_RETRIES or not store.database.retryable(e):
                raise
            (report.unchanged, report.files_read, report.new_articles, report.files_reread,
             report.articles_refreshed) = counted
            report.retried += 1
    if not articles:
        report.warnings.append(f"{entry.name}: no article text found")


def _replace_articles(store: Store, path: str,
                      articles: Sequence[tuple[Article, cluster.Features | None]],
                      now: datetime, report: IngestReport) -> None:
    """A file's articles in place of those an earlier version of it gave, leaving the stories
    as if this version had come first.

    An article whose title and text did not change keeps its place (only its other metadata
    is updated): stories are built in arrival order, so taking it out and in again could move
    it and what joined after it. The others are taken out of their stories (centroid, index,
    term counts; a story left empty is deleted), then the new ones placed like any new article.
    """
    old = {a.id: a for a in store.articles.of_file(path)}
    kept = {a.id for a, _ in articles
            if a.id in old and (a.title, a.text) == (old[a.id].title, old[a.id].text)}
    copies: list[str] = []
    for article in old.values():
        if article.id not in kept:
            copies += cluster.unplace(store.index, article, now)
    for article, features in articles:
        if article.id in kept:
            if _metadata(article) != _metadata(old[article.id]):
                store.index.update_article(article)
            continue
        _place_new(store, article, features, now, report)
    cluster.recheck_copies(store.index, [c for c in copies if store.articles.has(c)])


def _refresh_articles(store: Store, path: str,
                      articles: Sequence[tuple[Article, cluster.Features | None]],
                      now: datetime, report: IngestReport) -> None:
    """An unchanged file read again by a newer reader than the one that took it in.

    Its stored articles keep their text, title and place (they are what readers were sent and
    what the send ledger names; a cleaner that now cuts a line differently is no news): each
    takes in the metadata the new reader finds for it (the same text, or failing that the same
    place in the file, `Article.path`). An article the old reader missed is placed like any new
    one; one it found that this reader would not is kept.
    """
    old = store.articles.of_file(path)
    by_id = {a.id: a for a in old}
    by_place = {a.path: a for a in old}
    matched: set[str] = set()
    for article, features in articles:
        stored = by_id.get(article.id) or by_place.get(article.path)
        if stored is not None and stored.id not in matched:
            matched.add(stored.id)
            renewed = replace(stored, outlet=article.outlet, date=article.date,
                              author=article.author, url=article.url, captions=article.captions)
            if _metadata(renewed) != _metadata(stored):
                store.index.update_article(renewed)
                report.articles_refreshed += 1
            continue
        if _place_new(store, article, features, now, report):
            report.articles_refreshed += 1


def _place_new(store: Store, article: Article, features: cluster.Features | None,
               now: datetime, report: IngestReport) -> bool:
    """Group an article into its story unless it is stored already; True if it was placed."""
    store.index.hold_article(article.id)  # per story: another worker may store it now
    if store.articles.has(article.id):
        return False  # the same text already came from another file
    place = cluster.place_held if store.index.per_story else cluster.place
    place(store.index, article, now, prepared=features)
    report.new_articles += 1
    return True


def _metadata(article: Article) -> tuple[object, ...]:
    """What an article row holds besides its title and text (and the time it came)."""
    return (article.path, article.outlet, article.date, article.author, article.url,
            article.captions)


def _stamp(article: Article, now: datetime) -> Article:
    return replace(article, ingested_at=now)
