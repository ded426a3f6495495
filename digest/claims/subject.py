"""What a count counts: its subject (killed, injured, arrested, ...) from the words around
it ("the bodies of N", a toll noun, "N people were killed", "killing N"), and who did the
killing when the count is of the doers.
"""

from __future__ import annotations

import re

from digest.claims.context import EVENT_KINDS
from digest.claims.numbers import COUNT, VAGUE_RE, WORD_NUM, _Found
from digest.claims.patterns import (
    AFTER_RE,
    BEFORE_RE,
    BRING,
    COORD_BEFORE,
    EVENT_NOUN,
    NOT_PLACES,
    PART_OF,
    PLAIN_GROUPS,
    POPULATION,
    TOLL_Q_RE,
    TOLL_RE,
)
from digest.claims.scope import IN_PLACE
from digest.claims.words import (
    AFFECTED_PEOPLE,
    AFTER,
    ANIMALS,
    AUX,
    BASE_FORMS,
    BEFORE,
    CHAIN_AFTER,
    CHARGED_WITH_DUTY,
    DISEASE,
    GATHERED_FOR,
    LIVES_AFTER,
    LIVES_BEFORE,
    LOCAL_FIRST,
    MEMBER_NOUNS,
    NEEDS_AFTER,
    NOUN_OF,
    NOUN_SUBJECTS,
    SCOPE_WORDS,
    THINGS,
    TOLLS,
    UNCONFIRMED,
    WEAK_AFTER,
)

# (tenth session) "Of the dead, 14 were children": a toll's part named after it
OF_MEMBERS = re.compile(rf"\b[Oo]f\s+(?P<noun>{'|'.join(MEMBER_NOUNS)})\s*,\s*$")
NOT_MEMBER = {"in", "at", "on", "still", "being", "taken", "treated", "said", "reported", "later",
              "also", "from", "killed", "dead", "injured", "wounded", "hurt", "among"}
# "The arrests Tuesday bring the total since the protest began to about 350", "15 new deaths,
# bringing the total to 230": a total whose subject is the casualty noun before it
TOTAL = re.compile(rf"\b(?:{BRING}|put)\s+(?:the|its)\s+(?:overall\s+|"
                   r"official\s+)?total(?P<mid>(?:\s+[^\s.;]+){0,8}?)\s+to\s*$", re.I)
TOTAL_NOUN = re.compile(r"\b(?P<noun>deaths?|dead|died|killed|fatalities|arrests|arrested|detained|"
                        r"detentions|injur\w*|wounded|evacuat\w*|cases|infections|missing)\b",
                        re.I)
TOTAL_SUBJECTS = {"death": "killed", "deaths": "killed", "dead": "killed", "died": "killed",
                  "killed": "killed", "fatalities": "killed", "arrests": "arrested",
                  "arrested": "arrested", "detained": "arrested", "detentions": "arrested",
                  "wounded": "injured", "cases": "other:sick", "infections": "other:sick",
                  "missing": "missing"}


# (twelfth session) "a woman who died in a fire along with her five children": a named victim and
# a count who died with her (a split, as "killed the pilot and 11 passengers")
ALONG_WITH = re.compile(r"\b(?:died|perished|(?:was|were)\s+(?:killed|shot\s+dead|burned\s+to\s+"
                        r"death))\b[^.;]{0,50}?\balong\s+with\s+(?:(?:his|her|their)\s+)?$", re.I)
NOT_NOUN = r"(?!(?:was|has|is|as|his|this|thus|its)\b)"
ALONG_GROUP = re.compile(rf"\s+((?:{NOT_NOUN}[a-z][\w'’-]*\s+)?{NOT_NOUN}(?:[a-z][\w'’-]*(?:s|men)|"
                         r"children|people))\b")
# (twelfth session) "The eight dead Tuesday included three Hamas and three Fatah supporters": the
# toll's noun with its count (and a word of time) before "included", its parts after
TOLL_INCLUDED = re.compile(rf"\b(?:the|those)\s+(?:(?:{COUNT})\s+)?(?:people\s+)?"
                           r"(?P<noun>dead|victims|injured|wounded|casualties)\b"
                           r"(?:\s+(?!and\b|or\b)[A-Za-z]+){0,2}\s+includ(?:ed|es|e)\s*$", re.I)


