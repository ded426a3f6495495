"""Several workers taking in the same sources (issue 14): each file is read by one worker
(claims), a killed worker's claims lapse and another takes its files, a feed due for two
workers is fetched by one. On both backends (the `state` fixture, tests/conftest_pg.py).
"""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from conftest import ROOT, start_cli
from conftest_pg import stored_counts
from feed_server import FeedServer, Item, Route, lines, rss
from test_reingest import corpus

from digest import pipeline
from digest.config import FeedSpec
from digest.feeds.fetch import FetchSettings
from digest.storage import Store, parse_location

NOW = datetime(2026, 3, 1, 12, 0)


@pytest.fixture
def store(state: str) -> Iterator[Store]:
    with Store(parse_location(state)) as s:
        yield s


def test_a_claim_is_held_by_one_worker_released_by_its_commit_and_lapses(store: Store) -> None:
    t = 1000.0
    assert store.claims.take(["a", "b"], "w1", t, 10) == {"a", "b"}
    assert store.claims.take(["a", "b", "c"], "w2", t + 1, 10) == {"c"}  # a and b are w1's
    assert store.claims.take(["a"], "w1", t + 2, 10) == {"a"}  # its own: renewed to t + 12
    with store.transaction():
        store.claims.release(["b"], "w1")
        store.claims.release(["c"], "w1")  # not w1's: w2 keeps it
    assert store.claims.holders() == {"a": "w1", "c": "w2"}
    assert store.claims.take(["a", "b"], "w2", t + 11, 10) == {"b"}  # b released
    assert store.claims.take(["a"], "w2", t + 12, 10) == {"a"}  # w1's claim lapsed at t + 12
    store.claims.release_all("w2")
    assert store.claims.holders() == {}


# One worker process: ingest_folders on the folder, claiming `chunk` files at a time, started
# at an agreed time (both workers at once); prints its report's counts.
WORKER = """
import json, sys, time
from datetime import datetime
from pathlib import Path
from digest import pipeline
from digest.pipeline import ingesting
from digest.storage import Store, parse_location
state, folder, start, chunk = sys.argv[1], Path(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
ingesting.CLAIM_FILES = chunk  # the module that reads it
with Store(parse_location(state)) as store:
    time.sleep(max(0.0, start - time.time()))
    r = pipeline.ingest_folders(store, [folder], now=datetime(2026, 3, 1, 12), settle_seconds=0)
print(json.dumps({"parsed": r.files_parsed, "others": r.held_elsewhere, "new": r.new_articles,
                  "read": r.files_read, "unchanged": r.unchanged}))
"""


