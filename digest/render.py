"""Briefing -> Markdown / JSON / HTML / text (the only module importing Jinja2)."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import jinja2

from digest.errors import RenderError
from digest.models import Article, Briefing, StorySummary

PACKAGE_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def template_dirs(override: Path | None) -> list[Path]:
    """An override folder first, then the shipped templates as fallback."""
    dirs = [override] if override else []
    return [*dirs, PACKAGE_TEMPLATES]


def environment(override: Path | None = None, *, html: bool = False) -> jinja2.Environment:
    if override is not None and not override.is_dir():
        raise RenderError(f"{override}: templates folder not found")
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(d) for d in template_dirs(override)]),
        autoescape=html,  # HTML output escapes untrusted article text
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["date"] = format_date
    env.filters["md"] = markdown_inline_escape
    env.globals["citation"] = citation
    env.globals["source_line"] = source_line
    return env


def render_template(name: str, context: dict[str, Any], override: Path | None = None,
                    *, html: bool = False) -> str:
    """Render one template by name; a missing or broken template is a RenderError."""
    try:
        return environment(override, html=html).get_template(name).render(**context)
    except jinja2.TemplateNotFound as e:
        raise RenderError(f"template {e.name} not found in {override or PACKAGE_TEMPLATES}") from e
    except jinja2.TemplateError as e:
        raise RenderError(f"template {name}: {e}") from e


def render_markdown(briefing: Briefing, override: Path | None = None) -> str:
    return render_template("briefing.md.j2", {"briefing": briefing}, override)


def format_date(d: datetime | None, fmt: str = "%Y-%m-%d") -> str:
    return d.strftime(fmt) if d else "undated"


def markdown_inline_escape(text: str) -> str:
    """Keep article text from turning into Markdown markup (links, emphasis, HTML)."""
    out = []
    for ch in " ".join(text.split()):
        if ch in "\\`*[]<>#|":
            out.append("\\" + ch)
        else:
            out.append(ch)
    return "".join(out)


def citation(summary: StorySummary, article_ids: tuple[str, ...]) -> str:
    """Outlet names for a sentence's sources, each once, in story order."""
    names: dict[str, None] = {}
    for aid in article_ids:
        art = summary.article(aid)
        if art is not None:
            names.setdefault(art.outlet, None)
    return "; ".join(names)


def source_line(article: Article) -> str:
    where = article.url or article.path
    return f"{article.outlet}: {article.title} ({format_date(article.date)}) {where}"


def briefing_dict(briefing: Briefing) -> dict[str, Any]:
    """The machine-readable briefing (the --format json shape)."""
    return {
        "generated_at": briefing.generated_at.isoformat(timespec="seconds"),
        "sections": [
            {"title": sec.title, "stories": [s.story.id for s in sec.stories]}
            for sec in briefing.sections
        ],
        "stories": [story_dict(s) for s in briefing.stories],
        "also_noted": [{"id": s.story.id, "title": s.story.title} for s in briefing.also_noted],
    }


def story_dict(s: StorySummary) -> dict[str, Any]:
    story = s.story
    return {
        "id": story.id,
        "title": story.title,
        "outlets": story.outlets,
        "first_date": format_date(story.first_date) if story.first_date else None,
        "last_date": format_date(story.last_date) if story.last_date else None,
        "topic": s.topic,
        "reasons": list(s.reasons),
        "other_topics": list(s.other_topics),
        "status": s.status,
        "articles": [
            {"id": a.id, "path": a.path, "title": a.title, "outlet": a.outlet,
             "date": a.date.isoformat() if a.date else None, "author": a.author, "url": a.url}
            for a in story.articles
        ],
        "summary": [
            {"text": x.text, "sources": list(x.sources), "similar": list(x.similar)}
            for x in s.sentences
        ],
        "discrepancies": [
            {"subject": d.subject,
             "claims": [{"value": c.value, "sources": list(c.sources)} for c in d.claims]}
            for d in s.discrepancies
        ],
    }


def to_json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"
