"""The story index repository: stories' rows, centroids, story_probe postings, term counts.

It implements cluster.StoryIndex: grouping (cluster.py) decides, this module keeps what the
decisions leave. The maths (how a centroid grows, which terms a story is found through, how
candidates are scored) is cluster's; here are the rows and a write-behind cache of them.

Why the cache lives here, wired into the transaction: what grouping changes in the index
(centroids, the stories' rows, story_probe, term counts) is held in memory and written once
at COMMIT, so a story that several articles of a batch join is written once (a batch of
files is one transaction: its articles, their stories, the files' new hashes). Only the
repository that owns those rows can know which are pending: rows read back mid-transaction
are patched with them here, ROLLBACK drops them (the `after_rollback` hook), COMMIT writes
them first (`before_commit`), and a BEGIN that finds another process wrote since drops every
copy (`on_stale`, from SQLite's data_version). A caller never sees the difference; the
equivalence tests in tests/test_index.py hold the cached paths to the plain ones.

Grouping per story (PostgreSQL's opt-in DIGEST_GROUP_LOCK=story, storage/pg.py): other
workers write the index while this one groups, and no BEGIN says so. `refresh` (before each
decision) writes what is pending and drops the postings, norms and term counts (a few
queries to read again); centroids (a JSON parse each) stay, each checked against its
story row's version before its first use after a refresh. `hold` locks what a decision
changes, then refreshes, for the decision to be taken again on what is committed now.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

import orjson

from digest import cluster
from digest.cluster import Features
from digest.models import Article
from digest.probe_cache import ProbeCache
from digest.storage.articles import Articles, dumps
from digest.storage.db import BaseDatabase, marks


@dataclass(frozen=True)
class CacheSizes:
    """How much of the index the write-behind cache holds (tests shrink it to force re-reads)."""

    # Centroids of the stories articles recently joined: a follow-up usually joins a recent
    # story, and scoring or growing a cached centroid needs no query (the memory a centroid
    # takes, and what each size saved, are in docs/benchmarks.md).
    stories: int = 3000
    term_counts: int = 200_000
    # story_probe postings of the terms looked up, held with every story's norm
    # (probe_cache.py): each article's probe is then summed in memory instead of queried
    # (about 100 bytes a posting with its slot).
    probe_postings: int = 1_000_000


class _Centroid:
    """A story's centroid as stored: term weights (a sum of unit vectors), norm, articles, names."""

    __slots__ = ("dirty", "entities", "last_date", "norm", "probe", "size", "updated_at",
                 "version", "weights")

    def __init__(self, weights: dict[str, float], norm: float, size: int,
                 entities: dict[str, float], probe: set[str]) -> None:
        self.weights, self.norm, self.size, self.entities = weights, norm, size, entities
        self.probe = probe  # the terms it has in story_probe (once pending rows are written)
        # Changed since written to story_centroids and the stories row; what the row takes
        # then besides norm and names: the last update's time and the latest article date.
        self.dirty = False
        self.updated_at = ""
        self.last_date = ""
        self.version = ""  # per story: its stories row's version when read or written here


