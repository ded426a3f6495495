"""Reading one sentence: each count's subject, qualifier, scope and role (current, earlier,
another event), by the rules.
"""

from __future__ import annotations

import re
from dataclasses import replace

from digest.claims.context import ArticleContext, _recalled
from digest.claims.numbers import COUNT, MENTION, _Found, _interval, parse_count, point
from digest.claims.patterns import (
    AGE,
    ANY_YEAR,
    COMPARISON,
    DIGIT,
    EARLIER_AFTER,
    EARLIER_BEFORE,
    EARLIER_START,
    INCREMENT,
    MONTH_AFTER,
    MONTH_IN,
    MONTHS,
    NOT_AFTER,
    NOT_BEFORE,
    NOT_ONE,
    NUMBER_WORDS,
    OTHER_EVENT,
    OTHER_TIME_START,
    PLAIN_GROUPS,
    PUNCTUATION,
    REVISED,
    SINCE_YEAR,
    STATISTIC,
    TRIGGERS,
    VENUES,
    YEAR,
    YEAR_TOLL,
    YEARS_AGO,
)
from digest.claims.scope import (
    NOT_SCOPES,
    OF_THEM,
    _inherit_scope,
    _scope,
    _split_groups,
    _tidy_scope,
    _title_case,
)
from digest.claims.subject import MEMBERS, _subject
from digest.claims.words import ANIMALS, LOCAL_SCOPE, THINGS
from digest.models import Claim, Role


def _may_hold_figure(text: str) -> bool:
    """A number and a casualty word: the cheap test every paragraph and sentence takes first
    (a digit, or a number word among the words; then the casualty words, as substrings)."""
    low = text.lower()
    if not DIGIT.search(text) and NUMBER_WORDS.isdisjoint(low.translate(PUNCTUATION).split()):
        return False
    return any(t in low for t in TRIGGERS)


def _excluded(sentence: str, m: re.Match[str]) -> bool:
    """Ages, dates, times, money, measures, names with numbers ("Flight 111"), years."""
    left, right = sentence[:m.start()], sentence[m.end():]
    if NOT_AFTER.match(right) or NOT_BEFORE.search(left[-20:]):
        return True
    if re.match(r"\s+(?:more|new|additional|further)\s+(?:deaths|victims|people|bodies|dead|"
                r"cases)\b", right, re.I):
        return True  # what was added since the last report, not the toll
    # ("another 17 people in intensive care" is a count of its own: "another" alone is not an
    # increment; "bringing the toll to" says when it is, see _drop_increments)
    if AGE.search(left[-30:]) and right.lstrip().startswith(",") and not m.group("q"):
        return True  # "Smith, 45, of Goteborg"
    if re.search(r"\b(?:on|at)\s*$", left[-4:]) and re.match(r"\s+(?:hurt|died|dead)\b", right):
        return True  # "the three-putt on 5 hurt": a hole, a channel, not a count
    if re.search(r"\b[Aa]t\s*$", left[-4:]) and re.match(r",?\s+[A-Z][a-z]+\s+(?:was|is|had|has)\b",
                                                        right):
        return True  # "at 17 Williams was charged as an adult": an age
    if m.group("a").lower() == "one" and (NOT_ONE.search(left[-12:]) or m.group("q") or re.match(
            r"\s+(?:that|who|which|of\b)", right)):
        return True  # ("a virus, one that infected ...", "one of the 13 who died": the 13 count)
    return bool(re.fullmatch(r"1[89]\d\d|20\d\d", m.group("a")) and not m.group("q"))


# A year after the count dates the count only when it is close ("killed 300 people in 1988");
# further on, it belongs to something else the sentence tells.
YEAR_REACH = 50
# (eleventh session, forms of web news) "killing a woman ... and wounding at least 46 other
# civilians": "other" is besides the victim just named, not another attack's
BESIDES = re.compile(r"\b(?:killing|killed|wounding|wounded|injuring|injured|shooting|shot)\s+"
                     # (twelfth session: past an age, "killed a 12-year-old girl and injured four
                     # other members of the household")
                     r"(?:a|an|one|the|his|her|their|its)\s+(?!\d(?![\d,]*-(?:year|month|week|day)-old))",
                     re.I)
