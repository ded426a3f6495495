"""OPML, the subscription list every feed reader imports and exports: read and write."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from pathlib import Path

from digest.config import check_feed_url
from digest.errors import FeedError


@dataclass(frozen=True)
class Outline:
    """One feed of an OPML file."""

    url: str
    title: str | None = None


def read_opml(path: Path) -> tuple[list[Outline], list[str]]:
    """The feeds of an OPML file (nested folders included) and one warning per outline that
    is not a usable feed URL; FeedError when the file is not OPML."""
    try:
        root = ET.fromstring(path.read_bytes())
    except OSError as e:
        raise FeedError(f"{path}: cannot read ({e.strerror or e})") from e
    except ET.ParseError as e:
        raise FeedError(f"{path}: not an OPML file (broken XML: {e})") from e
    if root.tag != "opml" or root.find("body") is None:
        raise FeedError(f"{path}: not an OPML file (no <opml><body>)")
    found: list[Outline] = []
    warnings: list[str] = []
    for node in root.iter("outline"):
        url = (node.get("xmlUrl") or "").strip()
        if not url:
            continue  # a folder of outlines
        try:
            check_feed_url(url)
        except ValueError as e:
            warnings.append(f"{path}: outline {node.get('text') or url!r}: {e}: skipped")
            continue
        title = " ".join((node.get("title") or node.get("text") or "").split()) or None
        found.append(Outline(url, title if title != url else None))  # text=URL: no title
    return found, warnings


def write_opml(outlines: Iterable[Outline], now: datetime) -> str:
    """OPML 2.0 text listing the feeds."""
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = "digest feeds"
    ET.SubElement(head, "dateCreated").text = format_datetime(now, usegmt=now.tzinfo is not None)
    body = ET.SubElement(root, "body")
    for o in outlines:
        attrs = {"type": "rss", "text": o.title or o.url, "xmlUrl": o.url}
        if o.title:
            attrs["title"] = o.title
        ET.SubElement(body, "outline", attrs)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