def two_workers(state: str, folder: Path, chunk: int,
                env: dict[str, str] | None = None) -> list[dict[str, int]]:
    """WORKER twice at once on the folder (on a state whose schema is made first, so both
    start on the files); their reports."""
    Store(parse_location(state)).close()
    start = time.time() + 3.0
    procs = [subprocess.Popen([sys.executable, "-c", WORKER, state, str(folder), str(start),
                               str(chunk)], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(2)]
    reports = []
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
        reports.append(json.loads(out.strip().splitlines()[-1]))
    return reports


def test_two_workers_on_one_folder_split_its_files_and_store_each_article_once(
        state: str, tmp_path: Path) -> None:
    folder = tmp_path / "corpus"
    files = corpus(folder, 6)
    reports = two_workers(state, folder, 4)
    # Each file read (parsed and extracted) by exactly one of them, and both did a share.
    assert sum(r["parsed"] for r in reports) == files, reports
    assert all(r["parsed"] > 0 for r in reports), reports
    # What one took in, the other finds taken in: after waiting for the other's claim
    # (`others`), or, when it started late on a loaded machine, already at its scan.
    assert [r["unchanged"] for r in reports] == [reports[1]["read"], reports[0]["read"]], reports
    assert all(r["others"] <= r["unchanged"] for r in reports), reports
    rows, ids, ledger = stored_counts(state)
    # corpus() writes one distinct article per file
    assert rows == ids == sum(r["new"] for r in reports) == files
    assert ledger == files
    with Store(parse_location(state)) as store:
        assert store.claims.holders() == {}


def test_a_worker_killed_holding_claims_leaves_its_files_to_the_next(
        state: str, tmp_path: Path) -> None:
    """A worker killed with kill -9 while it holds claims: on this machine its process is
    known to be gone and its claims are taken at once; a worker on another machine is
    waited for until its claims lapse. Both end with every file taken in once."""
    folder = tmp_path / "corpus"
    files = corpus(folder, 8)
    Store(parse_location(state)).close()
    proc = start_cli("--state", state, "brief", "--settle", "0", "--source", str(folder),
                     env={"DIGEST_CLAIM_SECONDS": "1.5"})
    with Store(parse_location(state)) as store:
        deadline = time.monotonic() + 60
        while not store.claims.holders():
            assert proc.poll() is None and time.monotonic() < deadline, "no claim seen"
            time.sleep(0.005)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        dead = store.claims.holders()
        done = int(store.db.execute("SELECT COUNT(*) FROM files").fetchone()[0])
        assert dead and done < files
        assert set(dead.values()) == {f"{socket.gethostname()}:{proc.pid}:" +
                                      next(iter(dead.values())).rsplit(":", 1)[1]}
        # Half of its claims as a worker on another machine would leave them (lapsing in
        # 1.5 s); the other half for an hour: only seeing its process gone frees those.
        keys = sorted(dead)
        with store.transaction():
            for key in keys[::2]:
                store.db.execute("UPDATE ingest_claims SET worker = 'elsewhere:1:x' "
                                 "WHERE key = ?", (key,))
            for key in keys[1::2]:
                store.db.execute("UPDATE ingest_claims SET expires_at = expires_at + 3600 "
                                 "WHERE key = ?", (key,))
        later = NOW + timedelta(days=1)
        report = pipeline.ingest_folders(store, [folder], now=later, settle_seconds=0,
                                         claim_for=1.5)
        assert report.warnings == []
        assert report.files_parsed == files - done and report.held_elsewhere == 0
        for path in dead:  # read by this worker
            state_now = store.files.state(path)
            assert state_now is not None and state_now.seen_at == later
        assert store.claims.holders() == {}
    rows, ids, ledger = stored_counts(state)
    assert rows == ids == ledger == files  # one distinct article per file


def test_a_feed_due_for_two_workers_is_fetched_by_the_one_holding_its_claim(
        store: Store, state: str) -> None:
    with FeedServer() as server:
        url = server.url("/rss.xml")
        server.routes["/rss.xml"] = Route(rss("The Daily Wire", [
            Item("g1", "Floods cut off villages", "Floods.", "http://example.org/1",
                 content="".join(f"<p>{s}</p>" for s in lines(4, "flooding")))]))

        def scan(s: Store) -> pipeline.IngestReport:
            return pipeline.ingest_feeds(s, [FeedSpec(url=url)], now=NOW,
                                         settings=FetchSettings(timeout=2), claim_for=1.0,
                                         refresh=timedelta(minutes=30))

        with Store(parse_location(state)) as other:
            # Another worker is fetching it: this one leaves it.
            assert other.claims.take([f"feed:{url}"], "other", time.time(), 60) == {
                f"feed:{url}"}
            report = scan(store)
            assert (report.feeds_fetched, report.held_elsewhere) == (0, 1)
            assert server.count("/rss.xml") == 0
            # That worker fetched and committed it (its claim released): not due any more.
            other.claims.release_all("other")
            first = scan(other)
            assert (first.feeds_fetched, first.new_articles) == (1, 1)
            assert scan(store).feeds_fetched == 0 and server.count("/rss.xml") == 1
        # A worker that died holding the claim: the feed is fetched once the claim lapses.
        store.claims.take([f"feed:{url}"], "dead", time.time(), 1.0)
        again = pipeline.ingest_feeds(store, [FeedSpec(url=url)], now=NOW, force=True,
                                      settings=FetchSettings(timeout=2),
                                      refresh=timedelta(minutes=30))
        assert again.feeds_fetched == 0
        time.sleep(1.1)
        again = pipeline.ingest_feeds(store, [FeedSpec(url=url)], now=NOW, force=True,
                                      settings=FetchSettings(timeout=2),
                                      refresh=timedelta(minutes=30))
        assert again.feeds_fetched == 1 and server.count("/rss.xml") == 2
        assert store.claims.holders() == {}
        assert store.articles.count() == 1
