"""Articles -> stories, incrementally, through an inverted index (no all-pairs loop).

An article becomes a sparse vector of stemmed terms weighted by sublinear term
frequency times a fixed inverse frequency taken from general English usage
(wordfreq). A fixed weighting means vectors never change as the store grows,
so a story's centroid is simply the sum of its articles' vectors and can be
kept in the index. A new article asks the index for the stories sharing its
terms and scores them by cosine similarity to their centroids.

Whether it joins one of them is decided in digest.join_model, from what the index knows
of each candidate (join_model.Candidates): the cosine, the story's size and centroid norm
(which give its cohesion, how close its own articles are to each other), how well the names
in the article (capitalised words inside sentences) meet the story's, and the days since the
story's newest article.
A wire dateline ("WASHINGTON (AP) _") is left out of the vector: where a story was filed
says little about what it is.
A wire copy (the same lead sentences as a stored article) joins that
article's story whatever its score and is marked as a duplicate.
"""

from __future__ import annotations

import hashlib
import heapq
import itertools
import math
import operator
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from typing import Protocol

import numpy as np
import numpy.typing as npt

from digest import join_model, text
from digest.models import Article

CANDIDATES = 20
CORE_TERMS = 60  # the headline is chosen on each article's core terms only
TOP_TERMS = 100  # an article's vector keeps its strongest terms: enough to match, small to index
LEAD_PARAGRAPHS = 3  # the title and lead say what the story is about; they count double
LEAD_WEIGHT = 2.0
LEAD_SENTENCES = 6  # for wire-copy detection
WIRE_COPY_SHARE = 0.6
OPENERS = " \t\"'“‘(—–-_"
SENTENCE_ENDS = ".!?:;…"
# The text.WORD tokens that may start with a capital: first letters other than a-z, with the
# same token boundaries (the letter before is not in a word, nor after a joiner inside one;
# checked behind the first letter, so that the regex engine can look for that letter fast).
# Skipping the lowercase words in the regex rather than in a loop makes entities() three
# times faster.
CAPITALISED_WORD = re.compile(r"[^\W\d_a-z](?<![^\W_].)(?<![^\W_][-'’.].)[^\W_]*(?:[-'’.][^\W_]+)*")
DATELINE = re.compile(
    r"^[A-Z][A-Z.'’ -]{2,}(?:,\s[A-Z][\w.'’ -]+)?\s+(?:\([A-Za-z]+\)\s*)?[_—–-]+\s*")


@dataclass(frozen=True)
class Features:
    """What grouping needs of an article, computed once (in a worker process for big runs)."""

    vector: dict[str, float]  # unit vector of its strongest terms
    entities: dict[str, float]  # unit vector of the names it mentions
    lead_hashes: list[str]  # its lead sentences, to recognise a wire copy
    # unit vector of its CORE_TERMS strongest terms: stored, so that choosing a story's
    # headline (representative_title) needs no second pass over the text
    headline_terms: dict[str, float]


def features(article: Article) -> Features:
    ranked = _ranked_terms(article, TOP_TERMS)
    return Features(_unit(ranked), entities(article), lead_hashes(article),
                    _unit(ranked[:CORE_TERMS]))


class StoryIndex(Protocol):
    """What grouping needs from storage (storage.index.StoryIndex keeps it in SQLite)."""

    def term_counts(self, terms: list[str]) -> dict[str, int]: ...
    def probe(self, vector: dict[str, float], probes: list[str],
              limit: int) -> list[tuple[str, float]]: ...
    def centroid(self, story_id: str) -> tuple[Mapping[str, float], float]: ...
    def lead_matches(self, hashes: list[str]) -> list[tuple[str, int]]: ...
    def story_of_article(self, article_id: str) -> str | None: ...
    def story_shapes(self, story_ids: list[str]) -> dict[str, tuple[int, float]]: ...
    def story_entities(self, story_ids: list[str]) -> dict[str, dict[str, float]]: ...
    def story_last_dates(self, story_ids: list[str]) -> dict[str, datetime]: ...
    def create_story(self, story_id: str, title: str, features: Features, now: datetime,
                     last_date: datetime | None) -> None: ...
    def add_to_story(self, story_id: str, features: Features, now: datetime,
                     last_date: datetime | None) -> None: ...
    def add_article(self, article: Article, story_id: str, duplicate_of: str | None,
                    features: Features) -> None: ...
    def remove_from_story(self, story_id: str, features: Features, now: datetime) -> None: ...
    def remove_article(self, article_id: str) -> list[str]: ...
    def lead_hashes_of(self, article_id: str) -> list[str]: ...
    def set_duplicate_of(self, article_id: str, original: str | None) -> None: ...


