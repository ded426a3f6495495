"""RawDocument -> clean Article(s): boilerplate, captions, teasers, metadata.

Web scrapes mix the news with page chrome. Each paragraph is classified
(navigation, donation appeal, caption, teaser, heading, body ...) and only
body paragraphs become article text. Captions are kept aside: they are not
prose to summarize, but they are still the outlet's claims (figures).
A second wire dateline ("KYIV, Ukraine (AP) —") after the body has started
begins another article that a scraper glued on: it is split off. A web page is
first cut to its main content by trafilatura, and its short lines are judged
more gently (see classify).

Metadata never comes from the file name: the outlet is the front matter's, else the page's
(site name in an appeal or navigation, a copyright line, an "(AP) —" dateline, "By AFP"),
else UNKNOWN_OUTLET. Dates keep their time zone and are stored as naive UTC (the zone of
`cli.utcnow`); a date without a zone is taken as UTC. A bad date leaves the article undated
with a warning: it never drops the article.
"""

from __future__ import annotations

import functools
import hashlib
import re
import warnings as py_warnings
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import yaml
from dateutil import parser as date_parser
from markdown_it import MarkdownIt
from markdown_it.token import Token

from digest.errors import IngestError
from digest.ingest import path_text
from digest.models import UNKNOWN_OUTLET, Article, RawDocument

# -- patterns ---------------------------------------------------------------
NAV = re.compile(r"^(?:\d+\.\s*)?skip to\b|^(?:menu|search|share|sign in|log in|subscribe)$", re.I)
DONATION = re.compile(
    r"^support (?:the |our )?[A-Z][\w .'-]{1,40}!?$|^contribute today|^donate\b|small favou?r to ask"
    r"|please support us|your support, no matter how small|become a (?:member|subscriber)",
    re.I,
)
# Every DONATION match contains one of these (lowercased): a paragraph without any is not
# searched (the case-insensitive search costs more than the rest of a paragraph's checks).
DONATION_WORDS = ("support", "contribute today", "donate", "favo", "become a ")
# After one of these, the rest of the page is teasers, appeals and links.
END_OF_ARTICLE = re.compile(
    r"^(?:read more about:?|read more|recommended articles?|related (?:articles|stories|content)"
    r"|more from [\w ]+|most read|you may also like|… we have a small favou?r to ask\.?"
    r"|\.\.\. we have a small favou?r to ask\.?)\b",
    re.I,
)
# Where readers' comments begin; unlike a box of links, nothing after it is the article again.
COMMENTS = re.compile(
    r"^(?:(?:(?:\d+\s+)?(?:reader'?s'?\s+)?comments?(?:\s*\(\d+\))?"
    r"|(?:leave|post|add|write|submit) (?:a|your) (?:comment|reply|response)"
    r"|have your say|what you think|readers'? (?:comments|views)|join the (?:discussion|conversation)"
    r"|(?:show|view|read) (?:all )?comments|\d+ (?:responses|replies) to .{1,120})\W*$"
    r"|comments (?:are|have been) (?:now )?closed\b|we welcome your comments\b)",
    re.I,
)
COMMENTS_AFTER = 3  # body paragraphs before a comments marker: before that it is a widget
# The heading of the form that closes the comments ("Post a comment").
COMMENT_FORM = re.compile(r"^(?:leave|post|add|write|submit) (?:a|your) (?:comment|reply|response)\W*$",
                          re.I)
# The publisher's legal lines: copyright, reuse, terms of the site. Not the article's text.
LEGAL = re.compile(
    r"all rights reserved|republication or redissemination|may not be (?:re)?published,? broadcast"
    r"|^(?:copyright\b|©|\(c\)\s*(?:19|20)\d\d)|(?:read|see|to) our (?:terms|privacy)"
    r"|terms (?:and|&) conditions\W+(?:\w+\W+){0,6}privacy",
    re.I,
)
LEGAL_MAX_WORDS = 60  # a longer paragraph that says "all rights reserved" is an article's
TEASER = re.compile(r"^(?:related(?: article)?s?:|see also:|read also:|watch:|listen:|\d+ min read$)", re.I)
FOLLOW = re.compile(r"^follow .{0,60}\bcoverage\b", re.I)
WIRE_CREDIT = re.compile(r"^[a-z]{2,3}(?:/[a-z]{2,3})+\s*\((?:[A-Za-z]+(?:,\s*)?)+\)$")
CAPTION_CREDIT = re.compile(
    r"\((?P<credit>(?=[^()]*\b(?:AP|AFP|Reuters|Getty|Photo|photo|Pool|File|Sputnik|EPA|Images?)\b)"
    r"[^()]*)\)\.?$"
)
# A credit is a few names and these words: "(AP Photo/Jane Doe)", "(Photo by J. Doe for Reuters)".
# A parenthesis that says more is the writer's aside ("(or AP flour)", "(that photo was edited)").
CREDIT_WORDS = frozenset({"by", "via", "of", "for", "from", "the", "and", "photo", "photos", "file",
                          "images", "image", "courtesy", "handout", "pool", "staff"})
