"""The send ledger and queue: each digest goes out exactly once, or stays queued.

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

Several workers (`digest run` daemons, `digest send`, on one machine or many sharing a
PostgreSQL state) deliver at once. Each message is claimed by one worker: `claim` moves it
to `sending` with the worker's name (`claimed_by`) and a lease (`lease_until`, now + LEASE,
or $DIGEST_SEND_LEASE seconds); on PostgreSQL the claim skips rows another worker's claim has
locked (SKIP LOCKED), on SQLite the single writer makes it one step. Every later step is made
only by that worker (`... WHERE claimed_by = me`): a step that changes no row means the
message was taken over, and the worker stops before the final dot (the connection is
dropped, so the server discards what it got). A keeper thread renews the worker's leases
every third of a lease while its delivery pass runs, and `handed_over` renews it too.

A message in flight is settled by another worker (`recover()`, at the start of each delivery
pass and every little while during one) when its lease has expired, or at once when the
database can tell its worker is gone (a killed process's lock file or session is released by
the system; `SendLedger.alive`):
  - `sending`: the body was not completely written; it goes back to `queued`.
  - `handed_over`: it becomes `unconfirmed` (above): never sent twice after a 250.
A slow worker whose lease ran out (stopped, cut off) can no longer move its message: if it
was `sending`, the dot never goes; if `handed_over` and its 250 comes late, it still records
`sent` over the `unconfirmed` (the server did take it, once).

Composing is not delivery: one worker at a time composes and queues (the send lock, a lock
file next to the SQLite file or a PostgreSQL session lock), and a scheduled run's row in
`digest_runs`, inserted in the same transaction as its messages, lets only one worker queue
it; every worker delivers. A queued or in-flight message that already carries a new digest's
articles is kept (same Message-ID) instead of being replaced.

`sent` and `unconfirmed` record, in the same transaction, which articles reached the
recipient (`sent_articles`) and which summary sentences (`sent_sentences`, by key): the next
digest for them marks stories "new" or "updated" and repeats none of those sentences.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from digest.email.transport import Session, Transport
from digest.errors import (
    ConfigError,
    ConnectionFailed,
    DigestError,
    LeaseLost,
    NoReplyError,
    PermanentDeliveryError,
    TemporaryDeliveryError,
)
from digest.models import ReaderHistory
from digest.storage import Store
from digest.storage.ledger import Message, NewMessage

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


LEASE = timedelta(minutes=5)  # well beyond one message's worst case at the SMTP timeouts
RECOVER_EVERY = 5.0  # seconds: how often a long delivery pass looks for abandoned messages


def lease_length() -> timedelta:
    """How long a claim holds a message: $DIGEST_SEND_LEASE seconds if set, else LEASE."""
    value = os.environ.get("DIGEST_SEND_LEASE")
    if not value:
        return LEASE
    try:
        seconds = float(value)
    except ValueError:
        seconds = 0.0
    if not seconds > 0:
        raise ConfigError(f"DIGEST_SEND_LEASE={value!r}: give the lease in seconds (> 0)")
    return timedelta(seconds=seconds)


def _move(store: Store, msg: Message, state: str, now: datetime, *,
          expect: str | tuple[str, ...], error: str | None = None, reply: str | None = None,
          next_attempt: datetime | None = None) -> bool:
    """This worker's step for a message it claimed; False (logged) if it was taken over."""
    moved = store.ledger.set_state(msg, state, now, expect=expect, owner=store.ledger.owner,
                                   error=error, reply=reply, next_attempt=next_attempt)
    if not moved:
        log.warning("message %s to %s was taken over by another worker (this one's lease ran "
                    "out); %s is left to it", msg.message_id, msg.recipient, state)
    return moved


def abandoned(store: Store, msg: Message, now: datetime,
              alive: dict[str, bool] | None = None) -> bool:
    """Whether a message in flight may be settled by another worker: its lease expired, or
    its worker is gone (`alive` caches the answers of one pass)."""
    if msg.claimed_by is None or msg.lease_until is None:
        return True  # in flight before leases existed: its deliverer is long gone
    if msg.lease_until <= now:
        return True
    cache = {} if alive is None else alive
    if msg.claimed_by not in cache:
        cache[msg.claimed_by] = store.ledger.alive(msg.claimed_by)
    return not cache[msg.claimed_by]


def in_flight(store: Store, digest: str | None = None) -> list[Message]:
    """Messages a worker is delivering right now (sending or handed over)."""
    return [m for m in store.ledger.in_states(("sending", "handed_over"))
            if digest is None or m.digest == digest]


