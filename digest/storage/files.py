"""The files ledger (what each source file was when last read), the record of scans, and the
claims of several workers taking in the same sources."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from digest.storage.db import BaseDatabase, Connection, marks


@dataclass(frozen=True)
class FileState:
    """What the files ledger knows of a path (the path as ingest.path_text gives it)."""

    file_hash: str
    size: int
    mtime: float
    error: str | None  # why it could not be taken in, else None
    seen_at: datetime  # the last time it was read (or tried), naive UTC
    attempts: int  # failed reads in a row, for the retry backoff; 0 for any other outcome
    reader: int = 0  # the extract.READER_VERSION that last read it (0: older than any)


@dataclass(frozen=True)
class ScanRecord:
    """The last finished scan of the sources, as `digest status` shows it."""

    finished_at: datetime
    files_read: int
    new_articles: int
    unchanged: int
    warnings: int


class Files:
    """The `files` table: one row per source file (or feed) read."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def state(self, path: str) -> FileState | None:
        row = self.conn.execute(
            "SELECT file_hash, size, mtime, error, seen_at, attempts, reader FROM files "
            "WHERE path = ?", (path,)).fetchone()
        return FileState(row[0], row[1], row[2], row[3], datetime.fromisoformat(row[4]),
                         row[5], row[6]) if row else None

    def record(self, path: str, file_hash: str, size: int, mtime: float,
               error: str | None, now: datetime, attempts: int = 0, reader: int = 0) -> None:
        self.conn.execute(
            "INSERT INTO files (path, file_hash, size, mtime, error, seen_at, attempts, reader) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(path) DO UPDATE SET "
            "file_hash=excluded.file_hash, size=excluded.size, mtime=excluded.mtime, "
            "error=excluded.error, seen_at=excluded.seen_at, attempts=excluded.attempts, "
            "reader=excluded.reader",
            (path, file_hash, size, mtime, error, now.isoformat(), attempts, reader),
        )

    def last_seen(self) -> datetime | None:
        """When a source file was last read (or tried)."""
        (last,) = self.conn.execute("SELECT MAX(seen_at) FROM files").fetchone()
        return datetime.fromisoformat(last) if last else None


# Named, not `*`: PostgreSQL's scans table has one more column (its insertion order, `rowid`).
_SCAN_COLUMNS = "finished_at, files_read, new_articles, unchanged, warnings"


class Scans:
    """The `scans` table: the last 100 finished scans of the sources."""

    def __init__(self, db: BaseDatabase) -> None:
        self._db = db

    def record(self, finished_at: datetime, files_read: int, new_articles: int,
               unchanged: int, warnings: int) -> None:
        """A scan of the sources finished (its own transaction); the last 100 are kept."""
        with self._db.transaction() as conn:
            conn.execute(f"INSERT INTO scans ({_SCAN_COLUMNS}) VALUES (?, ?, ?, ?, ?)",
                         (finished_at.isoformat(), files_read, new_articles, unchanged, warnings))
            conn.execute("DELETE FROM scans WHERE rowid <= (SELECT MAX(rowid) FROM scans) - 100")

    def last(self) -> ScanRecord | None:
        row = self._db.conn.execute(
            f"SELECT {_SCAN_COLUMNS} FROM scans ORDER BY rowid DESC LIMIT 1").fetchone()
        return ScanRecord(datetime.fromisoformat(row[0]), *row[1:]) if row else None


class Claims:
    """The `ingest_claims` table: which worker is taking in a file (or fetching a feed), until
    when, so that several workers on the same folders or feeds split the work.

    A claim is taken in its own short transaction (other workers see it at once), released
    inside the transaction that writes what it was for (`release`, before COMMIT), and lapses
    at `expires_at` if its worker died without releasing it (kill -9): another worker then
    takes it. Times are seconds since the epoch on the claiming worker's clock, so workers on
    several machines need their clocks in step to well within a claim's length.
    """

    def __init__(self, db: BaseDatabase) -> None:
        self._db = db

    def take(self, keys: Sequence[str], worker: str, now: float, seconds: float,
             gone: Sequence[str] = ()) -> set[str]:
        """Claim what no other worker holds (or whose claim lapsed, or whose worker is known
        to be `gone`); the keys this worker now holds, for `seconds` from `now`."""
        if not keys:
            return set()
        held: set[str] = set()
        dead = f" OR ingest_claims.worker IN ({marks(gone)})" if gone else ""
        with self._db.transaction() as conn:
            conn.executemany(
                "INSERT INTO ingest_claims VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET "
                "worker = excluded.worker, expires_at = excluded.expires_at "
                "WHERE ingest_claims.expires_at <= ? OR ingest_claims.worker = excluded.worker"
                + dead, [(k, worker, now + seconds, now, *gone) for k in keys])
            for part in _parts(keys):
                held.update(r[0] for r in conn.execute(
                    f"SELECT key FROM ingest_claims WHERE worker = ? AND key IN ({marks(part)})",
                    (worker, *part)))
        return held

    def release(self, keys: Iterable[str], worker: str) -> None:
        """Drop this worker's claims of these keys (inside the caller's transaction)."""
        rows = [(k, worker) for k in keys]
        if rows:
            self._db.conn.executemany(
                "DELETE FROM ingest_claims WHERE key = ? AND worker = ?", rows)

    def release_all(self, worker: str) -> None:
        """Drop every claim this worker still holds (its own transaction): the end of a run."""
        with self._db.transaction() as conn:
            conn.execute("DELETE FROM ingest_claims WHERE worker = ?", (worker,))

    def workers(self) -> set[str]:
        """The workers holding claims (lapsed or not)."""
        return {r[0] for r in self._db.conn.execute(
            "SELECT DISTINCT worker FROM ingest_claims").fetchall()}

    def holders(self) -> dict[str, str]:
        """key -> worker of every claim, lapsed or not (for `status` and tests)."""
        return {r[0]: r[1] for r in self._db.conn.execute(
            "SELECT key, worker FROM ingest_claims").fetchall()}


def _parts(keys: Sequence[str], size: int = 500) -> Iterator[Sequence[str]]:
    for i in range(0, len(keys), size):
        yield keys[i:i + size]
