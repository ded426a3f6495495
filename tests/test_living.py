"""Living with digest: what `brief` shows by default, terminal rendering, progress and logs,
Markdown input read word for word, and the portable send lock."""

from __future__ import annotations

import json
import logging
import os
import random
import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, age, run_cli, state_write
from conftest_email import SmtpServer, write_config

from digest import progress
from digest.email import outbox
from digest.storage import Store
from digest.storage.location import StateLocation

ANA, BEN = "ana@example.org", "ben@example.org"
FLOOD = """---
title: Valley flood forces hundreds from their homes
outlet: Valley Herald
date: 2024-05-02
---

Flood waters rose across the Arden valley on Thursday, forcing hundreds of families out of their homes as the river broke its banks.

Rescue crews in boats reached farms cut off by the water, and the regional governor asked the army for pumps and sandbags.
"""


def stories(proc_stdout: str) -> list[str]:
    return [s["title"] for s in json.loads(proc_stdout)["stories"]]


@pytest.mark.slow
def test_brief_shows_what_arrived_in_the_last_day_and_all_with_all(
        seeds: Path, tmp_path: Path, state_location: StateLocation) -> None:
    # A first run on a folder of old articles (dated 2024) shows every story: they arrived now.
    first = stories(run_cli("brief", "--source", str(seeds), "--format", "json").stdout)
    assert len(first) >= 2
    # Months later: what was taken in then is no longer news by default.
    state_write(state_location, "UPDATE articles SET ingested_at = '2024-04-03T08:00:00'")
    assert stories(run_cli("brief", "--source", str(seeds), "--format", "json").stdout) == []
    new = tmp_path / "new"
    new.mkdir()
    (new / "flood.md").write_text(FLOOD, encoding="utf-8")
    age(new)
    shown = stories(run_cli("brief", "--source", str(seeds), "--source", str(new),
                            "--format", "json").stdout)
    assert shown == ["Valley flood forces hundreds from their homes"]
    every = stories(run_cli("brief", "--all", "--format", "json").stdout)
    assert sorted(every) == sorted([*first, *shown])
    # --since still filters by the articles' own dates (the flood is dated 2024-05-02).
    since = stories(run_cli("brief", "--since", "2024-05-01", "--format", "json").stdout)
    assert since == shown
    both = run_cli("brief", "--all", "--since", "7d", check=False)
    assert both.returncode == 2 and "alternatives" in both.stderr


@pytest.mark.slow
@pytest.mark.alternate_backends
def test_piped_brief_is_markdown_and_rich_renders_headings(seeds: Path) -> None:
    piped = run_cli("brief", "--source", str(seeds)).stdout
    assert piped.startswith("# News briefing")
    assert re.search(r"^## 1\. ", piped, re.M)
    again = run_cli("brief", "--plain").stdout  # nothing new since: the same stories
    # (the heading's time is the minute each run printed it: it may have turned over)
    assert again.split("\n", 1)[1] == piped.split("\n", 1)[1]
    shown = run_cli("brief", "--rich", env={"COLUMNS": "72"}).stdout
    assert "News briefing" in shown and "Putin" in shown
    lines = [re.sub(r"\x1b\[[0-9;]*m|\x1b\]8;[^\x1b]*\x1b\\", "", ln) for ln in shown.splitlines()]
    assert not any(ln.lstrip().startswith("#") for ln in lines)  # headings rendered, not marked
    assert all(len(ln) <= 72 for ln in lines)  # wrapped to the width
    assert "](" not in "\n".join(lines)  # links show their text, not Markdown syntax
    bad = run_cli("brief", "--rich", "--format", "json", check=False)
    assert bad.returncode == 2 and "--rich" in bad.stderr


@pytest.mark.alternate_backends
def test_quiet_brief_prints_the_briefing_and_no_count(seeds: Path) -> None:
    loud = run_cli("brief", "--source", str(seeds))
    assert "new article(s)" in loud.stderr
    quiet = run_cli("-q", "brief", "--all", "--source", str(seeds))
    assert quiet.stderr == "" and quiet.stdout.startswith("# News briefing")


def _vocabulary(rnd: random.Random, n: int) -> list[str]:
    return ["".join(rnd.choice("bcdfghklmnprstvz") + rnd.choice("aeiou") for _ in range(3))
            for _ in range(n)]


def many_articles(folder: Path, n: int = 320) -> Path:
    """n unrelated articles: as many files as stories."""
    rnd = random.Random(7)
    words = _vocabulary(rnd, 5000)
    folder.mkdir()
    for i in range(n):
        own = rnd.sample(words, 40)
        paragraphs = [" ".join(rnd.choice(own) for _ in range(18)).capitalize() + "." for _ in range(3)]
        (folder / f"{i:03}.txt").write_text(f"{own[0].title()} {own[1]} report {i}\n\n"
                                            + "\n\n".join(paragraphs) + "\n", encoding="utf-8")
    age(folder)
    return folder


@pytest.mark.slow
@pytest.mark.alternate_backends
def test_logs_count_a_big_ingest_and_summary_with_timestamps(tmp_path: Path) -> None:
    folder = many_articles(tmp_path / "many")
    proc = run_cli("--log-level", "info", "brief", "--source", str(folder), "--sentences", "1")
    stamp = r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} INFO digest\.progress: "
    assert re.search(stamp + r"ingest: 320 of 320 files$", proc.stderr, re.M), proc.stderr
    found = re.search(stamp + r"summaries: (\d+) of \1 stories$", proc.stderr, re.M)
    assert found and int(found.group(1)) >= progress.MIN_TOTAL["summaries"], proc.stderr
    assert proc.stdout.startswith("# News briefing")  # the counts stay off stdout