def recover(store: Store, now: datetime) -> list[Message]:
    """Settle messages left in flight by a worker that died or whose lease ran out; returns
    those that became unconfirmed. Messages of live workers with a lease are theirs."""
    unconfirmed = []
    alive: dict[str, bool] = {}
    for msg in in_flight(store):
        if not abandoned(store, msg, now, alive):
            continue
        if msg.state == "sending":
            if store.ledger.set_state(msg, "queued", now, expect="sending"):
                log.info("message %s to %s was interrupted before the server got it: queued "
                         "again", msg.message_id, msg.recipient)
        else:
            note = ("interrupted after the whole message was written: the server may have "
                    "accepted it; not sent again unless you retry it")
            if store.ledger.set_state(msg, "unconfirmed", now, expect="handed_over", error=note):
                log.warning("message %s to %s: %s (check the server log)", msg.message_id,
                            msg.recipient, note)
                unconfirmed.append(msg)
    return unconfirmed


@contextmanager
def send_lock(store: Store, timeout: float = 0.0) -> Iterator[bool]:
    """Hold the composing lock (one composer at a time across processes; delivery runs
    without it); yields False if another holds it after `timeout` seconds."""
    with store.ledger.send_lock(timeout) as locked:
        yield locked


@dataclass
class DeliveryReport:
    sent: list[Message] = field(default_factory=list)
    failed: list[tuple[Message, str]] = field(default_factory=list)  # permanent: not retried
    retrying: list[tuple[Message, str]] = field(default_factory=list)  # stays queued
    unconfirmed: list[tuple[Message, str]] = field(default_factory=list)
    taken_over: list[tuple[Message, str]] = field(default_factory=list)  # another worker's now
    busy: bool = False  # another worker is delivering messages of it right now

    def merge(self, other: DeliveryReport) -> None:
        self.sent += other.sent
        self.failed += other.failed
        self.unconfirmed += other.unconfirmed
        self.taken_over += other.taken_over
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
            lease: timedelta | None = None) -> DeliveryReport:
    """Settle abandoned messages, deliver what is due (the daemon's job); other workers may
    be doing the same at once: each message goes out through one of them."""
    report = recovered(store, now)
    report.merge(deliver_pass(store, transport, now, digest=digest,
                              ignore_backoff=ignore_backoff, stop=stop, lease=lease))
    return report


def recovered(store: Store, now: datetime) -> DeliveryReport:
    """recover(), as a report; busy if live workers still have messages in flight."""
    report = DeliveryReport()
    for msg in recover(store, now):
        report.unconfirmed.append((msg, "interrupted after the whole message was written"))
    report.busy = bool(in_flight(store))
    return report


def deliver_pass(store: Store, transport: Transport, now: datetime, *,
                 digest: str | None = None, ignore_backoff: bool = False,
                 stop: threading.Event | None = None,
                 lease: timedelta | None = None) -> DeliveryReport:
    """One delivery pass: claim queued messages whose time has come (all with
    ignore_backoff) one by one, oldest first, and send each; messages other workers claim
    meanwhile are theirs. Steps are recorded at `now`; claims, leases and recovery use `now`
    moved on by the time the pass has taken (a lease is a real time span)."""
    lease = lease or lease_length()
    started = time.monotonic()

    def clock() -> datetime:
        return now + timedelta(seconds=time.monotonic() - started)

    report = DeliveryReport()
    after = 0  # a message tried in this pass is not claimed again by it (ids only grow)

    def claim() -> Message | None:
        at = clock()
        return store.ledger.claim_next(at, at + lease, digest=digest, due=not ignore_backoff,
                                       after=after)

    msg = claim()
    if msg is None:
        return report
    last_recovery = time.monotonic()
    with _lease_kept(store, lease, clock), transport.session() as session:
        while msg is not None:
            after = msg.id
            if not _send_one(store, session, msg, now, clock, lease, report):
                # The server cannot be used now: the rest wait as long as this one.
                _defer(store, digest, get(store, msg.id), now, report,
                       due_only=not ignore_backoff)
                break
            if stop is not None and stop.is_set():
                log.info("stopping: what is still queued stays queued")
                break
            if time.monotonic() - last_recovery > min(RECOVER_EVERY, lease.total_seconds() / 2):
                # A long pass settles what a dead worker left meanwhile (and goes back for it).
                last_recovery = time.monotonic()
                requeued = len(in_flight(store))
                for m in recover(store, clock()):
                    report.unconfirmed.append(
                        (m, "interrupted after the whole message was written"))
                if len(in_flight(store)) < requeued:
                    after = 0
            msg = claim()
    return report