# "13 people killed ... compared to 17 people killed during the same period in 2006": the figure
# compared with is another period's
COMPARED = re.compile(r"\b(?:compared\s+(?:with|to)|against|versus|vs\.?)\s+(?:just\s+|only\s+|the\s+)?$",
                      re.I)
# "the first since Nov. 11, when Hamas forces fired on a rally, killing eight": the earlier event
# (a date with its month or a year, not "since Tuesday, when": the story's own days)
SINCE_WHEN = re.compile(rf"\bsince\s+(?:(?:{MONTHS})\.?\s+\d{{1,2}}|\d{{1,2}}\s+(?:{MONTHS})|"
                        rf"(?:(?:{MONTHS})\.?\s+)?(?:1[89]|20)\d\d)(?:\s*,?\s*(?:1[89]|20)\d\d)?"
                        r",\s+when\b", re.I)


# "two suspects and three other informants": "other" is besides the part just counted (twelfth
# session; also past an apposition: "four suspects, all of them citizens of X, and seven other")
SPLIT_BEFORE = re.compile(rf"\b(?:{COUNT})\s+(?!(?:people|persons|others)\b)[a-z][\w'’-]*"
                          r"(?:,[^,;.]{1,50},)?\s+and\s*$", re.I)
SINCE_THEN = re.compile(r"[^.;]{0,40}?\bsince\s+then\b", re.I)


def _own_incidents(clause: str, ev: re.Match[str], count_end: int) -> bool:
    """ "3 arrested in separate incidents", "Two soldiers were killed in separate attacks": the
    count's own verb spreads it over several incidents, the ones the sentence reports (twelfth
    session); "after separate attacks" or "separate attacks that killed 300" stay other events."""
    return ev.group(0)[:8].lower() == "separate" and ev.start() >= count_end and \
        re.search(r"\bin\s+$", clause[:ev.start()]) is not None


def _role(sentence: str, m: re.Match[str], article_year: int | None) -> Role:
    left = sentence[:m.start()]
    # the clause the count sits in: from the last ; — or ( before it to the next one after it
    start = max(left.rfind(c) for c in ";—()") + 1
    stops = [i for i in (sentence.find(c, m.end()) for c in ";—()") if i >= 0]
    clause = sentence[start:min(stops) if stops else len(sentence)]
    if YEARS_AGO.search(sentence, max(0, m.start() - 60), m.end() + 60):
        return "other_event"
    if COMPARISON.search(clause, 0, m.start() - start):
        return "other_event"
    if any(not _own_incidents(clause, ev, m.end() - start) for ev in OTHER_EVENT.finditer(clause)) \
            or OTHER_TIME_START.match(sentence) or (re.match(
            r"\s+other\s+(?!people\b|persons\b)[a-z]+s\b", sentence[m.end():])
            and not BESIDES.search(clause, 0, m.start() - start)
            and not SPLIT_BEFORE.search(left[-90:])):
        return "other_event"
    if COMPARED.search(left[-30:]) or SINCE_WHEN.search(clause, 0, m.start() - start):
        return "other_event"
    for y in YEAR.finditer(clause) if ANY_YEAR.search(clause) else ():
        if y.start() + start > m.end() + YEAR_REACH:
            break  # "arrested two agents ... after his departure during his visit in 1998"
        year = int(y.group(1) or y.group(2))
        # (a full date of last year is often the story's own event still in the news: the
        # crash "on October 31, 1999" in a 2000 article about its investigation)
        recent = article_year is not None and year >= article_year - (y.group(2) is not None)
        # ("a truce began to unravel in December 2005 and ... has claimed over 6,000 lives since
        # then": the year starts the count's period, twelfth session)
        counted_since = y.start() + start < m.start() and SINCE_THEN.match(sentence, m.end())
        if SINCE_YEAR.search(clause[:y.start()]) or recent or counted_since or \
                (YEAR_TOLL.match(clause, y.start())
                 and (article_year is None or year >= article_year - 1)):
            continue
        return "other_event"
    if (EARLIER_BEFORE.search(left[-60:]) or EARLIER_AFTER.match(sentence, m.end())
            or EARLIER_START.match(sentence)):
        return "earlier"
    return "current"