class HeldIndex(StoryIndex, Protocol):
    """An index several workers group into at once (storage's per-story mode)."""

    def hold(self, story_id: str | None) -> None: ...
    def refresh(self) -> None: ...


@lru_cache(maxsize=500_000)
def idf(word: str) -> float:
    """Rarity of a word in general English: 'the' ~0.3, 'kremlin' ~4, unseen words 6."""
    # (imported on the first word, not with the module: wordfreq takes about 0.2 s to import
    # and 0.2 s more to read its list, which a run with nothing new to group does not need)
    from wordfreq import zipf_frequency

    return max(0.3, min(6.0, 8.0 - zipf_frequency(word, "en")))


@lru_cache(maxsize=500_000)
def _term(word: str) -> tuple[str, float] | None:
    """(stem, rarity) of a word as it appears, or None for stop words, numbers, letters."""
    lw = word.lower().replace("’", "'")
    if lw in text.stop_words() or len(lw) < 2 or any(c.isdigit() for c in lw):
        return None
    return text.stem(lw), idf(lw)


def vectorize(article: Article, top: int = TOP_TERMS) -> dict[str, float]:
    """Sparse unit vector of the article's strongest terms."""
    return _unit(_ranked_terms(article, top))


def _ranked_terms(article: Article, top: int) -> list[tuple[str, float]]:
    """The article's `top` strongest (term, weight), strongest first (ties: by term)."""
    paragraphs = _body(article)
    # Title and lead weigh LEAD_WEIGHT, the rest 1: words are counted per part, not per paragraph.
    lead = " ".join([DATELINE.sub("", article.title), *paragraphs[:LEAD_PARAGRAPHS]])
    rest = " ".join(paragraphs[LEAD_PARAGRAPHS:])
    tf: dict[str, float] = {}
    weight: dict[str, float] = {}
    for chunk, factor in ((lead, LEAD_WEIGHT), (rest, 1.0)):
        for w, count in Counter(text.words(chunk)).items():
            term = _term(w)
            if term is None:
                continue
            s, rarity = term
            tf[s] = tf.get(s, 0.0) + factor * count
            if rarity > weight.get(s, 0.0):
                weight[s] = rarity
    scored = {t: (1.0 + math.log(f)) * weight[t] for t, f in tf.items()}
    # Strongest first, equal weights by term: sorted by term, then stably by weight (what
    # heapq.nsmallest with the key (-weight, term) gives, in a third of the time).
    ranked = sorted(sorted(scored), key=scored.__getitem__, reverse=True)[:top]
    return [(t, scored[t]) for t in ranked]


def _body(article: Article) -> list[str]:
    """The article's paragraphs, a wire dateline taken off the first."""
    paragraphs = article.paragraphs
    if paragraphs:
        paragraphs[0] = DATELINE.sub("", paragraphs[0])
    return paragraphs


def _unit(weighted: list[tuple[str, float]]) -> dict[str, float]:
    norm = math.sqrt(sum(v * v for _, v in weighted)) or 1.0
    return {t: v / norm for t, v in weighted}


def entities(article: Article) -> dict[str, float]:
    """Unit vector of the capitalised words inside the body's sentences: names of people, places,
    organisations (a word opening a sentence is capitalised anyway and is skipped)."""
    counts: dict[str, float] = {}
    for n, paragraph in enumerate(_body(article)):
        factor = LEAD_WEIGHT if n < LEAD_PARAGRAPHS else 1.0
        for m in CAPITALISED_WORD.finditer(paragraph):
            word = m.group()
            if not word[0].isupper():
                continue
            before = paragraph[max(0, m.start() - 6):m.start()].rstrip(OPENERS)
            if not before or before[-1] in SENTENCE_ENDS:
                continue
            term = _term(word)
            if term is not None:
                counts[term[0]] = counts.get(term[0], 0.0) + factor
    return _unit([(t, (1.0 + math.log(f)) * idf(t)) for t, f in counts.items()])


def cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    dot = sum(w * b.get(t, 0.0) for t, w in a.items())
    norms = math.sqrt(sum(w * w for w in a.values())) * math.sqrt(sum(w * w for w in b.values()))
    return dot / norms if norms else 0.0


def lead_hashes(article: Article) -> list[str]:
    sentences: list[str] = []
    for paragraph in article.paragraphs:
        sentences.extend(text.split_sentences(paragraph))
        if len(sentences) >= LEAD_SENTENCES:
            break
    keys = {text.normalize_sentence(s) for s in sentences[:LEAD_SENTENCES] if len(s.split()) >= 6}
    return sorted(hashlib.blake2b(k.encode(), digest_size=8).hexdigest() for k in keys)


def story_id_for(article: Article) -> str:
    """A story is named after the article that started it: stable from run to run."""
    return "s" + article.id[1:13]


# -- the story index's maths: finding candidates, growing and shrinking centroids -------------
# Storage keeps the postings and centroids (storage/index.py); what they are made of and how a
# story is looked up is decided here.
PROBE_TERMS = 30  # an article's strongest terms that look up candidate stories
PROBE_MAX_ARTICLES = 2000  # a term carried by more articles than this is too common to probe with
PROBE_STORIES = 12  # stories re-scored on the article's whole vector
STORY_PROBE_TERMS = 80  # a story is found through its strongest centroid terms (story_probe)
# What an article taken out of a story leaves of a term or name it alone brought: float rounding
# of the sums (names are stored rounded to 4 decimals), dropped rather than kept as a trace.
WEIGHT_RESIDUE = 1e-9
NAME_RESIDUE = 1e-3
_ZEROS = itertools.repeat(0.0)


def candidates(index: StoryIndex, vector: dict[str, float],
               limit: int = CANDIDATES) -> list[tuple[str, float]]:
    """Stories sharing terms with vector, by cosine similarity, best first.

    The article's strongest terms that are not common in the store find the
    candidate stories (bounded work however large the store grows); the best
    of them are then scored on the whole vector.
    """
    if not vector:
        return []
    terms = list(vector)
    counts = index.term_counts(terms)
    # Strongest first, equal weights by term (a stable sort by weight of the sorted terms).
    probes = [t for t in sorted(sorted(terms), key=vector.__getitem__, reverse=True)
              if counts.get(t, 0) <= PROBE_MAX_ARTICLES][:PROBE_TERMS]
    if not probes:
        return []
    found = index.probe(vector, probes, PROBE_STORIES)
    if not found:
        return []
    norm = math.sqrt(sum(w * w for w in vector.values())) or 1.0
    scored: list[tuple[str, float]] = []
    values = list(vector.values())
    for sid, _ in found:
        weights, story_norm = index.centroid(sid)
        # In the vector's order (not a set's): the same sums, to the last bit, on every run.
        # A term the story lacks adds 0.0, which leaves a sum as it is.
        dot = sum(map(operator.mul, values, map(weights.get, terms, _ZEROS)))
        scored.append((sid, dot / max(story_norm, 1e-9) / norm))
    scored.sort(key=lambda x: (-x[1], x[0]))
    return scored[:limit]


def grow_centroid(weights: dict[str, float], norm: float, vector: Mapping[str, float]) -> float:
    """Add an article's vector to a story's centroid weights (in place); returns the new norm."""
    # |c + v|^2 = |c|^2 + sum over v's terms of (2 c_t + v_t) v_t.
    norm_sq = norm ** 2 + sum((2.0 * weights.get(t, 0.0) + w) * w for t, w in vector.items())
    for t, w in vector.items():
        weights[t] = weights.get(t, 0.0) + w
    return math.sqrt(max(norm_sq, 0.0))


def shrink_centroid(weights: dict[str, float], vector: Mapping[str, float]) -> float:
    """Take an article's vector out of a story's centroid weights (in place); returns the norm."""
    for t, w in vector.items():
        left = weights.get(t, 0.0) - w
        if left > WEIGHT_RESIDUE:
            weights[t] = left
        else:  # only this article carried the term: what is left is rounding
            weights.pop(t, None)
    # Summed afresh, not |c|^2 - ...: a difference of squares would keep the rounding.
    return math.sqrt(sum(w * w for w in weights.values()))


