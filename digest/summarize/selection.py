"""Choosing units within a length budget without repeating what is already said: the word
pairs several articles report, discounted as chosen sentences cover them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from digest import text
from digest.summarize.ranking import tfidf
from digest.summarize.settings import (
    CONCEPT_FLOOR,
    DEFAULT_WORDS,
    LEAD_BONUS,
    LEAD_SENTENCES,
    MAX_CANDIDATES,
    MAX_CONCEPTS,
    NOVELTY_FLOOR,
    REDUNDANT,
)
from digest.summarize.units import Unit


@dataclass(frozen=True)
class UpdateWeights:
    """How an update summary weighs what the reader already has (chosen on DUC 2007 update
    stories D0703A-D0721E, checked on the other five: docs/benchmarks.md, "Updates")."""

    novelty_floor: float = 0.6  # NOVELTY_FLOOR for updates
    known_pair_keep: float = 0.5  # what a word pair the seen articles report still counts
    known_penalty: float = 0.6  # rank x (1 - this x cosine to the closest seen sentence)
    known_redundant: float = 1.0  # cosine to a seen sentence above which a candidate is old
    #                               (1.0: none; lower cuts cost recall on the tuning stories)
    context_min: float = 0.15  # cosine an earlier sentence needs to be shown as context


# -- concept coverage (the default method's selection) ------------------------------------
def bigrams(unit: Unit) -> set[tuple[str, str]]:
    """Stemmed word pairs of a sentence, except pairs of two stop words."""
    stops = text.stop_words()
    stems = unit.stems
    stop = [t in stops for t in unit.tokens]
    # Each word with the next (the shifted lists are one shorter: zip stops there).
    return {(a, b) for a, b, stop_a, stop_b in zip(stems, stems[1:], stop, stop[1:], strict=False)
            if not (stop_a and stop_b)}


def concept_weights(units: Sequence[Unit], n_articles: int
                    ) -> tuple[list[tuple[str, str]], np.ndarray, sp.csr_matrix]:
    """Word pairs reported by several articles, weighted by how many; unit x concept incidence."""
    pairs = [bigrams(u) for u in units]
    # The articles reporting a pair, as a bit mask (one bit per article): OR-ing ints is
    # several times faster than updating sets, and int.bit_count() counts them.
    bit: dict[str, int] = {}
    reporters: dict[tuple[str, str], int] = {}
    leads: dict[tuple[str, str], int] = {}
    for u, ps in zip(units, pairs, strict=True):
        mask = 0
        for aid in u.sources:
            mask |= 1 << bit.setdefault(aid, len(bit))
        get = reporters.get
        for p in ps:
            reporters[p] = get(p, 0) | mask
        if u.position < LEAD_SENTENCES:
            get = leads.get
            for p in ps:
                leads[p] = get(p, 0) | mask
    # What several outlets say is the story; with few articles, what one says twice.
    floor = CONCEPT_FLOOR if n_articles >= 2 else 1
    # r & (r - 1) is not 0 when r has two bits or more: most pairs have one reporter.
    kept = reporters.items() if floor < 2 else [(p, r) for p, r in reporters.items() if r & (r - 1)]
    counted = sorted((-r.bit_count(), p) for p, r in kept if r.bit_count() >= floor)
    concepts = [p for _, p in counted[:MAX_CONCEPTS]]
    index = {p: j for j, p in enumerate(concepts)}
    weights = np.array([reporters[p].bit_count() + LEAD_BONUS * leads.get(p, 0).bit_count()
                        for p in concepts], dtype=float)
    rows, cols = [], []
    for i, ps in enumerate(pairs):
        for p in ps:
            j = index.get(p)
            if j is not None:
                rows.append(i)
                cols.append(j)
    incidence = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(units), len(concepts)))
    return concepts, weights, incidence


def select_novel(units: Sequence[Unit], scores: np.ndarray, n_articles: int, *,
                 sentences: int | None, words: int | None, known: Sequence[Unit] = (),
                 said: Sequence[bool] = (), weights: UpdateWeights | None = None
                 ) -> list[Unit] | None:
    """Best ranked first, each sentence's rank discounted by how much of it is already said.

    A sentence's worth is its rank score times (NOVELTY_FLOOR + (1 - NOVELTY_FLOOR) x the
    share of its reported word pairs, weighted by how many articles report them, that no
    chosen sentence covers yet). The most worthy sentence that fits the budget is taken,
    coverage is updated, and so on; a sentence that restates a chosen one (cosine above
    REDUNDANT) is never taken and its articles are credited as `similar`.
    For an update, `known` are the sentences of the articles the reader has (`said` marks
    those they were sent): they count as chosen before the first pick (see UpdateWeights).
    None when the story has no reported word pairs (then the plain ranking is used).
    """
    if sentences is None and words is None:
        words = DEFAULT_WORDS
    order = np.argsort(-scores, kind="stable")[:MAX_CANDIDATES]
    pool = [units[i] for i in order]
    concepts, concept_weight, incidence = concept_weights(pool, n_articles)
    if not concepts:
        return None
    floor = NOVELTY_FLOOR if weights is None else weights.novelty_floor
    lengths = np.array([u.n_words for u in pool], dtype=float)
    rank_score = scores[order] / (np.max(np.abs(scores[order])) or 1.0)
    total = np.maximum(np.asarray(incidence @ concept_weight).ravel(), 1e-9)
    uncovered = concept_weight.copy()
    marked = [(u, i < len(said) and bool(said[i])) for i, u in enumerate(known) if u.terms]
    known = [u for u, _ in marked]
    said_mask = np.array([m for _, m in marked], dtype=bool)
    x = tfidf([*pool, *known])
    x_known = x[len(pool):]
    x = x[:len(pool)]
    # Every pair of the pool at once (at most MAX_CANDIDATES squared): one sparse product,
    # not one per chosen sentence.
    similarity = (x @ x.T).toarray()
    closest = np.zeros(len(pool))
    available = np.ones(len(pool), dtype=bool)
    if known:
        w = weights or UpdateWeights()
        to_known = np.asarray((x @ x_known.T).toarray())
        nearest = to_known.max(axis=1)
        rank_score = rank_score * (1.0 - w.known_penalty * nearest)
        available &= nearest <= w.known_redundant
        if said_mask.any():  # what the reader was sent is as good as chosen
            closest = to_known[:, said_mask].max(axis=1)
        seen_pairs: set[tuple[str, str]] = set()
        for u in known:
            seen_pairs |= bigrams(u)
        old = np.array([p in seen_pairs for p in concepts], dtype=bool)
        uncovered[old] *= w.known_pair_keep
    chosen: list[int] = []
    used = 0.0
    while sentences is None or len(chosen) < sentences:
        fits = available & (closest <= REDUNDANT)
        if words is not None and chosen:
            fits &= used + lengths <= words
        if not fits.any():
            break
        novelty = np.asarray(incidence @ uncovered).ravel() / total
        worth = rank_score * (floor + (1.0 - floor) * novelty)
        i = int(np.argmax(np.where(fits, worth, -np.inf)))
        chosen.append(i)
        available[i] = False
        used += lengths[i]
        uncovered[incidence.indices[incidence.indptr[i]:incidence.indptr[i + 1]]] = 0.0
        closest = np.maximum(closest, similarity[i])
        if words is not None and used >= words:
            break
    # Credit the articles that say what a chosen sentence says in other words.
    for i in chosen:
        for j in np.nonzero(similarity[i] > REDUNDANT)[0].tolist():
            if j != i:
                _note_similar(pool[i], pool[j])
    return [pool[i] for i in chosen]


# -- selection ------------------------------------------------------------------------
def select(units: Sequence[Unit], scores: np.ndarray, *, sentences: int | None,
           words: int | None) -> list[Unit]:
    """Best first, skipping what repeats a chosen sentence, within the length budget."""
    if sentences is None and words is None:
        words = DEFAULT_WORDS
    x = tfidf(units)
    chosen: list[int] = []
    # Similarity of every unit to its closest chosen one, updated as sentences are chosen.
    closest = np.zeros(len(units))
    closest_to = np.zeros(len(units), dtype=int)
    used_words = 0
    for i in np.argsort(-scores, kind="stable"):
        if sentences is not None and len(chosen) >= sentences:
            break
        if chosen and closest[i] > REDUNDANT:
            _note_similar(units[closest_to[i]], units[i])
            continue
        n = units[i].n_words
        if words is not None and chosen and used_words + n > words:
            continue  # a shorter sentence further down may still fit
        chosen.append(int(i))
        sims = np.asarray((x @ x[int(i)].T).todense()).ravel()
        better = sims > closest
        closest[better] = sims[better]
        closest_to[better] = i
        used_words += n
        if words is not None and used_words >= words:
            break
    return [units[i] for i in chosen]


def _note_similar(kept: Unit, dropped: Unit) -> None:
    for aid in dropped.sources:
        if aid not in kept.sources and aid not in kept.similar:
            kept.similar.append(aid)
