"""Which feeds are due, and fetching them: feed -> new or changed entries -> articles.

Network and parsing only: nothing here writes the state file. `collect` hands each feed's
result, as soon as it is complete, to the pipeline, which commits it in one transaction (the
entries' articles, the entries ledger and the feed's new validators), or records the error
with its backoff.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from urllib.parse import urljoin, urlsplit

from digest.config import DEFAULT_FEED_REFRESH, FeedSpec
from digest.errors import FeedError, IngestError
from digest.feeds.fetch import PAGE_ACCEPT, Fetcher, FetchSettings
from digest.feeds.parse import FeedEntry, entry_article, page_article, parse_feed
from digest.models import UNKNOWN_OUTLET, Article
from digest.storage.feeds import FeedState, FetchStatus, KnownEntry

# A failing feed is tried again after 1 minute, then 2, 4, ... at most a day apart.
BACKOFF_FIRST = timedelta(minutes=1)
BACKOFF_MAX = timedelta(days=1)


@dataclass(frozen=True)
class FeedPlan:
    """A feed to fetch now, with what the state file knows of it."""

    spec: FeedSpec
    state: FeedState | None
    known: dict[str, KnownEntry] = field(default_factory=dict)  # entry key -> what was taken in
    refresh: timedelta = DEFAULT_FEED_REFRESH


@dataclass(frozen=True)
class EntryResult:
    """A new or changed entry and the article it gave (None: no text at all)."""

    key: str
    path: str  # the articles' key: a changed entry keeps the path it had
    content_hash: str
    article: Article | None


@dataclass(frozen=True)
class FeedResult:
    """One feed's fetch: what to commit, or the error (with the backoff) to record."""

    url: str  # the feed as configured (the key of its state)
    fetch_url: str  # where it is fetched from now (a permanent redirect moved it)
    status: FetchStatus
    next_fetch_at: datetime
    entries: tuple[EntryResult, ...] = ()  # new or changed entries only
    seen: int = 0  # entries in the feed
    etag: str | None = None
    last_modified: str | None = None
    title: str | None = None
    error: str | None = None
    warnings: tuple[str, ...] = ()


def feeds_to_fetch(configured: Iterable[FeedSpec], subscribed: Iterable[FeedState]) -> list[FeedSpec]:
    """The config's feeds, then those added by `digest feeds add|import` (each URL once)."""
    out = {spec.url: spec for spec in configured}
    for state in subscribed:
        out.setdefault(state.url, FeedSpec(url=state.url, name=state.name))
    return list(out.values())


def is_due(state: FeedState | None, now: datetime) -> bool:
    """Never fetched, or its next fetch (refresh interval or backoff) has come."""
    return state is None or state.next_fetch_at is None or state.next_fetch_at <= now


def backoff(failures: int) -> timedelta:
    """How long a feed that failed `failures` times in a row waits before the next try."""
    return min(BACKOFF_FIRST * (1 << min(max(failures - 1, 0), 20)), BACKOFF_MAX)


def collect(plans: Sequence[FeedPlan], settings: FetchSettings, now: datetime,
            take: Callable[[FeedResult], None]) -> None:
    """Fetch every planned feed at once (pooled, per-host limits) and read its entries; each
    feed's result goes to `take` as soon as it is complete (so a feed fetched is committed
    while slower ones are still on their way). One feed's failure is its own result."""
    if plans:
        asyncio.run(_collect(plans, settings, now, take))


async def _collect(plans: Sequence[FeedPlan], settings: FetchSettings, now: datetime,
                   take: Callable[[FeedResult], None]) -> None:
    async with Fetcher(settings) as fetcher:
        for done in asyncio.as_completed([_one(fetcher, p, now) for p in plans]):
            take(await done)


async def _one(fetcher: Fetcher, plan: FeedPlan, now: datetime) -> FeedResult:
    spec, state = plan.spec, plan.state
    fetch_url = state.fetch_url if state else spec.url
    refresh = spec.refresh or plan.refresh
    try:
        response = await fetcher.get(fetch_url, etag=state.etag if state else None,
                                     last_modified=state.last_modified if state else None)
        moved = response.moved_to or fetch_url
        if response.status == 304:
            return FeedResult(spec.url, moved, "304", now + refresh)
        parsed = parse_feed(fetch_url, response.body, response.content_type)
    except FeedError as e:
        failures = (state.failures if state else 0) + 1
        return FeedResult(spec.url, fetch_url, "error", now + backoff(failures), error=str(e))
    outlet = spec.outlet or parsed.title or UNKNOWN_OUTLET
    warnings = list(parsed.warnings)
    todo = [e for e in parsed.entries
            if e.key not in plan.known or plan.known[e.key].content_hash != e.content_hash]
    done = await asyncio.gather(*(_entry(fetcher, plan, e, moved, outlet, warnings)
                                  for e in todo))
    return FeedResult(spec.url, moved, "200", now + refresh, tuple(done), len(parsed.entries),
                      response.etag, response.last_modified, parsed.title, None, tuple(warnings))


async def _entry(fetcher: Fetcher, plan: FeedPlan, entry: FeedEntry, feed_url: str, outlet: str,
                 warnings: list[str]) -> EntryResult:
    known = plan.known.get(entry.key)
    path = known.path if known else f"{feed_url}#{entry.key[:12]}"
    link = urljoin(feed_url, entry.link) if entry.link else None
    if link != entry.link:
        entry = replace(entry, link=link)
    article = None
    if link and urlsplit(link).scheme in ("http", "https") and (entry.teaser or plan.spec.full_text):
        try:
            page = await fetcher.get(link, accept=PAGE_ACCEPT)
            article = page_article(entry, page.body, path, outlet)
        except (FeedError, IngestError) as e:
            warnings.append(f"{e}: kept the feed's teaser")
    if article is None:
        article = entry_article(entry, path, outlet)
    return EntryResult(entry.key, path, entry.content_hash, article)


