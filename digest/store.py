"""SQLite state: files seen, articles, stories and the story index; ordered migrations.

Every file is taken in inside one transaction (its articles, their story, the
file's new hash), so a crash or kill -9 leaves either all of it or none of it.
What grouping changes in the story index (centroids, the stories' rows, story_probe,
term counts) is held in memory and written once at COMMIT: a story that several
articles of a batch join is written once. Rows read back mid-transaction are
patched with what is still pending.
"""

from __future__ import annotations

import heapq
import itertools
import json
import math
import operator
import os
import sqlite3
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import NamedTuple

import orjson
from platformdirs import user_data_dir

from digest.cluster import Features
from digest.models import Article, Story
from digest.probe_cache import ProbeCache


def default_state_path() -> Path:
    """$DIGEST_HOME/state.sqlite, else the per-user data folder."""
    home = os.environ.get("DIGEST_HOME")
    base = Path(home) if home else Path(user_data_dir("digest", appauthor=False))
    return base / "state.sqlite"


def run_script(db: sqlite3.Connection, sql: str) -> None:
    """Run several statements inside the caller's transaction (executescript would commit)."""
    for statement in sql.split(";"):
        if statement.strip():
            db.execute(statement)


def _m1_core(db: sqlite3.Connection) -> None:
    run_script(
        db,
        """
        CREATE TABLE files (
            path TEXT PRIMARY KEY, file_hash TEXT NOT NULL, size INTEGER, mtime REAL,
            error TEXT, seen_at TEXT NOT NULL);
        CREATE TABLE articles (
            id TEXT PRIMARY KEY, path TEXT NOT NULL, title TEXT NOT NULL, outlet TEXT NOT NULL,
            date TEXT, author TEXT, url TEXT, text TEXT NOT NULL, captions TEXT NOT NULL,
            ingested_at TEXT NOT NULL, story_id TEXT NOT NULL, duplicate_of TEXT);
        CREATE INDEX articles_story ON articles(story_id);
        CREATE INDEX articles_path ON articles(path);
        CREATE INDEX articles_ingested ON articles(ingested_at);
        CREATE TABLE stories (
            id TEXT PRIMARY KEY, title TEXT NOT NULL, norm REAL NOT NULL,
            created_at TEXT NOT NULL, updated_at TEXT NOT NULL, last_date TEXT);
        -- inverted index: story centroid weights by term, for incremental grouping
        CREATE TABLE story_terms (
            term TEXT NOT NULL, story_id TEXT NOT NULL, weight REAL NOT NULL,
            PRIMARY KEY (term, story_id)) WITHOUT ROWID;
        CREATE INDEX story_terms_story ON story_terms(story_id);
        -- hashes of each article's lead sentences, to recognise a wire copy
        CREATE TABLE lead_hashes (
            hash TEXT NOT NULL, article_id TEXT NOT NULL,
            PRIMARY KEY (hash, article_id)) WITHOUT ROWID;
        """
    )


def _m2_outbox(db: sqlite3.Connection) -> None:
    """Email digests: the send ledger and queue (see digest/outbox.py for the state machine)."""
    run_script(
        db,
        """
        -- one row per scheduled slot dealt with (sent, skipped) and a first-start baseline
        CREATE TABLE digest_runs (
            digest TEXT NOT NULL, slot_key TEXT NOT NULL, slot_utc TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('baseline', 'scheduled', 'skipped')),
            created_at TEXT NOT NULL, PRIMARY KEY (digest, slot_key));
        -- one row per message (a digest for one recipient), kept after sending as the ledger
        CREATE TABLE outbox (
            id INTEGER PRIMARY KEY, digest TEXT NOT NULL, run TEXT NOT NULL,
            recipient TEXT NOT NULL, message_id TEXT NOT NULL UNIQUE, subject TEXT NOT NULL,
            message BLOB NOT NULL, articles TEXT NOT NULL,
            state TEXT NOT NULL CHECK (state IN ('queued', 'sending', 'handed_over', 'sent',
                'unconfirmed', 'failed', 'superseded')),
            attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at TEXT NOT NULL,
            created_at TEXT NOT NULL, updated_at TEXT NOT NULL, sent_at TEXT,
            last_error TEXT, server_reply TEXT,
            UNIQUE (digest, run, recipient));
        CREATE INDEX outbox_state ON outbox(state, next_attempt_at);
        -- which articles reached which recipient: the next digest marks stories new/updated
        CREATE TABLE sent_articles (
            recipient TEXT NOT NULL, article_id TEXT NOT NULL, story_id TEXT,
            outbox_id INTEGER NOT NULL REFERENCES outbox(id), sent_at TEXT NOT NULL,
            PRIMARY KEY (recipient, article_id)) WITHOUT ROWID;
        """
    )


def _m3_term_counts(db: sqlite3.Connection) -> None:
    # How many articles carry each term: terms common in this store are not used to look
    # for candidate stories (their posting lists grow with the store), only to score them.
    run_script(
        db,
        """
        CREATE TABLE term_counts (term TEXT PRIMARY KEY, articles INTEGER NOT NULL) WITHOUT ROWID;
        INSERT INTO term_counts SELECT term, COUNT(*) FROM story_terms GROUP BY term;
        """
    )


def _m4_story_entities(db: sqlite3.Connection) -> None:
    # The names a story's articles mention (sum of their entity vectors, JSON): a candidate
    # story whose names do not meet an article's is not joined (join_model.ENTITY_MIN).
    # Stories stored before have none, and are simply not vetoed.
    db.execute("ALTER TABLE stories ADD COLUMN entities TEXT NOT NULL DEFAULT '{}'")


