"""The join-or-start decision over the candidate stories the index returns for a newcomer.

The index (cluster.StoryIndex) returns the stories sharing the newcomer's strongest terms,
with its cosine to each centroid; cluster.join_candidates adds what else the index knows of each
(Candidates). Two deciders take them:

- HandRule, the one digest runs: the newcomer's mean similarity to a story's articles,
  cos |C| / n, against the story's own mean pairwise similarity (|C|^2 - n) / (n (n - 1)),
  pulled towards a prior while the story is small (a tight story, one event told alike, is
  closed to a merely related article; a loose one takes a looser follow-up), and a veto when
  the names barely meet (three earthquakes in three countries share their words, not their
  places).
- JoinModel, a logistic model over the same numbers and a few more (feature_matrix), trained
  and validated across five labelled sets by bench/eval_grouping.py. Measured there against
  the hand rule on each left-out set, it was not adopted: it joins at the looser grain of the
  sets it learns from (topics spanning years), which costs DUC 2003's events and the seeds
  (docs/benchmarks.md section 1).

Both are a few NumPy operations on the candidates (at most cluster.CANDIDATES of them).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import numpy.typing as npt

PRIOR_COHESION = 0.2  # a small story's cohesion is pulled towards this...
PRIOR_PAIRS = 6.0  # ...with the weight of this many member pairs
MAX_GAP_DAYS = 365.0

# What JoinModel sees of each candidate: the cosine; the log of the mean similarity relative to
# the story's cohesion (what the hand rule compares to JOIN_SHARE), the mean and the cohesion
# themselves; the names' cosine (and whether either side has none); how far the candidate is
# behind the best cosine, and whether it is the best; the days since the story's newest
# article (and whether a date is missing). The story's size is left out: how many articles a
# gold story has depends on how the labelled set was collected (10 in DUC 2003, 25 in DUC
# 2006/2007), and a model that used it did worse on every left-out set but one.
FEATURES = ("cos", "log_ratio", "mean", "cohesion", "names", "no_names", "margin", "best",
            "log_gap", "no_gap")

NAMES, NO_NAMES = FEATURES.index("names"), FEATURES.index("no_names")

Array = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Candidates:
    """What the index gives of the candidate stories, one entry each, best cosine first."""

    ids: tuple[str, ...]  # the stories
    cos: Array  # cosine of the newcomer to each centroid
    size: Array  # articles in each story
    norm: Array  # norm of each centroid (a sum of unit vectors)
    gap_days: Array  # days from the story's newest article to the newcomer; NaN if unknown
    # Cosine of the newcomer's names to those of the candidates at these positions (NaN where
    # a side has none). Asked for, not given: a story's names are read and compared only for
    # the candidates a decider looks at (the hand rule: those that clear its bar, often none).
    names_of: Callable[[Sequence[int]], Array]


def feature_matrix(c: Candidates) -> Array:
    """candidates x FEATURES."""
    size = np.maximum(c.size, 1.0)
    mean = c.cos * c.norm / size
    pair_sum = (c.norm * c.norm - size) / 2.0
    pairs = size * (size - 1.0) / 2.0
    cohesion = (pair_sum + PRIOR_COHESION * PRIOR_PAIRS) / (pairs + PRIOR_PAIRS)
    single = (size <= 1.0).astype(np.float64)
    # A one-article story has no cohesion: its "mean" is the cosine to that article.
    ratio = np.where(single > 0, c.cos / PRIOR_COHESION, mean / cohesion)
    all_names = c.names_of(range(len(c.ids)))
    no_names = np.isnan(all_names).astype(np.float64)
    names = np.nan_to_num(all_names, nan=0.0)
    no_gap = np.isnan(c.gap_days).astype(np.float64)
    gap = np.clip(np.nan_to_num(np.abs(c.gap_days), nan=0.0), 0.0, MAX_GAP_DAYS)
    best = np.zeros_like(c.cos)
    if len(best):
        best[int(np.argmax(c.cos))] = 1.0
    margin = (c.cos.max() - c.cos) if len(c.cos) else c.cos
    return np.column_stack([c.cos, np.log(np.maximum(ratio, 1e-3)), mean, cohesion, names,
                            no_names, margin, best, np.log1p(gap), no_gap])


@dataclass(frozen=True)
class JoinModel:
    """Standardised logistic regression: p = sigmoid(((x - mean) / scale) . coef + intercept)."""

    needs_gap: ClassVar[bool] = True
    mean: Array
    scale: Array
    coef: Array
    intercept: float
    threshold: float

    def probabilities(self, x: Array) -> Array:
        z = ((x - self.mean) / self.scale) @ self.coef + self.intercept
        return np.asarray(1.0 / (1.0 + np.exp(-z)), dtype=np.float64)

    def choose(self, c: Candidates) -> str | None:
        """The candidate story to join, or None to start a story."""
        if not c.ids:
            return None
        x = feature_matrix(c)
        p = self.probabilities(x)
        # Names that do not meet at all veto a join whatever the words say: three earthquakes in
        # three countries share their vocabulary, not their places (the sets the model learns
        # from are topics spanning years, where the names weigh little).
        p[(x[:, NAMES] < ENTITY_MIN) & (x[:, NO_NAMES] == 0)] = 0.0
        best = int(np.argmax(p))
        return c.ids[best] if p[best] >= self.threshold else None

    def to_json(self) -> dict[str, object]:
        return {"features": list(FEATURES), "mean": self.mean.tolist(),
                "scale": self.scale.tolist(), "coef": self.coef.tolist(),
                "intercept": self.intercept, "threshold": self.threshold}

    @classmethod
    def from_json(cls, data: dict[str, object]) -> JoinModel:
        if data.get("features") != list(FEATURES):
            raise ValueError("join model features do not match this version of digest")
        return cls(np.asarray(data["mean"], dtype=np.float64),
                   np.asarray(data["scale"], dtype=np.float64),
                   np.asarray(data["coef"], dtype=np.float64),
                   float(data["intercept"]),  # type: ignore[arg-type]
                   float(data["threshold"]))  # type: ignore[arg-type]


# The hand-set rule (docs/benchmarks.md section 1, 2026-11-23): the "before" of the model.
JOIN_SHARE = 0.6  # a newcomer must be this close to the members, relative to their cohesion
SINGLE_BAR = 0.15  # cosine a newcomer needs to a one-article story
ENTITY_MIN = 0.1  # below this cosine between their names, an article and a story are unrelated


@dataclass(frozen=True)
class HandRule:
    """Join the candidate whose mean similarity is the largest multiple of `share` x its
    cohesion (cosine `single_bar` to a one-article story), unless their names barely meet."""

    needs_gap: ClassVar[bool] = False
    share: float = JOIN_SHARE
    single_bar: float = SINGLE_BAR

    def choose(self, c: Candidates) -> str | None:
        size = np.maximum(c.size, 1.0)
        pairs = size * (size - 1) / 2
        cohesion = ((c.norm ** 2 - size) / 2 + PRIOR_COHESION * PRIOR_PAIRS) / (pairs + PRIOR_PAIRS)
        bar = np.where(size <= 1, self.single_bar, self.share * cohesion)
        ratio = c.cos * c.norm / size / bar
        passing = [i for i in sorted(range(len(c.ids)), key=lambda i: (-ratio[i], i)) if ratio[i] >= 1.0]
        if not passing:
            return None
        for i, names in zip(passing, c.names_of(passing), strict=True):
            if not names < ENTITY_MIN:  # NaN (no names on a side) is no veto
                return c.ids[i]
        return None
