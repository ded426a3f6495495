"""Feeds in the state file: subscriptions, fetch state (ETag, Last-Modified, backoff) and the
entries ledger (tables from migration _m12_feeds). Callers get frozen dataclasses.

Crash safety comes from the caller's transaction: a feed's entries and its new validators
(`record_fetch`) are written inside the same transaction as the articles they produced, so
after a kill -9 either all of a fetch is stored or none of it (and the next run fetches the
feed again in full: without the stored ETag there is no 304).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from digest.storage.db import BaseDatabase

FetchStatus = Literal["200", "304", "error"]


@dataclass(frozen=True)
class FeedState:
    """What the state file knows of one feed."""

    url: str
    fetch_url: str
    subscribed: bool
    name: str | None
    title: str | None
    etag: str | None
    last_modified: str | None
    last_fetch_at: datetime | None
    status: FetchStatus | None  # None: never fetched
    error: str | None
    failures: int  # failed fetches in a row (the backoff)
    next_fetch_at: datetime | None
    entries: int = 0


@dataclass(frozen=True)
class KnownEntry:
    """An entry taken in before: where its articles are and what its content was."""

    path: str
    content_hash: str


_COLUMNS = ("url, fetch_url, subscribed, name, title, etag, last_modified, last_fetch_at, "
            "status, error, failures, next_fetch_at")


def _state(row: Any, entries: int = 0) -> FeedState:
    return FeedState(row[0], row[1], bool(row[2]), row[3], row[4], row[5], row[6], _dt(row[7]),
                     row[8], row[9], int(row[10]), _dt(row[11]), entries)


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


class Feeds:
    """The feeds ledger: subscriptions, fetch state and the entries taken in."""

    def __init__(self, db: BaseDatabase) -> None:
        self._db = db

    def states(self, urls: Iterable[str] | None = None) -> dict[str, FeedState]:
        """url -> state of the feeds asked for (all of them by default), with entry counts."""
        counts = dict(self._db.conn.execute(
            "SELECT feed_url, COUNT(*) FROM feed_entries GROUP BY feed_url").fetchall())
        rows = self._db.conn.execute(f"SELECT {_COLUMNS} FROM feeds ORDER BY rowid").fetchall()
        wanted = None if urls is None else set(urls)
        return {r[0]: _state(r, counts.get(r[0], 0)) for r in rows
                if wanted is None or r[0] in wanted}

    def subscribed(self) -> list[FeedState]:
        """The feeds added by `digest feeds add|import`, in the order added."""
        return [s for s in self.states().values() if s.subscribed]

    def subscribe(self, url: str, name: str | None = None) -> bool:
        """Add a feed (its own transaction); False if it was subscribed already."""
        with self._db.transaction() as db:
            row = db.execute("SELECT subscribed FROM feeds WHERE url = ?", (url,)).fetchone()
            if row is not None and row[0]:
                return False
            db.execute("INSERT INTO feeds (url, fetch_url, subscribed, name) VALUES (?, ?, 1, ?) "
                       "ON CONFLICT(url) DO UPDATE SET subscribed = 1, "
                       "name = COALESCE(excluded.name, feeds.name)", (url, url, name))
        return True

    def known_entries(self, url: str) -> dict[str, KnownEntry]:
        """entry key -> what was taken in of it, for one feed."""
        rows = self._db.conn.execute(
            "SELECT entry_key, path, content_hash FROM feed_entries WHERE feed_url = ?", (url,))
        return {r[0]: KnownEntry(r[1], r[2]) for r in rows}

    def record_entry(self, url: str, entry_key: str, path: str, content_hash: str,
                     now: datetime) -> None:
        """An entry taken in (inside the caller's transaction, with its articles)."""
        self._db.conn.execute(
            "INSERT INTO feed_entries VALUES (?, ?, ?, ?, ?) ON CONFLICT(feed_url, entry_key) "
            "DO UPDATE SET path = excluded.path, content_hash = excluded.content_hash, "
            "seen_at = excluded.seen_at", (url, entry_key, path, content_hash, now.isoformat()))

    def record_fetch(self, url: str, *, fetch_url: str, status: FetchStatus, now: datetime,
                     next_fetch_at: datetime, etag: str | None = None,
                     last_modified: str | None = None, title: str | None = None) -> None:
        """A fetch that worked (200 or 304): new validators, failures reset (caller's transaction).

        A 304 keeps the stored validators and title (pass None for them).
        """
        self._db.conn.execute(
            "INSERT INTO feeds (url, fetch_url, etag, last_modified, title, last_fetch_at, status, "
            "error, failures, next_fetch_at) VALUES (?, ?, ?, ?, ?, ?, ?, NULL, 0, ?) "
            "ON CONFLICT(url) DO UPDATE SET fetch_url = excluded.fetch_url, "
            "etag = COALESCE(excluded.etag, CASE WHEN excluded.status = '304' THEN feeds.etag END), "
            "last_modified = COALESCE(excluded.last_modified, "
            "    CASE WHEN excluded.status = '304' THEN feeds.last_modified END), "
            "title = COALESCE(excluded.title, feeds.title), last_fetch_at = excluded.last_fetch_at, "
            "status = excluded.status, error = NULL, failures = 0, "
            "next_fetch_at = excluded.next_fetch_at",
            (url, fetch_url, etag, last_modified, title, now.isoformat(), status,
             next_fetch_at.isoformat()))

    def record_failure(self, url: str, error: str, now: datetime,
                       next_fetch_at: datetime) -> None:
        """A fetch that failed (its own transaction): the error, one more failure, the backoff."""
        with self._db.transaction() as db:
            db.execute(
                "INSERT INTO feeds (url, fetch_url, last_fetch_at, status, error, failures, "
                "next_fetch_at) VALUES (?, ?, ?, 'error', ?, 1, ?) ON CONFLICT(url) DO UPDATE SET "
                "last_fetch_at = excluded.last_fetch_at, status = 'error', error = excluded.error, "
                "failures = feeds.failures + 1, next_fetch_at = excluded.next_fetch_at",
                (url, url, now.isoformat(), error, next_fetch_at.isoformat()))
