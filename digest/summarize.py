"""Story -> attributed extractive summary (the only module importing sumy).

Every article of a story is split into sentences; a sentence carried word for
word by several articles becomes one unit credited to all of them. A method
ranks the units; selection then walks the ranking, skipping any sentence that
says what an already chosen one says (its articles are noted as `similar`),
until the length budget is used. Chosen sentences are printed in story order
(earliest article first, then position in the article).

sumy's summarizers are used as they come for every method named after them.
Its graph methods are quadratic in pure Python, so digest's own methods do
the same maths on SciPy sparse matrices: `fast-lexrank` is sumy's LexRank,
vectorized; `digest` (the default) scores centrality against the story
centroid, lead position and corroboration by several outlets, then selects
with `select_novel`: each sentence's score is discounted by the share of its
word pairs (reported by several articles) that chosen sentences already
cover, so the summary spends its budget on what has not been said yet.
(An exact integer program over the same word pairs, Gillick & Favre style,
was tried and scored lower on the development sets: see docs/benchmarks.md.)

An *update* (`summarize_for_reader`) is what a reader who already has some of the story's
articles has not read: only sentences of the articles new to them are candidates, ranked
against the new articles' centroid; the sentences of the articles they have are already-said
context in the same selection (their word pairs count half, a candidate close to one of them
loses rank), and a candidate that restates a sentence they were actually sent is never
taken. The headline is the newest article's, its sentences come first, and at most
one earlier sentence is kept as context.

A *focus* (what a reader following a topic wants to know: the topic's description and
terms, `topics.Topic.focus`) tilts the `digest` ranking towards the sentences that answer
it: each sentence's centrality to the centroid is blended with its cosine to the focus,
weighed in the same TF-IDF space (the story's idf), so a sentence sharing the focus's rare
words gains most. Without a focus the summary is exactly the generic one.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from functools import lru_cache
from typing import Any

import numpy as np
import scipy.sparse as sp

from digest import figures, text
from digest.errors import SummarizeError
from digest.models import Article, Story, StorySummary, SummarySentence, Update

SUMY_METHODS = ("lexrank", "textrank", "lsa", "luhn", "kl", "sumbasic")
OWN_METHODS = ("digest", "fast-lexrank")
METHODS = (*OWN_METHODS, *SUMY_METHODS)
DEFAULT_METHOD = "digest"
DEFAULT_WORDS = 120
REDUNDANT = 0.5  # cosine above which two sentences say the same thing
MIN_WORDS, MAX_WORDS = 6, 80
WHOLE = (".", "!", '"', "”", "’", "'", ")", "…")  # how a whole sentence ends (a cut one does not)
MAX_CANDIDATES = 150  # best-ranked sentences the selection considers (bounds work on big stories)
MAX_CONCEPTS = 2000
CONCEPT_FLOOR = 2  # a word pair counts when this many articles report it
LEAD_SENTENCES = 3
LEAD_BONUS = 1.0  # a pair reported in an article's first sentences counts once more
NOVELTY_FLOOR = 0.6  # what a sentence saying nothing new keeps of its rank score
# Share of a sentence's centrality taken from its cosine to the reader's focus (the rest from
# the centroid): chosen on DUC 2007 update stories D0703A-D0721E (docs/benchmarks.md, 2b).
FOCUS_WEIGHT = 0.4


@dataclass(frozen=True)
class UpdateWeights:
    """How an update summary weighs what the reader already has (chosen on DUC 2007 update
    stories D0703A-D0721E, checked on the other five: docs/benchmarks.md, "Updates")."""

    novelty_floor: float = 0.6  # NOVELTY_FLOOR for updates
    known_pair_keep: float = 0.5  # what a word pair the seen articles report still counts
    known_penalty: float = 0.6  # rank x (1 - this x cosine to the closest seen sentence)
    known_redundant: float = 1.0  # cosine to a seen sentence above which a candidate is old
    #                               (1.0: none; lower cuts cost recall on the tuning stories)
    context_min: float = 0.15  # cosine an earlier sentence needs to be shown as context


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


# -- term matrices ----------------------------------------------------------
def term_matrix(units: Sequence[Unit], terms: Sequence[list[str]] | None = None
                ) -> tuple[sp.csr_matrix, dict[str, int]]:
    """Raw term counts, one row per unit (its own terms unless others are given)."""
    vocab: dict[str, int] = {}
    rows = terms if terms is not None else [u.terms for u in units]
    cols = [vocab.setdefault(t, len(vocab)) for row in rows for t in row]
    row_of = np.repeat(np.arange(len(rows)), [len(row) for row in rows])
    # A term repeated in a sentence gives repeated (row, column) entries: summed into its count.
    m = sp.csr_matrix((np.ones(len(cols)), (row_of, np.array(cols, dtype=np.int64))),
                      shape=(len(units), len(vocab)))
    m.sum_duplicates()
    return m, vocab


def _l2_rows(m: sp.csr_matrix) -> sp.csr_matrix:
    norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sp.diags(1.0 / norms) @ m


def tfidf(units: Sequence[Unit]) -> sp.csr_matrix:
    """Row-normalised TF-IDF (sublinear tf, smoothed idf over the story's sentences)."""
    return tfidf_space(units)[0]


def tfidf_space(units: Sequence[Unit]) -> tuple[sp.csr_matrix, dict[str, int], np.ndarray]:
    """`tfidf(units)` with the space it is in: the vocabulary (term -> column) and the idf."""
    counts, vocab = term_matrix(units)
    if counts.shape[1] == 0:
        return counts, vocab, np.zeros(0)
    df = np.bincount(counts.indices, minlength=counts.shape[1])
    idf = np.log((1 + counts.shape[0]) / (1 + df)) + 1.0
    weighted = counts.copy()
    weighted.data = 1.0 + np.log(weighted.data)
    return _l2_rows(weighted @ sp.diags(idf)), vocab, idf


def focus_relevance(units: Sequence[Unit], focus: Unit,
                    space: tuple[sp.csr_matrix, dict[str, int], np.ndarray] | None = None
                    ) -> np.ndarray:
    """Each unit's cosine to the focus, in the units' TF-IDF space (`space`, as
    `tfidf_space(units)`).

    The focus is weighted with the units' idf and only its terms the units use count (a word
    no sentence has cannot tell sentences apart), so one sentence per story is not added to
    the idf and the ranking of a story without a focus is untouched.
    """
    x, vocab, idf = space if space is not None else tfidf_space(units)
    q = np.zeros(x.shape[1])
    for term, n in Counter(focus.terms).items():  # the focus's few terms, not the story's
        col = vocab.get(term)
        if col is not None:
            q[col] = (1.0 + np.log(n)) * idf[col]
    norm = np.linalg.norm(q)
    if norm == 0:
        return np.zeros(len(units))
    return np.asarray(x @ (q / norm)).ravel()


def focus_unit(focus: str | None) -> Unit | None:
    """The reader's focus as a unit (its terms analysed as a sentence's), or None."""
    if focus is None or not focus.strip():
        return None
    unit = _unit(focus, [], 0, 0)
    return unit if unit.terms else None


# -- rankers ------------------------------------------------------------------------
def rank_digest(units: Sequence[Unit], n_articles: int, focus: Unit | None = None,
                focus_weight: float = FOCUS_WEIGHT) -> np.ndarray:
    """Centrality to the story centroid x lead position x corroboration; with a focus, the
    centrality is blended with the cosine to it."""
    space = tfidf_space(units)
    x = space[0]
    article_of = np.array([u.article_index for u in units])
    # Each article weighs the same in the centroid, however long it is.
    membership = sp.csr_matrix((np.ones(len(units)), (article_of, np.arange(len(units)))),
                               shape=(n_articles, len(units)))
    centroid = np.asarray(_l2_rows(membership @ x).sum(axis=0)).ravel()
    norm = np.linalg.norm(centroid) or 1.0
    centrality = np.asarray(x @ (centroid / norm)).ravel()
    if focus is not None:
        centrality = ((1.0 - focus_weight) * centrality
                      + focus_weight * focus_relevance(units, focus, space))
    position = np.array([1.0 + 0.6 / (1.0 + u.position) for u in units])
    sources = np.array([len(u.sources) for u in units], dtype=float)
    corroboration = 1.0 + 0.25 * np.log2(sources)
    length = np.array([min(1.0, u.n_words / 12.0) for u in units])
    scores: np.ndarray = np.asarray(centrality).ravel() * position * corroboration * length
    return scores


def rank_fast_lexrank(units: Sequence[Unit], threshold: float = 0.1,
                      epsilon: float = 0.1) -> np.ndarray:
    """sumy's LexRank maths on sparse matrices: same tf, idf, threshold and power method."""
    n = len(units)
    counts, _ = term_matrix(units, [_sumy_terms(u.text) for u in units])
    if counts.shape[1] == 0:
        return np.full(n, 1.0 / max(n, 1))
    max_tf = counts.max(axis=1).toarray().ravel()
    max_tf[max_tf == 0] = 1.0
    tf = sp.diags(1.0 / max_tf) @ counts
    binary = counts.copy()
    binary.data[:] = 1.0
    df = np.asarray(binary.sum(axis=0)).ravel()
    idf = np.log(n / (1.0 + df))
    w = sp.csr_matrix(tf @ sp.diags(idf))
    norms = np.sqrt(np.asarray(w.multiply(w).sum(axis=1)).ravel())
    sim = sp.csr_matrix(w @ w.T)
    sim = sp.csr_matrix(sp.diags(_inv(norms)) @ sim @ sp.diags(_inv(norms)))
    adj = sp.csr_matrix(sim > threshold, dtype=float)
    degrees = np.asarray(adj.sum(axis=1)).ravel()
    degrees[degrees == 0] = 1.0
    matrix_t = sp.csr_matrix((sp.diags(1.0 / degrees) @ adj).T)
    p = np.full(n, 1.0 / n)
    delta = 1.0
    while delta > epsilon:
        nxt = matrix_t @ p
        nxt /= np.linalg.norm(nxt) or 1.0
        delta = float(np.linalg.norm(nxt - p))
        p = nxt
    # sumy's exact ties (symmetric sentences) come out here as rounding noise: keep them ties.
    return np.round(p, 12)


def _sumy_terms(sentence: str) -> list[str]:
    """Words as sumy's LexRank sees them: lowercased, stop words out, NLTK-stemmed, numbers kept."""
    stops = text.stop_words()
    return [_nltk_stem(w) for w in (w.lower() for w in text.words(sentence)) if w not in stops]


@lru_cache(maxsize=200_000)
def _nltk_stem(word: str) -> str:
    # sumy stems with NLTK's Snowball, which differs from PyStemmer's on a few words.
    return str(_nltk_stemmer().stem(word))


@lru_cache(maxsize=1)
def _nltk_stemmer() -> Any:
    from nltk.stem.snowball import EnglishStemmer

    return EnglishStemmer()


def _inv(v: np.ndarray) -> np.ndarray:
    out = np.zeros_like(v)
    out[v > 0] = 1.0 / v[v > 0]
    return out


class _SumyTokenizer:
    """sumy asks only for to_sentences/to_words; ours needs no NLTK data."""

    language = "english"

    def to_sentences(self, paragraph: str) -> tuple[str, ...]:
        return tuple(text.split_sentences(paragraph))

    def to_words(self, sentence: str) -> tuple[str, ...]:
        return tuple(text.words(sentence))


def rank_sumy(units: Sequence[Unit], method: str) -> np.ndarray:
    """Run a sumy summarizer as it comes and read back its full ranking."""
    from sumy.models.dom import ObjectDocumentModel, Paragraph, Sentence
    from sumy.nlp.stemmers import Stemmer
    from sumy.summarizers.kl import KLSummarizer
    from sumy.summarizers.lex_rank import LexRankSummarizer
    from sumy.summarizers.lsa import LsaSummarizer
    from sumy.summarizers.luhn import LuhnSummarizer
    from sumy.summarizers.sum_basic import SumBasicSummarizer
    from sumy.summarizers.text_rank import TextRankSummarizer

    classes: dict[str, Any] = {
        "lexrank": LexRankSummarizer, "textrank": TextRankSummarizer, "lsa": LsaSummarizer,
        "luhn": LuhnSummarizer, "kl": KLSummarizer, "sumbasic": SumBasicSummarizer,
    }
    tokenizer = _SumyTokenizer()
    sentences = [Sentence(u.text, tokenizer) for u in units]
    document = ObjectDocumentModel([Paragraph(sentences)])
    summarizer = classes[method](Stemmer("english"))
    summarizer.stop_words = text.stop_words()
    order: list[Any] = []

    def take_all(infos: Sequence[Any]) -> Sequence[Any]:
        order.extend(infos)  # sumy hands over every sentence, best rated first
        return infos

    summarizer(document, take_all)
    index = {s: i for i, s in enumerate(sentences)}
    scores = np.zeros(len(units))
    for rank, info in enumerate(order):
        scores[index[info.sentence]] = len(order) - rank
    return scores


def rank(units: Sequence[Unit], method: str, n_articles: int, focus: Unit | None = None,
         focus_weight: float = FOCUS_WEIGHT) -> np.ndarray:
    """Scores of the units, higher is better; a focus counts with the `digest` method only."""
    if method == "digest":
        return rank_digest(units, n_articles, focus, focus_weight)
    if method == "fast-lexrank":
        return rank_fast_lexrank(units)
    if method in SUMY_METHODS:
        return rank_sumy(units, method)
    raise SummarizeError(f"unknown summary method {method!r}; choose one of {', '.join(METHODS)}")


# -- concept coverage (the default method's selection) ------------------------------------
def bigrams(unit: Unit) -> set[tuple[str, str]]:
    """Stemmed word pairs of a sentence, except pairs of two stop words."""
    stops = text.stop_words()
    stems = unit.stems
    stop = [t in stops for t in unit.tokens]
    # Each word with the next (the shifted lists are one shorter: zip stops there).
    return {(a, b) for a, b, stop_a, stop_b in zip(stems, stems[1:], stop, stop[1:], strict=False)
            if not (stop_a and stop_b)}


def concept_weights(units: Sequence[Unit], n_articles: int
                    ) -> tuple[list[tuple[str, str]], np.ndarray, sp.csr_matrix]:
    """Word pairs reported by several articles, weighted by how many; unit x concept incidence."""
    pairs = [bigrams(u) for u in units]
    # The articles reporting a pair, as a bit mask (one bit per article): OR-ing ints is
    # several times faster than updating sets, and int.bit_count() counts them.
    bit: dict[str, int] = {}
    reporters: dict[tuple[str, str], int] = {}
    leads: dict[tuple[str, str], int] = {}
    for u, ps in zip(units, pairs, strict=True):
        mask = 0
        for aid in u.sources:
            mask |= 1 << bit.setdefault(aid, len(bit))
        get = reporters.get
        for p in ps:
            reporters[p] = get(p, 0) | mask
        if u.position < LEAD_SENTENCES:
            get = leads.get
            for p in ps:
                leads[p] = get(p, 0) | mask
    # What several outlets say is the story; with few articles, what one says twice.
    floor = CONCEPT_FLOOR if n_articles >= 2 else 1
    # r & (r - 1) is not 0 when r has two bits or more: most pairs have one reporter.
    kept = reporters.items() if floor < 2 else [(p, r) for p, r in reporters.items() if r & (r - 1)]
    counted = sorted((-r.bit_count(), p) for p, r in kept if r.bit_count() >= floor)
    concepts = [p for _, p in counted[:MAX_CONCEPTS]]
    index = {p: j for j, p in enumerate(concepts)}
    weights = np.array([reporters[p].bit_count() + LEAD_BONUS * leads.get(p, 0).bit_count()
                        for p in concepts], dtype=float)
    rows, cols = [], []
    for i, ps in enumerate(pairs):
        for p in ps:
            j = index.get(p)
            if j is not None:
                rows.append(i)
                cols.append(j)
    incidence = sp.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(units), len(concepts)))
    return concepts, weights, incidence


