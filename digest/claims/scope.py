"""Who or where a count is about: a place ("in Honduras"), a group ("soldiers"), a period
("since 1983"), in the normal form the labelled set uses.
"""

from __future__ import annotations

import re
from dataclasses import replace

from digest.claims.numbers import _Found
from digest.claims.patterns import (
    AILMENT,
    ALONE_START,
    DASH_ASIDE,
    EVENT_AFTER,
    EVENT_BEFORE,
    EVENT_PLACE,
    LISTED_VERB,
    MONTH_AFTER,
    MONTH_IN,
    MONTH_NAMES,
    NOT_PLACES,
    ON_PLACE,
    PERIOD_AFTER,
    PERIOD_BEFORE,
    PLACE,
    PLACE_AFTER,
    PLACE_BEFORE,
    SPAN_AFTER,
    SPAN_BEFORE,
    SPAN_START,
    YEAR_TOLL,
)
from digest.claims.words import LOCAL_SCOPE
from digest.models import Claim

IN_PLACE = re.compile(rf"\b(?:in|at)\s+{PLACE}")


# Capitalised words before an event noun that are not its name ("The Tuesday explosion").
NOT_EVENT_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
                   "the ", "a ", "an ", "it", "this", "that")


def _scope(sentence: str, m: re.Match[str], found: _Found) -> str | None:
    local = LOCAL_SCOPE.match(sentence, m.end())
    if local:  # one name for the people aboard, however written
        where = " ".join(local.group("place").lower().split())
        return where if where == "on the ground" else "aboard"
    if found.split and found.group:
        return found.group  # "In Kenya, 236 Kenyans and 12 Americans were killed"
    month = MONTH_AFTER.match(sentence, found.end)
    if month and len(MONTH_IN.findall(sentence)) >= 2:
        return month.group("place")
    origin = re.search(r"\bfrom\s+(?P<place>the\s+\w+|[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*)?)",
                       sentence[m.end():found.end]) if found.how == "after" else None
    if origin:  # "69 people from the province died"
        return origin.group("place")
    event = EVENT_BEFORE.search(sentence[max(0, m.start() - 80):m.start()])
    if event and not (event.group("name") or "").lower().startswith(NOT_EVENT_NAMES):
        this = event.group("this")
        return " ".join((this[0].lower() + this[1:] if this else event.group("name")).split())
    candidates = [PLACE_AFTER.match(sentence, found.end), ON_PLACE.match(sentence, found.end),
                  EVENT_AFTER.match(sentence, found.end)]
    if " in " in sentence[found.end:found.end + 120]:
        candidates.append(EVENT_PLACE.match(sentence, found.end))
    if found.subject in ("injured", "other:sick"):
        candidates.append(AILMENT.match(sentence, found.end))
    candidates.extend(pattern.search(sentence[:m.start()]) for pattern in PLACE_BEFORE)
    named: str | None = None
    for place in candidates:
        if place is None:
            continue
        name = re.sub(r"['’]s$", "", place.group("place")).strip(" ,.")
        if name.lower().split()[-1] not in NOT_PLACES and name.lower() not in NOT_PLACES:
            named = _apposed(sentence, place, name)
            break
    # (a count's head noun is no scope, so a period still is: "70 protesters have been arrested
    # since the disturbances began")
    period = _period(sentence, m, found) if not (found.split and found.group) else None
    if named and period:
        return f"{named}, {period}"  # the guideline's "place, period"
    return named or period or found.group


def _period(sentence: str, m: re.Match[str], found: _Found) -> str | None:
    """The period of a cumulative toll, when the sentence gives one."""
    if " -- " in sentence:  # (only past the subject's words: the offsets before stay)
        sentence = sentence[:found.end] + DASH_ASIDE.sub(" ", sentence[found.end:])
    alone = ALONE_START.match(sentence) if "alone" in sentence else None
    if alone and alone.end() <= m.start():
        return " ".join(alone.group("place").split())
    year = YEAR_TOLL.match(sentence, found.end) if "year" in sentence else None
    if year:
        return year.group("place")
    if "since" in sentence.lower():
        since = PERIOD_AFTER.match(sentence, found.end) or PERIOD_BEFORE.search(
            sentence[:m.start()])
        if since:
            return "since " + " ".join(since.group("place").split()).rstrip(".")
    if re.search(r"\b(?:years?|months?|weeks?|decades?)\b", sentence):
        stretch = SPAN_AFTER.match(sentence, found.end) or SPAN_BEFORE.search(
            sentence[:m.start()]) or SPAN_START.search(sentence, 0, m.start())
        if stretch:
            return " ".join(stretch.group("place").split())
    return None


# "in the Tanzanian commercial capital Dar es Salaam": the name, not the adjective before it
# (the words between describe: "Nairobi on Aug. 7" is no adjective and a date)
APPOSED = re.compile(r"(?:\s+(?!(?:on|in|at|of|to|for|by|from|with|and|or|since|until)\b)[a-z]+){1,3}"
                     r"\s+(?P<name>[A-Z][\w'’-]*(?:\s+(?:[A-Z][\w'’-]*|de|del|es)\b)*)")


