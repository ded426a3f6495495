"""Email digests against a real SMTP server (aiosmtpd, STARTTLS with a self-signed
certificate, AUTH): content of both parts, headers, exactly-once delivery, failures."""

from __future__ import annotations

import html as html_lib
import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner
from conftest_email import SMTP_PASSWORD, SmtpServer, write_config

from digest import pipeline, render
from digest.cli import cli
from digest.config import Config, load_config
from digest.email import compose, outbox, service
from digest.email.transport import SmtpSettings, SmtpTransport
from digest.errors import DigestError
from digest.models import Article, Briefing, BriefingSection, Story, StorySummary, SummarySentence
from digest.storage import Store
from digest.storage.location import StateLocation

NOW = datetime(2024, 4, 3, 5, 0)  # naive UTC, like the store: 07:00 in Berlin
ANA, BEN = "ana@example.org", "ben@example.org"


class Clock:
    def __init__(self, start: datetime = NOW) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def store(state_location: StateLocation) -> Iterator[Store]:
    s = Store(state_location)
    yield s
    s.close()


def setup(tmp_path: Path, server: SmtpServer, seeds: Path,
          **kw: Any) -> tuple[Config, SmtpTransport]:
    cfg = load_config(write_config(tmp_path / "cfg", server, seeds, **kw))
    return cfg, SmtpTransport(SmtpSettings.from_config(cfg))


def send(cfg: Config, store: Store, transport: SmtpTransport, clock: Clock | None = None,
         **kw: Any) -> service.SendResult:
    clock = clock or Clock()
    pipeline.ingest_sources(store, cfg.sources, now=clock())
    return service.send_now(cfg, store, cfg.digest("morning"), transport, clock=clock,
                           retry_delays=kw.pop("retry_delays", (0.0, 0.0)), **kw)


def parts(msg: EmailMessage) -> tuple[str, str]:
    text = msg.get_body(("plain",))
    html = msg.get_body(("html",))
    assert text is not None and html is not None
    return str(text.get_content()), str(html.get_content())


def flat(s: str) -> str:
    return " ".join(s.split())


def html_text(h: str) -> str:
    """Visible text of the HTML part, whitespace collapsed."""
    return flat(html_lib.unescape(re.sub(r"<[^>]+>", " ", h)))


# -- the digest as it arrives ------------------------------------------------------------------
def test_digest_arrives_over_starttls_with_auth_and_carries_the_seed_stories(
        tmp_path: Path, smtp_server: SmtpServer, seeds: Path, store: Store) -> None:
    cfg, transport = setup(tmp_path, smtp_server, seeds)
    result = send(cfg, store, transport)

    assert sorted(m.recipient for m in result.delivery.sent) == [ANA, BEN]
    assert not result.still_queued
    got = smtp_server.received
    assert len(got) == 2
    assert all(r.tls and r.login == "digest" for r in got)  # STARTTLS, then AUTH
    assert all(r.sender == "digest@example.org" for r in got)

    prepared = {p.recipient: p for p in result.queued}
    ledger = {m.recipient: m for m in outbox.messages(store, "morning")}
    for received in got:
        (rcpt,) = received.recipients
        msg = received.message
        assert msg.get_content_type() == "multipart/alternative"
        assert [p.get_content_type() for p in msg.iter_parts()] == ["text/plain", "text/html"]
        assert msg["To"] == rcpt
        assert msg["From"] == "Digest <digest@example.org>"
        assert msg["Message-ID"] == ledger[rcpt].message_id
        assert ledger[rcpt].state == "sent"
        assert msg["Date"] == "Wed, 03 Apr 2024 07:00:00 +0200"  # in the digest's time zone
        assert msg["List-Id"] == "digest morning <morning.digest.example.org>"
        assert msg["List-Unsubscribe"] == (
            "<mailto:digest@example.org?subject=unsubscribe%20morning>")
        assert "\n" not in msg["Subject"]
        assert msg["Subject"].startswith("Morning digest, Wed 03 Apr")

        text, html = parts(msg)
        shown = html_text(html)
        briefing = prepared[rcpt].briefing
        assert briefing.stories, "the seeds make at least one story"
        for s in briefing.stories:
            assert s.status == "new"
            assert flat(s.story.title) in flat(text) and flat(s.story.title) in shown
            for sentence in s.sentences:
                cited = f"[{render.citation(s, sentence.sources)}]"
                # the plain part wraps lines; compare with whitespace collapsed
                assert flat(f"{sentence.text} {cited}") in flat(text)
                assert flat(f"{sentence.text} {cited}") in shown
            for line in s.figures[:render.MAX_FIGURES]:
                figure = f"{render.first_upper(line.label)}: {render.timeline(s, line)}"
                assert flat(figure) in flat(text) and flat(figure) in flat(shown)
            for d in s.discrepancies:
                note = f"{render.first_upper(d.subject)}: {render.disagreement(s, d)}"
                assert flat(note) in flat(text) and flat(note) in flat(shown)
            for a in s.story.articles:
                assert flat(a.title) in flat(text) and flat(a.title) in shown
        # the seeds' death toll rises (137, at least 143, 144): a timeline, not a disagreement
        assert "Figures:" in text and "Figures:" in html
        assert "144 killed" in text and "144 killed" in shown
        assert "Sources disagree" not in text and "Sources disagree" not in html
        # CSS inlined for mail clients, the phone media query kept, no <link> or script
        assert 'style="' in html and "@media" in html and "max-width: 640px" in html
        assert "<script" not in html.lower() and "<link" not in html.lower()


