"""The verdict on a line of figures in time order, and the pairs that cannot both be true.

A later figure above an earlier one is a rise; a later lower one said to be revised is a
revision; figures of about the same time that do not overlap, or a later lower one within a week
given without a word of revision, disagree. Precedence: disagree > revised > rising > agree.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta

from digest.claims import point, span
from digest.models import Claim, Discrepancy, FigureClaim, FigureLine, Verdict

# Figures further apart than this are not compared for "later but lower": a story that runs for
# weeks (a war, an epidemic) moves on to new incidents with their own tolls.
WINDOW = timedelta(days=7)
# Two figures this many times apart are not one count disputed but two counts (a province and
# the country, one attack and the whole campaign, a cumulative total): news sources that really
# disagree give figures of one size (60 and 67; 5,000 and 7,000), not 129 and 2,361.
SAME_COUNT = 3.0


def _comparable(a: tuple[float, float], b: tuple[float, float]) -> bool:
    """Two claims' intervals close enough in size to be rival figures for one count."""
    lo = min(a[1], b[1])
    hi = max(a[0], b[0])
    return lo > 0 and hi / lo < SAME_COUNT


def _instant(c: Claim) -> object:
    """When a claim was made, as finely as known: a date alone (midnight) is a whole day."""
    if c.date is None:
        return id(c)  # undated: placed by value, compared with nothing as "the same time"
    if c.date.time() == datetime.min.time():
        return c.date.date()
    return c.date


def _rises(earlier: Claim, later: Claim) -> bool:
    """A later figure above an earlier one: beyond it, or the same kind of bound set higher
    ("at least 62" then "at least 65"); "over 140" then 144 is a restatement, not a rise."""
    (_, hi), (lo, _) = span(earlier), span(later)
    if earlier.qualifier == "lower" and earlier.low and later.qualifier != "lower":
        # "more than N" is N rounded down at its last digit that is not zero: "over 140" may be
        # 144 (a restatement), "more than 100,000" then "about 200,000" is a rise
        return point(later) >= earlier.low + _last_digit(earlier.low)
    if _vague(earlier):
        # "hundreds" is a guess of its size, not a bound: "between 600 and 1,000" inside it
        # says the same, more precisely; only a figure beyond it ("thousands") is a rise
        return lo > hi
    return lo > hi or (later.qualifier == earlier.qualifier and point(later) > point(earlier))


# A size said in words: "dozens", "hundreds", "tens of thousands", "several hundred"; not a
# range said in words ("between five and seven", "two or three"), which is a count
SIZE_WORDS = re.compile(r"\b(?:dozens|scores|hundreds|thousands|millions)\b|"
                        r"\b(?:several|a few|many)\s+(?:dozen|hundred|thousand|million)\b", re.I)


def _vague(c: Claim) -> bool:
    """A size said in words ("hundreds", "dozens", "thousands"): a guess of its order, not a
    count."""
    return c.qualifier == "range" and bool(SIZE_WORDS.search(c.value)) \
        and not any(ch.isdigit() for ch in c.value)


def _last_digit(n: int) -> int:
    """The place value of n's last digit that is not zero: 140 -> 10, 100,000 -> 100,000."""
    step = 1
    while n and n % (step * 10) == 0:
        step *= 10
    return step


