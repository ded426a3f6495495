"""Email digests end to end: which stories each recipient gets, render, compose, queue, deliver.

Called by the CLI (`send`, `preview`) and by the daemon's jobs; the clock and the transport
are passed in. A recipient gets the stories that are new, or have articles that have not
reached them yet ("updated": it leads with what is new to them), ranked by the pipeline, at
most `max_stories` of them.
"""

from __future__ import annotations

import logging
import re
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

from digest import pipeline, render, summarize, topic_rules
from digest.config import Config, DigestSpec
from digest.email import compose, outbox
from digest.email.transport import Transport
from digest.models import Briefing, StorySummary
from digest.storage import ScanRecord, Store

log = logging.getLogger(__name__)

FALLBACK_SENDER = "digest <digest@localhost>"  # dry runs and previews without [smtp]
QUICK_RETRY_DELAYS = (1.0, 3.0)  # `digest send`: three tries in about four seconds
# How long `digest send` waits for another sender to compose (the daemon's round, a second
# `send`), helping deliver meanwhile: long enough to compose a digest for a long list of
# recipients, bounded so a stuck process cannot hang a cron job for ever.
SEND_LOCK_WAIT = 300.0


@dataclass(frozen=True)
class Prepared:
    """One recipient's digest, rendered and composed, not yet queued."""

    recipient: str
    briefing: Briefing
    parts: render.EmailParts
    message: EmailMessage
    articles: dict[str, str]  # article id -> story id
    sentences: dict[str, list[str]] = field(default_factory=dict)  # story id -> sentence keys

    @property
    def empty(self) -> bool:
        return not self.briefing.stories  # "Also noted" titles alone are not news worth a mail

    def to_queue(self) -> outbox.NewMessage:
        return outbox.NewMessage(
            recipient=self.recipient, message_id=str(self.message["Message-ID"]),
            subject=self.parts.subject, message=self.message.as_bytes(), articles=self.articles,
            sentences=self.sentences)


@dataclass
class SendResult:
    """What `send` / a scheduled run did."""

    queued: list[Prepared] = field(default_factory=list)
    empty: list[str] = field(default_factory=list)  # recipients with nothing new: not sent
    pending: list[str] = field(default_factory=list)  # an already queued message carries it
    already_done: bool = False  # this scheduled slot was dealt with before
    busy: bool = False  # another worker composed all along: this one only helped deliver
    delivery: outbox.DeliveryReport = field(default_factory=outbox.DeliveryReport)
    still_queued: list[outbox.Message] = field(default_factory=list)

    def summary(self) -> str:
        if self.busy:
            return "another digest process is composing; left for the next round"
        if self.already_done:
            return "already sent"
        parts = [f"{len(self.queued)} queued"]
        if self.pending:
            parts.append(f"already queued for {len(self.pending)}")
        if self.empty:
            parts.append(f"nothing new for {len(self.empty)}")
        return ", ".join(parts)


def sentence_keys(stories: Sequence[StorySummary]) -> dict[str, list[str]]:
    """Story id -> keys of the summary sentences shown (what the ledger records as sent)."""
    out: dict[str, list[str]] = {}
    for s in stories:
        shown = [*s.sentences, *([s.update.context] if s.update and s.update.context else [])]
        if shown:
            out[s.story.id] = [summarize.sentence_key(x.text) for x in shown]
    return out