def test_next_digest_has_only_new_and_updated_stories(
        tmp_path: Path, smtp_server: SmtpServer, seeds: Path, store: Store) -> None:
    cfg, transport = setup(tmp_path, smtp_server, seeds, recipients=(ANA,))
    first = send(cfg, store, transport)
    assert len(first.delivery.sent) == 1
    first_ids = {s.story.id for s in first.queued[0].briefing.stories}

    # Nothing new: no mail (send_empty is off).
    again = send(cfg, store, transport, Clock(NOW + timedelta(hours=1)))
    assert again.empty == [ANA] and not again.queued
    assert len(smtp_server.received) == 1

    # A follow-up of the big seed story and an unrelated new story arrive.
    (seeds / "follow_up.txt").write_text(FOLLOW_UP, encoding="utf-8")
    (seeds / "other.txt").write_text(
        "Harbour festival draws record crowds\n\nThe annual harbour festival in Lisbon drew a "
        "record number of visitors this weekend, organisers said on Sunday. Boats, music and "
        "food stalls lined the river for three days. The city plans to extend the festival "
        "next year.\n", encoding="utf-8")
    third = send(cfg, store, transport, Clock(NOW + timedelta(days=1)))
    assert len(third.delivery.sent) == 1
    follow_up_id = next(a for a, p in _paths(store).items() if p.endswith("follow_up.txt"))
    followed_story = store.articles.story_of()[follow_up_id]
    assert followed_story in first_ids  # the follow-up joined a story already sent
    status = {s.story.id: s.status for s in third.queued[0].briefing.stories}
    assert status.pop(followed_story) == "updated"
    assert list(status.values()) == ["new"]  # the festival; unchanged stories are left out
    assert not set(status) & first_ids
    text, _ = parts(smtp_server.received[-1].message)
    assert "[UPDATED]" in text and "[NEW]" in text


FOLLOW_UP = """Kremlin: Putin has no plans to visit Crocus City Hall

MOSCOW - Kremlin spokesman Dmitry Peskov said on Wednesday that President Vladimir Putin has no \
plans to visit Crocus City Hall, the concert hall outside Moscow where gunmen killed 144 people \
in the attack last month.

Peskov told reporters that investigators were still questioning the suspects detained after the \
Crocus City Hall attack and that the Kremlin would not comment on the investigation.

Putin was pained by the massacre, Peskov said, repeating earlier remarks by the Kremlin.
"""


def _paths(store: Store) -> dict[str, str]:
    return {r[0]: r[1] for r in store.db.execute("SELECT id, path FROM articles")}


