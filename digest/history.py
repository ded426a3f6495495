"""What a reader already has, for the briefing: the record of a named Markdown briefing
(`digest brief --since-last --name NAME`) and a reader defined by a time (`--since`).

An update summary is made against such a history (`models.ReaderHistory`); the email side
keeps its own in the send ledger (`outbox.reader_history`). Tables: `briefings` (name ->
when last produced), `briefing_articles` and `briefing_sentences` (what it showed, by
story), created by the store's migration `_m9_reader_history`.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING

from digest import summarize
from digest.models import ReaderHistory, StorySummary

if TYPE_CHECKING:
    from digest.store import Store

DEFAULT_NAME = "default"


def briefing_history(store: Store, name: str) -> ReaderHistory:
    """What briefing `name` showed so far, and when it was last produced (empty the first time)."""
    row = store.db.execute("SELECT produced_at FROM briefings WHERE name = ?", (name,)).fetchone()
    articles = frozenset(r[0] for r in store.db.execute(
        "SELECT article_id FROM briefing_articles WHERE name = ?", (name,)))
    sentences: dict[str, set[str]] = {}
    for story_id, key in store.db.execute(
            "SELECT story_id, sentence_key FROM briefing_sentences WHERE name = ?", (name,)):
        sentences.setdefault(story_id, set()).add(key)
    return ReaderHistory(articles=articles,
                         sentences={k: frozenset(v) for k, v in sentences.items()},
                         since=datetime.fromisoformat(row[0]) if row else None)


def record_briefing(store: Store, name: str, shown: Iterable[StorySummary],
                    now: datetime) -> None:
    """Remember that briefing `name` was produced now and showed these stories (one transaction)."""
    with store.transaction() as db:
        db.execute("INSERT INTO briefings VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET "
                   "produced_at = excluded.produced_at", (name, now.isoformat()))
        for s in shown:
            db.executemany("INSERT OR IGNORE INTO briefing_articles VALUES (?, ?, ?, ?)",
                           [(name, a.id, s.story.id, now.isoformat()) for a in s.story.articles])
            said = [*s.sentences, *([s.update.context] if s.update and s.update.context else [])]
            db.executemany("INSERT OR IGNORE INTO briefing_sentences VALUES (?, ?, ?)",
                           [(name, s.story.id, summarize.sentence_key(x.text)) for x in said])


def history_before(store: Store, since: datetime) -> tuple[ReaderHistory, set[str]]:
    """A reader who has every article dated (undated: received) before `since`, and the
    stories with an article since then (the others have nothing new for them)."""
    seen: set[str] = set()
    recent: set[str] = set()
    for article_id, story_id, when in store.db.execute(
            "SELECT id, story_id, COALESCE(date, ingested_at) FROM articles"):
        if datetime.fromisoformat(when) < since:
            seen.add(article_id)
        else:
            recent.add(story_id)
    return ReaderHistory(articles=frozenset(seen), since=since), recent