# (twelfth session) "Sixteen of the dozens of people hurt in the massacre remained hospitalized",
# "Five of the 40 injured are in critical condition": the whole has its own count and subject,
# the part is said by the state it is in
CONDITION_AFTER = re.compile(
    r"[^.;]{0,80}?\b(?:remain(?:s|ed)?|were|are|was|is)\s+(?:still\s+)?(?:in\s+(?:the\s+)?)?"
    r"(?P<place>hospitali[sz]ed|hospital|(?:critical|serious|stable|grave)\s+condition|"
    r"intensive\s+care)\b", re.I)


def _member_named(sentence: str, at: int) -> re.Match[str] | None:
    """The group a part of a toll is said to be: "(Of the dead, 14) were children"."""
    said = re.match(r"\s+(?:were|are)\b", sentence[at:])
    member = MEMBERS.match(sentence, at + said.end()) if said else None
    return member if member and member.group(1).split()[0].lower() not in NOT_MEMBER else None


def _total(sentence: str, m: re.Match[str], left: str) -> _Found | None:
    """A total brought to the count, of the casualty noun before it (its own words a period)."""
    total = TOTAL.search(left)
    if not total:
        return None
    nouns = list(TOTAL_NOUN.finditer(sentence, 0, m.start() - len(left) + total.start()))
    if not nouns:
        return None
    noun = nouns[-1].group("noun").lower()
    subject = TOTAL_SUBJECTS.get(noun) or ("injured" if noun.startswith("injur") else
                                           "displaced")
    since = re.search(r"\bsince\s+[^.;]+", total.group("mid"))
    return _Found(subject, since.group(0).strip() if since else None, m.end(), "toll")


# (tenth session) a toll said to come, not reached: "could rise above 500", "is expected to reach"
PROJECTED = re.compile(r"\b(?:(?:could|may|might|would|will)(?:\s+(?:still|well|soon|eventually))?|"
                       r"(?:expected|likely|feared|set|predicted|projected)\s+to)\s+(?:rise|climb|"
                       r"reach|top|exceed|increase|grow|go|pass|surpass|hit|double|mount)\b", re.I)
# "the town's death toll": the place the sentence named before it, else the anaphor as written
TOWN_TOLL = re.compile(r"\b(?P<town>the\s+(?:town|city|village|province|region|district|island|"
                       r"state|county|country))['’]s\s+(?:death\s+)?$", re.I)


