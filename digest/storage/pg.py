"""The PostgreSQL backend: one psycopg 3 connection, transactions with the same hooks, migrations.

Repositories run the same SQL on both backends: PgConnection translates what SQLite writes
differently (docs/storage.md's table), statement by statement, once (cached):
  `?` -> `%s`; `INSERT OR IGNORE` -> `ON CONFLICT DO NOTHING` (before any RETURNING);
  `INSERT OR REPLACE` -> `ON CONFLICT (key) DO UPDATE` (the keys per table below); a literal
  `%` doubled; and whole fragments using SQLite's own functions (`_FRAGMENTS`).
Rows come back as tuples that also answer `row["column"]`, like sqlite3.Row.

Writers take turns as SQLite's do: every write transaction holds one transaction-level
advisory lock (taken at BEGIN, released by COMMIT or ROLLBACK, or when a dead worker's
connection drops), so ingest's "read the files ledger again inside the batch" stays correct
with several processes, and a statement inside it sees what the previous holder committed
(READ COMMITTED). A one-row counter, bumped by each COMMIT, plays PRAGMA data_version: a BEGIN
that finds it moved by another process drops the story index's cached rows (`on_stale`).

Grouping per story (opt-in, `DIGEST_GROUP_LOCK=story`, read when the database is opened; a
prototype measured in docs/benchmarks.md §14): a BEGIN takes no write lock and bumps no
counter (one row bumped by every COMMIT would serialize them again); the story index checks
its cached centroids itself, by their stories' row versions (`row_versions`: PostgreSQL's
xmin, which every UPDATE of the row changes). Grouping locks what it decides on instead
(`hold_grouping`, `hold_story`, `hold_key`), and a deadlock between two workers is
`retryable`. Every worker of a database must run in the same mode: a leased worker does not
see this mode's writes in the counter.
psycopg is an optional extra (`pip install 'digest[postgres]'`): imported only here.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
import threading
import time
import zlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from digest.errors import StoreError
from digest.storage.db import BUSY_SECONDS, BaseDatabase, Migration
from digest.storage.location import PostgresUrl

try:
    import psycopg
    from psycopg import errors as pg_errors
    from psycopg.pq import TransactionStatus
except ImportError:  # the extra is not installed: opening a postgresql:// state says so
    psycopg = None  # type: ignore[assignment]

CONNECT_SECONDS = 10
# Advisory lock keys (any 64-bit numbers no other program on the database uses): the write
# lock every write transaction holds, and the one migrations run under.
WRITE_LOCK = 0x64696765_7374_0001
MIGRATE_LOCK = 0x64696765_7374_0002
# Grouping per story: held shared by a decision that joins a story, exclusive by one that
# founds a story (two workers must not found two stories for one event).
GROUP_LOCK = 0x64696765_7374_0003
GROUP_LOCK_MODES = ("lease", "story")

# INSERT OR REPLACE's meaning per table: the conflict key, the columns replaced.
_REPLACE_KEYS = {
    "story_probe": ("term, story_id", ("weight",)),
    "story_centroids": ("story_id", ("weights",)),
}
_OR = re.compile(r"^\s*INSERT OR (IGNORE|REPLACE) INTO (\w+)", re.IGNORECASE)
# SQLite's functions that PostgreSQL spells otherwise, in the statements that use them (the
# send ledger's): whole fragments, so that a statement not listed here fails loudly on the
# server rather than being half translated.
_FRAGMENTS = [
    # sent sentences from the outbox row's JSON (story id -> [sentence keys])
    ("json_each(o.sentences) story, json_each(story.value) sentence",
     "json_each(o.sentences::json) story, json_array_elements_text(story.value) AS sentence(value)"),
    # two-argument MAX is SQLite's scalar maximum
    ("MAX(next_attempt_at, %s)", "GREATEST(next_attempt_at, %s)"),
    # a claim of the next queued message: SQLite's single writer makes the sub-select and the
    # UPDATE one step; PostgreSQL's workers claim in parallel, each skipping rows another
    # worker's claim has locked
    ("ORDER BY id LIMIT 1) RETURNING", "ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED) RETURNING"),
]


@functools.lru_cache(maxsize=512)
def translate(sql: str) -> str:
    """A statement of the repositories in PostgreSQL's dialect (see the module's docstring)."""
    out = sql.replace("%", "%%").replace("?", "%s")
    for sqlite, postgres in _FRAGMENTS:
        out = out.replace(sqlite, postgres)
    m = _OR.match(out)
    if m:
        how, table = m.group(1).upper(), m.group(2)
        out = f"INSERT INTO {table}" + out[m.end():]
        body, returning, rest = out.partition(" RETURNING ")
        if how == "IGNORE":
            body += " ON CONFLICT DO NOTHING"
        else:
            keys, columns = _REPLACE_KEYS[table]
            sets = ", ".join(f"{c} = excluded.{c}" for c in columns)
            body += f" ON CONFLICT ({keys}) DO UPDATE SET {sets}"
        out = body + returning + rest  # ON CONFLICT comes before RETURNING
    return out


@functools.lru_cache(maxsize=256)
def _row_class(names: tuple[str, ...]) -> type[tuple[Any, ...]]:
    index = {n: i for i, n in enumerate(names)}

    class Row(tuple[Any, ...]):
        """A row by position or by column name (as sqlite3.Row)."""

        __slots__ = ()

        def __getitem__(self, key: Any) -> Any:
            if isinstance(key, str):
                return tuple.__getitem__(self, index[key])
            return tuple.__getitem__(self, key)

        def keys(self) -> list[str]:
            return list(names)

    return Row


def _row_factory(cursor: Any) -> Callable[[Sequence[Any]], Any]:
    if cursor.description is None:
        return tuple
    cls = _row_class(tuple(c.name for c in cursor.description))
    return cls


class PgConnection:
    """The repositories' Connection on PostgreSQL: their statements, translated."""

    def __init__(self, raw: Any) -> None:
        self.raw = raw

    def execute(self, sql: str, parameters: Any = (), /) -> Any:
        return self.raw.execute(translate(sql), parameters)

    def executemany(self, sql: str, parameters: Any, /) -> Any:
        rows = list(parameters)
        cur = self.raw.cursor()
        if rows:
            cur.executemany(translate(sql), rows)
        return cur

    @property
    def in_transaction(self) -> bool:
        return bool(self.raw.info.transaction_status != TransactionStatus.IDLE)


