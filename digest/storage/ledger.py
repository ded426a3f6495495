"""The send ledger: scheduled runs dealt with, the outbox of messages, what reached whom.

The state machine these rows move through is drawn in digest/outbox.py; this module holds
its SQL. Tables: `digest_runs`, `outbox`, `outbox_actions`, `sent_articles`,
`sent_sentences` (migrations _m2_outbox, _m8_outbox_operator, _m9_reader_history).
Recipients are keyed case-insensitively (`recipient_key`) in what reached them.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from digest.storage.db import BaseDatabase, Connection, marks


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
    """One outbox row: a digest for one recipient, and where it stands."""

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
    claimed_by: str | None = None  # the worker that last claimed it
    lease_until: datetime | None = None  # until when that worker holds it (while in flight)


def _when(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _message(row: Any) -> Message:
    return Message(
        id=row["id"], digest=row["digest"], run=row["run"], recipient=row["recipient"],
        message_id=row["message_id"], subject=row["subject"], message=bytes(row["message"]),
        articles=json.loads(row["articles"]), state=row["state"], attempts=row["attempts"],
        next_attempt_at=datetime.fromisoformat(row["next_attempt_at"]),
        last_error=row["last_error"],
        created_at=datetime.fromisoformat(row["created_at"]),
        updated_at=datetime.fromisoformat(row["updated_at"]),
        claimed_by=row["claimed_by"], lease_until=_when(row["lease_until"]),
    )


def recipient_key(recipient: str) -> str:
    return recipient.strip().lower()


def worker_name() -> str:
    """A name for one worker (one open state): host, process id, and a random part, so that
    two workers of one process, or a process id the system reused, are told apart."""
    return f"{socket.gethostname()}/{os.getpid()}/{secrets.token_hex(4)}"


class SendLedger:
    """The send ledger's rows: the runs dealt with, the messages and who holds each, what
    reached whom; and the lock that lets one worker at a time compose."""

    def __init__(self, db: BaseDatabase) -> None:
        self._db = db
        self.owner = worker_name()  # this worker, in `claimed_by`

    @contextmanager
    def send_lock(self, timeout: float = 0.0) -> Iterator[bool]:
        """Hold the composing lock (one composer at a time across processes; delivery does
        not take it); yields False if another holds it after `timeout` seconds."""
        with self._db.exclusive("send", timeout) as held:
            yield held

    def alive(self, owner: str) -> bool:
        """Whether the worker `owner` is still running, as far as the database can tell (a
        killed process's lock file or session is gone at once; a stopped or cut-off one is
        not: its lease tells)."""
        return self._db.present(owner)

    # -- schedule ledger -------------------------------------------------------------------
    def last_slot(self, digest: str) -> datetime | None:
        """The latest slot (naive UTC) dealt with for this digest, or None before the first start."""
        row = self._db.conn.execute("SELECT MAX(slot_utc) FROM digest_runs WHERE digest = ?",
                                    (digest,)).fetchone()
        return datetime.fromisoformat(row[0]) if row and row[0] else None

    def has_slot(self, digest: str, slot_key: str) -> bool:
        """Whether this scheduled slot of the digest was dealt with (sent or skipped)."""
        row = self._db.conn.execute("SELECT 1 FROM digest_runs WHERE digest = ? AND slot_key = ?",
                                    (digest, slot_key)).fetchone()
        return row is not None

    def record_baseline(self, digest: str, now: datetime) -> None:
        """First start: slots before now are not owed."""
        with self._db.transaction() as conn:
            if conn.execute("SELECT 1 FROM digest_runs WHERE digest = ?",
                            (digest,)).fetchone() is None:
                conn.execute("INSERT INTO digest_runs VALUES (?, ?, ?, 'baseline', ?)",
                             (digest, f"baseline {now.isoformat()}", now.isoformat(),
                              now.isoformat()))

    def record_skipped(self, digest: str, slot_utc: datetime, slot_key: str) -> None:
        with self._db.transaction() as conn:
            conn.execute("INSERT OR IGNORE INTO digest_runs VALUES (?, ?, ?, 'skipped', ?)",
                         (digest, slot_key, slot_utc.isoformat(), slot_utc.isoformat()))

    # -- what reached whom -----------------------------------------------------------------
    def sent_article_ids(self, recipient: str) -> set[str]:
        """Articles that reached this recipient in any digest."""
        rows = self._db.conn.execute("SELECT article_id FROM sent_articles WHERE recipient = ?",
                                     (recipient_key(recipient),))
        return {r[0] for r in rows}

    def sent_sentence_keys(self, recipient: str) -> dict[str, frozenset[str]]:
        """Story id -> keys of the summary sentences that reached this recipient."""
        out: dict[str, set[str]] = {}
        for story_id, key in self._db.conn.execute(
                "SELECT story_id, sentence_key FROM sent_sentences WHERE recipient = ?",
                (recipient_key(recipient),)):
            out.setdefault(story_id, set()).add(key)
        return {k: frozenset(v) for k, v in out.items()}

    def last_sent_at(self, recipient: str) -> datetime | None:
        """When the latest digest reached this recipient (naive UTC), or None."""
        row = self._db.conn.execute("SELECT MAX(sent_at) FROM sent_articles WHERE recipient = ?",
                                    (recipient_key(recipient),)).fetchone()
        return datetime.fromisoformat(row[0]) if row and row[0] else None

    def unsent_story_ids(self, recipients: Iterable[str]) -> set[str]:
        """Stories with at least one article that has not reached at least one of the recipients."""
        out: set[str] = set()
        for recipient in recipients:
            rows = self._db.conn.execute(
                "SELECT DISTINCT story_id FROM articles a WHERE NOT EXISTS (SELECT 1 FROM "
                "sent_articles s WHERE s.recipient = ? AND s.article_id = a.id)",
                (recipient_key(recipient),))
            out.update(r[0] for r in rows)
        return out

    # -- the queue -------------------------------------------------------------------------
    def enqueue(self, digest: str, run: str, messages: Iterable[NewMessage], now: datetime,
                *, slot: tuple[str, datetime] | None = None) -> list[int | None] | None:
        """Queue messages in one transaction; None if this scheduled slot was already dealt with.

        Returns the new row's id per message, None where nothing new was queued: this run
        queued it already, or a queued message of the digest for that recipient carries all
        its articles. Otherwise a recipient's older, still-queued message is superseded.
        """
        ids: list[int | None] = []
        with self._db.transaction() as conn:
            if slot is not None:
                # The slot's row is the arbiter: only the transaction that inserts it queues
                # the run's messages (another worker's insert finds the key taken).
                slot_key, slot_utc = slot
                won = conn.execute(
                    "INSERT OR IGNORE INTO digest_runs VALUES (?, ?, ?, 'scheduled', ?) "
                    "RETURNING slot_key",
                    (digest, slot_key, slot_utc.isoformat(), now.isoformat())).fetchone()
                if won is None:
                    return None
            for m in messages:
                if _queued_carries(conn, digest, m):
                    ids.append(None)
                    continue
                cur = conn.execute(
                    "INSERT OR IGNORE INTO outbox (digest, run, recipient, message_id, subject, "
                    "message, articles, state, attempts, next_attempt_at, created_at, updated_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, 'queued', 0, ?, ?, ?) RETURNING id",
                    (digest, run, m.recipient, m.message_id, m.subject, m.message,
                     json.dumps(dict(m.articles)), now.isoformat(), now.isoformat(),
                     now.isoformat()))
                # RETURNING, not lastrowid: PostgreSQL has no rowid (both backends return the
                # new row's id, and no row when the insert was ignored).
                row = cur.fetchone()
                if row is None:
                    ids.append(None)  # this run already queued it
                    continue
                new_id = int(row[0])
                ids.append(new_id)
                if m.sentences:
                    conn.execute("UPDATE outbox SET sentences = ? WHERE id = ?",
                                 (json.dumps({k: list(v) for k, v in m.sentences.items()}), new_id))
                conn.execute(
                    "UPDATE outbox SET state = 'superseded', updated_at = ? WHERE digest = ? AND "
                    "lower(recipient) = ? AND state = 'queued' AND id != ?",
                    (now.isoformat(), digest, recipient_key(m.recipient), new_id))
        return ids

    def queued(self, digest: str | None = None) -> list[Message]:
        """Messages waiting to go out (all, or of one digest), oldest first."""
        sql = "SELECT * FROM outbox WHERE state = 'queued'"
        args: tuple[str, ...] = ()
        if digest is not None:
            sql += " AND digest = ?"
            args = (digest,)
        return [_message(r) for r in self._db.conn.execute(sql + " ORDER BY id", args)]

    def get(self, message_id: int) -> Message:
        return _message(self._db.conn.execute(
            "SELECT * FROM outbox WHERE id = ?", (message_id,)).fetchone())

    def state_of(self, message_id: int) -> str | None:
        """The message's state, or None if there is no such message."""
        row = self._db.conn.execute("SELECT state FROM outbox WHERE id = ?",
                                    (message_id,)).fetchone()
        return str(row[0]) if row else None

    def messages(self, digest: str | None = None) -> list[Message]:
        """Every message in the ledger (of one digest), oldest first."""
        if digest is None:
            rows = self._db.conn.execute("SELECT * FROM outbox ORDER BY id")
        else:
            rows = self._db.conn.execute("SELECT * FROM outbox WHERE digest = ? ORDER BY id",
                                         (digest,))
        return [_message(r) for r in rows]

    def in_states(self, states: Sequence[str]) -> list[Message]:
        """Messages in these states, oldest first."""
        rows = self._db.conn.execute(
            f"SELECT * FROM outbox WHERE state IN ({marks(states)}) ORDER BY id", tuple(states))
        return [_message(r) for r in rows]

    def counts(self) -> dict[str, int]:
        """Messages per state."""
        return {r[0]: r[1] for r in self._db.conn.execute(
            "SELECT state, COUNT(*) FROM outbox GROUP BY state ORDER BY state")}

    # -- moving a message along: each step by the worker holding the message ---------------
    def claim_next(self, now: datetime, lease_until: datetime, *, digest: str | None = None,
                   due: bool = True, after: int = 0) -> Message | None:
        """queued -> sending for the oldest queued message (id > after; of one digest; whose
        retry time has come unless due=False), held by this worker until `lease_until`; None
        if there is none. Another worker's claim in progress is skipped, never waited for."""
        self._db.hold_presence(self.owner)
        sql = ("UPDATE outbox SET state = 'sending', attempts = attempts + 1, updated_at = ?, "
               "claimed_by = ?, lease_until = ? WHERE state = 'queued' AND id = (SELECT id FROM "
               "outbox WHERE state = 'queued' AND id > ? AND next_attempt_at <= ?")
        args: tuple[Any, ...] = (now.isoformat(), self.owner, lease_until.isoformat(), after,
                                 now.isoformat() if due else "9999")
        if digest is not None:
            sql += " AND digest = ?"
            args += (digest,)
        with self._db.row_transaction() as conn:
            row = conn.execute(sql + " ORDER BY id LIMIT 1) RETURNING *", args).fetchone()
        return _message(row) if row is not None else None

    def set_state(self, msg: Message, state: str, now: datetime, *,
                  expect: str | tuple[str, ...], owner: str | None = None,
                  lease_until: datetime | None = None, error: str | None = None,
                  reply: str | None = None, next_attempt: datetime | None = None) -> bool:
        """Move the message from `expect` to `state`; False (nothing changed) if it is not in
        that state, or not held by `owner` (this worker's own steps), or, without an owner
        (settling another worker's message), no longer held by whom and until when `msg`
        says. `lease_until` renews the hold. Sent and unconfirmed record, in the same
        transaction, its articles and summary sentences as reaching the recipient."""
        expected = (expect,) if isinstance(expect, str) else expect
        sql = (f"UPDATE outbox SET state = ?, updated_at = ?, "
               "last_error = COALESCE(?, last_error), server_reply = COALESCE(?, server_reply), "
               "next_attempt_at = COALESCE(?, next_attempt_at), "
               "lease_until = COALESCE(?, lease_until), "
               "sent_at = CASE WHEN ? IN ('sent', 'unconfirmed') THEN ? ELSE sent_at END "
               f"WHERE id = ? AND state IN ({marks(expected)})")
        args: tuple[Any, ...] = (
            state, now.isoformat(), error, reply,
            next_attempt.isoformat() if next_attempt else None,
            lease_until.isoformat() if lease_until else None, state, now.isoformat(), msg.id,
            *expected)
        if owner is not None:
            sql += " AND claimed_by = ?"
            args += (owner,)
        else:
            sql += " AND COALESCE(claimed_by, '') = ? AND COALESCE(lease_until, '') = ?"
            args += (msg.claimed_by or "", msg.lease_until.isoformat() if msg.lease_until else "")
        with self._db.row_transaction() as conn:
            if conn.execute(sql, args).rowcount != 1:
                return False
            if state in ("sent", "unconfirmed"):
                conn.executemany(
                    "INSERT OR IGNORE INTO sent_articles VALUES (?, ?, ?, ?, ?)",
                    [(recipient_key(msg.recipient), aid, sid, msg.id, now.isoformat())
                     for aid, sid in msg.articles.items()])
                # The summary sentences it carried, from the row (story id -> [keys]).
                conn.execute(
                    "INSERT OR IGNORE INTO sent_sentences SELECT ?, story.key, sentence.value, "
                    "o.id, ? FROM outbox o, json_each(o.sentences) story, "
                    "json_each(story.value) sentence WHERE o.id = ?",
                    (recipient_key(msg.recipient), now.isoformat(), msg.id))
        return True

    def renew(self, owner: str, lease_until: datetime) -> int:
        """Extend the hold of worker `owner` (this one's, or another connection's of the same
        process) on the messages it has in flight; how many it holds."""
        with self._db.row_transaction() as conn:
            cur = conn.execute(
                "UPDATE outbox SET lease_until = ? WHERE claimed_by = ? AND state IN "
                "('sending', 'handed_over')", (lease_until.isoformat(), owner))
            return int(cur.rowcount)

    def defer(self, messages: Iterable[Message], until: datetime, error: str | None,
              now: datetime) -> None:
        """Queued messages wait at least until `until` (the server cannot be used now)."""
        with self._db.transaction() as conn:
            for m in messages:
                conn.execute(
                    "UPDATE outbox SET next_attempt_at = MAX(next_attempt_at, ?), last_error = ?, "
                    "updated_at = ? WHERE id = ? AND state = 'queued'",
                    (until.isoformat(), error, now.isoformat(), m.id))

    def operator_action(self, message_id: int, now: datetime, action: str, from_state: str,
                        state: str) -> bool:
        """The operator's retry or drop: the new state, and the action recorded; False if the
        message left `from_state` meanwhile (a worker claimed it)."""
        with self._db.transaction() as conn:
            cur = conn.execute(
                "UPDATE outbox SET state = ?, updated_at = ?, next_attempt_at = CASE WHEN ? = "
                "'queued' THEN ? ELSE next_attempt_at END WHERE id = ? AND state = ?",
                (state, now.isoformat(), state, now.isoformat(), message_id, from_state))
            if cur.rowcount != 1:
                return False
            conn.execute("INSERT INTO outbox_actions VALUES (?, ?, ?, ?)",
                         (message_id, now.isoformat(), action, from_state))
        return True


def _queued_carries(conn: Connection, digest: str, m: NewMessage) -> bool:
    """Whether what this message carries is on its way already: a message of the digest for
    the recipient that is queued or in flight carries it all, or (with what reached them:
    another worker may have sent one since this one was composed) it all reached them."""
    # In flight counts: another worker may be delivering that message right now.
    rows = [set(json.loads(r[0])) for r in conn.execute(
        "SELECT articles FROM outbox WHERE digest = ? AND lower(recipient) = ? "
        "AND state IN ('queued', 'sending', 'handed_over')", (digest, recipient_key(m.recipient)))]
    wanted = set(m.articles)
    if any(wanted <= r for r in rows):
        return True
    if not wanted:
        return False  # an empty digest (send_empty): nothing to compare with what reached them
    have = {r[0] for r in conn.execute("SELECT article_id FROM sent_articles WHERE recipient = ?",
                                       (recipient_key(m.recipient),))}
    return wanted <= have.union(*rows)
