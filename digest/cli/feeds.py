"""`digest feeds`: add, list, import and export the feeds over HTTP."""

from __future__ import annotations

from pathlib import Path

import click

from digest.cli.app import (
    Context,
    age,
    check_output,
    cli,
    emit,
    optional_config,
    pass_ctx,
    utcnow,
    warn,
)
from digest.feeds import manage as feeds


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
    cfg = optional_config(obj)
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
        click.echo(f"    last fetch {age(st.last_fetch_at, now)}: {status}; {st.entries} "
                   f"entries taken in; next: {nxt}"
                   + (f" ({st.failures} failure(s) in a row)" if st.failures else ""))


@feeds_group.command(name="import")

@click.argument("file", type=click.Path(path_type=Path))

@pass_ctx

def feeds_import(obj: Context, file: Path) -> None:
    """Add every feed of an OPML file."""
    cfg = optional_config(obj)
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
    cfg = optional_config(obj)
    with obj.store() as store:
        emit(feeds.export_opml(store, cfg), output)
