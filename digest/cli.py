"""Command line: parse -> call -> print. The only place that prints or exits."""

from __future__ import annotations

import logging
import re
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import click

from digest import config as config_mod
from digest import (
    deliver,
    extract,
    ingest,
    mailer,
    pipeline,
    render,
    scheduler,
    summarize,
    topic_rules,
    topics,
)
from digest.errors import DigestError, IngestError
from digest.models import RawDocument
from digest.store import Store, default_state_path

log = logging.getLogger("digest")


def utcnow() -> datetime:
    """Naive UTC 'now': article dates carry no zone, so all comparisons are naive UTC."""
    return datetime.now(UTC).replace(tzinfo=None)


class Context:
    def __init__(self, state: Path | None, config: Path | None, verbose: bool) -> None:
        self.state_path = state or default_state_path()
        self.config_path = config
        self.verbose = verbose

    def store(self) -> Store:
        return Store(self.state_path)


pass_ctx = click.make_pass_decorator(Context)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--state", type=click.Path(path_type=Path), envvar=None,
              help="SQLite state file (default: $DIGEST_HOME/state.sqlite or the user data dir).")
@click.option("--config", "config", type=click.Path(path_type=Path), envvar="DIGEST_CONFIG",
              help="Config file (default: $DIGEST_CONFIG, else config/digest.toml if present).")
@click.option("-v", "--verbose", is_flag=True, help="Log details and show tracebacks.")
@click.version_option(package_name="digest")
@click.pass_context
def cli(ctx: click.Context, state: Path | None, config: Path | None, verbose: bool) -> None:
    """digest: group news articles into stories and brief on them."""
    logging.basicConfig(level=logging.DEBUG if verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    if not verbose:  # its notes on a page ("discarding data") are not ours to warn about
        logging.getLogger("trafilatura").setLevel(logging.ERROR)
    ctx.obj = Context(state, config, verbose)


def parse_since(value: str | None, now: datetime) -> datetime | None:
    """'24h', '7d', '90m' back from now, or a date '2024-03-28' / ISO timestamp."""
    if not value:
        return None
    m = re.fullmatch(r"\s*(\d+)\s*([mhdw])\s*", value)
    if m:
        unit = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}[m.group(2)]
        return now - timedelta(**{unit: int(m.group(1))})
    try:
        given = datetime.fromisoformat(value.strip())
    except ValueError:
        raise click.BadParameter(f"{value!r}: use e.g. 24h, 7d or 2024-03-28", param_hint="--since") from None
    # Article dates are naive UTC: a zone given is converted, none is taken as UTC.
    return given.astimezone(UTC).replace(tzinfo=None) if given.tzinfo else given


def length_options(f: Any) -> Any:
    f = click.option("--words", type=click.IntRange(min=1), help="Summary length in words (per story).")(f)
    f = click.option("--sentences", type=click.IntRange(min=1), help="Summary length in sentences.")(f)
    f = click.option("--method", type=click.Choice(summarize.METHODS, case_sensitive=False),
                     default=summarize.DEFAULT_METHOD, show_default=True,
                     help="Summarizer.")(f)
    return f


def emit(text: str, output: Path | None) -> None:
    if output:
        output.write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)


def warn(message: str) -> None:
    click.echo(f"warning: {message}", err=True)


@cli.command()
@click.option("--source", "sources", multiple=True, type=click.Path(path_type=Path),
              help="Folder of articles (repeatable; default: seeds/).")
@click.option("--since", help="Only articles since: 24h, 7d, 2024-03-28.")
@click.option("--max-stories", type=click.IntRange(min=1), help="Show at most N stories.")
@click.option("--format", "fmt", type=click.Choice(["markdown", "json"]), default="markdown",
              show_default=True)