def read_claims(sentence: str, *, year: int | None = None,
                context: ArticleContext | None = None) -> list[Claim]:
    """Every count of people in one sentence, with subject, scope, interval and role (the hand
    rules; `learned_claims` weighs their reading with the learned model). `year` is the
    article's; `context` what the rest of the article tells (`article_context`), its year
    included."""
    if context is None:
        return _read_sentence(sentence, year)
    return _in_context(sentence, _read_sentence(sentence, context.year if year is None else year),
                       context)


def _in_context(sentence: str, claims: list[Claim], context: ArticleContext) -> list[Claim]:
    """A sentence's claims as the rest of its article tells them (see `_recalled`): once one
    count is the recalled event's, so are the sentence's later ones ("The bombings killed 224
    people ... and injured more than 5,000")."""
    out = []
    recalled = False
    for c in claims:
        recalled = recalled or (c.role == "current" and _recalled(sentence, c, context))
        out.append(replace(c, role="other_event", revised=False)
                   if recalled and c.role == "current" else c)
    return out


def _read_sentence(sentence: str, year: int | None) -> list[Claim]:
    out: list[Claim] = []
    grouped: list[bool] = []  # the claim's scope is the noun it counts ("21 Israelis")
    of_group: list[bool] = []  # ... or any group ("including a dozen Americans")
    taken = 0  # counts inside an earlier claim's words ("of those 77 people") are its scope
    if STATISTIC.search(sentence):
        return []  # "Cold claims dozens of lives each winter": a rate, not this event's count
    for m in MENTION.finditer(sentence):
        if m.start() < taken or _excluded(sentence, m):
            continue
        if re.fullmatch(r"\d+\.\d+", m.group("a")) and not m.group("b"):
            continue  # "Sense UI 4.1 on board": a version, no one is a decimal (eleventh session)
        interval = _interval(m)
        if interval is None:
            continue
        qualifier, low, high = interval
        value = " ".join(m.group(0).split())
        if (m.group("sep") or "").lower() == "to" and re.search(r"\bfrom\s*$",
                                                                 sentence[:m.start()]):
            # "from 95 to 158": two figures, the first recounted, the second current
            first, second = parse_count(m.group("a")), parse_count(m.group("b"))
            found = _subject(sentence, m)
            if found and first and second:
                role = _role(sentence, m, year)
                scope = _scope(sentence, m, found)
                out.append(Claim(found.subject, scope, m.group("a"), *first, "exact",
                                 "earlier" if role == "current" else role, sentence))
                out.append(Claim(found.subject, scope, m.group("b"), *second, "exact",
                                 "current" if role == "earlier" else role, sentence,
                                 revised=bool(REVISED.search(sentence))))
                grouped += [False, False]
                of_group += [False, False]
            continue
        of_them = OF_THEM.match(sentence, m.end()) if out else None
        # "the toll rose to six, three of them homeless men": a part of the count before it
        found = _Found(out[-1].subject, of_them.group("group"), of_them.end(), "ellipsis",
                       split=True) if of_them else _subject(sentence, m)
        if found is None:
            found = _ellipsis(sentence, m, out)
            if found is None:
                continue
        if found.how == "part_of":
            taken = found.end
        role = _role(sentence, m, year)  # (after the subject: most numbers count nobody)
        scope = _scope(sentence, m, found)
        out.append(Claim(found.subject, scope, value, low, high, qualifier, role, sentence,
                         revised=role == "current" and bool(REVISED.search(sentence))))
        grouped.append(scope is not None and scope == found.group and not found.split
                       and found.how in ("after", "before"))
        of_group.append(scope is not None and scope == found.group)
    lowered = sentence.lower()
    if ("death" in lowered or "victim" in lowered or "fatalit" in lowered) and not any(
            c.subject == "killed" for c in out):
        out.extend(_ordinal_death(sentence, year))
        grouped += [False] * (len(out) - len(grouped))
        of_group += [False] * (len(out) - len(of_group))
    out = _revised_in_sentence(sentence, out)
    kept = _drop_increments(sentence, out)
    flags = [g for c, g in zip(out, grouped, strict=True) if any(c is k for k in kept)]
    groups = [g for c, g in zip(out, of_group, strict=True) if any(c is k for k in kept)]
    read = _inherit_scope(sentence, _split_groups(kept, flags), groups)
    if len(read) >= 2 and " and " in sentence:
        read = _split_by_place(sentence, read)
    if any(_unscoped(c) and c.role == "current" for c in read) and VENUE_WORD.search(sentence):
        read = _venue_of_part(sentence, read)
    if all(c.scope is None for c in read):
        return read
    title = _title_case(sentence)
    by_month = len(MONTH_IN.findall(sentence)) >= 2  # (a split by month keeps its months)
    return [c if c.scope is None else replace(c, scope=_tidy_scope(c.scope, title, by_month))
            for c in read]


