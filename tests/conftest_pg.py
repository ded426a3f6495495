"""A real PostgreSQL server for the tests of the PostgreSQL state, started by the test session.

Debian's `postgresql` package's initdb and pg_ctl (/usr/lib/postgresql/*/bin, else on PATH)
make a cluster in a temporary folder and run it on a free port of 127.0.0.1, for the whole
session. The server refuses to run as root: as root the cluster belongs to the `postgres`
user the package creates and runs as that user (`runuser`). fsync is off (a test cluster is
thrown away). Missing binaries FAIL the tests that need them, with the line to install them:
CI must not pass by skipping the PostgreSQL half.

Roles: `digest` (trust: the tests' own URLs carry no password) and `guarded`, which needs the
password in GUARDED_PASSWORD (for the wrong-credentials test). Each test gets a database of
its own (`pg_url`).
"""

from __future__ import annotations

import glob
import itertools
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

INSTALL = ("PostgreSQL server binaries (initdb, pg_ctl) not found: install them with "
           "`apt-get update && apt-get install -y postgresql` (Debian/Ubuntu), or put a "
           "PostgreSQL bin folder on PATH")
GUARDED_PASSWORD = "s3cret-for-tests"


@dataclass(frozen=True)
class PgServer:
    host: str
    port: int
    folder: Path

    def url(self, database: str, user: str = "digest") -> str:
        return f"postgresql://{user}@{self.host}:{self.port}/{database}"


def _bin_folder() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda p: int(p.split("/")[4]) if p.split("/")[4].isdigit() else 0)
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("initdb")
    return Path(on_path).parent if on_path else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    bin_folder = _bin_folder()
    if bin_folder is None:
        pytest.fail(INSTALL, pytrace=False)
    as_user: list[str] = []
    folder = Path(tempfile.mkdtemp(prefix="digest-pg-"))
    if os.geteuid() == 0:  # the server will not run as root
        try:
            shutil.chown(folder, user="postgres", group="postgres")
        except LookupError:
            pytest.fail("running as root and there is no `postgres` user to run the test "
                        "server as (Debian's postgresql package creates it)", pytrace=False)
        as_user = ["runuser", "-u", "postgres", "--"]
    data = folder / "data"
    port = _free_port()

    def run(*args: str) -> None:
        subprocess.run([*as_user, *args], check=True, capture_output=True, text=True)

    try:
        run(str(bin_folder / "initdb"), "-D", str(data), "-U", "digest", "-A", "trust",
            "--encoding=UTF8", "--locale=C")
        with (data / "pg_hba.conf").open("w") as hba:  # digest: trust; guarded: a password
            hba.write("local all all trust\n"
                      "host all digest 127.0.0.1/32 trust\n"
                      "host all all 127.0.0.1/32 scram-sha-256\n")
        run(str(bin_folder / "pg_ctl"), "-D", str(data), "-l", str(folder / "server.log"), "-w",
            "-o", f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off", "start")
    except subprocess.CalledProcessError as e:
        shutil.rmtree(folder, ignore_errors=True)
        pytest.fail(f"could not start the test PostgreSQL server: {e.stderr or e.stdout}",
                    pytrace=False)
    server = PgServer("127.0.0.1", port, folder)
    import psycopg

    with psycopg.connect(server.url("postgres"), autocommit=True) as conn:
        conn.execute(f"CREATE ROLE guarded LOGIN PASSWORD '{GUARDED_PASSWORD}'")
    try:
        yield server
    finally:
        subprocess.run([*as_user, str(bin_folder / "pg_ctl"), "-D", str(data), "-m",
                        "immediate", "stop"], capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


_numbers = itertools.count(1)


@pytest.fixture
def pg_url(pg_server: PgServer) -> str:
    """The URL of a new, empty database of the test server (no password in it)."""
    return pg_server.url(new_database(pg_server))


def new_database(server: PgServer, template: str | None = None) -> str:
    """The name of a new database of the test server: empty, or a copy of `template` (which
    no session may be connected to)."""
    import psycopg

    name = f"test_{os.getpid()}_{next(_numbers)}"
    copy = f" TEMPLATE {template}" if template else ""
    with psycopg.connect(server.url("postgres"), autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name} OWNER digest{copy}")
    return name


@pytest.fixture
def state(state_location: object) -> str:
    """This test's state as `--state` takes it: a SQLite file, or (the `postgresql` half of the
    `backend` parametrization of conftest.py) a database of the test server."""
    return str(state_location)


def stored_counts(state: str) -> tuple[int, int, int]:
    """(article rows, distinct article ids, files in the ledger) of a state: a duplicate is a
    row more than ids, a lost file one less in the ledger."""
    from digest.storage import Store, parse_location

    with Store(parse_location(state)) as store:
        ids = [r[0] for r in store.db.execute("SELECT id FROM articles").fetchall()]
        files = store.db.execute("SELECT COUNT(*) FROM files").fetchone()[0]
    return len(ids), len(set(ids)), int(files)
