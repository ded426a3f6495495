"""The story index keeps centroids in memory: they must always agree with the stored rows
(the tests taking `location` run on a SQLite file and on a PostgreSQL database)."""

from __future__ import annotations

import json
import math
import sqlite3
from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest
from conftest import NewState, state_rows

from digest import cluster, ingest, join_model, pipeline
from digest.models import Article
from digest.storage import CacheSizes, StateLocation, Store, parse_location

NOW = datetime(2026, 11, 23, 8, 0)


def article(n: int, text: str) -> Article:
    return Article(id=f"a{n:012d}aaa", path=f"{n}.txt", title=text.split(".")[0], outlet=f"Outlet {n}",
                   date=NOW, author=None, url=None, text=text)


QUAKE = ("A strong earthquake struck the coast of Chile on Monday, toppling buildings in Valparaiso "
         "and cutting power across the region. Rescuers searched the rubble of collapsed homes. "
         "Officials said the quake had a magnitude of 7.1 and warned of aftershocks.")
QUAKE_2 = ("Rescuers in Chile dug through the rubble of homes in Valparaiso after Monday's earthquake "
           "of magnitude 7.1. Power was cut across the region and aftershocks shook the coast.")
QUAKE_3 = ("Chile's government sent soldiers to Valparaiso after the magnitude 7.1 earthquake, as "
           "aftershocks rattled the coast and rescuers kept searching collapsed homes.")


def stored_norms_agree(path: StateLocation) -> None:
    """Each story's stored norm is the length of its stored centroid."""
    with Store(path) as store:
        for sid, norm in store.db.execute("SELECT id, norm FROM stories").fetchall():
            (stored,) = store.db.execute(
                "SELECT weights FROM story_centroids WHERE story_id = ?", (sid,)).fetchone()
            weights = json.loads(stored).values()
            assert norm == pytest.approx(math.sqrt(sum(w * w for w in weights)), rel=1e-9), sid


def index_agrees_with_articles(path: StateLocation, probe_terms: int | None = None) -> None:
    """The story index is what the stored articles make of it, recomputed from scratch: each
    story's centroid the sum of its articles' vectors (their names likewise), its norm that
    sum's length, its story_probe rows its strongest terms, term_counts the articles carrying
    each term, and no story without articles."""
    from digest.storage import articles as articles_module

    top = probe_terms or cluster.STORY_PROBE_TERMS
    with Store(path) as store:
        db = store.db
        members: dict[str, list[Article]] = {}
        for row in db.execute(f"SELECT {articles_module.ARTICLE_COLUMNS}, story_id FROM articles"):
            members.setdefault(row["story_id"], []).append(articles_module.article_from_row(row))
        stories = {r[0]: (r[1], json.loads(r[2]))
                   for r in db.execute("SELECT id, norm, entities FROM stories")}
        assert set(stories) == set(members)
        centroids = {sid: json.loads(w) for sid, w in db.execute("SELECT * FROM story_centroids")}
        assert set(centroids) == set(members)
        counts: Counter[str] = Counter()
        for sid, articles in members.items():
            feats = [cluster.features(a) for a in articles]
            expected: Counter[str] = Counter()
            names: Counter[str] = Counter()
            for f in feats:
                expected.update(f.vector)
                names.update(f.entities)
                counts.update(list(f.vector))
            assert set(centroids[sid]) == set(expected), sid
            for term, weight in expected.items():
                assert centroids[sid][term] == pytest.approx(weight, rel=1e-9, abs=1e-12), (sid, term)
            norm, entities = stories[sid]
            assert norm == pytest.approx(math.sqrt(sum(w * w for w in expected.values())), rel=1e-9)
            assert set(entities) == {t for t, w in names.items() if w > 1e-3}, sid
            assert all(entities[t] == pytest.approx(names[t], abs=1e-3) for t in entities), sid
            probe = dict(db.execute("SELECT term, weight FROM story_probe WHERE story_id = ?", (sid,)))
            strongest = sorted(centroids[sid].items(), key=lambda kv: (-kv[1], kv[0]))[:top]
            assert probe == dict(strongest), sid
        assert dict(db.execute("SELECT term, articles FROM term_counts")) == dict(counts)


