"""A story's lines of figures: its current claims keyed by subject and scope, each article's
pick, and the points in time order without other incidents' and other counts' figures."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime
from itertools import accumulate

from digest.claims import article_claims, point, span
from digest.figures.counts import StoryCounts, story_counts
from digest.figures.current import pick_current
from digest.figures.scopes import line_scopes
from digest.figures.verdicts import SAME_COUNT, WINDOW, judge
from digest.models import Article, Claim, FigureLine, FigurePoint

SUBJECT_ORDER = ("killed", "injured", "missing", "displaced", "arrested")


def story_figures(articles: Sequence[Article]) -> tuple[FigureLine, ...]:
    """Each subject and scope of a story as a line of figures in time order, with its verdict."""
    claims = [c for a in articles for c in article_claims(a) if c.role == "current"]
    return figure_lines(claims)


def figure_lines(claims: Sequence[Claim]) -> tuple[FigureLine, ...]:
    """Lines from current claims (of any number of articles)."""
    scoped = line_scopes(claims)
    story = story_counts(scoped)
    keyed: dict[tuple[str, str | None], dict[str, list[Claim]]] = {}
    for c, scope in scoped:
        keyed.setdefault((c.subject, scope), {}).setdefault(c.article_id, []).append(c)
    current: dict[tuple[str, str | None], list[Claim]] = {}
    for (subject, scope), per_article in keyed.items():
        for cs in per_article.values():
            pick = pick_current(cs)
            home = scope if scope is not None else story.home(pick)
            if home != scope and pick.article_id in keyed.get((subject, home), {}):
                home = scope  # the article gives that part a figure of its own already
            current.setdefault((subject, home), []).append(pick)
    lines = [_line(subject, scope, picks, story) for (subject, scope), picks in current.items()]
    lines.sort(key=lambda ln: (SUBJECT_ORDER.index(ln.subject) if ln.subject in SUBJECT_ORDER
                               else len(SUBJECT_ORDER), ln.scope is not None, -len(ln.points),
                               ln.label))
    return tuple(lines)


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
          story: StoryCounts | None = None) -> FigureLine:
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


def header_line(lines: Sequence[FigureLine], articles: int) -> FigureLine | None:
    """The line a story's header names ("144 killed"): the first (a toll before injuries,
    the whole before its parts) that the story is about, stated by more than one article and
    by at least one in ten. A figure an article or two of many give in passing (a protester
    hurt by a police horse in a murder trial's coverage) is not the story's; a story of one
    or two articles has no such test."""
    need = max(2, math.ceil(articles / 10)) if articles >= 3 else 1
    return next((ln for ln in lines
                 if len({s for p in ln.points for s in p.sources}) >= need), None)