def select_novel(units: Sequence[Unit], scores: np.ndarray, n_articles: int, *,
                 sentences: int | None, words: int | None, known: Sequence[Unit] = (),
                 said: Sequence[bool] = (), weights: UpdateWeights | None = None
                 ) -> list[Unit] | None:
    """Best ranked first, each sentence's rank discounted by how much of it is already said.

    A sentence's worth is its rank score times (NOVELTY_FLOOR + (1 - NOVELTY_FLOOR) x the
    share of its reported word pairs, weighted by how many articles report them, that no
    chosen sentence covers yet). The most worthy sentence that fits the budget is taken,
    coverage is updated, and so on; a sentence that restates a chosen one (cosine above
    REDUNDANT) is never taken and its articles are credited as `similar`.
    For an update, `known` are the sentences of the articles the reader has (`said` marks
    those they were sent): they count as chosen before the first pick (see UpdateWeights).
    None when the story has no reported word pairs (then the plain ranking is used).
    """
    if sentences is None and words is None:
        words = DEFAULT_WORDS
    order = np.argsort(-scores, kind="stable")[:MAX_CANDIDATES]
    pool = [units[i] for i in order]
    concepts, concept_weight, incidence = concept_weights(pool, n_articles)
    if not concepts:
        return None
    floor = NOVELTY_FLOOR if weights is None else weights.novelty_floor
    lengths = np.array([u.n_words for u in pool], dtype=float)
    rank_score = scores[order] / (np.max(np.abs(scores[order])) or 1.0)
    total = np.maximum(np.asarray(incidence @ concept_weight).ravel(), 1e-9)
    uncovered = concept_weight.copy()
    marked = [(u, i < len(said) and bool(said[i])) for i, u in enumerate(known) if u.terms]
    known = [u for u, _ in marked]
    said_mask = np.array([m for _, m in marked], dtype=bool)
    x = tfidf([*pool, *known])
    x_known = x[len(pool):]
    x = x[:len(pool)]
    # Every pair of the pool at once (at most MAX_CANDIDATES squared): one sparse product,
    # not one per chosen sentence.
    similarity = (x @ x.T).toarray()
    closest = np.zeros(len(pool))
    available = np.ones(len(pool), dtype=bool)
    if known:
        w = weights or UpdateWeights()
        to_known = np.asarray((x @ x_known.T).toarray())
        nearest = to_known.max(axis=1)
        rank_score = rank_score * (1.0 - w.known_penalty * nearest)
        available &= nearest <= w.known_redundant
        if said_mask.any():  # what the reader was sent is as good as chosen
            closest = to_known[:, said_mask].max(axis=1)
        seen_pairs: set[tuple[str, str]] = set()
        for u in known:
            seen_pairs |= bigrams(u)
        old = np.array([p in seen_pairs for p in concepts], dtype=bool)
        uncovered[old] *= w.known_pair_keep
    chosen: list[int] = []
    used = 0.0
    while sentences is None or len(chosen) < sentences:
        fits = available & (closest <= REDUNDANT)
        if words is not None and chosen:
            fits &= used + lengths <= words
        if not fits.any():
            break
        novelty = np.asarray(incidence @ uncovered).ravel() / total
        worth = rank_score * (floor + (1.0 - floor) * novelty)
        i = int(np.argmax(np.where(fits, worth, -np.inf)))
        chosen.append(i)
        available[i] = False
        used += lengths[i]
        uncovered[incidence.indices[incidence.indptr[i]:incidence.indptr[i + 1]]] = 0.0
        closest = np.maximum(closest, similarity[i])
        if words is not None and used >= words:
            break
    # Credit the articles that say what a chosen sentence says in other words.
    for i in chosen:
        for j in np.nonzero(similarity[i] > REDUNDANT)[0].tolist():
            if j != i:
                _note_similar(pool[i], pool[j])
    return [pool[i] for i in chosen]


