"""story_probe postings and story norms held in memory as arrays, summed with NumPy.

An article's candidate stories are the sum, over its probe terms, of each story's posting
weight times the term's weight. At 100,000 articles a probe visits thousands of postings, so
a loop over dictionaries took half the main process's candidate time; here each term's
postings are two arrays (story numbers, weights) and the sums are one np.bincount. bincount
adds each story's products in array order, which is the probe terms' order, so every sum is
the one the loop gave, to the last bit: the candidates do not depend on this form.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Iterator

import numpy as np

# Summing into an array over every story costs what zeroing it costs: when the store holds more
# than this many stories per posting met, the stories met are numbered first (np.unique).
SPARSE_PROBE = 16


class _Postings:
    """One term's postings: story numbers and weights, slot by slot.

    Kept in array.array, not NumPy: appending needs no capacity kept by hand, setting one
    weight (done for most of a story's top terms each time an article joins it) is a little
    cheaper (53 against 67 ns), and np.frombuffer reads them without a copy.
    """

    __slots__ = ("slot", "stories", "weights")

    def __init__(self) -> None:
        self.slot: dict[int, int] = {}  # story number -> its slot
        self.stories = array("q")
        self.weights = array("d")

    def set(self, story: int, weight: float) -> bool:
        """Set a story's weight; True if it was not there."""
        slot = self.slot.get(story)
        if slot is not None:
            self.weights[slot] = weight
            return False
        self.append(story, weight)
        return True

    def append(self, story: int, weight: float) -> None:
        """Add a story that is not there."""
        self.slot[story] = len(self.stories)
        self.stories.append(story)
        self.weights.append(weight)

    def remove(self, story: int) -> bool:
        """Remove a story (the last slot moves into its place); True if it was there."""
        slot = self.slot.pop(story, None)
        if slot is None:
            return False
        moved, weight = self.stories.pop(), self.weights.pop()
        if slot != len(self.stories):
            self.stories[slot] = moved
            self.weights[slot] = weight
            self.slot[moved] = slot
        return True


class ProbeCache:
    """The story_probe rows of the terms looked up, and every story's norm once loaded."""

    def __init__(self) -> None:
        self._number: dict[str, int] = {}  # story id -> number (an index into the arrays)
        self._story_ids: list[str] = []
        self._terms: dict[str, _Postings] = {}
        self._norms = np.empty(0, np.float64)  # by story number; NaN: not in the index
        self.norms_loaded = False
        self.size = 0  # postings held, plus one per term (an empty term costs memory too)

    def __contains__(self, term: str) -> bool:
        return term in self._terms

    def __len__(self) -> int:
        return len(self._terms)

    def __iter__(self) -> Iterator[str]:
        return iter(self._terms)

    def _story(self, story_id: str) -> int:
        number = self._number.get(story_id)
        if number is None:
            number = self._number[story_id] = len(self._story_ids)
            self._story_ids.append(story_id)
            if number == len(self._norms):
                grown = np.full(max(2 * number, 1024), np.nan)
                grown[:number] = self._norms
                self._norms = grown
        return number

    def add_term(self, term: str, rows: Iterable[tuple[str, float]]) -> None:
        """Hold a term's postings (as read from story_probe)."""
        postings = self._terms[term] = _Postings()
        self.size += 1
        for story_id, weight in rows:
            self.size += postings.set(self._story(story_id), weight)

    def set_posting(self, term: str, story_id: str, weight: float | None) -> None:
        """Set (None: remove) a posting of a term held in memory."""
        postings = self._terms[term]
        number = self._number.get(story_id)
        if weight is None:
            self.size -= number is not None and postings.remove(number)
            return
        # Called for most of a story's top terms each time an article joins it: the common
        # case (a weight that grew) is one dictionary lookup and one array store.
        slot = None if number is None else postings.slot.get(number)
        if slot is not None:
            postings.weights[slot] = weight
        else:
            postings.append(self._story(story_id), weight)
            self.size += 1

    def forget_postings(self) -> None:
        """Drop the postings held (the cache is full); story numbers and norms stay."""
        self._terms.clear()
        self.size = 0

    def postings(self, term: str) -> dict[str, float]:
        """A held term's postings, story id -> weight (for checks and tests)."""
        p = self._terms[term]
        return {self._story_ids[s]: w for s, w in zip(p.stories, p.weights, strict=True)}

    def load_norms(self, norms: Iterable[tuple[str, float]]) -> None:
        self.norms_loaded = True
        for story_id, norm in norms:
            self.set_norm(story_id, norm)

    def set_norm(self, story_id: str, norm: float) -> None:
        """A story's current norm (ignored until the norms are loaded, which reads them all)."""
        if self.norms_loaded:
            number = self._story(story_id)  # first: numbering may grow the array
            self._norms[number] = norm

    def norm(self, story_id: str) -> float | None:
        number = self._number.get(story_id)
        if number is None or np.isnan(self._norms[number]):
            return None
        return float(self._norms[number])

    def best(self, vector: dict[str, float], terms: list[str], limit: int) -> list[tuple[str, float]]:
        """The `limit` stories with the highest posting sum over the terms divided by their norm
        (ties by story id), with that score. The terms must be held and the norms loaded."""
        held = [self._terms[t] for t in terms]
        stories = np.concatenate([np.frombuffer(p.stories, np.int64) for p in held])
        if not len(stories):
            return []
        products = np.concatenate([np.frombuffer(p.weights, np.float64) * vector[t]
                                   for p, t in zip(held, terms, strict=True)])
        if len(self._story_ids) > SPARSE_PROBE * len(stories):
            # Many stories, few postings met: sum by the stories met, not over every story.
            met, slots = np.unique(stories, return_inverse=True)
            sums = np.bincount(slots, products, minlength=len(met))
            numbers = met
        else:
            sums = np.bincount(stories, products, minlength=len(self._story_ids))
            numbers = np.flatnonzero(sums)  # every weight is positive: a story met sums > 0
            sums = sums[numbers]
        scores = sums / np.maximum(self._norms[numbers], 1e-9)
        known = ~np.isnan(scores)  # a story without a norm is not in the index any more
        if known.sum() > limit:
            floor = np.partition(scores[known], -limit)[-limit]
            known &= scores >= floor
        ranked = sorted((-float(scores[i]), self._story_ids[int(numbers[i])])
                        for i in np.flatnonzero(known))
        return [(story_id, -negative) for negative, story_id in ranked[:limit]]
