"""What a count counts, read from a dependency parse (spaCy's token API; no spaCy import here):
the count's noun, the predicate it is the subject or object of, and the subject (killed,
injured, ...) that predicate or noun names; the place or group the tree ties it to.

`parsed` builds on this; the lexicons are words of the language (verbs and nouns of
casualties), not sentences of the labelled set.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from digest.claims.scope import DEMONYMS

Token = Any  # a spaCy Token (typed loosely: spaCy is an optional extra)

# Verbs whose *object* (or passive subject) is the victim: "killed 5", "5 were killed".
OBJECT_VERBS = {
    **dict.fromkeys(("kill", "slay", "murder", "execute", "massacre", "behead", "claim",
                     "electrocute"), "killed"),
    **dict.fromkeys(("injure", "wound", "hurt", "hospitalize", "hospitalise", "maim"), "injured"),
    # ("rounded up 40"; the guideline: "seized (people)" are arrested)
    **dict.fromkeys(("arrest", "detain", "apprehend", "jail", "imprison", "round", "seize"),
                    "arrested"),
    **dict.fromkeys(("evacuate", "displace", "relocate"), "displaced"),
    **dict.fromkeys(("kidnap", "abduct"), "other:hostages"),
    **dict.fromkeys(("rescue", "save"), "other:rescued"),
    **dict.fromkeys(("release", "free"), "other:released"),
    **dict.fromkeys(("trap", "bury"), "other:trapped"),
    **dict.fromkeys(("infect", "sicken", "poison"), "other:sick"),
    **dict.fromkeys(("sentence", "convict"), "other:sentenced"),
    **dict.fromkeys(("charge", "indict"), "other:charged"),
}
# Verbs whose *subject* is the victim: "5 died", "thousands fled".
SUBJECT_VERBS = {
    "die": "killed", "perish": "killed", "drown": "killed", "succumb": "killed",
    "flee": "displaced", "evacuate": "displaced",
    "protest": "other:protesters", "demonstrate": "other:protesters", "march": "other:protesters",
    "rally": "other:protesters",
}
# Words that, said of people, name their fate: "5 dead", "20 people injured", "left 5 dead".
STATES = {
    "dead": "killed", "killed": "killed", "slain": "killed", "drowned": "killed",
    "injured": "injured", "wounded": "injured", "hurt": "injured", "hospitalized": "injured",
    "hospitalised": "injured",
    "missing": "missing", "unaccounted": "missing",
    "arrested": "arrested", "detained": "arrested", "homeless": "displaced",
    "evacuated": "displaced", "displaced": "displaced",
    "trapped": "other:trapped", "kidnapped": "other:hostages", "abducted": "other:hostages",
    "hostage": "other:hostages", "captive": "other:hostages", "rescued": "other:rescued",
    "infected": "other:sick", "ill": "other:sick", "sick": "other:sick",
    "sickened": "other:sick",
}
# Nouns that are themselves the subject: "58 deaths", "150 refugees", "the bodies of 4".
NOUNS = {
    "death": "killed", "dead": "killed", "fatality": "killed", "body": "killed",
    "victim": "killed", "corpse": "killed", "life": "killed",
    "injury": "injured", "injured": "injured", "wounded": "injured",
    "casualty": "other:casualties",
    "refugee": "displaced", "evacuee": "displaced",
    "hostage": "other:hostages", "captive": "other:hostages",
    "arrest": "arrested", "detainee": "arrested",
    "case": "other:sick",
    "protester": "other:protesters", "demonstrator": "other:protesters",
    "marcher": "other:protesters", "striker": "other:protesters",
}
# A toll noun: "the death toll rose to 158"; its subject from its modifier.
TOLLS = {"toll", "tally", "count", "number", "total", "figure"}
TOLL_MODIFIERS = {"death": "killed", "dead": "killed", "fatality": "killed", "casualty": "killed",
                  "injury": "injured", "injured": "injured", "wounded": "injured",
                  "missing": "missing", "arrest": "arrested", "refugee": "displaced",
                  "case": "other:sick", "victim": "killed"}
# Nouns a count of which is never a count of people in a claim.
NOT_PEOPLE = {
    "year", "month", "week", "day", "hour", "minute", "second", "decade", "century", "time",
    "house", "home", "building", "village", "town", "city", "car", "vehicle", "truck", "bus",
    "boat", "ship", "plane", "aircraft", "helicopter", "tank", "weapon", "gun", "rifle", "bomb",
    "mine", "school", "hospital", "church", "mosque", "shop", "store", "office", "bridge", "road",
    "farm", "bill", "law", "camp", "site", "district", "province", "state", "country", "attack",
    "bombing", "blast", "explosion", "raid", "crash", "shot", "round", "mile", "kilometer",
    "percent", "dollar", "point", "seat", "vote", "page", "story", "floor", "acre", "ton",
    "animal", "bird", "cattle", "horse", "dog", "fish", "chicken", "sheep", "pig", "cow",
    "computer", "machine", "file", "message", "account", "group", "team", "unit", "gang",
    "company", "firm", "agency", "organization", "project", "program", "hectare", "meter",
    "incident", "settlement", "bullet", "pistol", "grenade", "ammunition", "test",
}
# Copulas and verbs of remaining: "5 were dead", "20 remain missing", "12 went missing".
COPULAS = {"be", "remain", "go", "stay", "lie", "become", "leave", "appear", "seem", "feel"}
# The verbs a toll moves with ("rose to", "stood at", "reached") need no lexicon: the toll noun
# is the verb's subject and the count sits under "to", "at" or as its object.
TOLL_PREPS = {"to", "at", "past", "above", "over", "of", "beyond"}
PLACE_PREPS = {"in", "at", "inside", "throughout", "across", "near", "from"}
PLACE_ENTS = {"GPE", "LOC", "FAC"}
NOT_COUNT_ENTS = {"DATE", "TIME", "MONEY", "PERCENT", "QUANTITY", "ORDINAL"}
# "killed 5 soldiers and 3 civilians": head nouns that say nothing of a group
PLAIN = {"people", "person", "persons", "other", "others", "more", "individual", "individuals",
         "victim", "victims", "resident", "residents", "them", "those", "whom", "dead", "body",
         "bodies", "death", "deaths", "man", "men", "woman", "women"}


@dataclass(frozen=True)
class Reading:
    """What the tree says a count counts: its subject, how it was found, the predicate (verb or
    noun) its scope hangs from, and its group when the sentence splits the count by group."""

    subject: str
    how: str  # "noun", "state", "object", "subject", "toll", "bodies_of", "conj", "including", ...
    predicate: int  # token index of the predicate (scope is read from it and from the noun)
    noun: int  # token index of the counted noun (the count itself when it stands alone)
    group: str | None = None


def count_noun(num: Token) -> Token:
    """The noun a number counts: its head for "5 people" (nummod/quantmod), else the number
    standing for its noun ("killing 60", "the toll rose to 158")."""
    tok = num
    while tok.dep_ in ("quantmod", "compound", "nmod") and tok.head is not tok and tok.head.like_num:
        tok = tok.head
    if tok.dep_ in ("nummod", "quantmod") and tok.head is not tok:
        tok = tok.head
    if tok.dep_ == "compound" and tok.head is not tok and tok.head.pos_ in ("NOUN", "PROPN"):
        tok = tok.head  # "the 118-man crew"
    return tok


def counted_noun(anchor: Token) -> Token:
    """What a count standing alone counts when an "of" says it: "hundreds of hostages",
    "three of the attacks" ("of them" counts the people already named: the count itself)."""
    if not anchor.like_num:
        return anchor
    for child in anchor.children:
        if child.dep_ == "prep" and child.text.lower() == "of":
            obj = next((c for c in child.children if c.dep_ == "pobj"), None)
            if obj is not None and obj.pos_ in ("NOUN", "PROPN") and obj.text.lower() not in PLAIN:
                return obj
    return anchor


def _part_of_count(anchor: Token) -> bool:
    return anchor.like_num and any(
        c.dep_ == "prep" and c.text.lower() == "of" and any(
            o.dep_ == "pobj" and (o.like_num or any(g.dep_ == "nummod" for g in o.children))
            and not any(g.dep_ == "det" and g.text.lower() in ("those", "these") for g in o.children)
            for o in c.children)
        for c in anchor.children)


def _lemma(tok: Token) -> str:
    return str(tok.lemma_ or tok.text).lower()


def _state(tok: Token) -> str | None:
    word = tok.text.lower()
    return STATES.get(word) or (STATES.get(_lemma(tok)) if tok.pos_ == "ADJ" else None)


# "in custody", "in intensive care", "in hospital", "in critical condition": where people are
HELD_IN = {"custody": "arrested", "detention": "arrested", "jail": "arrested", "prison": "arrested",
           "care": "injured", "hospital": "injured", "condition": "injured"}


def _held(tok: Token) -> str | None:
    for child in tok.children:
        if child.dep_ == "prep" and child.text.lower() in ("in", "into"):
            for obj in child.children:
                if obj.dep_ == "pobj" and _lemma(obj) in HELD_IN:
                    return HELD_IN[_lemma(obj)]
    return None


def _toll_subject(toll: Token) -> str | None:
    """A toll noun's subject: "death toll" -> killed; "the number of dead" -> killed."""
    if _lemma(toll) not in TOLLS:
        return None
    for child in toll.children:
        if child.dep_ in ("compound", "amod", "nmod") and _lemma(child) in TOLL_MODIFIERS:
            return TOLL_MODIFIERS[_lemma(child)]
        if child.dep_ == "prep" and child.text.lower() == "of":
            for obj in child.children:
                if obj.dep_ == "pobj":
                    word = _lemma(obj)
                    if word in TOLL_MODIFIERS or obj.text.lower() in STATES:
                        return TOLL_MODIFIERS.get(word) or STATES[obj.text.lower()]
                    if word in ("people", "person"):
                        return _own_state(obj)
    return "killed" if _lemma(toll) == "toll" else None