@click.option("-o", "--output", type=click.Path(path_type=Path), help="Write to FILE, not stdout.")
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
@length_options
@pass_ctx
def brief(obj: Context, sources: tuple[Path, ...], since: str | None, max_stories: int | None,
          fmt: str, output: Path | None, templates: Path | None, strict: bool, settle: float,
          topic_names: tuple[str, ...], also_noted: bool,
          method: str, sentences: int | None, words: int | None) -> None:
    """Take in new articles and print a briefing of the stories."""
    if also_noted and not topic_names:
        raise click.UsageError("--also-noted goes with --topic NAME")
    followed = _followed_topics(obj, topic_names) if topic_names else []
    now = utcnow()
    since_dt = parse_since(since, now)
    folders = list(sources) or _configured_folders(obj)
    with obj.store() as store:
        report = pipeline.ingest_folders(store, folders, now=now, settle_seconds=settle,
                                         max_file_size=_max_file_size(obj))
        for w in report.warnings:
            warn(w)
        if strict:  # warned about on an earlier run: only --strict repeats them
            for w in report.failing:
                warn(f"still failing: {w}")
        for p in report.pending:
            warn(f"{p}: still being written; will be read on the next run")
        click.echo(f"digest: {report.new_articles} new article(s) from {report.files_read} "
                   f"file(s), {report.unchanged} unchanged", err=True)
        summaries = pipeline.story_summaries(store, since=since_dt, method=method,
                                             sentences=sentences, words=words)
        duplicates = store.duplicates()
    result = pipeline.topic_briefing(summaries, followed, now=now, max_stories=max_stories,
                                     also_noted=also_noted, duplicates=duplicates,
                                     warnings=report.warnings)
    if fmt == "json":
        emit(render.to_json(render.briefing_dict(result)), output)
    else:
        emit(render.render_markdown(result, templates), output)
    if strict and (report.warnings or report.failing):
        sys.exit(1)


def _configured_folders(obj: Context) -> list[Path]:
    """The config's [sources] folders when there is a config, else seeds/."""
    if obj.config_path is None and not config_mod.DEFAULT_CONFIG.is_file():
        return [Path("seeds")]
    return list(load_config(obj).sources.folders)


def _max_file_size(obj: Context) -> int:
    """The config's sources.max_file_size when there is a config, else the default."""
    if obj.config_path is None and not config_mod.DEFAULT_CONFIG.is_file():
        return ingest.DEFAULT_MAX_FILE_SIZE
    return load_config(obj).sources.max_file_size


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
    raws = _read_files(files)
    articles = _extract(raws)
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


# -- email digests -----------------------------------------------------------------------------
EX_TEMPFAIL = 75  # sysexits.h: try again later (the digest stays queued)


def load_config(obj: Context) -> config_mod.Config:
    return config_mod.load_config(config_mod.find_config(obj.config_path))


def _check_addresses(values: tuple[str, ...]) -> list[str]:
    for value in values:
        try:
            config_mod.check_address(value)
        except ValueError as e:
            raise click.BadParameter(str(e), param_hint="--to") from None
    return list(values)


def _scan(cfg: config_mod.Config, store: Store, now: datetime) -> None:
    report = mailer.scan(cfg, store, now)
    for w in report.warnings:
        warn(w)


@cli.command(name="check-config")
@pass_ctx
def check_config(obj: Context) -> None:
    """Validate the config file and show what it will do, without running anything."""
    path = config_mod.find_config(obj.config_path)
    cfg = config_mod.load_config(path)
    click.echo(f"{path}: OK")
    src = cfg.sources
    every = config_mod.format_duration(src.scan_every)
    click.echo(f"sources: {', '.join(map(str, src.folders))} (scan every {every})")
    for folder in src.folders:
        if not folder.is_dir():
            warn(f"sources.folders: {folder} does not exist (yet)")
    if cfg.smtp is None:
        click.echo("smtp: none ([smtp] is needed by run and send)")
    else:
        smtp = cfg.smtp
        login = f", login as {smtp.username}" if smtp.username else ", no login"
        click.echo(f"smtp: {smtp.host}:{smtp.effective_port} {smtp.security}{login}, "
                   f"from {smtp.sender}")
        if smtp.password_env:
            try:
                cfg.smtp_password()
            except DigestError as e:
                warn(str(e))
    now = datetime.now(UTC)
    for spec in cfg.digests:
        runs = ", ".join(t.strftime("%a %Y-%m-%d %H:%M %Z") for t in
                         scheduler.next_runs(spec, now, 3))
        click.echo(f"digest {spec.name}: \"{spec.schedule}\" {spec.timezone} to "
                   f"{len(spec.recipients)} recipient(s), up to {spec.max_stories} stories; "
                   f"next: {runs}")
    if not cfg.digests:
        click.echo("digests: none")


