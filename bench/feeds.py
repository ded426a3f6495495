"""Fetch time of many feeds from local HTTP servers: the first run (every entry a teaser whose
page is fetched and extracted, then grouped and stored) and the second (every feed 304).

The servers are tests/feed_server.py on 127.0.0.1 .. 127.0.0.H (the whole 127/8 is local on
Linux), so the per-host limit applies as it would to H sites; each site serves F/H feeds of
E entries and the entries' pages. Everything runs through `pipeline.ingest_feeds` into a
fresh SQLite state file, as `digest brief` and `digest run` do.

    python bench/feeds.py                       # 200 feeds x 20 entries on 20 hosts
    python bench/feeds.py --feeds 50 --entries 10 --hosts 5
"""

from __future__ import annotations

import argparse
import random
import resource
import sys
import tempfile
import time
from contextlib import ExitStack
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from feed_server import FeedServer, Item, Route, page, rss  # noqa: E402

from digest import pipeline  # noqa: E402
from digest.config import FeedSpec  # noqa: E402
from digest.feeds import service  # noqa: E402
from digest.feeds.fetch import FetchSettings  # noqa: E402
from digest.storage import Store  # noqa: E402

PLACES = ["Lisbon", "Nairobi", "Osaka", "Quito", "Tbilisi", "Hanoi", "Accra", "Bergen", "Cusco",
          "Dakar", "Perth", "Tunis", "Leeds", "Ghent", "Riga", "Cork", "Split", "Graz"]
EVENTS = ["flooding", "a transit strike", "a wildfire", "an election recount", "a bridge collapse",
          "a heat wave", "a port blockade", "a power outage", "a landslide", "a teachers' strike"]


def article(rng: random.Random, n: int) -> tuple[str, list[str]]:
    place, event = rng.choice(PLACES), rng.choice(EVENTS)
    title = f"{place}: officials respond to {event} (report {n})"
    paras = [f"Officials in {place} said on {rng.choice(['Monday', 'Tuesday', 'Friday'])} that "
             f"{event} had affected {rng.randint(20, 9000)} households, and that crews were "
             f"working through the night (item {n}, paragraph {k})." for k in range(5)]
    return title, paras


def serve(stack: ExitStack, hosts: int, feeds: int, entries: int,
          full_content: bool = False) -> list[str]:
    """Start the servers, fill their routes; the feed URLs."""
    rng = random.Random(7)
    urls: list[str] = []
    servers = []
    for h in range(hosts):
        server = FeedServer(host=f"127.0.0.{h + 1}")
        stack.enter_context(server)
        servers.append(server)
    for f in range(feeds):
        server = servers[f % hosts]
        items = []
        for e in range(entries):
            title, paras = article(rng, f * entries + e)
            path = f"/f{f}/e{e}.html"
            server.routes[path] = Route(page(title, paras), "text/html; charset=utf-8")
            content = "".join(f"<p>{p}</p>" for p in paras) if full_content else None
            items.append(Item(f"urn:f{f}:e{e}", title, paras[0][:160] + "…", server.url(path),
                              content=content))
        server.routes[f"/f{f}.xml"] = Route(rss(f"Site {f}", items), etag=f'"f{f}-v1"')
        urls.append(server.url(f"/f{f}.xml"))
    return urls


def run(store: Store, urls: list[str], now: datetime) -> tuple[float, pipeline.IngestReport]:
    start = time.perf_counter()
    report = pipeline.ingest_feeds(store, [FeedSpec(url=u) for u in urls], now=now,
                                   settings=FetchSettings(), refresh=timedelta(minutes=30),
                                   force=True)
    return time.perf_counter() - start, report


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--feeds", type=int, default=200)
    ap.add_argument("--entries", type=int, default=20)
    ap.add_argument("--hosts", type=int, default=20)
    ap.add_argument("--full-content", action="store_true",
                    help="entries carry their whole text: no page is fetched")
    ap.add_argument("--fetch-only", action="store_true",
                    help="time fetching, parsing and extracting only (nothing stored)")
    args = ap.parse_args()
    now = datetime(2026, 11, 26, 12, 0)
    with ExitStack() as stack, tempfile.TemporaryDirectory() as tmp:
        urls = serve(stack, args.hosts, args.feeds, args.entries, args.full_content)
        if args.fetch_only:
            plans = [service.FeedPlan(FeedSpec(url=u), None) for u in urls]
            results: list[service.FeedResult] = []
            start = time.perf_counter()
            service.collect(plans, FetchSettings(), now, results.append)
            took = time.perf_counter() - start
            print(f"fetch, parse and extract only: {took:.1f} s for "
                  f"{sum(len(r.entries) for r in results)} entries of {len(results)} feeds")
            return
        with Store(Path(tmp) / "state.sqlite") as store:
            first, r1 = run(store, urls, now)
            second, r2 = run(store, urls, now + timedelta(hours=1))
            stored = store.articles.count()
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    what = ("full content in the feed, no page fetched" if args.full_content else
            "teasers: each page fetched and extracted")
    print(f"{args.feeds} feeds x {args.entries} entries on {args.hosts} hosts ({what})")
    print("| run | wall time | feeds | new articles | warnings |")
    print("|---|---|---|---|---|")
    print(f"| first (feeds and pages, extract, group, store) | {first:.1f} s | {r1.feeds_fetched} | "
          f"{r1.new_articles} | {len(r1.warnings)} |")
    print(f"| second (all 304) | {second:.2f} s | {r2.feeds_fetched} | {r2.new_articles} | "
          f"{len(r2.warnings)} |")
    print(f"articles stored: {stored}; peak RSS {rss_mb:.0f} MB")
    for w in r1.warnings[:5]:
        print("warning:", w)


if __name__ == "__main__":
    main()