def prepare(config: Config, store: Store, spec: DigestSpec, now: datetime, *,
            recipients: Sequence[str] | None = None) -> list[Prepared]:
    """Compose the digest for each recipient (no side effects: previews and dry runs use it)."""
    recipients = list(recipients or spec.recipients)
    # Each recipient's stories as they should get them: what is new to them leads an update.
    plan = pipeline.BriefingPlan(
        story_ids=frozenset(outbox.unsent_story_ids(store, recipients)),
        topics=tuple(topic_rules.select(config.topics, spec.topics, file=config.file)),
        max_stories=spec.max_stories, also_noted=spec.also_noted, news_only=True,
        words=spec.words)
    histories = {r: outbox.reader_history(store, r) for r in recipients}
    briefings = pipeline.build_briefings(store, plan, now=now, readers=histories)
    sender = config.smtp.sender if config.smtp else FALLBACK_SENDER
    unsubscribe = compose.unsubscribe_target(spec.name, sender, spec.unsubscribe)
    local_now = now.replace(tzinfo=UTC).astimezone(spec.tz)
    out = []
    for recipient in recipients:
        briefing = briefings[recipient]
        parts = render.render_email(briefing, digest=spec.name, tz=spec.tz, recipient=recipient,
                                    unsubscribe=unsubscribe, override=config.templates)
        message = compose.build_message(
            subject=parts.subject, text=parts.text, html=parts.html, sender=sender,
            recipient=recipient, message_id=compose.new_message_id(spec.name, sender),
            date=local_now, digest=spec.name, unsubscribe=spec.unsubscribe)
        # Titles under "Also noted" count as seen too, or they would repeat in every digest.
        shown = [*briefing.stories, *briefing.also_noted]
        articles = {a.id: s.story.id for s in shown for a in s.story.articles}
        out.append(Prepared(recipient, briefing, parts, message, articles,
                            sentence_keys(briefing.stories)))
    return out


def _queue(store: Store, spec: DigestSpec, run: str, prepared: list[Prepared], now: datetime,
           slot: tuple[str, datetime] | None) -> SendResult:
    result = SendResult()
    wanted = [p for p in prepared if not p.empty or spec.send_empty]
    result.empty = [p.recipient for p in prepared if p.empty and not spec.send_empty]
    ids = outbox.enqueue(store, spec.name, run, [p.to_queue() for p in wanted], now, slot=slot)
    if ids is None:
        result.already_done = True
    else:
        result.queued = [p for p, i in zip(wanted, ids, strict=True) if i is not None]
        result.pending = [p.recipient for p, i in zip(wanted, ids, strict=True) if i is None]
    return result


# Composing takes the send lock (one composer at a time: two `digest send NAME` at once do
# not both compose), delivery does not: a worker waiting for the lock helps deliver what is
# queued, and every worker delivers once the messages are queued (see outbox).
HELP_EVERY = 0.2  # seconds between a waiting worker's tries of the send lock


