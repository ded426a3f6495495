"""Update summaries: a story a reader already has comes back leading with what is new to
them (email over a real SMTP server, and `digest brief --since-last` in a subprocess)."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from conftest import age, run_cli
from conftest_email import SmtpServer, write_config
from test_email import ANA, NOW, Clock, flat, parts, send

from digest import summarize
from digest.config import load_config
from digest.email import outbox
from digest.email.transport import SmtpSettings, SmtpTransport
from digest.models import Article, Story
from digest.storage import Store
from digest.storage.location import StateLocation


def article(outlet: str, date: str, title: str, body: str) -> str:
    return f"---\ntitle: {title}\noutlet: {outlet}\ndate: {date}\n---\n\n{body}\n"


BACKGROUND = ("The magnitude 6.4 earthquake struck the mountain town of Dravik shortly "
              "after 3 a.m. on Monday, flattening homes and a school.")
FIRST = {
    "quake_1.md": article("Harbor Post", "2024-04-01T06:00:00", "Earthquake in Dravik kills 12",
                          f"{BACKGROUND}\n\nThe earthquake in Dravik killed 12 people and "
                          "injured dozens more, the regional governor said on Monday.\n\n"
                          "Rescue teams searched the rubble of the Dravik school through the "
                          "morning, the governor said.\n\nThe earthquake was felt in the "
                          "capital, about 200 kilometres from Dravik, officials said."),
    "quake_2.md": article("Valley News", "2024-04-01T08:00:00",
                          "Dravik earthquake leaves 12 dead",
                          f"{BACKGROUND}\n\nThe Dravik earthquake left 12 dead, the regional "
                          "governor told reporters on Monday.\n\nRescue teams searched the "
                          "rubble of the Dravik school through the morning, the governor "
                          "said.\n\nSchools across the Dravik region were closed for the "
                          "week after the earthquake, officials said."),
}
LATER = {
    "quake_3.md": article("Harbor Post", "2024-04-02T18:00:00",
                          "Dravik earthquake death toll rises to 41",
                          "The death toll from the Dravik earthquake rose to 41 on Tuesday "
                          "after rescue teams pulled more bodies from the collapsed school, "
                          "the regional governor said.\n\n"
                          f"{BACKGROUND}\n\nA strong aftershock hit Dravik on Tuesday "
                          "afternoon, forcing rescue teams to pause their search of the "
                          "earthquake rubble for two hours, the governor said.\n\nThe "
                          "government sent army field hospitals and 300 tents to Dravik "
                          "on Tuesday, the governor said."),
    "quake_4.md": article("Valley News", "2024-04-02T16:00:00",
                          "Aftershock hampers Dravik earthquake rescue as toll climbs",
                          "The Dravik earthquake killed 41 people, the regional governor said "
                          "on Tuesday as rescue teams pulled more bodies from the collapsed "
                          "school.\n\nA strong aftershock hit Dravik on Tuesday afternoon, "
                          "forcing rescue teams to pause their search of the earthquake "
                          "rubble for two hours, the governor said.\n\nArmy field hospitals "
                          "and 300 tents arrived in Dravik on Tuesday, the government said."),
}


def write(folder: Path, files: dict[str, str]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, body in files.items():
        (folder / name).write_text(body, encoding="utf-8")
    age(folder)


def sentences_of(text: str, marker: str) -> str:
    """The part of a plain-text story block after `marker`, up to its source list."""
    block = text.split(marker, 1)[1]
    return block.split("Sources:", 1)[0]


def test_second_mail_leads_with_the_new_toll_and_repeats_at_most_one_sentence(
        tmp_path: Path, smtp_server: SmtpServer, digest_home: Path, state_location: StateLocation) -> None:
    src = tmp_path / "news"
    write(src, FIRST)
    cfg = load_config(write_config(tmp_path / "cfg", smtp_server, src, recipients=(ANA,)))
    transport = SmtpTransport(SmtpSettings.from_config(cfg))
    with Store(state_location) as store:
        first = send(cfg, store, transport)
        assert len(first.delivery.sent) == 1
        (story1,) = first.queued[0].briefing.stories
        assert story1.status == "new" and all(x.new for x in story1.sentences)
        first_sentences = [x.text for x in story1.sentences]
        assert len(first_sentences) >= 2
        # The ledger knows which sentences reached her, by key, per story.
        assert outbox.sent_sentence_keys(store, ANA) == {
            story1.story.id: frozenset(summarize.sentence_key(t) for t in first_sentences)}

        write(src, LATER)
        second = send(cfg, store, transport, Clock(NOW + timedelta(days=1)))
        assert len(second.delivery.sent) == 1
        (story2,) = second.queued[0].briefing.stories
        assert story2.story.id == story1.story.id  # the follow-ups joined the story

    assert story2.status == "updated" and story2.update is not None
    up = story2.update
    # Led by the newest development: the newest article's headline and time.
    assert up.headline == "Dravik earthquake death toll rises to 41"
    assert up.headline_date == datetime(2024, 4, 2, 18, 0)
    assert up.since == NOW  # when her previous digest was sent
    # Only sentences of the articles she has not received, none she was sent.
    later_ids = set(up.new_articles)
    assert len(later_ids) == 2
    assert story2.sentences and all(set(x.sources) <= later_ids and x.new
                                    for x in story2.sentences)
    assert not {x.text for x in story2.sentences} & set(first_sentences)
    assert BACKGROUND not in [x.text for x in story2.sentences]  # she had it (in both articles)
    assert any("41" in x.text for x in story2.sentences)  # the new figure leads

    mail = smtp_server.received[-1].message
    assert mail["Subject"] == "Morning digest, Thu 04 Apr: Dravik earthquake death toll rises to 41"
    text, html = parts(mail)
    assert "[UPDATED] Dravik earthquake death toll rises to 41" in text
    assert "Latest Tue 02 Apr, 20:00" in flat(text)  # 18:00 UTC in Berlin
    new_part = flat(sentences_of(text, "New since your last digest (Wed 03 Apr, 07:00):"))
    for x in story2.sentences:
        assert flat(x.text) in new_part
    assert "41" in new_part.split("*", 2)[1]  # the first new sentence carries the new toll
    # The figure that moved is shown as its timeline, the new toll last.
    figures_part = flat(text).split("Figures:", 1)[1].split("Sources:", 1)[0]
    assert re.search(r"Killed: 12 \(.*\) → 41 \(.*\)", figures_part), figures_part
    assert "Figures:" in html and "→ 41" in html
    # Of what the first mail said, at most one line comes back, marked as earlier.
    body = flat(text)
    repeated = [t for t in first_sentences if flat(t) in body]
    assert len(repeated) <= 1
    if repeated:
        assert f"Earlier (already sent): {flat(repeated[0])}" in body
    assert "New since your last digest" in html and "Latest Tue 02 Apr, 20:00" in html


def test_update_summary_skips_what_the_reader_was_sent_even_in_other_articles() -> None:
    """A sentence the reader was sent is not repeated when a new article carries it again,
    nor is a new sentence that restates it in other words."""
    def art(i: int, day: int, body: str) -> Article:
        return Article(id=f"a{i}", path=f"{i}.txt", title=f"Title {i}", outlet=f"Outlet {i}",
                       date=datetime(2024, 4, day, 12), author=None, url=None, text=body)

    old_line = "Floods in the river valley forced 2,000 people from their homes on Monday."
    old = [art(1, 1, f"{old_line}\n\nThe river rose three metres overnight, officials said.")]
    new = [art(2, 2, "Floods in the river valley forced 2,000 people from their homes on "
                     "Monday, officials said again.\n\nThe army began building a levee along "
                     "the river on Tuesday to protect the valley town.\n\nForecasters expect "
                     "more rain in the valley on Thursday, officials said."),
           art(3, 2, "The army began building a levee along the river on Tuesday to protect "
                     "the valley town.\n\nA bridge over the river collapsed on Tuesday "
                     "evening, cutting off two villages in the valley.")]
    story = Story("s1", "Floods", tuple(old + new))
    s = summarize.summarize_for_reader(story, {"a1"}, sent={summarize.sentence_key(old_line)},
                                       words=60)
    texts = [x.text for x in s.sentences]
    assert s.status == "updated" and texts
    assert all(not t.startswith("Floods in the river valley forced") for t in texts)
    assert "The army began building a levee along the river on Tuesday to protect the valley " \
           "town." in texts  # reported by both new articles
    assert all(set(x.sources) <= {"a2", "a3"} for x in s.sentences)
    # The same for a method without digest's own selection.
    luhn = summarize.summarize_for_reader(story, {"a1"}, method="luhn", words=60,
                                          sent={summarize.sentence_key(old_line)})
    assert luhn.sentences and all(not x.text.startswith("Floods in the river valley forced")
                                  and set(x.sources) <= {"a2", "a3"} for x in luhn.sentences)
    # A reader who has nothing of it gets the whole story; one who has it all, "unchanged".
    assert summarize.summarize_for_reader(story, set()).status == "new"
    assert summarize.summarize_for_reader(story, {"a1", "a2", "a3"}).status == "unchanged"


@pytest.mark.slow
def test_brief_since_last_marks_stories_and_remembers_per_name(
        tmp_path: Path, digest_home: Path) -> None:
    src = tmp_path / "news"
    write(src, FIRST)
    out1 = run_cli("brief", "--source", str(src), "--since-last", "--format", "json",
                   "--settle", "0")
    first = json.loads(out1.stdout)
    (s1,) = first["stories"]
    assert s1["status"] == "new" and s1["update"] is None
    assert all(x["new"] is True for x in s1["summary"])

    # Nothing came in: the story is unchanged for this briefing name...
    again = json.loads(run_cli("brief", "--source", str(src), "--since-last", "--format",
                               "json", "--settle", "0").stdout)
    assert [s["status"] for s in again["stories"]] == ["unchanged"]
    assert all(x["new"] is False for x in again["stories"][0]["summary"])

    write(src, LATER)
    update = json.loads(run_cli("brief", "--source", str(src), "--since-last", "--format",
                                "json", "--settle", "0").stdout)
    (s2,) = update["stories"]
    assert s2["status"] == "updated"
    assert s2["update"]["headline"] == "Dravik earthquake death toll rises to 41"
    assert s2["update"]["since"] is not None and len(s2["update"]["new_articles"]) == 2
    first_texts = {x["text"] for x in s1["summary"]}
    assert s2["summary"] and all(x["new"] is True and x["text"] not in first_texts
                                 for x in s2["summary"])
    context = s2["update"]["context"]
    assert context is None or (context["new"] is False and context["text"] in first_texts)

    # ...while another name has seen nothing yet: everything is new to it, in Markdown too.
    md = run_cli("brief", "--source", str(src), "--since-last", "--name", "evening",
                 "--settle", "0").stdout
    assert "**new**" in md and "New since" not in md
    md = run_cli("brief", "--source", str(src), "--since-last", "--settle", "0").stdout
    assert "unchanged: no new article since your last briefing" in md


def test_brief_since_marks_updates_relative_to_a_time(tmp_path: Path) -> None:
    src = tmp_path / "news"
    write(src, {**FIRST, **LATER})
    data = json.loads(run_cli("brief", "--source", str(src), "--since", "2024-04-02",
                              "--format", "json", "--settle", "0").stdout)
    (s,) = data["stories"]
    assert s["status"] == "updated" and len(s["articles"]) == 4
    assert s["update"]["since"].startswith("2024-04-02T00:00")
    md = run_cli("brief", "--source", str(src), "--since", "2024-04-02", "--settle", "0").stdout
    assert "## 1. Dravik earthquake death toll rises to 41" in md
    assert "**New since 2024-04-02 00:00 UTC** (2 new articles):" in md
    bad = run_cli("brief", "--since-last", "--since", "1d", check=False)
    assert bad.returncode == 2 and "--since-last" in bad.stderr


def test_reader_summaries_share_work_and_match_the_plain_summaries(
        seeds: Path, digest_home: Path, state_location: StateLocation) -> None:
    from digest import pipeline
    from digest.models import ReaderHistory

    with Store(state_location) as store:
        pipeline.ingest_folders(store, [seeds], now=NOW, settle_seconds=0)
        plain = pipeline.story_summaries(store)
        everything = frozenset(a.id for s in plain for a in s.story.articles)
        per_reader = pipeline.reader_summaries(
            store, {"fresh": ReaderHistory(), "done": ReaderHistory(articles=everything),
                    "also fresh": ReaderHistory()})
    assert len(plain) >= 2
    by_id = {s.story.id: s for s in plain}
    fresh = per_reader["fresh"]
    assert [s.story.id for s in fresh] == [s.story.id for s in plain]  # same order
    for s in fresh:
        assert s.status == "new" and s.update is None
        assert [x.text for x in s.sentences] == [x.text for x in by_id[s.story.id].sentences]
        assert all(x.new is True for x in s.sentences)
    assert per_reader["also fresh"] == fresh
    assert {s.status for s in per_reader["done"]} == {"unchanged"}
    assert all(x.new is False for s in per_reader["done"] for x in s.sentences)