# (twelfth session) a toll split by place, the places common nouns as often as names: "killed nine
# people at two brokerage offices and three at his home", "five were killed at the rink and two at
# the bar", "11 in Nairobi and two in the suburbs" (the guideline: a split by place is a scope)
VENUE = (r"(?:in|at|inside|near)\s+(?P<{0}>(?:(?:the|a|an|his|her|their|its|two|three|four|\d+)\s+)?"
         r"(?!(?:least|most|all)\b)(?:[\w'’-]+\s+){{0,3}}?[\w'’-]+)(?=\s*(?:[,.;)]|$)|\s+(?:and|on|"
         r"when|after|before|where|while|during|by|with|as|in|at)\b)")
PLACE_SPLIT = re.compile(r"\s+(?:(?:people|persons|others|more|victims)\s+)?(?:(?:were|was|have\s+been|"
                         r"had\s+been|died|killed|dead|injured|wounded|hurt)\s+)*"
                         + VENUE.format("first") + r"\s+and\s+(?:another\s+)?(?P<second>"
                         rf"(?:{COUNT}))(?:\s+(?:more|others|people))?\s+" + VENUE.format("where"),
                         re.I)
AREA_ANAPHOR = re.compile(r"(?:the|that|this)\s+(?:province|region|city|town|country|state|district|"
                          r"area|village|island|county)$", re.I)


def _venue(place: str) -> str:
    """A venue in the guideline's normal form: no article or count before it ("the rink" ->
    "rink", "two brokerage offices" -> "brokerage offices"); an area's anaphor keeps its
    determiner ("the province")."""
    if AREA_ANAPHOR.fullmatch(place):
        return place
    return re.sub(r"^(?:the|a|an|two|three|four|\d+)\s+", "", place, flags=re.I)


def _split_by_place(sentence: str, read: list[Claim]) -> list[Claim]:
    """Two counts of one subject, each said with where it happened, joined by "and": each part
    is scoped by its place (a scope the rules already found is kept)."""
    out = list(read)
    for i in range(len(out) - 1):
        first, second = out[i], out[i + 1]
        if first.subject != second.subject or first.role != second.role:
            continue
        at = sentence.find(first.value)
        split = PLACE_SPLIT.match(sentence, at + len(first.value)) if at >= 0 else None
        if not split or not second.value.endswith(" ".join(split.group("second").split())):
            continue
        out[i] = first if first.scope else replace(first, scope=_venue(split.group("first")))
        out[i + 1] = second if second.scope else replace(second, scope=_venue(split.group("where")))
    return out


# (fourteenth session) the guideline's events of one story told apart by their venue: a count
# tied to a venue ("nine people at two brokerage firms", "at two brokerage offices, killing nine",
# "500 bodies inside the rink") is a part when the sentence also tells of other victims ("killed
# his family and nine people at ...", "The bodies of his wife and children were found ... after
# he went on the rampage at ...") or gives a larger count of the same subject ("one of more than
# 500 bodies inside the rink, one of more than 7,000 people who perished"), or the count is a part
# ("at the firm where five of his victims died"); alone, the venue only locates the one event ("a
# fire in a dance hall killed 60", "at two offices where nine were slain") and is no scope.
VENUE_WORD = re.compile(rf"\b(?:{VENUES}|spree|rampage|children|sons|daughters)\b", re.I)
VENUE_PHRASE = (r"(?:at|in|inside)\s+(?:(?:the|an?|two|three|four|several|\d+)\s+)?"
                rf"(?P<venue>(?:[A-Z][\w'’-]*\s+)?(?:[a-z]+\s+)?{VENUES})\b")
