"""Topic rules -> matching stories, each with its score and the reason it matched (pure).

A rule holds words and phrases (`any`, `all`, `exclude`), an optional boolean `query`,
regular expressions and outlet filters. Words are compared as stems (NLTK Snowball via
digest.text), so "attack" matches "attacks" and "attacked", always whole words and
ignoring case. A story is read in three fields that weigh differently: headlines, summary
sentences, article bodies.

Query grammar (recursive descent; NOT binds tighter than AND, AND tighter than OR):

    query    := or_expr
    or_expr  := and_expr ("OR" and_expr)*
    and_expr := not_expr (["AND"] not_expr)*      adjacent terms are ANDed
    not_expr := "NOT" not_expr | primary
    primary  := "(" or_expr ")" | '"' phrase '"' | word

Operators are upper case; "and", "or", "not" in lower case are plain words.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import cached_property

from digest.errors import TopicError
from digest.models import BriefingSection, StorySummary
from digest.text import is_term, stem, tokens, words

FIELD_WEIGHTS = {"title": 3.0, "summary": 2.0, "body": 1.0}  # headline > summary > body
TIMES = "\u00d7"  # the multiplication sign of "Kremlin \u00d75 in summary"
_SPLIT = re.compile(r"[-.]")  # "Crocus-City", "U.S." are several words, on both sides


def stems_of(text: str) -> tuple[str, ...]:
    """Lower-cased stems of the words in text, in order; hyphens and dots split words."""
    out = []
    for w in words(text):
        for part in _SPLIT.split(w.replace("\u2019", "'")):
            if part:
                out.append(stem(part))
    return tuple(out)


# -- terms and queries -------------------------------------------------------------------

@dataclass(frozen=True)
class Term:
    """A word or phrase as the user wrote it, and the stems it matches."""

    text: str
    stems: tuple[str, ...]

    @property
    def label(self) -> str:
        return f'"{self.text}"' if len(self.stems) > 1 else self.text


def parse_term(text: str) -> Term:
    """A word or phrase from a rule list; one with no word in it is a TopicError."""
    stems = stems_of(text)
    if not stems:
        raise TopicError(f"{text!r} has no word to look for")
    return Term(" ".join(text.split()), stems)


@dataclass(frozen=True)
class TermNode:
    term: Term


@dataclass(frozen=True)
class Not:
    child: Node


@dataclass(frozen=True)
class And:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    children: tuple[Node, ...]


Node = TermNode | Not | And | Or
_OPERATORS = ("AND", "OR", "NOT")


@dataclass(frozen=True)
class _Token:
    kind: str  # "(" | ")" | "AND" | "OR" | "NOT" | "word" | "phrase"
    text: str
    pos: int  # 1-based column, for error messages


def _tokenize(query: str) -> list[_Token]:
    tokens: list[_Token] = []
    i = 0
    while i < len(query):
        ch = query[i]
        if ch.isspace():
            i += 1
        elif ch in "()":
            tokens.append(_Token(ch, ch, i + 1))
            i += 1
        elif ch in "\"“”":
            end = min((j for j in (query.find(c, i + 1) for c in "\"“”") if j != -1), default=-1)
            if end == -1:
                raise TopicError(f"unterminated quote: the \" at column {i + 1} is never closed")
            tokens.append(_Token("phrase", query[i + 1:end], i + 1))
            i = end + 1
        else:
            j = i
            while j < len(query) and not query[j].isspace() and query[j] not in "()\"“”":
                j += 1
            text = query[i:j]
            tokens.append(_Token(text if text in _OPERATORS else "word", text, i + 1))
            i = j
    return tokens


class _Parser:
    def __init__(self, query: str) -> None:
        self.tokens = _tokenize(query)
        self.i = 0

    def peek(self) -> _Token | None:
        return self.tokens[self.i] if self.i < len(self.tokens) else None

    def take(self) -> _Token:
        tok = self.tokens[self.i]
        self.i += 1
        return tok

    def parse(self) -> Node:
        if not self.tokens:
            raise TopicError("empty query")
        node = self.or_expr()
        tok = self.peek()
        if tok is not None:  # only a stray ")" can stop the grammar early
            raise TopicError(f"unbalanced parentheses: ')' at column {tok.pos} has no '('")
        return node

    def or_expr(self) -> Node:
        children = [self.and_expr()]
        while (tok := self.peek()) is not None and tok.kind == "OR":
            self.take()
            children.append(self.and_expr())
        return children[0] if len(children) == 1 else Or(tuple(children))

    def and_expr(self) -> Node:
        children = [self.not_expr()]
        while (tok := self.peek()) is not None and tok.kind not in ("OR", ")"):
            if tok.kind == "AND":
                self.take()
            children.append(self.not_expr())
        return children[0] if len(children) == 1 else And(tuple(children))

    def not_expr(self) -> Node:
        tok = self.peek()
        if tok is not None and tok.kind == "NOT":
            self.take()
            return Not(self.not_expr())
        return self.primary()

    def primary(self) -> Node:
        tok = self.peek()
        if tok is None:
            last = self.tokens[-1]
            if last.kind == "(":
                raise TopicError(
                    f"unbalanced parentheses: '(' at column {last.pos} is never closed")
            raise TopicError(f"{last.text} at column {last.pos} has nothing after it")
        prev = self.tokens[self.i - 1] if self.i else None
        if tok.kind in ("AND", "OR"):
            if prev is not None and prev.kind in _OPERATORS:
                raise TopicError(f"{prev.text} at column {prev.pos} is followed by {tok.text}: "
                                 "a term is missing between them")
            raise TopicError(f"{tok.text} at column {tok.pos} has nothing before it")
        if tok.kind == ")":
            if prev is not None and prev.kind == "(":
                raise TopicError(f"empty parentheses at column {prev.pos}")
            if prev is not None and prev.kind in _OPERATORS:
                raise TopicError(f"{prev.text} at column {prev.pos} has nothing after it")
            raise TopicError(f"unbalanced parentheses: ')' at column {tok.pos} has no '('")
        self.take()
        if tok.kind == "(":
            node = self.or_expr()
            close = self.peek()
            if close is None or close.kind != ")":
                raise TopicError(f"unbalanced parentheses: '(' at column {tok.pos} is never closed")
            self.take()
            return node
        try:
            return TermNode(parse_term(tok.text))
        except TopicError:
            what = "empty phrase" if tok.kind == "phrase" else f"{tok.text!r} has no word"
            raise TopicError(f"{what} at column {tok.pos}") from None


def parse_query(query: str) -> Node:
    """Parse a boolean query; a malformed one is a TopicError saying what and where."""
    node = _Parser(query).parse()
    if not _positive_terms(node):
        raise TopicError("the query only says what to leave out (NOT ...): add a term to look for")
    return node


def _positive_terms(node: Node) -> list[Term]:
    if isinstance(node, TermNode):
        return [node.term]
    if isinstance(node, Not):
        return []
    return [t for c in node.children for t in _positive_terms(c)]


def query_text(node: Node, parent: str = "") -> str:
    """The query written back in canonical form (as used in reasons)."""
    if isinstance(node, TermNode):
        return node.term.label
    if isinstance(node, Not):
        return f"NOT {query_text(node.child, 'NOT')}"
    op = "AND" if isinstance(node, And) else "OR"
    inner = f" {op} ".join(query_text(c, op) for c in node.children)
    needs_parens = parent == "NOT" or (op == "OR" and parent == "AND")
    return f"({inner})" if needs_parens else inner


MAX_DESCRIPTION = 1000  # characters: a question or a few, not an article


def check_description(description: str) -> str:
    """A topic's description, whitespace tidied; one that gives the summarizer no word to
    look for, or is longer than MAX_DESCRIPTION, is a TopicError."""
    tidy = " ".join(description.split())
    if len(tidy) > MAX_DESCRIPTION:
        raise TopicError(f"too long: {len(tidy)} characters, at most {MAX_DESCRIPTION} "
                         "(say what you want to know of the stories in a sentence or two)")
    if not any(is_term(w) for w in tokens(tidy)):
        raise TopicError(f"{description!r} has no word to look for (only common words "
                         "such as 'the' or 'what', numbers or punctuation)")
    return tidy


def compile_regex(pattern: str) -> re.Pattern[str]:
    """Compile a rule's regex (case-insensitive); a bad one is a TopicError quoting it."""
    try:
        return re.compile(pattern, re.IGNORECASE)
    except re.error as e:
        raise TopicError(f"bad regex {pattern!r}: {e}") from None


