"""Topics: rule matching, boolean queries, config errors, assignment, ranking and the CLI."""

from __future__ import annotations

import json
import textwrap
from datetime import datetime
from pathlib import Path

import pytest
from conftest import run_cli

from digest import pipeline, topics
from digest.config import load_config
from digest.errors import ConfigError, TopicError
from digest.models import Article, Story, StorySummary, SummarySentence
from digest.storage import Store
from digest.storage.location import StateLocation
from digest.topics import TIMES, And, Not, Or, TermNode, compile_topic, match, parse_query

ISSUE_TOPIC = """\
[[topics]]
name = "russia-security"
any = ["Kremlin", "Crocus City Hall", "FSB"]
all = []
exclude = ["football"]
query = '"concert hall" AND (Putin OR Peskov) NOT sport'
regex = []
outlets = []
min_score = 3.0

[[topics]]
name = "ukraine-front"
any = ["front line", "Odesa", "Donetsk"]
regex = ['\\bdrones?\\b']

[[topics]]
name = "islamic-state"
any = ["ISIS", "Islamic State"]

[[topics]]
name = "sport"
any = ["football", "Olympics"]
"""


def article(aid: str, text: str, *, outlet: str = "AP", title: str = "A headline",
            date: datetime | None = None) -> Article:
    return Article(id=aid, path=f"{aid}.txt", title=title, outlet=outlet, date=date, author=None,
                   url=None, text=text)


def story(*articles: Article, summary: tuple[str, ...] = (), sid: str = "s1") -> StorySummary:
    sentences = tuple(SummarySentence(t, (articles[0].id,)) for t in summary)
    return StorySummary(story=Story(id=sid, title=articles[0].title, articles=articles),
                        sentences=sentences)


def body(text: str, **kw: str) -> StorySummary:
    return story(article("a1", text, **kw))  # type: ignore[arg-type]


def hits(topic: topics.Topic, text: str) -> bool:
    return match(topic, body(text)).matched


# -- words and phrases --------------------------------------------------------------------

def test_phrases_match_as_a_sequence() -> None:
    t = compile_topic("t", any=["Crocus City Hall"])
    assert hits(t, "Gunmen attacked Crocus City Hall's main auditorium.")
    assert hits(t, "the crocus city hall")  # case-insensitive
    assert not hits(t, "Crocus, a venue near the city hall.")
    assert not hits(t, "City Hall Crocus")


def test_whole_words_only() -> None:
    t = compile_topic("t", any=["FSB"])
    assert hits(t, "The FSB said.")
    assert hits(t, "the fsb-led raid")  # hyphens separate words
    assert not hits(t, "The FSBx unit said.")
    assert not hits(t, "xFSB")
    assert not hits(compile_topic("t", any=["art"]), "An article about a party.")


def test_inflections_match() -> None:
    t = compile_topic("t", any=["attack"])
    for text in ("Two attacks followed.", "They attacked at night.", "The attack.",
                 "After attacking the hall"):
        assert hits(t, text), text
    assert hits(compile_topic("t", any=["attacks"]), "an attack")
    assert hits(compile_topic("t", any=["kill"]), "137 people were killed")
    assert not hits(t, "a tack")


def test_inflections_inside_phrases() -> None:
    assert hits(compile_topic("t", any=["concert hall attack"]), "the concert halls attacked")


# -- boolean queries ----------------------------------------------------------------------

def term(word: str) -> TermNode:
    return TermNode(topics.parse_term(word))


@pytest.mark.parametrize(("query", "tree"), [
    ("a OR b AND c", Or((term("a"), And((term("b"), term("c")))))),
    ("a AND b OR c", Or((And((term("a"), term("b"))), term("c")))),
    ("NOT a AND b", And((Not(term("a")), term("b")))),
    ("NOT a OR b", Or((Not(term("a")), term("b")))),
    ("a b OR c", Or((And((term("a"), term("b"))), term("c")))),  # implicit AND binds tighter
    ("(a OR b) c", And((Or((term("a"), term("b"))), term("c")))),
    ("a AND (b OR (c d))", And((term("a"), Or((term("b"), And((term("c"), term("d")))))))),
    ("NOT (a OR b) c", And((Not(Or((term("a"), term("b")))), term("c")))),
    ('"concert hall" NOT sport', And((term("concert hall"), Not(term("sport"))))),
    ("a and b", And((term("a"), term("and"), term("b")))),  # lower case: plain words
])
def test_query_precedence(query: str, tree: topics.Node) -> None:
    assert parse_query(query) == tree


