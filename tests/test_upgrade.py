"""A state an older digest wrote: its unchanged files are read once more by the new reader.

An older reader named outlets after file names and lost bylines and dates; a user who upgrades
keeps their state, so those articles would keep the old metadata forever (only new or edited
files are read). Each file records the reader version that read it (extract.READER_VERSION);
an older one's files are read again once: their articles keep their text, id and story (what
readers were sent) and take in the new metadata. The CLI in a subprocess, on both backends.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import NewState, age, run_cli, state_rows, state_write
from test_reingest import brief, stored_state

from digest import extract
from digest.storage.location import StateLocation

NOT_NEWS = "older-reader-outlet"


def as_an_older_reader_left_it(state: StateLocation) -> None:
    """What a state written before READER_VERSION looks like: no reader recorded, and every
    article's outlet, byline and date as the old reader had them (a file-name outlet)."""
    state_write(state, "UPDATE articles SET outlet = ?, author = NULL, date = NULL", (NOT_NEWS,))
    state_write(state, "UPDATE files SET reader = 0")


def outlets(output: str) -> set[str]:
    return {a["outlet"] for s in json.loads(output)["stories"] for a in s["articles"]}


def test_an_older_readers_files_are_read_again_once(seeds: Path, new_state: NewState) -> None:
    state = new_state("upgraded")
    first = brief(state, seeds)
    # One article as an older cleaner cut it (a line more, so another id): readers were sent
    # that text and the send ledger names that id, so both stay; only its metadata is taken
    # from the new reading, matched by the article's place in its file.
    [(new_id, path, text)] = state_rows(
        state, "SELECT id, path, text FROM articles WHERE path LIKE ?", ("%001_%",))
    older_text, older_id = text + "\n\nAn appeal the older cleaner kept.", "a" + "0" * 15
    state_write(state, "UPDATE articles SET id = ?, text = ? WHERE id = ?",
                (older_id, older_text, new_id))
    state_write(state, "UPDATE lead_hashes SET article_id = ? WHERE article_id = ?",
                (older_id, new_id))
    before = stored_state(state)
    as_an_older_reader_left_it(state)
    assert state_rows(state, "SELECT DISTINCT outlet FROM articles") == [(NOT_NEWS,)]
    for touched in sorted(seeds.iterdir())[:2]:  # copied since: the same bytes, a new mtime
        age(touched, 1800)

    again = brief(state, seeds)
    assert ("read 5 unchanged file(s) again (an older digest had read them): 6 article(s) took "
            "in new outlets, dates or bylines" in again.stderr)
    assert "0 new article(s) from 0 file(s), 0 unchanged" in again.stderr
    assert NOT_NEWS not in outlets(again.stdout)
    assert outlets(again.stdout) == outlets(first.stdout)
    # Nothing moved: the same articles (ids, texts) in the same stories, and every other row
    # grouping writes is what it was before the metadata was lost.
    assert state_rows(state, "SELECT id, text FROM articles WHERE path = ?", (path,)) == [
        (older_id, older_text)]
    assert stored_state(state) == before
    assert state_rows(state, "SELECT DISTINCT reader FROM files") == [(extract.READER_VERSION,)]

    third = brief(state, seeds)  # once only
    assert "again" not in third.stderr
    assert "0 new article(s) from 0 file(s), 5 unchanged" in third.stderr


@pytest.mark.alternate_backends
def test_a_file_an_older_reader_failed_on_is_tried_again(tmp_path: Path,
                                                         new_state: NewState) -> None:
    """A file that failed under an older digest (a reader bug fixed since) is read once more
    by the new one, though its bytes did not change; one that failed under this reader is not
    (it is listed with --strict, as before)."""
    folder = tmp_path / "news"
    folder.mkdir()
    state = new_state("failed")
    brief(state, folder)  # an empty state of this version
    for name, reader in (("old.txt", 0), ("same.txt", extract.READER_VERSION)):
        page = folder / name
        page.write_text(f"A story in {name}\n\nThe council approved the new bridge over the "
                        "river on Monday, officials said, after a year of debate.\n",
                        encoding="utf-8")
        age(page)
        info = page.stat()
        state_write(state, "INSERT INTO files (path, file_hash, size, mtime, error, seen_at, "
                    "attempts, reader) VALUES (?, '', ?, ?, ?, '2026-01-01T00:00:00', 0, ?)",
                    (str(page), info.st_size, info.st_mtime, f"{page}: cannot extract", reader))
    proc = run_cli("--state", str(state), "brief", "--source", str(folder), "--strict",
                   "--format", "json", check=False)
    assert "1 new article(s) from 1 file(s)" in proc.stderr
    assert "read 1 unchanged file(s) again" not in proc.stderr  # a failed file is read whole
    assert f"still failing: {folder / 'same.txt'}: cannot extract" in proc.stderr
    assert [a["path"] for s in json.loads(proc.stdout)["stories"] for a in s["articles"]] == [
        str(folder / "old.txt")]