CREDIT_MAX_WORDS = 8
CAPTION_START = re.compile(r"^(?:FILE\s*[-–—]|In this (?:photo|image|handout)|This (?:photo|image) )")
IMAGE_CREDIT = re.compile(r"Image:\s*\S")
# "... deadly attack. Sergei Vedyashkin / Moskva News Agency" (photographer / agency, no full stop)
NAME_CREDIT = re.compile(r"[.!?]\s+[A-Z][\w'-]+(?:\s[A-Z][\w'-]+)+\s?/\s?[A-Z][\w .'-]+$")
DATELINE = re.compile(
    r"^(?P<place>[A-Z][A-Z.'’ -]{2,}(?:,\s[A-Z][\w.'’ -]+)?)\s+"
    r"\((?P<wire>AP|AFP|Reuters|dpa|UPI|AAP)\)\s*[—–-]+\s*"
)
CONTINUE_MARK = re.compile(r"\s*\[(?:continue reading|read more)[^\]]*\]\s*$", re.I)
BYLINE = re.compile(r"^by\s+(?P<name>[A-Z][\w.'’-]*(?:\s+(?:[A-Z][\w.'’-]*|and|&)){0,5})$", re.I)
WIRES = {"AP", "AFP", "REUTERS", "DPA", "UPI", "AAP"}

MONTHS = ("january|february|march|april|may|june|july|august|september|october|november|december"
          "|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec")
DATE_ISO = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?"
                      r"\s*(Z|[+-]\d{2}:?\d{2}\b)?)?")
DATE_WORDS = re.compile(rf"\b({MONTHS})\.? (\d{{1,2}}),? (\d{{4}})\b", re.I)
DATE_PREFIX = re.compile(r"^\s*(?:date|published|posted|updated|last updated(?: at)?)\s*:?\s*", re.I)
# (pattern, words every match contains, lowercased): without them it is not searched.
SITE_SIGNALS = [
    (re.compile(r"\b[Ss]upport (?P<o>The [A-Z][\w.'-]+(?: [A-Z][\w.'-]+){0,3}"
                r"|[A-Z][\w.'-]+(?: [A-Z][\w.'-]+){0,3})!"), ("upport ", "!")),
    (re.compile(r"\bskip to more (?P<o>[A-Z][\w]{1,20}) sites", re.I), ("skip to more",)),
    (re.compile(r"©\s*(?:\d{4}(?:\s*[-–]\s*\d{4})?,?\s*)?(?P<o>[A-Z][\w .&'-]{1,40}?)(?:\.|,|$)"),
     ("©",)),
    (re.compile(r"^(?:[Cc]opyright|COPYRIGHT)\s+(?:\(c\)\s*)?(?:\d{4}(?:\s*[-–]\s*\d{4})?,?\s+)?"
                r"(?P<o>[A-Z][\w .&'-]{1,40}?)(?:\.|,|$)"), ("copyright",)),
]
LETTER = re.compile(r"[^\W\d_]")
MENU_ITEMS = 3  # items between bars in a row of links
MENU_ITEM_WORDS = 5  # words of the longest item: longer ones are a headline and its source
CAPTION_MAX = 2000  # characters: longer paragraphs are not captions
PROSE_WORDS = 20  # a paragraph this long with a full stop is article prose, not a link
TERMINAL = ('.', '!', '?', '"', '”', '’', "'", ')', '…', ':')


