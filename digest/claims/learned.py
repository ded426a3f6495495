"""The learned reader: the rules' candidates weighed by a small model (claim_model.json),
measured in bench/eval_figures.py --reader model; the rules stay the default.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, replace

from digest import claim_model
from digest.claims.context import ArticleContext
from digest.claims.numbers import MENTION, VAGUE, _Found, _interval
from digest.claims.patterns import (
    ANY_YEAR,
    COMPARISON,
    CURRENT_BEFORE,
    EARLIER_AFTER,
    EARLIER_BEFORE,
    EARLIER_START,
    INCREMENT,
    OTHER_EVENT,
    OTHER_TIME_START,
    REVISED,
    STATISTIC,
    YEARS_AGO,
)
from digest.claims.reader import YEAR_REACH, _excluded, _in_context, _read_by_rules
from digest.claims.scope import _capitalized, _scope
from digest.claims.words import AFTER, BEFORE, NEEDS_AFTER, TOLLS
from digest.models import Claim

# -- the learned reader --------------------------------------------------------------------------
# The rules above are the candidate generator: each count they read is a candidate for its
# subject, and so is every other count with a casualty word within CUE_REACH words, once per
# subject those words name. `claim_model` then says which candidate is the article's current
# figure (and of which subject), which one is recounted or about another event, and which is
# no claim at all: what the rules weigh only by fixed patterns (a subject word seven words
# away, a year in another clause). On the labelled set it learnt to follow the rules' reading
# (docs/benchmarks.md section 6, seventh session), which is why it is not the default.
CUES: dict[str, str] = {
    **{w: s for w, s in BEFORE.items() if w not in NEEDS_AFTER},
    **AFTER, **TOLLS, "lives": "killed", "kill": "killed", "killings": "killed",
    "die": "killed", "dying": "killed", "deaths": "killed", "victims": "killed",
    "injuries": "injured", "casualties": "other:casualties", "refugees": "displaced",
    "survivors": "other:rescued", "evacuees": "displaced", "arrests": "arrested",
}
# (looked up word by word: one regex alternation of them all was a third of the reader's time)
CUE_NGRAMS = {tuple(words.split()): subject for words, subject in CUES.items()}
CUE_FIRST = frozenset(words[0] for words in CUE_NGRAMS)
CUE_LONGEST = max(len(words) for words in CUE_NGRAMS)
CUE_REACH = 10  # words between a count and its cue word, at most
TOKEN = re.compile(r"\d+(?:[,.]\s?\d+)*|[A-Za-z]+(?:['’][A-Za-z]+)?|[^\s\w]|_")
# Cues of the sentence as a whole, each a feature when it is found; a pattern is tried only
# when one of its words is in the lowercased sentence (most sentences hold none of them).
SENTENCE_CUES: tuple[tuple[str, tuple[str, ...], re.Pattern[str]], ...] = (
    ("earlier_start", ("earlier", "previously", "initially", "at first"), EARLIER_START),
    ("other_event", ("when", "anniversary", "last ", "previous", "recent", "earlier", "past",
                     "other", "separate", "similar"), OTHER_EVENT),
    ("other_time_start", ("last", "in 1", "in 2"), OTHER_TIME_START),
    ("years_ago", ("ago", "earlier", "before"), YEARS_AGO),
    ("statistic", ("each", "every", "per", "annually"), STATISTIC),
    ("revised", ("revis", "lower", "reduc", "cut", "correct", "downgrad", "adjust", "down from",
                 "backed off", "overstat", "retract"), REVISED),
    ("increment", ("toll", "total", "number"), INCREMENT),
    ("comparison", ("the way", "unlike", "compared", "similar to", "reminiscent", "recall"),
     COMPARISON),
    ("when", ("when",), re.compile(r"\bwhen\b", re.I)),
    ("since", ("since",), re.compile(r"\bsince\b", re.I)),
    ("ago", ("ago",), re.compile(r"\bago\b", re.I)),
    ("last", ("last",), re.compile(r"\blast\s+(?:year|month|week|summer|winter|spring|fall|"
                                  r"autumn)\b", re.I)),
    ("would", ("could", "may", "might", "would", "will"),
     re.compile(r"\b(?:could|may|might|would|will)\s+(?:have\s+)?(?:be|die|kill)", re.I)),
)


@dataclass(frozen=True)
class Proposal:
    """A candidate claim: what `claim_model` sees of it and the claim it would become."""

    unit: int  # which count of the sentence (candidates of one count compete)
    start: int  # character span of the count
    end: int
    candidate: claim_model.Candidate
    claim: Claim
    cues: tuple[str, ...]  # the sentence's cue features and the count's own


def _kind(raw: str) -> str:
    return "digits" if raw[:1].isdigit() or any(ch.isdigit() for ch in raw) else \
        "vague" if " ".join(raw.lower().split()) in VAGUE else "words"


def _locate(sentence: str, value: str, taken: list[tuple[int, int]]) -> tuple[int, int] | None:
    """Where a claim's words are in its sentence: the leftmost place no other claim holds."""
    pattern = re.compile(r"\s+".join(re.escape(w) for w in value.split()))
    for m in pattern.finditer(sentence):
        if all(m.end() <= a or m.start() >= b for a, b in taken):
            return m.start(), m.end()
    return None


