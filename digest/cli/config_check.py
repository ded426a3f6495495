"""`digest check-config`: validate the config and say what it will do."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click

from digest import config as config_mod
from digest import schedule
from digest.cli.app import (
    Context,
    cli,
    pass_ctx,
    warn,
)
from digest.errors import ConfigError
from digest.storage import describe


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