# -- selection ------------------------------------------------------------------------
def select(units: Sequence[Unit], scores: np.ndarray, *, sentences: int | None,
           words: int | None) -> list[Unit]:
    """Best first, skipping what repeats a chosen sentence, within the length budget."""
    if sentences is None and words is None:
        words = DEFAULT_WORDS
    x = tfidf(units)
    chosen: list[int] = []
    # Similarity of every unit to its closest chosen one, updated as sentences are chosen.
    closest = np.zeros(len(units))
    closest_to = np.zeros(len(units), dtype=int)
    used_words = 0
    for i in np.argsort(-scores, kind="stable"):
        if sentences is not None and len(chosen) >= sentences:
            break
        if chosen and closest[i] > REDUNDANT:
            _note_similar(units[closest_to[i]], units[i])
            continue
        n = units[i].n_words
        if words is not None and chosen and used_words + n > words:
            continue  # a shorter sentence further down may still fit
        chosen.append(int(i))
        sims = np.asarray((x @ x[int(i)].T).todense()).ravel()
        better = sims > closest
        closest[better] = sims[better]
        closest_to[better] = i
        used_words += n
        if words is not None and used_words >= words:
            break
    return [units[i] for i in chosen]


def _note_similar(kept: Unit, dropped: Unit) -> None:
    for aid in dropped.sources:
        if aid not in kept.sources and aid not in kept.similar:
            kept.similar.append(aid)