@cli.command()
@pass_ctx
def run(obj: Context) -> None:
    """Run the daemon: scan sources and send each digest on its schedule (Ctrl-C stops)."""
    cfg = load_config(obj)
    transport = deliver.SmtpTransport(deliver.SmtpSettings.from_config(cfg))
    if not cfg.digests:
        warn(f"{cfg.file}: no [[digests]]: only scanning sources")
    if not obj.verbose:
        logging.getLogger("digest").setLevel(logging.INFO)
    logging.getLogger("apscheduler").setLevel(logging.DEBUG if obj.verbose else logging.WARNING)
    scheduler.run_forever(scheduler.Daemon(cfg, obj.state_path, transport))


@cli.command()
@click.argument("name")
@click.option("--to", "to", multiple=True, metavar="ADDR",
              help="Send to ADDR instead of the digest's recipients (repeatable).")
@click.option("--dry-run", is_flag=True, help="Write .eml files to --out instead of sending.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the .eml files of --dry-run.")
@pass_ctx
def send(obj: Context, name: str, to: tuple[str, ...], dry_run: bool, out: Path | None) -> None:
    """Send digest NAME now (and anything of it still queued); exit 75 if it stays queued."""
    if dry_run != (out is not None):
        raise click.UsageError("--dry-run and --out DIR go together")
    recipients = _check_addresses(to) or None
    cfg = load_config(obj)
    spec = cfg.digest(name)
    transport = None if dry_run else deliver.SmtpTransport(deliver.SmtpSettings.from_config(cfg))
    with obj.store() as store:
        _scan(cfg, store, utcnow())
        if dry_run:
            assert out is not None
            prepared = mailer.prepare(cfg, store, spec, utcnow(), recipients=recipients)
            wanted = [p for p in prepared if not p.empty or spec.send_empty]
            for p, path in zip(wanted, mailer.write_eml(wanted, out, spec.name), strict=True):
                click.echo(f"wrote {path} ({len(p.briefing.stories)} stories for {p.recipient})")
            for p in prepared:
                if p not in wanted:
                    click.echo(f"nothing new for {p.recipient}: no digest (send_empty = false)")
            return
        assert transport is not None
        result = mailer.send_now(cfg, store, spec, transport, clock=utcnow, to=recipients)
    for recipient in result.empty:
        click.echo(f"nothing new for {recipient}: not sent (send_empty = false)")
    report = result.delivery
    for m in report.sent:
        click.echo(f"sent {m.digest} to {m.recipient}: {m.subject}")
    for m, err in report.unconfirmed:
        warn(f"{m.recipient}: {err}; counted as sent (Message-ID {m.message_id})")
    for m, err in report.failed:
        click.echo(f"error: not delivered to {m.recipient}: {err}", err=True)
    if result.still_queued:
        why = "another digest process is delivering" if report.busy else (
            report.retrying[-1][1] if report.retrying else "not delivered yet")
        who = ", ".join(sorted({m.recipient for m in result.still_queued}))
        click.echo(f"error: {len(result.still_queued)} message(s) for {who} stay queued ({why}); "
                   f"`digest run` or the next `digest send {name}` delivers them", err=True)
        sys.exit(EX_TEMPFAIL)
    if report.failed:
        sys.exit(1)


@cli.command()
@click.argument("name")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the HTML to FILE (default: stdout).")
@click.option("--to", "to", metavar="ADDR", help="Preview for this recipient (default: the first).")
@pass_ctx
def preview(obj: Context, name: str, output: Path | None, to: str | None) -> None:
    """Render the HTML email digest NAME would send now, without sending or recording it."""
    recipients = _check_addresses((to,)) if to else None
    cfg = load_config(obj)
    spec = cfg.digest(name)
    with obj.store() as store:
        _scan(cfg, store, utcnow())
        prepared = mailer.prepare(cfg, store, spec, utcnow(),
                                  recipients=recipients or spec.recipients[:1])[0]
    emit(prepared.parts.html, output)
    if output:
        click.echo(f"wrote {output}: {prepared.parts.subject}", err=True)


