"""The briefing of seeds/: golden file, attribution, cleaning, grouping (figures: test_figures)."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from conftest import ROOT, age, run_cli

GOLDEN = ROOT / "tests" / "data" / "seeds" / "expected.md"
BOILERPLATE = [
    "Skip to content", "Skip to main menu", "Support The Moscow Times", "Contribute today",
    "small favor to ask", "Read more", "Min read", "Recommended Articles", "ENT\n",
    "lo/rc", "(AP, AFP, Reuters)", "Pavel Bednyakov", "Kremlin Pool Photo", "via AP",
    "In this photo provided", "Image:", "Sergei Vedyashkin", "Related article",
    "Putin Wants To Blame Ukraine", "E-Voting", "What Was Putin Doing", "Who are ISIS-K",
    "More Images", "Follow AP",
]


def normalize(text: str) -> str:
    return " ".join(text.replace("“", '"').replace("”", '"').replace("’", "'").split())


def brief_json(seeds: Path, *extra: str) -> dict:
    out = run_cli("brief", "--source", str(seeds), "--format", "json", *extra).stdout
    return json.loads(out)


def crocus(data: dict) -> dict:
    [story] = [s for s in data["stories"]
               if any(a["path"].endswith("000_e16f7bd2d506038e.txt") for a in s["articles"])]
    return story


def test_golden_briefing(seeds: Path) -> None:
    proc = run_cli("brief", "--source", "seeds", cwd=seeds.parent)
    got = re.sub(r"^# News briefing — .*$", "# News briefing — <time>", proc.stdout, count=1,
                 flags=re.M)
    if os.environ.get("DIGEST_REGEN_GOLDEN"):
        GOLDEN.parent.mkdir(parents=True, exist_ok=True)
        GOLDEN.write_text(got, encoding="utf-8")
    assert GOLDEN.exists(), f"{GOLDEN} missing: run with DIGEST_REGEN_GOLDEN=1 to create it"
    assert got == GOLDEN.read_text(encoding="utf-8")
    assert proc.stderr.count("warning") == 0


def test_every_sentence_is_verbatim_from_each_article_it_credits(seeds: Path) -> None:
    data = brief_json(seeds)
    texts = {}
    for story in data["stories"]:
        for article in story["articles"]:
            texts[article["id"]] = article
    extracted = json.loads(run_cli("extract", "--format", "json",
                                   *sorted(str(p) for p in seeds.iterdir())).stdout)
    body = {a["id"]: normalize(a["text"]) for a in extracted}
    checked = 0
    for story in data["stories"]:
        assert story["summary"], story["title"]
        for sentence in story["summary"]:
            assert sentence["sources"]
            for aid in sentence["sources"]:
                assert normalize(sentence["text"]) in body[aid], (sentence["text"], aid)
                checked += 1
    assert checked >= 6


@pytest.mark.alternate_backends
def test_boilerplate_absent(seeds: Path) -> None:
    md = run_cli("brief", "--source", str(seeds)).stdout
    for junk in BOILERPLATE:
        assert junk not in md, junk
    data = brief_json(seeds)
    summary_text = " ".join(s["text"] for st in data["stories"] for s in st["summary"])
    for junk in BOILERPLATE:
        assert junk not in summary_text, junk


def test_glued_second_article_is_its_own_story(seeds: Path) -> None:
    data = brief_json(seeds)
    story = crocus(data)
    paths = sorted(Path(a["path"]).name for a in story["articles"])
    assert paths == ["000_e16f7bd2d506038e.txt", "001_96ce0511ea1d7d20.txt",
                     "002_a299375b2d969efe.txt", "003_f3c979c9e0c87e4d.txt",
                     "004_aa41dad5a1df6824.txt"]
    ukraine_markers = ["Odesa", "Macron", "front line", "Zelenskyy", "Bürgenstock", "Donetsk",
                       "Swiss", "Voloshyn", "drone"]
    for sentence in story["summary"]:
        for marker in ukraine_markers:
            assert marker not in sentence["text"], sentence["text"]
    [other] = [s for s in data["stories"] if s is not story]
    assert [a["path"].endswith("004_aa41dad5a1df6824.txt#2") for a in other["articles"]] == [True]


@pytest.mark.alternate_backends
def test_metadata_of_seeds(seeds: Path) -> None:
    arts = json.loads(run_cli("extract", "--format", "json",
                              *sorted(str(p) for p in seeds.iterdir())).stdout)
    by_name = {Path(a["path"]).name: a for a in arts}
    assert by_name["001_96ce0511ea1d7d20.txt"]["outlet"] == "The Moscow Times"
    assert by_name["001_96ce0511ea1d7d20.txt"]["author"] == "AFP"
    assert by_name["001_96ce0511ea1d7d20.txt"]["date"].startswith("2024-03-30")
    assert by_name["002_a299375b2d969efe.txt"]["outlet"] == "DW"
    assert by_name["002_a299375b2d969efe.txt"]["date"].startswith("2024-03-30")
    assert by_name["004_aa41dad5a1df6824.txt"]["outlet"] == "AP"
    assert by_name["004_aa41dad5a1df6824.txt"]["date"] == "2024-04-02T21:41:00"
    assert by_name["000_e16f7bd2d506038e.txt"]["title"] == (
        "No Plans for Putin to Meet With Concert Attack Survivors, Kremlin Says")
    assert by_name["004_aa41dad5a1df6824.txt#2"]["text"].startswith("KYIV, Ukraine (AP)")
    # the lead paragraph of 004 is printed twice on the page; the article has it once
    lead = "MOSCOW (AP) — President Vladimir Putin vowed Tuesday"
    assert by_name["004_aa41dad5a1df6824.txt"]["text"].count(lead) == 1


def test_shared_sentence_appears_once_credited_to_both(seeds: Path) -> None:
    data = json.loads(run_cli("summarize", "--format", "json", "--sentences", "40",
                              str(seeds / "001_96ce0511ea1d7d20.txt"),
                              str(seeds / "002_a299375b2d969efe.txt")).stdout)
    [story] = data["stories"]
    quotes = [s for s in story["summary"] if s["text"].startswith('"Believe me')]
    assert len(quotes) == 1
    assert len(quotes[0]["sources"]) == 2
    texts = [normalize(s["text"]) for s in story["summary"]]
    assert len(texts) == len(set(texts))


@pytest.mark.alternate_backends
def test_length_options(seeds: Path) -> None:
    files = [str(p) for p in sorted(seeds.iterdir())][:4]
    three = json.loads(run_cli("summarize", "--format", "json", "--sentences", "3", *files).stdout)
    assert len(three["stories"][0]["summary"]) == 3
    short = json.loads(run_cli("summarize", "--format", "json", "--words", "60", *files).stdout)
    words = sum(len(s["text"].split()) for s in short["stories"][0]["summary"])
    assert 0 < words <= 60


@pytest.mark.alternate_backends
@pytest.mark.parametrize("method", ["lexrank", "textrank", "lsa", "luhn", "sumbasic", "kl",
                                    "fast-lexrank", "digest"])
def test_every_method_gives_attributed_summary(seeds: Path, method: str) -> None:
    files = [str(seeds / "001_96ce0511ea1d7d20.txt"), str(seeds / "002_a299375b2d969efe.txt")]
    data = json.loads(run_cli("summarize", "--format", "json", "--method", method,
                              "--sentences", "3", *files).stdout)
    summary = data["stories"][0]["summary"]
    assert len(summary) == 3 and all(s["sources"] for s in summary)


@pytest.mark.alternate_backends
def test_json_shape(seeds: Path) -> None:
    data = brief_json(seeds, "--max-stories", "1")
    assert len(data["stories"]) == 1
    story = data["stories"][0]
    assert {"id", "title", "articles", "summary", "discrepancies"} <= set(story)
    assert {"id", "path", "title", "outlet", "date"} <= set(story["articles"][0])
    assert {"text", "sources"} <= set(story["summary"][0])


@pytest.mark.alternate_backends
def test_output_file_and_templates_override(seeds: Path, tmp_path: Path) -> None:
    custom = tmp_path / "tpl"
    custom.mkdir()
    (custom / "briefing.md.j2").write_text(
        "{% for s in briefing.stories %}STORY {{ s.story.title }}\n{% endfor %}", encoding="utf-8")
    out = tmp_path / "brief.md"
    proc = run_cli("brief", "--source", str(seeds), "--templates", str(custom), "-o", str(out))
    assert proc.stdout == ""
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 2 and all(line.startswith("STORY ") for line in lines)


def test_since_marks_stories_new_or_updated_relative_to_that_time(seeds: Path) -> None:
    data = brief_json(seeds, "--since", "2024-04-01")
    stories = data["stories"]
    assert any("004_" in a["path"] for s in stories for a in s["articles"])
    assert {s["status"] for s in stories} <= {"new", "updated"}
    for s in stories:
        # dated articles count from their date; undated ones from when digest received them
        recent = {a["id"] for a in s["articles"] if a["date"] is None or a["date"] >= "2024-04-01"}
        assert recent, "a story with nothing since then is left out"
        if s["status"] == "updated":  # it has older articles: it leads with the recent ones
            assert set(s["update"]["new_articles"]) == recent
            assert all(set(x["sources"]) <= recent and x["new"] for x in s["summary"])
        else:
            assert recent == {a["id"] for a in s["articles"]}


@pytest.mark.alternate_backends
def test_stdout_clean_warnings_on_stderr(seeds: Path) -> None:
    (seeds / "empty.txt").write_text("", encoding="utf-8")
    age(seeds)
    proc = run_cli("brief", "--source", str(seeds), "--format", "json")
    json.loads(proc.stdout)  # nothing but the briefing on stdout
    assert "empty.txt: empty file" in proc.stderr


@pytest.mark.alternate_backends
def test_extract_shows_what_the_cleaner_set_aside(seeds: Path) -> None:
    path = str(seeds / "004_aa41dad5a1df6824.txt")
    [first, second] = json.loads(run_cli("extract", "--format", "json", "--dropped", path).stdout)
    kinds = {b["kind"] for b in first["dropped"]}
    assert {"caption", "repeat", "drop", "date", "heading"} <= kinds
    captions = [b for b in first["dropped"] if b["kind"] in ("caption", "repeat")
                and "Pavel Bednyakov" in b["text"]]
    assert len(captions) >= 12  # the 12 repeated caption lines, each set aside
    assert "dropped" not in second
    md = run_cli("extract", "--dropped", path).stdout
    assert "Set aside by the cleaner" in md and "[drop] ENT" in md


def test_brief_reads_the_configured_folders(seeds: Path, tmp_path: Path) -> None:
    other = tmp_path / "elsewhere"
    other.mkdir()
    (other / "a.txt").write_text((seeds / "003_f3c979c9e0c87e4d.txt").read_text(), encoding="utf-8")
    age(other)
    cfg = tmp_path / "conf" / "digest.toml"
    cfg.parent.mkdir()
    cfg.write_text('[sources]\nfolders = ["../elsewhere"]\n', encoding="utf-8")
    data = json.loads(run_cli("--config", str(cfg), "brief", "--format", "json").stdout)
    assert [a["path"] for s in data["stories"] for a in s["articles"]] == [str(other / "a.txt")]
