"""Email digests end to end: which stories each recipient gets, render, compose, queue, deliver.

Called by the CLI (`send`, `preview`) and by the daemon's jobs; the clock and the transport
are passed in. A recipient gets the stories that are new, or have articles that have not
reached them yet ("updated"), ranked by the pipeline, at most `max_stories` of them.
"""

from __future__ import annotations

import logging
import re
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

from digest import compose, outbox, pipeline, render, topic_rules
from digest.config import Config, DigestSpec
from digest.deliver import Transport
from digest.models import Briefing, StorySummary
from digest.store import Store

log = logging.getLogger(__name__)

FALLBACK_SENDER = "digest <digest@localhost>"  # dry runs and previews without [smtp]
QUICK_RETRY_DELAYS = (1.0, 3.0)  # `digest send`: three tries in about four seconds


@dataclass(frozen=True)
class Prepared:
    """One recipient's digest, rendered and composed, not yet queued."""

    recipient: str
    briefing: Briefing
    parts: render.EmailParts
    message: EmailMessage
    articles: dict[str, str]  # article id -> story id

    @property
    def empty(self) -> bool:
        return not self.briefing.stories and not self.briefing.also_noted

    def to_queue(self) -> outbox.NewMessage:
        return outbox.NewMessage(
            recipient=self.recipient, message_id=str(self.message["Message-ID"]),
            subject=self.parts.subject, message=self.message.as_bytes(), articles=self.articles)


@dataclass
class SendResult:
    """What `send` / a scheduled run did."""

    queued: list[Prepared] = field(default_factory=list)
    empty: list[str] = field(default_factory=list)  # recipients with nothing new: not sent
    already_done: bool = False  # this scheduled slot was dealt with before
    delivery: outbox.DeliveryReport = field(default_factory=outbox.DeliveryReport)
    still_queued: list[outbox.Message] = field(default_factory=list)

    def summary(self) -> str:
        if self.already_done:
            return "already sent"
        parts = [f"{len(self.queued)} queued"]
        if self.empty:
            parts.append(f"nothing new for {len(self.empty)}")
        return ", ".join(parts)


def scan(config: Config, store: Store, now: datetime) -> pipeline.IngestReport:
    """Take in new articles from the configured folders."""
    return pipeline.ingest_folders(store, config.sources.folders, now=now,
                                   settle_seconds=config.sources.settle.total_seconds(),
                                   max_file_size=config.sources.max_file_size)


def select_stories(summaries: Sequence[StorySummary], sent: set[str],
                   max_stories: int | None = None) -> list[StorySummary]:
    """Ranked summaries with articles not yet sent, marked "new" or "updated", at most max."""
    chosen: list[StorySummary] = []
    for s in summaries:
        ids = {a.id for a in s.story.articles}
        if not ids - sent:
            continue
        chosen.append(replace(s, status="updated" if ids & sent else "new"))
        if max_stories is not None and len(chosen) >= max_stories:
            break
    return chosen


def prepare(config: Config, store: Store, spec: DigestSpec, now: datetime, *,
            recipients: Sequence[str] | None = None) -> list[Prepared]:
    """Compose the digest for each recipient (no side effects: previews and dry runs use it)."""
    recipients = list(recipients or spec.recipients)
    candidates = outbox.unsent_story_ids(store, recipients)
    summaries = (pipeline.story_summaries(store, story_ids=candidates, words=spec.words)
                 if candidates else [])
    followed = topic_rules.select(config.topics, spec.topics, file=config.file)
    duplicates = store.duplicates()  # a wire copy in a second outlet counts once in the order
    sender = config.smtp.sender if config.smtp else FALLBACK_SENDER
    unsubscribe = compose.unsubscribe_target(spec.name, sender, spec.unsubscribe)
    local_now = now.replace(tzinfo=UTC).astimezone(spec.tz)
    out = []
    for recipient in recipients:
        fresh = select_stories(summaries, outbox.sent_article_ids(store, recipient))
        # One section per followed topic (each cut to max_stories); no topics: all stories.
        briefing = pipeline.topic_briefing(fresh, followed, now=now, max_stories=spec.max_stories,
                                           also_noted=spec.also_noted, duplicates=duplicates)
        parts = render.render_email(briefing, digest=spec.name, tz=spec.tz, recipient=recipient,
                                    unsubscribe=unsubscribe, override=config.templates)
        message = compose.build_message(
            subject=parts.subject, text=parts.text, html=parts.html, sender=sender,
            recipient=recipient, message_id=compose.new_message_id(spec.name, sender),
            date=local_now, digest=spec.name, unsubscribe=spec.unsubscribe)
        # Titles under "Also noted" count as seen too, or they would repeat in every digest.
        shown = [*briefing.stories, *briefing.also_noted]
        articles = {a.id: s.story.id for s in shown for a in s.story.articles}
        out.append(Prepared(recipient, briefing, parts, message, articles))
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
        result.queued = wanted
    return result


def run_slot(config: Config, store: Store, spec: DigestSpec, *, slot_utc: datetime,
             slot_key: str, now: datetime) -> SendResult:
    """Compose and queue the digest of one scheduled slot (once: a slot is recorded)."""
    if outbox_has_slot(store, spec.name, slot_key):
        return SendResult(already_done=True)
    prepared = prepare(config, store, spec, now)
    return _queue(store, spec, f"slot {slot_key}", prepared, now, (slot_key, slot_utc))


def outbox_has_slot(store: Store, digest: str, slot_key: str) -> bool:
    row = store.db.execute("SELECT 1 FROM digest_runs WHERE digest = ? AND slot_key = ?",
                           (digest, slot_key)).fetchone()
    return row is not None


def deliver_queued(config: Config, store: Store, transport: Transport, now: datetime, *,
                   stop: threading.Event | None = None,
                   lock_timeout: float = 0.0) -> outbox.DeliveryReport:
    """Deliver queued mail whose retry time has come (the daemon's job)."""
    return outbox.deliver(store, transport, now, stop=stop, lock_timeout=lock_timeout)


def send_now(config: Config, store: Store, spec: DigestSpec, transport: Transport, *,
             clock: Callable[[], datetime], to: Sequence[str] | None = None,
             retry_delays: Sequence[float] | None = None,
             sleep: Callable[[float], None] = time.sleep,
             lock_timeout: float = 30.0) -> SendResult:
    """Queue this digest now and deliver it (and anything queued before) with a few quick
    retries; whatever is still undelivered stays queued for the daemon or the next send."""
    delays = QUICK_RETRY_DELAYS if retry_delays is None else retry_delays
    now = clock()
    prepared = prepare(config, store, spec, now, recipients=to)
    run = f"manual {now.isoformat()} {uuid.uuid4().hex[:8]}"
    result = _queue(store, spec, run, prepared, now, None)
    for attempt in range(len(delays) + 1):
        if attempt:
            sleep(delays[attempt - 1])
        report = outbox.deliver(store, transport, clock(), digest=spec.name, ignore_backoff=True,
                                lock_timeout=lock_timeout)
        result.delivery.merge(report)
        if report.busy or not outbox.queued(store, spec.name):
            break
    result.still_queued = outbox.queued(store, spec.name)
    return result


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