VENUE_AFTER = re.compile(r"(?:\s+(?:people|persons|bodies|victims))?(?:\s+(?:killed|dead|injured|"
                         r"wounded))?\s+" + VENUE_PHRASE)
VENUE_BEFORE = re.compile(r"(?:" + VENUE_PHRASE + r"(?:,\s+(?:killing|wounding|injuring)|,?\s+where)|"
                          # ("Before he killed his wife ... he went on a shooting spree that
                          # killed nine": the event's own name)
                          r"\b(?:a|the)\s+(?P<spree>(?:shooting|killing|stabbing)\s+(?:spree|rampage))"
                          r"\s+(?:that|which)\s+(?:killed|left|wounded|injured))\s+$")
OTHER_VICTIMS = re.compile(
    r"\b(?:kill(?:ed|ing)|murder(?:ed|ing)|slaughter(?:ed|ing)|bludgeon(?:ed|ing)|beat|stabb(?:ed|ing)|"
    r"shot|drown(?:ed|ing))\s+(?:his|her|their)\s+(?:\w+\s+){0,2}?(?:family|wife|husband|children|sons?|"
    r"daughters?|parents|mother|father|relatives)\b|\bbodies\s+of\s+(?:his\s+|her\s+|their\s+)?"
    r"(?:[A-Z]|wife|husband|children|family|parents)")


def _unscoped(c: Claim) -> bool:
    """No scope, or only a word the tidying drops ("the", "them")."""
    return c.scope is None or c.scope.lower() in NOT_SCOPES


# (the guideline's D0741I call: a sentence that also names the wife splits the count, which keeps
# `children`; "he killed his two children" alone is the head noun, no scope)
KIN_AFTER = re.compile(r"\s+(?:(?:young|little|small|sleeping|teenage|infant)\s+)?"
                       r"(?P<kin>children|sons|daughters)\b")
VICTIMS_PART = re.compile(r"\s+of\s+(?:his|her|their|the)\s+(?:victims|dead)\b")


# Between a count and a larger one, a word that makes the larger another incident's
ANOTHER_INCIDENT = re.compile(r"\b(?:after|before|since|when|while|earlier|last|previous|"
                              r"second|another)\b", re.I)


def _whole_of(sentence: str, part: Claim, whole: Claim) -> bool:
    """Whether a larger count the sentence states is the whole this count is a part of ("one
    of more than 500 bodies inside the rink, one of more than 7,000 who perished in Turkey"),
    not another incident's ("14 at a mosque in Quetta, a week after 20 died in Karachi")."""
    a, b = sentence.find(part.value), sentence.find(whole.value)
    if a < 0 or b < 0:
        return True
    lo, hi = sorted((a, b))
    return not ANOTHER_INCIDENT.search(sentence, lo, hi)


def _venue_of_part(sentence: str, read: list[Claim]) -> list[Claim]:
    """A count tied to its venue is scoped by it when the sentence tells of other victims too
    (see VENUE_WORD); a count of children beside another victim, by them."""
    others = OTHER_VICTIMS.search(sentence)
    out = list(read)
    for i, c in enumerate(out):
        if not _unscoped(c) or c.role != "current":
            continue
        at = sentence.find(c.value)
        if at < 0:
            continue
        larger = any(o.subject == c.subject and point(o) > point(c) and o.role == "current"
                     and _whole_of(sentence, c, o) for o in read)
        # ("at the firm where five of his victims died": a part of the victims)
        part = VICTIMS_PART.match(sentence, at + len(c.value))
        if not (larger or part or (others and not others.start() <= at < others.end())):
            continue
        kin = KIN_AFTER.match(sentence, at + len(c.value)) if others and c.subject == "killed" \
            else None
        if kin:  # "killed his wife ..., then drowned his two children": the split by victim
            out[i] = replace(c, scope=kin.group("kin"))
            continue
        venue = VENUE_AFTER.match(sentence, at + len(c.value)) or \
            VENUE_BEFORE.search(sentence[max(0, at - 80):at])
        if venue:
            out[i] = replace(c, scope=" ".join((venue.group("venue") or venue.group("spree")).split()))
            nxt = out[i + 1] if i + 1 < len(out) else None
            if nxt and nxt.scope is None and nxt.subject != c.subject and nxt.role == c.role \
                    and re.fullmatch(r"[^.;]*\band\s+[a-z]+\s+",
                                     sentence[at + len(c.value):sentence.find(nxt.value, at)]):
                out[i + 1] = replace(nxt, scope=out[i].scope)  # "... and injured 12": the same
    return out