class StoryIndex:
    """The stories, their centroids and postings, with a write-behind cache (see above)."""

    def __init__(self, db: BaseDatabase, articles: Articles, sizes: CacheSizes | None = None) -> None:
        self._db = db
        self.sizes = sizes or CacheSizes()
        self.conn = db.conn
        self._articles = articles
        # In-memory copies of index rows, valid while no other connection writes: checked at
        # each BEGIN through data_version, dropped on ROLLBACK.
        self._centroids: OrderedDict[str, _Centroid] = OrderedDict()
        self._term_counts: dict[str, int] = {}
        # Term count increments of the open transaction, written once at COMMIT: a batch's
        # articles share most of their terms, so this is a fraction of the rows.
        self._pending_counts: dict[str, int] = {}
        self._probe = ProbeCache()  # story_probe rows of the terms looked up, every story's norm
        # story_probe rows changed by the open transaction, written once at COMMIT (a story
        # joined by several articles of a batch rewrites its top terms once): story -> {term:
        # weight, or None for a row to delete}, and the same keyed by term, to patch rows read.
        self._probe_pending: dict[str, dict[str, float | None]] = {}
        self._probe_pending_terms: dict[str, set[str]] = {}
        # Per story: centroids checked against their row's version since the last refresh.
        self._checked: set[str] = set()
        db.add_hooks(before_commit=self._flush, after_rollback=self._discard,
                     on_stale=self.release_memory)

    # -- several workers grouping at once (per story) --------------------------------------
    @property
    def per_story(self) -> bool:
        """Whether grouping locks per story (cluster.place_held) rather than running under
        the one write lock every transaction holds."""
        return self._db.per_story

    def hold(self, story_id: str | None) -> None:
        """Per story: lock the story an article is about to join (None: about to found one,
        which waits for every other worker's grouping), then forget the cached rows: what
        the decision read may have changed before the lock, and is read again."""
        if not self._db.per_story:
            return
        self._db.hold_grouping(exclusive=story_id is None)
        if story_id is not None:
            self._db.hold_story(story_id)
        self.refresh()

    def refresh(self) -> None:
        """Per story: what other workers committed is seen from here on (see above)."""
        if not self._db.per_story:
            return
        self._flush()  # this transaction's own changes: written, then read back like the rest
        self._term_counts.clear()
        self._forget_probe()
        self._checked.clear()

    def _check(self, story_ids: list[str]) -> None:
        """Per story: drop the cached centroids of these stories that another worker changed
        since they were read (their row's version moved)."""
        ask = [sid for sid in story_ids if sid in self._centroids and sid not in self._checked
               and not self._centroids[sid].dirty]
        if ask:
            versions = self._db.row_versions(ask)
            for sid in ask:
                if versions.get(sid) != self._centroids[sid].version:
                    del self._centroids[sid]
        self._checked.update(story_ids)

    def _cached(self, story_id: str) -> _Centroid | None:
        """The cached centroid if it may be used as it is (per story: checked or changed here)."""
        c = self._centroids.get(story_id)
        if c is None or not self._db.per_story or c.dirty or story_id in self._checked:
            return c
        return None

    def hold_article(self, article_id: str) -> None:
        """Per story: until COMMIT, no other worker stores this article id (two files with
        the same text); it sees this one's once committed."""
        self._db.hold_key(article_id)

    # -- the transaction's hooks -----------------------------------------------------------
    def _flush(self) -> None:
        """Write what the transaction changed (before COMMIT)."""
        self._flush_counts()
        self._flush_centroids()
        self._flush_probe()

    def _discard(self) -> None:
        """Drop what the transaction changed and every copy (after ROLLBACK)."""
        self._pending_counts.clear()
        self._probe_pending.clear()
        self._probe_pending_terms.clear()
        self.release_memory()

    def release_memory(self) -> None:
        """Drop the in-memory index rows (stale, or after a big ingest: summaries need the room).

        Never with changes still to write: those exist only inside a transaction, and COMMIT
        writes them, ROLLBACK drops them.
        """
        self._centroids.clear()
        self._term_counts.clear()
        self._forget_probe()
        self._checked.clear()

    def _forget_probe(self) -> None:
        self._probe = ProbeCache()

    def _flush_counts(self) -> None:
        if self._pending_counts:
            changed = sorted((t, n) for t, n in self._pending_counts.items() if n)
            self.conn.executemany(
                "INSERT INTO term_counts VALUES (?, ?) ON CONFLICT(term) "
                "DO UPDATE SET articles = term_counts.articles + excluded.articles", changed)
            # Articles taken out (a changed file): a term no stored article carries has no row.
            self.conn.executemany("DELETE FROM term_counts WHERE term = ? AND articles <= 0",
                                  [(t,) for t, n in changed if n < 0])
            self._pending_counts.clear()

    def _flush_centroids(self) -> None:
        dirty = [(sid, c) for sid, c in self._centroids.items() if c.dirty]
        for sid, centroid in dirty:
            self._write_centroid(sid, centroid)

    def _keep_changes(self, story_id: str, centroid: _Centroid) -> None:
        """Before a centroid leaves memory: write it if it changed."""
        if centroid.dirty:
            self._write_centroid(story_id, centroid)

    def _write_centroid(self, story_id: str, centroid: _Centroid) -> None:
        self.conn.execute("INSERT OR REPLACE INTO story_centroids VALUES (?, ?)",
                          (story_id, dumps(centroid.weights)))
        self.conn.execute(
            "UPDATE stories SET norm = ?, updated_at = ?, entities = ?, "
            "last_date = CASE WHEN ? > COALESCE(last_date, '') THEN ? ELSE last_date END "
            "WHERE id = ?",
            (centroid.norm, centroid.updated_at,
             dumps(centroid.entities),
             centroid.last_date, centroid.last_date, story_id))
        if self._db.per_story:  # the row's version once this transaction commits
            centroid.version = self._db.own_version()
        centroid.dirty = False
        centroid.last_date = ""

    def _flush_probe(self) -> None:
        pending = self._probe_pending
        if not pending:
            return
        rows = sorted((t, sid, w) for sid, terms in pending.items() for t, w in terms.items())
        self.conn.executemany("DELETE FROM story_probe WHERE term = ? AND story_id = ?",
                              [(t, sid) for t, sid, w in rows if w is None])
        self.conn.executemany("INSERT OR REPLACE INTO story_probe VALUES (?, ?, ?)",
                              [row for row in rows if row[2] is not None])
        pending.clear()
        self._probe_pending_terms.clear()

    def _write_now(self, story_id: str | None = None, centroid: _Centroid | None = None) -> None:
        """Outside a transaction (autocommit) no COMMIT will come to write the changes."""
        if not self.conn.in_transaction:
            self._flush_counts()
            if story_id is not None and centroid is not None:
                self._write_centroid(story_id, centroid)
                self._flush_probe()

    # -- looking stories up (for cluster.candidates) ---------------------------------------
    def term_counts(self, terms: list[str]) -> dict[str, int]:
        """How many stored articles carry each term (cached; absent terms count 0)."""
        known = self._term_counts
        missing = [t for t in terms if t not in known]
        if missing:
            if len(known) + len(missing) > self.sizes.term_counts:
                known.clear()
                missing = terms
            rows = dict(self.conn.execute(
                f"SELECT term, articles FROM term_counts WHERE term IN ({marks(missing)})",
                missing).fetchall())
            pending = self._pending_counts
            for t in missing:
                known[t] = rows.get(t, 0) + pending.get(t, 0)
        return {t: known[t] for t in terms}

    def probe(self, vector: dict[str, float], probes: list[str],
              limit: int) -> list[tuple[str, float]]:
        """The `limit` stories best matching the vector on their story_probe terms."""
        self._hold_postings(probes)
        self._load_norms()
        found = self._probe.best(vector, probes, limit)
        if self._db.per_story:  # their centroids are read next: checked in one query
            self._check([sid for sid, _ in found])
        return found

    def centroid(self, story_id: str) -> tuple[Mapping[str, float], float]:
        """A story's centroid weights (not to be changed by the caller) and norm."""
        c = self._centroid(story_id)
        return c.weights, c.norm

    def _hold_postings(self, terms: list[str]) -> None:
        """Hold the story_probe rows of these terms in memory (the missing ones in one query)."""
        missing = [t for t in terms if t not in self._probe]
        if not missing:
            return
        if self._probe.size > self.sizes.probe_postings:
            self._probe.forget_postings()
            missing = terms
        rows: dict[str, list[tuple[str, float]]] = {t: [] for t in missing}
        for term, sid, weight in self.conn.execute(
                "SELECT term, story_id, weight FROM story_probe "
                f"WHERE term IN ({marks(missing)})", missing):
            rows[term].append((sid, weight))
        for t in missing:
            self._probe.add_term(t, rows[t])
            # Rows this transaction changed are not written yet: patch them in.
            for sid in self._probe_pending_terms.get(t, ()):
                self._probe.set_posting(t, sid, self._probe_pending[sid][t])

    def _load_norms(self) -> None:
        if not self._probe.norms_loaded:
            self._probe.load_norms(self.conn.execute("SELECT id, norm FROM stories"))
            # A changed story's row is written at COMMIT: its norm in memory is the current one.
            for sid, c in self._centroids.items():
                if c.dirty:  # (the others' are as read; per story, maybe older)
                    self._probe.set_norm(sid, c.norm)

    def _centroid(self, story_id: str) -> _Centroid:
        """The story's centroid, from memory or loaded (and then kept, most recent last)."""
        if self._db.per_story:
            self._check([story_id])
        cached = self._centroids.get(story_id)
        if cached is not None:
            self._centroids.move_to_end(story_id)
            return cached
        # Per story: the version first (a write landing between the reads below makes it
        # older than what they read: the next check reads the centroid again).
        version = self._db.row_versions([story_id]).get(story_id, "") if self._db.per_story else ""
        stored = self.conn.execute("SELECT weights FROM story_centroids WHERE story_id = ?",
                                   (story_id,)).fetchone()
        weights = orjson.loads(stored[0]) if stored else {}
        row = self.conn.execute("SELECT norm, entities FROM stories WHERE id = ?",
                                (story_id,)).fetchone()
        size = self.conn.execute("SELECT COUNT(*) FROM articles WHERE story_id = ?",
                                 (story_id,)).fetchone()[0]
        probe = {r[0] for r in self.conn.execute(
            "SELECT term FROM story_probe WHERE story_id = ?", (story_id,))}
        for t, weight in self._probe_pending.get(story_id, {}).items():  # not written yet
            if weight is None:
                probe.discard(t)
            else:
                probe.add(t)
        cached = _Centroid(weights, row[0] if row else 0.0, int(size),
                           orjson.loads(row[1]) if row else {}, probe)
        cached.version = version
        self._centroids[story_id] = cached
        self._evict()
        return cached

    def _evict(self) -> None:
        """Keep sizes.stories centroids, dropping the least recently used (written first if changed)."""
        while len(self._centroids) > self.sizes.stories:
            self._keep_changes(*self._centroids.popitem(last=False))

    # -- stories' shapes -------------------------------------------------------------------
    def story_sizes(self, story_ids: list[str]) -> dict[str, int]:
        """Number of articles of each of these stories."""
        return {sid: size for sid, (size, _) in self.story_shapes(story_ids).items()}

    def story_shapes(self, story_ids: list[str]) -> dict[str, tuple[int, float]]:
        """(articles, centroid norm) of each of these stories."""
        cached = {sid: c for sid in story_ids if (c := self._cached(sid)) is not None}
        shapes = {sid: (c.size, c.norm) for sid, c in cached.items()}
        rest = [sid for sid in story_ids if sid not in shapes]
        if rest:
            rows = self.conn.execute(
                "SELECT s.id, COUNT(a.id), s.norm FROM stories s JOIN articles a ON a.story_id = s.id "
                f"WHERE s.id IN ({marks(rest)}) GROUP BY s.id", rest)
            shapes.update((r[0], (r[1], r[2])) for r in rows)
        return shapes

    def story_entities(self, story_ids: list[str]) -> dict[str, dict[str, float]]:
        """The summed entity vector of each of these stories."""
        found = {sid: c.entities for sid in story_ids if (c := self._cached(sid)) is not None}
        rest = [sid for sid in story_ids if sid not in found]
        if rest:
            rows = self.conn.execute(
                f"SELECT id, entities FROM stories WHERE id IN ({marks(rest)})", rest)
            found.update((r[0], orjson.loads(r[1])) for r in rows)
        return found

    def story_last_dates(self, story_ids: list[str]) -> dict[str, datetime]:
        """The newest article date of each of these stories that has a dated article."""
        rows = self.conn.execute(
            f"SELECT id, last_date FROM stories WHERE id IN ({marks(story_ids)})", story_ids)
        found: dict[str, datetime] = {}
        for sid, stored in rows:
            cached = self._centroids.get(sid)  # a later date may wait for COMMIT
            newest = max(stored or "", cached.last_date if cached else "")
            if newest:
                found[sid] = datetime.fromisoformat(newest)
        return found

    # -- changing stories ------------------------------------------------------------------
    def create_story(self, story_id: str, title: str, features: Features,
                     now: datetime, last_date: datetime | None) -> None:
        created = self.conn.execute(
            "INSERT OR IGNORE INTO stories (id, title, norm, created_at, updated_at, last_date) "
            "VALUES (?, ?, 0, ?, ?, ?)",
            (story_id, title, now.isoformat(), now.isoformat(),
             last_date.isoformat() if last_date else None),
        ).rowcount
        if created:
            self._centroids[story_id] = _Centroid({}, 0.0, 0, {}, set())
            self._evict()
        self.add_to_story(story_id, features, now, last_date)

    def add_to_story(self, story_id: str, features: Features, now: datetime,
                     last_date: datetime | None) -> None:
        """Add one article's vectors to the story's centroid (the article row follows)."""
        vector = features.vector
        centroid = self._centroid(story_id)
        cluster.add_names(centroid.entities, features.entities)
        centroid.norm = cluster.grow_centroid(centroid.weights, centroid.norm, vector)
        centroid.size += 1
        self._probe.set_norm(story_id, centroid.norm)  # if the norms are held
        centroid.dirty = True  # written at COMMIT (or when evicted from memory)
        centroid.updated_at = now.isoformat()
        centroid.last_date = max(centroid.last_date, _iso(last_date))
        self._count(vector, 1)
        top = cluster.probe_terms_after_growth(centroid.weights, centroid.probe, vector)
        self._set_probe(story_id, centroid, top, vector)
        self._write_now(story_id, centroid)

    def remove_from_story(self, story_id: str, features: Features, now: datetime) -> None:
        """Take one article's vectors out of its story's centroid (the inverse of add_to_story;
        remove_article deletes its row after). A story left without articles is deleted."""
        vector = features.vector
        self.hold(story_id)
        centroid = self._centroid(story_id)
        self._count(vector, -1)
        centroid.size -= 1
        if centroid.size <= 0:
            self._delete_story(story_id, centroid)
            return
        cluster.remove_names(centroid.entities, features.entities)
        centroid.norm = cluster.shrink_centroid(centroid.weights, vector)
        self._probe.set_norm(story_id, centroid.norm)
        centroid.dirty = True
        centroid.updated_at = now.isoformat()
        # Weights fell: a term outside the top may now outrank one in it, so the top is chosen
        # again from the whole centroid (rare: only when a changed file is re-read).
        self._set_probe(story_id, centroid, cluster.probe_terms(centroid.weights), vector)
        self._write_now(story_id, centroid)

    def _count(self, vector: dict[str, float], step: int) -> None:
        """An article carrying these terms came (+1) or left (-1): pending term counts."""
        counts, pending = self._term_counts, self._pending_counts
        for t in vector:
            pending[t] = pending.get(t, 0) + step
            if t in counts:
                counts[t] += step

    def _delete_story(self, story_id: str, centroid: _Centroid) -> None:
        """Drop a story that lost its last article, from the file and from memory."""
        for t in centroid.probe:
            if t in self._probe:
                self._probe.set_posting(t, story_id, None)
        for t in self._probe_pending.pop(story_id, {}):  # no rows to write for it any more
            self._probe_pending_terms[t].discard(story_id)
        self._probe.set_norm(story_id, math.nan)  # not in the index: never a candidate
        self._centroids.pop(story_id, None)
        self.conn.execute("DELETE FROM story_centroids WHERE story_id = ?", (story_id,))
        self.conn.execute("DELETE FROM story_probe WHERE story_id = ?", (story_id,))
        self.conn.execute("DELETE FROM stories WHERE id = ?", (story_id,))
        self._write_now()

    def _set_probe(self, story_id: str, centroid: _Centroid, top: set[str],
                   vector: dict[str, float]) -> None:
        """Make `top` the story's story_probe terms; only the vector's terms changed weight."""
        weights = centroid.weights
        changes: list[tuple[str, float | None]] = [(t, None) for t in centroid.probe - top]
        changes += [(t, weights[t]) for t in top if t in vector or t not in centroid.probe]
        pending = self._probe_pending.setdefault(story_id, {})
        by_term, probe = self._probe_pending_terms, self._probe
        for t, weight in changes:
            pending[t] = weight  # the row to write at COMMIT
            by_term.setdefault(t, set()).add(story_id)
            if t in probe:  # and where it is held in memory
                probe.set_posting(t, story_id, weight)
        centroid.probe = top

    # -- articles, as grouping places them -------------------------------------------------
    def add_article(self, article: Article, story_id: str, duplicate_of: str | None,
                    features: Features) -> None:
        self._articles.add(article, story_id, duplicate_of, features)

    def update_article(self, article: Article) -> None:
        """New metadata for a stored article whose title and text did not change (so neither
        did its vectors): it stays in its story."""
        self._articles.update(article)
        story = self._articles.story_of_article(article.id)
        if story is not None:
            self._set_last_date(story)

    def remove_article(self, article_id: str) -> list[str]:
        """Delete an article's rows (after remove_from_story took it out of its story).

        Returns the articles marked as copies of it: they are not copies of a stored article any
        more (cluster.unplace looks for what they copy again).
        """
        story = self._articles.story_of_article(article_id)
        copies = self._articles.remove(article_id)
        if story is not None:
            self._set_last_date(story)
        return copies

    def _set_last_date(self, story_id: str) -> None:
        """A story's latest article date from its articles' rows (when one left or was redated:
        the row written at COMMIT only ever raises it, so what is pending is dropped here)."""
        self.conn.execute(
            "UPDATE stories SET last_date = (SELECT MAX(date) FROM articles WHERE story_id = ?) "
            "WHERE id = ?", (story_id, story_id))
        cached = self._centroids.get(story_id)
        if cached is not None:
            cached.last_date = ""

    def set_duplicate_of(self, article_id: str, original: str | None) -> None:
        self._articles.set_duplicate_of(article_id, original)

    def lead_hashes_of(self, article_id: str) -> list[str]:
        return self._articles.lead_hashes_of(article_id)

    def lead_matches(self, hashes: list[str]) -> list[tuple[str, int]]:
        return self._articles.lead_matches(hashes)

    def story_of_article(self, article_id: str) -> str | None:
        return self._articles.story_of_article(article_id)


def _iso(d: datetime | None) -> str:
    return d.isoformat() if d else ""