# -- compiled topics ---------------------------------------------------------------------

@dataclass(frozen=True)
class Topic:
    """A compiled topic rule, ready to match stories."""

    name: str
    any: tuple[Term, ...] = ()
    all: tuple[Term, ...] = ()
    exclude: tuple[Term, ...] = ()
    query: Node | None = None
    regex: tuple[re.Pattern[str], ...] = ()
    outlets: frozenset[str] = frozenset()  # lower-case; empty = every outlet
    exclude_outlets: frozenset[str] = frozenset()
    min_score: float = 1.0
    description: str = ""  # what the reader wants to know of its stories, in their words

    @property
    def focus(self) -> str | None:
        """What a summary for this topic's section should answer: the description, then the
        words and phrases the topic looks for (not what it excludes); None without a
        description (the summary is then the generic one)."""
        if not self.description.strip():
            return None
        terms = [t.text for t in (*self.all, *self.any)]
        if self.query is not None:
            terms += [t.text for t in _positive_terms(self.query)]
        return " ".join([self.description.strip(), *dict.fromkeys(terms)])


def compile_topic(name: str, *, any: Iterable[str] = (), all: Iterable[str] = (),
                  exclude: Iterable[str] = (), query: str | None = None,
                  regex: Iterable[str] = (), outlets: Iterable[str] = (),
                  exclude_outlets: Iterable[str] = (), min_score: float = 1.0,
                  description: str = "") -> Topic:
    """Build a Topic from plain values; raises TopicError for a rule that cannot work."""
    topic = Topic(
        name=name,
        any=tuple(parse_term(t) for t in any),
        all=tuple(parse_term(t) for t in all),
        exclude=tuple(parse_term(t) for t in exclude),
        query=parse_query(query) if query is not None and query.strip() else None,
        regex=tuple(compile_regex(p) for p in regex),
        outlets=frozenset(o.strip().lower() for o in outlets),
        exclude_outlets=frozenset(o.strip().lower() for o in exclude_outlets),
        min_score=min_score,
        description=check_description(description) if description.strip() else "",
    )
    if not (topic.any or topic.all or topic.query or topic.regex):
        raise TopicError("empty topic: give at least one of any, all, query or regex "
                         "(exclude and outlets only narrow a topic down)")
    return topic


