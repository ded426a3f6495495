"""Briefing -> Markdown / JSON / HTML / text (the only module importing Jinja2)."""

from __future__ import annotations

import functools
import io
import json
import re
import textwrap
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from pathlib import Path
from typing import Any
from urllib.parse import quote

import css_inline
import jinja2

from digest.errors import RenderError
from digest.models import (
    UNKNOWN_OUTLET,
    Article,
    Briefing,
    Discrepancy,
    FigureLine,
    FigurePoint,
    StorySummary,
    SummarySentence,
    Update,
)

# The templates ship inside the package (digest/templates/) and are read through
# importlib.resources, so an installed wheel (pip install ., pipx) finds them wherever it lives.
PACKAGE_TEMPLATES = "digest/templates"
# Sources listed per story in the Markdown briefing and in emails ("and N more" after them; the
# JSON lists all): 10 stories of 300 articles each must stay under Gmail's 102 KB clipping limit.
MAX_SOURCES = 10
# A story's figures block stays readable whatever the story holds: at most this many lines,
# figures per line and figures per disagreement, then "and N more".
MAX_FIGURES = 6


def template_loader(override: Path | None) -> jinja2.BaseLoader:
    """An override folder first, then the shipped templates as fallback."""
    shipped = jinja2.PackageLoader("digest", "templates")
    if override is None:
        return shipped
    return jinja2.ChoiceLoader([jinja2.FileSystemLoader(str(override)), shipped])


