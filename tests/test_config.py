"""Config: the shipped example, relative paths, one-line errors naming file and key."""

from __future__ import annotations

import shutil
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import run_cli

from digest.cli import cli
from digest.config import DEFAULT_CONFIG, format_duration, load_config, parse_duration
from digest.errors import ConfigError

pytestmark = pytest.mark.no_state  # config files and check-config without a state

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "config" / "digest.toml"

SMTP = """
[smtp]
host = "mail.example.org"
sender = "Digest <digest@example.org>"
"""
DIGEST = """
[[digests]]
name = "morning"
schedule = "0 7 * * 1-5"
timezone = "Europe/Berlin"
recipients = ["ana@example.org"]
"""


def write(tmp_path: Path, text: str, name: str = "digest.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def error_of(path: Path) -> str:
    with pytest.raises(ConfigError) as e:
        load_config(path)
    message = str(e.value)
    assert "\n" not in message, "config errors are one line"
    return message


def test_shipped_example_loads_and_resolves_paths_against_its_folder() -> None:
    cfg = load_config(EXAMPLE)
    assert cfg.sources.folders == [(ROOT / "seeds").resolve()]
    assert cfg.sources.scan_every == timedelta(seconds=60)
    assert cfg.smtp is not None and cfg.smtp.security == "starttls"
    assert cfg.smtp.effective_port == 587 and cfg.smtp.password_env == "DIGEST_SMTP_PASSWORD"
    (morning,) = cfg.digests
    assert morning.name == "morning" and morning.schedule == "0 7 * * 1-5"
    assert str(morning.tz) == "Europe/Berlin"
    assert morning.recipients == ["ana@example.org", "ben@example.org"]
    assert morning.topics == [] and morning.max_stories == 10 and morning.words == 120
    assert morning.send_empty is False and morning.catch_up == timedelta(hours=12)
    assert DEFAULT_CONFIG == Path("config/digest.toml")


def test_relative_paths_resolve_against_the_config_folder(
        tmp_path: Path, tls_files: tuple[Path, Path]) -> None:
    (tmp_path / "conf" / "news").mkdir(parents=True)
    (tmp_path / "conf" / "tpl").mkdir()
    shutil.copy(tls_files[0], tmp_path / "conf" / "ca.pem")
    path = write(tmp_path / "conf", 'templates = "tpl"\n[sources]\nfolders = ["news"]\n'
                 + SMTP + 'ca_file = "ca.pem"\n' + DIGEST)
    cfg = load_config(path)
    assert cfg.sources.folders == [(tmp_path / "conf" / "news").resolve()]
    assert cfg.templates == (tmp_path / "conf" / "tpl").resolve()
    assert cfg.smtp is not None and cfg.smtp.ca_file == (tmp_path / "conf" / "ca.pem").resolve()


def test_smtp_is_optional_until_a_command_needs_it(tmp_path: Path) -> None:
    cfg = load_config(write(tmp_path, '[sources]\nfolders = ["."]\n'))
    assert cfg.smtp is None and cfg.digests == []
    with pytest.raises(ConfigError, match=r"digest\.toml: \[smtp\]: section missing"):
        cfg.require_smtp()


def test_password_comes_from_the_named_environment_variable(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, SMTP + 'username = "digest"\npassword_env = "MY_PW"\n')
    monkeypatch.delenv("MY_PW", raising=False)
    cfg = load_config(path)
    with pytest.raises(ConfigError, match=r"smtp\.password_env: environment variable MY_PW is not"):
        cfg.smtp_password()
    monkeypatch.setenv("MY_PW", "hunter2")
    assert cfg.smtp_password() == "hunter2"
    assert "hunter2" not in repr(cfg)
    # a local relay needs no login
    assert load_config(write(tmp_path, SMTP, "relay.toml")).smtp_password() is None


@pytest.mark.parametrize(("text", "expected"), [
    (SMTP + DIGEST.replace('"Europe/Berlin"', '"Europe/Berln"'),
     "digests[0] (morning).timezone: unknown time zone 'Europe/Berln'"),
    (SMTP + DIGEST.replace('"0 7 * * 1-5"', '"0 7 * *"'),
     "digests[0] (morning).schedule: '0 7 * *': a schedule needs 5 fields"),
    (SMTP + DIGEST.replace('"0 7 * * 1-5"', '"0 25 * * *"'),
     "digests[0] (morning).schedule: '0 25 * * *':"),
    (SMTP + DIGEST.replace('"0 7 * * 1-5"', '"0 7 1 * 1"'),
     "restrict either the day of month or the weekday"),
    (SMTP + DIGEST + 'colour = "blue"\n', "digests[0] (morning).colour: unknown key"),
    (SMTP + DIGEST.replace('["ana@example.org"]', '["ana@example.org\\nBcc: x@y.z"]'),
     "digests[0] (morning).recipients: 'ana@example.org\\nBcc: x@y.z' is not an email address"),
    (SMTP + DIGEST.replace('["ana@example.org"]', '[]'),
     "digests[0] (morning).recipients: List should have at least 1 item"),
    (SMTP + DIGEST + DIGEST, "digests: Value error, two digests are named 'morning'"
     .replace("Value error, ", "")),
    (SMTP + 'security = "none"\n', "smtp: security = \"none\" is only allowed for localhost"),
    (SMTP + 'username = "digest"\n', "smtp: username and password_env go together"),
    (SMTP + 'password_env = "hunter2 is my password"\n',
     "smtp.password_env: 'hunter2 is my password' is not an environment variable name"),
    (SMTP + 'port = "abc"\n', "smtp.port: Input should be a valid integer"),
    (SMTP + 'ca_file = "missing.pem"\n', "smtp.ca_file: CA file"),
    (SMTP + 'ca_file = "digest.toml"\n', "is not a PEM certificate file"),
    (SMTP.replace('"Digest <digest@example.org>"', '"nobody"'), "smtp.sender: 'nobody' is not"),
    ('[sources]\nscan_every = "soon"\n', "sources.scan_every: 'soon' is not a duration"),
    ('[smtp]\nhost = "x"\n', "smtp.sender: missing (required)"),
    ("[sources\n", "invalid TOML"),
])
def test_errors_name_file_key_and_problem_in_one_line(tmp_path: Path, text: str,
                                                      expected: str) -> None:
    path = write(tmp_path, text)
    message = error_of(path)
    assert message.startswith(f"{path}: ")
    assert expected in message


def test_missing_file_and_unknown_digest(tmp_path: Path) -> None:
    assert error_of(tmp_path / "nope.toml") == f"{tmp_path / 'nope.toml'}: config file not found"
    cfg = load_config(write(tmp_path, SMTP + DIGEST))
    with pytest.raises(ConfigError, match=r"no \[\[digests\]\] entry named 'evening' \(known: "
                                          r"morning\)"):
        cfg.digest("evening")


def test_security_none_is_allowed_for_localhost(tmp_path: Path) -> None:
    cfg = load_config(write(tmp_path, SMTP.replace("mail.example.org", "localhost")
                            + 'security = "none"\n'))
    assert cfg.smtp is not None and cfg.smtp.effective_port == 25


def test_durations() -> None:
    assert parse_duration("60s") == timedelta(seconds=60)
    assert parse_duration("5m") == timedelta(minutes=5)
    assert parse_duration("12h") == timedelta(hours=12)
    assert parse_duration("1d") == timedelta(days=1)
    assert parse_duration(90) == timedelta(seconds=90)
    assert format_duration(timedelta(hours=12)) == "12h"
    assert format_duration(timedelta(seconds=90)) == "90s"
    with pytest.raises(ValueError):
        parse_duration("soon")


def test_check_config_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DIGEST_SMTP_PASSWORD", "x")
    res = CliRunner().invoke(cli, ["--config", str(EXAMPLE), "check-config"])
    assert res.exit_code == 0, res.output
    assert f"{EXAMPLE}: OK" in res.output
    assert "smtp: 127.0.0.1:587 starttls, login as digest" in res.output
    assert 'digest morning: "0 7 * * 1-5" Europe/Berlin to 2 recipient(s)' in res.output
    assert "CET" in res.output or "CEST" in res.output
    # $DIGEST_CONFIG works like --config
    monkeypatch.setenv("DIGEST_CONFIG", str(EXAMPLE))
    assert CliRunner().invoke(cli, ["check-config"]).exit_code == 0


def test_check_config_reports_a_bad_file_in_one_line(tmp_path: Path) -> None:
    from conftest import run_cli

    path = write(tmp_path, SMTP + DIGEST.replace('"Europe/Berlin"', '"Mars/Olympus"'))
    proc = run_cli("--config", str(path), "check-config", check=False)
    assert proc.returncode != 0
    assert proc.stderr.strip() == (f"error: {path}: digests[0] (morning).timezone: unknown time "
                                   "zone 'Mars/Olympus' (use an IANA name like Europe/Berlin)")


def test_ca_file_that_is_not_a_certificate_is_one_line_from_the_cli(tmp_path: Path) -> None:
    (tmp_path / "ca.pem").write_text("-----BEGIN CERTIFICATE-----\nnot base64\n", encoding="utf-8")
    path = write(tmp_path, SMTP + 'ca_file = "ca.pem"\n' + DIGEST)
    proc = run_cli("--config", str(path), "check-config", check=False)
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr
    [line] = proc.stderr.strip().splitlines()
    assert f"{path}: smtp.ca_file: CA file {tmp_path / 'ca.pem'} is not a PEM certificate file" in line