def _own_state(noun: Token) -> str | None:
    """What a noun's own modifiers say of it: "5 people dead", "20 injured people",
    "people who died", "people killed in the blast", "14 people in custody"."""
    for child in noun.children:
        if child.dep_ in ("amod", "acl", "appos", "advmod") and child.i != noun.i:
            state = _state(child)
            if state:
                return state
            if child.dep_ == "acl" and child.tag_ == "VBN" and _lemma(child) in OBJECT_VERBS:
                return OBJECT_VERBS[_lemma(child)]  # "people killed in the blast"
            if child.dep_ == "acl" and _lemma(child) in ("take", "hold"):
                held = _held(child) or next((_state(c) for c in child.children
                                             if c.dep_ in ("oprd", "xcomp", "dobj") and _state(c)), None)
                if held:
                    return held  # "taken into custody", "held hostage"
        if child.dep_ == "relcl":
            found = _clause_subject(child)
            if found:
                return found
    return _held(noun)


def _to_death(verb: Token) -> bool:
    """ "shot to death", "burned to death" (not "sentenced to death")."""
    return _lemma(verb) not in ("sentence", "condemn") and any(
        c.dep_ == "prep" and c.text.lower() == "to" and any(o.text.lower() == "death" for o in c.children)
        for c in verb.children)