def _subject(sentence: str, m: re.Match[str]) -> _Found | None:
    """The subject of the count at m, if it counts anyone, with its group and where it ends."""
    left = sentence[max(0, m.start() - 90):m.start()]
    near = left[-45:]  # (end-anchored searches scan their whole text: keep it short)
    if NOUN_OF.search(near):
        return _Found("killed", None, m.end(), "noun_of")
    if "live" in sentence[m.end():m.end() + 30].lower() and LIVES_BEFORE.search(near):
        lives = LIVES_AFTER.match(sentence, m.end())
        if lives:
            return _Found("killed", None, lives.end(), "before")
    low = left.lower()
    toll = None
    if "toll" in low or "number of" in low or "death count" in low or "tally" in low:
        toll = TOLL_RE.search(left) or (TOLL_Q_RE.search(left) if m.group("q") else None)
    if toll and re.search(r"\b(?:including|among\s+them)\s*$", left):
        toll = None  # "the toll stood at 34, including at least 10 civilians": a part, see _ellipsis
    if toll and PROJECTED.search(toll.group("mid")):
        return None  # "the toll could rise above 500": a projection, not a count
    if toll:
        mid = re.search(r"\b(?:in|across)\s+((?:the\s+)?[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*)*)",
                        toll.group("mid"))
        owner = re.search(r"\b([A-Z][\w.-]+(?:\s+[A-Z][\w.-]+)*)(?:['’]s)?\s+(?:death\s+)?$",
                          left[:toll.start()])
        town = TOWN_TOLL.search(left, 0, toll.start()) if not mid else None
        if town:  # "bodies were recovered in Fonds Bleus, ..., bringing the town's death toll"
            places = list(IN_PLACE.finditer(sentence, 0, m.start() - len(left) + town.start()))
            return _Found(TOLLS[" ".join(toll.group("toll").lower().split())],
                          places[-1].group("place") if places else town.group("town").lower(),
                          m.end(), "toll")
        where = mid.group(1) if mid else owner.group(1) if owner and \
            owner.group(1).lower() not in NOT_PLACES and \
            owner.group(1).split()[-1].lower() not in EVENT_KINDS else None
        # ("Earthquake death toll rises to 1,500": the event, not a place, owns the toll)
        return _Found(TOLLS[" ".join(toll.group("toll").lower().split())], where, m.end(), "toll")
    if "total" in low:
        total = _total(sentence, m, left)
        if total:
            return total
    along = ALONG_WITH.search(left) if "along with" in near else None
    if along:
        member = ALONG_GROUP.match(sentence, m.end())
        group = member.group(1) if member and \
            member.group(1).lower().split()[0] not in PLAIN_GROUPS else None
        return _Found("killed", group, member.end() if member else m.end(), "before",
                      split=group is not None)
    counted = TOLL_INCLUDED.search(near) if "includ" in near else None
    if counted:
        member = MEMBERS.match(sentence, m.end())
        if member and member.group(1).lower().split()[0] not in PLAIN_GROUPS:
            return _Found(MEMBER_NOUNS[f"the {counted.group('noun').lower()}"], member.group(1),
                          member.end(), "before", split=True)
    members = OF_MEMBERS.search(near) if "of" in low else None
    if members and not AFTER_RE.match(sentence, m.end()):
        # (with a verb of its own the count reads as usual: "Of the injured, 57 were in
        # intensive care", "Of those killed, 11 were killed in Tanzania")
        member = _member_named(sentence, m.end())
        return _Found(MEMBER_NOUNS[members.group("noun").lower()],
                      member.group(1) if member else None, member.end() if member else m.end(),
                      "before", split=member is not None)
    part = PART_OF.match(sentence, m.end())
    if part and part.group("verb").lower().startswith("death") and re.match(
            r"\s+(?:row|penalty|claims?|cases?|lawsuits?|suits?)\b", sentence[part.end():], re.I):
        return None  # "Eight of the wrongful death cases": cases, not deaths
    if part:
        noun = " ".join(part.group("verb").lower().split())
        verb_before = BEFORE_RE.search(near) if noun in NOUN_SUBJECTS else None
        if verb_before and " ".join(verb_before.group("verb").lower().split()) in NEEDS_AFTER:
            verb_before = None
        # "released four of the hostages": what the verb before says of the part
        subject = BEFORE[" ".join(verb_before.group("verb").lower().split())] if verb_before \
            else AFTER[noun]
        scope = " ".join(part.group("scope").split())
        member = _member_named(sentence, part.end()) \
            if scope.lower() in ("the", "those", "these", "them") else None
        if member:  # "Two of those killed were police officers": the part's group
            return _Found(subject, member.group(1), member.end(), "part_of", split=True)
        still = CONDITION_AFTER.match(sentence, part.end()) if subject == "injured" and \
            re.search(rf"\b(?:{COUNT}|{VAGUE_RE})\b", scope, re.I) else None
        if still:  # (the whole is a count of its own, read next: no "part_of")
            where = " ".join(still.group("place").split())
            return _Found(subject, where, still.end(), "part_state", split=True)
        return _Found(subject, scope, part.end(), "part_of")
    if re.match(rf"\s+of\s+(?:the\s+|those\s+)?(?:{COUNT})\b", sentence[m.end():], re.I):
        return None  # "two of three defendants": a share, the whole is counted elsewhere
    if ANIMALS.match(sentence, m.end()) or THINGS.match(sentence, m.end()):
        return None
    if re.match(r"\s+of\s+(?:[A-Z]\w+\s+)?hostages\b", sentence[m.end():]):
        return _Found("other:hostages", None, m.end(), "after")
    pair = LOCAL_FIRST.match(sentence, m.end())
    if pair:
        then = AFTER_RE.match(sentence, pair.end())
        if then and not then.group("group").strip():
            return _Found(AFTER[" ".join(then.group("verb").lower().split())], None, m.end(),
                          "after")
    after = AFTER_RE.match(sentence, m.end())
    before = BEFORE_RE.search(near)
    # (twelfth session) "arrested and indicted two executives": one span, one label, the first
    # verb's (the guideline's "injured and arrested" is injured)
    lead = COORD_BEFORE.search(near, 0, before.start()) \
        if before and near[:before.start()].endswith(" and ") else None
    if lead and before and BEFORE[" ".join(before.group("verb").lower().split())] == "killed":
        lead = None  # ("kidnapped and killed three aid workers": a death is what befell them)
    # ("killed and wounded dozens": the guideline's killed and injured as one figure)
    both = lead is not None and before is not None and BEFORE[" ".join(
        lead.group("verb").lower().split())] == "killed" and BEFORE[" ".join(
        before.group("verb").lower().split())] == "injured"
    if before:
        needs = NEEDS_AFTER.get(" ".join((lead or before).group("verb").lower().split()))
        if needs and not needs.match(sentence, m.end()):
            before = None  # "holding three meetings", "took 20 minutes"
        elif before.group("verb").lower() in BASE_FORMS and re.search(
                # (nor "call toll-free 888-..."; "its bid to reach and rescue the 118 sailors";
                # but "forced authorities to evacuate 5,000" is done)
                r"\b(?:to|will|would|could|may|might|should|must|can|not|n't)\s+"
                r"(?:[a-z]+\s+and\s+)?$|[-‐]$", near[:before.start()], re.I) and not re.search(
                r"\b(?:forc|order|prompt|began|begun|start|had|have|has)\w*\s+(?:\S+\s+){0,2}?to\s+$",
                near[:before.start()], re.I):
            before = None  # "a mission to free three hostages", "efforts to evacuate the 118":
            # not done (a headline's present tense is: "Rebels free 9 soldiers")
    if after and " ".join(after.group("verb").lower().split()) in CHAIN_AFTER:
        then = AFTER_RE.match(sentence, after.end())
        if then and not then.group("group").strip():
            after = then  # "12 victims were injured": the verb says what they are
        elif after.group("verb").lower() == "victims" and re.search(r"\b[a-z]",
                                                                     after.group("group")):
            return None  # "kidnap victims", "flood victims": of what, the noun before says
    if after and " ".join(after.group("verb").lower().split()) in PARTICIPLES and \
            not PASSIVE.search(after.group(0)):
        # "two youths trapped in a fire died", "two supporters taken into custody ... were
        # released": the participle tells who they are, the verb after it what befell them
        fate = FATE_AFTER.match(sentence, after.end())
        if fate:
            verb = " ".join(fate.group("verb").lower().split()).split()[-1]
            trapped = after.group("verb").lower() == "trapped"  # (set free is rescued)
            return _Found("other:rescued" if trapped and verb == "freed" else FATES[verb], None,
                          fate.end(), "after")
    if after and after.group("verb").lower() == "victims" and VICTIMS_OF.match(sentence,
                                                                                after.end()):
        return None  # "1,000 victims of human rights abuses": victims of no killing
    if after and after.group("verb").lower() in NOUN_SUBJECTS and re.search(
            r"[a-z]ed\b", after.group("group")):
        after = None  # "Hundreds of officers outnumbered protesters": the noun is not theirs
    if after and after.group("verb").lower().endswith("cases") and (
            not DISEASE.search(sentence) or UNCONFIRMED.search(sentence, after.end())):
        after = None  # "two cases of fraud"; "170 cases remain under investigation"
    if after and after.group("verb").lower().startswith("struck down") and \
            not DISEASE.search(sentence, after.end()):
        after = None  # "struck down by a car", not by a virus
    if after:
        verb = " ".join(after.group("verb").lower().split())
        raw_group = " ".join(after.group("group").split())
        if before and verb != "trapped" and (
                raw_group.lower() not in ("", "people", "persons", "others") or verb in WEAK_AFTER):
            after = None  # "releasing 11 others they abducted", "killing all 229 people aboard"
    if after and after.group("verb").lower() == "fled" and re.match(
            r"\s+(?:from\s+)?the\s+(?:scene|theat(?:er|re)|cinema|building|room|hall|stadium|venue|"
            r"restaurant|store|shop|mall|school|house|car|bus|train|plane|area)\b",
            sentence[after.end():], re.I):
        after = None  # "50 people fled the theater": a place left, not a home (eleventh session)
    if after and after.group("verb").lower() == "strikers" and not re.search(
            r"\bstrik(?:e|es|ing)\b|walk-?outs?\b|picket|\bunions?\b", sentence, re.I):
        after = None  # "three main strikers are unavailable": a team's forwards
    if after and after.group("verb").lower() in ("gathered", "assembled") and \
            not GATHERED_FOR.match(sentence, after.end()):
        after = None  # "Hundreds of mourners gathered at the church"
    if after and AFTER[" ".join(after.group("verb").lower().split())] == "other:affected" and \
            not re.fullmatch(rf"(?:\s+(?:{AFFECTED_PEOPLE}|{AUX}|who|that))*", after.group("group"),
                             re.I):
        return None  # "30 companies were affected", "12 flights affected"
    if after and AFTER[" ".join(after.group("verb").lower().split())] == "other:charged" and (
            re.search(r"\bone\s+of\s*$", near, re.I) or CHARGED_WITH_DUTY.match(sentence,
                                                                                after.end())):
        return None  # "one of four suspects charged with the murder": who the one is; "police
        # charged with maintaining order": a duty, not an accusation
    if after and before and BEFORE[" ".join(before.group("verb").lower().split())] == \
            "other:released" and after.group("verb").lower() in NOUN_SUBJECTS:
        after = None  # "freed 23 hostages": what the verb before says of them
    if after and _agent(sentence, after):
        return None  # "Two gunmen killed three people": the count did the killing
    if after and re.search(r"\b(?:could|may|might|would|will)\b", after.group(0), re.I):
        return None  # "predicted as many as 40,000 could have died": a projection, not a count
    if after and after.group("verb").lower() == "death" and re.match(
            r"\s+(?:row|penalty|penalties|sentences?|threats?|squads?|toll|claims?|lawsuits?|suits?|"
            r"certificates?|benefits?|inquests?|investigations?)\b", sentence[after.end():], re.I):
        return None  # "two death row inmates"
    if after:
        words = raw_group.split()
        while words and words[-1].lower() in PLAIN_GROUPS:
            words.pop()
        while words and words[0].lower() in PLAIN_GROUPS:
            words.pop(0)
        group = " ".join(words) or None
        if words and EVENT_NOUN.fullmatch(words[-1]):
            return None  # "three bomb blasts that killed 300": a count of events, not of people
        if AFTER[verb] == "arrested" and POPULATION.search(raw_group):
            return None  # "163,190 state inmates are in custody": a prison population
        if verb in SCOPE_WORDS:
            group = SCOPE_WORDS[verb]
            # "All 109 people aboard were killed", "All 217 people aboard the plane were killed"
            skip = re.match(r"\s+the\s+[a-z]+", sentence[after.end():])
            then = AFTER_RE.match(sentence, after.end() + (skip.end() if skip else 0))
            # ("Jet with 228 aboard missing": who was on the jet, what befell the jet)
            if then and len(then.group("group").split()) <= 3 and \
                    not re.search(r"\bwith\s*$", near):
                return _Found(AFTER[" ".join(then.group("verb").lower().split())], group,
                              then.end(), "after", split=True)
            # ("All 229 passengers and crew aboard Flight 111 from New York to Geneva were
            # killed": the flight named between, eleventh session)
            fate = FATE_AFTER.match(sentence, after.end()) if not re.search(
                r"\bwith\s*$", near) else None
            if fate and not re.search(r"\b(?:who|which|that|but|and|when)\b",
                                      sentence[after.end():fate.start("verb")]):
                verb = " ".join(fate.group("verb").lower().split()).split()[-1]
                return _Found(FATES[verb], group, fate.end(), "after", split=True)
        # "236 Kenyans and 12 Americans were killed": the second count splits the toll too
        coordinated = bool(group) and re.search(
            rf"\b(?:{COUNT})\s+[A-Za-z][\w'’-]+\s+and\s*$", left[-40:], re.I) is not None
        coord = after.group("coord") or ""
        number = re.match(r"\s+and\s+\S+", coord)
        if number and (ANIMALS.match(coord, number.end()) or THINGS.match(coord, number.end())):
            coord = ""  # "2,000 villagers and 7,500 animals": no split of the people
        # ("Five Britons are among the dead": a part of the toll, its group the scope)
        return _Found(AFTER[verb], group, after.end(), "after",
                      split=bool(coord) or coordinated or verb in SCOPE_WORDS
                      or verb.startswith("among "))
    if before:
        # "abducted three Britons and a New Zealand citizen": split by group
        # (also "four suspects, all of them citizens of Tajikistan, and seven other accomplices")
        split = re.match(rf"\s+([A-Za-z][\w'’-]+)(?:\s*,[^.;,]*(?:,[^.;,]*)?,)?\s+and\s+"
                         rf"(?:an?|{WORD_NUM}|\d+)\s", sentence[m.end():], re.I)
        # (not a preposition: "killed 250 in Guatemala" leaves its place to the scope)
        group_m = re.match(r"\s+(?!(?:in|at|on|across|throughout|near|inside)\b)([A-Za-z][\w'’-]+)",
                           sentence[m.end():])
        is_split = bool(split and split.group(1).lower() not in PLAIN_GROUPS)
        verb = " ".join((lead or before).group("verb").lower().split())
        members = MEMBERS.match(sentence, m.end())
        if (before.group("first") or "includ" in verb or verb.startswith("among ")) and \
                members and members.group(1).lower().split()[0] not in PLAIN_GROUPS:
            # a part of the toll: "killed the pilot and 11 passengers", "The dead included
            # four children"
            return _Found("other:casualties" if both else BEFORE[verb], members.group(1),
                          members.end(), "before", split=True)
        return _Found("other:casualties" if both else BEFORE[verb],
                      split.group(1) if split and is_split else None,
                      m.end() + (group_m.end() if group_m else 0), "before", split=is_split)
    return None


