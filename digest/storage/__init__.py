"""digest's state, behind one boundary: nothing outside this package runs SQL.

Layers (docs/storage.md draws them):
  db.py          the connection, its settings, transactions with commit/rollback hooks,
                 running migrations; library errors -> StoreError (SQLite; pg.py is the
                 same layer on PostgreSQL, chosen by a postgresql:// location: location.py)
  migrations.py  the schema as ordered migrations, grouped by the repository that owns them
                 (migrations_pg.py: the same ones in PostgreSQL's dialect)
  repositories   small classes over their own tables, returning frozen dataclasses or models:
                 files.py (files ledger, scans), articles.py (articles, stories as read),
                 index.py (the story index: stories' rows, centroids, postings, term counts,
                 with its write-behind cache), ledger.py (send ledger and outbox),
                 history.py (named briefings)

Callers open a `Store` on a state location (`open_store` turns one that cannot be used into one
StoreError line)
and use its repositories: `store.files`, `store.scans`, `store.claims`, `store.articles`, `store.index`,
`store.ledger`, `store.briefings`; `store.transaction()` groups writes.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from platformdirs import user_data_dir

from digest.errors import StoreError
from digest.storage.articles import Articles
from digest.storage.db import BaseDatabase, Connection, Database
from digest.storage.feeds import Feeds
from digest.storage.files import Claims, Files, FileState, ScanRecord, Scans
from digest.storage.history import Briefings
from digest.storage.index import CacheSizes, StoryIndex
from digest.storage.ledger import Message, NewMessage, SendLedger
from digest.storage.location import PostgresUrl, StateLocation, parse_location
from digest.storage.migrations import MIGRATIONS

__all__ = ["CacheSizes", "FileState", "Message", "NewMessage", "PostgresUrl", "ScanRecord",
           "StateLocation", "Store", "default_state_path", "describe", "open_store",
           "parse_location"]


def default_state_path() -> Path:
    """$DIGEST_HOME/state.sqlite, else the per-user data folder."""
    home = os.environ.get("DIGEST_HOME")
    base = Path(home) if home else Path(user_data_dir("digest", appauthor=False))
    return base / "state.sqlite"


class Store:
    """digest's state (one SQLite file, or a PostgreSQL database), and the repositories over it."""

    def __init__(self, location: StateLocation, *, cache: CacheSizes | None = None) -> None:
        self.location = location
        self.database: BaseDatabase
        if isinstance(location, PostgresUrl):
            from digest.storage import migrations_pg, pg  # psycopg only for a PostgreSQL state

            self.database = pg.PgDatabase(location)
            migrations = migrations_pg.MIGRATIONS
        else:
            self.path = location
            self.database = Database(location)
            migrations = MIGRATIONS
        self.files = Files(self.database.conn)
        self.scans = Scans(self.database)
        self.claims = Claims(self.database)
        self.articles = Articles(self.database.conn)
        # Registers its write-behind cache's hooks on the database's transactions.
        self.index = StoryIndex(self.database, self.articles, cache)
        self.ledger = SendLedger(self.database)
        self.briefings = Briefings(self.database)
        self.feeds = Feeds(self.database)
        try:
            self.database.migrate(migrations)
        except BaseException:
            self.database.close()
            raise

    @property
    def db(self) -> Connection:
        """The connection under the repositories: to inspect the file; callers use the
        repositories (tests/test_layout.py keeps SQL out of every other module of digest)."""
        return self.database.conn

    def close(self) -> None:
        self.database.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One write transaction around the block (committed, or rolled back if it raises)."""
        with self.database.transaction():
            yield

    def begin(self) -> None:
        self.database.begin()

    def commit(self) -> None:
        self.database.commit()

    def rollback(self) -> None:
        self.database.rollback()

    def release_memory(self) -> None:
        """Drop the story index's in-memory rows (after a big ingest: summaries need the room)."""
        self.index.release_memory()


def open_store(path: StateLocation) -> Store:
    """Open the state; a folder or a file that is not SQLite, or a PostgreSQL database that
    cannot be used, is one StoreError line."""
    if isinstance(path, PostgresUrl):
        return Store(path)
    if path.is_dir():
        raise StoreError(f"{path}: is a folder; --state takes the path of a state file")
    try:
        return Store(path)
    except sqlite3.DatabaseError as e:  # "file is not a database", "unable to open ..."
        raise StoreError(f"{path}: not a usable digest state file ({e})") from e
    except OSError as e:  # its folder cannot be created
        raise StoreError(f"{path}: cannot create the state file ({e.strerror or e})") from e


def exists(location: StateLocation) -> bool:
    """Whether a digest state is there yet, without making one: the SQLite file, or the
    migrations table of the PostgreSQL database (connecting is needed to know)."""
    if not isinstance(location, PostgresUrl):
        return location.exists()
    from digest.storage import pg

    database = pg.PgDatabase(location)
    try:
        return bool(database.migrations_done())
    finally:
        database.close()


def describe(location: StateLocation) -> str:
    """The state in one line for `check-config`, without changing it: a PostgreSQL server's
    version and the database's migration level (connecting is the check)."""
    known = len(MIGRATIONS)
    if not isinstance(location, PostgresUrl):
        return f"state: {location} (SQLite)"
    from digest.storage import pg

    database = pg.PgDatabase(location)
    try:
        database.check_level(known)  # a newer database: one StoreError line
        level = max(database.migrations_done(), default=0)
        return (f"state: {location} (PostgreSQL {database.server_version()}, "
                f"migration level {level} of {known})")
    finally:
        database.close()