def test_query_evaluation_follows_precedence() -> None:
    text = "Putin spoke."
    assert hits(compile_topic("t", query="Putin OR Peskov AND Kremlin"), text)
    assert not hits(compile_topic("t", query="(Putin OR Peskov) AND Kremlin"), text)
    assert hits(compile_topic("t", query="Putin NOT sport"), text)
    assert not hits(compile_topic("t", query="Putin NOT spoke"), text)
    assert hits(compile_topic("t", query="NOT sport Putin"), text)
    assert not hits(compile_topic("t", query='"spoke Putin"'), text)


@pytest.mark.parametrize(("query", "message"), [
    ("(Putin OR Peskov", "unbalanced parentheses: '(' at column 1 is never closed"),
    ("Putin OR Peskov)", "unbalanced parentheses: ')' at column 16 has no '('"),
    ("(Putin (OR) Peskov)", "OR at column 9 has nothing before it"),
    ('"concert hall AND Putin', 'unterminated quote: the " at column 1 is never closed'),
    ("Putin AND", "AND at column 7 has nothing after it"),
    ("OR Putin", "OR at column 1 has nothing before it"),
    ("Putin AND OR Peskov", "AND at column 7 is followed by OR: a term is missing"),
    ("Putin NOT", "NOT at column 7 has nothing after it"),
    ("(Putin OR)", "OR at column 8 has nothing after it"),
    ("Putin ()", "empty parentheses at column 7"),
    ('Putin ""', "empty phrase at column 7"),
    ("", "empty query"),
    ("NOT sport", "the query only says what to leave out"),
])
def test_query_errors(query: str, message: str) -> None:
    with pytest.raises(TopicError) as e:
        parse_query(query)
    assert str(e.value).startswith(message)


# -- rule semantics -------------------------------------------------------------------------

def test_exclude_beats_any() -> None:
    t = compile_topic("t", any=["Kremlin"], exclude=["football"])
    assert hits(t, "The Kremlin said.")
    m = match(t, body("The Kremlin said. The Kremlin's football team won."))
    assert not m.matched
    assert m.why_not == "excluded: football in body"
    assert not hits(t, "Kremlin footballs")  # inflections are excluded too


def test_all_requires_every_term() -> None:
    t = compile_topic("t", all=["Putin", "survivors"])
    assert hits(t, "Putin will not meet the survivors.")
    m = match(t, body("Putin spoke."))
    assert not m.matched and m.why_not == "missing from all: survivors"


def test_any_regex_and_query_are_alternatives() -> None:
    t = compile_topic("t", any=["Kremlin"], regex=[r"\bFSB-\d+\b"], query="Putin AND Peskov")
    assert hits(t, "The Kremlin said.")
    assert hits(t, "Unit FSB-12 was there.")
    assert hits(t, "Putin and Peskov.")
    m = match(t, body("Putin alone."))
    assert not m.matched
    assert m.why_not == ("no term of any or regex found; "
                         "query not satisfied: Putin AND Peskov (no Peskov)")


def test_regex_is_case_insensitive_and_reported() -> None:
    m = match(compile_topic("t", regex=[r"\bdrones?\b"]), body("Drones hit. A drone fell."))
    assert m.matched and m.reasons == (fr"/\bdrones?\b/ {TIMES}2 in body",)


def test_min_score() -> None:
    text = "The Kremlin said."
    assert hits(compile_topic("t", any=["Kremlin"], min_score=1.0), text)
    m = match(compile_topic("t", any=["Kremlin"], min_score=2.5), body(text))
    assert not m.matched and m.why_not == "score 1.0 below min_score 2.5"


