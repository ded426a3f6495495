"""Sentences, words and stems, with no data downloaded at run time.

Sentence splitting uses nupunkt (a Punkt model shipped inside the package),
so "U.S.", "Gov.", "Dr." and initials do not end sentences, and NLTK's
`punkt` download is never needed. Quotes are kept whole: a sentence with an
open quotation mark is joined with the next until the quote closes, for at most
QUOTE_SPAN sentences (a mark left open longer is a stray one). Quote marks are
counted as a running total, so a megabyte paragraph with an unmatched quote
splits in linear time (rescanning the joined text at each sentence was quadratic).
"""

from __future__ import annotations

import re
from functools import lru_cache
from importlib import resources

import nupunkt
import Stemmer

WORD = re.compile(r"[^\W_]+(?:[-'’.][^\W_]+)*", re.UNICODE)
# Porter2 (Snowball) stemmer in C (PyStemmer): the same stems as the pure-Python
# snowballstemmer package (checked on 193,000 words), 14 times faster, and it loads fast, unlike NLTK.
_STEMMER = Stemmer.Stemmer("english")
QUOTE_CHARS = str.maketrans({"“": '"', "”": '"', "″": '"', "‘": "'", "’": "'", "`": "'"})
SENTENCE_END = re.compile(r"[.!?…]")


@lru_cache(maxsize=1)
def stop_words() -> frozenset[str]:
    # sumy ships its English stop-word list as package data; reading the file needs no download.
    text = resources.files("sumy").joinpath("data/stopwords/english.txt").read_text("utf-8")
    return frozenset(w.strip().lower() for w in text.split() if w.strip())


def split_sentences(paragraph: str) -> list[str]:
    """Sentences of one paragraph, quotes kept whole (linear in the paragraph's length)."""
    paragraph = " ".join(paragraph.split())
    if not paragraph:
        return []
    ends = SENTENCE_END.findall(paragraph)
    if not ends or (len(ends) == 1 and paragraph[-1] in ".!?…"):
        return [paragraph]  # nothing to split: nupunkt would return it whole (most paragraphs)
    out: list[str] = []
    held: list[str] = []  # pieces inside a quote that has not closed yet
    counts = _QuoteCounts()
    for piece in nupunkt.sent_tokenize(paragraph):
        held.append(str(piece))
        counts.add(held[-1])
        if counts.balanced():
            out.append(" ".join(held))
            held, counts = [], _QuoteCounts()
        elif len(held) > QUOTE_SPAN:
            # A quote open for this long is a stray mark, not a quotation: its pieces are
            # sentences of their own (joining on would make the rest of the paragraph one).
            out.extend(held)
            held, counts = [], _QuoteCounts()
    if held:
        out.append(" ".join(held))
    return out


# Sentences one open quotation holds together at most (the longest quotes in news run to a
# handful of sentences; see docs/benchmarks.md for the check on the seeds and eval texts).
QUOTE_SPAN = 12


class _QuoteCounts:
    """Quotation marks seen so far, counted piece by piece (a running total, never a rescan)."""

    def __init__(self) -> None:
        self.curly_open = self.curly_close = self.straight = 0

    def add(self, piece: str) -> None:
        self.curly_open += piece.count("“")
        self.curly_close += piece.count("”")
        self.straight += piece.count('"') + piece.count("″")

    def balanced(self) -> bool:
        """Curly quotes, when there are any, decide; else an even number of straight ones."""
        if self.curly_open or self.curly_close:
            return self.curly_open <= self.curly_close
        return self.straight % 2 == 0


def words(text: str) -> list[str]:
    """Word tokens (letters and digits, inner hyphens and apostrophes kept)."""
    return WORD.findall(text)


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    return str(_STEMMER.stemWord(word.lower()))


def tokens(text: str) -> list[str]:
    """Words lowercased, curly apostrophes straightened."""
    if text.isascii():  # lowercasing ASCII first keeps every word's bounds: one C call
        return WORD.findall(text.lower())
    return [w.lower().replace("’", "'") for w in words(text)]


def is_term(token: str) -> bool:
    """Whether a token (from tokens()) counts as a content word: no stop word, no bare number."""
    return not (token in stop_words() or token.isdigit() or len(token) < 2)


def normalize_sentence(text: str) -> str:
    """Key for 'the same sentence': case, whitespace and quote styles ignored."""
    return " ".join(text.translate(QUOTE_CHARS).lower().split())
