"""Sentences, words and stems, with no data downloaded at run time.

Sentence splitting uses nupunkt (a Punkt model shipped inside the package),
so "U.S.", "Gov.", "Dr." and initials do not end sentences, and NLTK's
`punkt` download is never needed. Quotes are kept whole: a sentence with an
open quotation mark is joined with the next until the quote closes.
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
# Apostrophes inside words (Russia's, don't) are not quotation marks.
INNER_APOSTROPHE = re.compile(r"(?<=\w)'(?=\w)")
SENTENCE_END = re.compile(r"[.!?…]")


@lru_cache(maxsize=1)
def stop_words() -> frozenset[str]:
    # sumy ships its English stop-word list as package data; reading the file needs no download.
    text = resources.files("sumy").joinpath("data/stopwords/english.txt").read_text("utf-8")
    return frozenset(w.strip().lower() for w in text.split() if w.strip())


def split_sentences(paragraph: str) -> list[str]:
    """Sentences of one paragraph, quotes kept whole."""
    paragraph = " ".join(paragraph.split())
    if not paragraph:
        return []
    ends = SENTENCE_END.findall(paragraph)
    if not ends or (len(ends) == 1 and paragraph[-1] in ".!?…"):
        return [paragraph]  # nothing to split: nupunkt would return it whole (most paragraphs)
    pieces = nupunkt.sent_tokenize(paragraph)
    out: list[str] = []
    buffer = ""
    for piece in pieces:
        buffer = f"{buffer} {piece}" if buffer else str(piece)
        if _quotes_balanced(buffer):
            out.append(buffer)
            buffer = ""
    if buffer:
        out.append(buffer)
    return out


def _quotes_balanced(text: str) -> bool:
    plain = INNER_APOSTROPHE.sub("", text.translate(QUOTE_CHARS))
    curly_open, curly_close = text.count("“"), text.count("”")
    if curly_open or curly_close:
        return curly_open <= curly_close
    return plain.count('"') % 2 == 0


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