# -- topics ----------------------------------------------------------------------------------
def _followed_topics(obj: Context, names: tuple[str, ...]) -> list[topics.Topic]:
    cfg = load_config(obj)
    return topic_rules.select(cfg.topics, names, file=cfg.file)


def _stored_summaries(obj: Context, since: str | None
                      ) -> tuple[list[Any], dict[str, str]]:
    with obj.store() as store:
        summaries = pipeline.story_summaries(store, since=parse_since(since, utcnow()))
        duplicates = store.duplicates()
    if not summaries:
        warn("no stored stories: run `digest brief` (or `digest run`) to take in articles first")
    return summaries, duplicates


@cli.group(name="topics")
def topics_group() -> None:
    """Topics to follow: list them and try them on the stored stories."""


@topics_group.command(name="list")
@click.option("--since", help="Only stories with articles since: 24h, 7d, 2024-03-28.")
@pass_ctx
def topics_list(obj: Context, since: str | None) -> None:
    """List the topics and how many stored stories each matches."""
    cfg = load_config(obj)
    if not cfg.topics:
        click.echo(f"{cfg.file}: no [[topics]] entries")
        return
    compiled = [rule.compile() for rule in cfg.topics]
    summaries, _ = _stored_summaries(obj, since)
    counts = topics.count_matches(summaries, compiled)
    width = max(len(t.name) for t in compiled)
    for t in compiled:
        n = counts[t.name]
        click.echo(f"{t.name:<{width}}  {n:>3} {'story' if n == 1 else 'stories':<7}  "
                   f"{topics.describe_topic(t)}")


@topics_group.command(name="test")
@click.argument("name", required=False)
@click.option("--query", "query", metavar="QUERY",
              help="Try a query instead of a configured topic: '\"concert hall\" AND Putin'.")
@click.option("--since", help="Only stories with articles since: 24h, 7d, 2024-03-28.")
@click.option("--all", "show_all", is_flag=True,
              help="Also list the stories that do not match, with the reason.")
@pass_ctx
def topics_test(obj: Context, name: str | None, query: str | None, since: str | None,
                show_all: bool) -> None:
    """Show which stored stories topic NAME (or --query) matches, and why."""
    if (name is None) == (query is None):
        raise click.UsageError("give a topic NAME or --query QUERY (one of them)")
    if query is not None:
        try:
            topic = topics.compile_topic("query", query=query)
        except DigestError as e:
            raise click.BadParameter(str(e), param_hint="--query") from None
    else:
        [topic] = _followed_topics(obj, (str(name),))
    summaries, duplicates = _stored_summaries(obj, since)
    hits, misses = topics.try_topic(summaries, topic, duplicates)
    click.echo(f"{topic.name}: {len(hits)} of {len(summaries)} stored stories match "
               f"({topics.describe_topic(topic)})")
    for i, s in enumerate(hits, 1):
        story = s.story
        dates = render.format_date(story.first_date)
        last, first = story.last_date, story.first_date
        if last and first and last.date() != first.date():
            dates += f" to {render.format_date(story.last_date)}"
        click.echo(f"\n{i}. {story.title}\n   score {s.topic_score:.1f} · "
                   f"{len(story.articles)} article(s) from {', '.join(story.outlets)} · {dates} · "
                   f"story {story.id}\n   why: {'; '.join(s.reasons)}")
    if show_all and misses:
        click.echo("\nnot matching:")
        for s, m in misses:
            click.echo(f"- {s.story.title} ({s.story.id}): {m.why_not}")


def main() -> None:
    """Entry point: domain errors become one line on stderr and exit status 1 (2 for config)."""
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except click.ClickException as e:
        e.show()
        sys.exit(e.exit_code)
    except DigestError as e:
        if "-v" in sys.argv or "--verbose" in sys.argv:
            raise
        click.echo(f"error: {e}", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)