@dataclass(frozen=True)
class Match:
    """How one story fares against one topic."""

    topic: str
    matched: bool
    score: float
    reasons: tuple[str, ...]  # what hit, most weighty first: '"Crocus City Hall" in title'
    why_not: str | None = None  # for a story that does not match: the first rule it failed


class StoryText:
    """A story's words per field (headlines, summary, bodies), read once for every topic."""

    def __init__(self, summary: StorySummary, outlets: frozenset[str] = frozenset(),
                 exclude_outlets: frozenset[str] = frozenset()) -> None:
        kept = [a for a in summary.story.articles
                if (not outlets or a.outlet.lower() in outlets)
                and a.outlet.lower() not in exclude_outlets]
        ids = {a.id for a in kept}
        titles = list(dict.fromkeys(a.title for a in kept))
        self.empty = not kept
        self.texts = {
            "title": titles,
            "summary": [s.text for s in summary.sentences if ids.intersection(s.sources)],
            "body": [a.text for a in kept],
        }
        self._counts: dict[tuple[str, ...], dict[str, int]] = {}

    @cached_property
    def stems(self) -> dict[str, list[tuple[str, ...]]]:
        return {f: [stems_of(t) for t in texts] for f, texts in self.texts.items()}

    def count(self, term: Term) -> dict[str, int]:
        """Occurrences of a word or phrase per field (fields with none left out)."""
        if term.stems not in self._counts:
            n = len(term.stems)
            counts = {}
            for field_, docs in self.stems.items():
                c = sum(1 for doc in docs for i in range(len(doc) - n + 1)
                        if doc[i:i + n] == term.stems)
                if c:
                    counts[field_] = c
            self._counts[term.stems] = counts
        return self._counts[term.stems]

    def count_regex(self, pattern: re.Pattern[str]) -> dict[str, int]:
        counts = {}
        for field_, texts in self.texts.items():
            c = sum(len(pattern.findall(t)) for t in texts)
            if c:
                counts[field_] = c
        return counts


def weight(counts: dict[str, int]) -> float:
    """Score of one hit: each field's weight, dampened for repeats (1 + ln count)."""
    return sum(FIELD_WEIGHTS[f] * (1 + math.log(c)) for f, c in counts.items())


def describe(label: str, counts: dict[str, int]) -> str:
    """'Kremlin in title, (times)5 in summary': fields in order of weight."""
    parts = [f"{TIMES}{counts[f]} in {f}" if counts[f] > 1 else f"in {f}"
             for f in FIELD_WEIGHTS if f in counts]
    return f"{label} {', '.join(parts)}"


