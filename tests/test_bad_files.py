"""No single file can stop or stall the ingest: a mix of hostile files with the seeds
(bench/bad_files.py builds it), the retry of failed reads, the size limit, and the
sentence splitter's linear time on a paragraph with an unmatched quote."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from conftest import ROOT, age, run_cli

from digest import ingest, pipeline
from digest.storage import Store
from digest.storage.location import StateLocation

BENCH = ROOT / "bench"


@pytest.fixture(scope="module")
def bad_files() -> object:
    sys.path.insert(0, str(BENCH))
    try:
        import bad_files

        yield bad_files
    finally:
        sys.path.remove(str(BENCH))


# The store's record of failing files is checked on both backends by test_ingest's
# test_bad_files_give_one_warning_each; this 520-file mix runs on one backend in turn.
@pytest.mark.slow
@pytest.mark.alternate_backends
def test_bad_file_mix_names_each_file_once_and_keeps_every_article(
        bad_files, tmp_path: Path, digest_home: Path) -> None:
    folder = tmp_path / "mix"
    expected = bad_files.build_mix(folder, files=520, big=False)
    assert len(expected) >= 520
    first = bad_files.run(folder, digest_home)
    # every bad file named in exactly one warning, with its reason; nothing else warned about;
    # every seed article and every readable odd file's article in
    assert bad_files.check(folder, expected, first) == []
    assert "k30_passwd.txt: a link to /etc/passwd, outside the source folder" in first["stderr"]
    assert "root:" not in first["stdout"]  # /etc/passwd was not read
    warned = [ln for ln in first["stderr"].splitlines() if ln.startswith("warning:")]
    # the newline in a file name cannot forge a line of output
    assert not any(ln.startswith("warning: all is well") for ln in first["stderr"].splitlines())

    again = bad_files.run(folder, digest_home)
    assert again["returncode"] == 0 and "warning:" not in again["stderr"]  # warned once only
    strict = bad_files.run(folder, digest_home, extra=("--strict",))
    still = [ln for ln in strict["stderr"].splitlines() if ln.startswith("warning: still failing: ")]
    assert strict["returncode"] == 1
    # --strict names, on every run, each file that failed (not those read with a repair, nor
    # the tiny files that just held no article)
    failed = [w for w in warned if any(k in w for k in (
        "empty file", "binary file", "no text", "feed", "in the HTML", "too big", "FIFO", "link"))]
    assert len(still) == len(failed) and len(still) >= 14


def test_retry_a_failed_read_with_backoff(tmp_path: Path, state_location: StateLocation) -> None:
    """A link whose target is missing fails; it is tried again after 1, then 2 more minutes,
    not in between; once the target is there it is read."""
    folder = tmp_path / "in"
    (folder / "later").mkdir(parents=True)
    link = folder / "story.txt"
    os.symlink(folder / "later" / "target.txt", link)
    now = datetime.now(UTC).replace(tzinfo=None)  # the link's ctime is real: so is the clock

    def run(minutes: float) -> pipeline.IngestReport:
        return pipeline.ingest_folders(store, [folder], now=now + timedelta(minutes=minutes),
                                       settle_seconds=0)

    with Store(state_location) as store:
        tried = []
        for minutes in (0, 0.5, 1.1, 2, 3, 3.2):
            report = run(minutes)
            assert len(report.warnings) + len(report.failing) == 1  # told, or still failing
            if report.warnings:
                assert report.warnings[0].endswith("story.txt: a broken link (its target does not exist)")
                tried.append(minutes)
        assert tried == [0, 1.1, 3.2]  # a minute after the first failure, two after the second
        assert store.files.state(str(link)).attempts == 3
        target = folder / "later" / "target.txt"
        target.write_text("Harbour reopens\n\nThe harbour reopened on Monday after a storm "
                          "closed it for three days, the port authority said.\n", encoding="utf-8")
        age(target)
        fixed = run(3.3)  # the link now stands for its target: a changed file, read at once
        assert fixed.warnings == [] and fixed.failing == [] and fixed.files_read == 2
        state = store.files.state(str(link))
        assert state.error is None and state.attempts == 0


def test_retry_backoff_doubles_and_a_changed_inode_retries_at_once() -> None:
    last = datetime(2024, 11, 5, 12, 0)
    entry = ingest.FileEntry(Path("x.txt"), 10, 0.0, ctime=0.0)
    due = [m for m in range(300) if ingest.retry_due(entry, 3, last, last + timedelta(minutes=m))]
    assert due[0] == 4  # 1, 2, 4 minutes after the 1st, 2nd, 3rd failure
    assert not ingest.retry_due(entry, 30, last, last + timedelta(hours=23))
    assert ingest.retry_due(entry, 30, last, last + timedelta(days=1))  # at most a day apart
    chmodded = ingest.FileEntry(Path("x.txt"), 10, 0.0,
                                ctime=last.replace(tzinfo=ingest.UTC).timestamp() + 1)
    assert ingest.retry_due(chmodded, 3, last, last + timedelta(seconds=1))


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a file whatever its permissions")
def test_unreadable_file_is_read_once_fixed(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    path = folder / "locked.txt"
    path.write_text("Harbour reopens\n\nThe harbour reopened on Monday after a storm closed it "
                    "for three days, the port authority said.\n", encoding="utf-8")
    age(path)
    path.chmod(0)
    first = run_cli("brief", "--source", str(folder), "--strict", check=False)
    assert first.returncode == 1 and "locked.txt: unreadable (Permission denied)" in first.stderr
    path.chmod(0o644)  # the fix changes the inode's ctime: retried at once
    second = run_cli("brief", "--source", str(folder), "--strict", check=False)
    assert second.returncode == 0 and "1 new article(s)" in second.stderr


def test_read_refuses_a_vanished_file_and_a_fifo_without_blocking(tmp_path: Path) -> None:
    gone = tmp_path / "gone.txt"
    gone.write_text("text", encoding="utf-8")
    entry = ingest.entry_for(gone)
    gone.unlink()
    with pytest.raises(ingest.ReadError, match=r"gone\.txt: vanished before it could be read"):
        ingest.read(entry)
    # a FIFO put in a listed file's place: refused at once (O_NONBLOCK), not waited on
    os.mkfifo(gone)
    with pytest.raises(ingest.IngestError, match=r"gone\.txt: not a regular file \(a FIFO\)"):
        ingest.read(entry)


def test_size_limit_from_the_config(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    sentence = "The harbour reopened on Monday after a storm closed it for three days. "
    (folder / "small.txt").write_text("Harbour\n\n" + sentence * 10, encoding="utf-8")
    (folder / "big.txt").write_text("Port\n\n" + sentence.replace("harbour", "port") * 100,
                                    encoding="utf-8")
    age(folder)
    config = tmp_path / "digest.toml"
    config.write_text(f'[sources]\nfolders = ["{folder}"]\nmax_file_size = "5KB"\n', encoding="utf-8")
    proc = run_cli("--config", str(config), "brief", "--format", "json")
    warnings = [ln for ln in proc.stderr.splitlines() if ln.startswith("warning:")]
    assert len(warnings) == 1 and warnings[0].startswith(f"warning: {folder}/big.txt: too big (6.8 KB")
    assert warnings[0].endswith("KB; the limit is 5 KB, sources.max_file_size)")
    paths = [a["path"] for s in json.loads(proc.stdout)["stories"] for a in s["articles"]]
    assert paths == [str(folder / "small.txt")]
    config.write_text('[sources]\nmax_file_size = "lots"\n', encoding="utf-8")
    bad = run_cli("--config", str(config), "check-config", check=False)
    assert bad.returncode != 0 and "sources.max_file_size" in bad.stderr and "'lots'" in bad.stderr


def test_unmatched_quote_in_a_1mb_paragraph_splits_in_linear_time(tmp_path: Path) -> None:
    """The guard of issue 17: quadratic splitting took 233 s on this; linear takes well under
    a second. A subprocess with a generous timeout, so a regression fails instead of hanging."""
    script = (
        "from digest.text import split_sentences\n"
        "s = 'The minister said the plan would cost 3.5 billion dollars. '\n"
        "text = '\"' + s * (1_000_000 // len(s))\n"
        "out = split_sentences(text)\n"
        "print(len(out), 1_000_000 // len(s))\n"
        "print(out[0])\n"
        "print(out[-1])\n")
    proc = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, check=True)
    counts, first, last = proc.stdout.splitlines()
    count, pieces = counts.split()
    assert count == pieces  # the stray quote holds nothing together: one sentence each
    assert first == '"The minister said the plan would cost 3.5 billion dollars.'
    assert last == "The minister said the plan would cost 3.5 billion dollars."


def test_a_quote_still_holds_its_sentences_together() -> None:
    from digest.text import split_sentences

    quoted = '"We will inform you. There is no plan. Nothing changed," Peskov said. It ended.'
    assert split_sentences(quoted) == [
        '"We will inform you. There is no plan. Nothing changed," Peskov said.', "It ended."]


def test_odd_names_links_and_fifos_in_one_folder(seeds: Path, digest_home: Path) -> None:
    """The three that stopped or stalled a run, or read outside the folder, in issue 17."""
    latin = os.fsdecode(b"caf\xe9.txt")  # not UTF-8: once aborted the run in store.file_state
    (seeds / latin).write_text("Harbour reopens\n\nThe harbour reopened on Monday after a storm "
                               "closed it for three days, the port authority said.\n", encoding="utf-8")
    age(seeds / latin)
    os.symlink("/etc/passwd", seeds / "passwd.txt")
    os.mkfifo(seeds / "pipe.txt")  # opening it for reading would wait for a writer forever
    proc = run_cli("brief", "--source", str(seeds), "--format", "json")
    warnings = sorted(ln for ln in proc.stderr.splitlines() if ln.startswith("warning:"))
    assert warnings == [
        f"warning: {seeds}/passwd.txt: a link to /etc/passwd, outside the source folder: not followed",
        f"warning: {seeds}/pipe.txt: not a regular file (a FIFO)"]
    paths = {a["path"] for s in json.loads(proc.stdout)["stories"] for a in s["articles"]}
    assert f"{seeds}/caf\\xe9.txt" in paths and len(paths) == 7  # the 6 seed articles and it
    assert "root:x:0:0" not in proc.stdout
