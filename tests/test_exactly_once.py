"""Exactly once, for real: the CLI in subprocesses against a real SMTP server (aiosmtpd on
127.0.0.1, STARTTLS, AUTH) that pauses at a chosen SMTP step, so a `kill -9` of `digest send`
hits each step of each message deterministically; then recovery through `digest send` and
through the daemon `digest run`. Concurrent senders, the daemon next to a manual send, and
the server's faults. Each case ends with every recipient holding exactly one digest the
server accepted, and the ledger saying so (`sent`, or `unconfirmed` listed by status)."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from conftest import CliRun, live_rows, start_cli
from conftest_email import SMTP_PASSWORD, Pause, SmtpServer, write_config

from digest.email import outbox
from digest.storage import Store
from digest.storage.location import StateLocation

RECIPIENTS = ("ana@example.org", "ben@example.org", "cara@example.org")
OPEN = ("queued", "sending", "handed_over")


@dataclass
class Setup:
    config: Path
    state: StateLocation
    server: SmtpServer

    def cli(self, *args: str) -> CliRun:
        """`digest --config ... ARGS` started in a process of its own (the password in the
        environment as the test set it)."""
        return start_cli("--state", str(self.state), "--config", str(self.config), *args)

    def run(self, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
        proc = self.cli(*args)
        out, err = proc.communicate(timeout=timeout)
        return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)

    def ledger(self) -> list[tuple[int, str, str, str]]:
        """(id, recipient, state, Message-ID) of every message, read by a plain connection."""
        return live_rows(self.state, "SELECT id, recipient, state, message_id FROM outbox "
                                     "ORDER BY id")

    def daemon_until_settled(self, timeout: float = 60) -> str:
        """`digest run` until no message is queued or in flight, then SIGTERM; its log."""
        proc = self.cli("run")
        try:
            deadline = time.monotonic() + timeout
            time.sleep(0.5)
            while time.monotonic() < deadline:
                if not [m for m in self.ledger() if m[2] in OPEN] and _started(self.state):
                    break
                time.sleep(0.1)
            proc.send_signal(signal.SIGTERM)
            _out, err = proc.communicate(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
        assert proc.returncode == 0, err
        return err


def _started(state: StateLocation) -> bool:
    """The daemon's first round has run (it records a baseline for the digest)."""
    return bool(live_rows(state, "SELECT 1 FROM digest_runs"))


@pytest.fixture
def mail(tmp_path: Path, smtp_server: SmtpServer, seeds: Path,
         state_location: StateLocation) -> Setup:
    cfg = write_config(tmp_path / "cfg", smtp_server, seeds, recipients=RECIPIENTS)
    return Setup(cfg, state_location, smtp_server)


def assert_exactly_once(mail: Setup, recipients: tuple[str, ...] = RECIPIENTS) -> None:
    """Each recipient: one message accepted by the server, one ledger row sent/unconfirmed
    with that message's Message-ID, nothing left queued or in flight."""
    got = mail.server.received
    assert mail.server.copies() == dict.fromkeys(recipients, 1)
    ledger = mail.ledger()
    assert not [m for m in ledger if m[2] in OPEN]
    for r in recipients:
        delivered = [m for m in ledger if m[1] == r and m[2] in ("sent", "unconfirmed")]
        assert len(delivered) == 1, ledger
        (copy,) = [g for g in got if g.recipients == [r]]
        assert copy.message["Message-ID"] == delivered[0][3]


# -- kill -9 at each SMTP step, then recovery -------------------------------------------------
# Every step of the first and the last message, and QUIT after the last 250 (each process
# costs seconds, so the middle message, which adds nothing the other two do not show, runs
# only with DIGEST_FULL_KILL_MATRIX=1).
MIDDLE = pytest.mark.skipif(not os.environ.get("DIGEST_FULL_KILL_MATRIX"),
                            reason="the middle message: DIGEST_FULL_KILL_MATRIX=1")