def _presence_key(owner: str) -> int:
    """A worker's advisory lock key: 63 bits of a hash of its name (never negative)."""
    return int.from_bytes(hashlib.blake2b(owner.encode(), digest_size=8).digest(), "big") >> 1


def _one_line(e: BaseException) -> str:
    """libpq's message, on one line ("connection failed: ...: FATAL: password authentication
    failed for user ..."): the hint lines after the first say nothing new."""
    lines = [" ".join(line.split()) for line in str(e).strip().splitlines() if line.strip()]
    return lines[0] if lines else type(e).__name__


def group_lock_mode(url: PostgresUrl) -> str:
    """$DIGEST_GROUP_LOCK: how grouping is serialized, "lease" (the default: the write lock)
    or "story" (a row lock per story, the prototype); anything else is one StoreError line."""
    mode = os.environ.get("DIGEST_GROUP_LOCK", "").strip().lower() or "lease"
    if mode not in GROUP_LOCK_MODES:
        raise StoreError(f"{url}: DIGEST_GROUP_LOCK={mode!r}: expected one of "
                         f"{', '.join(GROUP_LOCK_MODES)}")
    return mode


def connect(url: PostgresUrl) -> Any:
    """A psycopg connection (autocommit: transactions are explicit), or one StoreError line."""
    if psycopg is None:
        raise StoreError(f"{url}: a PostgreSQL state needs psycopg: "
                         "pip install 'digest[postgres]'")
    try:
        raw = psycopg.connect(url.url, autocommit=True, connect_timeout=CONNECT_SECONDS,
                              application_name="digest")
    except psycopg.Error as e:
        raise StoreError(f"{url}: cannot connect to PostgreSQL: {_one_line(e)}") from e
    raw.row_factory = _row_factory
    return raw