def add_names(names: dict[str, float], mentioned: Mapping[str, float]) -> None:
    """Add an article's names to a story's (in place)."""
    for t, w in mentioned.items():
        # Rounded as stored (the weights only decide a veto): memory and file agree exactly.
        names[t] = round(names.get(t, 0.0) + w, 4)


def remove_names(names: dict[str, float], mentioned: Mapping[str, float]) -> None:
    """Take an article's names out of a story's (in place)."""
    for t, w in mentioned.items():
        left = round(names.get(t, 0.0) - w, 4)
        if left > NAME_RESIDUE:
            names[t] = left
        else:  # the article brought the name, or rounding left a trace of it
            names.pop(t, None)


def probe_terms(weights: Mapping[str, float]) -> set[str]:
    """A story's STORY_PROBE_TERMS strongest terms (ties: by term)."""
    return set(heapq.nsmallest(STORY_PROBE_TERMS, weights, key=lambda t: (-weights[t], t)))


def probe_terms_after_growth(weights: Mapping[str, float], top: set[str],
                             vector: Mapping[str, float]) -> set[str]:
    """A story's strongest terms once an article's vector was added to its weights."""
    if len(top) < STORY_PROBE_TERMS or _enters_probe(weights, top, vector):
        # Weights only grow, and only the article's terms grew: a term neither in the top
        # nor in the article still ranks below every term of the top, so the new top is
        # the best of those two sets (at most 180 terms, not the whole centroid).
        contenders = top.union(vector)
        return set(heapq.nsmallest(STORY_PROBE_TERMS, contenders,
                                   key=lambda t: (-weights[t], t)))
    return top


def _enters_probe(weights: Mapping[str, float], top: set[str], vector: Mapping[str, float]) -> bool:
    """Whether one of the article's terms now outranks the weakest of the story's top terms
    (weights only grow, so nothing else can change the top)."""
    weakest = max((-weights[t], t) for t in top)
    return any((-weights[t], t) < weakest for t in vector if t not in top)


class Chooser(Protocol):
    """Decides which candidate story a newcomer joins (None: it starts one)."""

    @property
    def needs_gap(self) -> bool: ...  # whether it reads Candidates.gap_days (a query more)
    def choose(self, c: join_model.Candidates) -> str | None: ...


def join_candidates(index: StoryIndex, features: Features,
                    date: datetime | None) -> join_model.Candidates:
    """The stories the index finds for the newcomer, with what the join decision needs of each."""
    found = candidates(index, features.vector, CANDIDATES)
    ids = [sid for sid, _ in found]
    shapes = index.story_shapes(ids) if ids else {}
    last = index.story_last_dates(ids) if ids and date is not None else {}
    size = np.empty(len(ids))
    norm = np.empty(len(ids))
    gap = np.full(len(ids), np.nan)
    for i, sid in enumerate(ids):
        size[i], norm[i] = shapes.get(sid, (1, 1.0))
        newest = last.get(sid)
        if newest is not None and date is not None:
            gap[i] = (_naive(date) - _naive(newest)).total_seconds() / 86400.0

    def names_of(which: Sequence[int]) -> npt.NDArray[np.float64]:
        picked = [ids[i] for i in which]
        stored = index.story_entities(picked) if picked and features.entities else {}
        # Without names on either side there is nothing to compare: NaN.
        return np.array([cosine(features.entities, stored[sid]) if stored.get(sid) else np.nan
                         for sid in picked], dtype=np.float64)

    return join_model.Candidates(tuple(ids), np.array([score for _, score in found]), size, norm,
                                 gap, names_of)


def _naive(d: datetime) -> datetime:
    """A date as naive UTC (stored dates may be either)."""
    return d.astimezone(UTC).replace(tzinfo=None) if d.tzinfo else d


def best_story(index: StoryIndex, features: Features, date: datetime | None = None,
               chooser: Chooser | None = None) -> str | None:
    """The candidate story the newcomer joins, if any."""
    decide: Chooser = chooser or join_model.HandRule()
    return decide.choose(join_candidates(index, features, date if decide.needs_gap else None))