STEPS = [pytest.param(step, n, id=f"{step}{n}", marks=[MIDDLE] if n == 2 else [])
         for n in (1, 2, 3) for step in ("mail", "rcpt", "data", "dot")]
STEPS.append(pytest.param("quit", 0, id="quit"))


@pytest.mark.alternate_backends
@pytest.mark.slow
@pytest.mark.parametrize("recovery", ["send", "run"])
@pytest.mark.parametrize(("step", "message"), STEPS)
def test_kill_at_each_smtp_step_then_recover(mail: Setup, step: str, message: int,
                                             recovery: str) -> None:
    pause = Pause(step, message)
    mail.server.handler.pause = pause
    proc = mail.cli("send", "morning")
    try:
        assert pause.reached.wait(90), proc.communicate()[1]
        proc.kill()  # SIGKILL: nothing of digest runs after this
    finally:
        proc.communicate(timeout=30)
        mail.server.handler.pause = None
        pause.release.set()
    interrupted = {m[1]: m[2] for m in mail.ledger()}
    accepted = len(mail.server.received)
    # Where the kill left things: messages before this one went out, this one is in flight.
    assert accepted == (3 if step == "quit" else message - 1 + (step == "dot"))
    if step != "quit":
        assert interrupted[RECIPIENTS[message - 1]] == ("handed_over" if step == "dot"
                                                        else "sending")

    if recovery == "send":
        res = mail.run("send", "morning")
        assert res.returncode == (1 if step == "dot" else 0), res.stderr
        if step == "dot":  # the operator is told, with the Message-ID to look for
            (m,) = [m for m in mail.ledger() if m[2] == "unconfirmed"]
            assert f"unconfirmed: morning to {m[1]} (Message-ID {m[3]})" in res.stderr
    else:
        mail.daemon_until_settled()
    assert_exactly_once(mail)
    states = sorted(m[2] for m in mail.ledger())
    assert states == (["sent", "sent", "unconfirmed"] if step == "dot" else ["sent"] * 3)
    if step == "dot":
        status = mail.run("status").stdout
        (m,) = [m for m in mail.ledger() if m[2] == "unconfirmed"]
        assert f"#{m[0]} unconfirmed morning to {m[1]}" in status
        assert f"Message-ID {m[3]}" in status and f"digest outbox retry {m[0]}" in status


# -- several senders at once -----------------------------------------------------------------
TEN = tuple(f"reader{i}@example.org" for i in range(10))


@pytest.mark.slow
def test_three_senders_at_once_send_each_recipient_one_digest(
        tmp_path: Path, smtp_server: SmtpServer, seeds: Path, state_location: StateLocation) -> None:
    cfg = write_config(tmp_path / "cfg", smtp_server, seeds, recipients=TEN)
    mail = Setup(cfg, state_location, smtp_server)
    procs = [mail.cli("send", "morning") for _ in range(3)]
    outs = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], [e for _, e in outs]
    assert_exactly_once(mail, TEN)
    assert sorted(m[2] for m in mail.ledger()) == ["sent"] * 10
    # One of them composed and sent; the two that waited found nothing new.
    said = sorted(sum("nothing new for" in line for line in o.splitlines()) for o, _ in outs)
    assert said == [0, 10, 10]


@pytest.mark.slow
@pytest.mark.parametrize(("first", "gap"), [("run", 0.0), ("run", 1.0), ("run", 2.0),
                                            ("send", 1.0)])
