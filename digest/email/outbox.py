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

import json
import logging
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import filelock

from digest.email.transport import Session, Transport
from digest.errors import (
    ConnectionFailed,
    DigestError,
    NoReplyError,
    PermanentDeliveryError,
    TemporaryDeliveryError,
)
from digest.models import ReaderHistory

if TYPE_CHECKING:
    from digest.store import Store

log = logging.getLogger(__name__)

BACKOFF_FIRST = timedelta(minutes=1)
BACKOFF_MAX = timedelta(hours=1)


def backoff(attempts: int) -> timedelta:
    """Wait before the next try after `attempts` failures: 1, 2, 4, ... minutes, at most 1 h."""
    first: timedelta = BACKOFF_FIRST * (2 ** max(attempts - 1, 0))
    return min(first, BACKOFF_MAX)


@dataclass(frozen=True)
class NewMessage:
    """A composed digest for one recipient, ready to queue."""

    recipient: str
    message_id: str
    subject: str
    message: bytes
    articles: Mapping[str, str]  # article id -> story id, what this digest carries
    # story id -> summarize.sentence_key of each summary sentence this digest shows
    sentences: Mapping[str, Sequence[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Message:
    id: int
    digest: str
    run: str
    recipient: str
    message_id: str
    subject: str
    message: bytes
    articles: Mapping[str, str]
    state: str
    attempts: int
    next_attempt_at: datetime
    last_error: str | None
    created_at: datetime | None = None
    updated_at: datetime | None = None


def _message(row: sqlite3.Row) -> Message:
    return Message(
        id=row["id"], digest=row["digest"], run=row["run"], recipient=row["recipient"],
        message_id=row["message_id"], subject=row["subject"], message=bytes(row["message"]),
        articles=json.loads(row["articles"]), state=row["state"], attempts=row["attempts"],
        next_attempt_at=datetime.fromisoformat(row["next_attempt_at"]),
        last_error=row["last_error"],
        created_at=datetime.fromisoformat(row["created_at"]),
        updated_at=datetime.fromisoformat(row["updated_at"]),
    )


def _key(recipient: str) -> str:
    return recipient.strip().lower()


# -- schedule ledger --------------------------------------------------------------------------
def last_slot(store: Store, digest: str) -> datetime | None:
    """The latest slot (naive UTC) dealt with for this digest, or None before the first start."""
    row = store.db.execute("SELECT MAX(slot_utc) FROM digest_runs WHERE digest = ?",
                           (digest,)).fetchone()
    return datetime.fromisoformat(row[0]) if row and row[0] else None


def record_baseline(store: Store, digest: str, now: datetime) -> None:
    """First start: slots before now are not owed."""
    with store.transaction() as db:
        if db.execute("SELECT 1 FROM digest_runs WHERE digest = ?", (digest,)).fetchone() is None:
            db.execute("INSERT INTO digest_runs VALUES (?, ?, ?, 'baseline', ?)",
                       (digest, f"baseline {now.isoformat()}", now.isoformat(), now.isoformat()))


def record_skipped(store: Store, digest: str, slot_utc: datetime, slot_key: str) -> None:
    with store.transaction() as db:
        db.execute("INSERT OR IGNORE INTO digest_runs VALUES (?, ?, ?, 'skipped', ?)",
                   (digest, slot_key, slot_utc.isoformat(), slot_utc.isoformat()))


# -- what reached whom ------------------------------------------------------------------------
def sent_article_ids(store: Store, recipient: str) -> set[str]:
    """Articles that reached this recipient in any digest."""
    rows = store.db.execute("SELECT article_id FROM sent_articles WHERE recipient = ?",
                            (_key(recipient),))
    return {r[0] for r in rows}


def sent_sentence_keys(store: Store, recipient: str) -> dict[str, frozenset[str]]:
    """Story id -> keys of the summary sentences that reached this recipient."""
    out: dict[str, set[str]] = {}
    for story_id, key in store.db.execute(
            "SELECT story_id, sentence_key FROM sent_sentences WHERE recipient = ?",
            (_key(recipient),)):
        out.setdefault(story_id, set()).add(key)
    return {k: frozenset(v) for k, v in out.items()}


def last_sent_at(store: Store, recipient: str) -> datetime | None:
    """When the latest digest reached this recipient (naive UTC), or None."""
    row = store.db.execute("SELECT MAX(sent_at) FROM sent_articles WHERE recipient = ?",
                           (_key(recipient),)).fetchone()
    return datetime.fromisoformat(row[0]) if row and row[0] else None


def reader_history(store: Store, recipient: str) -> ReaderHistory:
    """What this recipient already has: articles, summary sentences, and since when."""
    return ReaderHistory(articles=frozenset(sent_article_ids(store, recipient)),
                         sentences=sent_sentence_keys(store, recipient),
                         since=last_sent_at(store, recipient))


def unsent_story_ids(store: Store, recipients: Iterable[str]) -> set[str]:
    """Stories with at least one article that has not reached at least one of the recipients."""
    out: set[str] = set()
    for recipient in recipients:
        rows = store.db.execute(
            "SELECT DISTINCT story_id FROM articles a WHERE NOT EXISTS (SELECT 1 FROM "
            "sent_articles s WHERE s.recipient = ? AND s.article_id = a.id)", (_key(recipient),))
        out.update(r[0] for r in rows)
    return out


# -- queue ------------------------------------------------------------------------------------
def enqueue(store: Store, digest: str, run: str, messages: Iterable[NewMessage], now: datetime,
            *, slot: tuple[str, datetime] | None = None) -> list[int | None] | None:
    """Queue messages in one transaction; None if this scheduled slot was already dealt with.

    Returns the new row's id per message, None where nothing new was queued: this run queued
    it already, or a queued message of the digest for that recipient carries all its
    articles (it goes out instead, with its Message-ID). Otherwise a recipient's older,
    still-queued message is superseded: the new one carries everything not sent to them yet.
    """
    ids: list[int | None] = []
    with store.transaction() as db:
        if slot is not None:
            slot_key, slot_utc = slot
            done = db.execute("SELECT 1 FROM digest_runs WHERE digest = ? AND slot_key = ?",
                              (digest, slot_key)).fetchone()
            if done:
                return None
            db.execute("INSERT INTO digest_runs VALUES (?, ?, ?, 'scheduled', ?)",
                       (digest, slot_key, slot_utc.isoformat(), now.isoformat()))
        for m in messages:
            if _queued_carries(db, digest, m):
                ids.append(None)
                continue
            cur = db.execute(
                "INSERT OR IGNORE INTO outbox (digest, run, recipient, message_id, subject, "
                "message, articles, state, attempts, next_attempt_at, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, 'queued', 0, ?, ?, ?)",
                (digest, run, m.recipient, m.message_id, m.subject, m.message,
                 json.dumps(dict(m.articles)), now.isoformat(), now.isoformat(), now.isoformat()))
            if not cur.rowcount:
                ids.append(None)  # this run already queued it
                continue
            new_id = int(cur.lastrowid or 0)
            ids.append(new_id)
            if m.sentences:
                db.execute("UPDATE outbox SET sentences = ? WHERE id = ?",
                           (json.dumps({k: list(v) for k, v in m.sentences.items()}), new_id))
            db.execute(
                "UPDATE outbox SET state = 'superseded', updated_at = ? WHERE digest = ? AND "
                "lower(recipient) = ? AND state = 'queued' AND id != ?",
                (now.isoformat(), digest, _key(m.recipient), new_id))
    return ids


def _queued_carries(db: sqlite3.Connection, digest: str, m: NewMessage) -> bool:
    rows = db.execute("SELECT articles FROM outbox WHERE digest = ? AND lower(recipient) = ? "
                      "AND state = 'queued'", (digest, _key(m.recipient)))
    return any(set(m.articles) <= set(json.loads(r[0])) for r in rows)


def queued(store: Store, digest: str | None = None) -> list[Message]:
    """Messages waiting to go out (all, or of one digest), oldest first."""
    sql = "SELECT * FROM outbox WHERE state = 'queued'"
    args: tuple[str, ...] = ()
    if digest is not None:
        sql += " AND digest = ?"
        args = (digest,)
    return [_message(r) for r in store.db.execute(sql + " ORDER BY id", args)]


def get(store: Store, message_id: int) -> Message:
    return _message(store.db.execute("SELECT * FROM outbox WHERE id = ?", (message_id,)).fetchone())


def messages(store: Store, digest: str | None = None) -> list[Message]:
    """Every message in the ledger (of one digest), oldest first."""
    if digest is None:
        rows = store.db.execute("SELECT * FROM outbox ORDER BY id")
    else:
        rows = store.db.execute("SELECT * FROM outbox WHERE digest = ? ORDER BY id", (digest,))
    return [_message(r) for r in rows]


def _set_state(store: Store, msg: Message, state: str, now: datetime, *,
               expect: str, error: str | None = None, reply: str | None = None,
               next_attempt: datetime | None = None) -> None:
    with store.transaction() as db:
        db.execute(
            "UPDATE outbox SET state = ?, updated_at = ?, last_error = COALESCE(?, last_error), "
            "server_reply = COALESCE(?, server_reply), "
            "next_attempt_at = COALESCE(?, next_attempt_at), "
            "sent_at = CASE WHEN ? IN ('sent', 'unconfirmed') THEN ? ELSE sent_at END "
            "WHERE id = ? AND state = ?",
            (state, now.isoformat(), error, reply,
             next_attempt.isoformat() if next_attempt else None, state, now.isoformat(),
             msg.id, expect))
        if state in ("sent", "unconfirmed"):
            db.executemany(
                "INSERT OR IGNORE INTO sent_articles VALUES (?, ?, ?, ?, ?)",
                [(_key(msg.recipient), aid, sid, msg.id, now.isoformat())
                 for aid, sid in msg.articles.items()])
            # The summary sentences it carried, from the row (story id -> [keys]).
            db.execute(
                "INSERT OR IGNORE INTO sent_sentences SELECT ?, story.key, sentence.value, o.id, ? "
                "FROM outbox o, json_each(o.sentences) story, json_each(story.value) sentence "
                "WHERE o.id = ?", (_key(msg.recipient), now.isoformat(), msg.id))


def _claim(store: Store, msg: Message, now: datetime) -> bool:
    with store.transaction() as db:
        cur = db.execute(
            "UPDATE outbox SET state = 'sending', attempts = attempts + 1, updated_at = ? "
            "WHERE id = ? AND state = 'queued'", (now.isoformat(), msg.id))
        return cur.rowcount == 1


def recover(store: Store, now: datetime) -> list[Message]:
    """Settle rows left by a deliverer that died; call only while holding the send lock,
    and before anything new is composed (the settled rows say what reached whom)."""
    unconfirmed = []
    for row in store.db.execute("SELECT * FROM outbox WHERE state IN ('sending', 'handed_over')"):
        msg = _message(row)
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
    # A new FileLock object each time: filelock's objects are reentrant, and two deliverers
    # (threads of the daemon, or processes) must exclude each other, not share one hold.
    lock = filelock.FileLock(store.path.parent / f"{store.path.name}.send.lock", mode=0o600,
                             thread_local=False)
    try:
        lock.acquire(timeout=timeout, poll_interval=0.1)
    except filelock.Timeout:
        yield False
        return
    try:
        yield True
    finally:
        lock.release()


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
    with store.transaction() as db:
        for m in rest:
            db.execute(
                "UPDATE outbox SET next_attempt_at = MAX(next_attempt_at, ?), last_error = ?, "
                "updated_at = ? WHERE id = ? AND state = 'queued'",
                (failed.next_attempt_at.isoformat(), failed.last_error, now.isoformat(), m.id))
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
    marks = ", ".join("?" * len(OPEN_STATES))
    rows = store.db.execute(f"SELECT * FROM outbox WHERE state IN ({marks}) ORDER BY id",
                            OPEN_STATES)
    return [_message(r) for r in rows]


def counts(store: Store) -> dict[str, int]:
    """Messages per state."""
    return {r[0]: r[1] for r in store.db.execute(
        "SELECT state, COUNT(*) FROM outbox GROUP BY state ORDER BY state")}


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
        row = store.db.execute("SELECT state FROM outbox WHERE id = ?", (message_id,)).fetchone()
        if row is None:
            raise DigestError(f"outbox: no message {message_id} (`digest outbox list` shows them)")
        if row[0] not in allowed:
            raise DigestError(f"outbox: message {message_id} is {row[0]}; {action} takes "
                              f"{' or '.join(allowed)} messages")
        with store.transaction() as db:
            db.execute(
                "UPDATE outbox SET state = ?, updated_at = ?, next_attempt_at = CASE WHEN ? = "
                "'queued' THEN ? ELSE next_attempt_at END WHERE id = ?",
                (state, now.isoformat(), state, now.isoformat(), message_id))
            db.execute("INSERT INTO outbox_actions VALUES (?, ?, ?, ?)",
                       (message_id, now.isoformat(), action, row[0]))
    log.info("message %d: %s (was %s)", message_id, action, row[0])
    return get(store, message_id)