def _apposed(sentence: str, place: re.Match[str], name: str) -> str:
    """A one-word place followed by a description and a name is an adjective: the name is
    the place."""
    if len(name.split()) <= 2 and re.search(r"(?:an|ian|ese|ish|i)$", name):
        named = APPOSED.match(sentence, place.end())
        if named:
            return named.group("name")
    return name


FIXED_SCOPES = {"aboard", "on the ground"}
NOT_SCOPES = NOT_PLACES | {"those", "these", "them", "it", "he", "she", "they", "who"}


def _capitalized(sentence: str) -> tuple[int, int]:
    """(words of four letters or more, how many of them start with a capital): a headline in
    title case has nearly all of them capitalized."""
    words = [w for w in re.findall(r"[A-Za-z][\w'’-]*", sentence) if len(w) > 3]
    return len(words), sum(w[0].isupper() for w in words)


def _title_case(sentence: str) -> bool:
    """A headline in title case ("Over 12,000 Killed in Earthquake in Turkey"): its capitals
    say nothing about what is a place."""
    n, upper = _capitalized(sentence)
    return n >= 2 and len(sentence.split()) <= 25 and upper >= 0.8 * n


# (eleventh session) A demonym as a scope names its place (the guideline: "the Honduran death
# toll" -> Honduras), so that "the Indonesian toll" and "killed 94,000 in Indonesia" are one scope.
DEMONYMS = {
    "Afghan": "Afghanistan", "Albanian": "Albania", "Algerian": "Algeria", "Angolan": "Angola",
    "Argentine": "Argentina", "Argentinian": "Argentina", "Armenian": "Armenia",
    "Australian": "Australia", "Austrian": "Austria", "Azerbaijani": "Azerbaijan",
    "Bahraini": "Bahrain", "Bangladeshi": "Bangladesh", "Belgian": "Belgium",
    "Bolivian": "Bolivia", "Bosnian": "Bosnia", "Brazilian": "Brazil", "British": "Britain",
    "Bulgarian": "Bulgaria", "Burmese": "Myanmar", "Burundian": "Burundi",
    "Cambodian": "Cambodia", "Cameroonian": "Cameroon", "Canadian": "Canada",
    "Chadian": "Chad", "Chechen": "Chechnya", "Chilean": "Chile", "Chinese": "China",
    "Colombian": "Colombia", "Congolese": "Congo", "Croatian": "Croatia", "Cuban": "Cuba",
    "Cypriot": "Cyprus", "Czech": "Czech Republic", "Danish": "Denmark", "Dutch": "Netherlands",
    "Ecuadorian": "Ecuador", "Egyptian": "Egypt", "Eritrean": "Eritrea", "Estonian": "Estonia",
    "Ethiopian": "Ethiopia", "Filipino": "Philippines", "Philippine": "Philippines",
    "Finnish": "Finland", "French": "France", "Georgian": "Georgia", "German": "Germany",
    "Ghanaian": "Ghana", "Greek": "Greece", "Guatemalan": "Guatemala", "Guinean": "Guinea",
    "Haitian": "Haiti", "Honduran": "Honduras", "Hungarian": "Hungary", "Indian": "India",
    "Indonesian": "Indonesia", "Iranian": "Iran", "Iraqi": "Iraq", "Irish": "Ireland",
    "Israeli": "Israel", "Italian": "Italy", "Ivorian": "Ivory Coast", "Jamaican": "Jamaica",
    "Japanese": "Japan", "Jordanian": "Jordan", "Kazakh": "Kazakhstan", "Kenyan": "Kenya",
    "Korean": "Korea", "Kosovar": "Kosovo", "Kuwaiti": "Kuwait",
    "Kyrgyz": "Kyrgyzstan", "Lebanese": "Lebanon", "Liberian": "Liberia", "Libyan": "Libya",
    "Lithuanian": "Lithuania", "Malawian": "Malawi", "Malaysian": "Malaysia", "Malian": "Mali",
    "Mauritanian": "Mauritania", "Mexican": "Mexico", "Moldovan": "Moldova",
    "Mongolian": "Mongolia", "Moroccan": "Morocco", "Mozambican": "Mozambique",
    "Nepalese": "Nepal", "Nepali": "Nepal", "Nicaraguan": "Nicaragua", "Nigerian": "Nigeria",
    "Nigerien": "Niger", "Norwegian": "Norway", "Pakistani": "Pakistan",
    "Palestinian": "Palestinian territories", "Panamanian": "Panama",
    "Paraguayan": "Paraguay", "Peruvian": "Peru", "Polish": "Poland", "Portuguese": "Portugal",
    "Romanian": "Romania", "Russian": "Russia", "Rwandan": "Rwanda", "Salvadoran": "El Salvador",
    "Saudi": "Saudi Arabia", "Senegalese": "Senegal", "Serb": "Serbia", "Serbian": "Serbia",
    "Sierra Leonean": "Sierra Leone", "Slovak": "Slovakia", "Somali": "Somalia",
    "Spanish": "Spain", "Sri Lankan": "Sri Lanka", "Sudanese": "Sudan", "Swedish": "Sweden",
    "Swiss": "Switzerland", "Syrian": "Syria", "Taiwanese": "Taiwan", "Tajik": "Tajikistan",
    "Tanzanian": "Tanzania", "Thai": "Thailand", "Tibetan": "Tibet", "Tunisian": "Tunisia",
    "Turkish": "Turkey", "Ugandan": "Uganda", "Ukrainian": "Ukraine", "Uzbek": "Uzbekistan",
    "Venezuelan": "Venezuela", "Vietnamese": "Vietnam", "Yemeni": "Yemen",
    "Yugoslav": "Yugoslavia", "Zambian": "Zambia", "Zimbabwean": "Zimbabwe",
}