def environment(override: Path | None = None, *, html: bool = False) -> jinja2.Environment:
    if override is not None and not override.is_dir():
        raise RenderError(f"{override}: templates folder not found")
    env = jinja2.Environment(
        loader=template_loader(override),
        autoescape=html,  # HTML output escapes untrusted article text
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["date"] = format_date
    env.filters["md"] = markdown_inline_escape
    env.filters["names"] = names
    env.globals["md_link"] = markdown_link
    env.globals["http_url"] = http_url
    env.globals["citation"] = citation
    env.globals["max_sources"] = MAX_SOURCES
    env.globals["sources_in_order"] = sources_in_order
    env.globals["figures_shown"] = figures_shown
    env.globals["discrepancies_shown"] = discrepancies_shown
    env.globals["figure_header"] = figure_header
    env.globals["timeline"] = timeline
    env.filters["first_upper"] = first_upper
    env.globals["disagreement"] = disagreement
    env.globals["MAX_FIGURES"] = MAX_FIGURES
    return env


def render_template(name: str, context: dict[str, Any], override: Path | None = None,
                    *, html: bool = False) -> str:
    """Render one template by name; a missing or broken template is a RenderError."""
    try:
        return environment(override, html=html).get_template(name).render(**context)
    except jinja2.TemplateNotFound as e:
        raise RenderError(f"template {e.name} not found in {_where(override)}") from e
    except jinja2.TemplateError as e:
        raise RenderError(f"template {name}: {e}") from e


def _where(override: Path | None) -> str:
    return f"{override} or {PACKAGE_TEMPLATES}" if override else PACKAGE_TEMPLATES


def render_markdown(briefing: Briefing, override: Path | None = None) -> str:
    return render_template("briefing.md.j2", {"briefing": briefing}, override)


def to_terminal(markdown: str, width: int = 100) -> str:
    """The Markdown briefing as a terminal shows it: headings, links and wrapped lines (ANSI)."""
    from rich.console import Console
    from rich.markdown import Markdown

    console = Console(file=io.StringIO(), force_terminal=True, width=width, soft_wrap=False)
    console.print(Markdown(markdown, hyperlinks=True))
    out = console.file.getvalue()  # type: ignore[attr-defined]
    return str(out)


def format_date(d: datetime | None, fmt: str = "%Y-%m-%d") -> str:
    return d.strftime(fmt) if d else "undated"


# Characters that can start Markdown markup anywhere in a line (CommonMark lets any ASCII
# punctuation be backslash-escaped, so escaping more than needed is harmless). "(" and ")" only
# matter after "]", and "!" only before "[", both escaped here.
_MD_ALWAYS = frozenset("\\`*[]<>|~&")
# A line that starts like a block ("- x", "+ x", "1. x", "2) x", "= x") would become a list or
# a heading inside the list item the text lands in.
_MD_BLOCK_START = re.compile(r"^(?:[-+=]|\d{1,9}[.)])(?=\s|$)")


def markdown_inline_escape(text: str) -> str:
    """Article text as literal Markdown text: no link, emphasis, code span, HTML or list.

    Whitespace is squeezed to single spaces (one line). An underscore between two letters or
    digits stays as it is (it cannot open emphasis: `max_retry_count` reads as written).
    """
    flat = " ".join(text.split())
    out = []
    for i, ch in enumerate(flat):
        if ch in _MD_ALWAYS:
            out.append("\\" + ch)
        elif ch == "#" and (i == 0 or flat[i - 1] == " "):  # a heading, or a heading's end
            out.append("\\#")
        elif ch == "_" and not (0 < i < len(flat) - 1 and flat[i - 1].isalnum()
                                and flat[i + 1].isalnum()):
            out.append("\\_")
        else:
            out.append(ch)
    escaped = "".join(out)
    m = _MD_BLOCK_START.match(escaped)
    if m:
        mark = m.group(0)
        escaped = f"{mark[:-1]}\\{mark[-1]}{escaped[len(mark):]}"
    return escaped


def markdown_link(text: str, url: str | None) -> str:
    """`[text](url)` for an http(s) URL (percent-encoded so it cannot leave the link), else the
    escaped text alone."""
    label = markdown_inline_escape(text) or "link"
    target = http_url(url)
    if target is None:
        return label
    return f"[{label}]({quote(target, safe=_URL_SAFE)})"


# Kept as they are in a link destination; everything else (spaces, quotes, backticks, angle
# brackets, parentheses, backslashes) is percent-encoded.
_URL_SAFE = "/:?#[]@!$&*+,;=%-._~"


def names(items: list[str], sep: str = ", ", limit: int = MAX_SOURCES) -> str:
    """Join at most limit names, then 'and N more' (a wire story can have hundreds of outlets)."""
    shown = sep.join(items[:limit])
    return f"{shown}{sep}and {len(items) - limit} more" if len(items) > limit else shown


def outlet_names(summary: StorySummary) -> dict[str, str]:
    """Each article's outlet as citations name it. Articles whose outlet is unknown are told
    apart by their number in the source list ("unknown outlet, source 3"): two of them are two
    sources, and the reader can find which one says what."""
    names = {a.id: a.outlet for a in summary.story.articles}
    if UNKNOWN_OUTLET in names.values():
        for n, a in enumerate(sources_in_order(summary), start=1):
            if a.outlet == UNKNOWN_OUTLET:
                names[a.id] = f"{UNKNOWN_OUTLET}, source {n}" if n <= MAX_SOURCES else UNKNOWN_OUTLET
    return names


def citation(summary: StorySummary, article_ids: tuple[str, ...]) -> str:
    """Outlet names for a sentence's sources, each once, in story order (at most MAX_SOURCES)."""
    by_id = outlet_names(summary)
    outlets: dict[str, None] = {}
    for aid in article_ids:
        if aid in by_id:
            outlets.setdefault(by_id[aid], None)
    return names(list(outlets), "; ")


def short_date(d: datetime | None) -> str:
    """ "Oct 29": a timeline reads by day; the year is in the story line above it."""
    return f"{d:%b} {d.day}" if d else "undated"


def figure_sources(summary: StorySummary, article_ids: tuple[str, ...],
                   limit: int = MAX_FIGURES) -> str:
    """The outlets stating a figure, as citation() names them, at most `limit` then a count."""
    names = citation(summary, article_ids).split("; ")
    if len(names) > limit:
        names = [*names[:limit], f"and {len(names) - limit} more"]
    return "; ".join(names)


def figure_value(value: str) -> str:
    """A figure as it reads inside a line: one taken from a headline ("NEARLY 100") or from
    the first word of a sentence ("One", "Dozens") in lower case; a figure has no proper
    nouns. The sentence it came from keeps its case (JSON `sentence`, `value`)."""
    return value.lower() if any(c.isupper() for c in value) else value


def figure_point(summary: StorySummary, point: FigurePoint) -> str:
    """ "144 (The Moscow Times; DW; AP, Mar 30)": a figure, who states it, since when."""
    when = f", {short_date(point.date)}" if point.date else ""
    return f"{figure_value(point.value)} ({figure_sources(summary, point.sources)}{when})"


def timeline(summary: StorySummary, line: FigureLine, limit: int = MAX_FIGURES) -> str:
    """A line's figures in time order; past `limit`, the first and the newest with a count between."""
    points = [figure_point(summary, p) for p in line.points]
    if len(points) > limit:
        hidden = len(points) - limit
        points = [points[0], f"(and {hidden} more)", *points[len(points) - limit + 1:]]
    text = " → ".join(points)
    return f"{text} (revised)" if line.verdict == "revised" else text


def first_upper(text: str) -> str:
    """ "killed (Honduras)" -> "Killed (Honduras)" (Jinja's capitalize would lower the rest)."""
    return text[:1].upper() + text[1:]


def figure_header(summary: StorySummary) -> str | None:
    """The newest figure of the story's main line, for the story's header: "144 killed"."""
    line = summary.header_figure
    if line is None:
        return None
    return f"{figure_value(line.newest.value)} {line.label}"


def disagreement(summary: StorySummary, d: Discrepancy, limit: int = MAX_FIGURES) -> str:
    """ "137 (X); 144 (AP)": the figures that cannot all be true, each with its outlets."""
    parts = [f"{figure_value(c.value)} ({figure_sources(summary, c.sources)})"
             for c in d.claims[:limit]]
    if len(d.claims) > limit:
        parts.append(f"and {len(d.claims) - limit} more")
    return "; ".join(parts)


def sources_in_order(summary: StorySummary) -> list[Article]:
    """A story's articles as its source list shows them: an update's new ones first, so the
    cap on listed sources never hides them."""
    articles = summary.story.articles
    if summary.update is None:
        return list(articles)
    new = set(summary.update.new_articles)
    return [a for a in articles if a.id in new] + [a for a in articles if a.id not in new]


def _new_to_reader(new: set[str], sources: tuple[str, ...]) -> bool:
    """A figure this reader has not been told: only articles they have not had (`new`)
    state it."""
    return bool(sources) and all(a in new for a in sources)


def figures_shown(summary: StorySummary) -> tuple[FigureLine, ...]:
    """The figure lines a story block shows. An update shows only the figures that moved
    since the reader last looked: lines whose figures do not all agree and that hold a figure
    only new articles state (a toll the reader already saw rise is not news again)."""
    if summary.update is None:
        return summary.figures
    new = set(summary.update.new_articles)
    return tuple(line for line in summary.figures if line.verdict != "agree"
                 and any(_new_to_reader(new, p.sources) for p in line.points))


def discrepancies_shown(summary: StorySummary) -> tuple[Discrepancy, ...]:
    """The "Sources disagree" lines a story block shows; an update, only those a figure new
    to the reader takes part in."""
    if summary.update is None:
        return summary.discrepancies
    new = set(summary.update.new_articles)
    return tuple(d for d in summary.discrepancies
                 if any(_new_to_reader(new, c.sources) for c in d.claims))


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
        "topic_score": round(s.topic_score, 3),
        "reasons": list(s.reasons),
        "other_topics": list(s.other_topics),
        "status": s.status,
        "articles": [
            {"id": a.id, "path": a.path, "title": a.title, "outlet": a.outlet,
             "date": a.date.isoformat() if a.date else None, "author": a.author, "url": a.url}
            for a in story.articles
        ],
        "summary": [sentence_dict(x) for x in s.sentences],
        "update": update_dict(s.update) if s.update else None,
        "figures": [
            {"subject": line.subject, "scope": line.scope, "verdict": line.verdict,
             "claims": [{"value": p.value, "low": p.low, "high": p.high, "qualifier": p.qualifier,
                         "sources": list(p.sources),
                         "date": p.date.isoformat() if p.date else None, "sentence": p.sentence}
                        for p in line.points]}
            for line in s.figures
        ],
        "discrepancies": [
            {"subject": d.subject,
             "claims": [{"value": c.value, "sources": list(c.sources)} for c in d.claims]}
            for d in s.discrepancies
        ],
    }


