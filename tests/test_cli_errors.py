"""Mistakes a user makes get one line naming the path or key (the traceback only with -v):
output paths, the state file, sources, config files and their discovery, unreadable pages."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from conftest import ROOT, age, run_cli, state_exists

from digest.storage.location import StateLocation

SEED = "000_e16f7bd2d506038e.txt"


def one_error_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), stderr
    assert "Traceback" not in stderr
    return lines[0]


@pytest.mark.alternate_backends
def test_brief_output_into_a_missing_folder_is_one_line_and_takes_nothing_in(
        seeds: Path, tmp_path: Path, state_location: StateLocation) -> None:
    target = tmp_path / "missing" / "dir" / "x.md"
    proc = run_cli("brief", "--source", str(seeds), "-o", str(target), check=False)
    assert proc.returncode == 1 and proc.stdout == ""
    line = one_error_line(proc.stderr)
    assert str(target) in line and "does not exist" in line
    assert not state_exists(state_location)  # refused before any work
    verbose = run_cli("-v", "brief", "--source", str(seeds), "-o", str(target), check=False)
    assert verbose.returncode == 1 and "Traceback" in verbose.stderr and "OutputError" in verbose.stderr


@pytest.mark.sqlite_file
def test_state_that_is_a_folder_or_not_a_database_is_one_line(seeds: Path, tmp_path: Path) -> None:
    folder = tmp_path / "a-folder"
    folder.mkdir()
    proc = run_cli("--state", str(folder), "brief", "--source", str(seeds), check=False)
    assert proc.returncode == 1 and proc.stdout == ""
    assert one_error_line(proc.stderr) == (
        f"error: {folder}: is a folder; --state takes the path of a state file")

    junk = tmp_path / "notes.txt"
    junk.write_text("shopping list: bread, milk\n" * 100, encoding="utf-8")
    before = junk.read_bytes()
    for args in (("brief", "--source", str(seeds)), ("topics", "test", "--query", "Putin")):
        proc = run_cli("--state", str(junk), *args, check=False)
        assert proc.returncode == 1, proc.stderr
        line = one_error_line(proc.stderr)
        assert line.startswith(f"error: {junk}: not a usable digest state file")
        assert "file is not a database" in line
    assert junk.read_bytes() == before  # never overwritten

    config = tmp_path / "digest.toml"
    config.write_text(SMTP_CONFIG, encoding="utf-8")
    proc = run_cli("--config", str(config), "--state", str(folder), "run", check=False,
                   env={"MY_DIGEST_SMTP_PASSWORD": "x"})
    assert proc.returncode == 1
    assert one_error_line(proc.stderr) == (
        f"error: {folder}: is a folder; --state takes the path of a state file")


@pytest.mark.alternate_backends
def test_missing_source_exits_2_and_prints_no_stories(seeds: Path, tmp_path: Path) -> None:
    run_cli("brief", "--source", str(seeds))  # stories are stored
    missing = tmp_path / "typo"
    proc = run_cli("brief", "--source", str(seeds), "--source", str(missing), check=False)
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert one_error_line(proc.stderr) == f"error: --source {missing}: no such folder or file"


@pytest.mark.alternate_backends
def test_a_single_file_as_source_is_that_file(seeds: Path, tmp_path: Path) -> None:
    proc = run_cli("brief", "--source", str(seeds / SEED), "--format", "json")
    stories = json.loads(proc.stdout)["stories"]
    assert [[a["path"] for a in s["articles"]] for s in stories] == [[str(seeds / SEED)]]
    assert "1 new article(s) from 1 file(s)" in proc.stderr
    other = tmp_path / "notes.pdf"
    other.write_bytes(b"%PDF-1.4")
    age(other)
    proc = run_cli("brief", "--source", str(other), check=False)
    assert f"warning: {other}: not an article file" in proc.stderr


@pytest.mark.no_state
def test_extract_warns_about_an_empty_page_and_prints_the_others(seeds: Path, tmp_path: Path) -> None:
    empty = tmp_path / "nav-only.html"
    empty.write_text("<html><head><title>x</title></head><body><div><a href='/'>Home</a></div>"
                     "</body></html>", encoding="utf-8")
    blank = tmp_path / "blank.txt"
    blank.write_text("  \n", encoding="utf-8")
    proc = run_cli("extract", "--format", "json", str(empty), str(seeds / SEED), str(blank))
    rows = json.loads(proc.stdout)
    assert [r["path"] for r in rows] == [str(seeds / SEED)]
    assert rows[0]["title"] == "No Plans for Putin to Meet With Concert Attack Survivors, Kremlin Says"
    assert proc.stderr.splitlines() == [
        f"warning: {empty}: no article text found",
        f"warning: {blank}: empty file",
    ]  # trafilatura's own "discarding data: None" stays out
    folder = tmp_path / "mixed"
    folder.mkdir()
    shutil.copy2(empty, folder / empty.name)
    shutil.copy2(seeds / SEED, folder / SEED)
    age(folder)
    proc = run_cli("brief", "--source", str(folder), "-o", str(tmp_path / "b.md"))
    assert proc.stderr.splitlines() == [  # brief: the same one line, no trafilatura log
        f"warning: {folder / empty.name}: no article text found",
        "digest: 1 new article(s) from 2 file(s), 0 unchanged"]  # the page was read: only chrome
    nothing = run_cli("extract", str(empty), check=False)
    assert nothing.returncode == 1 and nothing.stdout == ""
    assert nothing.stderr.splitlines()[-1] == "error: no article text in the given files"


# -- config -------------------------------------------------------------------------------------
def toml(*, sources: str = "", smtp: str = "", digest: str = "") -> str:
    """A config with news/, an SMTP server and one digest, plus the given lines in each."""
    return (f'[sources]\nfolders = ["news"]\n{sources}\n\n[smtp]\nhost = "mail.example.org"\n'
            f'sender = "Digest <digest@example.org>"\n{smtp}\n\n[[digests]]\nname = "morning"\n'
            f'schedule = "0 7 * * 1-5"\nrecipients = ["ana@example.org"]\n{digest}\n')


BROKEN = toml(sources='scan_every = "often"', smtp='colour = "blue"',
              digest='timezone = "Mars/Olympus"')


@pytest.mark.no_state
def test_check_config_lists_every_error_at_once(tmp_path: Path) -> None:
    path = tmp_path / "digest.toml"
    path.write_text(BROKEN, encoding="utf-8")
    proc = run_cli("--config", str(path), "check-config", check=False)
    assert proc.returncode == 1 and proc.stdout == ""
    assert sorted(proc.stderr.splitlines()) == sorted([
        f"error: {path}: sources.scan_every: 'often' is not a duration: use e.g. 60s, 5m, 12h",
        f"error: {path}: smtp.colour: unknown key",
        f"error: {path}: digests[0] (morning).timezone: unknown time zone 'Mars/Olympus' (use an "
        "IANA name like Europe/Berlin)",
    ])
    assert "more)" not in proc.stderr


@pytest.mark.no_state
def test_a_broken_config_is_an_error_for_brief_too(seeds: Path, tmp_path: Path) -> None:
    path = tmp_path / "digest.toml"
    path.write_text(BROKEN, encoding="utf-8")
    for args in (("brief", "--source", str(seeds)), ("topics", "list")):
        proc = run_cli("--config", str(path), *args, check=False)
        assert proc.returncode == 1 and proc.stdout == "", args
        assert len(proc.stderr.splitlines()) == 3
        assert f"error: {path}: smtp.colour: unknown key" in proc.stderr.splitlines()


SMTP_CONFIG = toml(smtp='username = "digest"\npassword_env = "MY_DIGEST_SMTP_PASSWORD"')


@pytest.mark.no_state
def test_check_config_fails_when_the_smtp_password_variable_is_unset(tmp_path: Path) -> None:
    path = tmp_path / "digest.toml"
    path.write_text(SMTP_CONFIG, encoding="utf-8")
    (tmp_path / "news").mkdir()
    proc = run_cli("--config", str(path), "check-config", check=False,
                   env={"MY_DIGEST_SMTP_PASSWORD": ""})
    assert proc.returncode == 1
    assert proc.stdout.startswith(f"{path}: NOT READY (given by --config)\n")
    assert proc.stderr.strip() == (f"error: {path}: smtp.password_env: environment variable "
                                   "MY_DIGEST_SMTP_PASSWORD is not set")
    ok = run_cli("--config", str(path), "check-config", env={"MY_DIGEST_SMTP_PASSWORD": "s3cret"})
    assert ok.stdout.startswith(f"{path}: OK (given by --config)\n") and ok.stderr == ""


@pytest.mark.no_state
@pytest.mark.slow
def test_config_discovery_order_and_check_config_names_the_file(tmp_path: Path) -> None:
    """--config, then $DIGEST_CONFIG, then ./config/digest.toml, then ~/.config/digest/."""
    xdg = tmp_path / "xdg"  # conftest points XDG_CONFIG_HOME here
    user = xdg / "digest" / "digest.toml"
    user.parent.mkdir(parents=True)
    user.write_text('[sources]\nfolders = ["user-news"]\n', encoding="utf-8")
    work = tmp_path / "work"
    (work / "config").mkdir(parents=True)
    local = work / "config" / "digest.toml"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env_file = tmp_path / "env.toml"
    env_file.write_text('[sources]\nfolders = ["env-news"]\n', encoding="utf-8")
    given = tmp_path / "given.toml"
    given.write_text('[sources]\nfolders = ["given-news"]\n', encoding="utf-8")

    def check(cwd: Path, *args: str, env: dict[str, str] | None = None) -> str:
        return run_cli(*args, "check-config", cwd=cwd, env=env).stdout.splitlines()[0]

    assert check(elsewhere) == f"{user}: OK (found in the user config folder)"
    shown = run_cli("check-config", cwd=elsewhere).stdout
    assert f"sources: {user.parent / 'user-news'}" in shown  # relative to the config file
    local.write_text('[sources]\nfolders = ["local-news"]\n', encoding="utf-8")
    assert check(work) == "config/digest.toml: OK (found in the current folder)"
    assert check(work, env={"DIGEST_CONFIG": str(env_file)}) == (
        f"{env_file}: OK (given by $DIGEST_CONFIG)")
    assert check(work, "--config", str(given), env={"DIGEST_CONFIG": str(env_file)}) == (
        f"{given}: OK (given by --config)")

    user.unlink()
    proc = run_cli("check-config", cwd=elsewhere, check=False)
    assert proc.returncode == 1
    assert one_error_line(proc.stderr) == (
        "error: no config file: pass --config PATH or set DIGEST_CONFIG "
        f"(looked for config/digest.toml and {user})")


@pytest.mark.alternate_backends
def test_brief_uses_the_discovered_config_and_its_templates(seeds: Path, tmp_path: Path) -> None:
    xdg = tmp_path / "xdg"
    tpl = xdg / "digest" / "tpl"
    tpl.mkdir(parents=True)
    (tpl / "briefing.md.j2").write_text("MINE {{ briefing.stories | length }} stories\n",
                                        encoding="utf-8")
    (xdg / "digest" / "digest.toml").write_text(
        f'templates = "tpl"\n[sources]\nfolders = ["{seeds}"]\n', encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    proc = run_cli("brief", cwd=elsewhere)
    assert proc.stdout.startswith("MINE ") and int(proc.stdout.split()[1]) >= 2
    # --templates wins over the config's folder
    shutil.copytree(ROOT / "digest" / "templates", tmp_path / "shipped")
    proc = run_cli("brief", "--templates", str(tmp_path / "shipped"), cwd=elsewhere)
    assert proc.stdout.startswith("# News briefing")