def _sentence_cues(sentence: str, year: int | None) -> list[str]:
    low = sentence.lower()
    out = [name for name, words, pattern in SENTENCE_CUES
           if any(w in low for w in words) and pattern.search(sentence)]
    years = [int(y) for y in ANY_YEAR.findall(sentence)]
    if year is not None and any(y < year for y in years):
        out.append("old_year")
    n, upper = _capitalized(sentence)
    if n >= 3 and upper >= 0.7 * n:
        out.append("headline")  # a headline or a title-cased caption
    return out


def _count_cues(sentence: str, start: int, end: int, year: int | None) -> list[str]:
    """Cues next to the count itself (what the rules' role reads)."""
    left = sentence[max(0, start - 60):start]
    out = []
    if EARLIER_BEFORE.search(left):
        out.append("earlier_before")
    if EARLIER_AFTER.match(sentence, end):
        out.append("earlier_after")
    if CURRENT_BEFORE.search(left):
        out.append("current_before")
    near = ANY_YEAR.search(sentence, end, end + YEAR_REACH)
    if near and year is not None and int(near.group(1)) < year:
        out.append("old_year_after")
    before = [int(y) for y in ANY_YEAR.findall(sentence, 0, start)]
    if before and year is not None and before[-1] < year:
        out.append("old_year_before")
    if YEARS_AGO.search(sentence, max(0, start - 60), end + 60):
        out.append("years_ago_near")
    return out


@dataclass(frozen=True)
class Reading:
    """A sentence as the learned reader sees it."""

    tokens: list[str]  # its words, lowercased
    spans: list[tuple[int, int]]  # where each word is
    proposals: list[Proposal]
    unplaced: list[Claim]  # the rules' claims not found in the sentence (kept as read)


def _cue_words(tokens: list[str]) -> list[tuple[int, int, str, str]]:
    """The casualty words among a sentence's words: (start, end, subject, words), longest first."""
    out = []
    i = 0
    while i < len(tokens):
        n = 1
        if tokens[i] in CUE_FIRST:
            for n in range(min(CUE_LONGEST, len(tokens) - i), 0, -1):
                words = tuple(tokens[i:i + n])
                if words in CUE_NGRAMS:
                    out.append((i, i + n, CUE_NGRAMS[words], " ".join(words)))
                    break
            else:
                n = 1
        i += n
    return out