@contextmanager
def _lease_kept(store: Store, lease: timedelta, clock: Callable[[], datetime]) -> Iterator[None]:
    """Renew this worker's lease every third of a lease while its pass runs, from a thread
    with a connection of its own: a message whose SMTP exchange outlasts the lease (a slow
    server, at the timeouts) stays this worker's while it works on it. A stopped worker, or
    one cut off from the database, renews nothing: its lease runs out."""
    stop = threading.Event()
    owner = store.ledger.owner

    def keep() -> None:
        try:
            with Store(store.location) as own:
                while not stop.wait(lease.total_seconds() / 3):
                    own.ledger.renew(owner, clock() + lease)
        except DigestError as e:  # the database went away: the lease will run out
            log.warning("cannot renew the lease of this worker's messages: %s", e)

    keeper = threading.Thread(target=keep, name="lease keeper", daemon=True)
    keeper.start()
    try:
        yield
    finally:
        stop.set()
        keeper.join()


def _defer(store: Store, digest: str | None, failed: Message, now: datetime,
           report: DeliveryReport, *, due_only: bool) -> None:
    rest = [m for m in queued(store, digest)
            if m.id != failed.id and (m.next_attempt_at <= now or not due_only)]
    store.ledger.defer(rest, failed.next_attempt_at, failed.last_error, now)
    report.retrying += [(get(store, m.id), failed.last_error or "") for m in rest]


def _send_one(store: Store, session: Session, msg: Message, now: datetime,
              clock: Callable[[], datetime], lease: timedelta, report: DeliveryReport) -> bool:
    """Send one claimed message and record the outcome; False if the server is unusable."""
    handed_over = False
    owner = store.ledger.owner

    def on_handover() -> None:
        # The last step before the final dot: only if this worker still holds the message
        # (and for a lease more: the reply may take the SMTP timeout).
        nonlocal handed_over
        if not store.ledger.set_state(msg, "handed_over", now, expect="sending", owner=owner,
                                      lease_until=clock() + lease):
            raise LeaseLost(f"message {msg.message_id} to {msg.recipient} was taken over by "
                            "another worker (this one's lease ran out): not sent by this one")
        handed_over = True

    try:
        reply = session.send(msg.recipient, msg.message, on_handover)
    except LeaseLost as e:
        report.taken_over.append((msg, str(e)))
        log.warning("%s", e)
        return True
    except NoReplyError as e:
        if handed_over:
            if _move(store, msg, "unconfirmed", now, expect="handed_over", error=str(e)):
                report.unconfirmed.append((msg, str(e)))
            # Each outcome is logged once, by whoever reads the DeliveryReport (daemon or CLI).
            log.debug("%s: unconfirmed (Message-ID %s)", e, msg.message_id)
            return False
        return _retry(store, msg, now, e, "sending", report)
    except TemporaryDeliveryError as e:
        ok = _retry(store, msg, now, e, "handed_over" if handed_over else "sending", report)
        return ok and not isinstance(e, ConnectionFailed)
    except PermanentDeliveryError as e:
        if _move(store, msg, "failed", now,
                 expect="handed_over" if handed_over else "sending", error=str(e)):
            report.failed.append((msg, str(e)))
        log.debug("%s: failed, not retried", e)
        return True
    # The 250: sent, also over an `unconfirmed` that another worker wrote while this reply
    # was late (the server has it once; now we know).
    if _move(store, msg, "sent", now, expect=("handed_over", "unconfirmed"), reply=reply):
        report.sent.append(msg)
    log.debug("sent %s to %s (%s)", msg.digest, msg.recipient, msg.message_id)
    return True


def _retry(store: Store, msg: Message, now: datetime, e: Exception, expect: str,
           report: DeliveryReport) -> bool:
    attempts = msg.attempts
    when = now + backoff(attempts)
    if _move(store, msg, "queued", now, expect=expect, error=str(e), next_attempt=when):
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
    recover(store, now)
    was = store.ledger.state_of(message_id)
    if was is None:
        raise DigestError(f"outbox: no message {message_id} (`digest outbox list` shows them)")
    if was not in allowed:
        raise DigestError(f"outbox: message {message_id} is {was}; {action} takes "
                          f"{' or '.join(allowed)} messages")
    if not store.ledger.operator_action(message_id, now, action, was, state):
        raise DigestError(f"outbox: message {message_id} changed meanwhile (a worker is "
                          f"delivering it); `digest outbox list` shows where it stands")
    log.info("message %d: %s (was %s)", message_id, action, was)
    return get(store, message_id)