def match(topic: Topic, summary: StorySummary, text: StoryText | None = None) -> Match:
    """Does the story match the topic, with what score, and why (or why not)."""
    if text is None or topic.outlets or topic.exclude_outlets:
        text = StoryText(summary, topic.outlets, topic.exclude_outlets)

    def miss(why: str) -> Match:
        return Match(topic.name, False, 0.0, (), why)

    if text.empty:
        return miss("no article from an allowed outlet")
    for term in topic.exclude:
        counts = text.count(term)
        if counts:
            return miss(f"excluded: {describe(term.label, counts)}")
    missing = [t.label for t in topic.all if not text.count(t)]
    if missing:
        return miss(f"missing from all: {', '.join(missing)}")

    hits: dict[str, tuple[float, str]] = {}  # key -> (score, reason); a term counts once

    def hit(key: str, label: str, counts: dict[str, int]) -> None:
        hits.setdefault(key, (weight(counts), describe(label, counts)))

    for term in (*topic.all, *topic.any):
        counts = text.count(term)
        if counts:
            hit(" ".join(term.stems), term.label, counts)
    found = any(text.count(t) for t in topic.any)
    for pattern in topic.regex:
        counts = text.count_regex(pattern)
        if counts:
            found = True
            hit("/" + pattern.pattern, f"/{pattern.pattern}/", counts)

    clause = None
    query_ok = False
    if topic.query is not None:
        query_ok, witness, terms = _evaluate(topic.query, text)
        if query_ok:
            for term in terms:
                hits.setdefault(" ".join(term.stems), (weight(text.count(term)), ""))
            clause = f"query: {witness}" if witness else None
    # any, regex and query are alternative ways in; `all` alone is a way in too
    if (topic.any or topic.regex or topic.query) and not (found or query_ok):
        why = []
        if topic.any or topic.regex:
            lists = " or ".join(k for k in ("any", "regex") if getattr(topic, k))
            why.append(f"no term of {lists} found")
        if topic.query is not None:
            why.append(f"query not satisfied: {query_text(topic.query)} "
                       f"({_why_false(topic.query, text)})")
        return miss("; ".join(why))

    score = sum(s for s, _ in hits.values())
    if score < topic.min_score:
        return miss(f"score {score:.1f} below min_score {topic.min_score:g}")
    ranked = sorted(hits.values(), key=lambda h: -h[0])
    reasons = [r for _, r in ranked if r]
    if clause:
        reasons.append(clause)
    return Match(topic.name, True, round(score, 2), tuple(reasons))


def _evaluate(node: Node, text: StoryText, parent: str = "") -> tuple[bool, str | None, list[Term]]:
    """(true?, the part of the query that made it true, the terms that hit there)."""
    if isinstance(node, TermNode):
        found = bool(text.count(node.term))
        return found, node.term.label if found else None, [node.term] if found else []
    if isinstance(node, Not):
        ok, _, _ = _evaluate(node.child, text, "NOT")
        return not ok, None, []  # an absence is not shown as a reason
    op = "AND" if isinstance(node, And) else "OR"
    results = [_evaluate(c, text, op) for c in node.children]
    ok = all(r[0] for r in results) if op == "AND" else any(r[0] for r in results)
    if not ok:
        return False, None, []
    parts = [r[1] for r in results if r[0] and r[1]]
    terms = [t for r in results if r[0] for t in r[2]]
    witness = f" {op} ".join(parts) if parts else None
    if witness and len(parts) > 1 and op == "OR" and parent == "AND":
        witness = f"({witness})"
    return True, witness, terms


def _why_false(node: Node, text: StoryText) -> str:
    """The first part of a false query that made it false: 'no Peskov', 'NOT sport: ...'."""
    if isinstance(node, TermNode):
        return f"no {node.term.label}"
    if isinstance(node, Not):
        inner = node.child
        if isinstance(inner, TermNode):
            return f"NOT {inner.term.label}: {describe(inner.term.label, text.count(inner.term))}"
        return f"NOT {query_text(inner, 'NOT')} holds"
    if isinstance(node, And):
        failed = next(c for c in node.children if not _evaluate(c, text)[0])
        return _why_false(failed, text)
    return "; ".join(_why_false(c, text) for c in node.children)


# -- assignment and ranking --------------------------------------------------------------

