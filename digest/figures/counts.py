"""What a whole story says about which of its figures are different counts: a part an article
states below its toll, two figures it states side by side."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from digest.claims import point, span
from digest.figures.current import pick_current
from digest.figures.verdicts import WINDOW
from digest.models import Claim


def named_parts(claims: Sequence[Claim]) -> set[tuple[str, str]]:
    """The subjects and scopes some article states below its own unscoped toll."""
    per_article: dict[tuple[str, str], list[Claim]] = {}
    for c in claims:
        per_article.setdefault((c.article_id, c.subject), []).append(c)
    out: set[tuple[str, str]] = set()
    for (_, subject), cs in per_article.items():
        unscoped = [c for c in cs if c.scope is None]
        if unscoped:
            low = span(pick_current(unscoped))[0]
            out.update((subject, c.scope) for c in cs if c.scope and span(c)[1] < low)
    return out


Bounds = tuple[int | None, int | None]


def _key(c: Claim) -> Bounds:
    """A figure as a value to find again in other articles ("nine" and "9" are one)."""
    return (c.low, c.high)


@dataclass
class StoryCounts:
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


def story_counts(scoped: Sequence[tuple[Claim, str | None]]) -> StoryCounts:
    """Read each article's claims of a subject (with the scopes of their lines) for the
    figures it states side by side and the parts it states below its toll."""
    story = StoryCounts()
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
        toll = pick_current(unscoped)
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
