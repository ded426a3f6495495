"""The send ledger and queue in SQLite: each digest goes out exactly once, or stays queued.

One row of `outbox` is one message (a digest for one recipient), written with its final
bytes and Message-ID before any delivery attempt. Its state moves, each step committed
before the next network step:

    queued --claim--> sending --whole body written--> handed_over --250--> sent
      ^                 |                                  |
      +-- 4xx, refused, +                                  +-- 4xx, or closed without a reply
      |   timeout, lost  \                                 |   --> queued (retry later)
      |   (backoff)       +-- 5xx --> failed               +-- 5xx --> failed
      |                                                    +-- no reply in time, or the
      |                                                        process died --> unconfirmed
      +-- `digest outbox retry ID` (same bytes, same Message-ID) -- failed, unconfirmed
    queued --a newer digest carrying more for the same recipient--> superseded
    queued, failed, unconfirmed --`digest outbox drop ID`--> dropped (kept as a record)

"Whole body written" is the moment the message's last line has left this process and only
the final dot is still to come: before it the server cannot have the message, so any failure
queues it again; after it, a reply decides, and a missing one (timeout, or our own death)
leaves the outcome unknown. Such a message is `unconfirmed`: counted as sent and never sent
again by itself (a duplicate digest is the failure ruled out), listed by `digest status` with
its Message-ID so the operator can check the server log and resend it with one command.
A server that closes the connection without answering the dot has not taken the message
(RFC 5321: the 250 is the hand-over), so that one is queued again.

Exactly one process composes and delivers at a time: the send lock (a lock file next to the
database) is held from recovery through choosing stories, composing, queuing and delivering.
So when the lock is taken, a row still in `sending` or `handed_over` belongs to a deliverer
that died, and `recover()` settles it before anything new is composed:
  - `sending`: the body was not completely written; it goes back to `queued`.
  - `handed_over`: it becomes `unconfirmed` (above).
A second sender that waited for the lock finds what the first one recorded: recipients who
have everything get nothing, and a queued message that already carries a new digest's
articles is kept (same Message-ID) instead of being replaced.

`sent` and `unconfirmed` record, in the same transaction, which articles reached the
recipient (`sent_articles`) and which summary sentences (`sent_sentences`, by key): the next
digest for them marks stories "new" or "updated" and repeats none of those sentences.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from digest.email.transport import Session, Transport
from digest.errors import (
    ConnectionFailed,
    DigestError,
    NoReplyError,
    PermanentDeliveryError,
    TemporaryDeliveryError,
)
from digest.models import ReaderHistory
from digest.storage.ledger import Message, NewMessage

if TYPE_CHECKING:
    from digest.storage import Store

__all__ = ["Message", "NewMessage"]  # the ledger's records, defined with its rows (storage/ledger.py)

log = logging.getLogger(__name__)

BACKOFF_FIRST = timedelta(minutes=1)
BACKOFF_MAX = timedelta(hours=1)


def backoff(attempts: int) -> timedelta:
    """Wait before the next try after `attempts` failures: 1, 2, 4, ... minutes, at most 1 h."""
    first: timedelta = BACKOFF_FIRST * (2 ** max(attempts - 1, 0))
    return min(first, BACKOFF_MAX)


# -- schedule ledger --------------------------------------------------------------------------
def last_slot(store: Store, digest: str) -> datetime | None:
    """The latest slot (naive UTC) dealt with for this digest, or None before the first start."""
    return store.ledger.last_slot(digest)


def record_baseline(store: Store, digest: str, now: datetime) -> None:
    """First start: slots before now are not owed."""
    store.ledger.record_baseline(digest, now)


def record_skipped(store: Store, digest: str, slot_utc: datetime, slot_key: str) -> None:
    store.ledger.record_skipped(digest, slot_utc, slot_key)


# -- what reached whom ------------------------------------------------------------------------
def sent_article_ids(store: Store, recipient: str) -> set[str]:
    """Articles that reached this recipient in any digest."""
    return store.ledger.sent_article_ids(recipient)


def sent_sentence_keys(store: Store, recipient: str) -> dict[str, frozenset[str]]:
    """Story id -> keys of the summary sentences that reached this recipient."""
    return store.ledger.sent_sentence_keys(recipient)


def last_sent_at(store: Store, recipient: str) -> datetime | None:
    """When the latest digest reached this recipient (naive UTC), or None."""
    return store.ledger.last_sent_at(recipient)


def reader_history(store: Store, recipient: str) -> ReaderHistory:
    """What this recipient already has: articles, summary sentences, and since when."""
    return ReaderHistory(articles=frozenset(sent_article_ids(store, recipient)),
                         sentences=sent_sentence_keys(store, recipient),
                         since=last_sent_at(store, recipient))


def unsent_story_ids(store: Store, recipients: Iterable[str]) -> set[str]:
    """Stories with at least one article that has not reached at least one of the recipients."""
    return store.ledger.unsent_story_ids(recipients)


# -- queue ------------------------------------------------------------------------------------
def enqueue(store: Store, digest: str, run: str, messages: Iterable[NewMessage], now: datetime,
            *, slot: tuple[str, datetime] | None = None) -> list[int | None] | None:
    """Queue messages in one transaction; None if this scheduled slot was already dealt with.

    Returns the new row's id per message, None where nothing new was queued: this run queued
    it already, or a queued message of the digest for that recipient carries all its
    articles (it goes out instead, with its Message-ID). Otherwise a recipient's older,
    still-queued message is superseded: the new one carries everything not sent to them yet.
    """
    return store.ledger.enqueue(digest, run, messages, now, slot=slot)


def queued(store: Store, digest: str | None = None) -> list[Message]:
    """Messages waiting to go out (all, or of one digest), oldest first."""
    return store.ledger.queued(digest)


def get(store: Store, message_id: int) -> Message:
    return store.ledger.get(message_id)


def messages(store: Store, digest: str | None = None) -> list[Message]:
    """Every message in the ledger (of one digest), oldest first."""
    return store.ledger.messages(digest)


def _set_state(store: Store, msg: Message, state: str, now: datetime, *,
               expect: str, error: str | None = None, reply: str | None = None,
               next_attempt: datetime | None = None) -> None:
    store.ledger.set_state(msg, state, now, expect=expect, error=error, reply=reply,
                           next_attempt=next_attempt)


def _claim(store: Store, msg: Message, now: datetime) -> bool:
    return store.ledger.claim(msg, now)


def recover(store: Store, now: datetime) -> list[Message]:
    """Settle rows left by a deliverer that died; call only while holding the send lock,
    and before anything new is composed (the settled rows say what reached whom)."""
    unconfirmed = []
    for msg in store.ledger.in_states(("sending", "handed_over")):
        if msg.state == "sending":
            log.info("message %s to %s was interrupted before the server got it: queued again",
                     msg.message_id, msg.recipient)
            _set_state(store, msg, "queued", now, expect="sending")
        else:
            note = ("interrupted after the whole message was written: the server may have "
                    "accepted it; not sent again unless you retry it")
            log.warning("message %s to %s: %s (check the server log)", msg.message_id,
                        msg.recipient, note)
            _set_state(store, msg, "unconfirmed", now, expect="handed_over", error=note)
            unconfirmed.append(msg)
    return unconfirmed


@contextmanager
def send_lock(store: Store, timeout: float = 0.0) -> Iterator[bool]:
    """Hold the delivery lock (one deliverer at a time across processes); yields False if busy."""
    with store.ledger.send_lock(timeout) as locked:
        yield locked


@dataclass
class DeliveryReport:
    sent: list[Message] = field(default_factory=list)
    failed: list[tuple[Message, str]] = field(default_factory=list)  # permanent: not retried
    retrying: list[tuple[Message, str]] = field(default_factory=list)  # stays queued
    unconfirmed: list[tuple[Message, str]] = field(default_factory=list)
    busy: bool = False  # another process holds the send lock

    def merge(self, other: DeliveryReport) -> None:
        self.sent += other.sent
        self.failed += other.failed
        self.unconfirmed += other.unconfirmed
        self.retrying = other.retrying  # only the latest pass says what is still queued
        self.busy = other.busy

    def lines(self) -> list[str]:
        out = [f"sent {m.digest} to {m.recipient} ({m.message_id})" for m in self.sent]
        out += [f"refused {m.digest} for {m.recipient}: {e}" for m, e in self.failed]
        out += [f"unconfirmed {m.digest} to {m.recipient} ({m.message_id}): {e}; counted as "
                f"sent, `digest outbox retry {m.id}` resends it" for m, e in self.unconfirmed]
        out += [f"queued {m.digest} for {m.recipient}, retry after "
                f"{m.next_attempt_at:%H:%M:%S} UTC: {e}" for m, e in self.retrying]
        return out


def deliver(store: Store, transport: Transport, now: datetime, *, digest: str | None = None,
            ignore_backoff: bool = False, stop: threading.Event | None = None,
            lock_timeout: float = 0.0) -> DeliveryReport:
    """Take the send lock, settle interrupted rows, deliver what is due (the daemon's job)."""
    with send_lock(store, lock_timeout) as locked:
        if not locked:
            return DeliveryReport(busy=True)
        report = recovered(store, now)
        report.merge(deliver_pass(store, transport, now, digest=digest,
                                  ignore_backoff=ignore_backoff, stop=stop))
        return report


def recovered(store: Store, now: datetime) -> DeliveryReport:
    """recover(), as a report; call only while holding the send lock."""
    report = DeliveryReport()
    for msg in recover(store, now):
        report.unconfirmed.append((msg, "interrupted after the whole message was written"))
    return report


def deliver_pass(store: Store, transport: Transport, now: datetime, *,
                 digest: str | None = None, ignore_backoff: bool = False,
                 stop: threading.Event | None = None) -> DeliveryReport:
    """One delivery pass over queued messages whose time has come (all with ignore_backoff);
    call only while holding the send lock, after recover()."""
    report = DeliveryReport()
    todo = [m for m in queued(store, digest) if ignore_backoff or m.next_attempt_at <= now]
    if not todo:
        return report
    with transport.session() as session:
        for i, msg in enumerate(todo):
            if stop is not None and stop.is_set():
                log.info("stopping: %d message(s) stay queued", len(todo) - i)
                break
            if not _claim(store, msg, now):
                continue
            if not _send_one(store, session, msg, now, report):
                # The server cannot be used now: the rest wait as long as this one.
                _defer(store, todo[i + 1:], get(store, msg.id), now, report)
                break
    return report


def _defer(store: Store, rest: list[Message], failed: Message, now: datetime,
           report: DeliveryReport) -> None:
    store.ledger.defer(rest, failed.next_attempt_at, failed.last_error, now)
    report.retrying += [(get(store, m.id), failed.last_error or "") for m in rest]


def _send_one(store: Store, session: Session, msg: Message, now: datetime,
              report: DeliveryReport) -> bool:
    """Send one claimed message and record the outcome; False if the server is unusable."""
    handed_over = False

    def on_handover() -> None:
        nonlocal handed_over
        _set_state(store, msg, "handed_over", now, expect="sending")
        handed_over = True

    try:
        reply = session.send(msg.recipient, msg.message, on_handover)
    except NoReplyError as e:
        if handed_over:
            _set_state(store, msg, "unconfirmed", now, expect="handed_over", error=str(e))
            report.unconfirmed.append((msg, str(e)))
            # Each outcome is logged once, by whoever reads the DeliveryReport (daemon or CLI).
            log.debug("%s: unconfirmed (Message-ID %s)", e, msg.message_id)
            return False
        return _retry(store, msg, now, e, "sending", report)
    except TemporaryDeliveryError as e:
        ok = _retry(store, msg, now, e, "handed_over" if handed_over else "sending", report)
        return ok and not isinstance(e, ConnectionFailed)
    except PermanentDeliveryError as e:
        _set_state(store, msg, "failed", now, expect="handed_over" if handed_over else "sending",
                   error=str(e))
        report.failed.append((msg, str(e)))
        log.debug("%s: failed, not retried", e)
        return True
    _set_state(store, msg, "sent", now, expect="handed_over", reply=reply)
    report.sent.append(msg)
    log.debug("sent %s to %s (%s)", msg.digest, msg.recipient, msg.message_id)
    return True


def _retry(store: Store, msg: Message, now: datetime, e: Exception, expect: str,
           report: DeliveryReport) -> bool:
    attempts = msg.attempts + 1
    when = now + backoff(attempts)
    _set_state(store, msg, "queued", now, expect=expect, error=str(e), next_attempt=when)
    report.retrying.append((get(store, msg.id), str(e)))
    log.debug("%s: queued, attempt %d, next try after %s UTC", e, attempts,
              when.isoformat(timespec="seconds"))
    return not isinstance(e, ConnectionFailed)


# -- the operator ----------------------------------------------------------------------------
OPEN_STATES = ("queued", "sending", "handed_over", "unconfirmed", "failed")


def open_messages(store: Store) -> list[Message]:
    """Messages not settled for good: queued, in flight, unconfirmed or failed; oldest first."""
    return store.ledger.in_states(OPEN_STATES)


def counts(store: Store) -> dict[str, int]:
    """Messages per state."""
    return store.ledger.counts()


def retry(store: Store, message_id: int, now: datetime) -> Message:
    """Queue an unconfirmed or failed message again, as it was: the same bytes and
    Message-ID (a receiving system that got it before can tell the copy). Recorded."""
    return _operator(store, message_id, now, "retry", ("unconfirmed", "failed"), "queued")


def drop(store: Store, message_id: int, now: datetime) -> Message:
    """Never send this message; the row stays as a record. A dropped queued message's
    stories go into the recipient's next digest (they never reached them)."""
    return _operator(store, message_id, now, "drop", ("queued", "unconfirmed", "failed"),
                     "dropped")


def _operator(store: Store, message_id: int, now: datetime, action: str,
              allowed: tuple[str, ...], state: str) -> Message:
    with send_lock(store, 30.0) as locked:
        if not locked:
            raise DigestError("another digest process is delivering; try again in a moment")
        recover(store, now)
        was = store.ledger.state_of(message_id)
        if was is None:
            raise DigestError(f"outbox: no message {message_id} (`digest outbox list` shows them)")
        if was not in allowed:
            raise DigestError(f"outbox: message {message_id} is {was}; {action} takes "
                              f"{' or '.join(allowed)} messages")
        store.ledger.operator_action(message_id, now, action, was, state)
    log.info("message %d: %s (was %s)", message_id, action, was)
    return get(store, message_id)
