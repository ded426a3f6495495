"""The articles repository: article rows, their lead-sentence hashes, and stories as read.

The rows an ingest writes (add, update, remove) are written through the story index
(index.py), which keeps the stories' rows in step; this module reads and writes the
`articles` and `lead_hashes` tables only.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson

from digest.cluster import Features
from digest.models import Article, ReaderHistory, Story
from digest.storage.db import Connection, marks

ARTICLE_COLUMNS = "id, path, title, outlet, date, author, url, text, captions, ingested_at"


@dataclass(frozen=True)
class Totals:
    """How much the store holds, as `digest status` shows it."""

    articles: int
    stories: int
    last_ingested: datetime | None  # when the newest article was taken in


def article_from_row(row: Any) -> Article:
    """An Article from a row holding ARTICLE_COLUMNS."""
    return Article(
        id=row["id"], path=row["path"], title=row["title"], outlet=row["outlet"],
        date=datetime.fromisoformat(row["date"]) if row["date"] else None,
        author=row["author"], url=row["url"], text=row["text"],
        captions=tuple(json.loads(row["captions"])),
        ingested_at=datetime.fromisoformat(row["ingested_at"]),
    )


def dumps(weights: dict[str, float]) -> str:
    """Term weights as JSON. orjson, not json: a big story's centroid (thousands of terms) is
    written at every COMMIT that touched it and read back when it left memory; orjson does it
    several times faster, and its floats read back bit for bit, like json's."""
    return orjson.dumps(weights).decode()


