"""Shared fixtures: every test gets its own DIGEST_HOME and a copy of the seeds."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest_plugins = ["conftest_email", "conftest_pg"]  # the SMTP and PostgreSQL test servers

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


@pytest.fixture(autouse=True)
def digest_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    monkeypatch.setenv("DIGEST_HOME", str(home))
    monkeypatch.delenv("DIGEST_CONFIG", raising=False)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))  # never the user's own config
    return home


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
    """The real CLI in a subprocess."""
    full_env = {**os.environ, **(env or {})}
    proc = subprocess.run([sys.executable, "-m", "digest", *args], cwd=cwd or ROOT,
                          capture_output=True, text=True, env=full_env, timeout=300)
    if check and proc.returncode != 0:
        raise AssertionError(f"digest {' '.join(args)} exited {proc.returncode}:\n{proc.stderr}")
    return proc