def check_method(method: str | None) -> str:
    """The summary method's name, or SummarizeError if there is no such method."""
    method = (method or DEFAULT_METHOD).lower()
    if method not in METHODS:
        raise SummarizeError(f"unknown summary method {method!r}; choose one of {', '.join(METHODS)}")
    return method


def summarize_story(story: Story, *, method: str | None = None, sentences: int | None = None,
                    words: int | None = None, focus: str | None = None,
                    focus_weight: float = FOCUS_WEIGHT) -> StorySummary:
    """An extractive summary of all the story's articles, each sentence credited; `focus`
    (what the reader wants to know) favours the sentences that answer it."""
    method = check_method(method)
    units = [u for u in units_of(story) if eligible(u)]
    chosen: list[Unit] = []
    if units:
        scores = rank(units, method, len(story.articles), focus_unit(focus), focus_weight)
        picked = None
        if method == "digest":
            picked = select_novel(units, scores, len(story.articles), sentences=sentences,
                                  words=words)
        chosen = picked if picked is not None else select(units, scores, sentences=sentences,
                                                          words=words)
    chosen.sort(key=lambda u: (u.article_index, u.position))
    lines = figures.story_figures(story.articles)
    return StorySummary(
        story=story,
        sentences=tuple(SummarySentence(u.text, tuple(u.sources), tuple(u.similar)) for u in chosen),
        discrepancies=figures.discrepancies(lines),
        figures=lines,
        method=method,
    )


