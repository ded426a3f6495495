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
vectorized, with the same ranking; `digest` (the default) scores centrality
against the story centroid, lead position and corroboration by several
outlets, and removes redundancy as it selects.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp

from digest import figures, text
from digest.errors import SummarizeError
from digest.models import Story, StorySummary, SummarySentence

SUMY_METHODS = ("lexrank", "textrank", "lsa", "luhn", "kl", "sumbasic")
OWN_METHODS = ("digest", "fast-lexrank")
METHODS = (*OWN_METHODS, *SUMY_METHODS)
DEFAULT_METHOD = "digest"
DEFAULT_WORDS = 120
REDUNDANT = 0.5  # cosine above which two sentences say the same thing
MIN_WORDS, MAX_WORDS = 6, 80


@dataclass
class Unit:
    """One distinct sentence of a story and every article that carries it."""

    text: str
    sources: list[str]
    article_index: int  # index of the first article carrying it (story order)
    position: int  # sentence index within that article
    terms: list[str] = field(default_factory=list)
    similar: list[str] = field(default_factory=list)

    @property
    def n_words(self) -> int:
        return len(self.text.split())


def units_of(story: Story) -> list[Unit]:
    """Distinct sentences of a story's articles, identical ones merged with all sources."""
    units: dict[str, Unit] = {}
    for ai, article in enumerate(story.articles):
        position = 0
        for paragraph in article.paragraphs:
            for sentence in text.split_sentences(paragraph):
                key = text.normalize_sentence(sentence)
                if key in units:
                    if article.id not in units[key].sources:
                        units[key].sources.append(article.id)
                else:
                    units[key] = Unit(sentence, [article.id], ai, position, text.terms(sentence))
                position += 1
    return list(units.values())


def eligible(unit: Unit) -> bool:
    """Sentences a reader can take alone: whole, not a question, not a fragment."""
    n = unit.n_words
    first = unit.text.lstrip("\"'“‘(")[:1]
    return (MIN_WORDS <= n <= MAX_WORDS and bool(unit.terms) and not unit.text.endswith(("?", ":"))
            and (first.isupper() or first.isdigit()))


# -- term matrices ----------------------------------------------------------
def term_matrix(units: Sequence[Unit]) -> tuple[sp.csr_matrix, dict[str, int]]:
    """Raw term counts, one row per unit."""
    vocab: dict[str, int] = {}
    rows, cols, vals = [], [], []
    for i, unit in enumerate(units):
        counts: dict[int, int] = {}
        for t in unit.terms:
            j = vocab.setdefault(t, len(vocab))
            counts[j] = counts.get(j, 0) + 1
        rows.extend([i] * len(counts))
        cols.extend(counts)
        vals.extend(counts.values())
    m = sp.csr_matrix((np.array(vals, dtype=float), (rows, cols)), shape=(len(units), len(vocab)))
    return m, vocab