_read_by_rules = read_claims  # (what the learned reader builds on, whatever a caller rebinds)


ORDINALS = {w: i + 1 for i, w in enumerate(
    ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth",
     "tenth"])}
# "West Nile Virus Claims 1st Death", "the city's third death from the virus": the toll is N
ORDINAL_DEATH = re.compile(
    r"\b(?P<n>" + "|".join(ORDINALS) + r"|\d+(?:st|nd|rd|th))\s+(?:(?:confirmed|known|reported|"
    r"human|such)\s+)?(?:death|fatality|victim)\b(?!\s+(?:row|penalty|sentence|threat))", re.I)


def _ordinal_death(sentence: str, year: int | None) -> list[Claim]:
    found = ORDINAL_DEATH.search(sentence)
    if not found:
        return []
    raw = found.group("n").lower()
    n = ORDINALS.get(raw) or int(re.sub(r"\D", "", raw))
    if n > 10_000:
        return []
    m = MENTION.search(sentence, found.start())  # for the role's clause
    role = _role(sentence, m, year) if m and m.start() == found.start() else "current"
    return [Claim("killed", None, found.group("n"), n, n, "exact", role, sentence)]


COUNT_END = re.compile(rf"\b(?:{COUNT})\s+$", re.I)
LISTED_PLACE = re.compile(r"(?:,|\band|\bfollowed\s+by)\s+(?P<place>[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*)*)"
                          r"\s+with\s*$")


ADDED_END = re.compile(r"\s(?:another|a\s+further|an\s+additional)\s*$", re.I)


