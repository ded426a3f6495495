"""Schedules in a time zone across daylight-saving changes, catch-up after downtime, the
daemon's jobs, and a clean stop on SIGTERM. The clock is passed in: nothing sleeps for cron."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from conftest_email import SmtpServer, write_config

from digest.config import DigestSpec, load_config
from digest.email import outbox
from digest.email.daemon import Daemon
from digest.email.transport import SmtpSettings, SmtpTransport
from digest.schedule import Due, cron_trigger, due_slot, fire_times, next_runs
from digest.storage import Store
from digest.storage.location import StateLocation

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


def spec(schedule: str = "0 7 * * 1-5", tz: str = "Europe/Berlin", **kw: Any) -> DigestSpec:
    return DigestSpec(name="morning", schedule=schedule, timezone=tz,
                      recipients=["ana@example.org"], **kw)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)  # type: ignore[misc]


# -- schedules ------------------------------------------------------------------------------------
def test_weekdays_are_cron_weekdays_not_apscheduler_ones() -> None:
    # APScheduler 3 counts Monday as 0: a naive from_crontab("... 1-5") means Tue-Sat.
    runs = next_runs(spec(), datetime(2024, 3, 22, 12, 0, tzinfo=BERLIN), 5)  # a Friday
    assert [r.strftime("%a %d") for r in runs] == ["Mon 25", "Tue 26", "Wed 27", "Thu 28",
                                                    "Fri 29"]
    sundays = next_runs(spec("0 9 * * 0"), datetime(2024, 3, 20, tzinfo=BERLIN), 2)
    assert [r.strftime("%a") for r in sundays] == ["Sun", "Sun"]
    assert next_runs(spec("0 9 * * 7"), datetime(2024, 3, 20, tzinfo=BERLIN), 1) == sundays[:1]
    weekend = next_runs(spec("0 9 * * sat,sun"), datetime(2024, 3, 20, tzinfo=BERLIN), 2)
    assert [r.strftime("%a") for r in weekend] == ["Sat", "Sun"]


def test_schedule_follows_the_spring_forward_change_in_its_zone() -> None:
    # Europe/Berlin moves from CET (+1) to CEST (+2) on Sunday 2024-03-31.
    runs = next_runs(spec(), datetime(2024, 3, 28, 12, 0, tzinfo=UTC), 3)
    assert [r.astimezone(UTC) for r in runs] == [
        utc(2024, 3, 29, 6, 0),  # Fri 07:00 CET
        utc(2024, 4, 1, 5, 0),   # Mon 07:00 CEST: an hour earlier in UTC
        utc(2024, 4, 2, 5, 0),
    ]
    assert all(r.astimezone(BERLIN).hour == 7 for r in runs)


def test_schedule_in_new_york_across_its_own_change() -> None:
    # The US changes on 2024-03-10, three weeks before Europe.
    runs = next_runs(spec("30 6 * * *", "America/New_York"), datetime(2024, 3, 9, tzinfo=UTC), 2)
    assert [r.astimezone(UTC) for r in runs] == [utc(2024, 3, 9, 11, 30), utc(2024, 3, 10, 10, 30)]


def test_a_time_that_happens_twice_when_clocks_go_back_fires_once() -> None:
    trigger = cron_trigger("30 2 * * *", BERLIN)
    runs = list(fire_times(trigger, datetime(2024, 10, 26, 12, 0, tzinfo=BERLIN),
                           datetime(2024, 10, 28, 12, 0, tzinfo=BERLIN)))
    assert [r.astimezone(UTC) for r in runs] == [utc(2024, 10, 27, 0, 30), utc(2024, 10, 28, 1, 30)]


def test_a_time_that_does_not_exist_when_clocks_go_forward_still_fires_once() -> None:
    trigger = cron_trigger("30 2 * * *", BERLIN)
    runs = list(fire_times(trigger, datetime(2024, 3, 30, 12, 0, tzinfo=BERLIN),
                           datetime(2024, 4, 1, 12, 0, tzinfo=BERLIN)))
    assert len(runs) == 2
    assert runs[0].astimezone(UTC) == utc(2024, 3, 31, 1, 30)  # 03:30 CEST, just after the gap
    assert runs[1].astimezone(UTC) == utc(2024, 4, 1, 0, 30)


# -- catch-up after downtime ----------------------------------------------------------------------
def test_due_slot_decides_catch_up() -> None:
    s = spec()  # 07:00 Mon-Fri Berlin, catch_up 12h
    mon_7 = datetime(2024, 4, 1, 7, 0, tzinfo=BERLIN)
    last = datetime(2024, 3, 29, 7, 0, tzinfo=BERLIN)  # Friday's run was sent
    # The daemon was down over the weekend and starts Monday 09:30: send Monday's now.
    assert due_slot(s, last, mon_7 + timedelta(hours=2, minutes=30)) == Due(mon_7, None)
    # Before 07:00 nothing is due.
    assert due_slot(s, last, mon_7 - timedelta(minutes=1)) == Due(None, None)
    # Already sent: nothing (a restart never resends).
    assert due_slot(s, mon_7, mon_7 + timedelta(minutes=5)) == Due(None, None)
    # Back only on Monday 20:00, more than 12 h late: skipped (logged), not sent.
    assert due_slot(s, last, mon_7 + timedelta(hours=13)) == Due(None, mon_7)
    # Down from Thursday to Tuesday 08:00: the missed runs coalesce into Tuesday's one.
    tue_7 = datetime(2024, 4, 2, 7, 0, tzinfo=BERLIN)
    assert due_slot(s, datetime(2024, 3, 28, 7, 0, tzinfo=BERLIN),
                    tue_7 + timedelta(hours=1)) == Due(tue_7, None)
    # First start ever: nothing owed.
    assert due_slot(s, None, mon_7 + timedelta(hours=1)) == Due(None, None)
    # A shorter grace period is honoured.
    short = spec(catch_up="30m")
    assert due_slot(short, last, mon_7 + timedelta(minutes=45)) == Due(None, mon_7)


def test_restart_sends_a_run_missed_while_down_exactly_once(
        tmp_path: Path, smtp_server: SmtpServer, seeds: Path, state_location: StateLocation) -> None:
    cfg = load_config(write_config(tmp_path / "cfg", smtp_server, seeds))
    transport = SmtpTransport(SmtpSettings.from_config(cfg))
    state = state_location
    Daemon(cfg, state, transport).tick(datetime(2024, 3, 28, 20, 0, tzinfo=BERLIN))  # baseline
    # Down from Thursday evening; restarted Friday 08:15 -> Friday 07:00 is sent now.
    Daemon(cfg, state, transport).tick(datetime(2024, 3, 29, 8, 15, tzinfo=BERLIN))
    assert len(smtp_server.received) == 2
    Daemon(cfg, state, transport).tick(datetime(2024, 3, 29, 8, 16, tzinfo=BERLIN))
    assert len(smtp_server.received) == 2
    with Store(state) as store:
        runs = [tuple(r) for r in store.db.execute(
            "SELECT slot_key, kind FROM digest_runs ORDER BY slot_utc")]
    assert runs[1:] == [("2024-03-29T07:00", "scheduled")]


def test_restart_long_after_a_run_skips_it_and_says_so(
        tmp_path: Path, smtp_server: SmtpServer, seeds: Path,
        caplog: pytest.LogCaptureFixture, state_location: StateLocation) -> None:
    cfg = load_config(write_config(tmp_path / "cfg", smtp_server, seeds))
    transport = SmtpTransport(SmtpSettings.from_config(cfg))
    state = state_location
    Daemon(cfg, state, transport).tick(datetime(2024, 3, 28, 20, 0, tzinfo=BERLIN))
    caplog.set_level("INFO", logger="digest")
    Daemon(cfg, state, transport).tick(datetime(2024, 3, 29, 22, 0, tzinfo=BERLIN))
    assert smtp_server.received == []
    assert "skipped the run(s) due up to Fri 2024-03-29 07:00 CET" in caplog.text
    # The stories were not lost: Monday's digest carries them.
    Daemon(cfg, state, transport).tick(datetime(2024, 4, 1, 7, 0, 30, tzinfo=BERLIN))
    assert len(smtp_server.received) == 2


def test_a_due_run_that_finds_a_send_in_progress_is_left_for_the_next_scan(
        tmp_path: Path, smtp_server: SmtpServer, seeds: Path, state_location: StateLocation) -> None:
    cfg = load_config(write_config(tmp_path / "cfg", smtp_server, seeds))
    transport = SmtpTransport(SmtpSettings.from_config(cfg))
    state = state_location
    daemon = Daemon(cfg, state, transport, lock_wait=timedelta(seconds=0.2))
    daemon.tick(datetime(2024, 3, 28, 20, 0, tzinfo=BERLIN))  # baseline
    with Store(state) as store, outbox.send_lock(store) as locked:
        assert locked  # a `digest send` holds the send lock all along
        daemon.tick(datetime(2024, 3, 29, 7, 0, 30, tzinfo=BERLIN))
        assert smtp_server.received == []
        assert outbox.last_slot(store, "morning") == datetime(2024, 3, 28, 19, 0)  # not recorded
    daemon.tick(datetime(2024, 3, 29, 7, 1, 30, tzinfo=BERLIN))  # the next scan sends it
    assert sorted(r.recipients[0] for r in smtp_server.received) == ["ana@example.org",
                                                                     "ben@example.org"]
    daemon.tick(datetime(2024, 3, 29, 7, 2, 30, tzinfo=BERLIN))
    assert len(smtp_server.received) == 2


# -- the daemon -----------------------------------------------------------------------------------
def test_daemon_schedules_one_cron_job_per_digest_in_its_zone(
        tmp_path: Path, smtp_down: SmtpServer, seeds: Path, state_location: StateLocation) -> None:
    path = write_config(tmp_path / "cfg", smtp_down, seeds, digest_extra="""
