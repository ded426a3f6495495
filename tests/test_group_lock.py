"""Grouping per story on PostgreSQL (DIGEST_GROUP_LOCK=story, the opt-in prototype of issue
14, measured in docs/benchmarks.md §14): two workers grouping into one database at once,
each locking the story it joins, store each article once, lose no file, give every article
a story, and keep the index's shared rows (term counts, story sizes) exact.
"""

from __future__ import annotations

import os
import shutil
from collections import Counter
from pathlib import Path

import pytest
from conftest_pg import stored_counts
from test_claims import two_workers
from test_reingest import corpus

from digest import cluster
from digest.errors import StoreError
from digest.storage import Store, parse_location

pytestmark = pytest.mark.own_backend  # PostgreSQL only: the mode does not exist on SQLite
CHUNK = 16  # files a worker claims at a time


def test_two_workers_grouping_per_story_store_each_article_once_in_a_story(
        pg_url: str, tmp_path: Path) -> None:
    made = tmp_path / "made"
    corpus(made, 30)
    # Files go in by name, CHUNK to a claim: while one worker takes in a chunk, the other
    # takes in the next, at about the same pace. Every file of the second chunk of a pair is
    # a copy of the file at the same place in the first: the same article, which both
    # workers reach at about the same moment and only one may store.
    folder = tmp_path / "corpus"
    folder.mkdir()
    for n, path in enumerate(sorted(made.iterdir())):
        path.rename(folder / f"{n:04d}.md")
    files = len(list(folder.iterdir()))
    pairs = range(0, files - 2 * CHUNK + 1, 2 * CHUNK)  # each pair's first file
    copies = [first + i for first in pairs for i in range(CHUNK)]
    for n in copies:
        shutil.copy(folder / f"{n:04d}.md", folder / f"{n + CHUNK:04d}.md")
    articles_in = files - len(copies)
    reports = two_workers(pg_url, folder, CHUNK, env={**os.environ, "DIGEST_GROUP_LOCK": "story"})
    assert sum(r["parsed"] for r in reports) == files, reports
    assert all(r["parsed"] > 0 for r in reports), reports
    rows, ids, ledger = stored_counts(pg_url)
    assert rows == ids == sum(r["new"] for r in reports) == articles_in  # copies stored once
    assert ledger == files

    with Store(parse_location(pg_url)) as store:
        db = store.db
        placed = dict(db.execute("SELECT id, story_id FROM articles").fetchall())
        stories = {r[0] for r in db.execute("SELECT id FROM stories").fetchall()}
        # Every article in a stored story, and no story without one.
        assert set(placed.values()) == stories
        assert 1 < len(stories) < files
        # The counts both workers incremented at once: each term's count is the number of
        # stored articles carrying it (none lost to a race, none counted twice).
        articles = [a for path in {r[0] for r in db.execute("SELECT path FROM articles")}
                    for a in store.articles.of_file(path)]
        assert len(articles) == articles_in
        carried = Counter(t for a in articles for t in cluster.features(a).vector)
        assert dict(db.execute("SELECT term, articles FROM term_counts").fetchall()) == carried
        # Each story's centroid holds its articles: the sum of their unit vectors.
        members: dict[str, list[str]] = {}
        for article_id, story_id in placed.items():
            members.setdefault(story_id, []).append(article_id)
        by_id = {a.id: a for a in articles}
        for story_id, member_ids in members.items():
            weights, _ = store.index.centroid(story_id)
            expected: Counter[str] = Counter()
            for article_id in member_ids:
                expected.update(cluster.features(by_id[article_id]).vector)
            assert weights.keys() == expected.keys(), story_id
            assert all(abs(weights[t] - w) < 1e-6 for t, w in expected.items()), story_id
        assert store.claims.holders() == {}


def test_an_unknown_group_lock_mode_is_one_line(pg_url: str,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DIGEST_GROUP_LOCK", "rows")
    with pytest.raises(StoreError, match=r"DIGEST_GROUP_LOCK='rows': expected one of lease, "
                                         r"story"):
        Store(parse_location(pg_url))
