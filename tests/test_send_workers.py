"""Several workers deliver one digest run, on both backends, against a real SMTP server
(aiosmtpd on 127.0.0.1): each message is claimed by one worker under a lease; a killed
worker's message is settled by another (`sending`: sent again; `handed_over`: unconfirmed,
never sent twice); a worker whose lease ran out cannot send the message taken over; two
daemons on one state send a due run once. Every case ends with each recipient holding
exactly one copy the server accepted, and the ledger saying so."""

from __future__ import annotations

import signal
import sqlite3
import threading
import time
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from conftest import CliRun, start_cli
from conftest_email import Pause, SmtpServer, write_config

from digest import pipeline
from digest.config import Config, load_config
from digest.email import outbox, service
from digest.email.daemon import Daemon
from digest.email.transport import SmtpSettings, SmtpTransport
from digest.storage import Store, parse_location
from digest.storage.migrations import MIGRATIONS

NOW = datetime(2024, 4, 3, 5, 0)  # naive UTC: 07:00 in Berlin
SLOT_KEY = "2024-04-03T07:00"


def readers(n: int) -> tuple[str, ...]:
    return tuple(f"reader{i:03d}@example.org" for i in range(n))


def setup(tmp_path: Path, server: SmtpServer, seeds: Path, state: str, recipients: tuple[str, ...],
          **kw: str) -> tuple[Config, SmtpTransport]:
    """A config for the test server, and the seeds taken in (the stories every digest has)."""
    cfg = load_config(write_config(tmp_path / "cfg", server, seeds, recipients=recipients, **kw))
    with Store(parse_location(state)) as store:
        pipeline.ingest_sources(store, cfg.sources, now=NOW)
    return cfg, SmtpTransport(SmtpSettings.from_config(cfg))


def queue_digest(cfg: Config, state: str, now: datetime = NOW) -> list[outbox.Message]:
    """Compose the digest for every recipient and queue it (no delivery)."""
    spec = cfg.digest("morning")
    with Store(parse_location(state)) as store:
        prepared = service.prepare(cfg, store, spec, now)
        outbox.enqueue(store, spec.name, "run 1", [p.to_queue() for p in prepared], now)
        return outbox.queued(store)


def ledger(state: str) -> list[outbox.Message]:
    with Store(parse_location(state)) as store:
        return outbox.messages(store)


def assert_once_each(server: SmtpServer, state: str, recipients: tuple[str, ...]) -> None:
    """One accepted copy per recipient, and it is the ledger's message (its Message-ID)."""
    assert server.copies() == dict.fromkeys(recipients, 1)
    got = {r.recipients[0]: r.message["Message-ID"] for r in server.received}
    rows = [m for m in ledger(state) if m.state in ("sent", "unconfirmed")]
    assert sorted(m.recipient for m in rows) == sorted(recipients)
    assert all(got[m.recipient] == m.message_id for m in rows)
    assert not [m for m in ledger(state) if m.state in ("queued", "sending", "handed_over")]