def judge(ordered: Sequence[Claim], window: timedelta = WINDOW,
          apart: Callable[[Claim, Claim], bool] | None = None
          ) -> tuple[Verdict, list[tuple[Claim, Claim]]]:
    """The verdict on claims in time order, and the pairs that cannot both be true.

    Claims of the same instant that do not overlap disagree (which came first is unknown); a
    later claim below an earlier one of the last `window` is a revision when its sentence says
    so, else a disagreement; a later one above is a rise. Pairs `apart` says are two counts of
    the story (an article states both, one a part of the other) are never a disagreement.
    """
    spans = [span(c) for c in ordered]
    conflicts: list[tuple[Claim, Claim]] = []
    revised = rose = False
    instants: dict[object, list[int]] = {}
    for i, c in enumerate(ordered):
        instants.setdefault(_instant(c), []).append(i)
    best: int | None = None  # the earlier claim with the highest lower bound, within the window
    previous: list[int] = []
    for idx in instants.values():
        rose = rose or any(_rises(ordered[j], ordered[i]) for i in idx for j in previous)
        previous = idx
        when, since = ordered[idx[0]].date, ordered[best].date if best is not None else None
        if when and since and when - since > window:
            best = None  # weeks later, a long story's figures are about a new turn of events
        hi_low = max(idx, key=lambda i: spans[i][0])
        lo_high = min(idx, key=lambda i: spans[i][1])
        if spans[hi_low][0] > spans[lo_high][1] and _comparable(spans[hi_low], spans[lo_high]):
            conflicts.append((ordered[lo_high], ordered[hi_low]))
        if best is not None:
            for i in idx:
                if spans[i][1] < spans[best][0] and _comparable(spans[i], spans[best]):
                    if ordered[i].date is None or ordered[best].date is None:
                        continue  # an undated figure may be the older one
                    if ordered[i].revised:
                        revised = True
                    else:
                        conflicts.append((ordered[best], ordered[i]))
        if best is None or spans[hi_low][0] > spans[best][0] or (
                spans[hi_low][0] == spans[best][0] and _rises(ordered[best], ordered[hi_low])):
            best = hi_low
    conflicts.extend(_same_time_conflicts(ordered, spans))
    conflicts.extend(_returns(ordered, spans))
    # A size said in words disputes no count: "hundreds" in a paragraph of background is the
    # writer's sense of the scale, not a rival of the estimated 2,000 said hours before.
    conflicts = [(a, b) for a, b in conflicts if not (_vague(a) or _vague(b))]
    if apart is not None:
        conflicts = [(a, b) for a, b in conflicts if not apart(a, b)]
    if conflicts:
        return "disagree", list(dict.fromkeys(conflicts))
    return "revised" if revised else "rising" if rose else "agree", []


def _returns(ordered: Sequence[Claim], spans: list[tuple[float, float]]
             ) -> list[tuple[Claim, Claim]]:
    """A figure stated again after a higher one, however long after: the sources keep giving
    two figures for one count (four, then five, then four again a week later; 250, then 258,
    then 250 months later), which a toll that moves on does not do. (`judge` compares a later
    lower figure only within its window: a long story's new incidents have figures of their
    own; a figure that comes back is the same count's.)"""
    first: dict[float, int] = {}
    again = []  # (a figure said before, with at least one other between)
    for i, c in enumerate(ordered):
        j = first.setdefault(point(c), i)
        if i - j >= 2 and c.date is not None and not c.revised:
            again.append((j, i))
    if not again:
        return []
    top = _range_top([lo for lo, _ in spans])
    out = []
    for j, i in again:
        c = ordered[i]
        k = top(j + 1, i - 1)
        if spans[k][0] > spans[i][1] and _comparable(spans[i], spans[k]) \
                and ordered[k].date is not None:
            out.append((ordered[k], c))
    return out


def _range_top(values: list[float]) -> Callable[[int, int], int]:
    """The index of the largest of values[a..b] (inclusive), each asked in constant time (a
    sparse table: a line may hold hundreds of claims)."""
    table = [list(range(len(values)))]
    width = 1
    while 2 * width <= len(values):
        row = table[-1]
        table.append([max(row[t], row[t + width], key=values.__getitem__)
                      for t in range(len(values) - 2 * width + 1)])
        width *= 2

    def top(a: int, b: int) -> int:
        level = (b - a + 1).bit_length() - 1
        row = table[level]
        return max(row[a], row[b - (1 << level) + 1], key=values.__getitem__)
    return top