def _passive(verb: Token) -> bool:
    return any(c.dep_ in ("auxpass", "nsubjpass") for c in verb.children)


def _clause_subject(verb: Token) -> str | None:
    """The subject a clause gives the noun it is about: "who died", "who were killed", "who
    were missing"."""
    lemma = _lemma(verb)
    if _to_death(verb):
        return "killed"
    if _passive(verb) and lemma in OBJECT_VERBS:
        return OBJECT_VERBS[lemma]
    if lemma in SUBJECT_VERBS and not _passive(verb):
        return SUBJECT_VERBS[lemma]
    for c in verb.children:
        if c.dep_ in ("acomp", "attr", "oprd", "xcomp") and _state(c):
            return _state(c)
    return _held(verb)


def _elided_passive(verb: Token) -> bool:
    """ "25 people killed and 74 wounded": a past participle with its victims as subject and no
    "have" (not "gunmen have killed 5") and no object (not "gunmen killed 5 people")."""
    return verb.tag_ in ("VBN", "VBD") and not any(
        (c.dep_ == "aux" and _lemma(c) == "have") or c.dep_ in ("dobj", "obj") for c in verb.children)


def _predicate_reading(noun: Token) -> tuple[str, str, Token] | None:
    """The noun's relation to its head: subject or object of a casualty verb, the count of a
    toll, "the bodies of N", "N among the dead"."""
    rel, head = noun.dep_, noun.head
    lemma = _lemma(head)
    if rel in ("nsubjpass", "nsubj", "dobj") and head.pos_ == "VERB":
        if _to_death(head):
            return "killed", "object", head  # "were shot to death", "burned 5 to death"
        # "were shot and killed": a passive subject shared by the verbs of a coordination
        verb = next((c for c in head.children if c.dep_ == "conj" and _lemma(c) in OBJECT_VERBS
                     and not any(g.dep_.startswith("nsubj") for g in c.children)), None)
        if verb is not None and lemma not in OBJECT_VERBS and rel == "nsubjpass":
            lemma = _lemma(verb)
        if rel == "nsubj" and any(c.dep_ in ("xcomp", "advcl") and _lemma(c) in SUBJECT_VERBS
                                  and SUBJECT_VERBS[_lemma(c)] == "other:protesters"
                                  for c in head.children):
            return "other:protesters", "subject", head  # "200 supporters gathered to protest"
    if rel == "nsubjpass" and lemma in OBJECT_VERBS:
        return OBJECT_VERBS[lemma], "object", head
    if rel in ("dobj", "obj") and lemma in OBJECT_VERBS and lemma != "claim":
        return OBJECT_VERBS[lemma], "object", head
    if rel in ("dobj", "obj", "nsubjpass") and lemma in ("claim", "take", "cost") and _lemma(noun) == "life":
        return "killed", "object", head  # "claimed 60 lives", "took 10 lives"
    if rel == "nsubj" and head.text.lower() in ("missing", "dead") and head.i > noun.i:
        return _state(head) or "", "state", head  # "200 others were missing" (a verb to the tagger)
    if rel in ("dobj", "obj") and lemma == "include":
        # "The casualties included eight servicemen and 17 policemen", "the dead include 5"
        whole = next((c for c in head.children if c.dep_ == "nsubj"), None)
        subject = (NOUNS.get(_lemma(whole)) or _state(whole)) if whole is not None else None
        if subject:
            return subject, "including", head
    if rel == "nsubj" and lemma in OBJECT_VERBS and _elided_passive(head):
        return OBJECT_VERBS[lemma], "object", head
    if rel == "nsubj" and lemma in SUBJECT_VERBS and head.pos_ == "VERB":
        return SUBJECT_VERBS[lemma], "subject", head
    if rel in ("nsubj", "nsubjpass", "dobj"):
        # "5 were dead", "20 remain missing", "left 5 dead", "are feared dead", "held in custody"
        for c in head.children:
            if c.dep_ in ("acomp", "oprd", "xcomp", "attr", "ccomp", "advcl", "advmod") and c.i > noun.i:
                state = _state(c)
                if state:
                    return state, "state", head
        held = _held(head) if rel != "nsubj" or head.pos_ == "AUX" or _lemma(head) in COPULAS else None
        if held:
            return held, "state", head
        if rel == "nsubj" and lemma in ("suffer", "sustain") and any(
                _lemma(c) in ("injury", "wound", "burn") for c in head.children if c.dep_ == "dobj"):
            return "injured", "subject", head
    if rel in ("pobj", "dobj", "attr", "appos", "nsubj", "npadvmod", "conj"):
        toll = _toll_of(noun)
        if toll is not None:
            subject = _toll_subject(toll)
            if subject:
                return subject, "toll", toll
    if rel == "pobj":
        prep, owner = head, head.head
        word = prep.text.lower()
        if (word == "of" and _lemma(owner) in ("body", "corpse", "remains", "remain", "death")) or \
                (word == "of" and _lemma(owner) == "head" and any(c.dep_ == "amod" for c in owner.children)):
            return "killed", "bodies_of", owner
        if word == "among" and _lemma(owner) not in TOLLS:
            for obj in prep.children:
                state = _state(obj) or NOUNS.get(_lemma(obj))
                if state and obj.i != noun.i:
                    return state, "among", owner
    return None


