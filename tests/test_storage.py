"""The storage package as a boundary: state files of the previous layout open unchanged, and a
database that cannot be used now is one StoreError line."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path

import pytest

from digest.errors import StoreError
from digest.storage import ScanRecord, Store, open_store
from digest.storage.db import Database
from digest.storage.migrations import MIGRATIONS

# The migrations as shipped: their versions and names are recorded in every state file.
pytestmark = pytest.mark.sqlite_file  # the SQLite layer itself; PostgreSQL's in test_pg.py

SHIPPED = ["_m1_core", "_m2_outbox", "_m3_term_counts", "_m4_story_entities", "_m5_story_probe",
           "_m6_headline_terms", "_m7_story_centroids", "_m8_outbox_operator",
           "_m9_reader_history", "_m10_file_attempts", "_m11_scans", "_m12_feeds",
           "_m13_outbox_leases", "_m14_ingest_claims", "_m15_file_reader"]


def test_migrations_keep_their_versions_and_names(tmp_path: Path) -> None:
    assert [m.name for m in MIGRATIONS] == SHIPPED
    with Store(tmp_path / "state.sqlite") as store:
        recorded = store.db.execute("SELECT version, name FROM migrations ORDER BY version")
        assert [tuple(r) for r in recorded] == list(enumerate(SHIPPED, start=1))


def test_a_database_locked_past_the_wait_is_one_store_error(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite"
    Store(path).close()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another digest's batch of files
    db = Database(path, busy_seconds=0.2)
    try:
        with pytest.raises(StoreError, match=r"state\.sqlite: the state file stayed locked by "
                                             r"another digest process for 0\.2 s"):
            db.begin()
        holder.execute("ROLLBACK")
        db.begin()  # free again: the same connection goes on
        db.rollback()
    finally:
        db.close()
        holder.close()


def test_a_file_that_is_not_a_database_is_one_store_error(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite"
    path.write_bytes(b"not a database, just some bytes " * 100)
    with pytest.raises(StoreError, match=r"state\.sqlite: not a usable digest state file"):
        open_store(path)
    with pytest.raises(StoreError, match="is a folder"):
        open_store(tmp_path)


def test_a_full_disk_is_one_store_error_and_keeps_nothing(tmp_path: Path) -> None:
    """The file may not grow (SQLite's max_page_count stands in for a full disk): the write
    fails as one StoreError line, and the transaction leaves nothing behind."""
    path = tmp_path / "state.sqlite"
    with Store(path) as store:
        store.scans.record(datetime(2026, 1, 1), 1, 1, 0, 0)
        pages = store.db.execute("PRAGMA page_count").fetchone()[0]
        store.db.execute(f"PRAGMA max_page_count = {pages}")
        with pytest.raises(StoreError, match=r"state\.sqlite: cannot write the state file: the "
                                             r"disk is full"), store.transaction():
            store.files.record("big.txt", "h" * 100_000, 1, 0.0, "x" * 100_000,
                               datetime(2026, 1, 2))
        assert not store.db.in_transaction
        assert store.files.state("big.txt") is None
        assert store.scans.last() == ScanRecord(datetime(2026, 1, 1), 1, 1, 0, 0)