def proposals(sentence: str, *, year: int | None = None) -> Reading:
    """The sentence's candidate claims (see the section's comment)."""
    rules = _read_by_rules(sentence, year=year)
    spans = [(m.start(), m.end()) for m in TOKEN.finditer(sentence)]
    tokens = [sentence[a:b].lower() for a, b in spans]
    cue_tokens = _cue_words(tokens)
    if not rules and not cue_tokens:
        return Reading([], [], [], [])
    starts = [a for a, _ in spans]

    def token_span(a: int, b: int) -> tuple[int, int]:
        i = bisect_right(starts, a) - 1
        j = bisect_left(starts, b)
        return max(i, 0), max(j, i + 1)

    units: list[tuple[int, int, list[Claim], re.Match[str] | None]] = []
    taken: list[tuple[int, int]] = []
    unplaced: list[Claim] = []
    for c in rules:
        where = _locate(sentence, c.value, taken)
        if where is None:
            unplaced.append(c)
            continue
        taken.append(where)
        units.append((*where, [c], None))
    for mention in MENTION.finditer(sentence):
        if any(mention.start() < b and mention.end() > a for a, b in taken) or \
                _excluded(sentence, mention):
            continue
        units.append((mention.start(), mention.end(), [], mention))
    units.sort(key=lambda u: u[0])
    base = _sentence_cues(sentence, year)
    out: list[Proposal] = []
    for index, (a, b, read, m) in enumerate(units):
        ta, tb = token_span(a, b)
        near: dict[str, tuple[int, int, str]] = {}
        for ca, cb, subject, word in cue_tokens:
            gap = ta - cb if cb <= ta else ca - tb
            if (ca < tb and cb > ta) or gap > CUE_REACH:
                continue  # (a cue inside the count's own words is its qualifier)
            best = near.get(subject)
            if best is None or gap < (ta - best[1] if best[1] <= ta else best[0] - tb):
                near[subject] = (ca, cb, word)
        subjects = list(dict.fromkeys([*(c.subject for c in read), *near]))
        if m is not None:
            interval = _interval(m)
            if interval is None:
                continue
            if not near:
                continue
        count_cues = tuple(base + _count_cues(sentence, a, b, year))
        for subject in subjects:
            ca, cb, word = near.get(subject, (-1, -1, ""))
            rule = next((c for c in read if c.subject == subject), None)
            if rule is not None:
                claim = rule
            elif read:
                claim = replace(read[0], subject=subject, role="current")
            else:
                assert m is not None and interval is not None
                qualifier, low, high = interval
                after = ca >= tb
                found = _Found(subject, None, cues_end(sentence, spans, cb) if after else b,
                               "after" if after else "before")
                claim = Claim(subject, _scope(sentence, m, found), " ".join(m.group(0).split()),
                              low, high, qualifier, "current", sentence)
            bound = claim.low if claim.low is not None else claim.high
            out.append(Proposal(index, a, b, claim_model.Candidate(
                start=ta, end=tb, subject=subject, cue=word or None, cue_start=ca, cue_end=cb,
                rule_role=rule.role if rule else None, rule_other=bool(read) and rule is None,
                qualifier=claim.qualifier, kind=_kind(claim.value),
                magnitude=len(str(bound or 0)), n_subjects=len(subjects)), claim, count_cues))
    return Reading(tokens, spans, out, unplaced)


def cues_end(sentence: str, spans: list[tuple[int, int]], token_end: int) -> int:
    """The character where a token span ends."""
    return spans[token_end - 1][1] if 0 < token_end <= len(spans) else len(sentence)


# A candidate is read as the article's current claim from this probability up.
THRESHOLD = 0.5


def learned_claims(sentence: str, *, year: int | None = None,
                   context: ArticleContext | None = None,
                   model: claim_model.ClaimModel | None = None) -> list[Claim]:
    """`read_claims` with the rules' candidates weighed by the learned model (`model`, else the
    shipped one; without either, the rules alone). Not digest's default: on story-level folds
    of the labelled set it did not beat the rules (docs/benchmarks.md section 6)."""
    if context is not None:
        read = learned_claims(sentence, year=context.year if year is None else year, model=model)
        return _in_context(sentence, read, context)
    model = model or claim_model.default_model()
    if model is None:
        return _read_by_rules(sentence, year=year)
    reading = proposals(sentence, year=year)
    tokens, unplaced = reading.tokens, reading.unplaced
    current = model.classes.index("current")
    by_unit: dict[int, list[tuple[Proposal, tuple[float, ...]]]] = {}
    for p in reading.proposals:
        probs = model.probabilities(claim_model.features(tokens, p.candidate, p.cues,
                                                                p.unit))
        by_unit.setdefault(p.unit, []).append((p, probs))
    out: list[tuple[int, Claim]] = []
    for scored in by_unit.values():
        p, probs = max(scored, key=lambda sp: sp[1][current])
        if probs[current] >= THRESHOLD:
            revised = p.claim.revised or bool(REVISED.search(sentence))
            out.append((p.start, replace(p.claim, role="current", revised=revised)))
            continue
        for p, probs in scored:  # not current: what the rules read, if the model keeps it
            if p.candidate.rule_role is None:
                continue
            role = max((k for k in range(len(probs)) if k != current), key=lambda k: probs[k])
            if model.classes[role] != "none":
                out.append((p.start, replace(p.claim, role=model.classes[role],  # type: ignore[arg-type]
                                             revised=False)))
    out.sort(key=lambda x: x[0])
    return [c for _, c in out] + unplaced