def _l2_rows(m: sp.csr_matrix) -> sp.csr_matrix:
    norms = np.sqrt(np.asarray(m.multiply(m).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sp.diags(1.0 / norms) @ m


def tfidf(units: Sequence[Unit]) -> sp.csr_matrix:
    """Row-normalised TF-IDF (sublinear tf, smoothed idf over the story's sentences)."""
    counts, _ = term_matrix(units)
    if counts.shape[1] == 0:
        return counts
    df = np.bincount(counts.indices, minlength=counts.shape[1])
    idf = np.log((1 + counts.shape[0]) / (1 + df)) + 1.0
    weighted = counts.copy()
    weighted.data = 1.0 + np.log(weighted.data)
    return _l2_rows(weighted @ sp.diags(idf))


# -- rankers ------------------------------------------------------------------------
def rank_digest(units: Sequence[Unit], n_articles: int) -> np.ndarray:
    """Centrality to the story centroid x lead position x corroboration."""
    x = tfidf(units)
    article_of = np.array([u.article_index for u in units])
    # Each article weighs the same in the centroid, however long it is.
    membership = sp.csr_matrix((np.ones(len(units)), (article_of, np.arange(len(units)))),
                               shape=(n_articles, len(units)))
    centroid = np.asarray(_l2_rows(membership @ x).sum(axis=0)).ravel()
    norm = np.linalg.norm(centroid) or 1.0
    centrality = x @ (centroid / norm)
    position = np.array([1.0 + 0.6 / (1.0 + u.position) for u in units])
    sources = np.array([len(u.sources) for u in units], dtype=float)
    corroboration = 1.0 + 0.25 * np.log2(sources)
    length = np.array([min(1.0, u.n_words / 12.0) for u in units])
    return np.asarray(centrality).ravel() * position * corroboration * length


def rank_fast_lexrank(units: Sequence[Unit], threshold: float = 0.1,
                      epsilon: float = 0.1) -> np.ndarray:
    """sumy's LexRank maths on sparse matrices: same tf, idf, threshold and power method."""
    n = len(units)
    counts, _ = term_matrix(units)
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
    return p


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


def rank(units: Sequence[Unit], method: str, n_articles: int) -> np.ndarray:
    if method == "digest":
        return rank_digest(units, n_articles)
    if method == "fast-lexrank":
        return rank_fast_lexrank(units)
    if method in SUMY_METHODS:
        return rank_sumy(units, method)
    raise SummarizeError(f"unknown summary method {method!r}; choose one of {', '.join(METHODS)}")


# -- selection ------------------------------------------------------------------------
def select(units: Sequence[Unit], scores: np.ndarray, *, sentences: int | None,
           words: int | None) -> list[Unit]:
    """Best first, skipping what repeats a chosen sentence, within the length budget."""
    if sentences is None and words is None:
        words = DEFAULT_WORDS
    x = tfidf(units)
    chosen: list[int] = []
    used_words = 0
    for i in np.argsort(-scores, kind="stable"):
        if sentences is not None and len(chosen) >= sentences:
            break
        if chosen:
            sims = (x[chosen] @ x[i].T).toarray().ravel()
            best = int(np.argmax(sims))
            if sims[best] > REDUNDANT:
                _note_similar(units[chosen[best]], units[i])
                continue
        n = units[i].n_words
        if words is not None and chosen and used_words + n > words:
            continue  # a shorter sentence further down may still fit
        chosen.append(int(i))
        used_words += n
        if words is not None and used_words >= words:
            break
    return [units[i] for i in chosen]


def _note_similar(kept: Unit, dropped: Unit) -> None:
    for aid in dropped.sources:
        if aid not in kept.sources and aid not in kept.similar:
            kept.similar.append(aid)


def summarize_story(story: Story, *, method: str | None = None, sentences: int | None = None,
                    words: int | None = None) -> StorySummary:
    """An extractive summary of all the story's articles, each sentence credited."""
    method = (method or DEFAULT_METHOD).lower()
    if method not in METHODS:
        raise SummarizeError(f"unknown summary method {method!r}; choose one of {', '.join(METHODS)}")
    units = [u for u in units_of(story) if eligible(u)]
    chosen: list[Unit] = []
    if units:
        scores = rank(units, method, len(story.articles))
        chosen = select(units, scores, sentences=sentences, words=words)
    chosen.sort(key=lambda u: (u.article_index, u.position))
    return StorySummary(
        story=story,
        sentences=tuple(SummarySentence(u.text, tuple(u.sources), tuple(u.similar)) for u in chosen),
        discrepancies=figures.discrepancies(story.articles),
        method=method,
    )


def rank_sentences(sentences: Sequence[str], method: str) -> list[int]:
    """Indices of plain sentences, best first (benchmarks compare methods with this)."""
    units = [Unit(s, ["x"], 0, i, text.terms(s)) for i, s in enumerate(sentences)]
    scores = rank(units, method, 1)
    return [int(i) for i in np.argsort(-scores, kind="stable")]