def test_empty_digest_is_sent_only_when_configured(
        tmp_path: Path, smtp_server: SmtpServer, store: Store) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    cfg, transport = setup(tmp_path, smtp_server, empty, recipients=(ANA,))
    assert send(cfg, store, transport).empty == [ANA]
    assert smtp_server.received == []
    cfg, transport = setup(tmp_path, smtp_server, empty, recipients=(ANA,),
                           digest_extra="send_empty = true")
    send(cfg, store, transport)
    (got,) = smtp_server.received
    text, html = parts(got.message)
    assert "No new stories" in text and "No new stories" in html
    assert "no new stories" in got.message["Subject"]


# -- exactly once ------------------------------------------------------------------------------
def test_restart_after_sending_sends_no_second_copy(
        tmp_path: Path, smtp_server: SmtpServer, seeds: Path, state_location: StateLocation) -> None:
    from digest.email.daemon import Daemon

    cfg, transport = setup(tmp_path, smtp_server, seeds)
    berlin = ZoneInfo("Europe/Berlin")
    state = state_location
    Daemon(cfg, state, transport).tick(datetime(2024, 4, 3, 6, 0, tzinfo=berlin))  # baseline
    Daemon(cfg, state, transport).tick(datetime(2024, 4, 3, 7, 0, 5, tzinfo=berlin))
    assert len(smtp_server.received) == 2
    # The daemon restarts (a new process would open the same state file) a few minutes later.
    Daemon(cfg, state, transport).tick(datetime(2024, 4, 3, 7, 10, tzinfo=berlin))
    Daemon(cfg, state, transport).fire("morning", datetime(2024, 4, 3, 7, 11, tzinfo=berlin))
    assert len(smtp_server.received) == 2
    with Store(state) as store:
        assert [m.state for m in outbox.messages(store)] == ["sent", "sent"]


class Crash(BaseException):
    """The process dies (kill -9): nothing after this point runs."""


class CrashingTransport:
    """Wraps the real transport; dies before or after the server got the message."""

    def __init__(self, real: SmtpTransport, after_handover: bool) -> None:
        self.real = real
        self.after_handover = after_handover

    def session(self) -> Any:
        real_cm = self.real.session()
        outer = self

        class CM:
            def __enter__(self) -> Any:
                s = real_cm.__enter__()

                class S:
                    def send(self, recipient: str, message: bytes, on_handover: Any) -> str:
                        if not outer.after_handover:
                            raise Crash
                        reply = s.send(recipient, message, on_handover)
                        raise Crash(reply)  # accepted, but we die before recording it

                return S()

            def __exit__(self, *exc: object) -> None:
                real_cm.__exit__(None, None, None)

        return CM()


@pytest.mark.parametrize("after_handover", [False, True])
def test_crash_during_send_neither_loses_nor_duplicates(
        tmp_path: Path, smtp_server: SmtpServer, seeds: Path,
        after_handover: bool, state_location: StateLocation) -> None:
    cfg, transport = setup(tmp_path, smtp_server, seeds, recipients=(ANA,))
    with Store(state_location) as store, pytest.raises(Crash):
        send(cfg, store, CrashingTransport(transport, after_handover))  # type: ignore[arg-type]
    assert len(smtp_server.received) == (1 if after_handover else 0)

    # Restart: the next delivery pass settles what the dead process left.
    with Store(state_location) as store:
        report = service.deliver_queued(cfg, store, transport, NOW + timedelta(minutes=5))
        (msg,) = outbox.messages(store)
        if after_handover:
            assert msg.state == "unconfirmed" and not report.sent
            assert len(report.unconfirmed) == 1
        else:
            assert msg.state == "sent" and len(report.sent) == 1
        # What was (possibly) delivered counts as seen: the next digest does not repeat it.
        assert service.prepare(cfg, store, cfg.digest("morning"), NOW)[0].empty
    assert len(smtp_server.received) == 1