def _m5_story_probe(db: sqlite3.Connection) -> None:
    # Each story's strongest centroid terms only: candidate stories are looked up here (a few
    # postings per story instead of hundreds), then scored on their whole centroids.
    run_script(
        db,
        f"""
        CREATE TABLE story_probe (
            term TEXT NOT NULL, story_id TEXT NOT NULL, weight REAL NOT NULL,
            PRIMARY KEY (term, story_id)) WITHOUT ROWID;
        CREATE INDEX story_probe_story ON story_probe(story_id);
        INSERT INTO story_probe SELECT term, story_id, weight FROM (
            SELECT term, story_id, weight, ROW_NUMBER() OVER (
                PARTITION BY story_id ORDER BY weight DESC, term) AS n FROM story_terms)
        WHERE n <= {STORY_PROBE_TERMS};
        """
    )


def _m6_headline_terms(db: sqlite3.Connection) -> None:
    # Each article's core terms (cluster.Features.headline_terms, JSON), computed at ingest:
    # a story's headline is chosen on them without reading its articles again. NULL in the
    # rows stored before: computed when needed.
    db.execute("ALTER TABLE articles ADD COLUMN headline_terms TEXT")


def _m7_story_centroids(db: sqlite3.Connection) -> None:
    # A story's centroid as one JSON row instead of a row per (term, story): an article
    # joining a story wrote a hundred rows scattered over the whole term index (the pages
    # written, and checkpointed, grew with the store); now the stories a batch of files
    # touched are each written once, at COMMIT. Candidates are found through story_probe.
    db.execute("CREATE TABLE story_centroids (story_id TEXT PRIMARY KEY, weights TEXT NOT NULL)")
    rows = db.execute("SELECT story_id, term, weight FROM story_terms ORDER BY story_id, term")
    batch: list[tuple[str, str]] = []
    for story_id, group in itertools.groupby(rows, key=lambda r: r[0]):
        batch.append((story_id, json.dumps({term: weight for _, term, weight in group})))
        if len(batch) >= 1000:
            db.executemany("INSERT INTO story_centroids VALUES (?, ?)", batch)
            batch.clear()
    db.executemany("INSERT INTO story_centroids VALUES (?, ?)", batch)
    db.execute("DROP TABLE story_terms")


def _m8_outbox_operator(db: sqlite3.Connection) -> None:
    """Email digests: the operator's `digest outbox retry|drop`, and the state 'dropped'."""
    # Widening a CHECK constraint changes no stored row, so the table is not rebuilt (which
    # the foreign key from sent_articles forbids inside this transaction): the schema text is
    # edited as SQLite documents for such changes, and the schema version bumped so that
    # every connection re-reads it.
    version = int(db.execute("PRAGMA schema_version").fetchone()[0])
    db.execute("PRAGMA writable_schema = ON")
    db.execute("UPDATE sqlite_master SET sql = replace(sql, ?, ?) "
               "WHERE type = 'table' AND name = 'outbox'",
               ("'superseded'))", "'superseded', 'dropped'))"))
    db.execute(f"PRAGMA schema_version = {version + 1}")
    db.execute("PRAGMA writable_schema = OFF")
    db.execute(
        "CREATE TABLE outbox_actions (outbox_id INTEGER NOT NULL REFERENCES outbox(id), "
        "at TEXT NOT NULL, action TEXT NOT NULL CHECK (action IN ('retry', 'drop')), "
        "from_state TEXT NOT NULL)")


def _m9_reader_history(db: sqlite3.Connection) -> None:
    # What each reader already has, beyond articles: the summary sentences they were sent
    # (by summarize.sentence_key), so an update repeats none of them. An email's keys travel
    # with its outbox row (story id -> keys, JSON) and become sent_sentences rows when it is
    # sent, like sent_articles. A named Markdown briefing (brief --since-last) keeps the same
    # record of what it showed, and when.
    run_script(
        db,
        """
        ALTER TABLE outbox ADD COLUMN sentences TEXT NOT NULL DEFAULT '{}';
        CREATE TABLE sent_sentences (
            recipient TEXT NOT NULL, story_id TEXT NOT NULL, sentence_key TEXT NOT NULL,
            outbox_id INTEGER NOT NULL REFERENCES outbox(id), sent_at TEXT NOT NULL,
            PRIMARY KEY (recipient, story_id, sentence_key)) WITHOUT ROWID;
        CREATE TABLE briefings (name TEXT PRIMARY KEY, produced_at TEXT NOT NULL);
        CREATE TABLE briefing_articles (
            name TEXT NOT NULL, article_id TEXT NOT NULL, story_id TEXT NOT NULL,
            shown_at TEXT NOT NULL, PRIMARY KEY (name, article_id)) WITHOUT ROWID;
        CREATE TABLE briefing_sentences (
            name TEXT NOT NULL, story_id TEXT NOT NULL, sentence_key TEXT NOT NULL,
            PRIMARY KEY (name, story_id, sentence_key)) WITHOUT ROWID;
        """
    )


def _m10_file_attempts(db: sqlite3.Connection) -> None:
    # Failed reads of a file in a row (permissions, vanished): the retry backoff (ingest.retry_due).
    db.execute("ALTER TABLE files ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0")


def _m11_scans(db: sqlite3.Connection) -> None:
    # One row per finished scan of the sources: what `digest status` reports as the last scan.
    db.execute("CREATE TABLE scans (finished_at TEXT NOT NULL, files_read INTEGER NOT NULL, "
               "new_articles INTEGER NOT NULL, unchanged INTEGER NOT NULL, "
               "warnings INTEGER NOT NULL)")


