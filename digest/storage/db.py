"""The database layer: one SQLite connection, its settings, transactions and migrations.

Repositories (files.py, articles.py, index.py, ledger.py, history.py) run their SQL on
`Database.conn`; nothing else in digest does. A repository that holds rows in memory
(the story index) registers hooks: `before_commit` writes what it holds back inside the
transaction, `after_rollback` drops it, `on_stale` drops what another process's commit made
stale. Library errors that mean "this database cannot be used now" (locked past the wait,
disk full, not a database) become one StoreError line naming the file.
"""

from __future__ import annotations

import re
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import filelock

from digest.errors import StoreError

BUSY_SECONDS = 60  # how long to wait for another digest's write lock (a batch holds it ~2 s)

Hook = Callable[[], None]


class Connection(Protocol):
    """What repositories run their SQL on: a sqlite3.Connection, or pg.PgConnection (the same
    calls on PostgreSQL, the statements translated to its dialect)."""

    def execute(self, sql: str, parameters: Any = ..., /) -> Any: ...
    def executemany(self, sql: str, parameters: Any, /) -> Any: ...
    @property
    def in_transaction(self) -> bool: ...


@dataclass(frozen=True)
class Migration:
    """One step of the schema: its position in MIGRATIONS is its version (recorded by name)."""

    owner: str  # the repository whose tables it creates or changes
    apply: Callable[[Any], None]  # called with the backend's Connection

    @property
    def name(self) -> str:
        return self.apply.__name__


def run_script(db: Connection, sql: str) -> None:
    """Run several statements inside the caller's transaction (executescript would commit)."""
    for statement in sql.split(";"):
        if statement.strip():
            db.execute(statement)


def marks(values: Sequence[object]) -> str:
    """The placeholders of an IN (...) list of these values."""
    return ",".join("?" * len(values))


def _unusable(path: Path, e: sqlite3.Error, waited: float) -> StoreError:
    """One line for an error that leaves the database unusable for now, else a plain one."""
    text = str(e)
    if "locked" in text or "busy" in text:
        return StoreError(f"{path}: the state file stayed locked by another digest process "
                          f"for {waited:g} s ({text}); try again when it has finished")
    if "full" in text:
        return StoreError(f"{path}: cannot write the state file: the disk is full ({text})")
    return StoreError(f"{path}: not a usable digest state file ({text})")


def is_unusable(e: sqlite3.Error) -> bool:
    """Whether an error from SQLite means the file cannot be used now (not a bug of ours)."""
    text = str(e)
    return isinstance(e, sqlite3.DatabaseError) and not isinstance(e, sqlite3.IntegrityError) and (
        "locked" in text or "busy" in text or "full" in text)


