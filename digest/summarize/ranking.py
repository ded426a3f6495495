"""How central a unit is: digest's own centrality (TF-IDF against the story's centroid,
lead position, corroboration, a reader's focus), LexRank on sparse matrices, and sumy's methods
as they come (the only module importing sumy).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from functools import lru_cache
from typing import Any

import numpy as np
import scipy.sparse as sp

from digest import text
from digest.errors import SummarizeError
from digest.summarize.settings import FOCUS_WEIGHT, METHODS, SUMY_METHODS
from digest.summarize.units import Unit, _unit


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