def _toll_of(count: Token) -> Token | None:
    """The toll noun a count is the value of: "the toll rose to 158" (object of "to" under a
    verb whose subject is the toll), "the toll is 158", "a toll of 158", "put the toll at 158",
    "the toll, 158"."""
    tok, hops = count, 0
    while tok.dep_ in ("pobj", "prep", "pcomp", "conj", "appos", "dobj", "attr", "npadvmod", "nsubj") \
            and hops < 6:
        head = tok.head
        if head is tok:
            return None
        if _lemma(head) in TOLLS and head.pos_ == "NOUN":
            return head
        if head.dep_ == "prep" and head.text.lower() not in TOLL_PREPS:
            return None
        if head.pos_ in ("VERB", "AUX"):
            for c in head.children:
                if c.dep_ in ("nsubj", "nsubjpass", "dobj") and c.i != tok.i and \
                        _lemma(c) in TOLLS and c.pos_ == "NOUN":
                    return c
            if head.dep_ != "pcomp":  # ("raising the toll from two weeks of freezing to 74")
                return None
        tok, hops = head, hops + 1
    return None


def read_count(num: Token, earlier: tuple[Reading, ...] = ()) -> Reading | None:
    """What the number token counts, from the tree; None when it counts no one we name.
    `earlier` are the sentence's counts read before it (a count may be elided after them:
    "killed 5 people and 20 in ...", "257 died, 11 of them in ...")."""
    anchor = count_noun(num)
    if _part_of_count(anchor):
        return None  # ("two of three defendants in custody": the three are the count)
    counted = counted_noun(anchor)
    if _lemma(counted) in NOT_PEOPLE and not counted.like_num:
        return None
    found = _predicate_reading(anchor)
    if found and not _unrealized(found[2]):
        return Reading(found[0], found[1], found[2].i, anchor.i)
    # ("112 protesters arrested", "30 detainees released": what is said of them first)
    state = _own_state(counted) or (_own_state(anchor) if anchor is not counted else None)
    if state:
        return Reading(state, "state", anchor.i, anchor.i)
    own = NOUNS.get(_lemma(counted)) if not counted.like_num else None
    if _lemma(counted) == "head" and any(c.text.lower() in ("severed", "decapitated")
                                          for c in counted.children):
        own = "killed"  # (the guideline: "severed heads of hostages")
    if own:
        return Reading(own, "noun", _predicate_of(anchor), anchor.i)
    if found:
        return None  # ("struggled to rescue 100 sailors": not done, and nothing else said of them)
    # ("two suspects and three informants in custody": what is said of the last of a coordination
    # is said of all)
    for c in anchor.children:
        if c.dep_ == "conj" and c.pos_ in ("NOUN", "PROPN"):
            state = _own_state(c)
            if state:
                return Reading(state, "state", anchor.i, anchor.i)
    return _elided(anchor, earlier)


