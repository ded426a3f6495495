"""A web page cut to its main content by trafilatura (precision mode, or default mode when
that keeps more prose), read back as lines with their links marked.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from digest.errors import IngestError
from digest.extract.blocks import classify, paragraphs_of
from digest.extract.metadata import _meta_author, _meta_published
from digest.extract.patterns import (
    LETTER,
    LINK_MARK,
    LINK_SLACK,
    PROSE_WORDS,
    SENTENCE_END,
    TERMINAL,
)
from digest.models import RawDocument

# How digest asks trafilatura for a page's main text (bench/eval_extraction.py measures it).
TRAFILATURA_SETTINGS: dict[str, Any] = {"include_comments": False, "include_tables": False,
                                        "favor_precision": True, "include_links": True}
# Precision mode finds nothing at all on some pages (a fifth of L3S-GN1's Google News pages:
# 2008 table layouts, text in <td>); there, or when it finds almost nothing, trafilatura is asked
# again in its default mode with tables (the text sits in them), then in recall mode. A
# fallback's text replaces a short one unless that is a short post it does not hold (_fallback).
TRAFILATURA_FALLBACKS: tuple[dict[str, Any], ...] = (
    {"include_comments": False, "include_tables": True, "include_links": True},
    {"include_comments": False, "include_tables": False, "favor_recall": True, "include_links": True},
)
MIN_PAGE_TEXT = 200  # characters of main text below which an extraction is taken to have failed
# Precision mode wins on most pages, but on some it keeps a fraction of the article: a blog
# post's body after its teaser, a story's second half below a photo. trafilatura's default mode
# is asked too, and its text replaces precision mode's when it is precision mode's text and more
# prose, or precision mode's text less lines that are not prose (see
# _default_mode_wins). Tables stay out as in precision mode: with them, default mode
# brings the page's tables of links.
TRAFILATURA_WIDE: dict[str, Any] = {"include_comments": False, "include_tables": False,
                                    "include_links": True}
WIDE_CONTAINS = 0.9  # share of precision mode's body words the wider text must hold
WIDE_NEW = 0.5  # a wider paragraph is new when under half its words are precision mode's
WIDE_PROSE = 0.8  # share of the new words that must sit in sentences
NARROW_CONTAINS = 0.95  # share of default mode's body words precision mode's must hold
SENTENCE_WORDS = 40  # at most this many words per full stop: longer runs are menus and link lists
WORD = re.compile(r"\w+")


def _html_to_text(raw: RawDocument, name: str) -> tuple[dict[str, Any], str]:
    import trafilatura

    html = _close_title(_close_doctype(raw.text))
    doc = trafilatura.bare_extraction(html, with_metadata=True, **TRAFILATURA_SETTINGS)
    for settings in TRAFILATURA_FALLBACKS:
        if _long_enough(doc):
            break
        doc = _fallback(doc, trafilatura.bare_extraction(html, with_metadata=True, **settings))
    if doc is None:
        raise IngestError(f"{name}: no article text found in the HTML")
    data = doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)
    # trafilatura gives the day only; the page's own timestamp has the time and the zone.
    meta = {"title": data.get("title"), "outlet": data.get("sitename"), "url": data.get("url"),
            "date": _meta_published(raw.text) or data.get("date"),
            "author": data.get("author") or _meta_author(raw.text)}
    lines = _doc_lines(doc)
    # Asked also when precision mode found nothing: default mode without tables can still beat
    # the fallbacks' text (with tables, or recall mode's).
    wide = trafilatura.bare_extraction(html, with_metadata=False, **TRAFILATURA_WIDE)
    if _long_enough(wide):
        wide_lines = _doc_lines(wide)
        if _default_mode_wins(_body(lines), _body(wide_lines)):
            lines = wide_lines
    return {k: v for k, v in meta.items() if v}, "\n\n".join(lines)


def _long_enough(doc: Any) -> bool:
    return doc is not None and len(getattr(doc, "text", None) or "") >= MIN_PAGE_TEXT


def _fallback(short: Any, other: Any) -> Any:
    """Which of a short extraction and a fallback's is the page's text.

    The fallback's, unless the short text is a short post (body text the cleaner keeps)
    that the fallback's text does not hold: on a page whose whole article is a line or
    two ("via example.com / Not your mom's origami."), the wider modes read the
    sidebar (the author's bio) instead. A short text that is only chrome (a footer, a
    menu) gives way as before.
    """
    if other is None:
        return short
    if short is None:
        return other
    mine = _body(_doc_lines(short))
    if not mine:
        return other
    held, _, _ = _added(mine, _body(_doc_lines(other)))
    return other if held >= WIDE_CONTAINS else short


def _doc_lines(doc: Any) -> list[str]:
    tree = getattr(doc, "body", None)
    if tree is not None:
        return page_lines(tree, mark_links=True)
    data = doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)
    return str(data.get("text") or "").split("\n")


def _body(lines: list[str]) -> list[str]:
    """The paragraphs of a page's lines the cleaner keeps as article text."""
    return [b.text for b in classify(paragraphs_of("\n\n".join(lines)), page=True) if b.kind == "body"]