def test_daemon_and_a_manual_send_together_send_one_digest(
        tmp_path: Path, smtp_server: SmtpServer, seeds: Path,
        first: str, gap: float, state_location: StateLocation) -> None:
    # A run every minute, last dealt with five minutes ago: the daemon sends one at start.
    cfg = write_config(tmp_path / "cfg", smtp_server, seeds, recipients=RECIPIENTS,
                       schedule="* * * * *")
    mail = Setup(cfg, state_location, smtp_server)
    with Store(mail.state) as store:
        outbox.record_baseline(store, "morning",
                               datetime.now(UTC).replace(tzinfo=None) - timedelta(minutes=5))
    daemon = mail.cli("run") if first == "run" else None
    time.sleep(gap)
    send = mail.cli("send", "morning")
    if daemon is None:
        time.sleep(gap)
        daemon = mail.cli("run")
    try:
        _, send_err = send.communicate(timeout=300)
        assert send.returncode == 0, send_err
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not _scheduled_run(mail.state):
            time.sleep(0.1)
        assert _scheduled_run(mail.state)
        while time.monotonic() < deadline and [m for m in mail.ledger() if m[2] in OPEN]:
            time.sleep(0.1)
    finally:
        daemon.send_signal(signal.SIGTERM)
        _, daemon_log = daemon.communicate(timeout=60)
    assert daemon.returncode == 0, daemon_log
    assert_exactly_once(mail)
    assert sorted(m[2] for m in mail.ledger()) == ["sent"] * 3


def _scheduled_run(state: StateLocation) -> bool:
    return bool(live_rows(state, "SELECT 1 FROM digest_runs WHERE kind = 'scheduled'"))


# -- the server's faults ---------------------------------------------------------------------
def _send(mail: Setup) -> subprocess.CompletedProcess[str]:
    return mail.run("send", "morning")


@pytest.mark.parametrize(("step", "reply"), [
    pytest.param("mail", "421 4.3.2 Service not available, closing channel", id="421-mail"),
    pytest.param("rcpt", "451 4.3.0 Temporary lookup failure", id="451-rcpt"),
    pytest.param("dot", "451 4.3.0 Try again later", id="451-after-data"),
    # the connection closes in the middle of the message body
    pytest.param("data", "close", id="close-mid-data"),
])
def test_a_temporary_fault_is_retried_and_delivered_once(mail: Setup, step: str,
                                                         reply: str) -> None:
    mail.server.handler.once[step] = reply
    res = _send(mail)
    assert res.returncode == 0, res.stderr
    assert step not in mail.server.handler.once  # the fault did happen
    assert_exactly_once(mail)
    (first,) = [m for m in outbox_rows(mail) if m.recipient == RECIPIENTS[0]]
    assert first.attempts == 2 and first.state == "sent"
    assert (reply[:3] if reply != "close" else "closed the connection") in (first.last_error or "")


def outbox_rows(mail: Setup) -> list[outbox.Message]:
    with Store(mail.state) as store:
        return outbox.messages(store)


@pytest.mark.parametrize("where", ["rcpt 550", "dot 552"])
def test_a_refused_recipient_is_failed_listed_and_resent_with_one_command(
        mail: Setup, where: str) -> None:
    ben = RECIPIENTS[1]
    if where == "rcpt 550":
        mail.server.handler.refuse = {ben}
    else:
        mail.server.handler.refuse_data = {ben: "552 5.3.4 Message too big for this mailbox"}
    res = _send(mail)
    assert res.returncode == 1 and f"not delivered to {ben}" in res.stderr
    assert mail.server.copies() == {RECIPIENTS[0]: 1, RECIPIENTS[2]: 1}
    (failed,) = [m for m in outbox_rows(mail) if m.state == "failed"]
    assert failed.recipient == ben and where[-3:] in (failed.last_error or "")
    status = mail.run("status").stdout
    assert f"#{failed.id} failed      morning to {ben}" in status
    assert f"digest outbox retry {failed.id}" in status
    # The mailbox is fixed; the operator sends it again: the same message, once.
    mail.server.handler.refuse, mail.server.handler.refuse_data = set(), {}
    res = mail.run("outbox", "retry", str(failed.id))
    assert res.returncode == 0, res.stderr
    assert_exactly_once(mail)
    assert mail.server.to(ben)[0].message["Message-ID"] == failed.message_id
    assert "nothing queued, unconfirmed or failed" in mail.run("outbox", "list").stdout


