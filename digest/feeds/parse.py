"""Feed bytes -> ParsedFeed (feedparser), and an entry -> Article (digest's extractor).

An entry's identity is its GUID (Atom id), else its link, else its title and date: the same
entry fetched again is recognised and not taken in twice. Its content hash covers what the
feed says of it (title, content, link, date), so a corrected entry is noticed and replaces
the old text, as a changed file does.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from digest import extract
from digest.errors import FeedError, IngestError
from digest.ingest import decode
from digest.models import Article, RawDocument

# A summary shorter than this (characters of text), with no full content, is a teaser: the
# entry's page is fetched for the article itself.
TEASER_CHARS = 500


@dataclass(frozen=True)
class FeedEntry:
    """One entry as the feed gives it."""

    key: str  # hash of its identity
    content_hash: str
    title: str | None
    html: str  # the full content if the feed has it, else the summary
    link: str | None
    author: str | None
    date: datetime | None  # naive UTC (feedparser converts the entry's zone)
    teaser: bool  # only a short summary: the page holds the article


@dataclass(frozen=True)
class ParsedFeed:
    title: str | None
    entries: tuple[FeedEntry, ...]
    warnings: tuple[str, ...] = ()


def parse_feed(url: str, body: bytes, content_type: str | None = None) -> ParsedFeed:
    """The entries of an RSS or Atom document; FeedError when it is not a usable feed.

    A document whose bytes do not match its declared charset is decoded by detection (as a
    file would be) and read, with a warning; XML broken past reading is an error.
    """
    import feedparser

    warnings: list[str] = []
    headers = {"content-type": content_type} if content_type else {}
    parsed = feedparser.parse(body, response_headers=headers)
    problem = parsed.get("bozo_exception")
    if isinstance(problem, feedparser.CharacterEncodingOverride):
        try:
            text = decode(body, url)
        except IngestError as e:
            raise FeedError(f"{url}: wrong charset ({problem}) and no encoding fits") from e
        warnings.append(f"{url}: wrong charset ({problem}): decoded by detection")
        parsed = feedparser.parse(text)
        problem = parsed.get("bozo_exception")
    if not parsed.entries:
        if isinstance(problem, feedparser.NonXMLContentType) or (
                problem is None and not parsed.get("version")):
            raise FeedError(f"{url}: not an RSS or Atom feed")
        if problem is not None:
            raise FeedError(f"{url}: broken feed XML ({problem})")
    elif problem is not None and not isinstance(problem, feedparser.CharacterEncodingOverride):
        warnings.append(f"{url}: malformed feed XML ({problem}): "
                        f"{len(parsed.entries)} entries read anyway")
    title = _clean(parsed.feed.get("title"))
    entries: dict[str, FeedEntry] = {}
    for raw in parsed.entries:
        entry = _entry(raw)
        entries.setdefault(entry.key, entry)  # a feed listing an entry twice: the first
    return ParsedFeed(title, tuple(entries.values()), tuple(warnings))


def _entry(raw: Any) -> FeedEntry:
    content = (raw.get("content") or [{}])[0].get("value") or ""
    summary = raw.get("summary") or ""
    html = content or summary
    title, link = _clean(raw.get("title")), _clean(raw.get("link"))
    when = raw.get("published_parsed") or raw.get("updated_parsed")
    date = datetime(*when[:6]) if when else None
    identity = (("guid", raw.get("id")) if raw.get("id") else ("link", link) if link else
                ("title", f"{title}\n{raw.get('published') or raw.get('updated') or ''}"))
    teaser = not content and len(extract.html_fragment_text(summary).strip()) < TEASER_CHARS
    return FeedEntry(
        key=_hash(*identity), content_hash=_hash(title or "", html, link or "", str(date)),
        title=title, html=html, link=link, author=_clean(raw.get("author")), date=date,
        teaser=teaser)


def _clean(value: Any) -> str | None:
    text = " ".join(str(value).split()) if value else ""
    return text or None


def _hash(*parts: str) -> str:
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:24]


def entry_article(entry: FeedEntry, path: str, outlet: str) -> Article | None:
    """The article an entry carries in the feed itself (its content or summary)."""
    meta = {"title": entry.title, "outlet": outlet, "url": entry.link, "author": entry.author,
            "date": entry.date}
    found = extract.articles_from_text(extract.html_fragment_text(entry.html), path, meta)
    return found[0] if found else None


def page_article(entry: FeedEntry, page: bytes, path: str, outlet: str) -> Article:
    """The article of an entry's web page, cleaned like an HTML file; the feed's metadata
    (title, outlet, link, date) wins over the page's. IngestError: no article in the page."""
    url = entry.link or path
    text = decode(page, url)
    doc = RawDocument(path=Path("page.html"), text=text, kind="html", file_hash="", mtime=0.0)
    found = extract.extract(doc, [])
    if not found:
        raise IngestError(f"{url}: no article text in the page")
    article = found[0]
    return replace(article, path=path, title=entry.title or article.title, outlet=outlet,
                   url=entry.link or article.url, date=entry.date or article.date,
                   author=entry.author or article.author)