def rank_sentences(sentences: Sequence[str], method: str) -> list[int]:
    """Indices of plain sentences, best first (benchmarks compare methods with this)."""
    units = [_unit(sentence, ["x"], 0, i) for i, sentence in enumerate(sentences)]
    scores = rank(units, method, 1)
    return [int(i) for i in np.argsort(-scores, kind="stable")]


# -- what is new to one reader ----------------------------------------------------------------
def summarize_for_reader(story: Story, seen: Collection[str], *, sent: Collection[str] = (),
                         since: datetime | None = None, method: str | None = None,
                         sentences: int | None = None, words: int | None = None,
                         weights: UpdateWeights | None = None, focus: str | None = None,
                         focus_weight: float = FOCUS_WEIGHT) -> StorySummary:
    """The story as this reader should get it: "new" (a summary of all of it), "updated"
    (what the articles they have not received add) or "unchanged" (nothing new to them).

    `seen` are the ids of the articles they received, `sent` the `sentence_key`s of the
    summary sentences they were sent in this story, `since` when they last got a digest,
    `focus` what they want to know of it (see summarize_story).
    """
    method = check_method(method)
    have = {a.id for a in story.articles}.intersection(seen)
    unseen = [a for a in story.articles if a.id not in have]
    if not have or not unseen:
        summary = summarize_story(story, method=method, sentences=sentences, words=words,
                                  focus=focus, focus_weight=focus_weight)
        fresh = not have
        return replace(summary, status="new" if fresh else "unchanged",
                       sentences=tuple(replace(x, new=fresh) for x in summary.sentences))
    all_units = units_of(story)
    sent_keys = set(sent)
    known, said, candidates = [], [], []
    for u in all_units:
        if have.intersection(u.sources):  # the reader had an article carrying it
            if not u.tokens:
                _analyse(u)
            known.append(u)
            said.append(sentence_key(u.text) in sent_keys)
        elif eligible(u) and sentence_key(u.text) not in sent_keys:
            candidates.append(u)
    chosen: list[Unit] = []
    if candidates:
        scores = rank(candidates, method, len(story.articles), focus_unit(focus), focus_weight)
        picked = None
        if method == "digest":
            picked = select_novel(candidates, scores, len(unseen), sentences=sentences,
                                  words=words, known=known, said=said, weights=weights)
        if picked is None:
            told = [u for u, m in zip(known, said, strict=True) if m and u.terms]
            keep = _not_restating(candidates, told)
            picked = select([candidates[i] for i in keep], scores[keep], sentences=sentences,
                            words=words) if keep else []
        chosen = picked
    # Newest development first, as the headline: the latest article's sentences lead.
    latest_first = sorted(unseen, key=_recency, reverse=True)
    recency = {a.id: r for r, a in enumerate(latest_first)}
    chosen.sort(key=lambda u: (min(recency.get(s, len(recency)) for s in u.sources), u.position))
    context = _context_line(chosen, known, said, weights or UpdateWeights())
    newest = latest_first[0]
    lines = figures.story_figures(story.articles)
    return StorySummary(
        story=story,
        sentences=tuple(SummarySentence(u.text, tuple(u.sources), tuple(u.similar), new=True)
                        for u in chosen),
        discrepancies=figures.discrepancies(lines),
        figures=lines,
        method=method,
        status="updated",
        update=Update(headline=_headline(newest), headline_source=newest.id,
                      headline_date=newest.date or newest.ingested_at,
                      new_articles=tuple(a.id for a in unseen), since=since,
                      context=context),
    )