@pytest.fixture
def location(state: str) -> StateLocation:
    """A SQLite file, then a PostgreSQL database (tests/conftest_pg.py's `state`)."""
    return parse_location(state)


def store_at_version(path: Path, version: int) -> sqlite3.Connection:
    """A state file as an older digest left it: only the first `version` migrations run."""
    from digest.storage.migrations import MIGRATIONS

    db = sqlite3.connect(path, isolation_level=None)
    db.execute("CREATE TABLE migrations (version INTEGER PRIMARY KEY, name TEXT)")
    for n, migration in enumerate(MIGRATIONS[:version], start=1):
        migration.apply(db)
        db.execute("INSERT INTO migrations VALUES (?, ?)", (n, migration.name))
    return db


def test_a_write_by_another_connection_is_seen(location: StateLocation) -> None:
    path = location
    with Store(path) as first, Store(path) as second:
        with first.transaction():
            story = cluster.place(first.index, article(1, QUAKE), NOW)
        with second.transaction():  # another process grows the story meanwhile
            assert cluster.place(second.index, article(2, QUAKE_2), NOW) == story
        with first.transaction():  # first's cached centroid is stale: it must not be used
            assert cluster.place(first.index, article(3, QUAKE_3), NOW) == story
            assert first.index.story_sizes([story]) == {story: 3}
    stored_norms_agree(path)


def test_a_rolled_back_article_leaves_no_trace_in_memory(location: StateLocation) -> None:
    path = location
    with Store(path) as store:
        with store.transaction():
            story = cluster.place(store.index, article(1, QUAKE), NOW)
        with pytest.raises(RuntimeError), store.transaction():
            cluster.place(store.index, article(2, QUAKE_2), NOW)
            raise RuntimeError("crash in the middle of a batch")
        assert store.index.story_sizes([story]) == {story: 1}
        with store.transaction():
            assert cluster.place(store.index, article(3, QUAKE_3), NOW) == story
        assert store.index.story_sizes([story]) == {story: 2}
        # Term counts (written at COMMIT) hold the two kept articles' terms, not the rolled-back one's.
        expected = Counter(t for n, text in ((1, QUAKE), (3, QUAKE_3))
                           for t in cluster.vectorize(article(n, text)))
        assert dict(store.db.execute("SELECT term, articles FROM term_counts").fetchall()) == expected
    stored_norms_agree(path)


def test_scores_from_memory_equal_scores_from_sqlite(location: StateLocation) -> None:
    path = location
    with Store(path) as store, store.transaction():
        for n, text in enumerate([QUAKE, QUAKE_2]):
            cluster.place(store.index, article(n, text), NOW)
        vector = cluster.vectorize(article(9, QUAKE_3))
        warm = cluster.candidates(store.index, vector)
    with Store(path) as cold:  # a new connection: nothing in memory, scored in SQL
        sql = cluster.candidates(cold.index, vector)
    assert [sid for sid, _ in sql] == [sid for sid, _ in warm]
    assert [score for _, score in sql] == pytest.approx([score for _, score in warm], rel=1e-9)
    assert warm and warm[0][1] > 0.3


def test_a_tight_story_asks_more_of_a_newcomer_than_a_loose_one() -> None:
    # Five articles told alike (pairwise similarity ~0.9) and five that drift (~0.15); the
    # newcomer's mean similarity to the members is 0.25 in both (cos = mean x n / |C|).
    norms = np.array([math.sqrt(5 + 2 * 10 * 0.9), math.sqrt(5 + 2 * 10 * 0.15)])

    def no_names(which: Sequence[int]) -> np.ndarray:
        return np.full(len(which), np.nan)

    def offer(i: int) -> join_model.Candidates:
        return join_model.Candidates(("s",), np.array([0.25 * 5 / norms[i]]), np.array([5.0]),
                                     norms[i:i + 1], np.array([np.nan]), no_names)
    rule = join_model.HandRule()
    assert rule.choose(offer(0)) is None  # the tight story stays closed
    assert rule.choose(offer(1)) == "s"  # the loose one takes it
    # A one-article story asks for the cosine SINGLE_BAR.
    for cos, joins in ((join_model.SINGLE_BAR - 0.01, False), (join_model.SINGLE_BAR + 0.01, True)):
        one = join_model.Candidates(("s",), np.array([cos]), np.array([1.0]), np.array([1.0]),
                                    np.array([np.nan]), no_names)
        assert (rule.choose(one) == "s") is joins