# (tenth session) what befell people a participle locates ("three miners trapped by the flood
# were rescued"), and victims of harm that kills no one
FATE_AFTER = re.compile(r"[^.;,]{0,100}?\s+(?P<verb>died|(?:were|have\s+been)\s+(?:later\s+)?"
                        r"(?:killed|rescued|freed|released|pulled\s+out\s+alive))\b", re.I)
FATES = {"died": "killed", "killed": "killed", "rescued": "other:rescued", "alive": "other:rescued",
         "freed": "other:released", "released": "other:released"}
PARTICIPLES = {"trapped", "taken into custody", "taken into police custody", "detained",
               "arrested", "kidnapped", "abducted", "taken hostage", "held hostage", "injured",
               "wounded", "hurt", "hospitalized", "hospitalised"}
VICTIMS_OF = re.compile(r"\s+of\s+(?:\w+\s+){0,3}?(?:abuses?|torture|rape|fraud|scams?|"
                        r"trafficking|harassment|persecution|repression|discrimination|racism|"
                        r"bullying|assaults?|theft|burglar(?:y|ies)|identity\s+theft)\b", re.I)


# Verbs that take the victims as their object when active ("two gunmen killed three people")
AGENT_VERBS = {"killed", "shot", "wounded", "injured", "hurt", "murdered", "arrested", "detained",
               "kidnapped", "abducted", "evacuated", "rescued", "executed", "massacred", "seized",
               "captured", "stabbed", "slaughtered", "slew", "kills", "kill", "injure", "injures",
               "shot and killed", "shot and wounded"}