[[digests]]
name = "evening"
schedule = "30 18 * * *"
timezone = "America/New_York"
recipients = ["ben@example.org"]
""")
    cfg = load_config(path)
    daemon = Daemon(cfg, state_location, SmtpTransport(SmtpSettings.from_config(cfg)))
    daemon.add_jobs()  # not started: nothing runs
    jobs = daemon.jobs()
    assert set(jobs) == {"scan", "deliver", "digest:morning", "digest:evening"}
    assert "interval[0:01:00]" in jobs["scan"]
    assert "day_of_week='mon,tue,wed,thu,fri', hour='7', minute='0'" in jobs["digest:morning"]
    assert jobs["digest:morning"].endswith("in Europe/Berlin")
    assert "hour='18', minute='30'" in jobs["digest:evening"]
    assert jobs["digest:evening"].endswith("in America/New_York")
    job = daemon.scheduler.get_job("digest:morning")
    assert job.misfire_grace_time == 12 * 3600 and job.coalesce


def test_running_daemon_catches_up_and_stops_cleanly(
        tmp_path: Path, smtp_server: SmtpServer, seeds: Path, state_location: StateLocation) -> None:
    """A real BackgroundScheduler: the start-up scan sends the run that fell due while the
    daemon was down (the last slot is a minute ago), then stop() waits for the job."""
    cfg = load_config(write_config(tmp_path / "cfg", smtp_server, seeds, digest_extra="",
                                   recipients=("ana@example.org",)))
    cfg = cfg.model_copy(update={"digests": [cfg.digests[0].model_copy(
        update={"schedule": "* * * * *"})]})
    state = state_location
    with Store(state) as store:
        outbox.record_baseline(store, "morning",
                               datetime.now(UTC).replace(tzinfo=None) - timedelta(minutes=5))
    daemon = Daemon(cfg, state, SmtpTransport(SmtpSettings.from_config(cfg)))
    daemon.start()
    try:
        deadline = time.monotonic() + 15
        while not smtp_server.received and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        daemon.stop()
    assert len(smtp_server.received) == 1
    assert not daemon.scheduler.running


def test_sigterm_stops_the_daemon_cleanly(
        tmp_path: Path, smtp_server: SmtpServer, seeds: Path, digest_home: Path) -> None:
    path = write_config(tmp_path / "cfg", smtp_server, seeds)
    env = {**os.environ, "DIGEST_HOME": str(digest_home), "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "digest", "--config", str(path), "run"],
                            stderr=subprocess.PIPE, text=True, env=env)
    assert proc.stderr is not None
    lines = []
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            line = proc.stderr.readline()
            lines.append(line)
            if "running; stop with" in line or not line:
                break
        assert any("running; stop with" in x for x in lines), "".join(lines)
        proc.send_signal(signal.SIGTERM)
        rest = proc.communicate(timeout=30)[1]
    finally:
        if proc.poll() is None:
            proc.kill()
    log = "".join(lines) + rest
    assert proc.returncode == 0, log
    assert "SIGTERM: stopping after the send in flight" in log
    assert "stopped; undelivered mail stays queued for the next start" in log
    assert "digest morning: 0 7 * * 1-5 (Europe/Berlin), next" in log
