"""The learned half of the claim reader: which candidate count is the article's current claim.

`claims.read_claims` proposes candidates (every count the hand rules read, and every other count
with a casualty word near it, once per subject those words name) and asks this model what each
candidate is: the article's `current` figure for that subject, an `earlier` one, one about
`other_event`, or `none` (not a claim of that subject). The model is a multinomial logistic
regression over sparse binary features of the candidate's words (`features`): the words around
the count and between it and its cue word, the cue word and its distance and side, the
qualifier, cues of another time ("earlier", "up from", a year before the article's, "ago",
"when"), and what the hand rules said of the count. It is trained on the labelled claims set by
bench/train_claims.py, which writes the weights to claim_model.json beside this module (no
download, no training at run time); docs/benchmarks.md section 6 gives the protocol and scores.

Scoring a candidate is a sum of a few dozen weight rows and a softmax over four classes, in
plain Python: a candidate exists only in a sentence that passed the number and casualty-word
test, a handful per article.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

CLASSES = ("none", "current", "earlier", "other_event")
MODEL_FILE = "claim_model.json"


@dataclass(frozen=True)
class ClaimModel:
    """Weights per feature (one per class, in CLASSES order) and a bias per class."""

    weights: dict[str, tuple[float, ...]]
    bias: tuple[float, ...]
    classes: tuple[str, ...] = CLASSES

    def probabilities(self, feats: Iterable[str]) -> tuple[float, ...]:
        scores = list(self.bias)
        k = len(scores)
        for f in feats:
            row = self.weights.get(f)
            if row is not None:
                for i in range(k):
                    scores[i] += row[i]
        top = max(scores)
        exp = [math.exp(s - top) for s in scores]
        total = sum(exp)
        return tuple(e / total for e in exp)

    def to_json(self) -> dict[str, object]:
        return {"classes": list(self.classes), "bias": [round(b, 5) for b in self.bias],
                "weights": {f: [round(w, 5) for w in row]
                            for f, row in sorted(self.weights.items())}}

    @classmethod
    def from_json(cls, data: dict[str, object]) -> ClaimModel:
        weights = data["weights"]
        bias = data["bias"]
        classes = data["classes"]
        assert isinstance(weights, dict) and isinstance(bias, list) and isinstance(classes, list)
        return cls({str(f): tuple(float(w) for w in row) for f, row in weights.items()},
                   tuple(float(b) for b in bias), tuple(str(c) for c in classes))


@lru_cache(maxsize=1)
def default_model() -> ClaimModel | None:
    """The shipped weights, or None when the package has none (the rules then read alone)."""
    path = resources.files("digest").joinpath(MODEL_FILE)
    if not path.is_file():
        return None
    return ClaimModel.from_json(json.loads(path.read_text(encoding="utf-8")))


def _distance_bucket(n: int) -> str:
    return "0" if n <= 0 else "1" if n == 1 else "2" if n == 2 else "3-4" if n <= 4 else \
        "5-8" if n <= 8 else "9+"


@dataclass(frozen=True)
class Candidate:
    """One count read for one subject: where it is, what cue names the subject, what the rules
    said of it (`rule_role` None: the rules read no claim of this subject at this count)."""

    start: int  # token index of the count's first token
    end: int  # token index after its last token
    subject: str
    cue: str | None  # the casualty word that names the subject, lowercased
    cue_start: int  # its token span (-1 when no cue)
    cue_end: int
    rule_role: str | None
    rule_other: bool  # the rules read this count as a claim of another subject
    qualifier: str
    kind: str  # "digits", "words" or "vague"
    magnitude: int  # digits of the low (or high) bound
    n_subjects: int  # how many subjects were proposed for this count


def features(tokens: Sequence[str], c: Candidate, sentence_cues: Sequence[str],
             unit_index: int) -> list[str]:
    """The binary features of one candidate (tokens: the sentence's words, lowercased)."""
    subject = c.subject
    out = [f"s={subject}", f"q={c.qualifier}", f"k={c.kind}", f"m={min(c.magnitude, 6)}",
           f"n={min(c.n_subjects, 3)}", f"u={min(unit_index, 2)}"]
    if c.rule_role is not None:
        out += [f"rule={c.rule_role}", f"rule={c.rule_role}|s={subject}"]
    else:
        out.append("rule=other" if c.rule_other else "rule=none")
    if c.cue is None:
        out.append("cue=none")
    else:
        side = "L" if c.cue_end <= c.start else "R"
        gap = c.start - c.cue_end if side == "L" else c.cue_start - c.end
        dist = _distance_bucket(gap)
        out += [f"cue={c.cue}", f"cue={c.cue}|{side}", f"d={side}{dist}",
                f"d={side}{dist}|s={subject}"]
        lo, hi = (c.cue_end, c.start) if side == "L" else (c.end, c.cue_start)
        if hi - lo <= 8:
            out += [f"w={t}" for t in tokens[lo:hi]]
            out += [f"w{side}={t}" for t in tokens[lo:hi]]
        else:
            out.append("far")
        if any(t in (".", ";", "_", "--", "—") for t in tokens[lo:hi]):
            out.append("cue_other_clause")
    for i in range(1, 4):
        j = c.start - i
        out.append(f"l{i}={tokens[j] if j >= 0 else '<s>'}")
        k = c.end + i - 1
        out.append(f"r{i}={tokens[k] if k < len(tokens) else '</s>'}")
    out += [f"L={t}" for t in tokens[max(0, c.start - 10):max(0, c.start - 3)]]
    out += [f"R={t}" for t in tokens[c.end + 3:c.end + 10]]
    out += [f"x={cue}" for cue in sentence_cues]
    if c.start == 0:
        out.append("at_start")
    return out