def test_resending_an_unconfirmed_message_is_the_operators_recorded_choice(
        tmp_path: Path, smtp_server: SmtpServer, seeds: Path, state_location: StateLocation) -> None:
    cfg, transport = setup(tmp_path, smtp_server, seeds, recipients=(ANA,))
    with Store(state_location) as store, pytest.raises(Crash):
        send(cfg, store, CrashingTransport(transport, after_handover=True))  # type: ignore[arg-type]
    with Store(state_location) as store:
        assert not service.deliver_queued(cfg, store, transport, NOW).sent
        (msg,) = outbox.messages(store)
        assert msg.state == "unconfirmed"
        with pytest.raises(DigestError, match=f"no message {msg.id + 1} "):
            outbox.retry(store, msg.id + 1, NOW)
        again = outbox.retry(store, msg.id, NOW + timedelta(minutes=1))
        assert again.state == "queued" and again.message == msg.message
        report = service.deliver_queued(cfg, store, transport, NOW + timedelta(minutes=1))
        assert [m.id for m in report.sent] == [msg.id]
        assert outbox.get(store, msg.id).state == "sent"
        actions = [tuple(r) for r in store.db.execute("SELECT * FROM outbox_actions")]
        assert actions == [(msg.id, (NOW + timedelta(minutes=1)).isoformat(), "retry",
                            "unconfirmed")]
        with pytest.raises(DigestError, match="is sent; drop takes queued or unconfirmed or failed"):
            outbox.drop(store, msg.id, NOW)
    # The same message twice, as asked: a receiving system can tell by its Message-ID.
    first, second = smtp_server.received
    assert first.data == second.data and first.message["Message-ID"] == msg.message_id


def test_server_down_then_up_delivers_exactly_one_copy(
        tmp_path: Path, smtp_down: SmtpServer, seeds: Path, store: Store) -> None:
    cfg, transport = setup(tmp_path, smtp_down, seeds)
    clock = Clock()
    result = send(cfg, store, transport, clock)
    assert not result.delivery.sent
    assert sorted(m.recipient for m in result.still_queued) == [ANA, BEN]
    first, second = result.still_queued
    assert first.attempts == 3  # three quick tries; the server is down, so the other waits
    assert second.attempts == 0 and second.next_attempt_at == first.next_attempt_at
    assert all("connection refused" in (m.last_error or "") for m in result.still_queued)

    smtp_down.start()
    # Before the backoff has passed the daemon leaves them alone...
    early = service.deliver_queued(cfg, store, transport, NOW + timedelta(seconds=30))
    assert not early.sent and smtp_down.received == []
    # ...afterwards it delivers each exactly once, and later passes find nothing.
    later = NOW + outbox.backoff(3) + timedelta(seconds=1)
    assert len(service.deliver_queued(cfg, store, transport, later).sent) == 2
    assert not service.deliver_queued(cfg, store, transport, later + timedelta(hours=2)).sent
    assert sorted(r.recipients[0] for r in smtp_down.received) == [ANA, BEN]


def test_next_send_delivers_what_stayed_queued_once(
        tmp_path: Path, smtp_down: SmtpServer, seeds: Path, store: Store) -> None:
    cfg, transport = setup(tmp_path, smtp_down, seeds, recipients=(ANA,))
    (first,) = send(cfg, store, transport).still_queued
    smtp_down.start()
    result = send(cfg, store, transport, Clock(NOW + timedelta(minutes=2)))
    assert not result.still_queued
    # Nothing new since: the queued digest goes out as it is, with its Message-ID.
    assert result.pending == [ANA] and not result.queued
    (got,) = smtp_down.received
    assert [(m.id, m.state) for m in outbox.messages(store)] == [(first.id, "sent")]
    assert got.message["Message-ID"] == first.message_id


def test_a_newer_digest_with_more_supersedes_the_queued_one(
        tmp_path: Path, smtp_down: SmtpServer, seeds: Path, store: Store) -> None:
    cfg, transport = setup(tmp_path, smtp_down, seeds, recipients=(ANA,))
    (first,) = send(cfg, store, transport).still_queued
    (seeds / "follow_up.txt").write_text(FOLLOW_UP, encoding="utf-8")
    smtp_down.start()
    result = send(cfg, store, transport, Clock(NOW + timedelta(minutes=2)))
    assert not result.still_queued and [p.recipient for p in result.queued] == [ANA]
    (got,) = smtp_down.received  # one copy: the newer digest superseded the queued one
    states = {m.id: m.state for m in outbox.messages(store)}
    assert states.pop(first.id) == "superseded" and list(states.values()) == ["sent"]
    assert got.message["Message-ID"] != first.message_id
    assert set(first.articles) < set(outbox.get(store, next(iter(states))).articles)


