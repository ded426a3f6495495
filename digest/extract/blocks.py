"""Paragraphs and what each one is: body, heading, navigation, appeal, caption, teaser,
comment ...; only body paragraphs become article text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from digest.extract.metadata import find_date
from digest.extract.patterns import (
    BROWSER_NOTE,
    BYLINE,
    CAPTION_CREDIT,
    CAPTION_MAX,
    CAPTION_START,
    COMMENT_FORM,
    COMMENTS,
    COMMENTS_AFTER,
    CONTINUE_MARK,
    CREDIT_MAX_WORDS,
    CREDIT_WORDS,
    DATE_ISO,
    DATE_PREFIX,
    DATE_WORDS,
    DATELINE,
    DONATION,
    DONATION_WORDS,
    END_OF_ARTICLE,
    FOLLOW,
    IMAGE_CREDIT,
    LEGAL,
    LEGAL_MAX_WORDS,
    LETTER,
    LINK_MARK,
    MENU_ITEM_WORDS,
    MENU_ITEMS,
    NAME_CREDIT,
    NAV,
    PROSE_WORDS,
    SENTENCE_END,
    TEASER,
    TEASER_LIST_MIN,
    TERMINAL,
    VERSE_ENDS,
    WIRE_CREDIT,
)


@dataclass
class Block:
    # body | heading | caption | date | byline | drop | link (a line of a page that is all link)
    # | repeat | trailer (after the article's end) | teaser (a page that is a list of teasers)
    kind: str
    text: str


def paragraphs_of(text: str) -> list[str]:
    """Paragraphs from text: blank-line blocks; hard-wrapped files get their lines rejoined."""
    text = text.replace("\u00a0", " ").replace("\u200b", "")
    blocks = [b for b in re.split(r"\n\s*\n", text) if b.strip()]
    wrapped = _hard_wrapped(text)
    out: list[str] = []
    for block in blocks:
        raw_lines = [ln for ln in block.split("\n") if ln.strip()]
        lines = [ln.strip() for ln in raw_lines]
        if any(IMAGE_CREDIT.search(ln) for ln in lines):
            # A caption block (caption title + caption text + "Image: credit"): keep it whole.
            out.append("\x00caption\x00" + " ".join(lines))
        elif wrapped:
            # Rejoin wrapped lines; an indented line starts a new paragraph.
            para: list[str] = []
            for raw_line, line in zip(raw_lines, lines, strict=True):
                if para and raw_line[:1].isspace():
                    out.append(" ".join(para))
                    para = []
                para.append(line)
            out.append(" ".join(para))
        else:
            out.extend(lines)
    return [" ".join(p.split()) if not p.startswith("\x00") else p for p in out]


def _hard_wrapped(text: str) -> bool:
    lines = [ln for ln in text.split("\n") if ln.strip()]
    if len(lines) < 5:
        return False
    longest = max(len(ln) for ln in lines)
    near_width = sum(1 for ln in lines if longest - 25 <= len(ln) <= longest)
    return longest <= 110 and near_width / len(lines) >= 0.5


def classify(paragraphs: list[str], *, page: bool = False) -> list[Block]:
    """Label each paragraph; after the end-of-article marker all is 'trailer'; repeats marked.

    `page`: the paragraphs are what trafilatura kept as a web page's main content.
    There, short lines without a full stop between two body paragraphs are
    subheadings, list items or ingredients of the article, not page chrome
    (trafilatura took the chrome away): they stay body text. An end-of-article
    marker followed by two paragraphs of prose was a box of links inside the
    article: the article resumes. The rules for navigation, appeals, teasers,
    captions, datelines and bylines still apply. A short line that is all link
    (LINK_MARK, from page_lines) is another story's headline or a menu item, never
    a subheading: it is set aside as 'link'. Readers' comments that stand above the
    article (a comments heading before it, dated comments, then the comment form's
    heading and prose) are set aside, and the article after the form is read.
    """
    blocks: list[Block] = []
    seen: set[str] = set()
    ended = False
    inside: list[int] = []  # short lines of a page, kept if body text comes before and after
    comments = False  # readers' comments have begun: the rest is not the article
    above: int | None = None  # where a comments heading stood before any article text
    for n, para in enumerate(paragraphs):
        if para.startswith("\x00caption\x00"):
            blocks.append(Block("caption", para.removeprefix("\x00caption\x00")))
            continue
        link = para.startswith(LINK_MARK)
        if link:
            para = para.removeprefix(LINK_MARK)
        if "[" in para:  # the mark's regex scans the whole paragraph: only where it can match
            para = CONTINUE_MARK.sub("", para)
        para = para.strip()
        if not para:
            continue
        low = para.lower()
        marker = not comments and COMMENTS.match(para) is not None
        body_before = sum(b.kind == "body" for b in blocks) if marker else 0
        if marker and page and body_before < COMMENTS_AFTER and above is None:
            above = len(blocks)  # comments, or a link to them, above the article
        elif (marker and above is not None and COMMENT_FORM.match(para)
              and any(b.kind == "date" for b in blocks[above:])
              and sum(_prose(p) for p in paragraphs[n + 1:n + 4]) >= 2):
            # The comments (each dated) stood above the article and their form closes them.
            blocks[above:] = [Block("trailer", b.text) for b in blocks[above:]]
            blocks.append(Block("trailer", para))
            above = None
            continue
        if comments or (marker and body_before >= COMMENTS_AFTER):
            comments = True
            blocks.append(Block("trailer", para))
            continue
        donation = _is_donation(para, low)
        if ended and page and _prose(para) and n + 1 < len(paragraphs) and _prose(paragraphs[n + 1]):
            ended = False  # "More from ..." was a box inside the article: the article goes on
        if ended or END_OF_ARTICLE.match(para) or (donation and "favor to ask" in low):
            ended = True
            blocks.append(Block("trailer", para))
            continue
        kind = _kind(para, donation)
        if link and kind in ("short", "heading"):
            kind = "link"
        elif kind == "short":
            kind = "drop"
            if page:
                inside.append(len(blocks))
        elif kind == "heading" and page:
            inside.append(len(blocks))
        if kind in ("body", "heading", "caption"):
            if low in seen:
                kind = "repeat"  # repeated lead, repeated title, the same caption twelve times
            seen.add(low)
        blocks.append(Block(kind, para))
    if page and _teaser_list(blocks, set(inside)):
        return [Block("teaser", b.text) if b.kind == "body" else b for b in blocks]
    if inside:
        _keep_inner_lines(blocks, set(inside))
    return blocks


def _teaser_list(blocks: list[Block], candidates: set[int]) -> bool:
    """Whether a page's text is a list of other stories' teasers, not an article.

    An index page gives headlines (short lines, or lines that are all link), some
    with a summary of one sentence under them. An article has paragraphs of two
    sentences or more, or sentences in a row; a short post of one sentence has a
    few lines of chrome around it, not a list of headlines: two summaries or more,
    at least twice as many headlines as sentences, and four or more, are asked for
    (a long line that ends no sentence, a quote's attribution, is neither). An
    article that is a list says so: a sentence ending in a colon introduces its
    items ("The following roads will be closed:"), so such a page is never an index,
    and an item of the "Best actor: Cillian Murphy" form, or a line ending in a comma
    or semicolon (verse, a list), is no headline. A short label ("Film", "Music")
    separates the teasers but is not counted, nor is a line said twice.
    """
    sentences = headlines = 0
    previous = ""
    for i, block in enumerate(blocks):
        if block.kind == "body" and block.text.endswith(TERMINAL):
            if (previous == "sentence" or block.text.endswith(":")
                    or len(SENTENCE_END.findall(block.text)) > 1):
                return False
            sentences += 1
            previous = "sentence"
        elif block.kind == "link" or (i in candidates and not block.text.endswith(VERSE_ENDS)):
            headlines += block.kind not in ("drop", "repeat") and ":" not in block.text
            previous = "headline"
    return sentences > 1 and headlines >= max(TEASER_LIST_MIN, 2 * sentences)


def _prose(para: str) -> bool:
    """Two of these in a row after an end-of-article marker mean the article goes on."""
    return len(para.split()) >= PROSE_WORDS and para.endswith(TERMINAL) and not _is_donation(
        para, para.lower())


def _keep_inner_lines(blocks: list[Block], candidates: set[int]) -> None:
    """Short lines of a page between body paragraphs, directly followed by body, become body."""
    seen_body = False
    run: list[int] = []
    for i, block in enumerate(blocks):
        if i in candidates and block.kind in ("heading", "drop"):
            run.append(i)
            continue
        if block.kind == "body":
            if seen_body:
                for j in run:
                    blocks[j] = Block("body", blocks[j].text)
            seen_body = True
        run = []


def _kind(para: str, donation: bool) -> str:
    """What a paragraph is; `donation` is _is_donation(...) of it, which the caller knows."""
    words = para.split()
    if NAV.search(para) or donation or TEASER.search(para) or FOLLOW.search(para):
        return "drop"
    if WIRE_CREDIT.match(para) or (len(words) <= LEGAL_MAX_WORDS and LEGAL.search(para)):
        return "drop"
    if BROWSER_NOTE.match(para):
        return "drop"
    if "|" in para and _menu(para):
        return "drop"
    if _date_line(para):
        return "date"
    if BYLINE.match(para) and len(words) <= 7:
        return "byline"
    # Captions are short; the credit patterns, run over a long paragraph full of "(" or "/",
    # would cost time quadratic in its length.
    if CAPTION_START.match(para) or (len(para) <= CAPTION_MAX and (
            _credited(para) or ("/" in para and NAME_CREDIT.search(para)))):
        return "caption"
    if not LETTER.search(para):
        return "drop"  # no word at all: rules, numbers, a page of "((((("
    ends = para.endswith(TERMINAL)
    if len(words) <= 3 and not ends:
        return "short"  # site labels ("ENT"), "More Images", "Continue", photo credits: dropped
    if (not ends and len(words) <= 16) or (para.endswith("?") and len(words) <= 12):
        return "heading"  # titles, subheadings, teaser headlines
    return "body"


def _menu(para: str) -> bool:
    """A row of links between bars: "Home | World | Contact us", "Print | E-mail | Share"."""
    items = [item.split() for item in para.split("|")]
    items = [item for item in items if item]
    return len(items) >= MENU_ITEMS and max(len(item) for item in items) <= MENU_ITEM_WORDS


def _credited(para: str) -> bool:
    """Whether a paragraph ends with a photo credit in brackets."""
    found = CAPTION_CREDIT.search(para)
    if found is None:
        return False
    words = found["credit"].replace("/", " ").replace(",", " ").replace(":", " ").split()
    return len(words) <= CREDIT_MAX_WORDS and all(
        w[0].isupper() or w.lower() in CREDIT_WORDS for w in words)


def _is_donation(para: str, low: str) -> bool:
    """Whether a paragraph is an appeal for money; `low` is para.lower()."""
    return any(w in low for w in DONATION_WORDS) and DONATION.search(para) is not None


def _date_line(para: str) -> datetime | None:
    """A short line that is mostly a date: 'date 2024-03-30 ...', 'March 30, 2024'."""
    if len(para) > 60 and not DATE_PREFIX.match(para):
        return None
    return find_date(para) if (DATE_PREFIX.match(para) or _mostly_date(para)) else None


def _mostly_date(para: str) -> bool:
    stripped = DATE_ISO.sub("", DATE_WORDS.sub("", para))
    stripped = re.sub(r"last updated at:?\s*\d{1,2}:\d{2}", "", stripped, flags=re.I)
    return len(stripped.strip(" ,|-–—:")) <= 4 and stripped != para


def split_glued_articles(blocks: list[Block]) -> list[list[Block]]:
    """Split where a second wire dateline starts a new article after body text."""
    parts: list[list[Block]] = [[]]
    first_place: str | None = None
    body_seen = 0
    for block in blocks:
        m = DATELINE.match(block.text) if block.kind == "body" else None
        if m and first_place is None:
            first_place = m.group("place")
        elif m and body_seen >= 3:
            parts.append([])
            body_seen = 0
        if block.kind == "body":
            body_seen += 1
        parts[-1].append(block)
    return [p for p in parts if any(b.kind == "body" for b in p)]