def sentence_dict(x: SummarySentence) -> dict[str, Any]:
    """A summary sentence; `new`: whether it is new to this reader (null without a history)."""
    return {"text": x.text, "sources": list(x.sources), "similar": list(x.similar),
            "new": x.new}


def update_dict(u: Update) -> dict[str, Any]:
    """What an updated story leads with: the newest article's headline, since when, context."""
    return {
        "headline": u.headline, "headline_source": u.headline_source,
        "headline_date": u.headline_date.isoformat() if u.headline_date else None,
        "since": u.since.isoformat(timespec="seconds") if u.since else None,
        "new_articles": list(u.new_articles),
        "context": sentence_dict(u.context) if u.context else None,
    }


def to_json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


# -- email digests ------------------------------------------------------------------------------
@dataclass(frozen=True)
class EmailParts:
    """A rendered digest: subject line, plain-text part and HTML part (CSS inlined)."""

    subject: str
    text: str
    html: str


def render_email(briefing: Briefing, *, digest: str, tz: tzinfo, recipient: str,
                 unsubscribe: str, override: Path | None = None) -> EmailParts:
    """Render email_subject.txt.j2, email.txt.j2 and email.html.j2 for one recipient."""
    stories = briefing.stories
    context = {
        "briefing": briefing,
        "stories": stories,
        "digest": digest,
        "recipient": recipient,
        "when": briefing.generated_at.replace(tzinfo=UTC).astimezone(tz),
        "new_count": sum(1 for s in stories if s.status == "new"),
        "updated_count": sum(1 for s in stories if s.status == "updated"),
        "unsubscribe": unsubscribe,
    }
    subject = " ".join(_render_email_template("email_subject.txt.j2", context, override,
                                              html=False, tz=tz).split())
    text = _render_email_template("email.txt.j2", context, override, html=False, tz=tz)
    html = _render_email_template("email.html.j2", {**context, "subject": subject}, override,
                                  html=True, tz=tz)
    return EmailParts(subject=subject, text=text, html=inline_css(html))