class Articles:
    """The `articles` and `lead_hashes` tables."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    # -- writing (through the story index) -------------------------------------------------
    def add(self, article: Article, story_id: str, duplicate_of: str | None,
            features: Features) -> None:
        self.conn.execute(
            # Columns named: PostgreSQL's articles table has one more (its insertion order).
            f"INSERT INTO articles ({ARTICLE_COLUMNS}, story_id, duplicate_of, headline_terms) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (article.id, article.path, article.title, article.outlet,
             article.date.isoformat() if article.date else None, article.author, article.url,
             article.text, json.dumps(list(article.captions)),
             (article.ingested_at or datetime.now()).isoformat(), story_id, duplicate_of,
             # Floats in shortest round-trip form: read back bit for bit, so a headline chosen
             # on them is the one chosen on the text.
             dumps(features.headline_terms)),
        )
        self.conn.executemany(
            "INSERT OR IGNORE INTO lead_hashes VALUES (?, ?)",
            [(h, article.id) for h in features.lead_hashes])

    def update(self, article: Article) -> None:
        """New metadata for a stored article (its title and text did not change)."""
        self.conn.execute(
            "UPDATE articles SET path = ?, outlet = ?, date = ?, author = ?, url = ?, captions = ? "
            "WHERE id = ?",
            (article.path, article.outlet, article.date.isoformat() if article.date else None,
             article.author, article.url, json.dumps(list(article.captions)), article.id))

    def remove(self, article_id: str) -> list[str]:
        """Delete an article's rows; returns the articles marked as copies of it (now none)."""
        self.conn.execute("DELETE FROM lead_hashes WHERE article_id = ?", (article_id,))
        self.conn.execute("DELETE FROM articles WHERE id = ?", (article_id,))
        copies = [r[0] for r in self.conn.execute(
            "SELECT id FROM articles WHERE duplicate_of = ?", (article_id,))]
        self.conn.execute("UPDATE articles SET duplicate_of = NULL WHERE duplicate_of = ?",
                          (article_id,))
        return copies

    def set_duplicate_of(self, article_id: str, original: str | None) -> None:
        self.conn.execute("UPDATE articles SET duplicate_of = ? WHERE id = ?",
                          (original, article_id))

    # -- reading ---------------------------------------------------------------------------
    def has(self, article_id: str) -> bool:
        return self.conn.execute(
            "SELECT 1 FROM articles WHERE id = ?", (article_id,)).fetchone() is not None

    def of_file(self, path: str) -> list[Article]:
        """The articles a file gave (entries of a feed and split-off articles included)."""
        # A range on the indexed path column finds "path" and "path#N" without a table scan.
        rows = self.conn.execute(
            f"SELECT {ARTICLE_COLUMNS} FROM articles WHERE path = ? OR (path >= ? AND path < ?) "
            "ORDER BY rowid", (path, path + "#", path + "$"))
        return [article_from_row(r) for r in rows]

    def lead_hashes_of(self, article_id: str) -> list[str]:
        return [r[0] for r in self.conn.execute(
            "SELECT hash FROM lead_hashes WHERE article_id = ? ORDER BY hash", (article_id,))]

    def lead_matches(self, hashes: list[str]) -> list[tuple[str, int]]:
        """Articles sharing lead-sentence hashes with these, most shared first."""
        if not hashes:
            return []
        rows = self.conn.execute(
            f"SELECT article_id, COUNT(*) n FROM lead_hashes WHERE hash IN ({marks(hashes)}) "
            "GROUP BY article_id ORDER BY n DESC LIMIT 5", hashes)
        return [(r[0], r[1]) for r in rows]

    def story_of_article(self, article_id: str) -> str | None:
        row = self.conn.execute(
            "SELECT story_id FROM articles WHERE id = ?", (article_id,)).fetchone()
        return row[0] if row else None

    def story_of(self) -> dict[str, str]:
        """Every article's story."""
        return {r[0]: r[1] for r in self.conn.execute("SELECT id, story_id FROM articles")}

    def stories(self, *, since: datetime | None = None,
                story_ids: Iterable[str] | None = None) -> list[Story]:
        """Stories with their articles (only articles dated/ingested since `since`)."""
        titles = {r["id"]: r["title"] for r in self.conn.execute("SELECT id, title FROM stories")}
        # The columns an Article has (not the headline terms), row by row: at 100,000 articles
        # every row at once would double the peak memory of a run.
        rows = self.conn.execute(
            f"SELECT {ARTICLE_COLUMNS}, story_id FROM articles "
            # An undated article takes its place by when digest received it.
            "ORDER BY COALESCE(date, ingested_at), path")
        wanted = set(story_ids) if story_ids is not None else None
        by_story: dict[str, list[Article]] = {}
        for row in rows:
            if wanted is not None and row["story_id"] not in wanted:
                continue
            article = article_from_row(row)
            if since is not None and (article.date or article.ingested_at or since) < since:
                continue
            by_story.setdefault(row["story_id"], []).append(article)
        return [Story(sid, titles.get(sid, arts[0].title), tuple(arts))
                for sid, arts in by_story.items()]

    def stories_taken_in_since(self, since: datetime) -> set[str]:
        """Ids of the stories with an article digest took in at or after `since`."""
        return {r[0] for r in self.conn.execute(
            "SELECT DISTINCT story_id FROM articles WHERE ingested_at >= ?", (since.isoformat(),))}

    def history_before(self, since: datetime) -> tuple[ReaderHistory, set[str]]:
        """A reader who has every article dated (undated: received) before `since`, and the
        stories with an article since then (the others have nothing new for them)."""
        seen: set[str] = set()
        recent: set[str] = set()
        for article_id, story_id, when in self.conn.execute(
                "SELECT id, story_id, COALESCE(date, ingested_at) FROM articles"):
            if datetime.fromisoformat(when) < since:
                seen.add(article_id)
            else:
                recent.add(story_id)
        return ReaderHistory(articles=frozenset(seen), since=since), recent

    def headline_terms(self, story_ids: list[str]) -> dict[str, dict[str, float]]:
        """Features.headline_terms of these stories' articles (by article id), where stored."""
        rows = self.conn.execute(
            "SELECT id, headline_terms FROM articles WHERE headline_terms IS NOT NULL "
            f"AND story_id IN ({marks(story_ids)})", story_ids)
        return {r[0]: orjson.loads(r[1]) for r in rows}

    def duplicates(self) -> dict[str, str]:
        """Wire copies: article id -> the stored article it copies."""
        rows = self.conn.execute(
            "SELECT id, duplicate_of FROM articles WHERE duplicate_of IS NOT NULL")
        return {r[0]: r[1] for r in rows}

    def count(self) -> int:
        return int(self.conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0])

    def totals(self) -> Totals:
        articles, stories, last = self.conn.execute(
            "SELECT COUNT(*), COUNT(DISTINCT story_id), MAX(ingested_at) FROM articles").fetchone()
        return Totals(articles, stories, datetime.fromisoformat(last) if last else None)