def test_one_recipient_refused_with_550_others_still_get_it(
        tmp_path: Path, smtp_server: SmtpServer, seeds: Path, store: Store) -> None:
    smtp_server.handler.refuse = {BEN}
    cfg, transport = setup(tmp_path, smtp_server, seeds)
    result = send(cfg, store, transport)
    assert [m.recipient for m in result.delivery.sent] == [ANA]
    ((failed, error),) = result.delivery.failed
    assert failed.recipient == BEN and "550" in error and BEN in error
    assert not result.still_queued  # permanent: not retried
    assert [r.recipients for r in smtp_server.received] == [[ANA]]
    states = {m.recipient: (m.state, m.last_error) for m in outbox.messages(store)}
    assert states[ANA][0] == "sent"
    assert states[BEN][0] == "failed" and "550" in (states[BEN][1] or "")
    assert not service.deliver_queued(cfg, store, transport, NOW + timedelta(days=1)).sent


def test_wrong_password_keeps_digest_queued_and_never_shows_password(
        tmp_path: Path, smtp_server: SmtpServer, seeds: Path, store: Store,
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("DEBUG")
    wrong = "wr0ng-Pa55"
    monkeypatch.setenv("DIGEST_SMTP_PASSWORD", wrong)
    cfg, transport = setup(tmp_path, smtp_server, seeds, recipients=(ANA,))
    assert wrong not in repr(transport.settings)
    result = send(cfg, store, transport)
    (queued,) = result.still_queued
    assert "login as 'digest' refused" in (queued.last_error or "")
    for text in (caplog.text, queued.last_error or "", *(e for _, e in result.delivery.retrying)):
        assert wrong not in text and SMTP_PASSWORD not in text
    monkeypatch.setenv("DIGEST_SMTP_PASSWORD", SMTP_PASSWORD)
    transport = SmtpTransport(SmtpSettings.from_config(cfg))
    assert len(send(cfg, store, transport).delivery.sent) == 1


def test_untrusted_certificate_is_refused_without_ca_file(
        tmp_path: Path, smtp_server: SmtpServer, seeds: Path, store: Store) -> None:
    cfg, _ = setup(tmp_path, smtp_server, seeds, recipients=(ANA,))
    settings = SmtpSettings.from_config(cfg)
    from dataclasses import replace

    transport = SmtpTransport(replace(settings, ca_file=None))
    result = send(cfg, store, transport)
    assert "certificate" in (result.still_queued[0].last_error or "")
    assert smtp_server.received == []


# -- hostile article text ----------------------------------------------------------------------
HOSTILE_TITLE = "Breaking\r\nBcc: victim@evil.example\nX-Evil: 1 <script>alert('t')</script>"


def hostile_summary() -> StorySummary:
    art = Article(id="a1", path="x.txt", title=HOSTILE_TITLE, outlet="Evil <b>Times</b>",
                  date=datetime(2024, 4, 2), author=None, url="javascript:alert(1)",
                  text="<script>alert('body')</script> Something happened.")
    story = Story(id="s1", title=HOSTILE_TITLE, articles=(art,))
    sentence = SummarySentence(text="<script>alert('body')</script> <img src=x onerror=alert(2)>",
                               sources=("a1",))
    return StorySummary(story=story, sentences=(sentence,), status="new")


def test_hostile_article_text_is_escaped_and_cannot_add_headers(
        smtp_server: SmtpServer) -> None:
    summary = hostile_summary()
    briefing = Briefing(generated_at=NOW, sections=(BriefingSection(None, (summary,)),))
    p = render.render_email(briefing, digest="morning", tz=ZoneInfo("UTC"), recipient=ANA,
                            unsubscribe="mailto:digest@example.org")
    msg = compose.build_message(subject=p.subject, text=p.text, html=p.html,
                                sender="Digest <digest@example.org>", recipient=ANA,
                                message_id=compose.new_message_id("morning", "digest@example.org"),
                                date=datetime(2024, 4, 3, tzinfo=ZoneInfo("UTC")), digest="morning")
    settings = SmtpSettings(host=smtp_server.host, port=smtp_server.port, security="starttls",
                            sender="digest@example.org", username="digest",
                            password=SMTP_PASSWORD, ca_file=smtp_server.cert, timeout=5)
    with SmtpTransport(settings).session() as session:
        session.send(ANA, msg.as_bytes(), lambda: None)

    (got,) = smtp_server.received
    assert got.recipients == [ANA]  # the Bcc line did not become a recipient
    received = got.message
    assert received["Bcc"] is None and received["X-Evil"] is None
    assert received["Subject"].startswith("Morning digest")
    assert "Bcc: victim@evil.example" in received["Subject"]  # kept as text, on one line
    raw_headers = got.data.split(b"\r\n\r\n", 1)[0]
    assert not re.search(rb"^(Bcc|X-Evil):", raw_headers, flags=re.M | re.I)
    text, html = parts(received)
    assert "<script" not in html.lower() and "<img" not in html.lower()
    assert "&lt;script&gt;alert" in html and "&lt;img src=x onerror=alert(2)&gt;" in html
    assert "&lt;b&gt;Times&lt;/b&gt;" in html
    assert "javascript:" not in html  # not a link
    assert "<script>alert('body')</script>" in text  # plain text is not markup


def test_hostile_article_file_through_the_pipeline(
        tmp_path: Path, smtp_server: SmtpServer, store: Store) -> None:
    src = tmp_path / "hostile"
    src.mkdir()
    (src / "evil.txt").write_text(
        "The mayor of <script>alert(1)</script> Springfield resigned on Monday after weeks of "
        "protests, officials said.\n\nA new <script>alert(2)</script> vote is planned for next "
        "month, the council said in a statement on Monday evening.\n", encoding="utf-8")
    cfg, transport = setup(tmp_path, smtp_server, src, recipients=(ANA,))
    assert len(send(cfg, store, transport).delivery.sent) == 1
    (got,) = smtp_server.received
    _, html = parts(got.message)
    assert "<script" not in html.lower() and "&lt;script&gt;" in html


# -- the commands ------------------------------------------------------------------------------
def test_cli_send_dry_run_writes_eml_and_records_nothing(
        tmp_path: Path, smtp_down: SmtpServer, seeds: Path, state_location: StateLocation) -> None:
    cfg_path = write_config(tmp_path / "cfg", smtp_down, seeds)
    out = tmp_path / "out"
    res = CliRunner().invoke(cli, ["--config", str(cfg_path), "send", "morning", "--dry-run",
                                   "--out", str(out)])
    assert res.exit_code == 0, res.output
    files = sorted(p.name for p in out.iterdir())
    assert files == ["morning-ana@example.org.eml", "morning-ben@example.org.eml"]
    from email import message_from_bytes, policy

    msg = message_from_bytes((out / files[0]).read_bytes(), policy=policy.default)
    assert msg.get_content_type() == "multipart/alternative" and msg["To"] == ANA
    with Store(state_location) as store:
        assert outbox.messages(store) == []  # nothing queued, nothing marked as seen


def test_cli_send_exits_75_and_keeps_digest_queued_when_server_is_down(
        tmp_path: Path, smtp_down: SmtpServer, seeds: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(service, "QUICK_RETRY_DELAYS", (0.05, 0.05))
    cfg_path = write_config(tmp_path / "cfg", smtp_down, seeds, recipients=(ANA,))
    res = CliRunner().invoke(cli, ["--config", str(cfg_path), "send", "morning"])
    assert res.exit_code == 75, res.output
    assert "stay queued" in res.output and "connection refused" in res.output
    assert SMTP_PASSWORD not in res.output
    smtp_down.start()
    res = CliRunner().invoke(cli, ["--config", str(cfg_path), "send", "morning"])
    assert res.exit_code == 0, res.output
    assert "sent morning to ana@example.org" in res.output
    assert len(smtp_down.received) == 1


def test_cli_preview_writes_html(tmp_path: Path, smtp_down: SmtpServer, seeds: Path) -> None:
    cfg_path = write_config(tmp_path / "cfg", smtp_down, seeds)
    out = tmp_path / "preview.html"
    # preview reads stored articles only (it takes nothing in): brief stores them first
    assert CliRunner().invoke(cli, ["--config", str(cfg_path), "brief"]).exit_code == 0
    res = CliRunner().invoke(cli, ["--config", str(cfg_path), "preview", "morning", "-o", str(out)])
    assert res.exit_code == 0, res.output
    page = out.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "Morning digest" in page and 'style="' in page
    assert "Crocus" in page


def test_templates_folder_in_config_overrides_shipped_templates(
        tmp_path: Path, smtp_down: SmtpServer, seeds: Path, store: Store) -> None:
    mine = tmp_path / "cfg" / "my-templates"
    mine.mkdir(parents=True)
    (mine / "email_subject.txt.j2").write_text("Custom {{ digest }}: {{ stories | length }}")
    cfg = load_config(write_config(tmp_path / "cfg", smtp_down, seeds,
                                   top_extra='templates = "my-templates"'))
    assert cfg.templates == mine.resolve()
    pipeline.ingest_sources(store, cfg.sources, now=NOW)
    (p,) = service.prepare(cfg, store, cfg.digest("morning"), NOW, recipients=[ANA])
    assert re.fullmatch(r"Custom morning: \d+", p.parts.subject)
    assert "<!DOCTYPE html>" in p.parts.html  # the other templates fall back to the shipped ones


@pytest.mark.sqlite_file
def test_a_state_file_from_before_the_operator_commands_is_migrated_in_place(
        digest_home: Path) -> None:
    """Migration 8 widens the outbox's state check in place: rows and the articles each
    recipient was sent stay, and a message can then be dropped."""
    import sqlite3

    from digest.storage.migrations import MIGRATIONS

    path = digest_home / "old.sqlite"
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA foreign_keys=ON")
    db.execute("CREATE TABLE migrations (version INTEGER PRIMARY KEY, name TEXT)")
    db.execute("BEGIN")
    for version, migration in enumerate(MIGRATIONS[:7], start=1):
        migration.apply(db)
        db.execute("INSERT INTO migrations VALUES (?, ?)", (version, migration.name))
    db.execute("COMMIT")
    with pytest.raises(sqlite3.IntegrityError):  # before: no such state
        db.execute("INSERT INTO outbox VALUES (9, 'd', 'r', 'x@example.org', '<9@x>', 's', "
                   "x'00', '{}', 'dropped', 0, 't', 't', 't', NULL, NULL, NULL)")
    for i, state in ((1, "sent"), (2, "queued")):
        db.execute("INSERT INTO outbox VALUES (?, 'morning', 'r', ?, ?, 's', x'00', "
                   "'{\"a1\": \"s1\"}', ?, 1, ?, ?, ?, NULL, NULL, NULL)",
                   (i, f"r{i}@example.org", f"<{i}@x>", state, NOW.isoformat(),
                    NOW.isoformat(), NOW.isoformat()))
    db.execute("INSERT INTO sent_articles VALUES ('r1@example.org', 'a1', 's1', 1, 't')")
    db.close()

    with Store(path) as store:
        assert [(m.id, m.state) for m in outbox.messages(store)] == [(1, "sent"), (2, "queued")]
        assert outbox.sent_article_ids(store, "r1@example.org") == {"a1"}
        assert outbox.drop(store, 2, NOW).state == "dropped"
        with pytest.raises(sqlite3.IntegrityError):
            store.db.execute("UPDATE outbox SET state = 'lost' WHERE id = 1")
        assert store.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    with Store(path) as store:  # a new connection reads the widened schema
        assert outbox.get(store, 2).state == "dropped"
