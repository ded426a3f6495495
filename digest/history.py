"""What a reader already has, for the briefing: the record of a named Markdown briefing
(`digest brief --since-last --name NAME`) and a reader defined by a time (`--since`).

An update summary is made against such a history (`models.ReaderHistory`); the email side
keeps its own in the send ledger (`outbox.reader_history`). Tables: `briefings` (name ->
when last produced), `briefing_articles` and `briefing_sentences` (what it showed, by
story), kept by storage/history.py (migration `_m9_reader_history`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING

from digest import summarize
from digest.models import ReaderHistory, StorySummary

if TYPE_CHECKING:
    from digest.storage import Store

DEFAULT_NAME = "default"


def briefing_history(store: Store, name: str) -> ReaderHistory:
    """What briefing `name` showed so far, and when it was last produced (empty the first time)."""
    return store.briefings.history(name)


def record_briefing(store: Store, name: str, shown: Iterable[StorySummary],
                    now: datetime) -> None:
    """Remember that briefing `name` was produced now and showed these stories (one transaction)."""
    def said(s: StorySummary) -> list[str]:
        sentences = [*s.sentences, *([s.update.context] if s.update and s.update.context else [])]
        return [summarize.sentence_key(x.text) for x in sentences]

    store.briefings.record(name, now, ((s.story.id, [a.id for a in s.story.articles], said(s))
                                       for s in shown))


def history_before(store: Store, since: datetime) -> tuple[ReaderHistory, set[str]]:
    """A reader who has every article dated (undated: received) before `since`, and the
    stories with an article since then (the others have nothing new for them)."""
    return store.articles.history_before(since)