@functools.lru_cache(maxsize=16)
def _email_environment(override: Path | None, html: bool) -> jinja2.Environment:
    """One environment per templates folder and kind, so each template is compiled once per
    process, not once per recipient (composing a run for thousands of them spent ~90% of its
    time compiling); jinja reloads a template whose file changed since."""
    env = environment(override, html=html)
    env.filters["http_url"] = http_url
    env.filters["wrap"] = wrap_text
    env.filters["local"] = _local_filter
    return env


@jinja2.pass_context
def _local_filter(context: Any, d: datetime | None, fmt: str = "%a %d %b, %H:%M") -> str:
    """`local`: a time in the reader's zone (the render's `_tz`)."""
    return local_time(d, context["_tz"], fmt)


def _render_email_template(name: str, context: dict[str, Any], override: Path | None,
                           *, html: bool, tz: tzinfo = UTC) -> str:
    if override is not None and not override.is_dir():
        raise RenderError(f"{override}: templates folder not found")
    env = _email_environment(override, html)
    try:
        return env.get_template(name).render(**context, _tz=tz)
    except jinja2.TemplateNotFound as e:
        raise RenderError(f"template {e.name} not found in {_where(override)}") from e
    except jinja2.TemplateError as e:
        raise RenderError(f"template {name}: {e}") from e


def local_time(d: datetime | None, tz: tzinfo, fmt: str = "%a %d %b, %H:%M") -> str:
    """A naive UTC time as the reader's zone shows it ("Tue 02 Apr, 07:00"); "" for None."""
    return d.replace(tzinfo=UTC).astimezone(tz).strftime(fmt) if d else ""


def http_url(url: str | None) -> str | None:
    """The URL if it is a plain http(s) link, else None (no javascript: or data: links)."""
    if url and re.fullmatch(r"https?://[^\s<>\"']+", url.strip(), flags=re.IGNORECASE):
        return url.strip()
    return None


def wrap_text(text: str, width: int = 72, indent: str = "") -> str:
    """Fill text to width for the plain-text part; the first line is not indented."""
    lines = textwrap.wrap(" ".join(text.split()), width=width, subsequent_indent=indent,
                          break_long_words=False, break_on_hyphens=False)
    return "\n".join(lines)


def inline_css(html: str) -> str:
    """Move <style> rules into style= attributes (mail clients drop <style>); media queries stay."""
    try:
        return _INLINER.inline(html)
    except ValueError as e:  # css_inline raises ValueError on CSS it cannot parse
        raise RenderError(f"cannot inline the e-mail CSS: {e}") from e


# keep_at_rules leaves the @media query for phones in a <style> block (its rules cannot be
# inlined); no remote stylesheets are ever fetched (no network at run time).
_INLINER = css_inline.CSSInliner(keep_at_rules=True, load_remote_stylesheets=False)
