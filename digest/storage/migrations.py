"""The schema, as ordered migrations grouped by the repository that owns their tables.

A migration's position in MIGRATIONS is its version, recorded with its name in the file's
`migrations` table: append, never reorder or edit one that shipped (a state file written by
an older digest is brought up to date by running only the versions it lacks). The SQL here
is SQLite's; docs/storage.md lists what a second backend would write differently.
"""

from __future__ import annotations

import itertools
import json
import sqlite3

from digest.storage.db import Migration, run_script

# -- the story index and its articles (files seen, articles, stories, centroids, postings) ---

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
    # story whose names do not meet an article's is not joined (cluster.ENTITY_MIN).
    # Stories stored before have none, and are simply not vetoed.
    db.execute("ALTER TABLE stories ADD COLUMN entities TEXT NOT NULL DEFAULT '{}'")


def _m5_story_probe(db: sqlite3.Connection) -> None:
    # Each story's strongest centroid terms only: candidate stories are looked up here (a few
    # postings per story instead of hundreds), then scored on their whole centroids.
    # 80: the value of the story's probe size (cluster.STORY_PROBE_TERMS) when this migration
    # was written; a migration never follows a tuning constant.
    run_script(
        db,
        """
        CREATE TABLE story_probe (
            term TEXT NOT NULL, story_id TEXT NOT NULL, weight REAL NOT NULL,
            PRIMARY KEY (term, story_id)) WITHOUT ROWID;
        CREATE INDEX story_probe_story ON story_probe(story_id);
        INSERT INTO story_probe SELECT term, story_id, weight FROM (
            SELECT term, story_id, weight, ROW_NUMBER() OVER (
                PARTITION BY story_id ORDER BY weight DESC, term) AS n FROM story_terms)
        WHERE n <= 80;
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


# -- the files ledger ----------------------------------------------------------------------

def _m10_file_attempts(db: sqlite3.Connection) -> None:
    # Failed reads of a file in a row (permissions, vanished): the retry backoff (ingest.retry_due).
    db.execute("ALTER TABLE files ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0")


def _m15_file_reader(db: sqlite3.Connection) -> None:
    # Which version of the article reader (extract.READER_VERSION) last read each file: a
    # newer digest reads an unchanged file again once, for what its reader now finds in it
    # (outlets, dates, bylines; see pipeline.ingesting._refresh_articles). Rows from before
    # this column are 0: read by a reader older than any numbered one.
    db.execute("ALTER TABLE files ADD COLUMN reader INTEGER NOT NULL DEFAULT 0")


# -- scans ---------------------------------------------------------------------------------

def _m11_scans(db: sqlite3.Connection) -> None:
    # One row per finished scan of the sources: what `digest status` reports as the last scan.
    db.execute("CREATE TABLE scans (finished_at TEXT NOT NULL, files_read INTEGER NOT NULL, "
               "new_articles INTEGER NOT NULL, unchanged INTEGER NOT NULL, "
               "warnings INTEGER NOT NULL)")


# -- the send ledger and outbox (digest/outbox.py) -----------------------------------------

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


def _m13_outbox_leases(db: sqlite3.Connection) -> None:
    """Email digests: each message claimed by one worker under a lease (several workers
    deliver one run; see digest/email/outbox.py). `claimed_by` names the worker that moved
    the message to `sending` (kept afterwards: who sent it); `lease_until` (naive UTC) is
    when another worker may take it over if that one has not moved it on. Two indexes for a
    run of thousands: claims walk the queued messages in id order (state, id), and queuing
    a message looks up the recipient's others (digest, lower(recipient))."""
    run_script(
        db,
        """
        ALTER TABLE outbox ADD COLUMN claimed_by TEXT;
        ALTER TABLE outbox ADD COLUMN lease_until TEXT;
        CREATE INDEX outbox_claim ON outbox(state, id);
        CREATE INDEX outbox_recipient ON outbox(digest, lower(recipient));
        """
    )


# -- what each reader has (the ledger's sent sentences, named briefings) -------------------

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


# -- feeds over HTTP (feeds.py) --------------------------------------------------------------
def _m12_feeds(db: sqlite3.Connection) -> None:
    """Feeds over HTTP: one row per feed URL, one per entry taken in (see feeds.py)."""
    for statement in (
        # url: the feed as configured or added (the key); fetch_url: where it is fetched now,
        # after permanent redirects. subscribed: added by `digest feeds add|import` (feeds of
        # the config file are listed there; their rows only hold fetch state).
        """CREATE TABLE feeds (
            url TEXT PRIMARY KEY, fetch_url TEXT NOT NULL, subscribed INTEGER NOT NULL DEFAULT 0,
            name TEXT, title TEXT, etag TEXT, last_modified TEXT, last_fetch_at TEXT,
            status TEXT, error TEXT, failures INTEGER NOT NULL DEFAULT 0, next_fetch_at TEXT)""",
        # entry_key: a hash of the entry's identity (GUID, else link, else title and date);
        # content_hash: of what the feed says of it, to notice a changed entry; path: the
        # articles' path (their key in the articles table, like a file's).
        """CREATE TABLE feed_entries (
            feed_url TEXT NOT NULL, entry_key TEXT NOT NULL, path TEXT NOT NULL,
            content_hash TEXT NOT NULL, seen_at TEXT NOT NULL,
            PRIMARY KEY (feed_url, entry_key)) WITHOUT ROWID""",
    ):
        db.execute(statement)


# -- claims of several ingesting workers (files.py) ------------------------------------------
def _m14_ingest_claims(db: sqlite3.Connection) -> None:
    """Which worker is taking in a file or fetching a feed, until when (see files.Claims).

    key: a file's path as the files ledger writes it, or "feed:" + the feed's URL; expires_at:
    seconds since the epoch, on the claiming worker's clock.
    """
    db.execute("CREATE TABLE ingest_claims (key TEXT PRIMARY KEY, worker TEXT NOT NULL, "
               "expires_at REAL NOT NULL) WITHOUT ROWID")


# Ordered: a migration's position is its version. Append, never reorder.
MIGRATIONS: list[Migration] = [
    Migration("index", _m1_core),
    Migration("ledger", _m2_outbox),
    Migration("index", _m3_term_counts),
    Migration("index", _m4_story_entities),
    Migration("index", _m5_story_probe),
    Migration("index", _m6_headline_terms),
    Migration("index", _m7_story_centroids),
    Migration("ledger", _m8_outbox_operator),
    Migration("history", _m9_reader_history),
    Migration("files", _m10_file_attempts),
    Migration("scans", _m11_scans),
    Migration("feeds", _m12_feeds),
    Migration("ledger", _m13_outbox_leases),
    Migration("files", _m14_ingest_claims),
    Migration("files", _m15_file_reader),
]
