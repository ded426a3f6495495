"""The files ledger (what each source file was when last read) and the record of scans."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from digest.storage.db import BaseDatabase, Connection


@dataclass(frozen=True)
class FileState:
    """What the files ledger knows of a path (the path as ingest.path_text gives it)."""

    file_hash: str
    size: int
    mtime: float
    error: str | None  # why it could not be taken in, else None
    seen_at: datetime  # the last time it was read (or tried), naive UTC
    attempts: int  # failed reads in a row, for the retry backoff; 0 for any other outcome


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
            "SELECT file_hash, size, mtime, error, seen_at, attempts FROM files WHERE path = ?",
            (path,)).fetchone()
        return FileState(row[0], row[1], row[2], row[3], datetime.fromisoformat(row[4]),
                         row[5]) if row else None

    def record(self, path: str, file_hash: str, size: int, mtime: float,
               error: str | None, now: datetime, attempts: int = 0) -> None:
        self.conn.execute(
            "INSERT INTO files VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(path) DO UPDATE SET "
            "file_hash=excluded.file_hash, size=excluded.size, mtime=excluded.mtime, "
            "error=excluded.error, seen_at=excluded.seen_at, attempts=excluded.attempts",
            (path, file_hash, size, mtime, error, now.isoformat(), attempts),
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