def test_a_related_article_stays_out_of_a_tight_story(location: StateLocation) -> None:
    """A follow-up joins; a story on the same subject but another event starts its own."""
    other_event = ("Chile's central bank held interest rates and said the economy was recovering, "
                   "as copper exports rose for a third month and investors returned.")
    with Store(location) as store, store.transaction():
        first = cluster.place(store.index, article(1, QUAKE), NOW)
        assert cluster.place(store.index, article(2, QUAKE_2), NOW) == first
        assert cluster.place(store.index, article(3, QUAKE_3), NOW) == first
        assert cluster.place(store.index, article(4, other_event), NOW) != first


def test_entities_are_the_names_inside_sentences() -> None:
    body = ("SANTIAGO, Chile (AP) _ Rescuers in Valparaiso searched homes on Monday. They said "
            "President Gabriel Boric would visit. \"We need help,\" said Ana Soto of the Red Cross.")
    names = cluster.entities(article(1, body))
    # A word opening a sentence or a quote is capitalised anyway; the dateline is not text.
    assert {"valparaiso", "monday", "presid", "gabriel", "boric", "ana", "soto", "red", "cross"} == set(names)
    assert sum(w * w for w in names.values()) == pytest.approx(1.0)


@pytest.mark.parametrize("veto", [True, False])
def test_a_story_with_other_names_is_vetoed(location: StateLocation, monkeypatch: pytest.MonkeyPatch,
                                            veto: bool) -> None:
    """Two quakes in two countries share every word but the names: they stay two stories."""
    haiti = (QUAKE.replace("Chile", "Haiti").replace("Valparaiso", "Port-au-Prince")
             .replace("on Monday", "on Tuesday").replace("Rescuers", "Neighbours")
             .replace("Officials said", "Seismologists said"))  # not a wire copy
    if not veto:
        monkeypatch.setattr(join_model, "ENTITY_MIN", 0.0)
    with Store(location) as store, store.transaction():
        chile = cluster.place(store.index, article(1, QUAKE), NOW)
        assert (cluster.place(store.index, article(2, haiti), NOW) != chile) is veto
        assert cluster.place(store.index, article(3, QUAKE_3), NOW) == chile


