"""The scope each claim's line is keyed by: a claim's own scope, except where the story shows
that two wordings name one count (the one place a story happens in, the people said to have
done it, the period a running toll is counted over)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from digest.claims import point
from digest.figures.counts import named_parts
from digest.figures.verdicts import SAME_COUNT
from digest.models import Claim

# Of people held or charged, the ones said to have done it go by many names ("four suspects",
# "the four alleged assailants", "the gunmen"): one group of people, so one line, named
# "suspects" (what they are until a court says otherwise). Other groups (accomplices,
# protesters, foreigners) stay lines of their own.
HELD = frozenset({"arrested", "other:charged", "other:sentenced"})
DOERS = frozenset({"suspects", "suspect", "assailants", "attackers", "gunmen", "perpetrators",
                   "bombers", "hijackers", "shooters", "killers", "terrorists"})
HEDGES = frozenset({"alleged", "suspected", "the", "presumed"})

# A campaign's running toll, however an article words its period: "since 1968", "since taking
# up arms", "in its 30-year campaign", "over the past 27 years", "in three decades of fighting".
# (A recent stretch, "the last two months", is not one; "since May" and "since June" are two.)
PERIOD = re.compile(r"\bsince\b|\b\d+-year\b|\b(?:past|last)\s+(?:\d+|\w+)\s+(?:years|decades)\b|"
                    r"\bdecades\b", re.I)
# "Poland's Arctic cold wave", "Honduras' storm": the place, possessive, then what of it; not
# a part of the place ("the Philippines' main island", "Kenya's coast"), which narrows the count
POSSESSIVE = re.compile(r"([A-Z][\w.-]*(?: [A-Z][\w.-]*)*)(?:['’]s|['’])\s+(?!.*\b(?:island|islands|"
                        r"north|south|east|west|northern|southern|eastern|western|central|region|"
                        r"regions|province|provinces|state|states|capital|coast|border|city|cities|"
                        r"town|towns|village|villages|part|parts|area|areas|district|districts)\b)"
                        r"\S")
SINCE = re.compile(r"\bsince\b", re.I)
# The start a period names, when it names one: "since 1968", "since May"
START = re.compile(r"\bsince\s+(?:\w+\s+)*?(?P<start>1[89]\d\d|20\d\d|January|February|March|"
                   r"April|May|June|July|August|September|October|November|December)\b")


def line_scopes(claims: Sequence[Claim]) -> list[tuple[Claim, str | None]]:
    """Each claim with the scope of the line it belongs to."""
    # When a subject's claims name one place only in the whole story, that place is where the
    # story happens, not a breakdown of its toll: those claims join the unscoped line.
    # But a place an article counts below its own toll ("300 dead, 120 of them in Kandor") is
    # a part of the toll, however few places the story names.
    claims = _possessives(claims)
    places: dict[str, set[str]] = {}
    for c in claims:
        if (c.scope and c.scope[0].isupper()) or (c.scope or "").startswith("the "):
            places.setdefault(c.subject, set()).add(c.scope or "")
    parts = named_parts(claims)
    scoped: list[tuple[Claim, str | None]] = []
    for c in claims:
        scope = c.scope
        if scope and len(places.get(c.subject, ())) == 1 and scope in places[c.subject] \
                and (c.subject, scope) not in parts:
            scope = None
        scoped.append((c, _doers(c.subject, scope)))
    return _one_period(scoped)


def _possessives(claims: Sequence[Claim]) -> list[Claim]:
    """A scope that is a place's possessive ("Poland's Arctic cold wave", "Honduras' storm")
    is that place's figure when the story counts the place by its name elsewhere: one line."""
    names = {(c.subject, c.scope) for c in claims if c.scope}
    out = []
    for c in claims:
        m = POSSESSIVE.match(c.scope) if c.scope and ("'" in c.scope or "’" in c.scope) \
            else None
        if m and (c.subject, m.group(1)) in names:
            c = replace(c, scope=m.group(1))
        out.append(c)
    return out


def _doers(subject: str, scope: str | None) -> str | None:
    """The scope a line is keyed by: "suspects" for the people said to have done it."""
    if scope and subject in HELD:
        words = [w for w in scope.lower().split() if w not in HEDGES]
        if words and all(w in DOERS for w in words):
            return "suspects"
    return scope


def _one_period(scoped: list[tuple[Claim, str | None]]) -> list[tuple[Claim, str | None]]:
    """A campaign's running toll is one count however each article words its period ("since
    1968", "in its 30-year campaign", "over the past 27 years"): a subject's period-scoped
    figures of one size (each less than SAME_COUNT times the next) share one line, named by
    the wording most of them use. Figures of another size are another period's ("12 since
    the end of its truce" beside "nearly 800 since 1968"), and so are figures whose periods
    start at two named times."""
    periods: dict[str, list[int]] = {}
    for i, (c, scope) in enumerate(scoped):
        if scope and PERIOD.search(scope):
            periods.setdefault(c.subject, []).append(i)
    out = list(scoped)
    for idx in periods.values():
        idx.sort(key=lambda i: point(scoped[i][0]))
        groups: list[list[int]] = []
        for i in idx:
            if groups and point(scoped[i][0]) < SAME_COUNT * point(scoped[groups[-1][-1]][0]):
                groups[-1].append(i)
            else:
                groups.append([i])
        for group in groups:
            starts = {m.group("start") for i in group if (m := START.search(scoped[i][1] or ""))}
            # a start named by an event, not a time ("since the ceasefire collapsed"): two
            # such wordings are two periods, as "since May" and "since June" are
            unnamed = {scope for i in group if (scope := scoped[i][1] or "")
                       and SINCE.search(scope) and not START.search(scope)}
            if len(group) < 2 or len(starts) > 1 or len(unnamed) > 1:
                continue
            # (in time order: of wordings used as often, the first said)
            names = Counter(scoped[i][1] for i in sorted(
                group, key=lambda i: scoped[i][0].date or datetime.max))
            name = max(names, key=names.__getitem__)
            for i in group:
                out[i] = (scoped[i][0], name)
    return out