# Ordered: a migration's position is its version. Append, never reorder.
MIGRATIONS: list[Callable[[sqlite3.Connection], None]] = [
    _m1_core, _m2_outbox, _m3_term_counts, _m4_story_entities, _m5_story_probe,
    _m6_headline_terms, _m7_story_centroids, _m8_outbox_operator, _m9_reader_history,
    _m10_file_attempts, _m11_scans]
BUSY_SECONDS = 60  # how long to wait for another digest's write lock (a batch holds it ~2 s)
PROBE_TERMS = 30  # an article's strongest terms that look up candidate stories
PROBE_MAX_ARTICLES = 2000  # a term carried by more articles than this is too common to probe with
PROBE_STORIES = 12  # stories re-scored on the article's whole vector
STORY_PROBE_TERMS = 80  # a story is found through its strongest centroid terms
# Centroids of the stories articles recently joined, kept in memory: a follow-up usually
# joins a recent story, and scoring or growing a cached centroid needs no query. At 100,000
# articles a centroid averages ~390 terms (~40 KB in memory): 3,000 of them ~130 MB, and a
# third of the loads that 1,500 needed.
CACHED_STORIES = 3000
CACHED_TERM_COUNTS = 200_000
# What an article taken out of a story leaves of a term or name it alone brought: float rounding
# of the sums (names are stored rounded to 4 decimals), dropped rather than kept as a trace.
WEIGHT_RESIDUE = 1e-9
NAME_RESIDUE = 1e-3
# story_probe postings of the terms looked up, kept in memory with every story's norm
# (probe_cache.py): each article's probe is then summed in memory instead of queried (about
# 100 bytes a posting with its slot; 100,000 articles make about 800,000).
CACHED_PROBE_POSTINGS = 1_000_000
_ZEROS = itertools.repeat(0.0)


class ScanRecord(NamedTuple):
    """The last finished scan of the sources, as `digest status` shows it."""

    finished_at: datetime
    files_read: int
    new_articles: int
    unchanged: int
    warnings: int


class FileState(NamedTuple):
    """What the files ledger knows of a path (the path as ingest.path_text gives it)."""

    file_hash: str
    size: int
    mtime: float
    error: str | None  # why it could not be taken in, else None
    seen_at: datetime  # the last time it was read (or tried), naive UTC
    attempts: int  # failed reads in a row, for the retry backoff; 0 for any other outcome


class _Centroid:
    """A story's centroid as stored: term weights (a sum of unit vectors), norm, articles, names."""

    __slots__ = ("dirty", "entities", "last_date", "norm", "probe", "size", "updated_at",
                 "weights")

    def __init__(self, weights: dict[str, float], norm: float, size: int,
                 entities: dict[str, float], probe: set[str]) -> None:
        self.weights, self.norm, self.size, self.entities = weights, norm, size, entities
        self.probe = probe  # the terms it has in story_probe (once pending rows are written)
        # Changed since written to story_centroids and the stories row; what the row takes
        # then besides norm and names: the last update's time and the latest article date.
        self.dirty = False
        self.updated_at = ""
        self.last_date = ""


