"""An article's metadata from its text: dates (with their time zone, stored as naive UTC),
the outlet's signals on the page, and the article's stable id.
"""

from __future__ import annotations

import hashlib
import re
import warnings as py_warnings
from datetime import UTC, date, datetime
from typing import Any

from dateutil import parser as date_parser

from digest.extract.patterns import BYLINE, DATE_ISO, DATE_WORDS, DATELINE, SITE_SIGNALS, WIRES


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