def _default_mode_wins(narrow: list[str], wide: list[str]) -> bool:
    """Whether default mode's body (`wide`) is the article rather than precision mode's (`narrow`).

    Yes in two cases, both measured on half A of the extraction sets (docs/benchmarks.md,
    section 7):
    - default mode holds (nearly) all of precision mode's text and what it adds is
      prose (precision mode kept a fraction of the article: a blog post after its teaser);
    - precision mode's text is default mode's plus lines of which none is a paragraph of
      prose (precision mode kept other stories' headlines, "Send a letter to the editor").
    """
    if not wide:
        return False
    if not narrow:
        return True  # precision mode's text was all chrome (digest kept nothing of it)
    held, added, prose = _added(narrow, wide)
    if held >= WIDE_CONTAINS and added:
        return prose >= WIDE_PROSE * added
    held, added, prose = _added(wide, narrow, min_words=PROSE_WORDS)
    return held >= NARROW_CONTAINS and added > 0 and prose == 0


def _added(base: list[str], more: list[str], min_words: int = 0) -> tuple[float, int, int]:
    """What paragraphs `more` adds to `base`: the share of base's words it holds, the words
    of its new paragraphs, and how many of those are prose.

    A paragraph is new when under half its words are base's. It is prose when it ends a
    sentence, has a full stop every 40 words or fewer, and has `min_words` words or more: a
    menu, a list of headlines or a footer run together is long and has almost no full stops.
    """
    left = Counter(WORD.findall(" ".join(base).lower()))
    total = sum(left.values())
    held = sum((Counter(WORD.findall(" ".join(more).lower())) & left).values())
    added = prose = 0
    for para in more:
        words = Counter(WORD.findall(para.lower()))
        n = sum(words.values())
        mine = sum((words & left).values())
        left -= words
        if not n or mine >= WIDE_NEW * n:
            continue
        added += n
        stops = len(SENTENCE_END.findall(para))
        if para.endswith(TERMINAL) and stops and n / stops <= SENTENCE_WORDS and n >= min_words:
            prose += n
    return held / total if total else 0.0, added, prose


TITLE_OPEN = re.compile(r"<title\b[^>]*>[^<]*", re.I)
TITLE_CLOSE = re.compile(r"</title", re.I)


def _close_title(html: str) -> str:
    """The page with its <title> closed at the next tag when the page never closes it.

    An HTML parser reads everything after an unclosed <title> as the title, so a
    page whose `</title>` was lost (cut by a CMS or a crawler) has no body at all.
    """
    opened = TITLE_OPEN.search(html)
    if opened is None or TITLE_CLOSE.search(html, opened.end()):
        return html
    return f"{html[:opened.end()]}</title>{html[opened.end():]}"


CUT_DOCTYPE = re.compile(r"\A\s*<!doctype\b[^<>]*(?=<)", re.I)


def _close_doctype(html: str) -> str:
    """The page without a `<!DOCTYPE` it never closes (the next tag opens first).

    The page was cut inside its first line ("<!DOCTYPE htm" then the page's
    header): the parser reads on to the next ">" and loses the document's start,
    and trafilatura then finds no article at all. A half doctype says nothing
    the parser needs: it goes.
    """
    cut = CUT_DOCTYPE.match(html)
    return html if cut is None else html[cut.end():]


# Elements of trafilatura's output tree that start a new line; the others are inline.
PAGE_BLOCKS = frozenset({"p", "head", "item", "list", "quote", "div", "body", "doc", "main", "code",
                         "table", "row", "cell", "note", "fw"})
SPACES = re.compile(r"\s+")


def page_lines(body: Any, *, mark_links: bool = False) -> list[str]:
    """The lines of trafilatura's main-content tree: one per block element or <lb/>.

    The text of an element is HTML text, so its newlines are only spaces: a
    paragraph wrapped in the page's source is one line, not a run of short lines
    that would each look like a heading. `mark_links`: a line whose text is all
    one or more links (<ref>, when trafilatura was asked for them) starts with LINK_MARK.
    """
    pieces: list[tuple[str, bool]] = []  # (text, inside a link)

    def walk(el: Any, link: bool) -> None:
        if not isinstance(el.tag, str):  # a comment or processing instruction: only its tail
            if el.tail:
                pieces.append((SPACES.sub(" ", el.tail), link))
            return
        block = el.tag in PAGE_BLOCKS
        inner = link or el.tag == "ref"
        if block or el.tag == "lb":
            pieces.append(("\n", False))
        if el.text:
            pieces.append((SPACES.sub(" ", el.text), inner))
        for child in el:
            walk(child, inner)
        if block:
            pieces.append(("\n", False))
        if el.tail:
            pieces.append((SPACES.sub(" ", el.tail), link))

    walk(body, False)
    lines: list[str] = []
    text: list[str] = []
    linked = plain = 0
    for piece, link in [*pieces, ("\n", False)]:
        parts = piece.split("\n")
        for n, part in enumerate(parts):
            if n:  # a line ends
                line = "".join(text).strip()
                if line:
                    whole_link = mark_links and linked > 0 and plain <= LINK_SLACK * (linked + plain)
                    lines.append(LINK_MARK + line if whole_link else line)
                text, linked, plain = [], 0, 0
            text.append(part)
            letters = len(LETTER.findall(part))
            if link:
                linked += letters
            else:
                plain += letters
    return lines