def assign(summaries: Sequence[StorySummary], topics: Sequence[Topic]
           ) -> tuple[dict[str, list[StorySummary]], list[StorySummary]]:
    """Each story goes to its best-scoring topic (ties: the topic named first), noting the
    others; returns {topic name: stories} and the stories matching none."""
    by_topic: dict[str, list[StorySummary]] = {t.name: [] for t in topics}
    unmatched: list[StorySummary] = []
    for summary in summaries:
        text = StoryText(summary)
        matches = [m for m in (match(t, summary, text) for t in topics) if m.matched]
        if not matches:
            unmatched.append(summary)
            continue
        # sorted() is stable: equal scores keep the order the topics were named in
        best, *others = sorted(matches, key=lambda m: -m.score)
        by_topic[best.topic].append(replace(
            summary, topic=best.topic, topic_score=best.score, reasons=best.reasons,
            other_topics=tuple(m.topic for m in others)))
    return by_topic, unmatched


def rank_key(summary: StorySummary, duplicates: dict[str, str] | None = None
             ) -> tuple[float, int, float, int, str]:
    """Order within a topic: score (to 0.1), independent outlets, latest article, size."""
    story = summary.story
    duplicates = duplicates or {}
    independent = {a.outlet for a in story.articles if a.id not in duplicates}
    latest = story.last_date or max((a.ingested_at for a in story.articles if a.ingested_at),
                                    default=None)
    return (-round(summary.topic_score, 1), -len(independent),
            -latest.timestamp() if latest else math.inf, -len(story.articles), story.id)


def build_sections(summaries: Sequence[StorySummary], topics: Sequence[Topic], *,
                   also_noted: bool = False, duplicates: dict[str, str] | None = None,
                   max_stories: int | None = None
                   ) -> tuple[tuple[BriefingSection, ...], tuple[StorySummary, ...]]:
    """One section per topic, in the order given, each ranked and cut to max_stories;
    plus the stories matching no topic when also_noted. No topics: one untitled section."""
    if not topics:
        chosen = list(summaries)[:max_stories] if max_stories else list(summaries)
        return (BriefingSection(None, tuple(chosen)),), ()
    by_topic, unmatched = assign(summaries, topics)
    sections = []
    for topic in topics:
        ranked = sorted(by_topic[topic.name], key=lambda s: rank_key(s, duplicates))
        sections.append(BriefingSection(topic.name, tuple(ranked[:max_stories] if max_stories
                                                          else ranked)))
    return tuple(sections), tuple(unmatched) if also_noted else ()


def count_matches(summaries: Sequence[StorySummary], topics: Sequence[Topic]) -> dict[str, int]:
    """How many of the stories each topic matches (a story may count for several)."""
    texts = [(s, StoryText(s)) for s in summaries]
    return {t.name: sum(1 for s, text in texts if match(t, s, text).matched) for t in topics}


def try_topic(summaries: Sequence[StorySummary], topic: Topic,
              duplicates: dict[str, str] | None = None
              ) -> tuple[list[StorySummary], list[tuple[StorySummary, Match]]]:
    """The stories a topic matches, ranked as in a briefing (topic, score and reasons
    filled in), and the others each with the reason it did not match."""
    hits, misses = [], []
    for summary in summaries:
        m = match(topic, summary)
        if m.matched:
            hits.append(replace(summary, topic=topic.name, topic_score=m.score, reasons=m.reasons))
        else:
            misses.append((summary, m))
    return sorted(hits, key=lambda s: rank_key(s, duplicates)), misses


def describe_topic(topic: Topic) -> str:
    """One line saying what a topic looks for: 'any: Kremlin, FSB; exclude: football'."""
    parts = []
    for key in ("any", "all", "exclude"):
        terms: tuple[Term, ...] = getattr(topic, key)
        if terms:
            parts.append(f"{key}: {', '.join(t.label for t in terms)}")
    if topic.query is not None:
        parts.append(f"query: {query_text(topic.query)}")
    if topic.regex:
        parts.append(f"regex: {', '.join('/' + p.pattern + '/' for p in topic.regex)}")
    if topic.outlets:
        parts.append(f"outlets: {', '.join(sorted(topic.outlets))}")
    if topic.exclude_outlets:
        parts.append(f"exclude_outlets: {', '.join(sorted(topic.exclude_outlets))}")
    if topic.min_score != 1.0:
        parts.append(f"min_score: {topic.min_score:g}")
    if topic.description:
        parts.append(f"summaries answer: {topic.description}")
    return "; ".join(parts)