def _recency(article: Article) -> tuple[bool, datetime]:
    """Later is larger; a dated article is later than an undated one (whose only time is
    when it was received, which says little about when it was written)."""
    return (article.date is not None, article.date or article.ingested_at or datetime.min)


def _headline(article: Article) -> str:
    """The article's headline, or the first words of its lead when it has none."""
    if article.title.strip():
        return article.title.strip()
    lead = text.split_sentences(article.paragraphs[0])[0] if article.paragraphs else ""
    return " ".join(lead.split()[:14])


def _not_restating(candidates: list[Unit], told: list[Unit]) -> list[int]:
    """Indices of the candidates that do not restate (cosine above REDUNDANT) a sentence told."""
    if not told:
        return list(range(len(candidates)))
    x = tfidf([*candidates, *told])
    nearest = np.asarray((x[:len(candidates)] @ x[len(candidates):].T).max(axis=1).toarray()).ravel()
    return np.nonzero(nearest <= REDUNDANT)[0].tolist()


def _context_line(chosen: list[Unit], known: list[Unit], said: list[bool],
                  weights: UpdateWeights) -> SummarySentence | None:
    """The earlier sentence closest to what is new (one the reader was sent, if any fits)."""
    if not chosen:
        return None
    told = [u for u, m in zip(known, said, strict=True) if m and u.terms]
    pool = told or [u for u in known if eligible(u)]
    if not pool:
        return None
    x = tfidf([*chosen, *pool])
    new_part = np.asarray(x[:len(chosen)].sum(axis=0)).ravel()
    new_part /= np.linalg.norm(new_part) or 1.0
    fit = np.asarray(x[len(chosen):] @ new_part).ravel()
    best = int(np.argmax(fit))
    if fit[best] < weights.context_min:
        return None
    u = pool[best]
    return SummarySentence(u.text, tuple(u.sources), (), new=False)