@contextmanager
def composing(store: Store, timeout: float, help_deliver: Callable[[], object]) -> Iterator[bool]:
    """Hold the send lock to compose; while another worker holds it, help deliver; yields
    False if it stayed busy for `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        with outbox.send_lock(store, min(HELP_EVERY, max(deadline - time.monotonic(), 0.0))
                              ) as locked:
            if locked:
                yield True
                return
        if time.monotonic() >= deadline:
            yield False
            return
        help_deliver()


def run_slot(config: Config, store: Store, spec: DigestSpec, transport: Transport, *,
             slot_utc: datetime, slot_key: str, now: datetime,
             stop: threading.Event | None = None, lock_timeout: float = 0.0) -> SendResult:
    """Compose and queue the digest of one scheduled slot (once: the worker whose
    transaction records the slot queues it), and deliver it with any other workers."""
    report = outbox.DeliveryReport()
    started = time.monotonic()

    def clock() -> datetime:
        # `now` moves on while this waits or composes: messages another worker queued
        # meanwhile (at its own `now`) are due for this one too.
        return now + timedelta(seconds=time.monotonic() - started)

    def help_deliver() -> None:
        report.merge(outbox.deliver(store, transport, clock(), digest=spec.name, stop=stop))

    deadline = time.monotonic() + lock_timeout
    with composing(store, lock_timeout, help_deliver) as turn:
        if not turn:
            result = SendResult(busy=True)
        elif outbox_has_slot(store, spec.name, slot_key):
            result = SendResult(already_done=True)
        else:
            _settle_digest(store, spec.name, help_deliver, deadline, time.sleep)
            prepared = prepare(config, store, spec, now)
            result = _queue(store, spec, f"slot {slot_key}", prepared, now, (slot_key, slot_utc))
    if not result.busy:
        help_deliver()
    result.delivery = report
    return result


def outbox_has_slot(store: Store, digest: str, slot_key: str) -> bool:
    return store.ledger.has_slot(digest, slot_key)


def deliver_queued(config: Config, store: Store, transport: Transport, now: datetime, *,
                   stop: threading.Event | None = None) -> outbox.DeliveryReport:
    """Deliver queued mail whose retry time has come (the daemon's job; other workers may
    deliver at the same time)."""
    return outbox.deliver(store, transport, now, stop=stop)


def settle(store: Store, now: datetime) -> outbox.DeliveryReport:
    """Settle what a dead worker left (or one whose lease ran out): what reached whom is
    then known before anything is composed or shown; busy if live workers are delivering."""
    return outbox.recovered(store, now)


SETTLE_POLL = 0.1  # seconds between looks at another worker's messages in flight


def _settle_digest(store: Store, digest: str, help_deliver: Callable[[], object],
                   deadline: float, sleep: Callable[[float], None]) -> None:
    """Before composing (holding the send lock): what reached whom must be known, so deliver
    what of this digest is due, and let other workers finish (or abandon) the messages of it
    they hold, up to `deadline` (time.monotonic()). A message another worker sends while this
    one composes is caught when queuing (a message whose articles all reached the recipient
    meanwhile is not queued)."""
    help_deliver()
    while outbox.in_flight(store, digest) and time.monotonic() < deadline:
        sleep(SETTLE_POLL)
        help_deliver()


def send_now(config: Config, store: Store, spec: DigestSpec, transport: Transport, *,
             clock: Callable[[], datetime], to: Sequence[str] | None = None,
             retry_delays: Sequence[float] | None = None,
             sleep: Callable[[float], None] = time.sleep,
             lock_timeout: float = SEND_LOCK_WAIT) -> SendResult:
    """Compose this digest now, queue and deliver it (and anything of it queued before) with
    a few quick retries; whatever is still undelivered stays queued for the daemon or the
    next send. Another sender composing, or delivering this digest, is waited for (and
    helped) first, so this one composes only what is new."""
    delays = QUICK_RETRY_DELAYS if retry_delays is None else retry_delays
    report = outbox.DeliveryReport()
    deadline = time.monotonic() + lock_timeout

    def help_deliver() -> None:
        report.merge(outbox.deliver(store, transport, clock(), digest=spec.name))

    with composing(store, lock_timeout, help_deliver) as turn:
        if not turn:
            result = SendResult(busy=True)
            result.delivery = report
            result.still_queued = outbox.queued(store, spec.name)
            return result
        _settle_digest(store, spec.name, help_deliver, deadline, sleep)
        now = clock()
        prepared = prepare(config, store, spec, now, recipients=to)
        run = f"manual {now.isoformat()} {uuid.uuid4().hex[:8]}"
        result = _queue(store, spec, run, prepared, now, None)
    for attempt in range(len(delays) + 1):
        if attempt:
            sleep(delays[attempt - 1])
        report.merge(outbox.deliver(store, transport, clock(), digest=spec.name,
                                    ignore_backoff=True))
        if not outbox.queued(store, spec.name):
            break
    result.delivery = report
    result.still_queued = outbox.queued(store, spec.name)
    return result


@dataclass(frozen=True)
class Overview:
    """What `digest status` shows of the state file."""

    articles: int
    stories: int
    last_article: datetime | None  # when the newest article was taken in
    last_file: datetime | None  # when a new or changed source file was last seen
    last_scan: ScanRecord | None  # the last finished scan of the sources and what it took in
    states: dict[str, int]  # outbox messages per state
    open: list[outbox.Message]  # queued, in flight, unconfirmed, failed


def overview(store: Store) -> Overview:
    """Counts of articles and stories, the latest intake, and the outbox's open messages."""
    totals = store.articles.totals()
    return Overview(articles=totals.articles, stories=totals.stories,
                    last_article=totals.last_ingested, last_file=store.files.last_seen(),
                    last_scan=store.scans.last(),
                    states=outbox.counts(store), open=outbox.open_messages(store))


def write_eml(prepared: Sequence[Prepared], folder: Path, digest: str) -> list[Path]:
    """Dry run: one .eml file per recipient with a digest to send."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for p in prepared:
        safe = re.sub(r"[^A-Za-z0-9@._-]", "_", p.recipient)
        path = folder / f"{digest}-{safe}.eml"
        path.write_bytes(p.message.as_bytes())
        paths.append(path)
    return paths