def _same_time_conflicts(ordered: Sequence[Claim], spans: list[tuple[float, float]]
                         ) -> list[tuple[Claim, Claim]]:
    """Figures from about the same time that cannot both be true, whichever came first: the
    same day, or the next day from another outlet within 24 hours (the guideline: 60 and then
    67 on one day disagree; 36 then 38 the next day from the same outlet is a rise, and so is
    three then four a day and a half later). Each claim is compared
    with the extremes of its own day and, per other outlet, of the day before."""
    out: list[tuple[Claim, Claim]] = []
    days: dict[object, list[int]] = {}
    for i, c in enumerate(ordered):
        if c.date is not None:
            days.setdefault(c.date.date(), []).append(i)
    later = functools.cache(lambda: _later_days(days, spans))  # (asked only of a same-day rise)
    for day, idx in days.items():
        hi_low = max(idx, key=lambda i: spans[i][0])
        lo_high = min(idx, key=lambda i: spans[i][1])
        if spans[hi_low][0] > spans[lo_high][1] and not _revision(ordered, lo_high, hi_low) \
                and not (hi_low > lo_high and _said_to_rise(ordered[hi_low])) \
                and not (hi_low > lo_high and _borne_out(ordered, spans, lo_high, hi_low,
                                                          later()[day])) \
                and _comparable(spans[hi_low], spans[lo_high]):
            out.append((ordered[min(lo_high, hi_low)], ordered[max(lo_high, hi_low)]))
        before = days.get(day - timedelta(days=1), [])  # type: ignore[operator]
        by_outlet: dict[str, list[int]] = {}
        for j in before:
            by_outlet.setdefault(ordered[j].outlet, []).append(j)
        for i in idx:
            for outlet, js in by_outlet.items():
                js = [j for j in js if _within_a_day(ordered[j], ordered[i])]
                if outlet == ordered[i].outlet or not js:
                    continue
                lo_j = min(js, key=lambda j: spans[j][1])
                hi_j = max(js, key=lambda j: spans[j][0])
                if spans[i][0] > spans[lo_j][1] and _comparable(spans[i], spans[lo_j]) \
                        and not _said_to_rise(ordered[i]):
                    out.append((ordered[lo_j], ordered[i]))
                elif spans[i][1] < spans[hi_j][0] and not ordered[i].revised and \
                        _comparable(spans[i], spans[hi_j]):
                    out.append((ordered[hi_j], ordered[i]))
    return out


# The toll's own verb says it went up ("has risen to 85", "reached 85 on Saturday, after two
# men froze to death"): a higher figure later the same day is then the news, not a rival.
RISEN = re.compile(r"\b(?:(?:risen|rose|rises|climbed|climbs|jumped|jumps|increased|grown|grew|"
                   r"soared|mounted)(?:\s+\S+){0,2}?\s+to|reached|reaches)\s*$", re.I)


def _said_to_rise(c: Claim) -> bool:
    at = c.sentence.find(c.value)
    return at > 0 and bool(RISEN.search(c.sentence[:at]))


def _later_days(days: dict[object, list[int]], spans: list[tuple[float, float]]
                ) -> dict[object, tuple[float, float]]:
    """Per day, the highest lower bound and the lowest upper bound said on the days after it."""
    out: dict[object, tuple[float, float]] = {}
    top, bottom = -math.inf, math.inf
    for day in sorted(days, reverse=True):  # type: ignore[type-var]
        out[day] = (top, bottom)
        top = max(top, *(spans[i][0] for i in days[day]))
        bottom = min(bottom, *(spans[i][1] for i in days[day]))
    return out


def _borne_out(ordered: Sequence[Claim], spans: list[tuple[float, float]], lower: int,
               higher: int, later: tuple[float, float]) -> bool:
    """One outlet's figure rose during a day and the days after bear the rise out: a figure at
    least as high comes later, none below it (32 in the morning, 36 in the afternoon, 47 two
    days later: a toll counted as it grows). The guideline's 60 then 67 the same day, with 60
    again the next day, stays a disagreement, and so does a rise nothing after it confirms."""
    top, bottom = later
    return ordered[lower].outlet == ordered[higher].outlet \
        and top >= spans[higher][0] and bottom >= spans[higher][0]


def _within_a_day(earlier: Claim, later: Claim) -> bool:
    """Less than 24 hours apart (a date without a time is its midnight)."""
    assert earlier.date is not None and later.date is not None
    return later.date - earlier.date < timedelta(days=1)


def _revision(ordered: Sequence[Claim], lo_high: int, hi_low: int) -> bool:
    """The lower figure comes later and its text says the figure was revised."""
    return lo_high > hi_low and ordered[lo_high].revised


def discrepancies(lines: Iterable[FigureLine]) -> tuple[Discrepancy, ...]:
    """The real disagreements of a story's lines: each conflicting figure with its sources."""
    return tuple(
        Discrepancy(subject=line.label, claims=tuple(
            FigureClaim(value=line.points[i].value, sources=line.points[i].sources)
            for i in line.disputed))
        for line in lines if line.verdict == "disagree")