def test_outlet_filters() -> None:
    s = story(article("ap", "Missiles hit Odesa.", outlet="AP"),
              article("tass", "The Kremlin said nothing.", outlet="TASS"))
    assert match(compile_topic("t", any=["Odesa"], outlets=["ap"]), s).matched
    assert not match(compile_topic("t", any=["Kremlin"], outlets=["AP"]), s).matched
    assert match(compile_topic("t", any=["Kremlin"]), s).matched
    m = match(compile_topic("t", any=["Kremlin"], exclude_outlets=["TASS"]), s)
    assert not m.matched and m.why_not == "no term of any found"
    only_tass = story(article("tass", "The Kremlin said.", outlet="TASS"))
    m = match(compile_topic("t", any=["Kremlin"], outlets=["AP"]), only_tass)
    assert not m.matched and m.why_not == "no article from an allowed outlet"
    # an excluded outlet's football does not exclude the story
    s2 = story(article("ap", "The Kremlin said.", outlet="AP"),
               article("x", "football", outlet="Sport Daily"))
    assert match(compile_topic("t", any=["Kremlin"], exclude=["football"],
                               exclude_outlets=["Sport Daily"]), s2).matched


# -- the "why" text and scores -------------------------------------------------------------

def test_why_text() -> None:
    s = story(article("a1", "Putin and Peskov spoke about the concert hall.",
                      title="Crocus City Hall: the day after"),
              summary=tuple(f"The Kremlin said {n}." for n in "abcde"))
    t = compile_topic("t", any=["Crocus City Hall", "Kremlin", "FSB"],
                      query='"concert hall" AND (Putin OR Peskov) NOT sport')
    m = match(t, s)
    assert m.matched
    assert m.reasons == (f"Kremlin {TIMES}5 in summary", '"Crocus City Hall" in title',
                         'query: "concert hall" AND (Putin OR Peskov)')
    # headline 3, summary 2 x (1 + ln 5), body 1 for each of the three query terms
    assert m.score == pytest.approx(3 + 2 * (1 + 1.6094379) + 3, abs=0.01)


def test_title_and_summary_weigh_more_than_body() -> None:
    t = compile_topic("t", any=["Kremlin"])
    in_title = match(t, story(article("a", "x", title="Kremlin talks"))).score
    in_summary = match(t, story(article("a", "x"), summary=("The Kremlin talks.",))).score
    in_body = match(t, body("The Kremlin talks.")).score
    assert in_title > in_summary > in_body > 0


# -- assignment and ranking ------------------------------------------------------------------

def test_story_goes_to_its_best_topic_once() -> None:
    s1 = story(article("a", "Putin spoke in the Kremlin. The Kremlin again.",
                       title="Kremlin news"), sid="s1")
    s2 = story(article("b", "Football results.", title="Cup final"), sid="s2")
    kremlin = compile_topic("kremlin", any=["Kremlin"])
    putin = compile_topic("putin", any=["Putin"])
    sections, noted = topics.build_sections([s1, s2], [putin, kremlin], also_noted=True)
    assert [sec.title for sec in sections] == ["putin", "kremlin"]
    assert sections[0].stories == ()
    [got] = sections[1].stories
    assert got.topic == "kremlin" and got.other_topics == ("putin",)
    assert got.reasons == (f"Kremlin in title, {TIMES}2 in body",)
    assert [s.story.id for s in noted] == ["s2"]
    sections, noted = topics.build_sections([s1, s2], [putin, kremlin])
    assert noted == ()


def test_no_topics_is_one_untitled_section() -> None:
    stories = [body("x"), body("y")]
    sections, noted = topics.build_sections(stories, [], max_stories=1)
    assert len(sections) == 1 and sections[0].title is None
    assert sections[0].stories == (stories[0],) and noted == ()


