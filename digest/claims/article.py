"""An article's claims: its headline, body and captions split into sentences, read with
what the rest of the article says (its year, the events it recalls).
"""

from __future__ import annotations

from dataclasses import replace

from digest.claims.context import _context, _stated_year, sentences
from digest.claims.reader import _in_context, _may_hold_figure, read_claims
from digest.models import Article, Claim


def _units(article: Article) -> list[str]:
    """Headline, body sentences and captions that may hold a figure (cheap tests first)."""
    units: list[str] = []
    chunks = (article.title, *article.paragraphs, *article.captions)
    if not _may_hold_figure(" ".join(chunks)):  # most articles: one look at the whole text
        return units
    for chunk in chunks:
        if _may_hold_figure(chunk):
            units.extend(s for s in sentences(" ".join(chunk.split())) if _may_hold_figure(s))
    return units


def article_claims(article: Article) -> list[Claim]:
    """Every claim in an article's headline, body and captions, credited to the article."""
    units = _units(article)
    if not units:
        return []
    year = article.date.year if article.date else _stated_year(article)
    context = None  # (read only when a sentence has a current claim for it to judge)
    out: list[Claim] = []
    seen: set[tuple[str, str | None, str, str]] = set()
    for unit in units:
        found = read_claims(unit, year=year)
        if any(c.role == "current" for c in found):
            context = context or _context(article, year)
            found = _in_context(unit, found, context)
        for c in found:
            key = (c.subject, c.scope, c.value, c.role)
            if key in seen:  # the lead printed twice, a caption repeated under every photo
                continue
            seen.add(key)
            out.append(replace(c, article_id=article.id, outlet=article.outlet,
                               date=article.date))
    return out