# -- several workers at once -------------------------------------------------------------------
def test_three_workers_deliver_a_run_once_each_and_share_the_work(
        state: str, tmp_path: Path, smtp_server: SmtpServer, seeds: Path) -> None:
    """Three workers (threads with a state connection each, as three daemons would be) run
    the same scheduled slot: one composes and queues it, all three deliver."""
    recipients = readers(200)
    cfg, transport = setup(tmp_path, smtp_server, seeds, state, recipients)
    spec = cfg.digest("morning")
    start = threading.Barrier(3)
    results: list[service.SendResult] = []

    def worker() -> None:
        with Store(parse_location(state)) as store:
            start.wait()
            results.append(service.run_slot(cfg, store, spec, transport, slot_utc=NOW,
                                            slot_key=SLOT_KEY, now=NOW, lock_timeout=60))

    threads = [threading.Thread(target=worker) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert len(results) == 3
    assert sorted(len(r.queued) for r in results) == [0, 0, 200]  # composed once
    assert sum(r.already_done for r in results) == 2
    assert_once_each(smtp_server, state, recipients)
    rows = ledger(state)
    assert [m.state for m in rows] == ["sent"] * 200 and all(m.attempts == 1 for m in rows)
    by_worker = Counter(m.claimed_by for m in rows)
    assert len(by_worker) > 1, by_worker  # the work was shared
    assert sorted(len(r.delivery.sent) for r in results) == sorted(by_worker.values()) + (
        [0] * (3 - len(by_worker)))
    with Store(parse_location(state)) as store:
        runs = [tuple(r) for r in store.db.execute("SELECT slot_key, kind FROM digest_runs")]
    assert runs == [(SLOT_KEY, "scheduled")]


def test_a_worker_whose_lease_ran_out_cannot_send_the_message_taken_over(
        state: str, tmp_path: Path, smtp_server: SmtpServer, seeds: Path) -> None:
    """A slow worker (the server holds it before its DATA is answered) keeps its message
    while its lease runs, renewing it; once the lease has run out (its clock says a minute
    passed: a stopped process renews nothing) another worker takes the message over
    and sends it; the slow one, going on, is refused by the owner check and drops its
    connection before the final dot: the server keeps no second copy."""
    recipients = readers(4)
    cfg, transport = setup(tmp_path, smtp_server, seeds, state, recipients)
    queue_digest(cfg, state)
    pause = Pause("data", 1)
    smtp_server.handler.pause = pause
    slow: list[outbox.DeliveryReport] = []

    def slow_worker() -> None:
        with Store(parse_location(state)) as store:
            slow.append(outbox.deliver_pass(store, transport, NOW, lease=timedelta(seconds=1)))

    thread = threading.Thread(target=slow_worker)
    thread.start()
    try:
        assert pause.reached.wait(30)
        with Store(parse_location(state)) as store:
            (held,) = outbox.in_flight(store)
            assert held.state == "sending" and held.claimed_by != store.ledger.owner
            # While it waits for the server its worker renews the lease (every third of it).
            deadline = time.monotonic() + 10
            while outbox.get(store, held.id).lease_until == held.lease_until:
                assert time.monotonic() < deadline, "the lease was not renewed"
                time.sleep(0.05)
            # Its worker is alive and its lease runs: another worker leaves it alone.
            early = outbox.deliver(store, transport, NOW)
            assert sorted(m.recipient for m in early.sent) == sorted(set(recipients)
                                                                     - {held.recipient})
            assert outbox.get(store, held.id).state == "sending"
            # The lease has run out (the slow worker's clock started at NOW too).
            later = outbox.deliver(store, transport, NOW + timedelta(minutes=1))
            assert [m.id for m in later.sent] == [held.id]
            taker = store.ledger.owner
    finally:
        pause.release.set()
        smtp_server.handler.pause = None
        thread.join(60)
    (report,) = slow
    assert [m.id for m, _ in report.taken_over] == [held.id] and not report.sent
    assert_once_each(smtp_server, state, recipients)
    rows = {m.id: m for m in ledger(state)}
    assert rows[held.id].state == "sent" and rows[held.id].claimed_by == taker
    assert rows[held.id].attempts == 2


def _cli(state: str, config: Path, *args: str) -> CliRun:
    return start_cli("--state", state, "--config", str(config), *args,
                     env={"DIGEST_SEND_LEASE": "2"})


def _the_one_held(state: str) -> outbox.Message:
    """The message the server holds: the other worker goes on with the rest meanwhile, and
    then waits for this one."""
    deadline = time.monotonic() + 60
    while True:
        with Store(parse_location(state)) as store:
            flying = outbox.in_flight(store)
        if len(flying) == 1 or time.monotonic() > deadline:
            (held,) = flying
            return held
        time.sleep(0.1)


# Each backend with one of the two steps (processes cost seconds; test_exactly_once.py kills
# a single sender at every step on SQLite).
@pytest.mark.parametrize(("backend", "step"), [("sqlite", "data"), ("postgresql", "dot")])
def test_a_worker_killed_mid_delivery_leaves_no_duplicate_and_no_loss(
        backend: str, step: str, request: pytest.FixtureRequest, tmp_path: Path,
        smtp_server: SmtpServer, seeds: Path) -> None:
    """Two `digest send` processes deliver one digest; the server holds the fifth message at
    `step` and the worker holding it is killed with SIGKILL. The other one (or a worker
    started afterwards) settles that message: before the body was complete (`data`) it is
    sent again, once; after (`dot`: the server has it) it is unconfirmed, not sent again."""
    state = (str(tmp_path / "state.sqlite") if backend == "sqlite"
             else str(request.getfixturevalue("pg_url")))
    recipients = readers(12)
    cfg_path = write_config(tmp_path / "cfg", smtp_server, seeds, recipients=recipients)
    pause = Pause(step, 5)
    smtp_server.handler.pause = pause
    procs = [_cli(state, cfg_path, "send", "morning") for _ in range(2)]
    try:
        assert pause.reached.wait(120), [p.poll() for p in procs]
        held = _the_one_held(state)
        assert held.state == ("handed_over" if step == "dot" else "sending")
        pid = int((held.claimed_by or "").split("/")[1])
        (victim,) = [p for p in procs if p.pid == pid]
        victim.send_signal(signal.SIGKILL)
        victim.communicate(timeout=30)
    finally:
        pause.release.set()
        smtp_server.handler.pause = None
    (survivor,) = [p for p in procs if p is not victim]
    _, err = survivor.communicate(timeout=120)
    assert survivor.returncode in (0, 1), err
    # A worker started afterwards settles whatever the survivor did not see in time.
    cfg = load_config(cfg_path)
    with Store(parse_location(state)) as store:
        outbox.deliver(store, SmtpTransport(SmtpSettings.from_config(cfg)),
                       datetime.now(UTC).replace(tzinfo=None))
    assert_once_each(smtp_server, state, recipients)
    rows = {m.id: m for m in ledger(state)}
    expected = "unconfirmed" if step == "dot" else "sent"
    assert rows[held.id].state == expected
    assert sorted(m.state for m in rows.values() if m.id != held.id) == ["sent"] * 11
    if step == "data":
        assert rows[held.id].attempts == 2 and rows[held.id].claimed_by != held.claimed_by


# -- the daemons' schedule ---------------------------------------------------------------------
def test_two_daemons_on_one_state_send_a_due_run_once(
        state: str, tmp_path: Path, smtp_server: SmtpServer, seeds: Path) -> None:
    """Two daemons (real APScheduler schedulers) start on one state where a run fell due:
    the run is decided from the shared `digest_runs`, so it is composed once and every
    recipient gets one copy; a third daemon started afterwards sends nothing."""
    recipients = readers(10)
    cfg = load_config(write_config(tmp_path / "cfg", smtp_server, seeds, recipients=recipients,
                                   schedule="* * * * *"))
    transport = SmtpTransport(SmtpSettings.from_config(cfg))
    location = parse_location(state)
    now = datetime.now(UTC).replace(tzinfo=None)
    with Store(location) as store:
        outbox.record_baseline(store, "morning", now - timedelta(minutes=5))
    daemons = [Daemon(cfg, location, transport) for _ in range(2)]
    for d in daemons:
        d.start()
    try:
        deadline = time.monotonic() + 60
        while len(smtp_server.received) < len(recipients) and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.5)  # a second copy would come now
    finally:
        for d in daemons:
            d.stop()
    assert_once_each(smtp_server, state, recipients)
    Daemon(cfg, location, transport).tick()  # a restart: the run is recorded, nothing is owed
    assert_once_each(smtp_server, state, recipients)
    with Store(location) as store:
        kinds = Counter(r[0] for r in store.db.execute("SELECT kind FROM digest_runs"))
    assert kinds["baseline"] == 1 and kinds["scheduled"] >= 1
    assert len({m.run for m in ledger(state)}) == 1  # one run carried every message