def test_ranking_order() -> None:
    day = datetime(2024, 4, 1)
    k = "The Kremlin said."
    a = story(article("a1", k, outlet="X", date=day), sid="a")
    b = story(article("b1", k, outlet="X", date=datetime(2024, 3, 1)),
              article("b2", "Other text.", outlet="Y", date=datetime(2024, 3, 1)), sid="b")
    c = story(article("c1", k, outlet="X", date=datetime(2024, 4, 2)),
              article("c2", "Wire copy.", outlet="Y", date=datetime(2024, 4, 2)), sid="c")
    d = story(article("d1", k, outlet="X", date=day), article("d2", "More.", outlet="X", date=day),
              article("d3", "More still.", outlet="X", date=day), sid="d")
    e = story(article("e1", k, outlet="X", date=datetime(2023, 1, 1), title="Kremlin"), sid="e")
    duplicates = {"c2": "c1"}  # c's second outlet carries the same wire text: one outlet
    t = compile_topic("t", any=["Kremlin"])
    sections, _ = topics.build_sections([a, b, c, d, e], [t], duplicates=duplicates)
    # e: higher score; b: two independent outlets; c: latest; d before a: more articles
    assert [s.story.id for s in sections[0].stories] == ["e", "b", "c", "d", "a"]
    sections, _ = topics.build_sections([a, b, c, d, e], [t])
    assert [s.story.id for s in sections[0].stories] == ["e", "c", "b", "d", "a"]
    sections, _ = topics.build_sections([a, b, c, d, e], [t], duplicates=duplicates,
                                        max_stories=2)
    assert [s.story.id for s in sections[0].stories] == ["e", "b"]


# -- config ---------------------------------------------------------------------------------

DIGEST = """
[[digests]]
name = "morning"
schedule = "0 7 * * 1-5"
recipients = ["ana@example.org"]
"""


def write_config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "digest.toml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


@pytest.mark.no_state
def test_config_loads_topics_and_digest_subscriptions(tmp_path: Path) -> None:
    path = write_config(tmp_path, ISSUE_TOPIC + DIGEST + 'topics = ["russia-security"]\n'
                        "also_noted = true\n")
    cfg = load_config(path)
    assert [t.name for t in cfg.topics] == ["russia-security", "ukraine-front", "islamic-state",
                                          "sport"]
    assert cfg.digests[0].topics == ["russia-security"] and cfg.digests[0].also_noted
    assert cfg.topics[0].compile().min_score == 3.0


@pytest.mark.no_state
@pytest.mark.parametrize(("toml", "message"), [
    ('[[topics]]\nname = "t"\nregex = ["("]\n',
     "topics[0] (t).regex: bad regex '(': missing ), unterminated subpattern at position 0"),
    ("[[topics]]\nname = \"t\"\nquery = '(Putin OR Peskov'\n",
     "topics[0] (t).query: unbalanced parentheses: '(' at column 1 is never closed "
     "in '(Putin OR Peskov'"),
    ("[[topics]]\nname = \"t\"\nquery = '\"concert hall'\n",
     "topics[0] (t).query: unterminated quote"),
    ("[[topics]]\nname = \"t\"\nquery = 'Putin AND'\n",
     "topics[0] (t).query: AND at column 7 has nothing after it"),
    ('[[topics]]\nname = "t"\n',
     "topics[0] (t): empty topic: give at least one of any, all, query or regex"),
    ('[[topics]]\nname = "t"\nexclude = ["football"]\nany = []\n',
     "topics[0] (t): empty topic"),
    ('[[topics]]\nname = "t"\nany = ["Kremlin", "  "]\n',
     "topics[0] (t).any: '  ' has no word to look for"),
    ('[[topics]]\nname = "t"\nany = ["a"]\nsubjects = ["b"]\n',
     "topics[0] (t).subjects: unknown key"),
    ('[[topics]]\nname = "t"\nany = ["a"]\nmin_score = -1\n', "topics[0] (t).min_score:"),
    ('[[topics]]\nname = "t"\nany = ["a"]\noutlets = ["AP"]\nexclude_outlets = ["ap"]\n',
     "topics[0] (t): ap is in both outlets and exclude_outlets"),
    ('[[topics]]\nname = "t"\nany = ["a"]\n[[topics]]\nname = "t"\nany = ["b"]\n',
     "topics: two topics are named 't'"),
    ('[[topics]]\nname = "t"\nany = ["a"]\n' + DIGEST + 'topics = ["t", "sport"]\n',
     "digests[0] (morning).topics: unknown topic 'sport' (known: t)"),
    (DIGEST + 'topics = ["sport"]\n',
     "digests[0] (morning).topics: unknown topic 'sport' (known: none: add [[topics]] entries)"),
])
def test_config_errors_name_file_and_key(tmp_path: Path, toml: str, message: str) -> None:
    path = write_config(tmp_path, toml)
    with pytest.raises(ConfigError) as e:
        load_config(path)
    assert str(e.value).startswith(f"{path}: {message}"), str(e.value)
    assert "\n" not in str(e.value)