# Verbs that say an act is tried or begun, not done: "struggled to rescue", "began evacuating"
# (one string: a lone "begin" literal reads as SQL to tests/test_layout.py)
TRYING = frozenset("try attempt struggle seek plan begin start continue hope aim want prepare work "
                   "effort bid need expect".split())


def _unrealized(verb: Token) -> bool:
    """ "efforts to evacuate the 118", "struggled to rescue 100", "started evacuating 116": the
    act is attempted, so its object is not (yet) a count of those it happened to."""
    if verb.pos_ not in ("VERB", "AUX"):
        return False
    if any(c.dep_ == "aux" and c.text.lower() == "to" for c in verb.children):
        return True
    return verb.dep_ in ("xcomp", "acl", "pcomp") and _lemma(verb.head) in TRYING


def _elided(anchor: Token, earlier: tuple[Reading, ...]) -> Reading | None:
    """A count that borrows its subject from the tree around it: the first of a coordination
    ("two soldiers and three civilians were killed"; "killed 5 people and 20 in ..."), the
    whole it is part of ("including 12 Americans"; "11 of them in Tanzania"), the figure it
    replaces ("up from 95")."""
    top = anchor
    while top.dep_ in ("conj", "appos") and top.head is not top:
        top = top.head
    if anchor.dep_ == "npadvmod" and anchor.head.pos_ in ("VERB", "AUX"):
        top = anchor.head
    if top is not anchor:
        # ("hospitalized with hypothermia and 51 with frostbite", "killing all 109 people on the
        # airplane and four people on the ground": parsed as coordinated with the phrase's noun)
        owner = top.head.head if top.dep_ == "pobj" else top
        for r in reversed(earlier):
            if top.i in (r.noun, r.predicate) or owner.i in (r.noun, r.predicate):
                return Reading(r.subject, "conj", r.predicate, anchor.i)
        first = _reading_of(top)
        if first is None and owner is not top and owner.pos_ == "VERB":
            first = _reading_of(owner)
        if first:
            return Reading(first.subject, "conj", first.predicate, anchor.i)
    head = anchor.head
    if anchor.dep_ == "pobj" and head.text.lower() in ("including", "among") and head.head is not head:
        whole = _reading_of(head.head)
        if whole:
            return Reading(whole.subject, "including", whole.predicate, anchor.i)
    if anchor.dep_ == "pobj" and head.text.lower() == "from" and earlier and \
            head.head.text.lower() in ("up", "down"):
        return Reading(earlier[-1].subject, "from", earlier[-1].predicate, anchor.i)
    return None


