"""Command line: parse -> call -> print. The only place that prints or exits."""

from __future__ import annotations

import logging
import os
import re
import shutil
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from digest import config as config_mod
from digest import (
    extract,
    history,
    ingest,
    pipeline,
    progress,
    render,
    schedule,
    summarize,
    topic_rules,
    topics,
)
from digest.errors import ConfigError, DigestError, IngestError, OutputError, StoreError
from digest.feeds import manage as feeds
from digest.models import RawDocument, StorySummary
from digest.storage import (
    StateLocation,
    Store,
    default_state_path,
    describe,
    open_store,
    parse_location,
)
from digest.storage import exists as state_exists

# The email side (SMTP, TLS, the scheduler) is imported by the commands that mail, not here:
# `digest brief` and the other commands start without paying its import time.
if TYPE_CHECKING:
    from digest.email import outbox

log = logging.getLogger("digest")
LOG_LEVELS = ["debug", "info", "warning", "error"]
RECENT = timedelta(hours=24)  # the default `digest brief`: stories with articles this fresh


def utcnow() -> datetime:
    """Naive UTC 'now': article dates carry no zone, so all comparisons are naive UTC."""
    return datetime.now(UTC).replace(tzinfo=None)


class Context:
    def __init__(self, state: str | None, config: Path | None, verbose: bool,
                 quiet: bool = False, log_level: str | None = None) -> None:
        self.state_given = state
        self.config_path = config
        self.verbose = verbose
        self.quiet = quiet
        self.log_level = log_level
        self._state: StateLocation | None = None

    @property
    def state_path(self) -> StateLocation:
        """Where the state is: --state, else $DIGEST_STATE, else the config's [state] url, else
        the default SQLite file (a postgresql:// URL in any of them: PostgreSQL)."""
        if self._state is None:
            given = self.state_given or os.environ.get("DIGEST_STATE")
            found = None if given else config_mod.locate_config(self.config_path)
            url = config_mod.state_url(found[0]) if found else None
            if given:
                self._state = parse_location(given)
            elif found and url:
                self._state = parse_location(url, base=found[0].resolve().parent)
            else:
                self._state = default_state_path()
        return self._state

    def store(self) -> Store:
        return open_store(self.state_path)


class LineUsageError(click.ClickException):
    """A wrong argument told in one line (no usage text), exit status 2 like click's."""

    exit_code = 2

    def show(self, file: Any = None) -> None:
        click.echo(f"error: {self.format_message()}", err=True)


pass_ctx = click.make_pass_decorator(Context)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--state", metavar="PATH|URL",
              help="SQLite state file, or postgresql://user@host:port/db (default: $DIGEST_STATE, "
              "the config's [state] url, else $DIGEST_HOME/state.sqlite or the user data dir).")
@click.option("--config", "config", type=click.Path(path_type=Path),
              help="Config file (default: $DIGEST_CONFIG, else config/digest.toml, else "
              "~/.config/digest/digest.toml).")
@click.option("-v", "--verbose", is_flag=True, help="Log details and show tracebacks.")
@click.option("-q", "--quiet", is_flag=True,
              help="Only warnings and errors on stderr (for cron: no counts, no progress).")
@click.option("--log-level", type=click.Choice(LOG_LEVELS, case_sensitive=False),
              help="Log from this level on (default: warning; `digest run`: info).")