# -- on the seeds ---------------------------------------------------------------------------

@pytest.fixture
def seed_summaries(seeds: Path, state_location: StateLocation) -> list[StorySummary]:
    with Store(state_location) as store:
        pipeline.ingest_folders(store, [seeds], now=datetime(2024, 4, 3), settle_seconds=0)
        return pipeline.story_summaries(store)


def crocus_of(summaries: list[StorySummary]) -> StorySummary:
    [s] = [s for s in summaries if any(a.path.endswith("000_e16f7bd2d506038e.txt")
                                       for a in s.story.articles)]
    return s


@pytest.mark.alternate_backends
def test_seeds_issue_topic(seed_summaries: list[StorySummary], tmp_path: Path) -> None:
    cfg = load_config(write_config(tmp_path, ISSUE_TOPIC))
    rules = {r.name: r.compile() for r in cfg.topics}
    crocus = crocus_of(seed_summaries)
    m = match(rules["russia-security"], crocus)
    assert m.matched
    assert m.reasons[0].startswith(f"Kremlin {TIMES}")  # the most weighty hit comes first
    assert any(r.startswith('"Crocus City Hall" ') for r in m.reasons)
    # the query does not hold: Putin's speech (AP) mentions "sports facilities"
    issue_query = '"concert hall" AND (Putin OR Peskov) NOT sport'
    miss = match(compile_topic("q", query=issue_query), crocus)
    assert not miss.matched
    assert miss.why_not == ('query not satisfied: "concert hall" AND (Putin OR Peskov) AND '
                            "NOT sport (NOT sport: sport in body)")
    q = match(compile_topic("q", query='"concert hall" AND (Putin OR Peskov)'), crocus)
    assert q.reasons == ('query: "concert hall" AND (Putin OR Peskov)',)
    # the front-line article (004's second AP story) mentions the Kremlin only in passing
    [front] = [s for s in seed_summaries if s is not crocus]
    low = match(rules["russia-security"], front)
    assert not low.matched and low.why_not is not None and "below min_score 3" in low.why_not


@pytest.mark.alternate_backends
def test_seeds_sections(seed_summaries: list[StorySummary], tmp_path: Path) -> None:
    cfg = load_config(write_config(tmp_path, ISSUE_TOPIC))
    chosen = [r.compile() for r in cfg.topics if r.name in ("ukraine-front", "russia-security",
                                                            "sport")]
    sections, noted = topics.build_sections(seed_summaries, chosen, also_noted=True)
    by_title = {sec.title: [s.story for s in sec.stories] for sec in sections}
    assert by_title["sport"] == []
    [crocus] = by_title["russia-security"]
    assert len(crocus.articles) >= 3
    [front] = by_title["ukraine-front"]
    assert "front line" in front.title
    assert noted == ()
    # inflections on real text: "attack" finds "attacks", "attacked" across the seeds
    counts = topics.StoryText(crocus_of(seed_summaries)).count(topics.parse_term("attacks"))
    assert counts["body"] > 5


# -- the CLI --------------------------------------------------------------------------------

@pytest.fixture
def config_file(tmp_path: Path) -> Path:
    return write_config(tmp_path, ISSUE_TOPIC)


