"""digest installed as a user installs it (a wheel, not the editable checkout) works from any
folder: the templates and other data ship inside the package.

The wheel goes into a fresh virtual environment whose only link to the test environment is a
.pth file naming its site-packages, for the dependencies: plain path lines, so the editable
checkout's import hook there is never run and `import digest` finds the installed copy.
"""

from __future__ import annotations

import json
import os
import shutil
import site
import subprocess
import sys
import venv
from pathlib import Path

import pytest
from conftest import ROOT, SEEDS, age

SHIPPED = ("briefing.md.j2", "article.md.j2", "email.html.j2", "email.txt.j2", "email_subject.txt.j2")


def run(*args: str | Path, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run([str(a) for a in args], cwd=cwd, capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, timeout=300)
    if proc.returncode != 0:
        raise AssertionError(f"{' '.join(map(str, args))} exited {proc.returncode}:\n{proc.stderr}")
    return proc


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bin/ folder of a fresh venv holding digest installed from a wheel."""
    tmp = tmp_path_factory.mktemp("install")
    src = tmp / "src"  # a clean copy: building writes build/ and *.egg-info next to the sources
    shutil.copytree(ROOT / "digest", src / "digest", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, src / name)
    dist = tmp / "dist"
    # Built the way `pip install .` builds it (an isolated build environment with the
    # build-system requirements, like CI's `pip install -e`), so the test needs no setuptools here.
    run(sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", dist, src, cwd=tmp)
    [wheel] = dist.glob("digest-*.whl")
    env_dir = tmp / "venv"
    venv.create(env_dir, with_pip=False)
    python = env_dir / "bin" / "python"
    target = Path(run(python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))",
                      cwd=tmp).stdout.strip())
    deps = [p for p in site.getsitepackages() if Path(p).is_dir()]
    (target / "zz_test_dependencies.pth").write_text("\n".join(deps) + "\n", encoding="utf-8")
    run(sys.executable, "-m", "pip", "--python", python, "install", "-q", "--no-deps", "--no-index",
        wheel, cwd=tmp)
    return env_dir / "bin"


@pytest.mark.no_state
def test_the_wheel_ships_the_templates(installed: Path, tmp_path: Path) -> None:
    code = ("import digest, importlib.resources as r; print(digest.__file__); "
            "print(' '.join(sorted(p.name for p in r.files('digest').joinpath('templates').iterdir())))")
    where, names = run(installed / "python", "-c", code, cwd=tmp_path).stdout.splitlines()
    assert Path(where).is_relative_to(installed.parent)  # not the checkout
    assert set(SHIPPED) <= set(names.split())


@pytest.mark.own_backend  # a plain install (no extras) keeps its state in SQLite
def test_installed_digest_briefs_and_previews_from_another_folder(installed: Path,
                                                                 tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    news = tmp_path / "news"
    shutil.copytree(SEEDS, news)
    age(news)
    env = {"DIGEST_HOME": str(tmp_path / "home"), "XDG_CONFIG_HOME": str(tmp_path / "xdg")}
    digest = installed / "digest"

    proc = run(digest, "brief", "--source", news, "-o", "briefing.md", cwd=elsewhere, env=env)
    assert "new article(s)" in proc.stderr
    briefing = (elsewhere / "briefing.md").read_text(encoding="utf-8")
    assert briefing.startswith("# News briefing") and "Crocus" in briefing and "**Sources:**" in briefing
    data = json.loads(run(digest, "brief", "--format", "json", "--source", news, cwd=elsewhere,
                          env=env).stdout)
    assert len(data["stories"]) >= 2

    config = tmp_path / "xdg" / "digest" / "digest.toml"  # found in the user config folder
    config.parent.mkdir(parents=True)
    config.write_text(f"""[sources]
folders = ["{news}"]

[[digests]]
name = "morning"
schedule = "0 7 * * *"
recipients = ["ana@example.org"]
""", encoding="utf-8")
    assert run(digest, "check-config", cwd=elsewhere, env=env).stdout.startswith(
        f"{config}: OK (found in the user config folder)")
    proc = run(digest, "preview", "morning", "-o", "morning.html", cwd=elsewhere, env=env)
    page = (elsewhere / "morning.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "Crocus" in page and 'style="' in page
    assert "@media only screen" in page  # the phone layout survives inlining
    assert "wrote morning.html" in proc.stderr