@click.version_option(package_name="digest")
@click.pass_context
def cli(ctx: click.Context, state: str | None, config: Path | None, verbose: bool,
        quiet: bool, log_level: str | None) -> None:
    """digest: group news articles into stories and brief on them."""
    if verbose and (quiet or log_level):
        raise click.UsageError("-v, -q and --log-level are alternatives: give one")
    level = "debug" if verbose else "warning" if quiet else (log_level or "warning")
    logging.basicConfig(level=level.upper(), stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if not verbose:  # trafilatura logs "discarding data: None" for pages we report ourselves
        for name in ("trafilatura", "htmldate", "courlan"):
            logging.getLogger(name).setLevel(logging.CRITICAL)
    ctx.obj = Context(state, config, verbose, quiet, log_level)


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


def check_output(output: Path | None) -> None:
    """Refuse an output path whose folder is missing before doing the work."""
    if output is not None and not output.parent.is_dir():
        raise OutputError(f"{output}: cannot write: folder {output.parent} does not exist")


def emit(text: str, output: Path | None) -> None:
    if output:
        try:
            output.write_text(text, encoding="utf-8")
        except OSError as e:
            raise OutputError(f"{output}: cannot write ({e.strerror or e})") from e
    else:
        click.echo(text, nl=False)


def warn(message: str) -> None:
    click.echo(f"warning: {message}", err=True)


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
    cfg = _optional_config(obj)
    followed = _followed_topics(obj, topic_names) if topic_names else []
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
                feeds.scan(store, cfg, now, only=list(feed_urls) if feed_urls else None,
                           report=report)
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


def _optional_config(obj: Context) -> config_mod.Config | None:
    """The config when there is one (a broken one is an error), else None: brief runs without."""
    found = config_mod.locate_config(obj.config_path)
    return config_mod.load_config(found[0]) if found else None


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
    report = feeds.scan_sources(store, cfg, now)
    for w in report.warnings:
        warn(w)


@cli.command(name="check-config")
@pass_ctx
def check_config(obj: Context) -> None:
    """Validate the config file and show what it will do, without running anything."""
    if not isinstance(obj.state_path, Path):  # connecting is the check (a file is made on use)
        click.echo(describe(obj.state_path))
    path = config_mod.find_config(obj.config_path)
    found = config_mod.locate_config(obj.config_path)
    how = found[1] if found else ""
    cfg = config_mod.load_config(path)  # every problem of the file at once, one per line
    problems = []
    if cfg.smtp is not None and cfg.smtp.password_env:
        try:  # run and send log in with it: an unset variable would fail only at send time
            cfg.smtp_password()
        except ConfigError as e:
            problems.append(str(e))
    click.echo(f"{path}: {'OK' if not problems else 'NOT READY'} ({how})")
    src = cfg.sources
    every = config_mod.format_duration(src.scan_every)
    click.echo(f"sources: {', '.join(map(str, src.folders))} (scan every {every})")
    if src.all_feeds:
        click.echo(f"feeds: {', '.join(f.url for f in src.all_feeds)} (refresh every "
                   f"{config_mod.format_duration(src.feed_refresh)} unless a feed says otherwise)")
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
    now = datetime.now(UTC)
    for spec in cfg.digests:
        runs = ", ".join(t.strftime("%a %Y-%m-%d %H:%M %Z") for t in
                         schedule.next_runs(spec, now, 3))
        click.echo(f"digest {spec.name}: \"{spec.schedule}\" {spec.timezone} to "
                   f"{len(spec.recipients)} recipient(s), up to {spec.max_stories} stories; "
                   f"next: {runs}")
    if not cfg.digests:
        click.echo("digests: none")
    if problems:
        raise ConfigError("\n".join(problems))


@cli.command()
@pass_ctx
def run(obj: Context) -> None:
    """Run the daemon: scan sources and send each digest on its schedule (Ctrl-C stops)."""
    from digest.email import daemon
    from digest.email.transport import SmtpSettings, SmtpTransport
    cfg = load_config(obj)
    transport = SmtpTransport(SmtpSettings.from_config(cfg))
    obj.store().close()  # a bad --state is one line here, not a traceback in the daemon
    if not cfg.digests:
        warn(f"{cfg.file}: no [[digests]]: only scanning sources")
    if not (obj.verbose or obj.quiet or obj.log_level):  # a daemon's log says what it did
        logging.getLogger("digest").setLevel(logging.INFO)
    logging.getLogger("apscheduler").setLevel(logging.DEBUG if obj.verbose else logging.WARNING)
    daemon.run_forever(daemon.Daemon(cfg, obj.state_path, transport))


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
    from digest.email import service
    from digest.email.transport import SmtpSettings, SmtpTransport
    if dry_run != (out is not None):
        raise click.UsageError("--dry-run and --out DIR go together")
    recipients = _check_addresses(to) or None
    cfg = load_config(obj)
    spec = cfg.digest(name)
    transport = None if dry_run else SmtpTransport(SmtpSettings.from_config(cfg))
    with obj.store() as store:
        _scan(cfg, store, utcnow())
        if dry_run:
            assert out is not None
            service.settle(store, utcnow())
            prepared = service.prepare(cfg, store, spec, utcnow(), recipients=recipients)
            wanted = [p for p in prepared if not p.empty or spec.send_empty]
            for p, path in zip(wanted, service.write_eml(wanted, out, spec.name), strict=True):
                click.echo(f"wrote {path} ({len(p.briefing.stories)} stories for {p.recipient})")
            for p in prepared:
                if p not in wanted:
                    click.echo(f"nothing new for {p.recipient}: no digest (send_empty = false)")
            return
        assert transport is not None
        result = service.send_now(cfg, store, spec, transport, clock=utcnow, to=recipients)
    if result.busy:
        click.echo(f"error: another digest process was composing for "
                   f"{service.SEND_LOCK_WAIT:g} s; nothing was composed: try again later",
                   err=True)
        sys.exit(EX_TEMPFAIL)
    for recipient in result.empty:
        click.echo(f"nothing new for {recipient}: not sent (send_empty = false)")
    for recipient in result.pending:
        click.echo(f"a queued digest for {recipient} already carries these stories: "
                   "sending that one")
    _report_delivery(result.delivery)
    if result.still_queued:
        report = result.delivery
        why = report.retrying[-1][1] if report.retrying else "not delivered yet"
        who = ", ".join(sorted({m.recipient for m in result.still_queued}))
        click.echo(f"error: {len(result.still_queued)} message(s) for {who} stay queued ({why}); "
                   f"`digest run` or the next `digest send {name}` delivers them", err=True)
        sys.exit(EX_TEMPFAIL)
    if result.delivery.failed or result.delivery.unconfirmed:
        sys.exit(1)


def _report_delivery(report: outbox.DeliveryReport) -> None:
    for m in report.sent:
        click.echo(f"sent {m.digest} to {m.recipient}: {m.subject}")
    for m, err in report.unconfirmed:
        click.echo(f"error: unconfirmed: {m.digest} to {m.recipient} (Message-ID {m.message_id}):"
                   f" {err}; counted as sent. Check the server log for that Message-ID; "
                   f"`digest outbox retry {m.id}` sends it again", err=True)
    for m, err in report.failed:
        click.echo(f"error: not delivered to {m.recipient}: {err}", err=True)


@cli.command()
@click.argument("name")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the HTML to FILE (default: stdout).")
@click.option("--to", "to", metavar="ADDR", help="Preview for this recipient (default: the first).")
@pass_ctx
def preview(obj: Context, name: str, output: Path | None, to: str | None) -> None:
    """Render the HTML email digest NAME would send now, without sending or recording it."""
    from digest.email import service
    recipients = _check_addresses((to,)) if to else None
    check_output(output)
    cfg = load_config(obj)
    spec = cfg.digest(name)
    # A preview reads the stored articles only: it takes in no files and writes no state.
    if not state_exists(obj.state_path):
        what = "no state file yet" if isinstance(obj.state_path, Path) else "no digest state yet"
        raise StoreError(f"{obj.state_path}: {what}: `digest run` or `digest brief` "
                         "takes in the articles first")
    with obj.store() as store:
        prepared = service.prepare(cfg, store, spec, utcnow(),
                                  recipients=recipients or spec.recipients[:1])[0]
    emit(prepared.parts.html, output)
    if output:
        click.echo(f"wrote {output}: {prepared.parts.subject}", err=True)


def _age(then: datetime | None, now: datetime) -> str:
    if then is None:
        return "?"
    seconds = max(int((now - then).total_seconds()), 0)
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{seconds // size} {unit} ago"
    return f"{seconds} s ago"


def _message_lines(m: outbox.Message, now: datetime) -> list[str]:
    lines = [f"#{m.id} {m.state:<11} {m.digest} to {m.recipient}, {_age(m.created_at, now)}, "
             f"Message-ID {m.message_id}"]
    if m.state == "queued":
        lines.append(f"    next try after {m.next_attempt_at:%Y-%m-%d %H:%M:%S} UTC, "
                     f"{m.attempts} attempt(s)" + (f": {m.last_error}" if m.last_error else ""))
    elif m.last_error:
        lines.append(f"    {m.last_error}")
    if m.state == "unconfirmed":
        lines.append(f"    the server may have it: check its log for the Message-ID; "
                     f"`digest outbox retry {m.id}` sends it again, "
                     f"`digest outbox drop {m.id}` closes it")
    elif m.state == "failed":
        lines.append(f"    `digest outbox retry {m.id}` tries again, "
                     f"`digest outbox drop {m.id}` closes it")
    return lines


@cli.command()
@pass_ctx
def status(obj: Context) -> None:
    """Show queued, unconfirmed and failed mail, each digest's next run, and the store."""
    from digest.email import service
    now = utcnow()
    cfg = load_config(obj) if (obj.config_path is not None
                               or config_mod.DEFAULT_CONFIG.is_file()) else None
    with obj.store() as store:
        settled = service.settle(store, now)
        seen = service.overview(store)
    states = ", ".join(f"{n} {state}" for state, n in seen.states.items()) or "empty"
    click.echo(f"outbox: {states}" + (" (a delivery is in progress)" if settled.busy else ""))
    for m in seen.open:
        for line in _message_lines(m, now):
            click.echo(line)
    for spec in cfg.digests if cfg else []:
        runs = schedule.next_runs(spec, now.replace(tzinfo=UTC), 1)
        when = runs[0].strftime("%a %Y-%m-%d %H:%M %Z") if runs else "never"
        click.echo(f"digest {spec.name}: next run {when}, {len(spec.recipients)} recipient(s)")
    click.echo(f"store: {seen.articles} article(s) in {seen.stories} stories; newest taken in "
               f"{_age(seen.last_article, now)}; a new or changed file last seen "
               f"{_age(seen.last_file, now)}")
    scan = seen.last_scan
    if scan is None:
        click.echo("last scan: none yet")
    else:
        click.echo(f"last scan: {_age(scan.finished_at, now)}: {scan.files_read} file(s) read, "
                   f"{scan.new_articles} new article(s), {scan.unchanged} unchanged, "
                   f"{scan.warnings} warning(s)")


@cli.group(name="outbox")
def outbox_group() -> None:
    """The email outbox: list messages, send one again, or drop one."""


@outbox_group.command(name="list")
@click.option("--all", "show_all", is_flag=True, help="Also sent, superseded and dropped ones.")
@pass_ctx
def outbox_list(obj: Context, show_all: bool) -> None:
    """List queued, unconfirmed and failed messages (all with --all), oldest first."""
    from digest.email import outbox, service
    now = utcnow()
    with obj.store() as store:
        service.settle(store, now)
        found = outbox.messages(store) if show_all else outbox.open_messages(store)
    if not found:
        click.echo("outbox: nothing queued, unconfirmed or failed")
    for m in found:
        for line in _message_lines(m, now):
            click.echo(line)


@outbox_group.command(name="retry")
@click.argument("message", type=int, metavar="ID")
@pass_ctx
def outbox_retry(obj: Context, message: int) -> None:
    """Send message ID again (unconfirmed or failed): the same bytes and Message-ID."""
    from digest.email import outbox
    from digest.email.transport import SmtpSettings, SmtpTransport
    cfg = load_config(obj)
    transport = SmtpTransport(SmtpSettings.from_config(cfg))
    with obj.store() as store:
        m = outbox.retry(store, message, utcnow())
        click.echo(f"#{m.id} queued again: {m.digest} to {m.recipient} ({m.message_id})")
        report = outbox.deliver(store, transport, utcnow(), digest=m.digest,
                                ignore_backoff=True)
        still = outbox.get(store, m.id)
    _report_delivery(report)
    if still.state == "queued":
        click.echo(f"error: #{m.id} stays queued ({still.last_error or 'busy'}); `digest run` "
                   "or the next `digest send` delivers it", err=True)
        sys.exit(EX_TEMPFAIL)
    if still.state != "sent":
        sys.exit(1)


@outbox_group.command(name="drop")
@click.argument("message", type=int, metavar="ID")
@pass_ctx
def outbox_drop(obj: Context, message: int) -> None:
    """Never send message ID (queued, unconfirmed or failed); it stays listed as dropped."""
    from digest.email import outbox
    with obj.store() as store:
        m = outbox.drop(store, message, utcnow())
    click.echo(f"#{m.id} dropped: {m.digest} to {m.recipient} ({m.message_id})")


# -- feeds -----------------------------------------------------------------------------------
@cli.group(name="feeds")
def feeds_group() -> None:
    """Feeds over HTTP: add, list, import and export them (OPML)."""


@feeds_group.command(name="add")
@click.argument("url")
@click.option("--name", help="Shown by `digest feeds list` (default: the feed's own title).")
@pass_ctx
def feeds_add(obj: Context, url: str, name: str | None) -> None:
    """Add feed URL to the sources (kept in the state file; the config's feeds stay there)."""
    with obj.store() as store:
        added = feeds.add(store, url, name)
    click.echo(f"added {url}" if added else f"{url}: already added")


@feeds_group.command(name="list")
@pass_ctx
def feeds_list(obj: Context) -> None:
    """List every feed: last fetch, status, entries taken in, next fetch."""
    cfg = _optional_config(obj)
    now = utcnow()
    with obj.store() as store:
        found = feeds.rows(store, cfg)
    if not found:
        click.echo("no feeds: add one with `digest feeds add URL` or [sources] feeds = [...]")
    for row in found:
        st = row.state
        name = row.spec.name or (st.name or st.title if st else None)
        click.echo(f"{row.spec.url}" + (f" ({name})" if name else "") + f" [{row.origin}]")
        if st is None or st.last_fetch_at is None:
            click.echo("    never fetched; next: at the next scan")
            continue
        status = f"error: {st.error}" if st.status == "error" else (
            "not modified (304)" if st.status == "304" else "ok")
        nxt = "at the next scan" if st.next_fetch_at is None or st.next_fetch_at <= now else (
            f"{st.next_fetch_at:%Y-%m-%d %H:%M} UTC")
        click.echo(f"    last fetch {_age(st.last_fetch_at, now)}: {status}; {st.entries} "
                   f"entries taken in; next: {nxt}"
                   + (f" ({st.failures} failure(s) in a row)" if st.failures else ""))


@feeds_group.command(name="import")
@click.argument("file", type=click.Path(path_type=Path))
@pass_ctx
def feeds_import(obj: Context, file: Path) -> None:
    """Add every feed of an OPML file."""
    cfg = _optional_config(obj)
    with obj.store() as store:
        added, warnings = feeds.import_opml(store, file, cfg)
    for w in warnings:
        warn(w)
    click.echo(f"{file}: {len(added)} feed(s) added")


@feeds_group.command(name="export")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the OPML to FILE (default: stdout).")
@pass_ctx
def feeds_export(obj: Context, output: Path | None) -> None:
    """Write every feed (the config's and the added ones) as OPML."""
    check_output(output)
    cfg = _optional_config(obj)
    with obj.store() as store:
        emit(feeds.export_opml(store, cfg), output)


# -- topics ----------------------------------------------------------------------------------
def _followed_topics(obj: Context, names: tuple[str, ...]) -> list[topics.Topic]:
    cfg = load_config(obj)
    return topic_rules.select(cfg.topics, names, file=cfg.file)


def _stored_summaries(obj: Context, since: str | None
                      ) -> tuple[list[StorySummary], dict[str, str]]:
    with obj.store() as store:
        summaries = pipeline.story_summaries(store, since=parse_since(since, utcnow()))
        duplicates = store.articles.duplicates()
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
    """Entry point: domain errors become one line on stderr (a line per problem of a config) and
    exit status 1; wrong arguments exit 2."""
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
        for line in str(e).splitlines():  # a config lists every problem, one per line
            click.echo(f"error: {line}", err=True)
        sys.exit(1)
    except KeyboardInterrupt:
        sys.exit(130)