@dataclass
class Block:
    # body | heading | caption | date | byline | drop | link (a line of a page that is all link)
    # | repeat | trailer (after the article's end)
    kind: str
    text: str


# -- entry point ------------------------------------------------------------
def extract(raw: RawDocument, warnings: list[str] | None = None) -> list[Article]:
    """Clean articles from one document (a feed gives one per entry); what was wrong but
    could be read around (a bad date, broken front matter) is added to `warnings`."""
    warnings = warnings if warnings is not None else []
    name = path_text(raw.path)
    if raw.kind == "feed":
        return _extract_feed(raw, name)
    meta: dict[str, Any] = {}
    text = raw.text
    if raw.kind == "markdown":
        meta, text = _front_matter(raw.text, name, warnings)
        text = _markdown_to_text(text)
    elif raw.kind == "html":
        meta, text = _html_to_text(raw, name)
    return articles_from_text(text, name, meta, warnings, page=raw.kind == "html")


def articles_from_text(text: str, path: str, meta: dict[str, Any] | None = None,
                       warnings: list[str] | None = None, *, page: bool = False) -> list[Article]:
    """Classify paragraphs, split glued-on articles, and build Articles with metadata.

    `page`: the text is trafilatura's main content of a web page (see classify).
    """
    meta = dict(meta or {})
    if "date" in meta and not isinstance(meta["date"], datetime):
        given = meta.pop("date")
        meta["date"] = parse_date(given)
        if meta["date"] is None and warnings is not None:
            warnings.append(f"{path}: date {_show(given)} is not a date: read as undated")
    paragraphs = paragraphs_of(text)
    signals = _outlet_signals([p.removeprefix(LINK_MARK) for p in paragraphs])
    blocks = classify(paragraphs, page=page)
    parts = split_glued_articles(blocks)
    articles: list[Article] = []
    for n, part in enumerate(parts):
        article = _build(part, path if n == 0 else f"{path}#{n + 1}", meta, signals,
                         parent=articles[0] if articles else None)
        if article is not None:
            articles.append(article)
    return articles


# -- paragraphs ---------------------------------------------------------------
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
    if inside:
        _keep_inner_lines(blocks, set(inside))
    return blocks



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


def explain(raw: RawDocument) -> list[Block]:
    """Every paragraph of a text document with the label the cleaner gave it."""
    text = raw.text
    if raw.kind == "markdown":
        text = _markdown_to_text(_front_matter(raw.text, path_text(raw.path), [])[1])
    elif raw.kind == "html":
        text = _html_to_text(raw, path_text(raw.path))[1]
    elif raw.kind == "feed":
        return []
    return classify(paragraphs_of(text), page=raw.kind == "html")


def _kind(para: str, donation: bool) -> str:
    """What a paragraph is; `donation` is _is_donation(...) of it, which the caller knows."""
    words = para.split()
    if NAV.search(para) or donation or TEASER.search(para) or FOLLOW.search(para):
        return "drop"
    if WIRE_CREDIT.match(para) or (len(words) <= LEGAL_MAX_WORDS and LEGAL.search(para)):
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


def find_date(text: str) -> datetime | None:
    """The first date in a line of text, as naive UTC (a zone written after the time counts)."""
    m = DATE_ISO.search(text)
    if m:
        y, mo, d, hh, mm, ss, zone = m.groups()
        try:
            found = datetime(int(y), int(mo), int(d), int(hh or 0), int(mm or 0), int(ss or 0))
        except ValueError:
            return None
        try:
            zone_info = date_parser.isoparse(f"2000-01-01T00:00{zone}").tzinfo if zone else None
        except ValueError:  # "+99:99"
            zone_info = None
        offset = zone_info.utcoffset(None) if zone_info else None
        if offset is None or abs(offset.total_seconds()) > 14 * 3600:
            return found  # no zone, or "21:41-21:51" (a range, not a zone)
        return _utc(found.replace(tzinfo=zone_info))
    m = DATE_WORDS.search(text)
    if m:
        month = m.group(1)[:3].lower()
        try:
            return datetime.strptime(f"{month} {m.group(2)} {m.group(3)}", "%b %d %Y")
        except ValueError:
            return None
    return None


# -- glued articles -----------------------------------------------------------
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


