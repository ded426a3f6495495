"""Feeds through the CLI: `brief --feed` killed with kill -9 mid-fetch then run again (each
entry stored once), `digest feeds add|import|list|export`, and `digest run` taking in a file
dropped into a watched folder within 3 s. A real HTTP server on 127.0.0.1 throughout.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import ROOT, live_rows, run_cli, start_cli
from feed_server import FeedServer, Item, Route, lines, page, rss

from digest.cli import cli
from digest.errors import FeedError
from digest.feeds.opml import Outline, read_opml
from digest.storage.location import StateLocation


@pytest.fixture
def server() -> Iterator[FeedServer]:
    with FeedServer() as s:
        yield s


def wait_for(check: object, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():  # type: ignore[operator]
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def test_kill_9_during_a_fetch_then_rerun_stores_each_entry_once(
        server: FeedServer, state_location: StateLocation) -> None:
    full = "".join(f"<p>{s}</p>" for s in lines(3, "harbour strike"))
    server.routes["/a.xml"] = Route(rss("Alpha Post", [
        Item(f"a{i}", f"Alpha story number {i} about the strike", "x", None,
             content=full.replace("strike", f"strike {i}")) for i in range(3)]), etag='"a"')
    server.routes["/b.xml"] = Route(rss("Beta Times", [
        Item("b1", "Beta teaser on the dam", "Short teaser.", "/story"),
        Item("b2", "Beta full story on the bridge", "x", None, content=full.replace(
            "harbour strike", "bridge closure"))]), etag='"b"')
    server.routes["/story"] = Route(hang=True)  # the page of the teaser never comes
    a, b = server.url("/a.xml"), server.url("/b.xml")
    state = state_location
    proc = start_cli("brief", "--all", "--feed", a, "--feed", b)
    try:
        wait_for(lambda: server.count("/story") == 1 and live_rows(
            state, f"SELECT 1 FROM feeds WHERE url = '{a}'"), 60, "feed A committed, B stuck")
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.communicate()
    assert proc.returncode == -signal.SIGKILL
    assert len(live_rows(state, "SELECT * FROM articles")) == 3  # feed A went in whole
    assert live_rows(state, f"SELECT * FROM feeds WHERE url = '{b}'") == []  # nothing of feed B

    server.routes["/story"] = Route(page("Dam", list(lines(4, "dam repair"))), "text/html")
    done = run_cli("brief", "--all", "--format", "json", "--feed", a, "--feed", b)
    assert "digest: 2 new article(s) from 0 file(s) and 2 feed(s)" in done.stderr
    assert server.count("/a.xml", 304) == 1  # A's ETag was committed with its entries
    titles = sorted(t for (t,) in live_rows(state, "SELECT title FROM articles"))
    assert titles == sorted([*(f"Alpha story number {i} about the strike" for i in range(3)),
                             "Beta teaser on the dam", "Beta full story on the bridge"])
    (dam,) = live_rows(state, "SELECT text, url FROM articles WHERE title = 'Beta teaser on the dam'")
    assert "the dam repair had affected" in str(dam[0]) and dam[1] == server.url("/story")
    assert '"Beta teaser on the dam"' in done.stdout

    listed = CliRunner().invoke(cli, ["feeds", "list"], catch_exceptions=False).output.splitlines()
    assert listed[0] == f"{a} (Alpha Post) [brief --feed]"
    assert "not modified (304); 3 entries taken in; next: 20" in listed[1]
    assert listed[2] == f"{b} (Beta Times) [brief --feed]"
    assert "ok; 2 entries taken in" in listed[3]


def test_feeds_add_import_list_export(tmp_path: Path) -> None:
    config = tmp_path / "digest.toml"
    config.write_text('[sources]\nfolders = []\nfeeds = ["https://example.com/cfg.xml"]\n'
                      '[[sources.feed]]\nurl = "https://example.com/own.xml"\nname = "Own"\n'
                      'refresh = "2h"\noutlet = "Own Outlet"\n')
    opml = tmp_path / "in.opml"
    opml.write_text('<opml version="2.0"><head/><body><outline text="Imported One" '
                    'xmlUrl="https://example.org/one.rss"/><outline text="x" '
                    'xmlUrl="https://example.com/cfg.xml"/></body></opml>')
    runner = CliRunner()

    def call(*args: str) -> str:
        result = runner.invoke(cli, ["--config", str(config), *args], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result.output

    assert call("feeds", "add", "https://example.net/feed") == "added https://example.net/feed\n"
    assert call("feeds", "add", "https://example.net/feed") == "https://example.net/feed: already added\n"
    assert "in.opml: 1 feed(s) added" in call("feeds", "import", str(opml))  # one is in the config
    listed = call("feeds", "list")
    assert [ln for ln in listed.splitlines() if not ln.startswith(" ")] == [
        "https://example.com/cfg.xml [config]", "https://example.com/own.xml (Own) [config]",
        "https://example.net/feed [added]", "https://example.org/one.rss (Imported One) [added]"]
    assert listed.count("never fetched; next: at the next scan") == 4
    out = tmp_path / "out.opml"
    call("feeds", "export", "-o", str(out))
    assert read_opml(out) == ([Outline("https://example.com/cfg.xml"),
                               Outline("https://example.com/own.xml", "Own"),
                               Outline("https://example.net/feed"),
                               Outline("https://example.org/one.rss", "Imported One")], [])
    bad = runner.invoke(cli, ["--config", str(config), "feeds", "add", "ftp://example.org/x"])
    assert isinstance(bad.exception, FeedError)  # main() prints it as one line, exit 1
    assert str(bad.exception) == "'ftp://example.org/x' is not a feed URL like https://example.org/feed.xml"


def test_digest_run_takes_in_a_file_dropped_into_a_watched_folder_within_3_s(
        tmp_path: Path, state_location: StateLocation) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    config = tmp_path / "digest.toml"
    config.write_text(f'[sources]\nfolders = ["{inbox}"]\nscan_every = "1h"\nsettle = "0.3s"\n'
                      '[smtp]\nhost = "127.0.0.1"\nport = 9\nsecurity = "none"\n'
                      'sender = "Digest <digest@example.org>"\n')
    state = state_location
    log = tmp_path / "run.log"
    with log.open("w") as err:
        proc = subprocess.Popen([sys.executable, "-m", "digest", "--config", str(config), "run"],
                                cwd=ROOT, stdout=subprocess.DEVNULL, stderr=err)
    try:
        # Started, watching, and the first (polling) scan done: only the watch can see the file.
        wait_for(lambda: "watching" in log.read_text() and live_rows(state, "SELECT * FROM scans"),
                 60, "the daemon to start")
        part = inbox / "quake.txt.part"
        part.write_text("Quake strikes the coast\n\n" + " ".join(lines(3, "quake")) + "\n")
        dropped = datetime.now(UTC).replace(tzinfo=None)
        os.rename(part, inbox / "quake.txt")  # how a download or rsync lands a file
        wait_for(lambda: live_rows(state, "SELECT title FROM articles"), 30, "the file to be taken in")
        [(title, ingested_at)] = live_rows(state, "SELECT title, ingested_at FROM articles")
        assert title == "Quake strikes the coast"
        # Within 3 s the daemon had started the scan that took it in (ingested_at is that scan's
        # start): the watch, not the hourly poll. Timed by the daemon's clock, so a loaded
        # machine slowing this test's own polling or the write does not count.
        assert (datetime.fromisoformat(str(ingested_at)) - dropped).total_seconds() < 3
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    assert proc.returncode == 0, log.read_text()
