"""Commands of the email side: run, send, preview, status, outbox.

The email modules (SMTP, TLS, the scheduler) are imported inside the commands that mail:
the other commands start without paying their import time."""

from __future__ import annotations

import logging
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from digest import config as config_mod
from digest import pipeline, schedule
from digest.cli.app import (
    Context,
    age,
    check_output,
    cli,
    emit,
    load_config,
    pass_ctx,
    utcnow,
    warn,
)
from digest.errors import StoreError
from digest.storage import Store
from digest.storage import exists as state_exists

if TYPE_CHECKING:
    from digest.email import outbox


EX_TEMPFAIL = 75  # sysexits.h: try again later (the digest stays queued)


def _check_addresses(values: tuple[str, ...]) -> list[str]:
    for value in values:
        try:
            config_mod.check_address(value)
        except ValueError as e:
            raise click.BadParameter(str(e), param_hint="--to") from None
    return list(values)


def _scan(cfg: config_mod.Config, store: Store, now: datetime) -> None:
    report = pipeline.scan_sources(store, cfg, now)
    for w in report.warnings:
        warn(w)


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


def _message_lines(m: outbox.Message, now: datetime) -> list[str]:
    lines = [f"#{m.id} {m.state:<11} {m.digest} to {m.recipient}, {age(m.created_at, now)}, "
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
               f"{age(seen.last_article, now)}; a new or changed file last seen "
               f"{age(seen.last_file, now)}")
    scan = seen.last_scan
    if scan is None:
        click.echo("last scan: none yet")
    else:
        click.echo(f"last scan: {age(scan.finished_at, now)}: {scan.files_read} file(s) read, "
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