# -- metadata -------------------------------------------------------------------
def _outlet_signals(paragraphs: list[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for para in paragraphs[:400]:
        low = para.lower()
        for pattern, needed in SITE_SIGNALS:
            m = pattern.search(para) if all(w in low for w in needed) else None
            if m and "site" not in found:
                found["site"] = m.group("o").strip()
        m = DATELINE.match(para)
        if m and "wire" not in found:
            found["wire"] = m.group("wire")
        m = BYLINE.match(para)
        if m and len(para.split()) <= 7:
            name = m.group("name").strip()
            if name.upper() in WIRES:
                found.setdefault("byline_wire", name)
            else:
                found.setdefault("author", name)
    return found


def _build(blocks: list[Block], path: str, meta: dict[str, Any], signals: dict[str, str],
           parent: Article | None) -> Article | None:
    body = [b.text for b in blocks if b.kind == "body"]
    if not body:
        return None
    first_body = next(i for i, b in enumerate(blocks) if b.kind == "body")
    headings_before = [b.text for b in blocks[:first_body] if b.kind == "heading"]
    dates = [find_date(b.text) for b in blocks if b.kind == "date"]
    captions = tuple(b.text for b in blocks if b.kind == "caption")
    if parent is None:
        title = str(meta.get("title") or (headings_before[0] if headings_before else _lead_title(body)))
        date = meta.get("date") or next((d for d in dates if d), None)
        # Never the file name: that is only shown in the source list.
        outlet = str(meta.get("outlet") or meta.get("sitename") or signals.get("site")
                     or signals.get("wire") or signals.get("byline_wire") or UNKNOWN_OUTLET)
        author = meta.get("author") or signals.get("author") or signals.get("byline_wire")
        url = meta.get("url")
    else:
        # A glued-on article: no headline of its own; the page's date and site are the best we have.
        title = headings_before[0] if headings_before else _lead_title(body)
        date = next((d for d in dates if d), None) or parent.date
        m = DATELINE.match(body[0])
        outlet = m.group("wire") if m else parent.outlet
        author, url = None, parent.url
    text = "\n\n".join(body)
    return Article(id=article_id(text), path=path, title=" ".join(title.split()), outlet=outlet,
                   date=date, author=str(author) if author else None,
                   url=str(url) if url else None, text=text, captions=captions)


def _lead_title(body: list[str]) -> str:
    lead = DATELINE.sub("", body[0])
    first = re.split(r"(?<=[.!?])\s", lead, maxsplit=1)[0]
    words = first.split()
    return " ".join(words[:14]) + ("…" if len(words) > 14 else "")


def article_id(text: str) -> str:
    """Stable id from the clean text: the same text from any file is the same article."""
    norm = " ".join(text.split()).lower()
    return "a" + hashlib.sha256(norm.encode()).hexdigest()[:15]


# Zone names dateutil would otherwise not know (it warns and drops them).
TZ_NAMES = {"UTC": 0, "GMT": 0, "Z": 0, "EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7,
            "MDT": -6, "PST": -8, "PDT": -7, "BST": 1, "CET": 1, "CEST": 2, "EET": 2, "EEST": 3,
            "MSK": 3, "IST": 5.5, "JST": 9, "AEST": 10, "AEDT": 11}
_TZINFOS = {name: int(hours * 3600) for name, hours in TZ_NAMES.items()}
YEAR = re.compile(r"(?<!\d)(1[89]\d\d|2[01]\d\d)(?!\d)")


def parse_date(value: Any) -> datetime | None:
    """A date from metadata (front matter, a page's meta tags) as naive UTC; None if it is
    not a date. '2024-10-30T23:30:00-08:00' is 2024-10-31 07:30 UTC."""
    if isinstance(value, datetime):
        return _utc(value)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    if not isinstance(value, str | int) or isinstance(value, bool):
        return None
    text = str(value).strip()
    if not YEAR.search(text) or len(text) > 80:
        return None  # "yesterday", "5": dateutil would fill in today's month and year
    try:
        return _utc(date_parser.isoparse(text))
    except (ValueError, OverflowError):
        pass
    try:
        with py_warnings.catch_warnings():
            py_warnings.simplefilter("ignore")  # an unknown zone name: read as UTC
            parsed = date_parser.parse(text, default=datetime(2000, 1, 1), tzinfos=_TZINFOS)
    except (ValueError, OverflowError):
        return None
    return _utc(parsed)


def _utc(d: datetime) -> datetime:
    """Naive UTC: a zone is converted, no zone is taken as UTC already."""
    return d.astimezone(UTC).replace(tzinfo=None) if d.tzinfo is not None else d


def _show(value: Any) -> str:
    return repr(str(value)[:40])


# -- formats ------------------------------------------------------------------------
# libyaml's parser when PyYAML has it: about ten times faster than the pure-Python one.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _NoTimestampLoader(_SafeLoader):  # type: ignore[misc,valid-type]
    """YAML without its implicit timestamps: dates stay text, so parse_date keeps their zone
    (PyYAML's would drop it here or raise on '9999-99-99' before we see it)."""


_NoTimestampLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in _SafeLoader.yaml_implicit_resolvers.items()
}
FRONT_MATTER = re.compile(r"\A\ufeff?---[ \t]*\n(.*?)^---[ \t]*$\n?", re.S | re.M)
FRONT_MATTER_MAX = 100_000  # characters; metadata is a few lines
META_KEYS = ("title", "outlet", "url", "date", "author", "source")


def _front_matter(text: str, name: str, warnings: list[str]) -> tuple[dict[str, Any], str]:
    """(metadata, body) of a Markdown file; broken front matter is skipped with a warning."""
    if not text.startswith(("---", "\ufeff---")):
        return {}, text
    m = FRONT_MATTER.match(text[:FRONT_MATTER_MAX])
    if m is None:
        warnings.append(f"{name}: front matter without its closing '---': read as text")
        return {}, text
    body = text[m.end():]
    try:
        data = yaml.load(m.group(1), Loader=_NoTimestampLoader)  # a SafeLoader
    except yaml.YAMLError as e:
        warnings.append(f"{name}: bad front matter ({str(e).splitlines()[0]}): metadata ignored")
        return {}, body
    if data is None:
        return {}, body
    if not isinstance(data, dict):
        warnings.append(f"{name}: front matter is not 'key: value' lines: metadata ignored")
        return {}, body
    meta: dict[str, Any] = {}
    for key in META_KEYS:
        value = data.get(key)
        if value is None or value == "":
            continue
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            warnings.append(f"{name}: front matter {key} is not text: ignored")
            continue
        meta[key] = " ".join(str(value).split())[:500]
    if "source" in meta and "outlet" not in meta:
        meta["outlet"] = meta.pop("source")
    return meta, body


TAG = re.compile(r"<[^>]+>")


@functools.cache
def _markdown_parser() -> MarkdownIt:
    # CommonMark as written: no typographer (quotes and dashes stay the author's). Every link
    # target is accepted (markdown-it refuses javascript: ones and leaves their brackets in the
    # text): only the link's text is kept, never its target.
    parser = MarkdownIt("commonmark")
    parser.validateLink = lambda url: True  # type: ignore[method-assign]  # its documented hook
    return parser


def _markdown_to_text(text: str) -> str:
    """Markdown -> the plain text a reader sees, one block per paragraph, word for word.

    Links keep their text (never the target), emphasis and code markers go, code keeps its
    content; headings, list items, quotes and code blocks become paragraphs. An ordered list
    item keeps its number: "1984. The year ..." at the start of a line is text to the writer.
    """
    blocks: list[str] = []
    number: str | None = None  # the marker of the list item being read, if ordered
    for token in _markdown_parser().parse(text):
        if token.type == "list_item_open":
            number = f"{token.info}{token.markup} " if token.info else None
        elif token.type == "inline":
            body = _inline_text(token.children or [])
            if body.strip():
                blocks.append((number or "") + body)
                number = None
        elif token.type in ("fence", "code_block") and token.content.strip():
            blocks.append(token.content.rstrip("\n"))
        elif token.type == "html_block" and TAG.sub("", token.content).strip():
            blocks.append(TAG.sub("", token.content).strip())
    return "\n\n".join(blocks)


def _inline_text(children: list[Token]) -> str:
    """The text of a paragraph's inline tokens; a soft line break stays a line break (the
    paragraph splitter rejoins hard-wrapped lines itself)."""
    parts = []
    for child in children:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append("\n")
        # images (their alt text is not the article's prose), inline HTML tags, link and
        # emphasis markers: dropped
    return "".join(parts)


# How digest asks trafilatura for a page's main text (bench/eval_extraction.py measures it).
TRAFILATURA_SETTINGS: dict[str, Any] = {"include_comments": False, "include_tables": False,
                                        "favor_precision": True, "include_links": True}
# Precision mode finds nothing at all on some pages (a fifth of L3S-GN1's Google News pages:
# 2008 table layouts, text in <td>); there, or when it finds almost nothing, trafilatura is asked
# again in its default mode with tables (the text sits in them), then in recall mode.
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
SENTENCE_END = re.compile(r"[.!?][\"'”’)]?(?:\s|$)")
WORD = re.compile(r"\w+")


def _html_to_text(raw: RawDocument, name: str) -> tuple[dict[str, Any], str]:
    import trafilatura

    html = _close_title(_close_doctype(raw.text))
    doc = trafilatura.bare_extraction(html, with_metadata=True, **TRAFILATURA_SETTINGS)
    for settings in TRAFILATURA_FALLBACKS:
        if _long_enough(doc):
            break
        doc = trafilatura.bare_extraction(html, with_metadata=True, **settings) or doc
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


LINK_MARK = "\x00link\x00"  # a line of a page that is all link text (see page_lines)
LINK_SLACK = 0.1  # share of a link line's letters that may sit outside its links ("1." , "|")


PUBLISHED = re.compile(
    r"""<meta[^>]+(?:property|name|itemprop)=["'](?:article:published_time|datePublished|pubdate"""
    r"""|date|dc\.date)["'][^>]+content=["']([^"']{4,40})["']"""
    r"""|["']datePublished["']\s*:\s*["']([^"']{4,40})["']""", re.I)


def _meta_published(html: str) -> datetime | None:
    """The publication time a page states in its head (meta tag or JSON-LD), zone kept."""
    m = PUBLISHED.search(html[:200_000])
    return parse_date(m.group(1) or m.group(2)) if m else None


def _meta_author(html: str) -> str | None:
    m = re.search(r'<meta[^>]+name=["\']author["\'][^>]+content=["\']([^"\']+)', html, re.I)
    return m.group(1).strip() if m else None


def _extract_feed(raw: RawDocument, name: str) -> list[Article]:
    import feedparser

    feed = feedparser.parse(raw.text)
    if not feed.entries:
        reason = getattr(feed, "bozo_exception", None) or "no entries"
        raise IngestError(f"{name}: not a usable RSS/Atom feed ({reason})")
    site = feed.feed.get("title")
    articles: list[Article] = []
    for n, entry in enumerate(feed.entries, start=1):
        html = (entry.get("content") or [{}])[0].get("value") or entry.get("summary") or ""
        text = html_fragment_text(html)
        if not text.strip():
            continue
        # feedparser converts the entry's time to UTC (its *_parsed fields).
        when = entry.get("published_parsed") or entry.get("updated_parsed")
        meta = {"title": entry.get("title"), "outlet": site, "url": entry.get("link"),
                "author": entry.get("author"),
                "date": datetime(*when[:6]) if when else None}
        for article in articles_from_text(text, f"{name}#{n}", meta)[:1]:
            articles.append(article)
    if not articles and feed.bozo:
        raise IngestError(f"{name}: broken RSS/Atom feed ({feed.bozo_exception})")
    return articles


def html_fragment_text(html: str) -> str:
    """Text of an HTML fragment with block elements as paragraphs."""
    if "<" not in html:
        return html
    import lxml.html

    try:
        root = lxml.html.fragment_fromstring(html, create_parent="div")
    except Exception:  # lxml raises several types on garbage; treat as plain text
        return re.sub(r"<[^>]+>", " ", html)
    for el in root.iter("script", "style"):
        el.drop_tree()
    for el in root.iter("p", "div", "br", "li", "h1", "h2", "h3", "h4", "blockquote"):
        el.tail = "\n\n" + (el.tail or "")
    return str(root.text_content())


def article_dict(a: Article) -> dict[str, Any]:
    """The `digest extract --format json` shape."""
    return {"id": a.id, "path": a.path, "title": a.title, "outlet": a.outlet,
            "date": a.date.isoformat() if a.date else None, "author": a.author, "url": a.url,
            "captions": list(a.captions), "text": a.text}