def _reading_of(tok: Token) -> Reading | None:
    """A noun or verb read as if it had a count: "the dead, including 5 ...", "killed 20
    people, including 5 children", "killed a policeman and three civilians"."""
    if tok.pos_ in ("VERB", "AUX"):
        lemma = _lemma(tok)
        if lemma in OBJECT_VERBS and (_passive(tok) or any(c.dep_ == "dobj" for c in tok.children)
                                      or _elided_passive(tok)):
            return Reading(OBJECT_VERBS[lemma], "object", tok.i, tok.i)
        if lemma in SUBJECT_VERBS:
            return Reading(SUBJECT_VERBS[lemma], "subject", tok.i, tok.i)
        state = _clause_subject(tok)
        return Reading(state, "state", tok.i, tok.i) if state else None
    if _lemma(tok) in NOT_PEOPLE:
        return None
    found = _predicate_reading(tok)
    if found:
        return Reading(found[0], found[1], found[2].i, tok.i)
    own = NOUNS.get(_lemma(tok))
    if own:
        return Reading(own, "noun", _predicate_of(tok), tok.i)
    state = _own_state(tok)
    return Reading(state, "state", tok.i, tok.i) if state else None


def _predicate_of(noun: Token) -> int:
    """The verb a noun hangs from (its scope's attachment), else the noun itself."""
    head = noun.head
    return int(head.i if head.pos_ in ("VERB", "AUX") else noun.i)


# -- scope ---------------------------------------------------------------------------------------
# The guideline's fixed forms: "aboard", "on board", "on the plane" -> aboard; "on the ground"
ABOARD = {"board", "plane", "airplane", "aircraft", "flight", "jet", "ship", "train", "bus", "ferry"}


def fixed_scope(tok: Token) -> str | None:
    for child in tok.children:
        if child.text.lower() == "aboard":
            return "aboard"
        if child.dep_ == "prep" and child.text.lower() in ("on", "in"):
            obj = next((c for c in child.children if c.dep_ == "pobj"), None)
            if obj is not None and obj.text.lower() == "ground" and child.text.lower() == "on":
                return "on the ground"
            if obj is not None and obj.text.lower() in ABOARD:
                return "aboard"
    return None


def place_scope(tokens: list[Token], preps_only: bool = False, after: int = -1,
                any_noun: bool = False) -> str | None:
    """The place a prepositional phrase under one of these tokens names: "in Honduras", "at the
    embassy in Nairobi" (the phrase's own words without the preposition and the article), when
    it holds a place entity; a possessive, a name or a demonym on a toll noun; the place a
    "where" clause is about ("In Puerto Rico, where three people were killed")."""
    for tok in tokens:
        if tok.dep_ == "relcl" and any(c.text.lower() == "where" for c in tok.children):
            return _phrase(tok.head)
        for child in tok.children:
            if (preps_only and child.dep_ != "prep") or child.i <= after:
                continue
            if child.dep_ in ("poss", "compound") and child.ent_type_ in PLACE_ENTS and \
                    (child.dep_ == "poss" or _lemma(tok) in TOLLS):
                return _phrase(child, drop_case=True)
            if child.dep_ in ("amod", "compound") and child.text in DEMONYMS and _lemma(tok) in TOLLS:
                return DEMONYMS[child.text]
            if child.dep_ == "prep" and child.text.lower() in PLACE_PREPS:
                obj = next((c for c in child.children if c.dep_ == "pobj"), None)
                if obj is not None and ((any_noun and obj.pos_ in ("NOUN", "PROPN")) or _area(obj)
                                        or any(_place_word(t) for t in _own_words(obj))):
                    return _area(obj) or _phrase(obj)
    return None


AREAS = {"province", "region", "city", "town", "country", "state", "district", "area", "village",
         "island", "county"}


def _area(obj: Token) -> str | None:
    """An area's anaphor keeps its determiner (the guideline): "the province", "this region"."""
    det = next((c for c in obj.children if c.dep_ == "det"), None)
    if _lemma(obj) in AREAS and det is not None and det.text.lower() in ("the", "this", "that") \
            and len(list(obj.children)) == 1:
        return f"{det.text} {obj.text}"
    return None


