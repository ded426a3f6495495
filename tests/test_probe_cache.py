"""The array form of story_probe held in memory gives exactly what a loop over dictionaries gives."""

from __future__ import annotations

import math
import random

import pytest

from digest import probe_cache
from digest.probe_cache import ProbeCache


def best_by_loop(postings: dict[str, dict[str, float]], norms: dict[str, float],
                 vector: dict[str, float], terms: list[str], limit: int) -> list[tuple[str, float]]:
    """The candidates as summed one posting at a time, in the terms' order."""
    dots: dict[str, float] = {}
    for t in terms:
        for sid, weight in postings[t].items():
            dots[sid] = dots.get(sid, 0.0) + weight * vector[t]
    scored = sorted((-(d / max(norms[sid], 1e-9)), sid) for sid, d in dots.items() if sid in norms)
    return [(sid, -negative) for negative, sid in scored[:limit]]


@pytest.mark.parametrize("sparse_probe", [0, 16, 10**9])  # always, as shipped, never
def test_postings_and_best_stories_match_a_dictionary_model(
        sparse_probe: int, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(probe_cache, "SPARSE_PROBE", sparse_probe)
    rng = random.Random(7)
    cache, model = ProbeCache(), {}
    stories = [f"s{n:03d}" for n in range(300)]
    terms = [f"t{n}" for n in range(40)]
    norms = {sid: rng.choice([0.0, 1.0, rng.uniform(0.5, 9.0)]) for sid in stories[:280]}
    cache.load_norms(norms.items())
    for term in terms[:30]:  # held from the start, as read from the file
        model[term] = {sid: rng.choice([0.25, 0.5, rng.random()]) for sid in rng.sample(stories, 40)}
        cache.add_term(term, model[term].items())
    for step in range(6000):
        term, sid = rng.choice(terms[:30]), rng.choice(stories)
        if rng.random() < 0.4:
            model[term].pop(sid, None)
            cache.set_posting(term, sid, None)
        else:
            model[term][sid] = weight = rng.choice([0.25, 0.5, rng.random()])
            cache.set_posting(term, sid, weight)
        if step % 500 == 0:
            norms[sid] = rng.uniform(0.5, 9.0)
            cache.set_norm(sid, norms[sid])
        if step % 700 == 350:  # a story deleted (its last article left): never a candidate
            gone = rng.choice(stories[1:-1])
            norms.pop(gone, None)
            cache.set_norm(gone, math.nan)
    for term in terms[30:]:  # held later, some empty
        model[term] = {sid: rng.random() for sid in rng.sample(stories, rng.choice([0, 3, 60]))}
        cache.add_term(term, model[term].items())
    assert {t: cache.postings(t) for t in cache} == model
    assert cache.size == len(model) + sum(map(len, model.values()))
    assert cache.norm(stories[0]) == norms[stories[0]] and cache.norm(stories[-1]) is None
    for _ in range(200):
        probe = rng.sample(terms, rng.randint(1, 30))
        vector = {t: rng.choice([0.1, 0.2, rng.random()]) for t in probe}
        limit = rng.choice([1, 5, 12, 400])
        got = cache.best(vector, probe, limit)
        want = best_by_loop(model, norms, vector, probe, limit)
        assert got == want  # the same stories, ties broken alike, the same floats to the bit
        assert all(not math.isnan(score) for _, score in got)
    cache.forget_postings()
    assert len(cache) == 0 and cache.size == 0 and cache.norm(stories[0]) == norms[stories[0]]