@pytest.mark.sqlite_file  # an old SQLite file upgraded in place
def test_a_store_from_before_names_were_kept_is_upgraded(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite"
    db = store_at_version(path, 3)
    db.execute("INSERT INTO stories VALUES ('sold', 'Old story', 1.0, 'x', 'x', NULL)")
    db.close()
    with Store(path) as store:
        assert store.index.story_entities(["sold"]) == {"sold": {}}
        with store.transaction():  # an old story without names is joined as before, not vetoed
            sid = cluster.place(store.index, article(1, QUAKE), NOW)
            assert cluster.place(store.index, article(2, QUAKE_2), NOW) == sid
        assert store.index.story_entities([sid])[sid]


def test_story_probe_holds_each_story_top_terms(location: StateLocation, seeds: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """Kept up incrementally, story_probe equals each story's top terms recomputed from scratch."""
    from digest import pipeline

    monkeypatch.setattr(cluster, "STORY_PROBE_TERMS", 12)  # small: terms enter and leave
    path = location
    with Store(path) as store:
        pipeline.ingest_folders(store, [seeds], now=NOW, settle_seconds=0)
        with pytest.raises(RuntimeError), store.transaction():  # leaves nothing in memory
            cluster.place(store.index, article(1, QUAKE.upper()), NOW)
            raise RuntimeError("crash in the middle of a batch")
        with store.transaction():
            for text in (QUAKE, QUAKE_2, QUAKE_3):
                cluster.place(store.index, article(len(text), text), NOW)
        # The postings held in memory (those of the terms looked up) are the file's.
        held_in_memory = store.index._probe
        assert len(held_in_memory) > 20
        for term in held_in_memory:
            assert held_in_memory.postings(term) == dict(store.db.execute(
                "SELECT story_id, weight FROM story_probe WHERE term = ?", (term,)).fetchall()), term
        kept = sorted(tuple(r) for r in store.db.execute("SELECT story_id, term, weight FROM story_probe"))
        fresh = sorted(
            (sid, term, weight)
            for sid, stored in store.db.execute("SELECT story_id, weights FROM story_centroids")
            for term, weight in sorted(json.loads(stored).items(), key=lambda kv: (-kv[1], kv[0]))[:12])
    assert len({r[0] for r in kept}) >= 3
    assert kept == fresh


def test_the_headline_chosen_on_stored_terms_is_the_one_chosen_on_the_text(
        location: StateLocation, seeds: Path) -> None:
    from digest import pipeline

    with Store(location) as store:
        pipeline.ingest_folders(store, [seeds], now=NOW, settle_seconds=0)
        stories = [s for s in store.articles.stories() if len(s.articles) > 1]
        stored = store.articles.headline_terms([s.id for s in stories])
        assert set(stored) == {a.id for s in stories for a in s.articles}
        for story in stories:
            articles = list(story.articles)
            assert stored[articles[0].id] == cluster.vectorize(articles[0], cluster.CORE_TERMS)
            title = cluster.representative_title(articles, stored)
            assert title == cluster.representative_title(articles)
        # Rows stored before the column existed have none: the headline is computed from the text.
        store.db.execute("UPDATE articles SET headline_terms = NULL")
        assert store.articles.headline_terms([s.id for s in stories]) == {}
        titles = {s.story.id: s.story.title for s in pipeline.story_summaries(store)
                  if len(s.story.articles) > 1}
        assert titles == {s.id: cluster.representative_title(list(s.articles)) for s in stories}


def test_a_centroid_dropped_from_memory_mid_batch_is_written_first(location: StateLocation) -> None:
    """Centroids are written at COMMIT; one evicted (or re-read after a changed file) before
    must be written then, or the file would lose the articles that joined it."""
    other = ("Parliament in Canberra passed the budget after a night of debate, with the "
             "treasurer promising tax relief for families and new money for hospitals.")
    path = location
    with Store(path, cache=CacheSizes(stories=1)) as store, store.transaction():
        quake = cluster.place(store.index, article(1, QUAKE), NOW)
        budget = cluster.place(store.index, article(2, other), NOW)  # evicts the quake story
        assert cluster.place(store.index, article(3, QUAKE_2), NOW) == quake  # evicts the budget story
    stored_norms_agree(path)
    with Store(path, cache=CacheSizes(stories=1500)) as store:
        with store.transaction():
            assert cluster.place(store.index, article(4, QUAKE_3), NOW) == quake
            # Their files changed: the budget story's article, then the quake story's first.
            for gone in store.articles.of_file("2.txt") + store.articles.of_file("1.txt"):
                cluster.unplace(store.index, gone, NOW)
        assert store.index.story_sizes([quake, budget]) == {quake: 2}
    stored_norms_agree(path)
    index_agrees_with_articles(path)


@pytest.mark.sqlite_file  # an old SQLite file upgraded in place
def test_a_store_with_a_row_per_term_is_upgraded_to_one_centroid_per_story(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite"
    db = store_at_version(path, 6)
    weights = {"quak": 0.1 + 1e-17 * 3, "chile": 1 / 3, "rubbl": 2 / 7}
    db.execute("INSERT INTO stories (id, title, norm, created_at, updated_at) VALUES "
               "('sold', 'Old story', ?, 'x', 'x')", (math.sqrt(sum(w * w for w in weights.values())),))
    db.executemany("INSERT INTO story_terms VALUES (?, 'sold', ?)", weights.items())
    db.close()
    with Store(path) as store:
        (stored,) = store.db.execute("SELECT weights FROM story_centroids WHERE story_id = 'sold'").fetchone()
        assert json.loads(stored) == weights  # to the last bit
        assert not store.db.execute("SELECT 1 FROM sqlite_master WHERE name = 'story_terms'").fetchall()
    stored_norms_agree(path)


def test_worker_processes_give_what_one_process_gives(new_state: NewState,
                                                      seeds: Path) -> None:
    """Files prepared in a worker (in chunks, some by this process while the worker is busy)
    and stories summarized by workers in batches: the same stories, headlines and summaries
    as all in this process."""
    from digest import parallel, pipeline

    def run(name: str, how: pipeline.Parallelism
            ) -> tuple[dict[str, str], list[tuple[str, str, tuple[str, ...]]]]:
        with Store(new_state(name)) as store:
            pipeline.ingest_folders(store, [seeds], now=NOW, settle_seconds=0, parallelism=how)
            summaries = pipeline.story_summaries(store, parallelism=how)
            return store.articles.story_of(), [(s.story.id, s.story.title, tuple(x.text for x in s.sentences))
                                      for s in summaries]

    none = parallel.Plan(workers=0, min_items=1, chunk=1, ahead=1)
    alone = run("alone", pipeline.Parallelism(files=none, stories=none))
    assert parallel.can_fork()
    shared = run("shared", pipeline.Parallelism(
        files=parallel.Plan(workers=1, min_items=1, chunk=1, ahead=3, ramp=True, share_from=1),
        stories=parallel.Plan(workers=2, min_items=1, chunk=1, ahead=3), story_batch=1))
    assert shared == alone
    assert len(alone[1]) >= 2 and all(sentences for _, _, sentences in alone[1])


def test_the_term_count_cache_refills_when_full(location: StateLocation) -> None:
    with Store(location, cache=CacheSizes(term_counts=3)) as store, \
            store.transaction():
        cluster.place(store.index, article(1, QUAKE), NOW)
        assert store.index.term_counts(["chile", "rubbl"]) == {"chile": 1, "rubbl": 1}
        # Full: the cache is emptied and every term asked for is read again, cached or not.
        assert store.index.term_counts(["chile", "quak", "zzz"]) == {"chile": 1, "quak": 1, "zzz": 0}


def test_a_failed_commit_keeps_nothing(location: StateLocation,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    path = location
    with Store(path) as store:
        with store.transaction():
            story = cluster.place(store.index, article(1, QUAKE), NOW)

        def disk_full(*args: object) -> None:
            raise OSError("disk full")

        monkeypatch.setattr(store.index, "_write_centroid", disk_full)
        with pytest.raises(OSError), store.transaction():
            cluster.place(store.index, article(2, QUAKE_2), NOW)
        monkeypatch.undo()
        assert not store.db.in_transaction and not store.index._centroids and not len(store.index._probe)
        assert store.index.story_sizes([story]) == {story: 1}
        with store.transaction():  # the store goes on as if the failed batch never came
            assert cluster.place(store.index, article(2, QUAKE_2), NOW) == story
    stored_norms_agree(path)


def test_index_rows_written_at_commit_are_the_ones_read_back_mid_batch(
        new_state: NewState, seeds: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Story rows and story_probe rows are written at COMMIT. A centroid re-read from the file
    mid-batch (evicted), postings re-read (cache full), a story deleted mid-batch and articles
    taken out of their stories must see or drop the pending rows: the file then equals one
    built with roomy caches, and the index is what its articles make of it."""
    from digest import extract

    texts = [a for path in sorted(seeds.iterdir())
             for a in extract.extract(ingest.read(ingest.FileEntry(path, 0, 0.0)))]
    # Several articles per story: each seed article, and copies without one paragraph.
    variants = [a.text for a in texts]
    variants += ["\n\n".join(p for k, p in enumerate(a.paragraphs) if k != skip)
                 for a in texts for skip in range(1, 4) if len(a.paragraphs) > 4]
    variants += [QUAKE, QUAKE_2, QUAKE_3]
    monkeypatch.setattr(cluster, "STORY_PROBE_TERMS", 12)  # terms enter and leave the top
    monkeypatch.setattr(cluster, "PROBE_STORIES", 1)  # the norms decide which is scored

    def run(name: str, cache: CacheSizes) -> dict[str, list[tuple[object, ...]]]:
        path = new_state(name)
        removed: list[list[str]] = []
        with Store(path, cache=cache) as store:
            with store.transaction():
                for n, text in enumerate(variants[: len(variants) // 2]):
                    cluster.place(store.index, article(n, text), NOW)
            with store.transaction():
                second = variants[len(variants) // 2:]
                for n, text in enumerate(second[:3], start=100):
                    cluster.place(store.index, article(n, text), NOW)
                # A story started in this batch, then emptied (its file changed): pruned, and
                # the norms held in memory are re-read while others' rows are still pending.
                lone = cluster.place(store.index, article(999, "Zanzibar ferry timetable rewritten "
                                                            "by harbour clerks overnight."), NOW)
                for gone in store.articles.of_file("999.txt"):
                    cluster.unplace(store.index, gone, NOW)
                for n, text in enumerate(second[3:], start=103):
                    cluster.place(store.index, article(n, text), NOW)
                    if n % 7 == 0:  # an article of the first batch changed: it leaves its story
                        for gone in store.articles.of_file(f"{n - 100}.txt"):
                            removed.append(cluster.unplace(store.index, gone, NOW))
            assert store.index.story_sizes([lone]) == {}
            assert len(removed) >= 2
        index_agrees_with_articles(path, probe_terms=12)
        return {table: state_rows(path, f"SELECT * FROM {table} ORDER BY 1, 2")
                for table in ("stories", "story_probe", "story_centroids", "term_counts")} | {
            "articles": state_rows(path, "SELECT id, story_id FROM articles ORDER BY id")}

    roomy = run("roomy", CacheSizes())
    tight = run("tight", CacheSizes(stories=1, probe_postings=0))  # re-read at every lookup
    assert tight == roomy
    sizes = Counter(sid for _, sid in roomy["articles"])
    assert len(variants) > 20 and sum(n > 2 for n in sizes.values()) >= 3
    assert {row[1] for row in roomy["story_probe"]} == {row[0] for row in roomy["stories"]}


def test_rows_pending_until_commit_are_seen_when_reread(location: StateLocation) -> None:
    """Within one batch: a story evicted from memory and re-read keeps its top terms; norms and
    postings re-read from the file carry the changes not yet written."""
    other = ("Parliament in Canberra passed the budget after a night of debate, with the "
             "treasurer promising tax relief for families and new money for hospitals.")
    tight = CacheSizes(stories=1, probe_postings=0)
    with Store(location, cache=tight) as store, store.transaction():
        quake = cluster.place(store.index, article(1, QUAKE), NOW)
        cluster.place(store.index, article(2, other), NOW)  # evicts the quake story
        top = sorted(store.index._centroid(quake).weights.items(), key=lambda kv: (-kv[1], kv[0]))
        assert store.index._centroid(quake).probe == {t for t, _ in top[:cluster.STORY_PROBE_TERMS]}
        assert cluster.place(store.index, article(3, QUAKE_2), NOW) == quake  # its row now pending
        store.index._forget_probe()  # as pruning does: norms and postings are read again
        centroid = store.index._centroid(quake)
        store.index._load_norms()
        assert store.index._probe.norm(quake) == centroid.norm > 0
        strongest = max(centroid.probe, key=lambda t: (centroid.weights[t], t))
        store.index._hold_postings([strongest])
        assert store.index._probe.postings(strongest) == {quake: centroid.weights[strongest]}