@pytest.mark.slow
@pytest.mark.alternate_backends
def test_a_terminal_gets_a_progress_bar_and_a_pipe_keeps_the_markdown(tmp_path: Path) -> None:
    folder = many_articles(tmp_path / "many")
    leader, follower = os.openpty()  # stderr is a terminal, stdout a file
    out = tmp_path / "briefing.md"
    with out.open("w") as stdout:
        proc = subprocess.Popen([sys.executable, "-m", "digest", "brief", "--source", str(folder),
                                 "--sentences", "1"], cwd=ROOT, stdout=stdout, stderr=follower,
                                env={**os.environ, "TERM": "xterm", "COLUMNS": "100"})
        os.close(follower)
        shown = b""
        while chunk := _read(leader):  # read as it comes: a full terminal would block the bar
            shown += chunk
        os.close(leader)
        proc.wait(timeout=300)
    assert proc.returncode == 0
    assert b"ingest (files)" in shown and b"/320" in shown, shown[-2000:]
    markdown = out.read_text(encoding="utf-8")
    assert markdown.startswith("# News briefing")  # stdout not a terminal: Markdown, no bar
    assert "ingest (files)" not in markdown


def _read(fd: int) -> bytes:
    try:
        return os.read(fd, 65536)
    except OSError:  # the other end closed (EIO on Linux)
        return b""


def test_log_counts_come_every_interval_and_at_the_end() -> None:
    now = [0.0]
    counts = progress.LogCounts(every=10.0, clock=lambda: now[0])
    seen: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            seen.append(record.getMessage())

    handler = Collect()
    progress.log.addHandler(handler)
    progress.log.setLevel(logging.INFO)
    try:
        for done in range(1, 1001):
            now[0] = float(done // 20)  # 50 s in all
            counts("ingest", done, 1000)
        counts("summaries", 5, 10)  # a small stage: no count
    finally:
        progress.log.removeHandler(handler)
    assert seen[-1] == "ingest: 1000 of 1000 files"
    assert seen[:4] == [f"ingest: {n} of 1000 files" for n in (200, 400, 600, 800)]
    assert len(seen) == 5


def test_each_send_is_logged_once(tmp_path: Path, smtp_server: SmtpServer, seeds: Path) -> None:
    smtp_server.handler.refuse = {BEN}
    cfg = write_config(tmp_path / "cfg", smtp_server, seeds, recipients=(ANA, BEN))
    proc = run_cli("--log-level", "info", "--config", str(cfg), "send", "morning", check=False)
    assert proc.returncode == 1, proc.stderr
    out = proc.stdout + proc.stderr
    lines = out.splitlines()
    assert sum(ANA in ln for ln in lines) == 1, out  # "sent morning to ana@...": once
    assert sum(BEN in ln for ln in lines) == 1, out  # the refusal: once
    assert "550" in out
    assert [r.recipients for r in smtp_server.received] == [[ANA]]


MARKDOWN = """---
title: Pump settings under review
outlet: Valley Herald
date: 2024-05-03
---

# Pump settings under review

Engineers said the `max_retry_count` setting and the snake_case_name were wrong, and [a link](javascript:alert(1)) was in the report.

Officials called it *very* **serious** and ![a pump](pump.png) released a statement about it.

- Crews checked the first pump station on the river.
- Crews checked the second pump station by the dam.

1984. The year the old pumps were installed along the river banks.
"""


@pytest.mark.alternate_backends
def test_markdown_input_is_read_word_for_word(tmp_path: Path) -> None:
    path = tmp_path / "pumps.md"
    path.write_text(MARKDOWN, encoding="utf-8")
    [article] = json.loads(run_cli("extract", "--format", "json", str(path)).stdout)
    text = article["text"]
    assert "the max_retry_count setting and the snake_case_name were wrong" in text
    assert "and a link was in the report." in text and "javascript" not in text
    assert "Officials called it very serious and" in text
    assert "*" not in text and "`" not in text and "#" not in text and "pump.png" not in text
    paragraphs = text.split("\n\n")
    assert "Crews checked the first pump station on the river." in paragraphs
    assert "Crews checked the second pump station by the dam." in paragraphs
    assert "1984. The year the old pumps were installed along the river banks." in paragraphs


def test_send_lock_is_exclusive_and_released(state_location: StateLocation) -> None:
    with Store(state_location) as store:
        with outbox.send_lock(store) as first:
            assert first
            with outbox.send_lock(store, timeout=0.3) as second:
                assert not second  # busy: the same process's second deliverer waits its turn
        with outbox.send_lock(store) as again:
            assert again


def test_status_reports_the_last_scan_and_what_it_took_in(seeds: Path, tmp_path: Path,
                                                         state: str) -> None:
    run_cli("--state", state, "brief", "--source", str(seeds), "-o", str(tmp_path / "a.md"))
    out = run_cli("--state", state, "status").stdout
    [line] = [ln for ln in out.splitlines() if ln.startswith("last scan:")]
    assert re.fullmatch(r"last scan: \d+ s ago: 5 file\(s\) read, 6 new article\(s\), "
                        r"0 unchanged, 0 warning\(s\)", line), line
    run_cli("--state", state, "brief", "--source", str(seeds), "-o", str(tmp_path / "b.md"))
    out = run_cli("--state", state, "status").stdout
    assert ": 0 file(s) read, 0 new article(s), 5 unchanged, 0 warning(s)" in out
