"""Commands that read articles and print them: brief, extract, summarize."""

from __future__ import annotations

import shutil
import sys
from datetime import timedelta
from pathlib import Path
from typing import Any

import click

from digest import config as config_mod
from digest import (
    extract,
    history,
    ingest,
    pipeline,
    progress,
    render,
)
from digest.cli.app import (
    Context,
    LineUsageError,
    check_output,
    cli,
    emit,
    length_options,
    optional_config,
    parse_since,
    pass_ctx,
    utcnow,
    warn,
)
from digest.cli.topics import followed_topics
from digest.errors import IngestError
from digest.models import RawDocument

RECENT = timedelta(hours=24)  # the default `digest brief`: stories with articles this fresh


@cli.command()

@click.option("--source", "sources", multiple=True, type=click.Path(path_type=Path),
              help="Folder of articles, or one article file (repeatable; default: the config's "
              "folders, else seeds/).")

@click.option("--since", help="Stories with articles since: 24h, 7d, 2024-03-28; those with "
              "older articles too are marked updated and lead with what is new.")

@click.option("--all", "show_all", is_flag=True,
              help="Every stored story (default: the stories with an article taken in during "
              "the last 24 hours).")

@click.option("--since-last", is_flag=True,
              help="Mark stories new, updated or unchanged since this briefing was last "
              "produced (per --name), and remember what it shows.")

@click.option("--name", default=history.DEFAULT_NAME, show_default=True,
              help="With --since-last: which briefing's memory to use.")

@click.option("--max-stories", type=click.IntRange(min=1), help="Show at most N stories.")

@click.option("--format", "fmt", type=click.Choice(["markdown", "json"]), default="markdown",
              show_default=True)

@click.option("-o", "--output", type=click.Path(path_type=Path), help="Write to FILE, not stdout.")

@click.option("--plain", "look", flag_value="plain",
              help="Markdown even on a terminal (default there: rendered with headings and links).")

@click.option("--rich", "look", flag_value="rich",
              help="Rendered for a terminal even when piped (e.g. into `less -R`).")

@click.option("--templates", type=click.Path(path_type=Path), help="Folder overriding templates/.")

@click.option("--strict", is_flag=True,
              help="Exit 1 if any file could not be read (this run or still, since an earlier one).")

@click.option("--settle", type=float, default=2.0, show_default=True,
              help="Seconds a file must stay unmodified before it is read.")

@click.option("--topic", "topic_names", multiple=True, metavar="NAME",
              help="One section per topic from the config (repeatable); other stories are "
              "left out.")

@click.option("--also-noted", is_flag=True,
              help="With --topic: list stories matching no topic by title under 'Also noted'.")

@click.option("--feed", "feed_urls", multiple=True, metavar="URL",
              help="Fetch this feed now and take in its entries (repeatable; instead of the "
              "config's sources, like --source).")

@length_options

@pass_ctx

def brief(obj: Context, sources: tuple[Path, ...], feed_urls: tuple[str, ...], since: str | None,
          show_all: bool, since_last: bool, name: str, max_stories: int | None, fmt: str, output: Path | None,
          look: str | None, templates: Path | None, strict: bool, settle: float, topic_names: tuple[str, ...],
          also_noted: bool, method: str, sentences: int | None, words: int | None) -> None:
    """Take in new articles and print a briefing of the stories."""
    if also_noted and not topic_names:
        raise click.UsageError("--also-noted goes with --topic NAME")
    if sum((since_last, since is not None, show_all)) > 1:
        raise click.UsageError("--all, --since and --since-last are alternatives: give one")
    if name != history.DEFAULT_NAME and not since_last:
        raise click.UsageError("--name goes with --since-last")
    check_sources(sources)
    _check_feed_urls(feed_urls)
    check_output(output)
    cfg = optional_config(obj)
    followed = followed_topics(obj, topic_names) if topic_names else []
    now = utcnow()
    since_dt = parse_since(since, now)
    given = bool(sources or feed_urls)  # --source and --feed replace the config's sources
    folders = list(sources) if given else (list(cfg.sources.folders) if cfg else [Path("seeds")])
    templates = templates or (cfg.templates if cfg else None)
    if look is not None and (fmt == "json" or output is not None):
        raise click.UsageError(f"--{look} is for Markdown on stdout (not with --format json or -o)")
    rich_out = look == "rich" or (look is None and fmt == "markdown" and output is None
                                  and sys.stdout.isatty())
    bar = sys.stderr.isatty() and not obj.quiet
    with obj.store() as store:
        with progress.reporter(bar) as shown:  # the bar is gone before anything is printed
            report = pipeline.ingest_folders(store, folders, now=now, settle_seconds=settle,
                                             max_file_size=_max_file_size(cfg), progress=shown)
            if feed_urls or not given:
                pipeline.scan_feeds(store, cfg, now,
                                    only=list(feed_urls) if feed_urls else None, report=report)
        for w in report.warnings:
            warn(w)
        if strict:  # warned about on an earlier run: only --strict repeats them
            for w in report.failing:
                warn(f"still failing: {w}")
        for p in report.pending:
            warn(f"{p}: still being written; will be read on the next run")
        if not obj.quiet:  # cron mails whatever reaches stderr
            fetched = f" and {report.feeds_fetched} feed(s)" if report.feeds_fetched else ""
            click.echo(f"digest: {report.new_articles} new article(s) from {report.files_read} "
                       f"file(s){fetched}, {report.unchanged} unchanged", err=True)
            if (reread := report.reread_line()) is not None:
                click.echo(f"digest: {reread}", err=True)
        reader, story_ids = None, None
        if since_last:
            reader = history.briefing_history(store, name)
        elif since_dt is not None:
            reader, story_ids = history.history_before(store, since_dt)
        elif not show_all:  # what arrived lately, by when digest took it in (not article dates)
            story_ids = store.articles.stories_taken_in_since(now - RECENT)
        plan = pipeline.BriefingPlan(
            story_ids=frozenset(story_ids) if story_ids is not None else None, since=since_dt,
            topics=tuple(followed), max_stories=max_stories, also_noted=also_noted,
            method=method, sentences=sentences, words=words)
        with progress.reporter(bar) as shown:
            result = pipeline.build_briefings(
                store, plan, now=now, readers=None if reader is None else {pipeline.EVERYONE: reader},
                warnings=report.warnings, progress=shown)[pipeline.EVERYONE]
        if fmt == "json":
            emit(render.to_json(render.briefing_dict(result)), output)
        elif rich_out:
            click.echo(render.to_terminal(render.render_markdown(result, templates),
                                          width=shutil.get_terminal_size().columns), nl=False)
        else:
            emit(render.render_markdown(result, templates), output)
        if since_last:  # only once the briefing is out: what it showed is what was read
            history.record_briefing(store, name, result.stories, now)
    if strict and (report.warnings or report.failing):
        sys.exit(1)