@pytest.mark.slow
def test_no_reply_after_the_message_is_unconfirmed_listed_and_never_resent_by_itself(
        tmp_path: Path, smtp_server: SmtpServer, seeds: Path, state_location: StateLocation) -> None:
    cfg = write_config(tmp_path / "cfg", smtp_server, seeds, recipients=RECIPIENTS,
                       timeout="1s")
    mail = Setup(cfg, state_location, smtp_server)
    smtp_server.handler.silence = 3.0
    smtp_server.handler.once["dot"] = "silence"  # takes the message, then says nothing
    res = _send(mail)
    assert res.returncode == 1
    (unconfirmed,) = [m for m in outbox_rows(mail) if m.state == "unconfirmed"]
    assert unconfirmed.recipient == RECIPIENTS[0]
    assert "no reply within 1 s" in (unconfirmed.last_error or "")
    assert f"Message-ID {unconfirmed.message_id}" in res.stderr
    assert_exactly_once(mail)  # the server has it once; nothing sends it again by itself
    assert _send(mail).returncode == 0
    mail.daemon_until_settled()
    assert_exactly_once(mail)
    listed = mail.run("outbox", "list").stdout
    assert f"#{unconfirmed.id} unconfirmed morning to {RECIPIENTS[0]}" in listed
    assert f"Message-ID {unconfirmed.message_id}" in listed
    # The operator checked the server log and closes it.
    assert mail.run("outbox", "drop", str(unconfirmed.id)).returncode == 0
    assert "nothing queued, unconfirmed or failed" in mail.run("outbox", "list").stdout
    with Store(mail.state) as store:
        assert outbox.get(store, unconfirmed.id).state == "dropped"
        assert [tuple(r) for r in store.db.execute(
            "SELECT action, from_state FROM outbox_actions")] \
            == [("drop", "unconfirmed")]


@pytest.mark.alternate_backends
@pytest.mark.parametrize("fault", ["refused", "untrusted certificate", "535", "no STARTTLS"])
@pytest.mark.slow
def test_a_server_that_cannot_be_used_keeps_everything_queued_then_delivers_once(
        tmp_path: Path, tls_files: tuple[Path, Path], seeds: Path,
        monkeypatch: pytest.MonkeyPatch, fault: str, state_location: StateLocation) -> None:
    monkeypatch.setenv("DIGEST_SMTP_PASSWORD", SMTP_PASSWORD)
    server = SmtpServer(*tls_files, starttls=fault != "no STARTTLS")
    good = write_config(tmp_path / "cfg", server, seeds, recipients=RECIPIENTS)
    bad = write_config(tmp_path / "bad", server, seeds, recipients=RECIPIENTS,
                       ca_file=fault != "untrusted certificate")
    mail = Setup(bad, state_location, server)
    if fault != "refused":
        server.start()
    env_password = "wr0ng-Pa55" if fault == "535" else SMTP_PASSWORD
    try:
        monkeypatch.setenv("DIGEST_SMTP_PASSWORD", env_password)
        res = _send(mail)
        assert res.returncode == 75, res.stderr
        assert "3 message(s)" in res.stderr and "stay queued" in res.stderr
        expected = {"refused": "connection refused", "untrusted certificate": "certificate",
                    "535": "login as 'digest' refused (535)",
                    "no STARTTLS": "STARTTLS"}[fault]
        assert expected in res.stderr
        assert env_password not in res.stderr + res.stdout
        assert server.received == []
        status = mail.run("status").stdout
        assert status.count(" queued      morning to ") == 3
        assert "outbox: 3 queued" in status
        assert "digest morning: next run " in status and "3 recipient(s)" in status
        assert "store: 6 article(s) in " in status
        # Fixed: the server is up / trusted / the password right / STARTTLS offered.
        monkeypatch.setenv("DIGEST_SMTP_PASSWORD", SMTP_PASSWORD)
        if fault == "no STARTTLS":
            server.stop()
            server = SmtpServer(*tls_files, port=server.port)
            mail.server = server
        if fault in ("refused", "no STARTTLS"):
            server.start()
        mail.config = good
        res = _send(mail)
        assert res.returncode == 0, res.stderr
        assert_exactly_once(mail)
    finally:
        server.stop()
