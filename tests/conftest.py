"""Shared fixtures: every test gets its own DIGEST_HOME and a copy of the seeds."""

from __future__ import annotations

import atexit
import inspect
import json
import locale
import os
import select
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from digest import storage
from digest.storage import Store
from digest.storage.location import StateLocation, parse_location

pytest_plugins = ["conftest_email", "conftest_pg"]  # the SMTP and PostgreSQL test servers

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


# Every test that touches the state runs on both backends: a SQLite file, then a database of
# the PostgreSQL server the session starts (conftest_pg.py). A module or test marked
# `no_state` (it never opens a state) or `sqlite_file` (it is about the SQLite file itself:
# its lock, a corrupt or old file; PostgreSQL's counterparts are in test_pg.py) runs once.
BACKENDS = ("sqlite", "postgresql")
NewState = Callable[..., StateLocation]  # the `new_state` fixture
ONCE_MARKERS = ("no_state", "sqlite_file", "own_backend")
# Fixtures that give a test no place to keep a state: a test asking for nothing else is a
# unit test of a function and runs once (one that still runs the CLI is marked, see below).
PURE_FIXTURES = {"monkeypatch", "capsys", "caplog", "recwarn", "request"}


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--backend", action="append", choices=BACKENDS,
                     help="run the tests that touch the state on this backend only "
                          "(repeatable; default: both)")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "no_state: the test never opens a digest state: runs once")
    config.addinivalue_line("markers", "sqlite_file: about the SQLite file itself: runs on SQLite "
                                       "only (PostgreSQL's counterpart is in test_pg.py)")
    config.addinivalue_line("markers", "own_backend: chooses its state itself (test_pg.py's "
                                       "PostgreSQL-only checks): runs once")
    config.addinivalue_line("markers", "alternate_backends: a test whose subject is not the "
                                       "storage (or a slow matrix of cases): each case runs on "
                                       "one backend, in turn (DIGEST_FULL_MATRIX=1: all)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """A test marked `alternate_backends` runs on both backends, each of its cases on one of
    them in turn: the suite's ten minutes do not hold the whole matrix twice (a kill at each
    SMTP step, each server fault, each summary method), nor twice the tests whose subject is
    what the CLI prints, parses or extracts rather than what the store keeps (a progress bar,
    an error line, an outlet read from a page): the store's own tests, and the golden briefing
    compared across backends (test_pg), run on both. DIGEST_FULL_MATRIX=1 runs every case on
    both."""
    _slow_first(items)
    if os.environ.get("DIGEST_FULL_MATRIX") or len(config.getoption("backend") or BACKENDS) < 2:
        return
    keep, drop = [], []
    for item in items:
        spec = getattr(item, "callspec", None)
        if not (item.get_closest_marker("alternate_backends") and spec and "backend" in spec.params):
            keep.append(item)
            continue
        # A fixed, even-handed turn per case (not its position: cases are often ordered by one
        # parameter, and every value of each should meet both backends).
        # The test's name is in the key: single-case tests would otherwise all get one backend.
        case = f"{item.originalname}[{_case_id(spec.id)}]"
        turn = BACKENDS[zlib.crc32(case.encode()) % len(BACKENDS)]
        (keep if spec.params["backend"] == turn else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


def _slow_first(items: list[pytest.Item]) -> None:
    """The tests marked `slow` (10-30 s each) start first: handed out last, one of them keeps a
    worker busy while the others have run out of tests, and the suite waits for it."""
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)  # (stable: same order)


def _case_id(callspec_id: str) -> str:
    return "-".join(p for p in callspec_id.split("-") if p not in BACKENDS)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "backend" not in metafunc.fixturenames:
        return
    if any(metafunc.definition.get_closest_marker(m) for m in ONCE_MARKERS):
        return
    if "backend" in _parameters(metafunc):
        return  # the test pairs each backend with a case of its own
    requested = set(inspect.signature(metafunc.function).parameters) - {"self"}
    if not requested - PURE_FIXTURES - _parameters(metafunc):
        return  # asks for no folder, state or server: a unit test of a function, run once
    chosen = metafunc.config.getoption("backend") or list(BACKENDS)
    metafunc.parametrize("backend", chosen, scope="function")


def _parameters(metafunc: pytest.Metafunc) -> set[str]:
    return {name for mark in metafunc.definition.iter_markers("parametrize")
            for name in (list(mark.args[0]) if isinstance(mark.args[0], (list, tuple)) else
                         [n.strip() for n in str(mark.args[0]).split(",")])}


@pytest.fixture
def backend() -> str:
    """The backend of a test that runs once (no_state, sqlite_file); else parametrized above."""
    return "sqlite"


@pytest.fixture(autouse=True)
def digest_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, backend: str,
                request: pytest.FixtureRequest) -> Path:
    home = tmp_path / "home"
    monkeypatch.setenv("DIGEST_HOME", str(home))
    monkeypatch.delenv("DIGEST_CONFIG", raising=False)
    monkeypatch.delenv("DIGEST_STATE", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))  # never the user's own config
    if backend == "postgresql":  # the CLI's default state is then a new database of the server
        monkeypatch.setenv("DIGEST_STATE", request.getfixturevalue("pg_url"))
    return home


@pytest.fixture
def state_location(digest_home: Path, backend: str) -> StateLocation:
    """Where this test's CLI keeps its state by default: DIGEST_HOME's SQLite file, or the
    PostgreSQL database DIGEST_STATE names."""
    if backend == "postgresql":
        return parse_location(os.environ["DIGEST_STATE"])
    return digest_home / "state.sqlite"


@pytest.fixture
def new_state(tmp_path: Path, backend: str,
              request: pytest.FixtureRequest) -> NewState:
    """A factory of further states on this test's backend: `new_state(NAME)` an empty one (a
    SQLite file NAME.sqlite, or a new PostgreSQL database), `new_state(NAME, copy_of=STATE)` a
    copy of STATE (the file copied, or a database made from it as a template)."""
    def make(name: str, copy_of: StateLocation | None = None) -> StateLocation:
        if backend != "postgresql":
            path = tmp_path / f"{name}.sqlite"
            if copy_of is not None:
                shutil.copy(copy_of, path)  # type: ignore[arg-type]
            return path
        server = request.getfixturevalue("pg_server")
        return parse_location(server.url(_new_database(request, template=copy_of)))
    return make


def _new_database(request: pytest.FixtureRequest, template: StateLocation | None = None) -> str:
    from conftest_pg import new_database

    source = None if template is None else str(template).rsplit("/", 1)[1]
    return new_database(request.getfixturevalue("pg_server"), template=source)


def state_rows(location: StateLocation | str, sql: str, args: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Rows of a query on a state, either backend (SQL as the repositories write it)."""
    loc = parse_location(location) if isinstance(location, str) else location
    with Store(loc) as store:
        return [tuple(r) for r in store.db.execute(sql, args)]


