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
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import TYPE_CHECKING

from digest import compose, outbox, pipeline, render, summarize, topic_rules
from digest.config import Config, DigestSpec
from digest.deliver import Transport
from digest.models import Briefing, StorySummary
from digest.store import ScanRecord, Store

if TYPE_CHECKING:
    from digest.progress import Progress

log = logging.getLogger(__name__)

FALLBACK_SENDER = "digest <digest@localhost>"  # dry runs and previews without [smtp]
QUICK_RETRY_DELAYS = (1.0, 3.0)  # `digest send`: three tries in about four seconds
# How long `digest send` waits for another sender (the daemon's round, a second `send`):
# long enough for one digest to a list of recipients at the SMTP timeout, bounded so a
# stuck process cannot hang a cron job for ever.
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
    busy: bool = False  # another process held the send lock all along: nothing was done
    delivery: outbox.DeliveryReport = field(default_factory=outbox.DeliveryReport)
    still_queued: list[outbox.Message] = field(default_factory=list)

    def summary(self) -> str:
        if self.busy:
            return "another digest process is delivering; left for the next round"
        if self.already_done:
            return "already sent"
        parts = [f"{len(self.queued)} queued"]
        if self.pending:
            parts.append(f"already queued for {len(self.pending)}")
        if self.empty:
            parts.append(f"nothing new for {len(self.empty)}")
        return ", ".join(parts)


def scan(config: Config, store: Store, now: datetime,
         progress: Progress | None = None) -> pipeline.IngestReport:
    """Take in new articles from the configured folders, then the feeds that are due."""
    from digest.feeds import manage

    report = pipeline.ingest_folders(store, config.sources.folders, now=now,
                                     settle_seconds=config.sources.settle.total_seconds(),
                                     max_file_size=config.sources.max_file_size,
                                     progress=progress)
    return manage.scan(store, config, now, report=report)


def select_stories(summaries: Sequence[StorySummary],
                   max_stories: int | None = None) -> list[StorySummary]:
    """The reader's summaries that are "new" or "updated" for them (in order), at most max."""
    chosen = [s for s in summaries if s.status in ("new", "updated")]
    return chosen[:max_stories] if max_stories is not None else chosen


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
    candidates = outbox.unsent_story_ids(store, recipients)
    # Each recipient's stories as they should get them: what is new to them leads an update.
    histories = {r: outbox.reader_history(store, r) for r in recipients}
    per_reader = (pipeline.reader_summaries(store, histories, story_ids=candidates,
                                            words=spec.words)
                  if candidates else {r: [] for r in recipients})
    followed = topic_rules.select(config.topics, spec.topics, file=config.file)
    duplicates = store.duplicates()  # a wire copy in a second outlet counts once in the order
    sender = config.smtp.sender if config.smtp else FALLBACK_SENDER
    unsubscribe = compose.unsubscribe_target(spec.name, sender, spec.unsubscribe)
    local_now = now.replace(tzinfo=UTC).astimezone(spec.tz)
    out = []
    for recipient in recipients:
        fresh = select_stories(per_reader[recipient])
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


# Every path that composes holds the send lock from recovery to delivery (see outbox): a
# second sender waits, then finds what the first one recorded and composes nothing twice.
def run_slot(config: Config, store: Store, spec: DigestSpec, transport: Transport, *,
             slot_utc: datetime, slot_key: str, now: datetime,
             stop: threading.Event | None = None, lock_timeout: float = 0.0) -> SendResult:
    """Compose, queue and deliver the digest of one scheduled slot (once: a slot is recorded)."""
    with outbox.send_lock(store, lock_timeout) as locked:
        if not locked:
            return SendResult(busy=True)
        settled = outbox.recovered(store, now)
        if outbox_has_slot(store, spec.name, slot_key):
            result = SendResult(already_done=True)
        else:
            prepared = prepare(config, store, spec, now)
            result = _queue(store, spec, f"slot {slot_key}", prepared, now, (slot_key, slot_utc))
        settled.merge(outbox.deliver_pass(store, transport, now, digest=spec.name, stop=stop))
        result.delivery = settled
        return result


def outbox_has_slot(store: Store, digest: str, slot_key: str) -> bool:
    row = store.db.execute("SELECT 1 FROM digest_runs WHERE digest = ? AND slot_key = ?",
                           (digest, slot_key)).fetchone()
    return row is not None


def deliver_queued(config: Config, store: Store, transport: Transport, now: datetime, *,
                   stop: threading.Event | None = None,
                   lock_timeout: float = 0.0) -> outbox.DeliveryReport:
    """Deliver queued mail whose retry time has come (the daemon's job)."""
    return outbox.deliver(store, transport, now, stop=stop, lock_timeout=lock_timeout)


def settle(store: Store, now: datetime) -> outbox.DeliveryReport:
    """Settle what a dead deliverer left, unless a live one holds the lock (its rows are its
    own): what reached whom is then known before anything is composed or shown."""
    with outbox.send_lock(store, 0.0) as locked:
        return outbox.recovered(store, now) if locked else outbox.DeliveryReport(busy=True)


def send_now(config: Config, store: Store, spec: DigestSpec, transport: Transport, *,
             clock: Callable[[], datetime], to: Sequence[str] | None = None,
             retry_delays: Sequence[float] | None = None,
             sleep: Callable[[float], None] = time.sleep,
             lock_timeout: float = SEND_LOCK_WAIT) -> SendResult:
    """Compose this digest now, queue and deliver it (and anything of it queued before) with
    a few quick retries; whatever is still undelivered stays queued for the daemon or the
    next send. Waits for another sender to finish first, then composes only what is new."""
    delays = QUICK_RETRY_DELAYS if retry_delays is None else retry_delays
    with outbox.send_lock(store, lock_timeout) as locked:
        if not locked:
            result = SendResult(busy=True)
            result.still_queued = outbox.queued(store, spec.name)
            return result
        now = clock()
        report = outbox.recovered(store, now)
        prepared = prepare(config, store, spec, now, recipients=to)
        run = f"manual {now.isoformat()} {uuid.uuid4().hex[:8]}"
        result = _queue(store, spec, run, prepared, now, None)
        for attempt in range(len(delays) + 1):
            if attempt:
                sleep(delays[attempt - 1])
            report.merge(outbox.deliver_pass(store, transport, clock(), digest=spec.name,
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
    articles, stories, last_article = store.db.execute(
        "SELECT COUNT(*), COUNT(DISTINCT story_id), MAX(ingested_at) FROM articles").fetchone()
    (last_file,) = store.db.execute("SELECT MAX(seen_at) FROM files").fetchone()
    return Overview(articles=articles, stories=stories,
                    last_article=datetime.fromisoformat(last_article) if last_article else None,
                    last_file=datetime.fromisoformat(last_file) if last_file else None,
                    last_scan=store.last_scan(),
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
