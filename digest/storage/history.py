"""Named briefings' history: when each was produced and what it showed (`brief --since-last`).

Tables `briefings`, `briefing_articles`, `briefing_sentences` (migration _m9_reader_history).
The email side's equivalent is the send ledger's (ledger.py: sent_articles, sent_sentences).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from digest.models import ReaderHistory
from digest.storage.db import BaseDatabase


class Briefings:
    """What each named Markdown briefing showed so far."""

    def __init__(self, db: BaseDatabase) -> None:
        self._db = db

    def history(self, name: str) -> ReaderHistory:
        """What briefing `name` showed so far, and when it was last produced (empty the first time)."""
        conn = self._db.conn
        row = conn.execute("SELECT produced_at FROM briefings WHERE name = ?", (name,)).fetchone()
        articles = frozenset(r[0] for r in conn.execute(
            "SELECT article_id FROM briefing_articles WHERE name = ?", (name,)))
        sentences: dict[str, set[str]] = {}
        for story_id, key in conn.execute(
                "SELECT story_id, sentence_key FROM briefing_sentences WHERE name = ?", (name,)):
            sentences.setdefault(story_id, set()).add(key)
        return ReaderHistory(articles=articles,
                             sentences={k: frozenset(v) for k, v in sentences.items()},
                             since=datetime.fromisoformat(row[0]) if row else None)

    def record(self, name: str, now: datetime,
               shown: Iterable[tuple[str, Iterable[str], Iterable[str]]]) -> None:
        """Briefing `name` was produced now and showed, per story: (story id, article ids,
        sentence keys). One transaction."""
        with self._db.transaction() as conn:
            conn.execute("INSERT INTO briefings VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET "
                         "produced_at = excluded.produced_at", (name, now.isoformat()))
            for story_id, article_ids, keys in shown:
                conn.executemany("INSERT OR IGNORE INTO briefing_articles VALUES (?, ?, ?, ?)",
                                 [(name, a, story_id, now.isoformat()) for a in article_ids])
                conn.executemany("INSERT OR IGNORE INTO briefing_sentences VALUES (?, ?, ?)",
                                 [(name, story_id, k) for k in keys])
