"""The send ledger and queue in SQLite: each digest goes out exactly once, or stays queued.

One row of `outbox` is one message (a digest for one recipient), written with its final
bytes and Message-ID before any delivery attempt. Its state moves, each step committed
before the next network step:

    queued --claim--> sending --MAIL/RCPT accepted--> handed_over --250--> sent
      ^                 |                                  |
      +-- 4xx, timeout -+                                  +-- 4xx --> queued (retry later)
          (backoff)     +-- 5xx --> failed                 +-- 5xx --> failed
                                                           +-- no reply, crash --> unconfirmed
    queued --a newer digest for the same recipient--> superseded (the newer one carries its
                                                      stories, so nothing is lost)

Only one process delivers at a time (a lock file next to the database). So when a delivery
pass starts, a row still in `sending` or `handed_over` belongs to a deliverer that died:
  - `sending`: the message body never left; it goes back to `queued` and is sent again.
  - `handed_over`: the server may have accepted it. It becomes `unconfirmed`, is counted as
    sent and never goes out again (a duplicate digest is the failure we rule out; the window
    is the few milliseconds between the server's reply and our commit). It is logged with
    its Message-ID so it can be checked in the server's log.

`sent` and `unconfirmed` record, in the same transaction, which articles reached the
recipient (`sent_articles`) and which summary sentences (`sent_sentences`, by key): the next
digest for them marks stories "new" or "updated" and repeats none of those sentences.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from digest.deliver import ConnectionFailed, NoReplyError
from digest.errors import PermanentDeliveryError, TemporaryDeliveryError
from digest.models import ReaderHistory

if TYPE_CHECKING:
    from digest.deliver import Session, Transport
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


def _message(row: sqlite3.Row) -> Message:
    return Message(
        id=row["id"], digest=row["digest"], run=row["run"], recipient=row["recipient"],
        message_id=row["message_id"], subject=row["subject"], message=bytes(row["message"]),
        articles=json.loads(row["articles"]), state=row["state"], attempts=row["attempts"],
        next_attempt_at=datetime.fromisoformat(row["next_attempt_at"]),
        last_error=row["last_error"],
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
            *, slot: tuple[str, datetime] | None = None) -> list[int] | None:
    """Queue messages in one transaction; None if this scheduled slot was already dealt with.

    A recipient's older, still-queued message of the same digest is superseded: the new one
    carries everything that has not reached them yet.
    """
    ids: list[int] = []
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
            cur = db.execute(
                "INSERT OR IGNORE INTO outbox (digest, run, recipient, message_id, subject, "
                "message, articles, state, attempts, next_attempt_at, created_at, updated_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, 'queued', 0, ?, ?, ?)",
                (digest, run, m.recipient, m.message_id, m.subject, m.message,
                 json.dumps(dict(m.articles)), now.isoformat(), now.isoformat(), now.isoformat()))
            if not cur.rowcount:
                continue  # this run already queued it
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
    """Settle rows left by a deliverer that died; call only while holding the send lock."""
    unconfirmed = []
    for row in store.db.execute("SELECT * FROM outbox WHERE state IN ('sending', 'handed_over')"):
        msg = _message(row)
        if msg.state == "sending":
            log.info("message %s to %s was interrupted before the server got it: queued again",
                     msg.message_id, msg.recipient)
            _set_state(store, msg, "queued", now, expect="sending")
        else:
            note = "interrupted after the server got the message; not sent again"
            log.warning("message %s to %s: %s (check the server log)", msg.message_id,
                        msg.recipient, note)
            _set_state(store, msg, "unconfirmed", now, expect="handed_over", error=note)
            unconfirmed.append(msg)
    return unconfirmed


@contextmanager
def send_lock(store: Store, timeout: float = 0.0) -> Iterator[bool]:
    """Hold the delivery lock (one deliverer at a time across processes); yields False if busy."""
    path = store.path.parent / f"{store.path.name}.send.lock"
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    yield False
                    return
                time.sleep(0.1)
        try:
            yield True
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


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
        out += [f"unconfirmed {m.digest} to {m.recipient} ({m.message_id}): {e}"
                for m, e in self.unconfirmed]
        out += [f"queued {m.digest} for {m.recipient}, retry after "
                f"{m.next_attempt_at:%H:%M:%S} UTC: {e}" for m, e in self.retrying]
        return out


def deliver(store: Store, transport: Transport, now: datetime, *, digest: str | None = None,
            ignore_backoff: bool = False, stop: threading.Event | None = None,
            lock_timeout: float = 0.0) -> DeliveryReport:
    """One delivery pass over queued messages whose time has come (all with ignore_backoff)."""
    report = DeliveryReport()
    with send_lock(store, lock_timeout) as locked:
        if not locked:
            report.busy = True
            return report
        for msg in recover(store, now):
            report.unconfirmed.append((msg, "interrupted after hand-over"))
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
            log.warning("%s: counted as sent, not retried (Message-ID %s)", e, msg.message_id)
            return False
        return _retry(store, msg, now, e, "sending", report)
    except TemporaryDeliveryError as e:
        ok = _retry(store, msg, now, e, "handed_over" if handed_over else "sending", report)
        return ok and not isinstance(e, ConnectionFailed)
    except PermanentDeliveryError as e:
        _set_state(store, msg, "failed", now, expect="handed_over" if handed_over else "sending",
                   error=str(e))
        report.failed.append((msg, str(e)))
        log.error("%s: not retried", e)
        return True
    _set_state(store, msg, "sent", now, expect="handed_over", reply=reply)
    report.sent.append(msg)
    log.info("sent %s to %s (%s)", msg.digest, msg.recipient, msg.message_id)
    return True


def _retry(store: Store, msg: Message, now: datetime, e: Exception, expect: str,
           report: DeliveryReport) -> bool:
    attempts = msg.attempts + 1
    when = now + backoff(attempts)
    _set_state(store, msg, "queued", now, expect=expect, error=str(e), next_attempt=when)
    report.retrying.append((get(store, msg.id), str(e)))
    log.warning("%s: queued, attempt %d, next try after %s UTC", e, attempts,
                when.isoformat(timespec="seconds"))
    return not isinstance(e, ConnectionFailed)
