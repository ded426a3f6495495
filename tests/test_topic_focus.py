"""A followed topic's description: the summaries of its section answer what the reader asked
(issue 12). In-process: a config file, a SQLite state in tmp_path, the briefing builder."""

from __future__ import annotations

import textwrap
from datetime import datetime
from pathlib import Path

import pytest
from conftest import age

from digest import pipeline, summarize, topic_rules, topics
from digest.config import load_config
from digest.errors import ConfigError
from digest.models import Article, ReaderHistory, Story
from digest.storage import Store

NOW = datetime(2024, 5, 8, 7, 0)
DEAD = ("Floods in the Varn valley killed nine people and forced 2,000 residents from their "
        "homes, officials said on Monday.")
INSURERS = ("Insurers expect the Varn valley floods, which killed nine people, to cost them "
            "more than 40 million euros in damage claims, their association said.")
SCHOOLS = "Schools in the Varn valley will stay closed until Friday, officials said."
ARTICLES = {  # (outlet, date, paragraphs): the toll is what most of them lead with
    "varn_1.md": ("River Times", "2024-05-06T09:00:00", [
        DEAD, "Rescue boats searched flooded villages along the Varn river through the night, "
              "officials said.", "The regional governor will visit a shelter in Kell on Tuesday."]),
    "varn_2.md": ("Valley News", "2024-05-06T11:00:00", [
        "Nine people were killed and 2,000 residents fled their homes as floods swept the Varn "
        "valley, officials said on Monday.", "Rescue boats searched flooded villages along the "
        "Varn river, officials said.", "The regional governor visited a shelter for flood "
                                       "victims in the town of Kell."]),
    "varn_3.md": ("Harbor Post", "2024-05-07T09:00:00", [
        INSURERS, "Rescue boats searched flooded villages along the Varn river on Monday night.",
        SCHOOLS]),
}
TOPIC = '[[topics]]\nname = "varn-floods"\nany = ["Varn"]\n'


def config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "digest.toml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def first_sentences(tmp_path: Path, store: Store, toml: str,
                    reader: ReaderHistory | None = None) -> list[str]:
    """The one-sentence summaries in the topic's section of a briefing built as `brief
    --topic varn-floods --sentences 1` builds it (or a digest for `reader`), from `toml`."""
    cfg = load_config(config(tmp_path, toml))
    plan = pipeline.BriefingPlan(
        topics=tuple(topic_rules.select(cfg.topics, ["varn-floods"], file=cfg.file)),
        sentences=1)
    readers = None if reader is None else {"ana": reader}
    (briefing,) = pipeline.build_briefings(store, plan, now=NOW, readers=readers).values()
    (section,) = briefing.sections
    assert section.title == "varn-floods" and len(section.stories) == 1
    (summary,) = section.stories
    assert summary.topic == "varn-floods" and summary.reasons  # the topic stage's verdict kept
    assert summary.status == (None if reader is None else "updated")
    return [x.text for x in summary.sentences]


@pytest.mark.own_backend
def test_description_in_the_config_makes_the_section_answer_it(tmp_path: Path) -> None:
    news = tmp_path / "news"
    news.mkdir()
    for name, (outlet, date, paragraphs) in ARTICLES.items():
        body = "\n\n".join(paragraphs)
        (news / name).write_text(f"---\ntitle: Varn floods\noutlet: {outlet}\ndate: {date}\n"
                                 f"---\n\n{body}\n", encoding="utf-8")
    age(news)
    with Store(tmp_path / "state.sqlite") as store:
        pipeline.ingest_folders(store, [news], now=NOW, settle_seconds=0)
        plain = first_sentences(tmp_path, store, TOPIC)
        asked = first_sentences(tmp_path, store, TOPIC + 'description = """What will the\n'
                                                          'flood damage cost insurers?"""\n')
        # A reader who has the first two articles: what is new to them, answering them.
        (varn,) = store.articles.stories()
        has = ReaderHistory(articles=frozenset(a.id for a in varn.articles
                                               if a.outlet != "Harbor Post"))
        new_plain = first_sentences(tmp_path, store, TOPIC, has)
        new_asked = first_sentences(tmp_path, store,
                                    TOPIC + 'description = "Will schools reopen?"\n', has)
    assert plain == [DEAD]  # the toll, which most articles lead with
    assert asked == [INSURERS]  # the one sentence that answers the question
    assert new_plain == [INSURERS] and new_asked == [SCHOOLS]


def story() -> Story:
    articles = [Article(id=name, path=name, title="Varn floods", outlet=outlet,
                        date=datetime.fromisoformat(date), author=None, url=None,
                        text="\n\n".join(paragraphs))
                for name, (outlet, date, paragraphs) in ARTICLES.items()]
    return Story(id="s-varn", title="Varn floods", articles=tuple(articles))


@pytest.mark.no_state
def test_focus_picks_among_what_is_new_to_the_reader_and_none_changes_nothing() -> None:
    s = story()
    seen = {"varn_1.md", "varn_2.md"}
    plain = summarize.summarize_for_reader(s, seen, sentences=1)
    asked = summarize.summarize_for_reader(s, seen, sentences=1, focus="Will schools reopen?")
    assert [x.text for x in plain.sentences] == [INSURERS]
    assert [x.text for x in asked.sentences] == [SCHOOLS] and asked.status == "updated"
    # No focus, an empty one, or one with no word the story uses: the generic summary.
    generic = summarize.summarize_story(s, words=60)
    for focus in (None, "  ", "Zebras?"):
        assert summarize.summarize_story(s, words=60, focus=focus) == generic


@pytest.mark.no_state
@pytest.mark.parametrize(("description", "reason"), [
    ('"What is it?"', "'What is it?' has no word to look for"),
    ('""', "'' has no word to look for"),
    ('"' + "why " * 300 + '"', "too long: 1199 characters, at most 1000"),
    ("3", "Input should be a valid string"),
])
def test_bad_description_is_one_line_naming_the_key(tmp_path: Path, description: str,
                                                     reason: str) -> None:
    path = config(tmp_path, TOPIC + f"description = {description}\n")
    with pytest.raises(ConfigError) as e:
        load_config(path)
    message = str(e.value)
    assert message.startswith(f"{path}: topics[0] (varn-floods).description: {reason}"), message
    assert "\n" not in message


@pytest.mark.no_state
def test_focus_is_the_description_then_the_topic_terms(tmp_path: Path) -> None:
    cfg = load_config(config(tmp_path, '[[topics]]\nname = "t"\nany = ["Varn", "Kell"]\n'
                                       "query = 'flood AND NOT football'\n"
                                       'description = "  What will it\\n cost insurers? "\n'))
    (topic,) = topic_rules.select(cfg.topics, ["t"], file=cfg.file)
    assert topic.focus == "What will it cost insurers? Varn Kell flood"
    assert topics.describe_topic(topic).endswith("; summaries answer: What will it cost insurers?")
    (plain,) = topic_rules.select(load_config(config(tmp_path, TOPIC)).topics, ["varn-floods"],
                                  file=cfg.file)
    assert plain.focus is None
