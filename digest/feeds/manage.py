"""What the `digest feeds` commands do with feeds, and which feeds a scan fetches
(`pipeline.scanning` runs the scans); the CLI only prints.

Feeds come from two places: the config file (`[sources] feeds`, `[[sources.feed]]`) and the
state file (`digest feeds add URL`, `digest feeds import FILE.opml`), so a feed can be added
without editing the config. Both are fetched on every scan that finds them due.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from digest.config import Config, FeedSpec, Sources, check_feed_url
from digest.errors import FeedError
from digest.feeds.fetch import FetchSettings
from digest.feeds.opml import Outline, read_opml, write_opml
from digest.feeds.service import feeds_to_fetch
from digest.storage import Store
from digest.storage.feeds import FeedState


def settings(sources: Sources) -> FetchSettings:
    """The network settings the config asks for."""
    return FetchSettings(timeout=sources.feed_timeout.total_seconds(),
                         max_size=sources.feed_max_size)


def all_feeds(store: Store, cfg: Config | None) -> list[FeedSpec]:
    """Every feed to fetch: the config's, then those added to the state file."""
    return feeds_to_fetch(cfg.sources.all_feeds if cfg else [], store.feeds.subscribed())


def add(store: Store, url: str, name: str | None = None) -> bool:
    """Subscribe to a feed URL; False if it was there already. FeedError: not a feed URL."""
    try:
        check_feed_url(url)
    except ValueError as e:
        raise FeedError(str(e)) from None
    return store.feeds.subscribe(url, name)


@dataclass(frozen=True)
class FeedRow:
    """One line of `digest feeds list`."""

    spec: FeedSpec
    origin: Literal["config", "added", "brief --feed"]
    state: FeedState | None


def rows(store: Store, cfg: Config | None) -> list[FeedRow]:
    """Every feed with what is known of it: the config's, the added ones, then those only
    fetched once by `digest brief --feed URL`."""
    in_config = {f.url for f in (cfg.sources.all_feeds if cfg else [])}
    states = store.feeds.states()
    found = [FeedRow(spec, "config" if spec.url in in_config else "added", states.get(spec.url))
             for spec in all_feeds(store, cfg)]
    listed = {r.spec.url for r in found}
    return found + [FeedRow(FeedSpec(url=url), "brief --feed", state)
                    for url, state in states.items() if url not in listed]


def import_opml(store: Store, path: Path, cfg: Config | None = None) -> tuple[list[str], list[str]]:
    """Subscribe to every feed of an OPML file that the config does not list already:
    (URLs added, warnings)."""
    outlines, warnings = read_opml(path)
    in_config = {f.url for f in (cfg.sources.all_feeds if cfg else [])}
    added = [o.url for o in outlines
             if o.url not in in_config and store.feeds.subscribe(o.url, o.title)]
    return added, warnings


def export_opml(store: Store, cfg: Config | None) -> str:
    """Every feed (config's and added) as OPML."""
    outlines = [Outline(r.spec.url, r.spec.name or (r.state.name or r.state.title if r.state else None))
                for r in rows(store, cfg)]
    return write_opml(outlines, datetime.now(UTC))
