"""The join-or-start decision: a logistic model over what the index knows of each candidate story.

The index (cluster.StoryIndex) returns the stories sharing the newcomer's strongest terms,
with its cosine to each centroid. For each candidate this module computes a few numbers
that say, each for a reason, whether the newcomer belongs to that story:

- cos: word cosine to the story's centroid;
- mean: the newcomer's mean similarity to the story's articles, cos |C| / n, and
  cohesion: the story's own mean pairwise similarity (|C|^2 - n) / (n (n - 1)), pulled towards
  a prior while the story is small; their ratio is what the hand-set rule compared to 0.6
  (a tight story is closed to a merely related article, a loose one takes a looser follow-up);
- names: cosine between the newcomer's names and the story's (different earthquakes share
  words, not places);
- size: log of the story's articles (a one-article story is matched article to article);
- margin: how far the candidate is behind the best one (an article close to two stories is
  less surely part of either);
- gap: days from the story's newest article to the newcomer (an event's follow-ups come within
  days; undated sides give 0 with a flag).

The model is logistic regression over these (and a few products of them), trained by
bench/eval_grouping.py on five labelled sets and shipped as coefficients in join_model.json.
The candidate with the highest probability is joined if that probability reaches the
model's threshold. All of it is a few NumPy operations on a candidates x features array.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import numpy.typing as npt

MODEL_FILE = Path(__file__).with_name("join_model.json")
PRIOR_COHESION = 0.2  # a small story's cohesion is pulled towards this...
PRIOR_PAIRS = 6.0  # ...with the weight of this many member pairs
MAX_GAP_DAYS = 365.0

FEATURES = ("cos", "log_ratio", "mean", "cohesion", "log_size", "single", "names", "no_names",
            "margin", "best", "log_gap", "no_gap", "names_x_single", "cos_x_single")

Array = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Candidates:
    """What the index gives of the candidate stories, one entry each, best cosine first."""

    ids: tuple[str, ...]  # the stories
    cos: Array  # cosine of the newcomer to each centroid
    size: Array  # articles in each story
    norm: Array  # norm of each centroid (a sum of unit vectors)
    names: Array  # cosine of the newcomer's names to the story's; NaN where either has none
    gap_days: Array  # days from the story's newest article to the newcomer; NaN if unknown


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
    no_names = np.isnan(c.names).astype(np.float64)
    names = np.nan_to_num(c.names, nan=0.0)
    no_gap = np.isnan(c.gap_days).astype(np.float64)
    gap = np.clip(np.nan_to_num(np.abs(c.gap_days), nan=0.0), 0.0, MAX_GAP_DAYS)
    best = np.zeros_like(c.cos)
    if len(best):
        best[int(np.argmax(c.cos))] = 1.0
    margin = (c.cos.max() - c.cos) if len(c.cos) else c.cos
    return np.column_stack([
        c.cos, np.log(np.maximum(ratio, 1e-3)), mean, cohesion, np.log(size), single, names,
        no_names, margin, best, np.log1p(gap), no_gap, names * single, c.cos * single])


@dataclass(frozen=True)
class JoinModel:
    """Standardised logistic regression: p = sigmoid(((x - mean) / scale) . coef + intercept)."""

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
        p = self.probabilities(feature_matrix(c))
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


class HandRule:
    """Join the candidate whose mean similarity is the largest multiple of JOIN_SHARE x its
    cohesion (cosine SINGLE_BAR to a one-article story), unless their names barely meet."""

    def choose(self, c: Candidates) -> str | None:
        size = np.maximum(c.size, 1.0)
        pairs = size * (size - 1) / 2
        cohesion = ((c.norm ** 2 - size) / 2 + PRIOR_COHESION * PRIOR_PAIRS) / (pairs + PRIOR_PAIRS)
        bar = np.where(size <= 1, SINGLE_BAR, JOIN_SHARE * cohesion)
        ratio = c.cos * c.norm / size / bar
        for i in sorted(range(len(c.ids)), key=lambda i: (-ratio[i], i)):
            if ratio[i] < 1.0:
                break
            if not c.names[i] < ENTITY_MIN:  # NaN (no names on a side) is no veto
                return c.ids[i]
        return None


@lru_cache(maxsize=1)
def shipped() -> JoinModel:
    """The model trained on all labelled sets (bench/eval_grouping.py --write-model)."""
    return JoinModel.from_json(json.loads(MODEL_FILE.read_text(encoding="utf-8")))