class BaseDatabase:
    """What every backend offers the repositories: `conn`, transactions with hooks, migrate.

    Database (SQLite, below) and pg.PgDatabase (PostgreSQL) implement begin/commit/rollback,
    migrate and close; the hooks and the transaction block are shared.
    """

    conn: Connection
    busy_seconds: float

    def __init__(self) -> None:
        self._before_commit: list[Hook] = []
        self._after_rollback: list[Hook] = []
        self._on_stale: list[Hook] = []
        self._data_version = -1  # the write counter last seen (SQLite: PRAGMA data_version)

    def add_hooks(self, *, before_commit: Hook | None = None, after_rollback: Hook | None = None,
                  on_stale: Hook | None = None) -> None:
        """Have a repository called before each COMMIT, after each ROLLBACK, and when another
        connection wrote since this one last looked (checked at each BEGIN)."""
        for hooks, hook in ((self._before_commit, before_commit),
                            (self._after_rollback, after_rollback), (self._on_stale, on_stale)):
            if hook is not None:
                hooks.append(hook)

    @property
    def in_transaction(self) -> bool:
        return self.conn.in_transaction

    def _seen_version(self, version: int) -> None:
        """At BEGIN: the database's write counter; if another connection moved it, the hooks
        drop what it made stale."""
        if version != self._data_version:
            for hook in self._on_stale:
                hook()
            self._data_version = version

    def _write_pending(self) -> None:
        """Before COMMIT: the repositories write what they hold."""
        for hook in self._before_commit:
            hook()

    @property
    def location(self) -> str:
        """The state as the user named it, for messages (never with a password)."""
        raise NotImplementedError

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """BEGIN ... COMMIT around the block; ROLLBACK if it raises."""
        self.begin()
        try:
            yield self.conn
        except BaseException as e:
            self.rollback()
            unusable = self.unusable(e)
            if unusable is not None:
                raise unusable from e
            raise
        self.commit()

    def unusable(self, e: BaseException) -> StoreError | None:
        """The one line for a library error meaning the state cannot be used now, else None."""
        raise NotImplementedError

    # -- grouping per story (PostgreSQL's opt-in DIGEST_GROUP_LOCK=story; pg.py) -------------
    # Here (SQLite, and PostgreSQL's default lease) every write transaction holds the one
    # write lock, so grouping needs no lock of its own: these are no-ops.
    per_story = False

    def hold_grouping(self, *, exclusive: bool) -> None:
        """Per story: shared for a decision that joins a story, exclusive for one that
        founds a story (waits for every other transaction grouping)."""

    def hold_story(self, story_id: str) -> None:
        """Per story: lock the story's row until COMMIT (the decision to change it is this
        transaction's alone)."""

    def hold_key(self, key: str) -> None:
        """Per story: lock a name until COMMIT (an article id two files may both carry)."""

    def retryable(self, e: BaseException) -> bool:
        """Whether the transaction failed only because another one raced it (a deadlock):
        rolled back, it may simply run again."""
        return False

    def row_versions(self, story_ids: Sequence[str]) -> dict[str, str]:
        """Per story: the version of each of these stories' rows (changed by any write)."""
        return {}

    def own_version(self) -> str:
        """Per story: the version the rows this transaction writes get."""
        return ""

    def begin(self) -> None:
        raise NotImplementedError

    def commit(self) -> None:
        raise NotImplementedError

    def rollback(self) -> None:
        raise NotImplementedError

    def migrate(self, migrations: Sequence[Migration]) -> None:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    @contextmanager
    def exclusive(self, name: str, timeout: float = 0.0) -> Iterator[bool]:
        """Hold a named lock across processes (one composer at a time); yields False if
        another holds it after `timeout` seconds."""
        raise NotImplementedError
        yield False

    @contextmanager
    def row_transaction(self) -> Iterator[Connection]:
        """A short write transaction that touches only rows it names itself (the send
        ledger's per-message steps). On SQLite the same as transaction() (one writer at a
        time anyway); PostgreSQL runs these without the global write lock, so workers claim
        and move messages in parallel."""
        with self.transaction() as conn:
            yield conn

    # -- presence: is a worker still running? ------------------------------------------------
    def hold_presence(self, owner: str) -> None:
        """Hold, until close(), a lock that says the worker `owner` (this connection) is
        alive; the system releases it when the process dies."""
        raise NotImplementedError

    def present(self, owner: str) -> bool:
        """Whether the worker `owner` still holds its presence lock (False: it is gone)."""
        raise NotImplementedError


