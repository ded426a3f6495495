"""Figures the articles of a story report (death toll, injured, arrests), and where they disagree.

Pure functions over article text and captions: a caption is not prose to
summarize, but a figure in it is still the outlet's claim.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from digest.models import Article, Discrepancy, FigureClaim

NUMBER_WORDS = {
    "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "dozen": 12, "a dozen": 12,
}
Q = r"(?P<q>at least|more than|over|nearly|almost|about|around|some|up to|as many as)?\s*"
N = r"(?P<n>\d{1,3}(?:,\d{3})+|\d+|" + "|".join(sorted(NUMBER_WORDS, key=len, reverse=True)) + r")"
PATTERNS: dict[str, list[re.Pattern[str]]] = {
    "death toll": [
        re.compile(r"\b(?:killing|killed|kills|kill|left|leaving)\s+" + Q + N
                   + r"(?:\s+(?:people|persons|victims|civilians|others))?(?:\s+dead)?\b", re.I),
        re.compile(r"\b" + Q + N + r"\s+(?:people\s+|persons\s+|victims\s+)?"
                   r"(?:(?:were|have been|had been|are)\s+)?(?:dead|killed|died)\b", re.I),
        re.compile(r"\bdeath toll\s+(?:\w+\s+){0,3}?(?:to|at|of)\s+" + Q + N, re.I),
    ],
    "injured": [
        re.compile(r"\b(?:injuring|wounding)\s+" + Q + N, re.I),
        re.compile(r"\b" + Q + N + r"\s+(?:people\s+|others\s+)?(?:(?:were|have been)\s+)?"
                   r"(?:injured|wounded|hurt)\b", re.I),
    ],
}
# "killed in 2004" or "left 2 weeks ago" are not tolls.
NOT_A_COUNT = re.compile(r"^\s*(?:years?|weeks?|days?|hours?|months?|percent|%|km|miles?)\b", re.I)


def _number(raw: str) -> int | None:
    raw = raw.lower()
    if raw in NUMBER_WORDS:
        return NUMBER_WORDS[raw]
    try:
        return int(raw.replace(",", ""))
    except ValueError:
        return None


# Every pattern needs one of these words (lowercased): paragraphs without any are not
# searched. (Substring tests: faster than one regex alternation. They are looked for on the
# lowercased text, which misses what re.I would match in odd spellings such as "KİLLED".)
TRIGGER_WORDS = ("kill", "dead", "died", "death", "left", "leaving", "injur", "wound", "hurt")
# And every pattern needs a number (N), matched as N is (re.I, on the paragraph itself):
# "left" and "death" are common words, figures are not.
HAS_NUMBER = re.compile(r"\d|" + "|".join(w for w in NUMBER_WORDS if " " not in w), re.I)


def claims_in(text: str) -> dict[str, set[tuple[str, int]]]:
    """(qualifier class, number) per subject found in text; class is '', '>' or '~'."""
    found: dict[str, set[tuple[str, int]]] = {}
    # Most articles name no toll at all: one look at the whole text first.
    whole = text.lower()
    if not any(w in whole for w in TRIGGER_WORDS):
        return found
    # (Lowercasing never adds or removes a line break: the two splits pair up.)
    for paragraph, low in zip(text.split("\n"), whole.split("\n"), strict=True):
        if any(w in low for w in TRIGGER_WORDS) and HAS_NUMBER.search(paragraph):
            _claims_in(paragraph, found)
    return found


def _claims_in(text: str, found: dict[str, set[tuple[str, int]]]) -> None:
    for subject, patterns in PATTERNS.items():
        for pattern in patterns:
            for m in pattern.finditer(text):
                if NOT_A_COUNT.match(text[m.end():]):
                    continue
                n = _number(m.group("n"))
                if n is None or n < 2 or 1800 <= n <= 2100:  # years are not tolls
                    continue
                q = (m.group("q") or "").lower()
                cls = ">" if q in ("more than", "over") else "~" if q in (
                    "nearly", "almost", "about", "around", "some", "up to", "as many as") else ""
                found.setdefault(subject, set()).add((cls, n))


def discrepancies(articles: Iterable[Article]) -> tuple[Discrepancy, ...]:
    """Subjects on which the articles give different figures, each figure with its sources."""
    by_subject: dict[str, dict[tuple[str, int], list[str]]] = {}
    for article in articles:
        text = "\n".join([article.text, *article.captions])
        for subject, found in claims_in(text).items():
            for value in found:
                ids = by_subject.setdefault(subject, {}).setdefault(value, [])
                if article.id not in ids:
                    ids.append(article.id)
    out = []
    for subject, values in by_subject.items():
        reporting = {aid for ids in values.values() for aid in ids}
        # Several figures in one article are usually several events, not a disagreement.
        if len(values) < 2 or len(reporting) < 2:
            continue
        claims = tuple(
            FigureClaim(value=_display(cls, n), sources=tuple(ids))
            for (cls, n), ids in sorted(values.items(), key=lambda kv: (kv[0][1], kv[0][0]))
        )
        out.append(Discrepancy(subject=subject, claims=claims))
    return tuple(out)


def _display(cls: str, n: int) -> str:
    return {">": f"over {n}", "~": f"about {n}"}.get(cls, str(n))