def _own_words(obj: Token) -> list[Token]:
    """A phrase's head and the words on it (names, an appositive, "the province of X"), not
    a phrase nested in it ("custody in Manhattan")."""
    words = [obj]
    for c in obj.children:
        if c.dep_ in ("compound", "appos", "amod", "poss", "nmod", "conj"):
            words.append(c)
        elif c.dep_ == "prep" and c.text.lower() == "of":
            words.extend(g for g in c.children if g.dep_ == "pobj")
    return words


def _place_word(tok: Token) -> bool:
    """A place entity, or a name the entity model left untyped ("KwaZulu/Natal")."""
    return tok.ent_type_ in PLACE_ENTS or (tok.pos_ == "PROPN" and not tok.ent_type_)


SPANS = {"year", "month", "week", "day", "decade"}
MONTHS = {"january", "february", "march", "april", "may", "june", "july", "august", "september",
          "october", "november", "december"}


def period_scope(tokens: list[Token], after: int = -1) -> str | None:
    """The first period said on one of these tokens (see `_period`), past token `after`."""
    return next((p for p in (_period(t, after) for t in tokens) if p), None)


def _period(tok: Token, after: int) -> str | None:
    """A cumulative count's period: "45 people have died since the beginning of October",
    "70 arrested since the disturbances began", "in the past 20 years"; a month when the
    sentence splits its count by month ("38 died in January, 33 in February")."""
    months = sum(t.text.lower() in MONTHS and t.head.dep_ == "prep" for t in tok.doc)
    for child in tok.children:
        if child.i <= after:
            continue
        if child.dep_ == "prep" and child.text.lower() == "since" and list(child.children):
            return "since " + _phrase(child, skip_head=True)
        if child.dep_ == "advcl" and any(c.dep_ == "mark" and c.text.lower() == "since"
                                         for c in child.children):
            return "".join(t.text_with_ws for t in child.subtree).strip()
        if child.dep_ == "prep" and child.text.lower() in ("in", "over", "during", "within"):
            obj = next((c for c in child.children if c.dep_ == "pobj"), None)
            if obj is None:
                continue
            if _lemma(obj) in SPANS and any(c.text.lower() in ("past", "last") for c in obj.children):
                return "".join(t.text_with_ws for t in obj.subtree).strip()
            if months >= 2 and any(t.text.lower() in MONTHS for t in obj.subtree):
                return _phrase(obj)
    return None


def condition_scope(tok: Token, after: int = -1) -> str | None:
    """ "143 hospitalized with hypothermia and 51 with frostbite": the injured by condition;
    "17 still in intensive care"."""
    for child in tok.children:
        if child.i <= after:
            continue
        if child.dep_ == "prep" and child.text.lower() == "in":
            obj = next((c for c in child.children if c.dep_ == "pobj"), None)
            if obj is not None and obj.text.lower() == "care":
                return _phrase(obj)
        if child.dep_ == "prep" and child.text.lower() == "with":
            obj = next((c for c in child.children if c.dep_ == "pobj"), None)
            if obj is not None and obj.pos_ == "NOUN" and not obj.ent_type_:
                return _phrase(obj)
    return None


def _phrase(tok: Token, drop_case: bool = False, skip_head: bool = False) -> str:
    words = [t for t in tok.subtree if not (drop_case and t.dep_ == "case")
             and not (skip_head and t.i == tok.i)]
    while (words and words[0].dep_ in ("det", "predet")) or (words and words[0].like_num):
        words = words[1:]
    # the phrase's own words up to a comma or a clause
    out = []
    for t in words:
        if t.text in (",", ";", "(", ")") or t.dep_ in ("relcl", "acl", "cc"):
            break
        out.append(t)
    return "".join(t.text_with_ws for t in out).strip()


def group_of(noun: Token) -> str | None:
    """The group a count's noun names, when it is not a plain word for people: "civilians",
    "pro-independence activist" (its modifiers before it, counts and articles left out)."""
    if noun.like_num or noun.text.lower() in PLAIN or noun.pos_ not in ("NOUN", "PROPN") or \
            noun.ent_type_ == "CARDINAL":
        return None
    if _lemma(noun) in NOUNS:
        return None
    left = [t for t in noun.lefts if t.dep_ in ("amod", "compound") and not t.like_num
            and t.text.lower() not in ("other", "more", "additional", "further")]
    words = [*left, noun]
    return " ".join(t.text for t in words)
