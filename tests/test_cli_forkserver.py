"""The suite runs its CLI commands as processes forked from a server that has imported
`digest.cli` (tests/cli_forkserver.py). A forked command must be the command: the same output,
errors and exit status as a fresh `python -m digest`, and the exit status of a signal."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import ROOT, CliRun, start_cli

pytestmark = pytest.mark.no_state  # each command is given its own state by path
NOW = re.compile(r"\b\d\d:\d\d(:\d\d)?\b")  # the briefings' "generated at" differ by seconds


def both_ways(tmp_path: Path, *args: str,
              ) -> tuple[subprocess.CompletedProcess[str], subprocess.CompletedProcess[str]]:
    """The command forked and fresh, each with its own home and state (the same paths' shape,
    so that output naming them differs only by the folder)."""
    results = []
    for way in ("forked", "fresh"):
        home = tmp_path / way
        home.mkdir()
        env = {**os.environ, "DIGEST_HOME": str(home), "DIGEST_STATE": str(home / "state.db")}
        if way == "forked":
            results.append(start_cli(*args, env=env).finish())
        else:
            results.append(subprocess.run([sys.executable, "-m", "digest", *args], cwd=ROOT,
                                          env=env, capture_output=True, text=True, timeout=300))
    return results[0], results[1]


def same(forked: subprocess.CompletedProcess[str], fresh: subprocess.CompletedProcess[str],
         tmp_path: Path) -> None:
    def norm(text: str, way: str) -> str:  # the folder, and the clock when each was made
        return NOW.sub("NOW", text.replace(str(tmp_path / way), "HOME"))
    assert forked.returncode == fresh.returncode
    assert norm(forked.stdout, "forked") == norm(fresh.stdout, "fresh")
    assert norm(forked.stderr, "forked") == norm(fresh.stderr, "fresh")


@pytest.mark.parametrize("args", [
    ("--help",),                                   # click's usage names `python -m digest`
    ("no-such-command",),                          # exit 2, click's error
    ("--config", "/nonexistent/digest.toml", "brief"),  # exit 1, one line naming the file
    ("brief", "--source", str(ROOT / "seeds")),    # the seeds' briefing: Unicode, a new state
    ("brief", "--source", str(ROOT / "seeds"), "--format", "json"),
], ids=["help", "unknown-command", "missing-config", "brief", "brief-json"])
def test_a_forked_command_prints_and_exits_as_a_fresh_one(tmp_path: Path,
                                                          args: tuple[str, ...]) -> None:
    forked, fresh = both_ways(tmp_path, *args)
    same(forked, fresh, tmp_path)
    assert forked.stdout or forked.stderr


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "SIGKILL"])
def test_a_forked_daemon_stops_on_a_signal_as_a_fresh_one_does(tmp_path: Path,
                                                                sig: signal.Signals) -> None:
    """`digest run` watches its folder until stopped: SIGTERM stops it cleanly (exit 0, the
    daemon's own last line), SIGKILL is reported as `subprocess` reports it (-9)."""
    run = _watching_daemon(tmp_path)
    run.send_signal(sig)
    proc = run.finish(60)
    if sig == signal.SIGTERM:
        assert proc.returncode == 0
        assert proc.stderr.rstrip().endswith("stopped; undelivered mail stays queued for the "
                                             "next start")
    else:
        assert proc.returncode == -signal.SIGKILL


def _watching_daemon(tmp_path: Path) -> CliRun:
    """`digest run` on an empty folder (no digests: it only watches), once it says so."""
    (tmp_path / "news").mkdir()
    config = tmp_path / "digest.toml"
    config.write_text(f'[sources]\nfolders = ["{tmp_path / "news"}"]\n'
                      '[smtp]\nhost = "127.0.0.1"\nport = 2525\nsecurity = "none"\n'
                      'sender = "digest@example.org"\n', encoding="utf-8")
    run = start_cli("--config", str(config), "run",
                    env={"DIGEST_HOME": str(tmp_path), "DIGEST_STATE": str(tmp_path / "s.db")})
    deadline = time.monotonic() + 60
    while b"watching" not in _stderr_of(run.pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    return run


def _stderr_of(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/fd/2").read_bytes()
    except OSError:
        return b""


def test_a_command_past_its_timeout_is_killed_and_its_output_still_read(tmp_path: Path) -> None:
    """As `Popen.communicate(timeout)`: TimeoutExpired, then the command is gone and what it
    printed is there (a hung command's output is what its test needs most)."""
    run = _watching_daemon(tmp_path)
    with pytest.raises(subprocess.TimeoutExpired):
        run.communicate(timeout=0.2)
    assert run.poll() == -signal.SIGKILL
    _out, err = run.communicate()
    assert "running; stop with Ctrl-C or SIGTERM" in err