@pytest.mark.alternate_backends
def test_cli_brief_topics(seeds: Path, config_file: Path) -> None:
    proc = run_cli("--config", str(config_file), "brief", "--settle", "0", "--source", str(seeds),
                   "--topic", "islamic-state", "--topic", "russia-security", "--topic", "sport")
    out = proc.stdout
    assert out.index("## Topic: islamic-state") < out.index("## Topic: russia-security") \
        < out.index("## Topic: sport")
    isis = out[out.index("## Topic: islamic-state"):out.index("## Topic: russia-security")]
    russia = out[out.index("## Topic: russia-security"):out.index("## Topic: sport")]
    # the Crocus story matches both; it appears once, under its best-scoring topic
    assert "No stories match this topic." in isis
    assert out.count("\n### ") == 1
    assert "### 1. Putin pained by Moscow attack" in russia
    assert f"*Why: Kremlin {TIMES}" in russia and "(also matches: islamic-state)*" in russia
    assert "No stories match this topic." in out[out.index("## Topic: sport"):]
    # the front-line story matches none of these topics: it is left out
    assert "front line" not in out and "Also noted" not in out


@pytest.mark.alternate_backends
def test_cli_brief_also_noted_and_json(seeds: Path, config_file: Path) -> None:
    proc = run_cli("--config", str(config_file), "brief", "--settle", "0", "--source", str(seeds),
                   "--topic", "russia-security", "--also-noted", "--format", "json")
    data = json.loads(proc.stdout)
    assert [sec["title"] for sec in data["sections"]] == ["russia-security"]
    [s] = data["stories"]
    assert s["topic"] == "russia-security" and s["reasons"][0].startswith(f"Kremlin {TIMES}")
    [noted] = data["also_noted"]
    assert "front line" in noted["title"]
    md = run_cli("--config", str(config_file), "brief", "--settle", "0", "--source", str(seeds),
                 "--topic", "russia-security", "--also-noted").stdout
    assert "## Also noted\n\n- The situation on the front line" in md


@pytest.mark.alternate_backends
def test_cli_brief_unknown_topic(seeds: Path, config_file: Path) -> None:
    proc = run_cli("--config", str(config_file), "brief", "--settle", "0", "--source", str(seeds),
                   "--topic", "nope", check=False)
    assert proc.returncode == 1
    assert proc.stderr.strip() == (f"error: {config_file}: topics: no topic named 'nope' "
                                   "(known: russia-security, ukraine-front, islamic-state, sport)")
    assert proc.stdout == ""


@pytest.mark.slow
@pytest.mark.alternate_backends
def test_cli_topics_test_and_list(seeds: Path, config_file: Path) -> None:
    run_cli("brief", "--settle", "0", "--source", str(seeds))
    proc = run_cli("--config", str(config_file), "topics", "test", "--query",
                   '"concert hall" AND (Putin OR Peskov)')
    assert proc.stdout.startswith("query: 1 of 2 stored stories match")
    assert 'why: query: "concert hall" AND (Putin OR Peskov)' in proc.stdout
    bad = run_cli("--config", str(config_file), "topics", "test", "--query", "(Putin OR",
                  check=False)
    assert bad.returncode == 2
    assert "OR at column 8 has nothing after it" in bad.stderr
    named = run_cli("--config", str(config_file), "topics", "test", "russia-security", "--all")
    assert named.stdout.startswith("russia-security: 1 of 2 stored stories match")
    assert f"why: Kremlin {TIMES}" in named.stdout
    assert "not matching:\n- The situation on the front line" in named.stdout
    assert "below min_score 3" in named.stdout
    listing = run_cli("--config", str(config_file), "topics", "list").stdout.splitlines()
    counts = {line.split()[0]: int(line.split()[1]) for line in listing}
    assert counts == {"russia-security": 1, "ukraine-front": 1, "islamic-state": 1, "sport": 0}


@pytest.mark.alternate_backends
def test_cli_topics_test_needs_name_or_query(config_file: Path) -> None:
    proc = run_cli("--config", str(config_file), "topics", "test", check=False)
    assert proc.returncode == 2 and "give a topic NAME or --query QUERY" in proc.stderr