# -- an older state --------------------------------------------------------------------------
def test_a_state_file_from_before_leases_is_migrated_and_its_messages_in_flight_settled(
        digest_home: Path) -> None:
    """Migration 13 adds the lease columns in place; messages an older digest left in flight
    (no worker, no lease) are settled as before: `sending` queued again, `handed_over`
    unconfirmed."""
    path = digest_home / "old.sqlite"
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("CREATE TABLE migrations (version INTEGER PRIMARY KEY, name TEXT)")
    db.execute("BEGIN")
    for version, migration in enumerate(MIGRATIONS[:12], start=1):
        migration.apply(db)
        db.execute("INSERT INTO migrations VALUES (?, ?)", (version, migration.name))
    for i, state in ((1, "sending"), (2, "handed_over"), (3, "sent")):
        db.execute("INSERT INTO outbox (id, digest, run, recipient, message_id, subject, message, "
                   "articles, state, attempts, next_attempt_at, created_at, updated_at) VALUES "
                   "(?, 'morning', 'r', ?, ?, 's', x'00', '{\"a1\": \"s1\"}', ?, 1, ?, ?, ?)",
                   (i, f"r{i}@example.org", f"<{i}@x>", state, NOW.isoformat(),
                    NOW.isoformat(), NOW.isoformat()))
    db.execute("COMMIT")
    db.close()
    with Store(path) as store:
        assert max(store.database.migrations_done()) == len(MIGRATIONS)  # type: ignore[attr-defined]
        before = outbox.messages(store)
        assert [(m.state, m.claimed_by, m.lease_until) for m in before] == [
            ("sending", None, None), ("handed_over", None, None), ("sent", None, None)]
        unconfirmed = outbox.recover(store, NOW)
        assert [m.id for m in unconfirmed] == [2]
        assert [m.state for m in outbox.messages(store)] == ["queued", "unconfirmed", "sent"]
        assert outbox.sent_article_ids(store, "r2@example.org") == {"a1"}