def place(index: StoryIndex, article: Article, now: datetime, *,
          prepared: Features | None = None, chooser: Chooser | None = None) -> str:
    """Put one article into its story (joining or starting one); returns the story id.

    `prepared`, if given, is features(article) computed beforehand (in a worker process);
    `chooser` replaces the hand rule (bench/eval_grouping.py compares decisions).
    """
    f = prepared or features(article)
    return _put(index, article, now, f, *decide(index, article, f, chooser))


# A decision taken again after its story was locked, and changed by what another worker
# committed meanwhile, is tried with the new story this many times; then every other
# worker's grouping is waited for (rare: the figures are in docs/benchmarks.md §14).
HOLD_TRIES = 3


def place_held(index: HeldIndex, article: Article, now: datetime, *,
               prepared: Features | None = None, chooser: Chooser | None = None) -> str:
    """place, with other workers grouping into the same index at once.

    The decision is taken on what is committed; then the story it joins is locked (or, to
    found a story, every other worker's grouping is waited for) and the decision taken
    again on what is committed now. The same answer stands: no one else changes that story,
    or founds one, before this COMMIT. Other stories may still grow meanwhile, so a
    newcomer may miss a better story that another worker was joining at that very moment.
    """
    f = prepared or features(article)
    index.refresh()
    decision = decide(index, article, f, chooser)
    for _ in range(HOLD_TRIES):
        index.hold(decision[0])
        again = decide(index, article, f, chooser)
        if again == decision:
            break
        decision = again
    else:
        index.hold(None)
        decision = decide(index, article, f, chooser)
        index.hold(decision[0])  # a no-op for a new story: held already
    return _put(index, article, now, f, *decision)


def decide(index: StoryIndex, article: Article, f: Features,
           chooser: Chooser | None = None) -> tuple[str | None, str | None]:
    """(the story the article joins, None for a new one; the stored article it copies)."""
    hashes = f.lead_hashes
    duplicate_of = None
    story_id = None
    for other_id, shared in index.lead_matches(hashes):
        if hashes and shared / len(hashes) >= WIRE_COPY_SHARE:
            duplicate_of = other_id
            story_id = index.story_of_article(other_id)
            break
    if story_id is None:
        story_id = best_story(index, f, article.date, chooser)
    return story_id, duplicate_of


def _put(index: StoryIndex, article: Article, now: datetime, f: Features,
         story_id: str | None, duplicate_of: str | None) -> str:
    if story_id is None:
        story_id = story_id_for(article)
        index.create_story(story_id, article.title, f, now, article.date)
    else:
        index.add_to_story(story_id, f, now, article.date)
    index.add_article(article, story_id, duplicate_of, f)
    return story_id


def unplace(index: StoryIndex, article: Article, now: datetime) -> list[str]:
    """Take a stored article out of its story, the inverse of place (its file changed).

    Its vectors are computed again from the stored title and text, which give what place
    added. Returns the articles that were marked as copies of it (see recheck_copies).
    """
    story_id = index.story_of_article(article.id)
    if story_id is None:
        return []
    index.remove_from_story(story_id, features(article), now)
    return index.remove_article(article.id)


def recheck_copies(index: StoryIndex, copies: list[str]) -> None:
    """Articles whose original was taken out: a copy of another stored article (the original's
    new version, say) if they share its lead as place asks, else no copy. They stay in their
    story: a changed article moves only itself."""
    for copy in copies:
        hashes = index.lead_hashes_of(copy)
        original = None
        for other_id, shared in index.lead_matches(hashes):
            if other_id != copy and hashes and shared / len(hashes) >= WIRE_COPY_SHARE:
                original = other_id
                break
        index.set_duplicate_of(copy, original)


def representative_title(articles: list[Article],
                         headline_terms: Mapping[str, dict[str, float]] | None = None) -> str:
    """The headline of the article closest to the story's centroid (ties: earliest).

    headline_terms: Features.headline_terms of some articles by id, as stored (the others
    are computed here).
    """
    known = headline_terms or {}
    vectors = [known.get(a.id) or vectorize(a, CORE_TERMS) for a in articles]
    centroid: dict[str, float] = {}
    for v in vectors:
        for t, w in v.items():
            centroid[t] = centroid.get(t, 0.0) + w
    best = max(range(len(articles)),
               key=lambda i: (sum(w * centroid.get(t, 0.0) for t, w in vectors[i].items()), -i))
    return articles[best].title