def _ellipsis(sentence: str, m: re.Match[str], before: list[Claim]) -> _Found | None:
    """ "257 killed, 11 of them in Tanzania", "143 hospitalized ... and 51 with frostbite",
    "has risen to 158, up from 95": a count with no words of its own borrows its neighbour's."""
    if not before or ANIMALS.match(sentence, m.end()) or THINGS.match(sentence, m.end()):
        return None  # ("2,000 Kenyans and 7,500 animals have been displaced")
    near = before[-1]
    # ("13,000 to Montenegro, and another 13,000 to northern Albania": fourteenth session)
    left = ADDED_END.sub("", sentence[max(0, m.start() - 60):m.start()])
    right = sentence[m.end():]
    # "killed 258 people, including 12 Americans"; "rose to 56, including the four bombers"
    if re.search(r"\bincluding(?:\s+the)?\s*$", left):
        # ("including the four alleged assailants": the noun, past a hedge)
        group = re.match(r"\s+(?:(?:alleged|suspected|reported)\s+)?([A-Za-z][\w'’-]+)\b", right)
        named = group.group(1) if group and group.group(1).lower() not in PLAIN_GROUPS and \
            group.group(1).lower() not in ("in", "at", "on", "from", "across") else None
        return _Found(near.subject, named,
                      m.end(), "ellipsis", split=True)
    if LOCAL_SCOPE.match(sentence, m.end()) and re.search(r"(?:,|\band|\bas\s+well\s+as)\s*$",
                                                          left):
        return _Found(near.subject, None, m.end(), "ellipsis")
    head = left.rstrip()[:-4].rstrip() if left.rstrip().endswith(" and") else ""
    # ("four suspects, all of them citizens of Tajikistan, and seven other alleged accomplices":
    # past an apposition, twelfth session)
    head = re.sub(r",[^,;.]{1,50},$", "", head) if head.endswith(",") else head
    if near.scope and head.endswith(near.scope) and COUNT_END.search(head[:-len(near.scope)]):
        # "included eight servicemen and 17 policemen": the split goes on
        hedge = re.match(r"\s+(?:(?:other|more|alleged|suspected|reported)\s+)+(?=[a-z])", right)
        if hedge:
            right, m_end = right[hedge.end() - 1:], m.end() + hedge.end() - 1
        else:
            m_end = m.end()
        group = MEMBERS.match(right)
        if group and group.group(1).lower() not in PLAIN_GROUPS:
            return _Found(near.subject, group.group(1), m_end + group.end(), "ellipsis",
                          split=True)
    month = MONTH_AFTER.match(sentence, m.end())
    if month and re.search(r"(?:,|\band|\bwhile)\s*$", left) and \
            len(MONTH_IN.findall(sentence)) >= 2:
        return _Found(near.subject, month.group("place"), month.end(), "ellipsis", split=True)
    listed = LISTED_PLACE.search(left)
    if listed and re.match(r"\s*(?:[,;.]|and\b|$)", right):
        # "Sakarya ranked second with 3,046 deaths, followed by Yalova with 2,400, Bolu with 248"
        return _Found(near.subject, listed.group("place"), m.end(), "ellipsis", split=True)
    if near.subject == "displaced" and re.search(r"(?:[,_:;–—-]|\band)\s*$", left):
        to = re.match(r"\s+to\s+(?:the\s+)?(?:neighbou?ring\s+)?(?P<place>(?:[a-z]+\s+){0,3}?"
                      r"[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*)*)", right)
        if to:  # "70,000 have fled _ about 45,000 to other parts of Kosovo, 13,000 to Montenegro"
            return _Found(near.subject, to.group("place"), m.end() + to.end(), "ellipsis",
                          split=True)
    own = re.match(r"\s+(?:of\s+them\s+)?(?:in|with|at|inside)\b", right)
    # ("the toll stands at 160 (88 in the U.S., 54 in Haiti)": a split in brackets, too; "723
    # died: 500 in Concepcion")
    if own and re.search(r"(?:,|\band|\(|:)\s*$", left):
        return _Found(near.subject, None, m.end() + (right.find("of them") + 7
                                                     if right.lstrip().startswith("of them")
                                                     else 0), "ellipsis")
    if re.search(r"\b(?:up|down)\s+from\s*$|\b(?:estimate|figure|toll|count|total)\s+of\s*$",
                 left, re.I):
        return _Found(near.subject, near.scope, m.end(), "ellipsis")
    return None


def _revised_in_sentence(sentence: str, claims: list[Claim]) -> list[Claim]:
    """ "the toll rose to 17,997, but revised that figure down to 12,514": a figure the same
    sentence then revises is an earlier one; the revised figure is the current claim."""
    if len(claims) < 2 or not REVISED.search(sentence):
        return claims
    out = list(claims)
    for i, c in enumerate(out):
        if c.role != "current":
            continue
        j = next((k for k in range(i + 1, len(out))
                  if out[k].subject == c.subject and out[k].role == "current"), None)
        if j is None:
            continue
        start, end = sentence.find(c.value), sentence.find(out[j].value)
        if 0 <= start < end and REVISED.search(sentence, start + len(c.value), end):
            out[i] = replace(c, role="earlier", revised=False)
            out[j] = replace(out[j], revised=True)
    return out


def _drop_increments(sentence: str, claims: list[Claim]) -> list[Claim]:
    """ "two youths died ..., bringing the death toll to 62": only the toll is a claim."""
    if len(claims) < 2 or not INCREMENT.search(sentence):
        return claims
    top: dict[str, float] = {}
    for c in claims:
        top[c.subject] = max(top.get(c.subject, 0), point(c))
    tolls = {c.subject for c in claims if re.search(r"\b(?:toll|total)\b", sentence, re.I)}
    return [c for c in claims if c.subject not in tolls or point(c) >= top[c.subject]]