class Store:
    """The one SQLite file holding digest's state."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        # Another digest may hold the write lock (its batch of files): wait for it.
        self.db = sqlite3.connect(path, timeout=BUSY_SECONDS, isolation_level=None)
        self.db.row_factory = sqlite3.Row
        self._use_wal()
        self.db.execute("PRAGMA synchronous=NORMAL")
        # Many small transactions (a batch of files each): checkpoint the WAL (an fsync) less
        # often than every few commits, and keep the hot index pages in memory.
        self.db.execute("PRAGMA wal_autocheckpoint=20000")
        self.db.execute("PRAGMA cache_size=-65536")
        self.db.execute("PRAGMA foreign_keys=ON")
        # In-memory copies of index rows, valid while no other connection writes: checked at
        # each BEGIN through data_version, dropped on ROLLBACK.
        self._centroids: OrderedDict[str, _Centroid] = OrderedDict()
        self._term_counts: dict[str, int] = {}
        # Term count increments of the open transaction, written once at COMMIT: a batch's
        # articles share most of their terms, so this is a fraction of the rows.
        self._pending_counts: dict[str, int] = {}
        self._probe = ProbeCache()  # story_probe rows of the terms looked up, every story's norm
        # story_probe rows changed by the open transaction, written once at COMMIT (a story
        # joined by several articles of a batch rewrites its top terms once): story -> {term:
        # weight, or None for a row to delete}, and the same keyed by term, to patch rows read.
        self._probe_pending: dict[str, dict[str, float | None]] = {}
        self._probe_pending_terms: dict[str, set[str]] = {}
        self._data_version = self._read_data_version()
        self._migrate()

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _use_wal(self) -> None:
        """Put the file in WAL mode (once per file: the mode is kept in it).

        Switching needs the file to itself, and SQLite answers "database is locked" at once,
        without waiting, when another connection opening the new file holds it: wait here.
        """
        deadline = time.monotonic() + BUSY_SECONDS
        while True:
            try:
                if self.db.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                    self.db.execute("PRAGMA journal_mode=WAL")
                return
            except sqlite3.OperationalError as e:
                if "locked" not in str(e) or time.monotonic() > deadline:
                    raise
                time.sleep(0.02)

    def _migrate(self) -> None:
        """Run the migrations this file lacks, all in one exclusive transaction.

        Two digests opening a new file at once: the second waits for the lock, then finds the
        migrations done (it reads them again inside its transaction) and runs none.
        """
        if self._migrations_done() >= set(range(1, len(MIGRATIONS) + 1)):
            return  # migrations are only appended: nothing to write, no lock needed
        self.db.execute("BEGIN EXCLUSIVE")
        try:
            self.db.execute(
                "CREATE TABLE IF NOT EXISTS migrations (version INTEGER PRIMARY KEY, name TEXT)")
            done = self._migrations_done()
            for version, migration in enumerate(MIGRATIONS, start=1):
                if version not in done:
                    migration(self.db)
                    self.db.execute("INSERT INTO migrations VALUES (?, ?)",
                                    (version, migration.__name__))
            self.db.execute("COMMIT")
        except BaseException:
            self.rollback()
            raise

    def _migrations_done(self) -> set[int]:
        try:
            return {r[0] for r in self.db.execute("SELECT version FROM migrations")}
        except sqlite3.OperationalError:  # a new file: no migrations table yet
            return set()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        self.begin()
        try:
            yield self.db
        except BaseException:
            self.rollback()
            raise
        self.commit()

    def begin(self) -> None:
        """Open a write transaction; drop the in-memory index rows if another process wrote."""
        self.db.execute("BEGIN IMMEDIATE")
        version = self._read_data_version()
        if version != self._data_version:
            self.release_memory()
            self._data_version = version

    def commit(self) -> None:
        try:
            self._flush_counts()
            self._flush_centroids()
            self._flush_probe()
            self.db.execute("COMMIT")
        except BaseException:
            # Disk full, I/O error: nothing of the transaction is kept, in the file or in memory.
            self.rollback()
            raise

    def rollback(self) -> None:
        if self.db.in_transaction:  # a failed COMMIT may have ended it already
            self.db.execute("ROLLBACK")
        self._pending_counts.clear()
        self._probe_pending.clear()
        self._probe_pending_terms.clear()
        self.release_memory()

    def _flush_counts(self) -> None:
        if self._pending_counts:
            changed = sorted((t, n) for t, n in self._pending_counts.items() if n)
            self.db.executemany(
                "INSERT INTO term_counts VALUES (?, ?) ON CONFLICT(term) "
                "DO UPDATE SET articles = articles + excluded.articles", changed)
            # Articles taken out (a changed file): a term no stored article carries has no row.
            self.db.executemany("DELETE FROM term_counts WHERE term = ? AND articles <= 0",
                                [(t,) for t, n in changed if n < 0])
            self._pending_counts.clear()

    def _flush_centroids(self) -> None:
        dirty = [(sid, c) for sid, c in self._centroids.items() if c.dirty]
        for sid, centroid in dirty:
            self._write_centroid(sid, centroid)

    def _keep_changes(self, story_id: str, centroid: _Centroid) -> None:
        """Before a centroid leaves memory: write it if it changed."""
        if centroid.dirty:
            self._write_centroid(story_id, centroid)

    def _write_centroid(self, story_id: str, centroid: _Centroid) -> None:
        self.db.execute("INSERT OR REPLACE INTO story_centroids VALUES (?, ?)",
                        (story_id, _dumps(centroid.weights)))
        self.db.execute(
            "UPDATE stories SET norm = ?, updated_at = ?, entities = ?, "
            "last_date = CASE WHEN ? > COALESCE(last_date, '') THEN ? ELSE last_date END "
            "WHERE id = ?",
            (centroid.norm, centroid.updated_at,
             _dumps(centroid.entities),
             centroid.last_date, centroid.last_date, story_id))
        centroid.dirty = False
        centroid.last_date = ""

    def _flush_probe(self) -> None:
        pending = self._probe_pending
        if not pending:
            return
        rows = sorted((t, sid, w) for sid, terms in pending.items() for t, w in terms.items())
        self.db.executemany("DELETE FROM story_probe WHERE term = ? AND story_id = ?",
                            [(t, sid) for t, sid, w in rows if w is None])
        self.db.executemany("INSERT OR REPLACE INTO story_probe VALUES (?, ?, ?)",
                            [row for row in rows if row[2] is not None])
        pending.clear()
        self._probe_pending_terms.clear()

    def _read_data_version(self) -> int:
        # Changes when another connection commits (never for this connection's own commits).
        return int(self.db.execute("PRAGMA data_version").fetchone()[0])

    def release_memory(self) -> None:
        """Drop the in-memory index rows (stale, or after a big ingest: summaries need the room).

        Never with changes still to write: those exist only inside a transaction, and COMMIT
        writes them, ROLLBACK drops them.
        """
        self._centroids.clear()
        self._term_counts.clear()
        self._forget_probe()

    def _forget_probe(self) -> None:
        self._probe = ProbeCache()

    # -- files -------------------------------------------------------------
    def file_state(self, path: str) -> FileState | None:
        row = self.db.execute(
            "SELECT file_hash, size, mtime, error, seen_at, attempts FROM files WHERE path = ?", (path,)
        ).fetchone()
        return FileState(row[0], row[1], row[2], row[3], datetime.fromisoformat(row[4]),
                         row[5]) if row else None

    def record_scan(self, finished_at: datetime, files_read: int, new_articles: int,
                    unchanged: int, warnings: int) -> None:
        """A scan of the sources finished (its own transaction); the last 100 are kept."""
        with self.transaction() as db:
            db.execute("INSERT INTO scans VALUES (?, ?, ?, ?, ?)",
                       (finished_at.isoformat(), files_read, new_articles, unchanged, warnings))
            db.execute("DELETE FROM scans WHERE rowid <= (SELECT MAX(rowid) FROM scans) - 100")

    def last_scan(self) -> ScanRecord | None:
        row = self.db.execute("SELECT * FROM scans ORDER BY rowid DESC LIMIT 1").fetchone()
        return ScanRecord(datetime.fromisoformat(row[0]), *row[1:]) if row else None

    def record_file(self, path: str, file_hash: str, size: int, mtime: float,
                    error: str | None, now: datetime, attempts: int = 0) -> None:
        self.db.execute(
            "INSERT INTO files VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(path) DO UPDATE SET "
            "file_hash=excluded.file_hash, size=excluded.size, mtime=excluded.mtime, "
            "error=excluded.error, seen_at=excluded.seen_at, attempts=excluded.attempts",
            (path, file_hash, size, mtime, error, now.isoformat(), attempts),
        )

    def articles_of(self, path: str) -> list[Article]:
        """The articles a file gave (entries of a feed and split-off articles included)."""
        # A range on the indexed path column finds "path" and "path#N" without a table scan.
        rows = self.db.execute(
            f"SELECT {ARTICLE_COLUMNS} FROM articles WHERE path = ? OR (path >= ? AND path < ?) "
            "ORDER BY rowid", (path, path + "#", path + "$"))
        return [article_from_row(r) for r in rows]

    # -- articles ----------------------------------------------------------
    def has_article(self, article_id: str) -> bool:
        return self.db.execute("SELECT 1 FROM articles WHERE id = ?", (article_id,)).fetchone() is not None

    def add_article(self, article: Article, story_id: str, duplicate_of: str | None,
                    features: Features) -> None:
        self.db.execute(
            "INSERT INTO articles VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (article.id, article.path, article.title, article.outlet,
             article.date.isoformat() if article.date else None, article.author, article.url,
             article.text, json.dumps(list(article.captions)),
             (article.ingested_at or datetime.now()).isoformat(), story_id, duplicate_of,
             # Floats in shortest round-trip form: read back bit for bit, so a headline chosen
             # on them is the one chosen on the text.
             _dumps(features.headline_terms)),
        )
        self.db.executemany(
            "INSERT OR IGNORE INTO lead_hashes VALUES (?, ?)",
            [(h, article.id) for h in features.lead_hashes])

    def update_article(self, article: Article) -> None:
        """New metadata for a stored article whose title and text did not change (so neither
        did its vectors): it stays in its story."""
        self.db.execute(
            "UPDATE articles SET path = ?, outlet = ?, date = ?, author = ?, url = ?, captions = ? "
            "WHERE id = ?",
            (article.path, article.outlet, article.date.isoformat() if article.date else None,
             article.author, article.url, json.dumps(list(article.captions)), article.id))
        story = self.story_of_article(article.id)
        if story is not None:
            self._set_last_date(story)

    def remove_article(self, article_id: str) -> list[str]:
        """Delete an article's rows (after remove_from_story took it out of its story).

        Returns the articles marked as copies of it: they are not copies of a stored article any
        more (cluster.unplace looks for what they copy again).
        """
        story = self.story_of_article(article_id)
        self.db.execute("DELETE FROM lead_hashes WHERE article_id = ?", (article_id,))
        self.db.execute("DELETE FROM articles WHERE id = ?", (article_id,))
        copies = [r[0] for r in self.db.execute(
            "SELECT id FROM articles WHERE duplicate_of = ?", (article_id,))]
        self.db.execute("UPDATE articles SET duplicate_of = NULL WHERE duplicate_of = ?",
                        (article_id,))
        if story is not None:
            self._set_last_date(story)
        return copies

    def set_duplicate_of(self, article_id: str, original: str | None) -> None:
        self.db.execute("UPDATE articles SET duplicate_of = ? WHERE id = ?", (original, article_id))

    def lead_hashes_of(self, article_id: str) -> list[str]:
        return [r[0] for r in self.db.execute(
            "SELECT hash FROM lead_hashes WHERE article_id = ? ORDER BY hash", (article_id,))]

    def _set_last_date(self, story_id: str) -> None:
        """A story's latest article date from its articles' rows (when one left or was redated:
        the row written at COMMIT only ever raises it, so what is pending is dropped here)."""
        self.db.execute(
            "UPDATE stories SET last_date = (SELECT MAX(date) FROM articles WHERE story_id = ?) "
            "WHERE id = ?", (story_id, story_id))
        cached = self._centroids.get(story_id)
        if cached is not None:
            cached.last_date = ""

    def lead_matches(self, hashes: list[str]) -> list[tuple[str, int]]:
        """Articles sharing lead-sentence hashes with these, most shared first."""
        if not hashes:
            return []
        rows = self.db.execute(
            f"SELECT article_id, COUNT(*) n FROM lead_hashes WHERE hash IN ({_marks(hashes)}) "
            "GROUP BY article_id ORDER BY n DESC LIMIT 5", hashes)
        return [(r[0], r[1]) for r in rows]

    def story_of_article(self, article_id: str) -> str | None:
        row = self.db.execute("SELECT story_id FROM articles WHERE id = ?", (article_id,)).fetchone()
        return row[0] if row else None

    def story_sizes(self, story_ids: list[str]) -> dict[str, int]:
        """Number of articles of each of these stories."""
        return {sid: size for sid, (size, _) in self.story_shapes(story_ids).items()}

    def story_shapes(self, story_ids: list[str]) -> dict[str, tuple[int, float]]:
        """(articles, centroid norm) of each of these stories."""
        shapes = {sid: (self._centroids[sid].size, self._centroids[sid].norm)
                  for sid in story_ids if sid in self._centroids}
        rest = [sid for sid in story_ids if sid not in shapes]
        if rest:
            rows = self.db.execute(
                "SELECT s.id, COUNT(a.id), s.norm FROM stories s JOIN articles a ON a.story_id = s.id "
                f"WHERE s.id IN ({_marks(rest)}) GROUP BY s.id", rest)
            shapes.update((r[0], (r[1], r[2])) for r in rows)
        return shapes

    def story_entities(self, story_ids: list[str]) -> dict[str, dict[str, float]]:
        """The summed entity vector of each of these stories."""
        found = {sid: self._centroids[sid].entities for sid in story_ids if sid in self._centroids}
        rest = [sid for sid in story_ids if sid not in found]
        if rest:
            rows = self.db.execute(
                f"SELECT id, entities FROM stories WHERE id IN ({_marks(rest)})", rest)
            found.update((r[0], orjson.loads(r[1])) for r in rows)
        return found

    def story_last_dates(self, story_ids: list[str]) -> dict[str, datetime]:
        """The newest article date of each of these stories that has a dated article."""
        rows = self.db.execute(
            f"SELECT id, last_date FROM stories WHERE id IN ({_marks(story_ids)})", story_ids)
        found: dict[str, datetime] = {}
        for sid, stored in rows:
            cached = self._centroids.get(sid)  # a later date may wait for COMMIT
            newest = max(stored or "", cached.last_date if cached else "")
            if newest:
                found[sid] = datetime.fromisoformat(newest)
        return found

    def headline_terms(self, story_ids: list[str]) -> dict[str, dict[str, float]]:
        """Features.headline_terms of these stories' articles (by article id), where stored."""
        rows = self.db.execute(
            "SELECT id, headline_terms FROM articles WHERE headline_terms IS NOT NULL "
            f"AND story_id IN ({_marks(story_ids)})", story_ids)
        return {r[0]: orjson.loads(r[1]) for r in rows}

    def duplicates(self) -> dict[str, str]:
        rows = self.db.execute("SELECT id, duplicate_of FROM articles WHERE duplicate_of IS NOT NULL")
        return {r[0]: r[1] for r in rows}

    def article_count(self) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM articles").fetchone()[0])

    # -- story index (cluster.StoryIndex protocol) -------------------------
    def candidates(self, vector: dict[str, float], limit: int = 20) -> list[tuple[str, float]]:
        """Stories sharing terms with vector, by cosine similarity, best first.

        The article's strongest terms that are not common in the store find the
        candidate stories (bounded work however large the store grows); the best
        of them are then scored on the whole vector.
        """
        if not vector:
            return []
        terms = list(vector)
        counts = self._counts(terms)
        # Strongest first, equal weights by term (a stable sort by weight of the sorted terms).
        probes = [t for t in sorted(sorted(terms), key=vector.__getitem__, reverse=True)
                  if counts.get(t, 0) <= PROBE_MAX_ARTICLES][:PROBE_TERMS]
        if not probes:
            return []
        found = self._probe_stories(vector, probes)
        if not found:
            return []
        norm = math.sqrt(sum(w * w for w in vector.values())) or 1.0
        scored: list[tuple[str, float]] = []
        values = list(vector.values())
        for sid, _ in found:
            centroid = self._centroid(sid)
            # In the vector's order (not a set's): the same sums, to the last bit, on every run.
            # A term the story lacks adds 0.0, which leaves a sum as it is.
            dot = sum(map(operator.mul, values, map(centroid.weights.get, terms, _ZEROS)))
            scored.append((sid, dot / max(centroid.norm, 1e-9) / norm))
        scored.sort(key=lambda x: (-x[1], x[0]))
        return scored[:limit]

    def _probe_stories(self, vector: dict[str, float], probes: list[str]) -> list[tuple[str, float]]:
        """The PROBE_STORIES stories best matching the vector on their story_probe terms."""
        self._hold_postings(probes)
        self._load_norms()
        return self._probe.best(vector, probes, PROBE_STORIES)

    def _hold_postings(self, terms: list[str]) -> None:
        """Hold the story_probe rows of these terms in memory (the missing ones in one query)."""
        missing = [t for t in terms if t not in self._probe]
        if not missing:
            return
        if self._probe.size > CACHED_PROBE_POSTINGS:
            self._probe.forget_postings()
            missing = terms
        rows: dict[str, list[tuple[str, float]]] = {t: [] for t in missing}
        for term, sid, weight in self.db.execute(
                "SELECT term, story_id, weight FROM story_probe "
                f"WHERE term IN ({_marks(missing)})", missing):
            rows[term].append((sid, weight))
        for t in missing:
            self._probe.add_term(t, rows[t])
            # Rows this transaction changed are not written yet: patch them in.
            for sid in self._probe_pending_terms.get(t, ()):
                self._probe.set_posting(t, sid, self._probe_pending[sid][t])

    def _load_norms(self) -> None:
        if not self._probe.norms_loaded:
            self._probe.load_norms(self.db.execute("SELECT id, norm FROM stories"))
            # A changed story's row is written at COMMIT: its norm in memory is the current one.
            for sid, c in self._centroids.items():
                self._probe.set_norm(sid, c.norm)

    def _counts(self, terms: list[str]) -> dict[str, int]:
        """How many stored articles carry each term (cached; absent terms count 0)."""
        known = self._term_counts
        missing = [t for t in terms if t not in known]
        if missing:
            if len(known) + len(missing) > CACHED_TERM_COUNTS:
                known.clear()
                missing = terms
            rows = dict(self.db.execute(
                f"SELECT term, articles FROM term_counts WHERE term IN ({_marks(missing)})",
                missing).fetchall())
            pending = self._pending_counts
            for t in missing:
                known[t] = rows.get(t, 0) + pending.get(t, 0)
        return {t: known[t] for t in terms}

    def _centroid(self, story_id: str) -> _Centroid:
        """The story's centroid, from memory or loaded (and then kept, most recent last)."""
        cached = self._centroids.get(story_id)
        if cached is not None:
            self._centroids.move_to_end(story_id)
            return cached
        stored = self.db.execute("SELECT weights FROM story_centroids WHERE story_id = ?",
                                 (story_id,)).fetchone()
        weights = orjson.loads(stored[0]) if stored else {}
        row = self.db.execute("SELECT norm, entities FROM stories WHERE id = ?", (story_id,)).fetchone()
        size = self.db.execute("SELECT COUNT(*) FROM articles WHERE story_id = ?",
                               (story_id,)).fetchone()[0]
        probe = {r[0] for r in self.db.execute(
            "SELECT term FROM story_probe WHERE story_id = ?", (story_id,))}
        for t, weight in self._probe_pending.get(story_id, {}).items():  # not written yet
            if weight is None:
                probe.discard(t)
            else:
                probe.add(t)
        cached = _Centroid(weights, row[0] if row else 0.0, int(size),
                           orjson.loads(row[1]) if row else {}, probe)
        self._centroids[story_id] = cached
        self._evict()
        return cached

    def _evict(self) -> None:
        """Keep CACHED_STORIES centroids, dropping the least recently used (written first if changed)."""
        while len(self._centroids) > CACHED_STORIES:
            self._keep_changes(*self._centroids.popitem(last=False))

    def create_story(self, story_id: str, title: str, features: Features,
                     now: datetime, last_date: datetime | None) -> None:
        created = self.db.execute(
            "INSERT OR IGNORE INTO stories (id, title, norm, created_at, updated_at, last_date) "
            "VALUES (?, ?, 0, ?, ?, ?)",
            (story_id, title, now.isoformat(), now.isoformat(),
             last_date.isoformat() if last_date else None),
        ).rowcount
        if created:
            self._centroids[story_id] = _Centroid({}, 0.0, 0, {}, set())
            self._evict()
        self.add_to_story(story_id, features, now, last_date)

    def add_to_story(self, story_id: str, features: Features, now: datetime,
                     last_date: datetime | None) -> None:
        """Add one article's vectors to the story's centroid (the article row follows)."""
        vector = features.vector
        centroid = self._centroid(story_id)
        for t, w in features.entities.items():
            # Rounded as stored (the weights only decide a veto): memory and file agree exactly.
            centroid.entities[t] = round(centroid.entities.get(t, 0.0) + w, 4)
        weights = centroid.weights
        # |c + v|^2 = |c|^2 + sum over v's terms of (2 c_t + v_t) v_t.
        norm_sq = centroid.norm ** 2 + sum((2.0 * weights.get(t, 0.0) + w) * w for t, w in vector.items())
        for t, w in vector.items():
            weights[t] = weights.get(t, 0.0) + w
        centroid.norm = math.sqrt(max(norm_sq, 0.0))
        centroid.size += 1
        self._probe.set_norm(story_id, centroid.norm)  # if the norms are held
        centroid.dirty = True  # written at COMMIT (or when evicted from memory)
        centroid.updated_at = now.isoformat()
        centroid.last_date = max(centroid.last_date, _iso(last_date))
        counts, pending = self._term_counts, self._pending_counts
        for t in vector:
            pending[t] = pending.get(t, 0) + 1
            if t in counts:
                counts[t] += 1
        self._update_probe(story_id, centroid, vector)
        if not self.db.in_transaction:  # autocommit: no COMMIT will come to write them
            self._flush_counts()
            self._write_centroid(story_id, centroid)
            self._flush_probe()

    def remove_from_story(self, story_id: str, features: Features, now: datetime) -> None:
        """Take one article's vectors out of its story's centroid (the inverse of add_to_story;
        remove_article deletes its row after). A story left without articles is deleted."""
        vector = features.vector
        centroid = self._centroid(story_id)
        counts, pending = self._term_counts, self._pending_counts
        for t in vector:
            pending[t] = pending.get(t, 0) - 1
            if t in counts:
                counts[t] -= 1
        centroid.size -= 1
        if centroid.size <= 0:
            self._delete_story(story_id, centroid)
            return
        for t, w in features.entities.items():
            left = round(centroid.entities.get(t, 0.0) - w, 4)
            if left > NAME_RESIDUE:
                centroid.entities[t] = left
            else:  # the article brought the name, or rounding left a trace of it
                centroid.entities.pop(t, None)
        weights = centroid.weights
        for t, w in vector.items():
            left = weights.get(t, 0.0) - w
            if left > WEIGHT_RESIDUE:
                weights[t] = left
            else:  # only this article carried the term: what is left is rounding
                weights.pop(t, None)
        # Summed afresh, not |c|^2 - ...: a difference of squares would keep the rounding.
        centroid.norm = math.sqrt(sum(w * w for w in weights.values()))
        self._probe.set_norm(story_id, centroid.norm)
        centroid.dirty = True
        centroid.updated_at = now.isoformat()
        # Weights fell: a term outside the top may now outrank one in it, so the top is chosen
        # again from the whole centroid (rare: only when a changed file is re-read).
        top = set(heapq.nsmallest(STORY_PROBE_TERMS, weights, key=lambda t: (-weights[t], t)))
        self._set_probe(story_id, centroid, top, vector)
        if not self.db.in_transaction:
            self._flush_counts()
            self._write_centroid(story_id, centroid)
            self._flush_probe()

    def _delete_story(self, story_id: str, centroid: _Centroid) -> None:
        """Drop a story that lost its last article, from the file and from memory."""
        for t in centroid.probe:
            if t in self._probe:
                self._probe.set_posting(t, story_id, None)
        for t in self._probe_pending.pop(story_id, {}):  # no rows to write for it any more
            self._probe_pending_terms[t].discard(story_id)
        self._probe.set_norm(story_id, math.nan)  # not in the index: never a candidate
        self._centroids.pop(story_id, None)
        self.db.execute("DELETE FROM story_centroids WHERE story_id = ?", (story_id,))
        self.db.execute("DELETE FROM story_probe WHERE story_id = ?", (story_id,))
        self.db.execute("DELETE FROM stories WHERE id = ?", (story_id,))
        if not self.db.in_transaction:
            self._flush_counts()

    def _update_probe(self, story_id: str, centroid: _Centroid, vector: dict[str, float]) -> None:
        """Keep the story's strongest terms in story_probe, with their current weights."""
        weights = centroid.weights
        top = centroid.probe
        if len(top) < STORY_PROBE_TERMS or self._enters_probe(weights, top, vector):
            # Weights only grow, and only the article's terms grew: a term neither in the top
            # nor in the article still ranks below every term of the top, so the new top is
            # the best of those two sets (at most 180 terms, not the whole centroid).
            contenders = top.union(vector)
            top = set(heapq.nsmallest(STORY_PROBE_TERMS, contenders,
                                      key=lambda t: (-weights[t], t)))
        self._set_probe(story_id, centroid, top, vector)

    def _set_probe(self, story_id: str, centroid: _Centroid, top: set[str],
                   vector: dict[str, float]) -> None:
        """Make `top` the story's story_probe terms; only the vector's terms changed weight."""
        weights = centroid.weights
        changes: list[tuple[str, float | None]] = [(t, None) for t in centroid.probe - top]
        changes += [(t, weights[t]) for t in top if t in vector or t not in centroid.probe]
        pending = self._probe_pending.setdefault(story_id, {})
        by_term, probe = self._probe_pending_terms, self._probe
        for t, weight in changes:
            pending[t] = weight  # the row to write at COMMIT
            by_term.setdefault(t, set()).add(story_id)
            if t in probe:  # and where it is held in memory
                probe.set_posting(t, story_id, weight)
        centroid.probe = top

    @staticmethod
    def _enters_probe(weights: dict[str, float], top: set[str], vector: dict[str, float]) -> bool:
        """Whether one of the article's terms now outranks the weakest of the story's top terms
        (weights only grow, so nothing else can change the top)."""
        weakest = max((-weights[t], t) for t in top)
        return any((-weights[t], t) < weakest for t in vector if t not in top)

    # -- reading stories ---------------------------------------------------
    def stories(self, *, since: datetime | None = None,
                story_ids: Iterable[str] | None = None) -> list[Story]:
        """Stories with their articles (only articles dated/ingested since `since`)."""
        titles = {r["id"]: r["title"] for r in self.db.execute("SELECT id, title FROM stories")}
        # The columns an Article has (not the headline terms), row by row: at 100,000 articles
        # every row at once would double the peak memory of a run.
        rows = self.db.execute(
            f"SELECT {ARTICLE_COLUMNS}, story_id FROM articles "
            # An undated article takes its place by when digest received it.
            "ORDER BY COALESCE(date, ingested_at), path")
        wanted = set(story_ids) if story_ids is not None else None
        by_story: dict[str, list[Article]] = {}
        for row in rows:
            if wanted is not None and row["story_id"] not in wanted:
                continue
            article = article_from_row(row)
            if since is not None and (article.date or article.ingested_at or since) < since:
                continue
            by_story.setdefault(row["story_id"], []).append(article)
        return [Story(sid, titles.get(sid, arts[0].title), tuple(arts)) for sid, arts in by_story.items()]

    def stories_taken_in_since(self, since: datetime) -> set[str]:
        """Ids of the stories with an article digest took in at or after `since`."""
        return {r[0] for r in self.db.execute(
            "SELECT DISTINCT story_id FROM articles WHERE ingested_at >= ?", (since.isoformat(),))}

    def set_story_title(self, story_id: str, title: str) -> None:
        self.db.execute("UPDATE stories SET title = ? WHERE id = ?", (title, story_id))

    def story_of(self) -> dict[str, str]:
        return {r[0]: r[1] for r in self.db.execute("SELECT id, story_id FROM articles")}


def _marks(values: list[str]) -> str:
    """The placeholders of an IN (...) list of these values."""
    return ",".join("?" * len(values))


def _dumps(weights: dict[str, float]) -> str:
    """Term weights as JSON. orjson, not json: a big story's centroid (thousands of terms) is
    written at every COMMIT that touched it and read back when it left memory; orjson does it
    several times faster, and its floats read back bit for bit, like json's."""
    return orjson.dumps(weights).decode()


def _iso(d: datetime | None) -> str:
    return d.isoformat() if d else ""


ARTICLE_COLUMNS = "id, path, title, outlet, date, author, url, text, captions, ingested_at"


def article_from_row(row: sqlite3.Row) -> Article:
    return Article(
        id=row["id"], path=row["path"], title=row["title"], outlet=row["outlet"],
        date=datetime.fromisoformat(row["date"]) if row["date"] else None,
        author=row["author"], url=row["url"], text=row["text"],
        captions=tuple(json.loads(row["captions"])),
        ingested_at=datetime.fromisoformat(row["ingested_at"]),
    )
