"""The `digest` command group and what every command shares: the state and config it
works on, options, output, and domain errors turned into one line."""

from __future__ import annotations

import logging
import os
import re
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from digest import config as config_mod
from digest import summarize
from digest.errors import DigestError, OutputError
from digest.storage import (
    StateLocation,
    Store,
    default_state_path,
    open_store,
    parse_location,
)

if TYPE_CHECKING:
    pass


log = logging.getLogger("digest")

LOG_LEVELS = ["debug", "info", "warning", "error"]


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


def load_config(obj: Context) -> config_mod.Config:
    return config_mod.load_config(config_mod.find_config(obj.config_path))


def optional_config(obj: Context) -> config_mod.Config | None:
    """The config when there is one (a broken one is an error), else None: brief runs without."""
    found = config_mod.locate_config(obj.config_path)
    return config_mod.load_config(found[0]) if found else None


def age(then: datetime | None, now: datetime) -> str:
    if then is None:
        return "?"
    seconds = max(int((now - then).total_seconds()), 0)
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            return f"{seconds // size} {unit} ago"
    return f"{seconds} s ago"


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
