"""How many a count says: number words and digits, qualifiers ("at least", "about"),
vague words ("dozens"), and the interval a claim allows.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from digest.models import Claim, FigurePoint, Qualifier

# -- numbers ------------------------------------------------------------------------------------
UNITS = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
         "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen",
         "eighteen", "nineteen"]
TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
WORD_VALUES = {w: i for i, w in enumerate(UNITS)} | {w: 20 + 10 * i for i, w in enumerate(TENS)}
SCALES = {"hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}
# Vague counts as the interval the words allow (the labelled set's reading).
VAGUE = {
    "half a dozen": (6, 6), "half a million": (500_000, 500_000), "a half-dozen": (6, 6),
    "half-dozen": (6, 6), "a half dozen": (6, 6),
    "several dozen": (24, 99), "several hundred": (200, 999), "several thousand": (2000, 9999),
    "several dozens": (24, 99), "several hundreds": (200, 999), "several thousands": (2000, 9999),
    "a dozen": (12, 12), "one dozen": (12, 12), "two dozen": (24, 24),
    "three dozen": (36, 36), "dozens": (24, 99), "scores": (40, 99), "hundreds": (200, 999),
    "a hundred": (100, 100), "a thousand": (1000, 1000), "thousands": (2000, 9999),
    "tens of thousands": (20_000, 99_999), "hundreds of thousands": (200_000, 999_999),
    "millions": (2_000_000, 9_999_999),
    # (eleventh session) "grieving for the dozen people killed": the dozen is twelve
    "the dozen": (12, 12),
}
WORD_NUM = (r"(?:(?:" + "|".join(TENS) + r")(?:[- ](?:" + "|".join(UNITS[1:10]) + r"))?|"
            + "|".join(sorted(UNITS[1:], key=len, reverse=True)) + ")")
DIGITS = r"\d+(?:,\d+|,\s\d{3}(?!\d))*(?:\.\d+)?"  # "1,0000" and "7, 956" read as written
# "1.5 million", "two hundred", "One hundred fourteen", "three thousand five hundred"
COUNT = (rf"(?:{DIGITS}|{WORD_NUM})(?:\s+(?:hundred|thousand|million|billion)"
         rf"(?:(?:\s+and)?\s+{WORD_NUM}(?:\s+hundred)?(?!\s+(?:thousand|million|billion)))?)?")
VAGUE_RE = "|".join(re.escape(v).replace(r"\ ", r"\s+") for v in sorted(VAGUE, key=len, reverse=True))
QUALIFIERS: dict[str, Qualifier] = {
    "at least": "lower", "more than": "lower", "over": "lower", "upwards of": "lower",
    "in excess of": "lower", "no fewer than": "lower", "no less than": "lower", "past": "lower",
    "well over": "lower", "above": "lower", "a minimum of": "lower",
    # the verbs of a toll that passes a figure: its lower bound ("the toll surpassed 12,000")
    "exceeded": "lower", "exceeds": "lower", "exceeding": "lower", "surpassed": "lower",
    "surpasses": "lower", "surpassing": "lower", "topped": "lower", "tops": "lower",
    "topping": "lower", "passed": "lower", "passes": "lower", "nearly": "upper",
    "almost": "upper", "up to": "upper", "fewer than": "upper", "less than": "upper",
    "as many as": "upper", "under": "upper", "at most": "upper", "no more than": "upper",
    "close to": "upper", "as high as": "upper", "about": "approx", "around": "approx", "roughly": "approx",
    "approximately": "approx", "an estimated": "approx", "estimated": "approx",
    "some": "approx", "between": "range",
}
QUAL_RE = "|".join(q.replace(" ", r"\s+") for q in sorted(QUALIFIERS, key=len, reverse=True))
MENTION = re.compile(
    rf"(?<![\w$£€¥.,/:-])(?:(?P<q>{QUAL_RE})\s+)?(?:all\s+)?"
    rf"(?P<a>{VAGUE_RE}|{COUNT})"
    rf"(?:\s*(?P<sep>-|–|\bto\b|\bor\b|\band\b)\s*(?P<b>{COUNT})(?![\w%-]))?"
    rf"(?P<post>\s+or\s+more|\+|-plus)?(?![\w%])",
    re.I,
)


def parse_count(raw: str) -> tuple[int, int] | None:
    """The interval a count stands for ("two hundred" -> (200, 200), "dozens" -> (24, 99))."""
    words = " ".join(raw.lower().split())
    if words in VAGUE:
        return VAGUE[words]
    scale = 1
    head, _, last = words.rpartition(" ")
    if head and last in SCALES:
        words, scale = head, SCALES[last]
    if words[0].isdigit():
        try:
            value = float(words.replace(",", "").replace(" ", ""))
        except ValueError:
            return None
        n = round(value * scale)
        return (n, n)
    total = current = 0  # words: "one hundred fourteen" = 1 * 100 + 14
    for p in re.split(r"[- ]+", f"{words} {last}" if scale > 1 else words):
        if p in WORD_VALUES:
            current += WORD_VALUES[p]
        elif p == "hundred":
            current = max(current, 1) * 100
        elif p in SCALES:
            total += max(current, 1) * SCALES[p]
            current = 0
        elif p != "and":
            return None
    return (total + current, total + current)


@dataclass(frozen=True)
class _Found:
    """What a count is about, as read around it."""

    subject: str
    group: str | None  # the noun the count is split by ("soldiers"), if any
    end: int  # where the subject words end (scope is looked for after)
    how: str  # which reading found it: "noun_of", "toll", "before", "after", "part_of",
    # "part_state"
    split: bool = False  # the sentence splits the subject by group ("three Britons and a ...")


def _interval(m: re.Match[str]) -> tuple[Qualifier, int | None, int | None] | None:
    a = parse_count(m.group("a"))
    if a is None:
        return None
    q = " ".join((m.group("q") or "").lower().split())
    b = parse_count(m.group("b")) if m.group("b") else None
    sep = (m.group("sep") or "").lower()
    if b is not None and (sep != "and" or q == "between") and b[1] >= a[0]:
        return "range", a[0], b[1]
    qualifier = "lower" if m.group("post") else QUALIFIERS.get(q, "exact")
    if qualifier == "lower":
        return "lower", a[0], None
    if qualifier == "upper":
        return "upper", None, a[1]
    if a[0] != a[1]:
        return "range", a[0], a[1]
    if b is not None and b[1] < a[0] and sep == "-":
        return None  # "767-300": a model, not a count
    return qualifier if qualifier != "range" else "exact", a[0], a[1]


def span(c: Claim | FigurePoint) -> tuple[float, float]:
    """The values a claim allows, for telling compatible figures from conflicting ones."""
    low = c.low if c.low is not None else 0
    high = c.high if c.high is not None else math.inf
    if c.qualifier == "approx":  # "about 7,000": a round figure, give it a tenth either way
        return (0.9 * low, 1.1 * high)
    if c.qualifier == "upper" and c.high is not None and not c.value.lower().startswith(
            ("up to", "fewer", "less", "as many", "under", "at most", "no more")):
        return (0.8 * c.high, c.high)  # "nearly 300" is close to 300
    return (low, high)


def point(c: Claim | FigurePoint) -> float:
    return c.low if c.low is not None else (c.high or 0)