def state_write(location: StateLocation | str, sql: str, args: tuple[Any, ...] = ()) -> None:
    """Change a state behind digest's back (a test's setup), either backend."""
    loc = parse_location(location) if isinstance(location, str) else location
    with Store(loc) as store, store.transaction():
        store.db.execute(sql, args)


def state_exists(location: StateLocation | str) -> bool:
    """Whether a digest state is there yet (without making one)."""
    return storage.exists(parse_location(location) if isinstance(location, str) else location)


def live_rows(location: StateLocation | str, sql: str) -> list[tuple[Any, ...]]:
    """Rows of a state another process is writing, or none before its tables are there. On
    SQLite a plain read-only connection: it never races that process's own migrations."""
    loc = parse_location(location) if isinstance(location, str) else location
    if not isinstance(loc, Path):
        return state_rows(loc, sql) if state_exists(loc) else []
    if not loc.exists():
        return []
    db = sqlite3.connect(f"file:{loc}?mode=ro", uri=True, timeout=30)
    try:
        return [tuple(r) for r in db.execute(sql)]
    except sqlite3.OperationalError:  # its tables are not made yet
        return []
    finally:
        db.close()


def state_dump(location: StateLocation | str) -> list[str]:
    """Every row of every table of a state, as text, in a stable order (to show that a
    command changed nothing)."""
    loc = parse_location(location) if isinstance(location, str) else location
    if isinstance(loc, Path):
        db = sqlite3.connect(f"file:{loc}?mode=ro", uri=True)
        try:
            return list(db.iterdump())
        finally:
            db.close()
    import psycopg

    with psycopg.connect(str(loc)) as conn:
        tables = [r[0] for r in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")]
        return [f"{t}: {row!r}" for t in tables
                for row in sorted(conn.execute(f'SELECT * FROM "{t}"').fetchall(), key=repr)]


@pytest.fixture
def seeds(tmp_path: Path) -> Path:
    """A private copy of seeds/, aged so that the settle delay does not defer it."""
    folder = tmp_path / "seeds"
    shutil.copytree(SEEDS, folder)
    age(folder)
    return folder


def age(path: Path, seconds: float = 3600) -> None:
    """Make files look older than the settle delay."""
    old = time.time() - seconds
    targets = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
    for p in targets:
        os.utime(p, (old, old))


def run_cli(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None,
            check: bool = True) -> subprocess.CompletedProcess[str]:
    """The real CLI in a process of its own (see `start_cli`), run to its end."""
    proc = start_cli(*args, cwd=cwd, env=env).finish()
    if check and proc.returncode != 0:
        raise AssertionError(f"digest {' '.join(args)} exited {proc.returncode}:\n{proc.stderr}")
    return proc


class CliRun:
    """A `digest` command running in a process of its own: forked from a server that has
    already imported `digest.cli` (tests/cli_forkserver.py: the suite runs ~450 commands, and
    starting Python with digest's imports costs each about 1.5 s of CPU), or with
    DIGEST_TEST_FRESH=1 a fresh `python -m digest`. Its stdout and stderr go to files, read
    back as `subprocess.run(..., text=True)` reads them. Used as a `subprocess.Popen`
    (`pid`, `poll`, `wait`, `send_signal`, `kill`, `communicate`, `returncode`)."""

    def __init__(self, args: tuple[str, ...], cwd: Path, env: dict[str, str]) -> None:
        self.args = [sys.executable, "-m", "digest", *args]
        self.returncode: int | None = None
        self._output: tuple[str, str] | None = None
        self._folder = Path(tempfile.mkdtemp(prefix="digest-run-"))  # removed once read
        self._out, self._err = self._folder / "stdout", self._folder / "stderr"
        self._fresh: subprocess.Popen[bytes] | None = None
        if os.environ.get("DIGEST_TEST_FRESH") == "1":
            with self._out.open("wb") as out, self._err.open("wb") as err:
                self._fresh = subprocess.Popen(self.args, cwd=cwd, env=env, stdout=out,
                                               stderr=err, stdin=subprocess.DEVNULL)
            self.pid = self._fresh.pid
            return
        self._conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._conn.connect(_fork_server_socket())
        request = {"args": list(args), "cwd": str(cwd), "env": env,
                   "stdout": str(self._out), "stderr": str(self._err)}
        self._conn.sendall(json.dumps(request).encode() + b"\n")
        self._replies = self._conn.makefile("r", encoding="ascii")
        self.pid = int(self._replies.readline())  # the server's monitor sends it, then the status

    def send_signal(self, sig: int) -> None:
        if self.returncode is None:
            os.kill(self.pid, sig)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def poll(self) -> int | None:
        if self.returncode is None:
            if self._fresh is not None:
                self.returncode = self._fresh.poll()
            elif select.select([self._conn], [], [], 0)[0]:
                self._read_status(None)
            if self.returncode is not None:
                self.wait()  # collects its output
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        if self.returncode is None:
            if self._fresh is not None:
                self.returncode = self._fresh.wait(timeout)
            else:
                self._read_status(timeout)
        if self._output is None:  # ended: its output read once, its folder removed
            encoding = locale.getpreferredencoding(False)
            self._output = (self._out.read_text(encoding=encoding),
                            self._err.read_text(encoding=encoding))
            shutil.rmtree(self._folder)
        assert self.returncode is not None
        return self.returncode

    def _read_status(self, timeout: float | None) -> None:
        # select, not a socket timeout: a read that timed out leaves the file unreadable
        if not select.select([self._conn], [], [], timeout)[0]:
            raise subprocess.TimeoutExpired(self.args, timeout or 0)
        self.returncode = int(self._replies.readline())
        self._replies.close()
        self._conn.close()  # tells the monitor it may reap the command

    def communicate(self, timeout: float | None = None) -> tuple[str, str]:
        """Wait for the end (killed if it takes longer than `timeout`), then its output."""
        try:
            self.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            self.wait()
            raise
        assert self._output is not None
        return self._output

    def finish(self, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        """`subprocess.run`'s result: wait, then the output."""
        out, err = self.communicate(timeout)
        assert self.returncode is not None
        return subprocess.CompletedProcess(self.args, self.returncode, out, err)


def start_cli(*args: str, cwd: Path | None = None,
              env: dict[str, str] | None = None) -> CliRun:
    """Start `digest ARGS` (the environment is this process's, plus `env`)."""
    return CliRun(args, cwd or ROOT, {**os.environ, **(env or {})})


_fork_server: subprocess.Popen[bytes] | None = None
_fork_socket = ""


def _fork_server_socket() -> str:
    """This test process's fork server, started on first use. It ends when this process ends
    (however: its stdin is this process's pipe) and its folder is removed at exit."""
    global _fork_server, _fork_socket
    if _fork_server is None or _fork_server.poll() is not None:
        folder = Path(tempfile.mkdtemp(prefix="digest-cli-"))
        _fork_socket = str(folder / "socket")
        errors = folder / "server.log"
        with errors.open("wb") as log:
            _fork_server = subprocess.Popen(
                [sys.executable, str(ROOT / "tests" / "cli_forkserver.py"), _fork_socket],
                cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log)
        assert _fork_server.stdout is not None
        ready = _fork_server.stdout.readline()
        _fork_server.stdout.close()
        if ready != b"ready\n":
            raise RuntimeError(f"the CLI fork server did not start: {errors.read_text()[-2000:]}")
        atexit.register(_stop_fork_server, _fork_server, folder)
    return _fork_socket


def _stop_fork_server(server: subprocess.Popen[bytes], folder: Path) -> None:
    assert server.stdin is not None
    server.stdin.close()
    try:
        server.wait(10)
    except subprocess.TimeoutExpired:
        server.kill()
    shutil.rmtree(folder, ignore_errors=True)