def _tidy_scope(scope: str, title_case: bool, by_month: bool = False) -> str | None:
    """A scope as the reader sees it: "Kenya", not "the Kenya" (a name needs no article; an
    anaphor keeps it: "the province"); none from a title-case headline, or a bare pronoun."""
    if title_case and scope not in FIXED_SCOPES:
        return None
    words = scope.split()
    if len(words) > 1 and words[0].lower() == "the" and words[1][:1].isupper():
        scope = " ".join(words[1:])
    if by_month and re.fullmatch(MONTH_NAMES, scope):
        return scope
    if scope in DEMONYMS:
        return DEMONYMS[scope]  # "the Indonesian death toll": Indonesia
    return None if scope.lower() in NOT_SCOPES else scope


# (twelfth session: the group may be said before a relative clause, "four of them were men who
# shielded their girlfriends")
OF_THEM = re.compile(r"\s+of\s+(?:them|whom)\s+(?:were\s+|are\s+)?(?P<group>[a-z][\w'’-]*"
                     r"(?:\s+[a-z][\w'’-]*)?)(?=\s*(?:[,.;)]|$)|\s+(?:who|whom|that)\b)")


def _split_groups(claims: list[Claim], grouped: list[bool]) -> list[Claim]:
    """A group is a scope only when the sentence splits a subject by it ("three soldiers and
    one activist were killed"); "wounded 21 Israelis" names the count, it does not narrow it."""
    per_subject: dict[str, int] = {}
    for c in claims:
        per_subject[c.subject] = per_subject.get(c.subject, 0) + 1
    return [replace(c, scope=None) if g and per_subject[c.subject] < 2 else c
            for c, g in zip(claims, grouped, strict=True)]


def _inherit_scope(sentence: str, claims: list[Claim], of_group: list[bool]) -> list[Claim]:
    """ "killing 156 people in the Philippines and leaving hundreds of thousands homeless": a
    place or a period goes on to the next subject; a group ("one teacher") does not."""
    out = list(claims)
    for i in range(1, len(out)):
        prev, c = out[i - 1], out[i]
        if c.scope is None and prev.scope and prev.subject != c.subject and \
                not of_group[i - 1] and prev.role == c.role:
            between = sentence[sentence.find(prev.value):sentence.find(c.value)]
            # (also a list of verbs: "has killed seven people, sickened 56 and ...")
            if (" and " in between or LISTED_VERB.fullmatch(between)) and \
                    not re.search(r"[.;]", between):
                out[i] = replace(c, scope=prev.scope)
    # (fourteenth session) "nine people have died and 62 others injured in explosions ...
    # since the withdrawal": a place or period said once after two counts joined by "and"
    # ties both (the later count took it; the earlier one, with no words of its own between,
    # shares it)
    for i in range(len(out) - 1, 0, -1):
        prev, c = out[i - 1], out[i]
        if prev.scope is None and c.scope and prev.subject != c.subject and \
                not of_group[i] and prev.role == c.role:
            at, to = sentence.find(prev.value), sentence.find(c.value)
            between = sentence[at + len(prev.value):to] if 0 <= at < to else ""
            if BACK_SHARED.fullmatch(between):
                out[i - 1] = replace(prev, scope=c.scope)
    return out


# what may stand between two counts that share a place or period said after the second: the
# first count's own noun and verb, then "and" ("people have died and", "were killed by
# roadside bombs and another")
BACK_SHARED = re.compile(r"(?:\s+(?:people|persons))?(?:\s+(?:have|has|had|were|was|been))*"
                         r"\s+(?:killed|died|dead|injured|wounded|hurt|arrested|detained)"
                         r"(?:\s+by\s+[a-z]+(?:\s+[a-z]+)?)?\s+and\s+(?:another\s+|a\s+further\s+)?"
                         # ("killed 40 people and injured 12 in Ruvania")
                         r"|(?:\s+(?:people|persons))?\s+and\s+(?:injured|wounded|injuring|wounding|hurt|"
                         r"arrested|detained)\s+(?:at\s+least\s+|more\s+than\s+|about\s+)?",
                         re.I)