def check_sources(sources: tuple[Path, ...]) -> None:
    """A --source that does not exist is a mistake, not an empty folder: exit 2 before any work."""
    for path in sources:
        if not path.exists():
            raise LineUsageError(f"--source {path}: no such folder or file")


def _check_feed_urls(urls: tuple[str, ...]) -> None:
    for url in urls:
        try:
            config_mod.check_feed_url(url)
        except ValueError as e:
            raise LineUsageError(f"--feed: {e}") from None


def _max_file_size(cfg: config_mod.Config | None) -> int:
    """The config's sources.max_file_size when there is a config, else the default."""
    return cfg.sources.max_file_size if cfg else ingest.DEFAULT_MAX_FILE_SIZE


def _read_files(files: tuple[Path, ...]) -> list[RawDocument]:
    return [ingest.read(ingest.entry_for(path)) for path in files]


def _extract(raws: list[RawDocument]) -> list[Any]:
    """Articles of the files; what was repaired or read around is warned about."""
    articles = []
    for raw in raws:
        warnings = list(raw.warnings)
        articles.extend(extract.extract(raw, warnings))
        for w in warnings:
            warn(w)
    return articles


def _read_articles(files: tuple[Path, ...]) -> list[Any]:
    return _extract(_read_files(files))


@cli.command(name="extract")

@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))

@click.option("--format", "fmt", type=click.Choice(["markdown", "json"]), default="markdown",
              show_default=True)

@click.option("--dropped", is_flag=True, help="Also list what the cleaner set aside, and why.")

def extract_cmd(files: tuple[Path, ...], fmt: str, dropped: bool) -> None:
    """Show each article as digest reads it: metadata and clean text."""
    raws, articles = [], []
    for path in files:  # one unreadable page is a warning; the other files still show
        try:
            [raw] = _read_files((path,))
            found = _extract([raw])
        except IngestError as e:
            warn(str(e))
            continue
        if not found:  # nothing but page chrome, as a run of `brief` would say
            warn(f"{ingest.path_text(path)}: no article text found")
        articles.extend(found)
        raws.append(raw)
    if not articles:
        raise IngestError("no article text in the given files")
    set_aside: dict[str, list[dict[str, str]]] = {}
    if dropped:
        for raw in raws:
            set_aside[ingest.path_text(raw.path)] = [{"kind": b.kind, "text": b.text}
                                        for b in extract.explain(raw) if b.kind != "body"]
    if fmt == "json":
        rows = [extract.article_dict(a) for a in articles]
        for row in rows:
            if row["path"] in set_aside:
                row["dropped"] = set_aside.pop(row["path"])
        click.echo(render.to_json(rows), nl=False)
    else:
        click.echo(render.render_template("article.md.j2",
                                          {"articles": articles, "dropped": set_aside}), nl=False)


@cli.command(name="summarize")

@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))

@click.option("--format", "fmt", type=click.Choice(["markdown", "json"]), default="markdown",
              show_default=True)

@length_options

def summarize_cmd(files: tuple[Path, ...], fmt: str, method: str, sentences: int | None,
                  words: int | None) -> None:
    """Summarize the given articles as one story (no grouping)."""
    articles = _read_articles(files)
    if not articles:
        raise IngestError("no article text in the given files")
    summary = pipeline.summarize_articles(articles, method=method, sentences=sentences, words=words)
    result = pipeline.briefing([summary], now=utcnow())
    if fmt == "json":
        click.echo(render.to_json(render.briefing_dict(result)), nl=False)
    else:
        click.echo(render.render_markdown(result), nl=False)
