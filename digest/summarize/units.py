"""A story as units to choose from: each sentence once, credited to every article that
carries it word for word, with its words analysed once.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from digest import text
from digest.models import Story
from digest.summarize.settings import MAX_WORDS, MIN_WORDS, WHOLE


@dataclass
class Unit:
    """One distinct sentence of a story and every article that carries it."""

    text: str
    sources: list[str]
    article_index: int  # index of the first article carrying it (story order)
    position: int  # sentence index within that article
    n_words: int = 0  # words as a reader counts them (split on white space)
    terms: list[str] = field(default_factory=list)
    tokens: list[str] = field(default_factory=list)  # every word, lowercased (for word pairs)
    stems: list[str] = field(default_factory=list)  # the stem of each of its tokens
    similar: list[str] = field(default_factory=list)


def units_of(story: Story) -> list[Unit]:
    """Distinct sentences of a story's articles, identical ones merged with all sources.

    Only the sentences a summary may take (`eligible`) have their words analysed.
    """
    units: dict[str, Unit] = {}
    for ai, article in enumerate(story.articles):
        position = 0
        for paragraph in article.paragraphs:
            for sentence in text.split_sentences(paragraph):
                key = text.normalize_sentence(sentence)
                unit = units.get(key)
                if unit is None:
                    units[key] = Unit(sentence, [article.id], ai, position, len(key.split()))
                elif article.id not in unit.sources:
                    unit.sources.append(article.id)
                position += 1
    out = list(units.values())
    for unit in out:
        if _may_stand_alone(unit):
            _analyse(unit)
    return out


def sentence_key(sentence: str) -> str:
    """A short stable key for 'this sentence' (case, spacing and quote styles ignored):
    what the send ledger keeps of each summary sentence a reader was sent."""
    return hashlib.sha1(text.normalize_sentence(sentence).encode()).hexdigest()[:16]


def _unit(sentence: str, sources: list[str], article_index: int, position: int) -> Unit:
    unit = Unit(sentence, sources, article_index, position, len(sentence.split()))
    _analyse(unit)
    return unit


def _analyse(unit: Unit) -> None:
    """Fill in the unit's tokens, their stems and its terms."""
    tokens = text.tokens(unit.text)
    try:
        stems = list(map(_STEM_OF.__getitem__, tokens))
    except KeyError:  # a word not met before in this process
        if len(_STEM_OF) > 500_000:  # a bound on memory over a long-running process
            _STEM_OF.clear()
            _TERM_OF.clear()
        for t in set(tokens).difference(_STEM_OF):
            _STEM_OF[t] = s = text.stem(t)
            _TERM_OF[t] = s if text.is_term(t) else ""
        stems = list(map(_STEM_OF.__getitem__, tokens))
    unit.tokens, unit.stems = tokens, stems
    unit.terms = list(filter(None, map(_TERM_OF.__getitem__, tokens)))


# Per lowercased token, its stem, and its stem again if it is a term ("" if not): looked
# up by map() in C rather than two function calls per token.
_STEM_OF: dict[str, str] = {}
_TERM_OF: dict[str, str] = {}


def _may_stand_alone(unit: Unit) -> bool:
    """eligible() but for having terms: what can be told without analysing the words."""
    first = unit.text.lstrip("\"'“‘(")[:1]
    return (MIN_WORDS <= unit.n_words <= MAX_WORDS and unit.text.endswith(WHOLE)
            and (first.isupper() or first.isdigit()))


def eligible(unit: Unit) -> bool:
    """Sentences a reader can take alone: whole, not a question, not a fragment."""
    return _may_stand_alone(unit) and bool(unit.terms)