class PgDatabase(BaseDatabase):
    """One PostgreSQL database through one connection, with explicit transactions and hooks."""

    conn: PgConnection

    def __init__(self, url: PostgresUrl, busy_seconds: float = BUSY_SECONDS) -> None:
        super().__init__()
        self.url = url
        self.busy_seconds = busy_seconds
        self.per_story = group_lock_mode(url) == "story"
        self.raw = connect(url)
        # Another worker's transaction holds the write lock (a batch of files, ~2 s): wait for
        # it as long as SQLite waits for its lock, then fail with one line.
        self.raw.execute("SELECT set_config('lock_timeout', %s, false)",
                         (f"{int(busy_seconds * 1000)}ms",))
        self.conn = PgConnection(self.raw)
        self._held: set[str] = set()  # exclusive() names this process holds
        self._held_guard = threading.Lock()
        self._presence: str | None = None

    @property
    def location(self) -> str:
        return str(self.url)

    def close(self) -> None:
        self.raw.close()  # ends the session: its presence lock goes with it

    def unusable(self, e: BaseException) -> StoreError | None:
        if isinstance(e, pg_errors.LockNotAvailable):
            return StoreError(f"{self.url}: the state stayed locked by another digest process "
                              f"for {self.busy_seconds:g} s; try again when it has finished")
        if isinstance(e, pg_errors.InsufficientPrivilege):
            return StoreError(f"{self.url}: PostgreSQL refused: {_one_line(e)} (the user needs "
                              "to create tables in the database, or to own it)")
        if isinstance(e, pg_errors.DiskFull):
            return StoreError(f"{self.url}: cannot write: the server's disk is full "
                              f"({_one_line(e)})")
        if isinstance(e, psycopg.OperationalError):  # the connection was lost, the server stopped
            return StoreError(f"{self.url}: PostgreSQL failed: {_one_line(e)}")
        return None

    def _fail(self, e: BaseException) -> BaseException:
        self.rollback()
        return self.unusable(e) or e

    # -- transactions ------------------------------------------------------------------------
    def begin(self) -> None:
        """BEGIN and take the write lock; tell the hooks if another process committed since.
        Per story: no lock (the story index checks its rows itself)."""
        try:
            self.raw.execute("BEGIN")
            if self.per_story:
                return  # the index checks what it holds (row_versions)
            self.raw.execute("SELECT pg_advisory_xact_lock(%s)", (WRITE_LOCK,))
            version = int(self.raw.execute("SELECT n FROM digest_writes").fetchone()[0])
        except psycopg.Error as e:
            raise self._fail(e) from e
        self._seen_version(version)

    def commit(self) -> None:
        """Let the hooks write what they hold, then COMMIT; on any failure nothing is kept."""
        with self._rolled_back_on_failure():
            self._write_pending()
            if self.per_story:
                version = self._data_version
            else:
                version = self.raw.execute(
                    "UPDATE digest_writes SET n = n + 1 RETURNING n").fetchone()[0]
            self.raw.execute("COMMIT")
        self._data_version = int(version)

    # -- grouping per story (see the module's docstring) -------------------------------------
    def hold_grouping(self, *, exclusive: bool) -> None:
        if self.per_story:
            take = "pg_advisory_xact_lock" if exclusive else "pg_advisory_xact_lock_shared"
            self.raw.execute(f"SELECT {take}(%s)", (GROUP_LOCK,))

    def hold_story(self, story_id: str) -> None:
        if self.per_story:
            self.raw.execute("SELECT 1 FROM stories WHERE id = %s FOR UPDATE", (story_id,))

    def hold_key(self, key: str) -> None:
        if self.per_story:
            self.raw.execute("SELECT pg_advisory_xact_lock(%s)", (_presence_key(f"key:{key}"),))

    def retryable(self, e: BaseException) -> bool:
        return isinstance(e, (pg_errors.DeadlockDetected, pg_errors.SerializationFailure))

    def row_versions(self, story_ids: Sequence[str]) -> dict[str, str]:
        # xmin: the transaction that wrote the row's current version
        return {r[0]: r[1] for r in self.raw.execute(
            "SELECT id, xmin::text FROM stories WHERE id = ANY(%s)", (list(story_ids),))}

    def own_version(self) -> str:
        return str(self.raw.execute("SELECT pg_current_xact_id()::xid::text").fetchone()[0])

    @contextmanager
    def _rolled_back_on_failure(self) -> Iterator[None]:
        """Any failure: ROLLBACK (nothing is kept), then the one line if it means the database
        cannot be used now, else the error itself."""
        try:
            yield
        except BaseException as e:
            failure = self._fail(e)
            if failure is e:
                raise
            raise failure from e

    def rollback(self) -> None:
        if self.conn.in_transaction and not self.raw.closed:
            self.raw.execute("ROLLBACK")
        for hook in self._after_rollback:
            hook()

    @contextmanager
    def exclusive(self, name: str, timeout: float = 0.0) -> Iterator[bool]:
        # A session advisory lock: released when this connection ends, so a killed worker's
        # hold goes with it.
        # PostgreSQL's session locks are reentrant: a second holder in this process (a thread
        # of the daemon on the same connection) would get it too, so holds are also counted here.
        key = zlib.crc32(f"digest:{name}".encode())
        deadline = time.monotonic() + timeout
        while not self._try_exclusive(name, key):
            if time.monotonic() >= deadline:
                yield False
                return
            time.sleep(0.1)
        try:
            yield True
        finally:
            with self._held_guard:
                self.raw.execute("SELECT pg_advisory_unlock(%s)", (key,))
                self._held.discard(name)

    def _try_exclusive(self, name: str, key: int) -> bool:
        with self._held_guard:
            if name in self._held:
                return False
            if not self.raw.execute("SELECT pg_try_advisory_lock(%s)", (key,)).fetchone()[0]:
                return False
            self._held.add(name)
            return True

    @contextmanager
    def row_transaction(self) -> Iterator[PgConnection]:
        # No WRITE_LOCK and no digest_writes bump: these statements lock only their own rows
        # (claims skip a row another worker holds), and touch none of the story index's tables,
        # so no cache needs to hear of them.
        with self._rolled_back_on_failure():
            self.raw.execute("BEGIN")
            yield self.conn
            self.raw.execute("COMMIT")

    # -- presence ----------------------------------------------------------------------------
    def hold_presence(self, owner: str) -> None:
        # A session advisory lock per worker: the server releases it when the worker's
        # connection ends, which a killed process's does at once.
        if self._presence != owner:
            self.raw.execute("SELECT pg_advisory_lock(%s)", (_presence_key(owner),))
            self._presence = owner

    def present(self, owner: str) -> bool:
        if owner == self._presence:
            return True
        key = _presence_key(owner)
        # pg_locks shows every session's advisory locks (a bigint key as two 32-bit halves);
        # reading it takes nothing, unlike pg_try_advisory_lock.
        row = self.raw.execute(
            "SELECT 1 FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 1 "
            "AND classid::bigint = %s AND objid::bigint = %s", (key >> 32, key & 0xFFFFFFFF)
        ).fetchone()
        return row is not None

    # -- migrations --------------------------------------------------------------------------
    def migrate(self, migrations: Sequence[Migration]) -> None:
        """Run the migrations the database lacks, in one transaction under an advisory lock
        (two workers starting on a new database: the second finds them done)."""
        self.check_level(len(migrations))
        if self.migrations_done() >= set(range(1, len(migrations) + 1)):
            return
        with self._rolled_back_on_failure():
            self.raw.execute("BEGIN")
            self.raw.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATE_LOCK,))
            self.raw.execute("CREATE TABLE IF NOT EXISTS migrations "
                             "(version INTEGER PRIMARY KEY, name TEXT)")
            # The backend's own row (not a migration: the bookkeeping of transactions).
            self.raw.execute("CREATE TABLE IF NOT EXISTS digest_writes (n BIGINT NOT NULL)")
            self.raw.execute("INSERT INTO digest_writes SELECT 0 "
                             "WHERE NOT EXISTS (SELECT 1 FROM digest_writes)")
            done = self.migrations_done()
            for version, migration in enumerate(migrations, start=1):
                if version not in done:
                    migration.apply(self.conn)
                    self.raw.execute("INSERT INTO migrations VALUES (%s, %s)",
                                     (version, migration.name))
            self.raw.execute("COMMIT")

    def migrations_done(self) -> set[int]:
        if self.raw.execute("SELECT to_regclass('migrations')").fetchone()[0] is None:
            return set()
        return {int(r[0]) for r in self.raw.execute("SELECT version FROM migrations")}

    def check_level(self, known: int) -> None:
        level = max(self.migrations_done(), default=0)
        if level > known:
            raise StoreError(f"{self.url}: the database is at migration level {level}, newer "
                             f"than this digest's {known}: upgrade digest to use it")

    def server_version(self) -> str:
        return str(self.raw.execute("SHOW server_version").fetchone()[0])