class Database(BaseDatabase):
    """One SQLite file in WAL mode, with explicit transactions and hooks around them."""

    conn: sqlite3.Connection

    def __init__(self, path: Path, busy_seconds: float = BUSY_SECONDS) -> None:
        super().__init__()
        self.path = path
        self.busy_seconds = busy_seconds
        path.parent.mkdir(parents=True, exist_ok=True)
        # Another digest may hold the write lock (its batch of files): wait for it.
        self.conn = sqlite3.connect(path, timeout=busy_seconds, isolation_level=None)
        self.conn.row_factory = sqlite3.Row
        self._use_wal()
        self.conn.execute("PRAGMA synchronous=NORMAL")
        # Many small transactions (a batch of files each): checkpoint the WAL (an fsync) less
        # often than every few commits, and keep the hot index pages in memory.
        self.conn.execute("PRAGMA wal_autocheckpoint=20000")
        self.conn.execute("PRAGMA cache_size=-65536")
        self.conn.execute("PRAGMA foreign_keys=ON")
        self._data_version = self._read_data_version()
        self._presence: filelock.BaseFileLock | None = None

    def close(self) -> None:
        self.conn.close()
        if self._presence is not None:
            self._presence.release()
            Path(self._presence.lock_file).unlink(missing_ok=True)
            self._presence = None

    def _presence_file(self, owner: str) -> Path:
        safe = re.sub(r"[^A-Za-z0-9._-]", "_", owner)
        return self.path.parent / f"{self.path.name}.workers" / f"{safe}.lock"

    def hold_presence(self, owner: str) -> None:
        # A lock file per worker, held while it runs: the kernel drops the lock of a process
        # that died (kill -9 included), so another worker can tell at once.
        if self._presence is not None:
            return
        path = self._presence_file(owner)
        path.parent.mkdir(exist_ok=True)
        lock = filelock.FileLock(path, mode=0o600, thread_local=False)
        lock.acquire(timeout=0)
        self._presence = lock

    def present(self, owner: str) -> bool:
        path = self._presence_file(owner)
        if self._presence is not None and Path(self._presence.lock_file) == path:
            return True
        if not path.exists():
            return False
        probe = filelock.FileLock(path, mode=0o600, thread_local=False)
        try:
            probe.acquire(timeout=0)
        except filelock.Timeout:
            return True
        probe.release()
        path.unlink(missing_ok=True)  # the worker is gone: its file goes too
        return False

    @property
    def location(self) -> str:
        return str(self.path)

    @contextmanager
    def exclusive(self, name: str, timeout: float = 0.0) -> Iterator[bool]:
        # A lock file next to the database. A new FileLock object each time: filelock's objects
        # are reentrant, and two deliverers (threads of the daemon, or processes) must exclude
        # each other, not share one hold.
        lock = filelock.FileLock(self.path.parent / f"{self.path.name}.{name}.lock", mode=0o600,
                                 thread_local=False)
        try:
            lock.acquire(timeout=timeout, poll_interval=0.1)
        except filelock.Timeout:
            yield False
            return
        try:
            yield True
        finally:
            lock.release()

    def unusable(self, e: BaseException) -> StoreError | None:
        if isinstance(e, sqlite3.Error) and is_unusable(e):
            return _unusable(self.path, e, self.busy_seconds)
        return None

    def _use_wal(self) -> None:
        """Put the file in WAL mode (once per file: the mode is kept in it).

        Switching needs the file to itself, and SQLite answers "database is locked" at once,
        without waiting, when another connection opening the new file holds it: wait here.
        """
        deadline = time.monotonic() + self.busy_seconds
        while True:
            try:
                if self.conn.execute("PRAGMA journal_mode").fetchone()[0] != "wal":
                    self.conn.execute("PRAGMA journal_mode=WAL")
                return
            except sqlite3.OperationalError as e:
                if "locked" not in str(e) or time.monotonic() > deadline:
                    raise
                time.sleep(0.02)

    # -- transactions ------------------------------------------------------------------------
    def begin(self) -> None:
        """Open a write transaction; tell the hooks if another process wrote in between."""
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as e:
            raise _unusable(self.path, e, self.busy_seconds) from e
        version = self._read_data_version()
        self._seen_version(version)

    def commit(self) -> None:
        """Let the hooks write what they hold, then COMMIT; on any failure nothing is kept."""
        try:
            self._write_pending()
            self.conn.execute("COMMIT")
        except BaseException as e:
            # Disk full, I/O error: nothing of the transaction is kept, in the file or in memory.
            self.rollback()
            if isinstance(e, sqlite3.Error) and is_unusable(e):
                raise _unusable(self.path, e, self.busy_seconds) from e
            raise

    def rollback(self) -> None:
        if self.conn.in_transaction:  # a failed COMMIT may have ended it already
            self.conn.execute("ROLLBACK")
        for hook in self._after_rollback:
            hook()

    def _read_data_version(self) -> int:
        # Changes when another connection commits (never for this connection's own commits).
        return int(self.conn.execute("PRAGMA data_version").fetchone()[0])

    # -- migrations --------------------------------------------------------------------------
    def migrate(self, migrations: Sequence[Migration]) -> None:
        """Run the migrations this file lacks, all in one exclusive transaction.

        Two digests opening a new file at once: the second waits for the lock, then finds the
        migrations done (it reads them again inside its transaction) and runs none.
        """
        if self.migrations_done() >= set(range(1, len(migrations) + 1)):
            return  # migrations are only appended: nothing to write, no lock needed
        self.conn.execute("BEGIN EXCLUSIVE")
        try:
            self.conn.execute(
                "CREATE TABLE IF NOT EXISTS migrations (version INTEGER PRIMARY KEY, name TEXT)")
            done = self.migrations_done()
            for version, migration in enumerate(migrations, start=1):
                if version not in done:
                    migration.apply(self.conn)
                    self.conn.execute("INSERT INTO migrations VALUES (?, ?)",
                                      (version, migration.name))
            self.conn.execute("COMMIT")
        except BaseException:
            self.rollback()
            raise

    def migrations_done(self) -> set[int]:
        try:
            return {r[0] for r in self.conn.execute("SELECT version FROM migrations")}
        except sqlite3.OperationalError:  # a new file: no migrations table yet
            return set()
