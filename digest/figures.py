"""Figures of a story over time: each article's current claim per subject and scope, in time order.

A line that only rises is a timeline (32 -> 357 -> about 7,000); a later lower figure said to be
revised is "revised"; figures that cannot both be true at about the same time, or a later lower
one given without a word of revision, are a disagreement. Compatible figures ("over 140" and
144) never are. The claims themselves are read by `claims/`.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import accumulate

from digest.claims import CURRENT_BEFORE, article_claims, point, span
from digest.models import Article, Claim, Discrepancy, FigureClaim, FigureLine, FigurePoint, Verdict


@functools.lru_cache(maxsize=4096)
def _said_to_be_new(sentence: str, value: str) -> bool:
    """ "has risen to N": the sentence marks N as the new figure (a story's lines ask this of
    an article's claims more than once: kept)."""
    return value in sentence and bool(CURRENT_BEFORE.search(sentence[:sentence.find(value)]))


def _pick_current(claims: Sequence[Claim]) -> Claim:
    """An article's one current figure for a subject: the first it states (news leads with the
    toll; later counts are often parts, other places or recounted ones), unless a later one is
    said to be the new figure ("has risen to"); of its compatible peers, the most precise."""
    marked = [c for c in claims if _said_to_be_new(c.sentence, c.value)]
    pool = marked or list(claims)
    top = pool[0]
    lo, hi = span(top)
    peers = [c for c in pool if span(c)[0] <= hi and span(c)[1] >= lo]
    return min(peers, key=lambda c: (span(c)[1] - span(c)[0], -point(c)))


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
SUBJECT_ORDER = ("killed", "injured", "missing", "displaced", "arrested")

# Of people held or charged, the ones said to have done it go by many names ("four suspects",
# "the four alleged assailants", "the gunmen"): one group of people, so one line, named
# "suspects" (what they are until a court says otherwise). Other groups (accomplices,
# protesters, foreigners) stay lines of their own.
HELD = frozenset({"arrested", "other:charged", "other:sentenced"})
DOERS = frozenset({"suspects", "suspect", "assailants", "attackers", "gunmen", "perpetrators",
                   "bombers", "hijackers", "shooters", "killers", "terrorists"})
HEDGES = frozenset({"alleged", "suspected", "the", "presumed"})


def _doers(subject: str, scope: str | None) -> str | None:
    """The scope a line is keyed by: "suspects" for the people said to have done it."""
    if scope and subject in HELD:
        words = [w for w in scope.lower().split() if w not in HEDGES]
        if words and all(w in DOERS for w in words):
            return "suspects"
    return scope


def story_figures(articles: Sequence[Article]) -> tuple[FigureLine, ...]:
    """Each subject and scope of a story as a line of figures in time order, with its verdict."""
    claims = [c for a in articles for c in article_claims(a) if c.role == "current"]
    return figure_lines(claims)


def figure_lines(claims: Sequence[Claim]) -> tuple[FigureLine, ...]:
    """Lines from current claims (of any number of articles)."""
    # When a subject's claims name one place only in the whole story, that place is where the
    # story happens, not a breakdown of its toll: those claims join the unscoped line.
    # But a place an article counts below its own toll ("300 dead, 120 of them in Kandor") is
    # a part of the toll, however few places the story names.
    places: dict[str, set[str]] = {}
    for c in claims:
        if (c.scope and c.scope[0].isupper()) or (c.scope or "").startswith("the "):
            places.setdefault(c.subject, set()).add(c.scope or "")
    parts = _named_parts(claims)
    scoped: list[tuple[Claim, str | None]] = []
    for c in claims:
        scope = c.scope
        if scope and len(places.get(c.subject, ())) == 1 and scope in places[c.subject] \
                and (c.subject, scope) not in parts:
            scope = None
        scoped.append((c, _doers(c.subject, scope)))
    story = _story_counts(scoped)
    keyed: dict[tuple[str, str | None], dict[str, list[Claim]]] = {}
    for c, scope in scoped:
        keyed.setdefault((c.subject, scope), {}).setdefault(c.article_id, []).append(c)
    current: dict[tuple[str, str | None], list[Claim]] = {}
    for (subject, scope), per_article in keyed.items():
        for cs in per_article.values():
            pick = _pick_current(cs)
            home = scope if scope is not None else story.home(pick)
            if home != scope and pick.article_id in keyed.get((subject, home), {}):
                home = scope  # the article gives that part a figure of its own already
            current.setdefault((subject, home), []).append(pick)
    lines = [_line(subject, scope, picks, story) for (subject, scope), picks in current.items()]
    lines.sort(key=lambda ln: (SUBJECT_ORDER.index(ln.subject) if ln.subject in SUBJECT_ORDER
                               else len(SUBJECT_ORDER), ln.scope is not None, -len(ln.points),
                               ln.label))
    return tuple(lines)


def _named_parts(claims: Sequence[Claim]) -> set[tuple[str, str]]:
    """The subjects and scopes some article states below its own unscoped toll."""
    per_article: dict[tuple[str, str], list[Claim]] = {}
    for c in claims:
        per_article.setdefault((c.article_id, c.subject), []).append(c)
    out: set[tuple[str, str]] = set()
    for (_, subject), cs in per_article.items():
        unscoped = [c for c in cs if c.scope is None]
        if unscoped:
            low = span(_pick_current(unscoped))[0]
            out.update((subject, c.scope) for c in cs if c.scope and span(c)[1] < low)
    return out


Bounds = tuple[int | None, int | None]


def _key(c: Claim) -> Bounds:
    """A figure as a value to find again in other articles ("nine" and "9" are one)."""
    return (c.low, c.high)


@dataclass
class _StoryCounts:
    """What the whole story says about which of its figures are different counts.

    An article that states its toll and, below it, smaller figures of the same subject (a
    part with a scope anywhere in it, "nine at the two offices"; one without, said after the
    toll, "12 dead ... nine of them at the offices") tells the reader those are two counts of
    the story, not rival figures for one: no disagreement between them anywhere in the story.
    And an unscoped figure that equals a part the story states with a scope ("killing nine
    people", where other articles say "nine at the two offices") is that part's figure, not
    the toll's, unless some article states it as a toll with parts of its own."""

    # (subject, line scope, two values) an article states side by side
    pairs: set[tuple[str, str | None, frozenset[float]]] = field(default_factory=set)
    # (subject, a part's bounds) -> its scope and when it was said (small figures recur: "two"
    # police months apart are not the "two" children of this week's toll)
    parts: dict[tuple[str, Bounds], list[tuple[str, datetime | None]]] = field(
        default_factory=dict)
    # (subject, a part's bounds) -> the toll it is a part of, and when
    part_of: dict[tuple[str, Bounds], list[tuple[float, datetime | None]]] = field(
        default_factory=dict)
    # (subject, bounds) of tolls an article states with parts below them
    totals: set[tuple[str, Bounds]] = field(default_factory=set)

    def home(self, c: Claim) -> str | None:
        """The scope an unscoped claim belongs to: the one part of that value the story
        names (as a part, by an article with a larger toll)."""
        if (c.subject, _key(c)) in self.totals:
            return None
        named = {scope for scope, when in self.parts.get((c.subject, _key(c)), ())
                 if _near(c.date, when)}
        if len(named) != 1:
            return None  # none, or two scopes of that value: no telling which
        return named.pop()

    def parts_of_the_toll(self, subject: str, current: list[Claim]) -> list[Claim]:
        """Of an unscoped line's figures, those an article states as a part of a toll the
        line also holds ("killing nine", where the toll is "12 dead, including nine at the
        offices"): another count, not a point of the toll's timeline."""
        values = {point(c) for c in current}
        return [c for c in current if (subject, _key(c)) not in self.totals and any(
            toll in values and _near(c.date, when)
            for toll, when in self.part_of.get((subject, _key(c)), ()))]

    def distinct(self, subject: str, scope: str | None, a: Claim, b: Claim) -> bool:
        """Two figures of a line that an article states side by side: two counts."""
        return (subject, scope, frozenset((point(a), point(b)))) in self.pairs


def _near(a: datetime | None, b: datetime | None) -> bool:
    """Said within a week of each other (an undated one may be)."""
    return a is None or b is None or abs(a - b) <= WINDOW


def _story_counts(scoped: Sequence[tuple[Claim, str | None]]) -> _StoryCounts:
    """Read each article's claims of a subject (with the scopes of their lines) for the
    figures it states side by side and the parts it states below its toll."""
    story = _StoryCounts()
    per_article: dict[tuple[str, str], list[tuple[Claim, str | None]]] = {}
    for c, scope in scoped:
        per_article.setdefault((c.article_id, c.subject), []).append((c, scope))
    for (_, subject), items in per_article.items():
        by_scope: dict[str | None, list[Claim]] = {}
        for c, scope in items:
            by_scope.setdefault(scope, []).append(c)
        for scope, cs in by_scope.items():
            values = sorted({(point(c), span(c)) for c in cs})
            for i, (p, (_, hi)) in enumerate(values):
                story.pairs.update((subject, scope, frozenset((p, q)))
                                   for q, (lo, _) in values[i + 1:] if lo > hi)
        unscoped = by_scope.get(None)
        if not unscoped:
            continue
        toll = _pick_current(unscoped)
        low, high = span(toll)
        after = False
        for c, scope in items:
            after = after or c is toll
            lo, hi = span(c)
            if lo > high or hi < low:  # (a part's scope is its own line: the pair is the toll's)
                story.pairs.add((subject, None, frozenset((point(c), point(toll)))))
            if hi < low and (scope is not None or after):
                story.totals.add((subject, _key(toll)))
                story.part_of.setdefault((subject, _key(c)), []).append((point(toll), c.date))
                if scope is not None:
                    story.parts.setdefault((subject, _key(c)), []).append((scope, c.date))
    return story


def _ordered(current: list[Claim]) -> list[Claim]:
    """Dated claims by date; an undated one goes where its value fits (it may be older)."""
    dated = sorted((c for c in current if c.date), key=lambda c: c.date or datetime.min)
    undated = sorted((c for c in current if not c.date), key=point)
    out: list[Claim] = []
    i = 0
    for c in undated:
        while i < len(dated) and point(dated[i]) < point(c):
            out.append(dated[i])
            i += 1
        out.append(c)
    return out + dated[i:]


def _earlier_incidents(ordered: list[Claim]) -> list[Claim]:
    """Without the figures of incidents the story reported weeks before its main count: a
    war story's "13" and "14" killed in two massacres a month before "hundreds" are killed in
    the offensive are counts of their own, not the start of its toll's timeline. The main
    count is the figure most articles state (more than any other); a figure SAME_COUNT times
    below it, said more than WINDOW before it was first stated, is dropped. A toll that rises
    within days (32, then 357, then 7,000) keeps every point."""
    by_value: dict[float, list[Claim]] = {}
    for c in ordered:
        by_value.setdefault(point(c), []).append(c)
    counts = sorted((len({c.article_id for c in cs}), v) for v, cs in by_value.items())
    if len(counts) < 2 or counts[-1][0] < 2 or counts[-1][0] == counts[-2][0]:
        return ordered
    main = by_value[counts[-1][1]]
    dates = [c.date for c in main if c.date is not None]
    if not dates:
        return ordered
    start, size = min(dates) - WINDOW, point(main[0])
    # (a word's range is as large as its top: "dozens" may be the 76 said later)
    return [c for c in ordered if c.date is None or c.date >= start
            or (c.high if c.qualifier == "range" and c.high else point(c)) * SAME_COUNT > size]


def _same_count(ordered: list[Claim]) -> list[Claim]:
    """The claims that can be one count's timeline. A toll may rise by any factor (32 -> 357 ->
    7,000), but a figure that falls SAME_COUNT times below one stated before it, unless said
    to be a revision, counts something else: a part of the toll, another incident ("two" of a
    family after "nine" at the offices, "five" plant workers after 12,000 quake dead); so does
    one SAME_COUNT times above a figure after it (a province's 2,361 between national 129 and
    151). Of the two, the one far from the line's median is the other count; with two figures
    there is no telling, and both stay."""
    if len(ordered) < 3:
        return ordered
    spans = [span(c) for c in ordered]
    values = sorted(point(c) for c in ordered)
    median = values[len(values) // 2]
    highest_before = list(accumulate((lo for lo, _ in spans), max, initial=-math.inf))
    # (a revised figure may fall any way: it is no evidence against the ones before it)
    highs = [math.inf if c.revised else hi for c, (_, hi) in zip(ordered, spans, strict=True)]
    lowest_after = list(accumulate(reversed(highs), min, initial=math.inf))[::-1]
    kept = []
    for i, (c, (lo, hi)) in enumerate(zip(ordered, spans, strict=True)):
        fell = not c.revised and hi * SAME_COUNT <= min(highest_before[i], median)
        towers = lo >= SAME_COUNT * max(lowest_after[i + 1], median)
        if not (fell or towers):
            kept.append(c)
    return kept


def _line(subject: str, scope: str | None, current: list[Claim],
          story: _StoryCounts | None = None) -> FigureLine:
    if story is not None and scope is None:
        parts = {id(c) for c in story.parts_of_the_toll(subject, current)}
        current = [c for c in current if id(c) not in parts] or current
    ordered = _same_count(_earlier_incidents(_ordered(current)))
    verdict, conflicts = judge(ordered, apart=(
        lambda a, b: story.distinct(subject, scope, a, b)) if story is not None else None)
    groups: dict[float, list[Claim]] = {}
    for c in ordered:
        groups.setdefault(point(c), []).append(c)
    points = []
    for same in groups.values():
        best = min(same, key=lambda c: (span(c)[1] - span(c)[0]))
        first = same[0]
        points.append(FigurePoint(best.value, best.low, best.high, best.qualifier,
                                  tuple(dict.fromkeys(c.article_id for c in same)), first.date,
                                  first.sentence))
    index = {p: i for i, p in enumerate(groups)}
    disputed = sorted({index[point(c)] for pair in conflicts for c in pair})
    return FigureLine(subject, scope, verdict, tuple(points), tuple(disputed))


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
    if earlier.qualifier == "range" and not any(ch.isdigit() for ch in earlier.value):
        # "hundreds" is a guess of its size, not a bound: "between 600 and 1,000" inside it
        # says the same, more precisely; only a figure beyond it ("thousands") is a rise
        return lo > hi
    return lo > hi or (later.qualifier == earlier.qualifier and point(later) > point(earlier))


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
    if apart is not None:
        conflicts = [(a, b) for a, b in conflicts if not apart(a, b)]
    if conflicts:
        return "disagree", list(dict.fromkeys(conflicts))
    return "revised" if revised else "rising" if rose else "agree", []


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
    for day, idx in days.items():
        hi_low = max(idx, key=lambda i: spans[i][0])
        lo_high = min(idx, key=lambda i: spans[i][1])
        if spans[hi_low][0] > spans[lo_high][1] and not _revision(ordered, lo_high, hi_low) \
                and not (hi_low > lo_high and _said_to_rise(ordered[hi_low])) \
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