PASSIVE = re.compile(r"\b(?:were|was|are|is|been|being|be)\b", re.I)
# What starts the object of such a verb: a count, an article, a possessive, a quantifier
# (not a time: "the 13 killed the day before", "12 killed last week")
OBJECT_START = re.compile(rf"\s+(?!the\s+(?:day|night|week|month|year|weekend|morning|evening|"
                          rf"afternoon|previous|following|next|same|past|last)\b)"
                          rf"(?:an?|the|his|her|their|its|all|at\s+least|more\s+than|"
                          rf"some|about|several|dozens|scores|hundreds|thousands|"
                          rf"{WORD_NUM}|\d+)\b", re.I)


# The noun a part of a toll is named by: a word (and a name's other words), then a plural noun
# ("five foreign tourists", "12 police officers", "eight Defense Ministry servicemen", but
# "12 classmates last Tuesday")
MEMBERS = re.compile(r"\s+([A-Za-z][\w'’-]+(?:\s+[A-Z][\w'’-]+){0,2}"
                     r"(?:\s+(?!and\b|others\b)(?:[a-z][\w'’-]*(?:[a-rt-z]s|men)|"
                     r"children|men|women|people|police|personnel|staff))?)\b")


def _agent(sentence: str, after: re.Match[str]) -> bool:
    """The count is who did it: an active verb with an object after it ("2 seniors killed a
    teacher", "Three teenagers shot and wounded five students"), not "Five killed in blast",
    "12 were killed" or "three killed Monday"."""
    verb = " ".join(after.group("verb").lower().split())
    if verb not in AGENT_VERBS or PASSIVE.search(after.group(0)):
        return False
    rest = sentence[after.end():]
    more = re.match(r"\s+and\s+(?:shot|wounded|injured|killed|stabbed)\b", rest, re.I)
    return bool(OBJECT_START.match(rest[more.end():] if more else rest))
