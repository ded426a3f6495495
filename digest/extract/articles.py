"""RawDocument -> Article(s): the text read by its kind (page, Markdown, plain text, feed
entry), its blocks classified, glued articles split, metadata attached.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from digest.errors import IngestError
from digest.extract.blocks import Block, classify, paragraphs_of, split_glued_articles
from digest.extract.markdown_text import _front_matter, _markdown_to_text
from digest.extract.metadata import _outlet_signals, _show, article_id, find_date, parse_date
from digest.extract.pages import _html_to_text
from digest.extract.patterns import DATELINE, LINK_MARK
from digest.ingest import path_text
from digest.models import UNKNOWN_OUTLET, Article, RawDocument


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
