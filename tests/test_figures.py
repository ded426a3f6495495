"""Figures as claims over time: reading claims, one current figure per article, verdicts, render."""

from __future__ import annotations

import json
import random
import re
import subprocess
import sys
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from conftest import ROOT, run_cli

from digest import claims, figures, render
from digest.models import Article, Briefing, BriefingSection, Claim, Story, StorySummary


def read(sentence: str, year: int | None = 1998) -> list[tuple[str, str | None, int | None,
                                                                  int | None, str, str]]:
    return [(c.subject, c.scope, c.low, c.high, c.qualifier, c.role)
            for c in claims.read_claims(sentence, year=year)]


def only(sentence: str) -> Claim:
    [c] = claims.read_claims(sentence, year=1998)
    return c


# -- qualifiers and numbers ---------------------------------------------------------------------
@pytest.mark.parametrize(("sentence", "qualifier", "low", "high"), [
    ("The fire killed 60 people.", "exact", 60, 60),
    ("At least 82 people were killed.", "lower", 82, None),
    ("The attack killed more than 140 people.", "lower", 140, None),
    ("The attack on the venue that killed over 140 people marked a failure.", "lower", 140, None),
    ("The toll climbed past 150 on Monday.", "lower", 150, None),
    ("Officials said 300 or more people died.", "lower", 300, None),
    ("The storm killed up to 50 people.", "upper", None, 50),
    ("Nearly 300 people died in the blasts.", "upper", None, 300),
    ("Almost 40 people were injured.", "upper", None, 40),
    ("Fewer than 10 people were arrested.", "upper", None, 10),
    ("Soldiers executed as many as 50 people.", "upper", None, 50),
    ("About 65 people died.", "approx", 65, 65),
    ("Around 7,000 people were killed.", "approx", 7000, 7000),
    ("An estimated 1.5 million people were displaced.", "approx", 1_500_000, 1_500_000),
    ("Some 200 people were evacuated.", "approx", 200, 200),
    ("Between 1,000 and 1,500 people were killed.", "range", 1000, 1500),
    ("Police said 12-15 people were missing.", "range", 12, 15),
    ("Three or four people were arrested.", "range", 3, 4),
])
def test_qualifiers(sentence: str, qualifier: str, low: int | None, high: int | None) -> None:
    c = only(sentence)
    assert (c.qualifier, c.low, c.high, c.role) == (qualifier, low, high, "current")


@pytest.mark.parametrize(("sentence", "low", "high"), [
    ("Police detained a dozen suspects.", 12, 12),
    ("Two dozen people were hurt.", 24, 24),
    ("Dozens of people were injured.", 24, 99),  # "dozens of" is read like "dozens were"
    ("The quake left hundreds dead.", 200, 999),
    ("The typhoon left hundreds of thousands homeless.", 200_000, 999_999),
    ("Twenty-five people died.", 25, 25),
    ("Two hundred people were evacuated.", 200, 200),
    ("Thousands were displaced.", 2000, 9999),
])
def test_word_numbers(sentence: str, low: int, high: int) -> None:
    c = only(sentence)
    assert (c.low, c.high) == (low, high)


@pytest.mark.parametrize(("sentence", "subject"), [
    ("The fire killed 60 people and injured 162 others.", ["killed", "injured"]),
    ("The massacre left at least 143 dead and 360 others wounded.", ["killed", "injured"]),
    ("Police arrested 30 dissidents.", ["arrested"]),
    ("Twelve people are still missing.", ["missing"]),
    ("The floods left 5,000 people homeless.", ["displaced"]),
    ("Gunmen abducted four engineers.", ["other:hostages"]),
    ("The death toll rose to 158.", ["killed"]),
    ("The bodies of four foreigners were found.", ["killed"]),
])
def test_subjects(sentence: str, subject: list[str]) -> None:
    assert [c.subject for c in claims.read_claims(sentence)] == subject


# The general ways news states a count of people: verbs active and passive, nouns, adjectives,
# number words and vague counts (sentences invented, not taken from any labelled story).
@pytest.mark.parametrize(("sentence", "subject", "low", "high"), [
    ("Twelve people died in the crash.", "killed", 12, 12),
    ("At least 30 people were killed when the bus overturned.", "killed", 30, None),
    ("Nine miners lost their lives in the blast.", "killed", 9, 9),
    ("A car bomb exploded in the market, killing 22.", "killed", 22, 22),
    ("The storm left 40 dead and hundreds homeless.", "killed", 40, 40),
    ("The flu has claimed 56 lives this winter.", "killed", 56, 56),
    ("The bombing, which took 10 lives, was condemned.", "killed", 10, 10),
    ("The landslide claimed the lives of 17 villagers.", "killed", 17, 17),
    ("Eleven bodies were recovered from the river.", "killed", 11, 11),
    ("Officials put the death toll at 212.", "killed", 212, 212),
    ("The number of confirmed deaths reached 112.", "killed", 112, 112),
    ("The death count rose to 48 on Sunday.", "killed", 48, 48),
    ("The number of people displaced has risen to 3,500.", "displaced", 3500, 3500),
    ("The quake, which had a death toll of 3,000, struck at dawn.", "killed", 3000, 3000),
    ("There were 15 deaths reported in the province.", "killed", 15, 15),
    ("Officials reported 80 fatalities.", "killed", 80, 80),
    ("Fifteen people drowned when the ferry capsized.", "killed", 15, 15),
    ("Gunmen shot dead five policemen.", "killed", 5, 5),
    ("Five people were shot dead at a checkpoint.", "killed", 5, 5),
    ("Two policemen were among the dead.", "killed", 2, 2),
    ("The crash killed the airline's 12-member crew.", "killed", 12, 12),
    ("Scores of people were killed.", "killed", 40, 99),
    ("The attack left 12 people wounded.", "injured", 12, 12),
    ("Four people were hurt in the blast.", "injured", 4, 4),
    ("Dozens of people were injured in the stampede.", "injured", 24, 99),
    ("Forty people were taken to hospital.", "injured", 40, 40),
    ("The accident sent 12 people to the hospital.", "injured", 12, 12),
    ("Twelve victims were injured by flying glass.", "injured", 12, 12),
    ("Hundreds of people were evacuated from their homes.", "displaced", 200, 999),
    ("The floods displaced some 50,000 people.", "displaced", 50000, 50000),
    ("Thousands of villagers fled their homes.", "displaced", 2000, 9999),
    ("Seven people remain unaccounted for.", "missing", 7, 7),
    ("Police detained 35 protesters.", "arrested", 35, 35),
    ("Six suspects were taken into custody.", "arrested", 6, 6),
    ("Police are holding three men in connection with the attack.", "arrested", 3, 3),
    ("Two of three defendants in custody wrote to the judge.", "arrested", 3, 3),
    ("Authorities have made 40 arrests.", "arrested", 40, 40),
    ("The rebels took 20 people hostage.", "other:hostages", 20, 20),
    ("There were over 30 engineers on the flight.", "other:aboard", 30, None),
    ("The 113 people, nearly all of them tourists, who were killed were mourned.", "killed",
     113, 113),
    ("Five people died and another 12 were hurt.", "killed", 5, 5),
    ("Flu Claims 1st Death in County", "killed", 1, 1),
    ("The city reported its third death from the virus.", "killed", 3, 3),
    ("One hundred fourteen people died in the crash.", "killed", 114, 114),
    ("About three thousand five hundred people fled.", "displaced", 3500, 3500),
    ("More than half a million people were displaced.", "displaced", 500_000, None),
    ("Several hundred people were arrested.", "arrested", 200, 999),
    ("Several dozen people were injured.", "injured", 24, 99),
    ("Eleven people, including three children, died.", "killed", 11, 11),
])
def test_news_forms_of_a_count(sentence: str, subject: str, low: int | None,
                               high: int | None) -> None:
    got = [(c.subject, c.low, c.high) for c in claims.read_claims(sentence, year=1998)
           if c.role == "current"]
    assert got[:1] == [(subject, low, high)]


@pytest.mark.parametrize("sentence", [
    "Police are holding three meetings with residents.",  # "holding" counts no one here
    "The talks took 20 minutes.",
    "Road accidents claim 300 lives each year.",  # a rate, not the event's count
    "The state had 163,190 inmates in custody.",  # a prison population
    "The 17 new victims were recovered on Sunday.",  # what was added since the last report
    "An estimated 100 kidnap victims are still held.",  # victims of what, the noun says
    "He has been on death row since his 5th appeal failed.",
])
def test_news_forms_that_are_not_claims(sentence: str) -> None:
    assert [c for c in claims.read_claims(sentence) if c.role == "current"] == []


def test_coordinated_groups_split_the_toll() -> None:
    got = [(c.low, c.scope) for c in claims.read_claims("In Freedonia, 236 civilians and 12 "
                                                         "soldiers were killed.")]
    assert got == [(236, "civilians"), (12, "soldiers")]


# -- what is not a claim ------------------------------------------------------------------------
@pytest.mark.parametrize("sentence", [
    "A 7-month-old baby was among those killed.",
    "Slepian, 51, was killed by a sniper.",
    "The attack on March 22 killed no one.",
    "Winds of 150 mph killed livestock.",
    "The blast at 9:45 a.m. killed nobody, police said.",
    "Insurers paid $18 billion after the storm killed cattle.",
    "The fire on the 10th floor was put out; no one was hurt.",
    "Flight 111 crashed into the sea.",
    "An estimated 400 people were at the dance, which had a capacity of 150.",
    "Seven dead crows were found infected with the virus.",
    "The 2004 Beslan school siege was deadlier.",
    # rates are statistics, not an event's count
    "Malaria kills up to 3 million people a year.",
    "The virus is blamed for about 10,000 deaths a year in the United States.",
    "Nearly 500 Kenyans die of AIDS everyday.",
    # machines are not people
    "The virus infected hundreds of thousands of computers.",
])
def test_not_claims(sentence: str) -> None:
    assert claims.read_claims(sentence) == []


@pytest.mark.parametrize(("sentence", "counts"), [
    # the count that did it is not a toll: an active verb with an object after it
    ("Two gunmen killed three people.", ["three"]),
    ("Two suicide bombers killed 40 people.", ["40"]),
    ("Three teenagers shot and wounded five students.", ["five"]),
    # a count before the verb with no object is the toll, in a headline too
    ("Five killed in blast", ["Five"]),
    ("Three killed Monday in a blast.", ["Three"]),
    ("The 13 killed the day before were buried.", ["13"]),
    # "a year" that is not a rate
    ("30 people died within a year.", ["30"]),
    ("It was a year in which 300 people died in floods.", ["300"]),
])
def test_who_did_it_and_rates_are_told_from_tolls(sentence: str, counts: list[str]) -> None:
    assert [c.value for c in claims.read_claims(sentence)] == counts


def test_other_event_is_not_current() -> None:
    [c] = claims.read_claims("It was the worst storm since 1988, when Gilbert killed more "
                              "than 300 people.", year=1998)
    assert c.role == "other_event"
    [c] = claims.read_claims("In 1978, 20 people died in a fire at a hotel.", year=1998)
    assert c.role == "other_event"
    [c] = claims.read_claims("Thursday was the 10th anniversary of clashes that left 48 "
                              "people dead.", year=2024)
    assert c.role == "other_event"


@pytest.mark.parametrize("sentence", [
    "The rebels were blamed for three recent bomb blasts that killed nearly 300 people.",
    "His 1982 shooting spree left five dead.",
    "Four people died three years ago in a similar flood.",
])
def test_other_events_by_their_words(sentence: str) -> None:
    assert [c.role for c in claims.read_claims(sentence, year=1998)] == ["other_event"]


def test_years_ago_belongs_to_its_own_part_of_the_sentence() -> None:
    [c] = claims.read_claims("The bodies of four engineers were found in the region, which "
                              "emerged from a brutal and costly war that ended two years ago.",
                              year=1998)
    assert (c.subject, c.low, c.role) == ("killed", 4, "current")


def test_another_is_a_count_of_its_own() -> None:
    got = read("Five people died and another 12 were hurt.")
    assert [(s, lo) for s, _, lo, _, _, _ in got] == [("killed", 5), ("injured", 12)]


def test_malformed_numbers_are_read_as_written_or_skipped() -> None:
    assert (only("About 1,0000 people died.").low) == 10000
    assert (only("Officials said 7, 956 were wounded.").low) == 7956
    rng = random.Random(12)
    pieces = ["1,,0", "12-", "-15", "killed", "at least", "9" * 40, "dozens of", ",", "between",
              "and", "people", "died", "1.2.3", "0", "in Honduras", "up from", "½", "٣", "—"]
    for _ in range(2000):  # whatever the words, reading them never fails
        claims.read_claims(" ".join(rng.choice(pieces) for _ in range(rng.randint(1, 12))))


# -- earlier and current, scope -----------------------------------------------------------------
def test_up_from_is_earlier_risen_to_is_current() -> None:
    got = read("The death toll has risen to 158, up from 95.")
    assert ("killed", None, 158, 158, "exact", "current") in got
    assert ("killed", None, 95, 95, "exact", "earlier") in got


def test_revised_down_from_an_earlier_estimate() -> None:
    cs = claims.read_claims("Officials lowered the death toll to about 6,100, down from their "
                             "earlier estimate of 7,000.")
    current = [c for c in cs if c.role == "current"]
    assert [(c.low, c.qualifier, c.revised) for c in current] == [(6100, "approx", True)]
    assert [c.low for c in cs if c.role == "earlier"] == [7000]
    assert only("Police earlier had reported 65 dead.").role == "earlier"


def test_from_to_gives_both_figures() -> None:
    got = read("The toll rose from 32 to 357 overnight.")
    assert got == [("killed", None, 32, 32, "exact", "earlier"),
                   ("killed", None, 357, 357, "exact", "current")]


@pytest.mark.parametrize(("sentence", "scope"), [
    ("The storm killed 7,000 people in Honduras.", "Honduras"),
    ("More than 10,000 people died in the region.", "the region"),
    ("In Datong city, police arrested 12 drug smugglers.", "Datong city"),
    ("Three soldiers and one activist were killed.", "soldiers"),
    ("All 109 people aboard were killed.", "aboard"),
])
def test_scope(sentence: str, scope: str) -> None:
    assert claims.read_claims(sentence)[0].scope == scope


@pytest.mark.parametrize(("sentence", "low", "scope"), [
    ("The toll rose to six, three of them homeless men.", 3, "homeless men"),
    ("Since the beginning of October, 45 people have died of hypothermia.", 45,
     "since the beginning of October"),
    ("The army has lost 2,518 killed since August 2, 1999.", 2518, "since August 2, 1999"),
    ("Aside from killing three people on the island, the storm wrecked 900 houses.", 3,
     "the island"),
    ("Five people have died since Monday.", 5, None),  # a weekday is no period
    ("Police questioned 14 people about the blast at the embassy in Freetown, which took 10 "
     "lives.", 10, "Freetown"),  # one of several sites: where the event that killed was
])
def test_scope_of_parts_and_periods(sentence: str, low: int, scope: str | None) -> None:
    assert [c.scope for c in claims.read_claims(sentence) if c.low == low] == [scope]


def test_a_part_named_by_including_has_its_group_as_scope() -> None:
    got = [(c.low, c.scope) for c in claims.read_claims(
        "The blast killed 12 people, including four children.")]
    assert got == [(12, None), (4, "children")]


def test_scope_names_are_normal_forms() -> None:
    got = [(c.low, c.scope) for c in claims.read_claims(
        "The jet crashed, killing all 109 people on the airplane and four people on the ground.")]
    assert got == [(109, "aboard"), (4, "on the ground")]
    assert only("Another 17 people are still in intensive care.").scope == "intensive care"


def test_a_comparison_is_another_event() -> None:
    got = [(c.low, c.role) for c in claims.read_claims(
        "The crash, which killed 114 people, may end the jet the way the Hindenburg ended the "
        "airship, when it burned killing 35 people.", year=2000)]
    assert got == [(114, "current"), (35, "other_event")]


def test_earlier_this_week_is_when_it_was_said() -> None:
    assert only("Police earlier this week said they arrested 14 people.").role == "current"


def test_head_noun_is_not_a_scope() -> None:
    assert only("The blast wounded 21 Israelis.").scope is None


# -- one article, one current figure; verdicts across the story ---------------------------------
def article(aid: str, text: str, day: int | None, outlet: str = "", captions: tuple[str, ...] = ()
            ) -> Article:
    return Article(id=aid, path=f"{aid}.txt", title="", outlet=outlet or aid.upper(),
                   date=datetime(2024, 10, day, 12) if day else None, author=None, url=None,
                   text=text, captions=captions)


def test_one_current_figure_per_article() -> None:
    a = article("ap", "The attack left 144 people dead.", 2,
                captions=("The attack on the venue that killed over 140 people.",))
    [line] = figures.story_figures([a])
    assert [(p.value, p.sources) for p in line.points] == [("144", ("ap",))]
    b = article("bbc", "The death toll has risen to 158, up from 95, officials said.", 3)
    [line] = figures.story_figures([b])
    assert [p.value for p in line.points] == ["158"]


def test_rising_toll_is_a_timeline() -> None:
    def on(a: Article, month: int, day: int) -> Article:
        return replace(a, date=datetime(2024, month, day, 12))

    arts = [on(article("a", "The hurricane killed 32 people.", None), 10, 29),
            on(article("b", "The hurricane has killed 357 people.", None), 10, 31),
            on(article("c", "About 7,000 people were killed by the hurricane.", None), 11, 3),
            on(article("d", "More than 10,000 people died.", None), 11, 6)]
    [line] = figures.story_figures(arts)
    assert line.verdict == "rising"
    assert [p.value for p in line.points] == ["32", "357", "About 7,000", "More than 10,000"]
    summary = StorySummary(story=Story("s1", "Mitch", tuple(arts)), sentences=(),
                           figures=(line,), discrepancies=figures.discrepancies([line]))
    assert render.timeline(summary, line) == (
        "32 (A, Oct 29) → 357 (B, Oct 31) → about 7,000 (C, Nov 3) → more than 10,000 (D, Nov 6)")
    assert summary.discrepancies == ()


def test_compatible_figures_agree() -> None:
    arts = [article("a", "The attack killed over 140 people.", 2),
            article("b", "The attack left 144 people dead.", 2)]
    [line] = figures.story_figures(arts)
    assert line.verdict == "agree"
    assert figures.discrepancies([line]) == ()


def test_same_day_conflict_is_a_disagreement() -> None:
    arts = [article("a", "The blast killed 40 people.", 2),
            article("b", "The blast killed 75 people.", 2)]
    [line] = figures.story_figures(arts)
    assert line.verdict == "disagree"
    [d] = figures.discrepancies([line])
    assert [(c.value, c.sources) for c in d.claims] == [("40", ("a",)), ("75", ("b",))]


def timed(aid: str, text: str, when: datetime, outlet: str) -> Article:
    return replace(article(aid, text, 1, outlet), date=when)


def test_about_the_same_time_is_the_same_day_or_another_outlet_within_a_day() -> None:
    # the guideline: 60 then 67 on one day cannot both be true, whatever the order
    morning = timed("a1", "The fire killed 60 people.", datetime(2024, 10, 2, 9), "AP")
    evening = timed("a2", "The fire killed 67 people.", datetime(2024, 10, 2, 20), "AP")
    assert figures.story_figures([morning, evening])[0].verdict == "disagree"
    # the next morning, another outlet: still about the same time
    other = timed("b", "The fire killed 67 people.", datetime(2024, 10, 3, 8), "BBC")
    assert figures.story_figures([morning, other])[0].verdict == "disagree"
    # the same outlet the next day, or another outlet a day and a half later: a rise
    same = timed("a3", "The fire killed 67 people.", datetime(2024, 10, 3, 8), "AP")
    assert figures.story_figures([morning, same])[0].verdict == "rising"
    later = timed("c", "The fire killed 67 people.", datetime(2024, 10, 3, 22), "BBC")
    assert figures.story_figures([morning, later])[0].verdict == "rising"
    # compatible figures the same day agree
    bound = timed("d", "The fire killed more than 50 people.", datetime(2024, 10, 2, 21), "DW")
    assert figures.story_figures([morning, bound])[0].verdict == "agree"


def test_a_higher_figure_said_to_have_risen_the_same_day_is_a_rise() -> None:
    # a cold wave's toll: "reached 85 on Saturday, after two men froze to death" hours after
    # 83 is the news; the same figures without the toll's verb are rivals (60 then 67)
    morning = timed("a1", "The death toll from the cold has reached 83.", datetime(2024, 12, 5, 9),
                    "AP")
    noon = timed("a2", "The death toll from the cold reached 85 on Saturday, after two men "
                       "froze to death.", datetime(2024, 12, 5, 12), "AP")
    [line] = figures.story_figures([morning, noon])
    assert line.verdict == "rising"
    other = timed("b", "The toll climbed on Sunday to 90.", datetime(2024, 12, 6, 8), "Reuters")
    assert figures.story_figures([noon, other])[0].verdict == "rising"
    silent = timed("a3", "The cold has killed 85 people.", datetime(2024, 12, 5, 12), "AP")
    assert figures.story_figures([morning, silent])[0].verdict == "disagree"
    # the verb must be the toll's: "the sun rose" says nothing about the figure
    sun = timed("a4", "By the time the sun rose Friday, 85 people had died.",
                datetime(2024, 12, 5, 12), "AP")
    assert figures.story_figures([morning, sun])[0].verdict == "disagree"


def test_later_lower_figure_without_revision_disagrees_with_revision_is_revised() -> None:
    first = article("a", "About 7,000 people were killed.", 1)
    silent = article("b", "The storm killed 5,000 people.", 4)
    said = article("c", "Officials lowered the death toll to 5,000.", 4)
    assert figures.story_figures([first, silent])[0].verdict == "disagree"
    assert figures.story_figures([first, said])[0].verdict == "revised"


def test_scopes_are_separate_lines_and_a_single_place_joins_the_story() -> None:
    arts = [article("a", "The storm killed 7,000 people in Honduras.", 1),
            article("b", "The storm killed 2,000 people in Nicaragua.", 1),
            article("c", "More than 9,000 people were killed.", 2)]
    lines = figures.story_figures(arts)
    assert {(ln.subject, ln.scope) for ln in lines} == {
        ("killed", "Honduras"), ("killed", "Nicaragua"), ("killed", None)}
    assert all(ln.verdict == "agree" for ln in lines)
    one_place = [article("a", "The fire killed 60 people in Goteborg.", 1),
                 article("b", "The fire killed 62 people.", 3)]
    [line] = figures.story_figures(one_place)
    assert (line.scope, line.verdict) == (None, "rising")


def test_500_claims_render_a_bounded_block() -> None:
    arts = []
    for i in range(500):
        place = f"Town{i % 40}"
        arts.append(Article(
            id=f"a{i}", path=f"a{i}.txt", title="", outlet=f"Outlet {i % 7}",
            date=datetime(2024, 1, 1) + timedelta(hours=7 * i), author=None, url=None,
            text=f"The quake killed {100 + i} people in {place}. It injured {i % 13 + 2} "
                 f"people and {i % 5 + 2} people were arrested in {place}."))
    lines = figures.story_figures(arts)
    assert sum(len(ln.points) for ln in lines) >= 500
    summary = StorySummary(story=Story("s500", "Quake", tuple(arts)), sentences=(),
                           figures=lines, discrepancies=figures.discrepancies(lines),
                           header_figure=figures.header_line(lines, len(arts)))
    md = render.render_markdown(Briefing(datetime(2024, 2, 1), (BriefingSection(None,
                                                                              (summary,)),)))
    block = md.split("**Figures:**")[1].split("**Sources:**")[0]
    bullets = [ln for ln in block.splitlines() if ln.startswith("- ")]
    assert len(bullets) <= 2 * render.MAX_FIGURES + 2
    assert bullets[render.MAX_FIGURES] == f"- and {len(lines) - render.MAX_FIGURES} more"
    assert "- Killed (Town0): 100 (Outlet 0, Jan 1) → (and 7 more) → 420" in md
    for bullet in bullets:
        shown = re.sub(r" → \(and \d+ more\)", "", bullet)
        assert shown.count("→") <= render.MAX_FIGURES - 1
        assert bullet.count(";") <= (render.MAX_FIGURES + 1) ** 2
    assert len(block) < 8000


# -- the seeds, through the CLI -----------------------------------------------------------------
def test_seeds_toll_is_a_timeline_not_a_disagreement(seeds: Path) -> None:
    data = json.loads(run_cli("brief", "--source", str(seeds), "--format", "json").stdout)
    [story] = [s for s in data["stories"] if len(s["articles"]) == 5]
    outlets = {a["id"]: a["outlet"] for a in story["articles"]}
    names = {a["id"]: Path(a["path"]).name for a in story["articles"]}
    [killed] = [f for f in story["figures"] if f["subject"] == "killed"]
    assert killed["scope"] is None and killed["verdict"] in ("rising", "agree")
    newest = killed["claims"][-1]
    assert (newest["value"], newest["low"], newest["high"]) == ("144", 144, 144)
    assert {outlets[i] for i in newest["sources"]} == {"The Moscow Times", "DW", "AP"}
    earlier = {c["value"]: [names[i] for i in c["sources"]] for c in killed["claims"][:-1]}
    assert earlier == {"137": ["003_f3c979c9e0c87e4d.txt"],
                       "at least 143": ["000_e16f7bd2d506038e.txt"]}
    assert not [d for d in story["discrepancies"] if d["subject"] == "killed"]
    assert all(c["sentence"] for c in killed["claims"])
    md = run_cli("brief", "--source", str(seeds)).stdout
    assert "· 144 killed ·" in md
    # The two undated articles name no outlet: never their file names (issue 12, part 3), and
    # each is told apart by its number in the source list, which names its file.
    m = re.search(r"- Killed: 137 \(unknown outlet, source (\d)\) → at least 143 \(unknown outlet, "
                  r"source (\d)\) → 144 \(The Moscow Times; DW; AP, Mar 30\)", md)
    assert m and m.group(1) != m.group(2)
    listed = dict(re.findall(r"^(\d+)\. unknown outlet: .* — (\S+)$", md, re.M))
    assert Path(listed[m.group(1)]).name.startswith("003_")
    assert Path(listed[m.group(2)]).name.startswith("000_")
    assert "over 140" not in md.split("**Sources:**")[0].split("**Figures:**")[1]
    assert "Sources disagree" not in md


def test_disagreement_renders_in_every_output_escaped() -> None:
    arts = [article("a", "The blast killed 40 people.", 2, outlet="<b>Wire</b> [x](javascript:y)"),
            article("b", "The blast killed 75 people.", 2, outlet="Daily")]
    lines = figures.story_figures(arts)
    summary = StorySummary(story=Story("s2", "Blast", tuple(arts)), sentences=(), figures=lines,
                           discrepancies=figures.discrepancies(lines), status="new",
                           header_figure=figures.header_line(lines, len(arts)))
    briefing = Briefing(datetime(2024, 10, 3), (BriefingSection(None, (summary,)),))
    md = render.render_markdown(briefing)
    assert "**Sources disagree:**\n- Killed: 40 (\\<b\\>Wire\\</b\\> \\[x\\](javascript:y)); 75 (Daily)" in md
    assert "· 75 killed ·" in md
    data = render.story_dict(summary)
    assert data["discrepancies"] == [{"subject": "killed", "claims": [
        {"value": "40", "sources": ["a"]}, {"value": "75", "sources": ["b"]}]}]
    assert data["figures"][0]["verdict"] == "disagree"
    parts = render.render_email(briefing, digest="morning", tz=ZoneInfo("UTC"),
                                recipient="r@example.org", unsubscribe="mailto:u@example.org")
    assert "Sources disagree:" in parts.text and "Killed: 40 (<b>Wire</b>" in parts.text
    assert "Sources disagree:" in parts.html and "<b>Wire</b>" not in parts.html
    assert "&lt;b&gt;Wire&lt;/b&gt;" in parts.html


@pytest.mark.no_state
def test_eval_script_scores_claims_as_documented(tmp_path: Path) -> None:
    """bench/eval_figures.py on a two-sentence set: matching by subject, bounds, labelled scope."""
    rows = [
        {"id": "s1", "split": "dev", "date": "1998-10-30", "story": "x", "set": "duc2003",
         "sentence": "The fire killed 60 people and injured 162 others in Goteborg.",
         "claims": [{"subject": "killed", "scope": None, "low": 60, "high": 60,
                     "role": "current", "text": "60", "qualifier": "exact"},
                    {"subject": "injured", "scope": None, "low": 162, "high": 162,
                     "role": "current", "text": "162", "qualifier": "exact"}]},
        {"id": "s2", "split": "dev", "date": "1998-10-31", "story": "x", "set": "duc2003",
         "sentence": "Typhoon Babs killed at least 156 people, officials said.",
         "claims": [{"subject": "killed", "scope": "Philippines", "low": 156, "high": None,
                     "role": "current", "text": "at least 156", "qualifier": "lower"}]},
        {"id": "s3", "split": "validation", "date": "1998-10-31", "story": "y", "set": "duc2007",
         "sentence": "Five people died.", "claims": []},
    ]
    (tmp_path / "sentences.jsonl").write_text(
        "\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    proc = subprocess.run([sys.executable, str(ROOT / "bench" / "eval_figures.py"), "--data",
                           str(tmp_path), "--split", "dev"], capture_output=True, text=True,
                          check=True, timeout=120)
    result = json.loads(proc.stdout)
    assert result["sentences"] == 2  # the validation row is not read
    # 3 predicted, 3 gold: 2 match; "at least 156" has the number but not the labelled scope
    assert result["claims"]["all"] == {"tp": 2, "predicted": 3, "gold": 3,
                                       "precision": 0.667, "recall": 0.667}
    assert result["claims_any_scope"]["tp"] == 3
    assert "verdicts" not in result  # no verdicts.jsonl, no verdict score


def test_sentence_rule_keeps_titles_initials_and_quotes() -> None:
    text = ('Mr. Smith said 5 people died. Gen. X agreed. The U.S. Embassy was hit on Aug. 7. '
            'It killed 250 people. "We are sad." He left.')
    assert claims.sentences(text) == [
        "Mr. Smith said 5 people died.", "Gen. X agreed.", "The U.S. Embassy was hit on Aug. 7.",
        "It killed 250 people.", '"We are sad."', "He left."]


# -- sixth session: more ways news states a count (invented sentences) ---------------------------
@pytest.mark.parametrize(("sentence", "subject", "value", "low", "high"), [
    ("The flood's death toll has surpassed 2,500, officials said.", "killed", "surpassed 2,500",
     2500, None),
    ("Storm Death Toll Exceeds 400", "killed", "Exceeds 400", 400, None),
    ("BRIDGE COLLAPSE: 1 DEATH REPORTED", "killed", "1", 1, 1),
    ("Some 3,100 people have so far been confirmed dead in the landslide.", "killed",
     "Some 3,100", 3100, 3100),
    ("Another 912 were reported as injured, the ministry said.", "injured", "912", 912, 912),
    ("He killed his three brothers before turning the gun on himself.", "killed", "three", 3, 3),
    ("The report describes the killing of some 40 villagers by soldiers.", "killed", "some 40",
     40, 40),
    ("Troops were accused of killing several hundreds of civilians.", "killed",
     "several hundreds", 200, 999),
    ("Dozens of journalists were allegedly abducted by the militia.", "other:hostages", "Dozens",
     24, 99),
    ("About 300 students demonstrated outside the parliament on Friday.", "other:protesters",
     "About 300", 300, 300),
])
def test_more_forms_of_a_count(sentence: str, subject: str, value: str, low: int | None,
                               high: int | None) -> None:
    c = only(sentence)
    assert (c.subject, c.value, c.low, c.high, c.role) == (subject, value, low, high, "current")


@pytest.mark.parametrize("sentence", [
    "Officials have warned that as many as 9,000 could have died in the region.",  # projection
    "Police arrested 14 people in the raid, ending the siege after two death row inmates fled.",
])
def test_projections_and_death_row_are_not_counts(sentence: str) -> None:
    assert not [c for c in claims.read_claims(sentence, year=1998)
                if c.role == "current" and c.high in (9000, 2)]


def test_a_count_months_earlier_is_another_event() -> None:
    got = claims.read_claims("The town still grieves; four months earlier 13 people were killed "
                             "in a school shooting nearby.", year=1999)
    assert [(c.low, c.role) for c in got] == [(13, "other_event")]


def test_a_year_far_from_the_count_does_not_date_it() -> None:
    near = only("Police arrested five men, the same group that attacked a bank in 1996.")
    far = only("Police arrested five men less than two days after the minister left the city "
               "at the end of his first official visit there in 1996.")
    assert (near.role, far.role) == ("other_event", "current")


def test_a_figure_the_sentence_revises_is_earlier() -> None:
    got = claims.read_claims("The ministry said the death toll rose to 9,400, but revised that "
                             "figure down to 8,200 on Friday.", year=1999)
    assert [(c.low, c.role, c.revised) for c in got] == [(9400, "earlier", False),
                                                          (8200, "current", True)]


@pytest.mark.parametrize(("sentence", "scope"), [
    ("The rebels have killed more than 600 people since the collapse of the truce.",
     "since the collapse of the truce"),
    ("The group, which over the past 15 years has killed nearly 400 people, said nothing.",
     "the past 15 years"),
    ("The militia has killed about 900 people in its 20-year insurgency.", "20-year insurgency"),
    ("That explosion killed two guards and injured 40 people.", "that explosion"),
    ("Six people were injured in those blasts.", "those blasts"),
    ("The Grand Bazaar bombing killed seven shoppers.", "Grand Bazaar"),
])
def test_periods_and_named_events_are_scopes(sentence: str, scope: str) -> None:
    assert claims.read_claims(sentence, year=1999)[0].scope == scope


def test_figures_of_different_sizes_are_two_counts_not_a_disagreement() -> None:
    # a province's toll (2,361) among the national ones (129, 151): not a conflict
    lines = figures.story_figures([
        article("a", "The storm killed 129 people.", 1),
        article("b", "In the province alone, 2,361 people died in the floods.", 1),
        article("c", "The death toll rose to 151.", 2),
    ])
    assert lines[0].verdict == "rising"
    # of one size, the same day, they do disagree
    lines = figures.story_figures([article("a", "The fire killed 60 people.", 1, "AP"),
                                   article("b", "The fire killed 67 people.", 1, "Reuters")])
    assert lines[0].verdict == "disagree"


@pytest.mark.parametrize(("sentence", "expected"), [
    # a list sharing the first count's subject, each item with its place
    ("Kirov ranked first with 412 deaths, followed by Tver with 230, Oryol with 98 and Kursk "
     "with 12, the agency said.",
     [("killed", 412, None), ("killed", 230, "Tver"), ("killed", 98, "Oryol"),
      ("killed", 12, "Kursk")]),
    ("About 9,000 people have fled their homes _ 6,000 to Moldova and 3,000 to other parts of "
     "Ukraine.",
     [("displaced", 9000, None), ("displaced", 6000, "Moldova"),
      ("displaced", 3000, "other parts of Ukraine")]),
    # a relative clause between the count and its verb; where the dead came from
    ("The three engineers, who were in the region to repair a dam, were taken hostage on Friday.",
     [("other:hostages", 3, None)]),
    ("At least 40 people from the district died in the mudslide.",
     [("killed", 40, "the district")]),
])
def test_lists_clauses_and_origins(sentence: str, expected: list[tuple[str, int, str | None]]
                                   ) -> None:
    got = [(c.subject, c.low, c.scope) for c in claims.read_claims(sentence, year=1999)
           if c.role == "current"]
    assert got == expected


def test_animals_are_not_counted() -> None:
    assert claims.read_claims("Biologists said 11 wolves released last spring were shot.",
                              year=1999) == []


def test_a_steep_fall_in_a_line_is_another_count_not_a_point_of_its_timeline() -> None:
    # the embassy story: a part ("two" guards, "11" in the other city) read without its scope
    # must not zigzag the toll's timeline; the toll itself may rise by any factor
    lines = figures.story_figures([
        article("a", "The bombing killed 247 people.", 1),
        article("b", "Two people were killed, police said.", 2),
        article("c", "The death toll rose to 257.", 3),
        article("d", "The blast killed 11 people, officials said.", 4),
    ])
    assert [p.value for p in lines[0].points] == ["247", "257"]
    assert lines[0].verdict == "rising"
    rising = figures.story_figures([
        article("a", "The hurricane killed 32 people.", 1),
        article("b", "The death toll rose to 357.", 3),
        article("c", "The death toll rose to about 7,000.", 6),
    ])
    assert [p.value for p in rising[0].points] == ["32", "357", "about 7,000"]
    # a revision said as such stays a point of the line, however steep
    revised = figures.story_figures([
        article("a", "The flood killed 1,000 people.", 1),
        article("b", "The flood killed 1,200 people.", 2),
        article("c", "Officials revised the death toll down to 120.", 3),
    ])
    assert [p.value for p in revised[0].points] == ["1,000", "1,200", "120"]


def test_a_lower_bound_then_a_figure_past_its_rounding_is_a_rise() -> None:
    # "more than 100,000" is 100,000 rounded down: "about 200,000" later is more; "over 140"
    # then 144 only restates it
    [line] = figures.story_figures([
        article("a", "More than 100,000 people were left homeless.", 1),
        article("b", "About 200,000 people were left homeless.", 5)])
    assert line.verdict == "rising"
    [line] = figures.story_figures([article("a", "The attack killed over 140 people.", 1),
                                    article("b", "The attack killed 144 people.", 2)])
    assert line.verdict == "agree"


def at(aid: str, text: str, day: int, hour: int, outlet: str) -> Article:
    return timed(aid, text, datetime(2024, 3, day, hour), outlet)


def test_a_part_an_article_states_below_its_toll_is_not_the_toll() -> None:
    # a gunman kills nine at two offices after killing his family: "nine" is the offices'
    # count, 12 the whole toll; one article says so ("12 dead, including nine at the
    # offices"), so the others' "nine" is no rival of 12 and no point of its timeline
    nine = [at("a1", "A gunman killed nine people at two offices on Friday.", 5, 20, "AP"),
            at("b1", "The killing of nine people at the offices shocked the town.", 6, 18, "NYT")]
    twelve = [at("a2", "The rampage left 12 people dead, including nine at the two offices.", 6,
                 9, "AP"),
              at("c1", "In all, 12 people were killed, police said.", 6, 15, "Reuters")]
    lines = figures.story_figures(nine + twelve)
    [toll] = [ln for ln in lines if ln.subject == "killed" and ln.scope is None]
    assert [(p.value, p.sources) for p in toll.points] == [("12", ("a2", "c1"))]
    assert toll.verdict == "agree"
    assert figures.discrepancies(lines) == ()
    # without the article that tells them apart, nine and 12 the same day do disagree
    [line] = figures.story_figures([*nine, twelve[1]])
    assert line.verdict == "disagree"
    # a week and more apart, a "nine" is not that part (small figures recur in long stories)
    late = at("d1", "Another gunman killed nine people at a school.", 20, 9, "AP")
    [toll] = [ln for ln in figures.story_figures([*twelve, late]) if ln.scope is None]
    assert [p.value for p in toll.points] == ["12", "nine"]


def test_figures_an_article_states_side_by_side_are_two_counts_not_rivals() -> None:
    # one article gives its lead's count and, further down, a larger one "in all": the
    # article does not contradict itself, so no outlet's nine disagrees with another's 12
    both = at("a", "A gunman killed nine people on Friday.\n\nIn all, 12 people were killed, "
                   "police said.", 5, 20, "AP")
    other = at("b", "The shooting left 12 people dead, police said.", 5, 21, "Reuters")
    lines = figures.story_figures([both, other])
    assert lines[0].verdict != "disagree"
    assert figures.discrepancies(lines) == ()
    # rivals that no article states together still disagree
    rival = at("c", "A gunman killed nine people on Friday.", 5, 20, "AP")
    assert figures.story_figures([rival, other])[0].verdict == "disagree"


def test_an_unscoped_figure_equal_to_a_named_part_joins_that_part() -> None:
    # "300 dead, 120 of them in Kandor": another outlet's "120 killed" that week is Kandor's,
    # not a fall of the toll from 300 to 120 (a single place is a part when an article
    # counts it below its toll)
    whole = article("a", "The storm killed 300 people, 120 of them in Kandor province.", 2)
    part = article("b", "The storm killed 120 people.", 3)
    lines = {ln.scope: ln for ln in figures.story_figures([whole, part])}
    assert [(p.value, p.sources) for p in lines[None].points] == [("300", ("a",))]
    assert [(p.value, p.sources) for p in lines["Kandor"].points] == [("120", ("a", "b"))]
    assert all(ln.verdict == "agree" for ln in lines.values())
    # a value some article states as a toll with parts of its own stays the toll's
    total = article("c", "The storm killed 120 people, 40 of them in Sarn.", 3)
    lines = {ln.scope: ln for ln in figures.story_figures([whole, total])}
    assert [p.value for p in lines[None].points] == ["300", "120"]
    # two places with that value: no telling which, it joins neither
    other = article("d", "The storm killed 300 people, 120 of them in Ulm.", 2)
    lines = {ln.scope: ln for ln in figures.story_figures([whole, other, part])}
    assert [p.sources for p in lines["Kandor"].points] == [("a",)]
    assert [p.sources for p in lines["Ulm"].points] == [("d",)]


def test_incidents_weeks_before_the_main_count_are_not_its_timeline() -> None:
    # a war story: two massacres' tolls in early October, then "hundreds" killed in the
    # offensive, said by most articles in November: the massacres are counts of their own
    def on(aid: str, text: str, month: int, day: int) -> Article:
        return replace(article(aid, text, None), date=datetime(2024, month, day, 12))

    war = [on("a", "Soldiers killed 13 villagers in a raid.", 10, 1),
           on("b", "At least 14 people were killed in the attack on the village.", 10, 12),
           on("c", "Hundreds of people have been killed in the offensive.", 11, 4),
           on("d", "The offensive has killed hundreds of civilians.", 11, 5),
           on("e", "Between 600 and 1,000 people were killed in the offensive.", 11, 7)]
    [line] = figures.story_figures(war)
    assert [p.value for p in line.points] == ["Hundreds", "Between 600 and 1,000"]
    # "hundreds" is a size, not a bound: a figure inside it says the same, more precisely
    assert line.verdict == "agree"
    # a toll that rises within days keeps every point, however steep
    quake = [on("a", "The quake killed 32 people.", 10, 29),
             on("b", "The quake has killed 357 people.", 10, 31),
             on("c", "The quake has killed about 7,000 people.", 11, 3),
             on("d", "About 7,000 people died in the quake.", 11, 3)]
    [line] = figures.story_figures(quake)
    assert [p.value for p in line.points] == ["32", "357", "about 7,000"]
    # with no figure most articles state, nothing is dropped
    [line] = figures.story_figures(war[:3])
    assert [p.value for p in line.points] == ["13", "At least 14", "Hundreds"]
    # beyond a vague word's range is a rise
    [line] = figures.story_figures([war[2], on("f", "Thousands have been killed.", 11, 9)])
    assert line.verdict == "rising"


@pytest.mark.parametrize(("sentence", "scope"), [
    # a name is read whole, and a word's first letters are not a particle ("de" of "deadliest")
    ("The bombing of the embassy in Dar es Salaam, which killed 11 people, was planned.",
     "Dar es Salaam"),
    ("More than 7,000 people perished in Turkey's deadliest quake in six decades.", "Turkey"),
    # a name takes no article; an anaphor keeps it
    ("Twelve Americans were killed in the Kenya embassy bombing.", "Kenya"),
    # a title-case headline's capitals say nothing about places
    ("Over 12,000 Killed in Earthquake in Turkey", None),
])
def test_scopes_read_as_a_reader_would_name_them(sentence: str, scope: str | None) -> None:
    assert claims.read_claims(sentence, year=1999)[0].scope == scope


def test_an_undated_article_is_read_in_the_year_its_text_states() -> None:
    # without a date, "the 2010 earthquake" could be a past event; the text's own full date
    # says it is this article's news, and a year older than it still is another event
    text = ("PORT-AU-PRINCE, January 14, 2010 - The 2010 earthquake killed 200 people, "
            "officials said. When Gilbert struck in 1988 it killed 300 people.")
    found = claims.article_claims(article("a", text, None))
    assert [(c.value, c.role) for c in found] == [("200", "current"), ("300", "other_event")]
    bare = claims.article_claims(article("b", "The 2010 earthquake killed 200 people.", None))
    assert [(c.value, c.role) for c in bare] == [("200", "other_event")]


# -- ninth session: forms found on the train split's misses, tested on invented sentences ------
@pytest.mark.parametrize(("sentence", "subject", "value", "scope"), [
    # victims who are police or officials ("police" no longer ends the count's noun group)
    ("Four police officers were killed in the ambush.", "killed", "Four", None),
    ("Two officials were injured when the roof fell.", "injured", "Two", None),
    # an adverb between the auxiliary and the verb
    ("Nine villagers were summarily shot and killed.", "killed", "Nine", None),
    ("Six workers were reportedly hurt.", "injured", "Six", None),
    # "people" followed by the verb that names the injuries
    ("Twelve people sustained injuries in the crash.", "injured", "Twelve", None),
    # protesters and refugees named by their noun
    ("Thousands of anti-war demonstrators rallied outside the embassy.", "other:protesters",
     "Thousands", None),
    ("Police fired tear gas at about 500 protesters.", "other:protesters", "about 500", None),
    ("About 8,000 Sudanese refugees remain in border camps.", "displaced", "About 8,000", None),
    # a noun that is a count's head yields to the verb after it, a verb before it wins
    ("About 60 protesters were arrested on Friday.", "arrested", "About 60", None),
    ("Troops detained 35 demonstrators near the square.", "arrested", "35", None),
    # a disease's cases
    ("Health officials confirmed 48 cases of cholera in the district.", "other:sick", "48", None),
    # more verbs before the count
    ("Doctors treated 87 people for burns after the blast.", "injured", "87", None),
    ("Fishermen saved 40 passengers from the capsized boat.", "other:rescued", "40", None),
    ("A boat carrying 300 migrants sank off the coast.", "other:aboard", "300", None),
    ("The jailing of three journalists drew protests.", "arrested", "three", None),
    ("Police arrested about a half-dozen men after the brawl.", "arrested", "about a half-dozen",
     None),
    # the members of a toll are its parts
    ("The dead included five foreign tourists.", "killed", "five", "foreign tourists"),
    ("Among the injured were 14 schoolchildren.", "injured", "14", "schoolchildren"),
    ("The avalanche killed a guide and seven climbers.", "killed", "seven", "climbers"),
    # (tenth session: forms found by reading invented wire and WikiNews sentences)
    # the injured named by their condition (its words are the scope, as "in intensive care")
    ("Two people remain in critical condition.", "injured", "Two", "critical condition"),
    ("Nine passengers were in a serious condition on Monday.", "injured", "Nine",
     "serious condition"),
    ("Doctors said 35 people were being treated for burns.", "injured", "35", None),
    ("Eighteen people were electrocuted when the cable fell.", "killed", "Eighteen", None),
    ("An estimated 10,000 people lost their homes in the floods.", "displaced",
     "An estimated 10,000", None),
    # the guideline's "affected" and "charged"
    ("The drought has affected more than 200,000 people.", "other:affected",
     "more than 200,000", None),
    ("The storm left 40,000 households without power.", "other:affected", "40,000", None),
    ("Sixteen suspects were charged with murder.", "other:charged", "Sixteen", None),
    ("Prosecutors indicted four men over the fraud.", "other:charged", "four", None),
    # a headline's present tense
    # (the place is read as after "100,000 people", eleventh session; a story's one place joins
    # its unscoped line, figures.story_figures)
    ("Floods displace 100,000 in Ruvania", "displaced", "100,000", "Ruvania"),
    ("Blast hurts 40 at market", "injured", "40", None),
    # "a further N" is a count of its own
    ("The crash injured a further 7 people.", "injured", "7", None),
    # a toll's part named after "Of the dead,"
    ("Of the dead, 14 were children.", "killed", "14", "children"),
    ("Of the injured, six were police officers.", "injured", "six", "police officers"),
    # ... and with a verb of its own, read as usual
    ("Of the injured, three were in critical condition.", "injured", "three",
     "critical condition"),
    # a total brought to the count, of the casualty noun before it
    ("Health officials reported 15 new deaths on Tuesday, bringing the total to 230.", "killed",
     "230", None),
    ("Three more arrests on Friday brought the total to 27.", "arrested", "27", None),
    ("The arrests on Monday bring the total since the strike began to about 90.", "arrested",
     "about 90", "since the strike began"),
    # a participle locates people, the verb after it says what befell them
    ("Three climbers trapped on the ridge for two days died of exposure.", "killed", "Three",
     None),
    ("Four miners trapped by the flood were rescued on Sunday.", "other:rescued", "Four", None),
])
def test_ninth_and_tenth_session_forms_of_a_count(sentence: str, subject: str, value: str,
                                                 scope: str | None) -> None:
    found = [c for c in claims.read_claims(sentence, year=2005) if c.role == "current"]
    assert [(c.subject, c.value, c.scope) for c in found] == [(subject, value, scope)]
    # ... and an ingested article reads it too: the cheap gate before the reader lets it in
    ingested = claims.article_claims(article("g", sentence, 3))
    assert (subject, value) in [(c.subject, c.value) for c in ingested if c.role == "current"]


@pytest.mark.parametrize("sentence", [
    "The court heard two cases of fraud against the firm.",  # cases of no disease
    "Settlers refused to evacuate all 32 settlements in the area.",  # places, not people
    "The storm forced the evacuation of four 200-year-old villages.",
    "The budget cut killed 38 construction projects.",
    "It is a worm, one that infected tens of thousands of computers.",  # "one that": a pronoun
])
def test_ninth_session_counts_of_no_one(sentence: str) -> None:
    assert claims.read_claims(sentence, year=2005) == []


def test_a_split_of_the_toll_goes_on_after_and() -> None:
    found = claims.read_claims("The casualties included six soldiers and 11 policemen.",
                               year=2005)
    assert [(c.subject, c.value, c.scope) for c in found] == [
        ("other:casualties", "six", "soldiers"), ("other:casualties", "11", "policemen")]


def test_one_of_the_dead_counts_the_dead() -> None:
    found = claims.read_claims("His cousin was one of the 13 who were shot to death.", year=2005)
    assert [(c.subject, c.value) for c in found] == [("killed", "13")]


def test_a_full_date_two_years_back_is_another_event() -> None:
    old = "The ferry sank off the coast on March 3, 1994, killing 310 passengers and crew."
    assert [c.role for c in claims.read_claims(old, year=2001)] == ["other_event"]
    # a full date of last year is often the story's own event, still in the news
    recent = "The jet plunged into the sea on November 2, 2000, killing all 140 people aboard."
    assert [c.role for c in claims.read_claims(recent, year=2001)] == ["current"]


@pytest.mark.parametrize(("sentence", "scope"), [
    # a period opening the sentence, past its quotes
    ('"Since March this year, at least 300 people have died," the envoy said.',
     "since March this year"),
    ("Over the past 15 years, the disease has caused more than 900 deaths.", "the past 15 years"),
    # a place and a period both tie the count: the guideline's "place, period"
    ("At least 40 people have been killed in Nepal since the start of the strike.",
     "Nepal, since the start of the strike"),
    # a head noun is no scope, so the period still is
    ("About 90 strikers have been arrested since the walkout began.", "since the walkout began"),
    # a demonym and a description before a name: the name is the place
    ("Some 30 people were hurt in the Kenyan port city Mombasa.", "Mombasa"),
])
def test_periods_and_places_as_a_reader_names_them(sentence: str, scope: str) -> None:
    assert [c.scope for c in claims.read_claims(sentence, year=2005)] == [scope]


def test_cases_under_investigation_are_not_yet_the_sick() -> None:
    assert claims.read_claims("Another 90 cases of the fever remain under investigation.",
                              year=2005) == []


def test_an_article_that_dates_its_event_in_an_earlier_year_recalls_its_toll() -> None:
    # a 2024 report on a trial: "the 2019 bombing" is dated years back and the lead reports
    # no bombing of its own, so "The blast killed 86 people." is that bombing's toll
    trial = ("The court in Valdora opened the trial of three men on Monday.\n\n"
             "They are accused over the 2019 bombing of a ferry terminal. "
             "The blast killed 86 people.")
    context = claims.article_context(article("t", trial, 3))
    assert context == claims.ArticleContext(2024, frozenset({"bombing"}))
    assert [(c.value, c.role) for c in claims.article_claims(article("t", trial, 3))] == [
        ("86", "other_event")]
    # a new blast in the lead is the article's news, whatever blast it also recalls
    news = ("A blast at a ferry terminal in Valdora killed 12 people on Monday.\n\n"
            "It was the worst since the 2019 bombing there. The blast killed 12 people.")
    assert claims.article_context(article("n", news, 3)).past == frozenset()
    assert {c.role for c in claims.article_claims(article("n", news, 3))} == {"current"}
    # the sentence alone (no context) reads as it did
    assert [c.role for c in claims.read_claims("The blast killed 86 people.", year=2024)] == [
        "current"]


def test_where_they_were_between_count_and_verb() -> None:
    found = claims.read_claims("Four workers in the two trucks were injured.", year=2005)
    assert [(c.subject, c.value) for c in found] == [("injured", "Four")]
    assert claims.read_claims("The cut killed 38 military construction projects.") == []


def test_a_lead_that_names_the_dated_event_does_not_make_it_news() -> None:
    # the lead names "the Harbor Bridge bombing" that the text dates in 2017: still the past
    text = ("A man was jailed on Tuesday for lying to investigators of the Harbor Bridge "
            "bombing.\n\nThe 2017 Harbor Bridge bombing killed 31 people. "
            "The bombing killed 31 people and injured 90.\n\n"
            "Nearly 400 soldiers were killed in the bloody battle that followed the 2012 war.")
    context = claims.article_context(article("h", text, 3))
    assert context.past == frozenset({"bombing", "war"})
    roles = {(c.value, c.role) for c in claims.article_claims(article("h", text, 3))}
    assert roles == {("31", "other_event"), ("90", "other_event"),
                     ("Nearly 400", "other_event")}


@pytest.mark.parametrize(("sentence", "subject", "value"), [
    ("The number of people confirmed dead has risen to 212.", "killed", "212"),
    ("The number of confirmed cases stood at 340 on Friday.", "other:sick", "340"),
    ("More than 60,000 residents have been told to leave their homes.", "displaced",
     "More than 60,000"),
    ("The rebels released four of the hostages on Sunday.", "other:released", "four"),
])
def test_tolls_orders_and_parts_named_by_a_verb(sentence: str, subject: str, value: str) -> None:
    assert [(c.subject, c.value) for c in claims.read_claims(sentence, year=2005)] == [
        (subject, value)]


@pytest.mark.parametrize(("sentence", "scope"), [
    # the place a storm battered, with adjectives before its name
    ("The cyclone moved on after battering the eastern and southern Ruvania with rain that "
     "killed at least 40 people.", "Ruvania"),
    # "on X's main island where": the sentence's words for the place
    ("The storm left ruin on Ruvania's main island where at least 30 people died.",
     "Ruvania's main island"),
    # the building of one of two attacks, named before "which left"
    ("Prosecutors spoke of the bombing of the Valdora embassy, which left 44 dead.", "Valdora"),
    # "as of Wednesday" between the count and its place
    ("Officials counted 18 deaths as of Wednesday in Ruvania's heat wave.", "Ruvania"),
    # a group with a name in it
    ("The dead included nine Interior Ministry policemen.", "Interior Ministry policemen"),
])
def test_places_and_groups_before_and_after_the_count(sentence: str, scope: str) -> None:
    assert [c.scope for c in claims.read_claims(sentence, year=2005)] == [scope]


@pytest.mark.parametrize(("sentence", "subject", "value"), [
    ("The fire caused the death of eight people.", "killed", "eight"),
    ("The death tally rose to 40 on Monday.", "killed", "40"),
    ("Three firefighters suffered burns.", "injured", "Three"),
    ("Forty people were admitted to hospital.", "injured", "Forty"),
    ("Six men were taken into police custody.", "arrested", "Six"),
    ("About 1,500 people have been made homeless.", "displaced", "About 1,500"),
    ("The number of those injured rose to 130.", "injured", "130"),
])
def test_wire_phrasings_of_a_count(sentence: str, subject: str, value: str) -> None:
    assert [(c.subject, c.value) for c in claims.read_claims(sentence, year=2005)] == [
        (subject, value)]


@pytest.mark.parametrize(("sentence", "expected"), [
    # "the arrest of" names no part: the head noun stays no scope
    ("Schools closed after the arrest of four students.", [("arrested", "four", None)]),
    # "and four other people": others are no group
    ("Troops killed the chief and four other people.", [("killed", "four", None)]),
    # a drug or a man that "saved millions of lives" rescued no one in an event
    ("It is a drug that has saved millions of lives.", []),
    # the noun after a verb is not the count's: "officers outnumbered protesters"
    ("Hundreds of officers outnumbered protesters at the gate.", []),
    # animals after "and" are not a part of the people displaced
    ("More than 2,000 villagers and 7,500 animals have been displaced.",
     [("displaced", "More than 2,000", None)]),
    # a group scope does not pass on to the next subject; a period's full stop is not its own
    ("Gunmen took the lives of nine pupils and one teacher and injured 20 others.",
     [("killed", "nine", "pupils"), ("killed", "one", "teacher"), ("injured", "20", None)]),
    ("Three officials have been killed since March.", [("killed", "Three", "since March")]),
])
def test_parts_and_nouns_read_no_further_than_they_reach(
        sentence: str, expected: list[tuple[str, str, str | None]]) -> None:
    found = [c for c in claims.read_claims(sentence, year=2005) if c.role == "current"]
    assert [(c.subject, c.value, c.scope) for c in found] == expected


@pytest.mark.parametrize(("sentence", "subject", "value"), [
    ("Two people later succumbed to their injuries in hospital.", "killed", "Two"),
    ("Six tourists were among those hurt.", "injured", "Six"),
])
def test_more_wire_phrasings(sentence: str, subject: str, value: str) -> None:
    assert [(c.subject, c.value) for c in claims.read_claims(sentence, year=2005)] == [
        (subject, value)]


def test_a_recalled_event_takes_the_rest_of_its_sentence_and_groups_pass_no_scope() -> None:
    text = ("A court heard the case on Monday.\n\nIt concerns the 2015 bombings of two hotels. "
            "The bombings killed 40 people, including a dozen Italians, and injured 300.")
    found = claims.article_claims(article("r", text, 3))
    assert {(c.value, c.role) for c in found} == {
        ("40", "other_event"), ("a dozen", "other_event"), ("300", "other_event")}
    # read alone: the dozen Italians are a part; their group is not the injured's scope
    alone = claims.read_claims("The bombings killed 40 people, including a dozen Italians, "
                               "and injured 300.", year=2024)
    assert [(c.value, c.scope) for c in alone] == [("40", None), ("a dozen", "Italians"),
                                                    ("300", None)]


# -- tenth session: forms found by reading invented wire and WikiNews sentences and the dev and
# train misses, each tested on invented sentences (none copied from the labelled set) ----------


@pytest.mark.parametrize("sentence", [
    "Investigators interviewed 300 victims of torture.",  # victims of harm that kills no one
    "The charity supports 40 victims of domestic abuse.",
    "Diabetes affects about 16 million Americans.",  # the present tense: a prevalence
    "He was one of four suspects charged with the killing.",  # who the one is
    "At 17, Williams was charged as an adult.",  # an age
    "The company charged 20 customers a late fee.",  # charged with nothing
    "The new rules affected 30 companies.",  # affected, but no people
    "Thirty flights were affected.",
    "About 9,000 police are charged with maintaining order at the games.",  # a duty
    "The bill funds the two agencies charged with protecting wetlands.",  # bodies, not people
])
def test_tenth_session_counts_of_no_one(sentence: str) -> None:
    assert [c for c in claims.read_claims(sentence, year=2005) if c.role == "current"] == []


def test_a_total_takes_the_increments_out_and_a_participle_yields_to_its_verb() -> None:
    # the two who died are what was added: only the toll is a claim
    found = claims.read_claims("Two workers trapped in the mine died on Monday, bringing the "
                               "death toll to 31.", year=2005)
    assert [(c.subject, c.value) for c in found] == [("killed", "31")]
    # the event's own toll noun is no place ("Earthquake death toll"); a place's is
    assert [c.scope for c in claims.read_claims("Earthquake death toll rises to 1,500",
                                                year=2005)] == [None]
    assert [c.scope for c in claims.read_claims("Ruvania death toll rises to 150",
                                                year=2005)] == ["Ruvania"]


@pytest.mark.parametrize(("sentence", "scope"), [
    # the place of the event a count is tied to, named after it
    ("Police arrested 14 people in the bombing of the embassy in Port Vala.", "Port Vala"),
    ("Nine foreigners were detained in connection with the hotel bombing in Ruvania.",
     "Ruvania"),
    # two places are the whole event, no part of it
    ("They were charged over the deaths of 224 people in the attacks in Ruvania and Valdora.",
     None),
    # a superlative's domain is no place of the count ("the deadliest attack in Ruvania")
    ("Gunmen killed 40 people in the deadliest attack in Ruvania in a decade.", None),
])
def test_the_place_of_the_event_named_after_the_count(sentence: str, scope: str | None) -> None:
    assert [c.scope for c in claims.read_claims(sentence, year=2005)] == [scope]


@pytest.mark.parametrize(("sentence", "expected"), [
    # a place or period goes on along a list of verbs, not only after "and"
    ("The storm has killed 40 people in Ruvania, injured 200 and left thousands homeless.",
     [("killed", "40", "Ruvania"), ("injured", "200", "Ruvania"),
      ("displaced", "thousands", "Ruvania")]),
    # a town's toll is the place the sentence named before it; else the anaphor as written
    ("Rescuers recovered 17 bodies in Pilar, a fishing village 30 miles (48 kilometers) east of "
     "the capital, raising the village's death toll to 58.", [("killed", "58", "Pilar")]),
    ("The province's death toll rose to 30.", [("killed", "30", "the province")]),
    # "in the plane" is the guideline's aboard; a split whose first part is where they were
    ("Three people on the ground and all 54 passengers in the plane were killed.",
     [("killed", "Three", "on the ground"), ("killed", "all 54", "aboard")]),
    ("Two people on the ground and 12 aboard were injured.",
     [("injured", "Two", "on the ground"), ("injured", "12", "aboard")]),
    # a split by month names its months; one month alone is no scope
    ("Health officials said 12 people died in March, 20 in April and 31 in May.",
     [("killed", "12", "March"), ("killed", "20", "April"), ("killed", "31", "May")]),
    ("Police arrested 40 people in June and 55 in the first week of July.",
     [("arrested", "40", "June"), ("arrested", "55", "the first week of July")]),
    ("Twelve people died in March.", [("killed", "Twelve", None)]),
    # a part of a whole said where it was: the part is the count, the whole its scope
    ("Three of the 12 people in the car were killed.", [("killed", "Three", "the 12 people")]),
    # hostages set free are the guideline's released, whichever side the verb is on
    ("Forty hostages were freed on Sunday.", [("other:released", "Forty", None)]),
    ("Troops freed 23 hostages from the compound.", [("other:released", "23", None)]),
    ("Gunmen seized 12 hostages at a hotel.", [("other:hostages", "12", None)]),
    # more ways to say displaced and sick
    ("Nearly 4,000 people have sought refuge in temporary shelters.",
     [("displaced", "Nearly 4,000", None)]),
    ("Around 80,000 people were forced to leave their homes.",
     [("displaced", "Around 80,000", None)]),
    ("Around 300 people have fallen ill after the meal.", [("other:sick", "Around 300", None)]),
    # a part of a toll named after it
    ("Two of those killed were police officers.", [("killed", "Two", "police officers")]),
    ("Thirteen of the victims were foreigners.", [("killed", "Thirteen", "foreigners")]),
    # a toll that could come is a projection, not a count
    ("Officials fear the toll could rise above 500.", []),
    ("The death toll is expected to reach 1,000.", []),
])
def test_tenth_session_scopes_and_subjects_of_whole_sentences(
        sentence: str, expected: list[tuple[str, str, str | None]]) -> None:
    found = [c for c in claims.read_claims(sentence, year=2005) if c.role == "current"]
    assert [(c.subject, c.value, c.scope) for c in found] == expected


@pytest.mark.parametrize(("sentence", "value"), [
    # a crowd gathered to protest or demand is the protest's; one gathered to mourn is not
    ("About 300 students gathered outside the ministry to protest the fee rise.", "About 300"),
    ("Some 5,000 people gathered in the square on Sunday to demand his release.", "Some 5,000"),
    ("About 2,000 people attended a rally in the capital.", "About 2,000"),
    ("Thousands joined the protest on Saturday.", "Thousands"),
    ("Hundreds of mourners gathered at the church.", None),
])
def test_a_protest_counted_by_its_crowd(sentence: str, value: str | None) -> None:
    found = [c.value for c in claims.read_claims(sentence, year=2005)
             if c.subject == "other:protesters"]
    assert found == ([value] if value else [])


def test_a_place_ending_in_i_is_no_adjective_before_a_date() -> None:
    # "Nairobi on Aug. 7": the place, not "Aug" read as the name a demonym describes
    found = claims.read_claims("A total of 90 people were killed in the bombing of the embassy "
                               "in Nairobi on Aug. 7.", year=1998)
    assert [(c.value, c.scope) for c in found] == [("90", "Nairobi")]


@pytest.mark.parametrize(("sentence", "scopes"), [
    # a direction or the kind of place before its name: the name is the place
    ("The storm killed 20 people in northern Ruvania and 12 in Valdora.", ["Ruvania", "Valdora"]),
    ("At least 15 people died in the province of Ancona and 8 in Umbria.", ["Ancona", "Umbria"]),
    ("In the southern province of Kandor, 23 people were killed.", ["Kandor"]),
    ("The heat wave has killed 45 people across southern Ruvania.", ["Ruvania"]),
    ("At least 45 people died in and around Port Vala.", ["Port Vala"]),
    ("At least 200 died on the island of Mirsk.", ["Mirsk"]),
])
def test_a_place_read_past_its_direction_and_kind(sentence: str, scopes: list[str]) -> None:
    assert [c.scope for c in claims.read_claims(sentence, year=2005)] == scopes


@pytest.mark.parametrize(("sentence", "subject"), [
    # a participle says who they are, the verb after it what befell them
    ("Two people injured in the blast died in hospital on Friday.", "killed"),
    ("Twelve protesters arrested after the riots were released on bail.", "other:released"),
    ("Four men abducted by rebels in March were freed on Tuesday.", "other:released"),
    # with no verb after it, the participle is the count's subject
    ("Five people injured in the crash were taken to hospital.", "injured"),
    # the trapped set free are rescued, captives set free released
    ("Twenty people trapped in the lift were freed.", "other:rescued"),
])
def test_a_participle_yields_to_the_verb_that_says_what_befell_them(sentence: str,
                                                                      subject: str) -> None:
    assert [c.subject for c in claims.read_claims(sentence, year=2005)] == [subject]


def test_a_group_of_four_words_and_one_of_a_group() -> None:
    # a count's noun group of four words still reaches its verb
    found = claims.read_claims("Three Red Cross aid workers were killed on Monday.", year=2005)
    assert [(c.subject, c.value) for c in found] == [("killed", "Three")]
    # "One of the city's homeless" names a person, not a count
    assert claims.read_claims("One of the city's homeless, she came for treatment.",
                              year=2005) == []


# -- eleventh session: forms of modern web news (the train2 split's pages), invented sentences --
@pytest.mark.parametrize(("sentence", "expected"), [
    ("The crash caused minor injuries to 13 passengers.", [("injured", "13")]),
    ("All six were being treated for serious injuries, police said.", [("injured", "All six")]),
    ("Three men are being held in connection with the shooting.", [("arrested", "Three")]),
    ("More than 40 guests have been struck down by a stomach virus.",
     [("other:sick", "More than 40")]),
    ("Some 9,000 residents were rendered homeless by the floods.", [("displaced", "Some 9,000")]),
    ("Mourners remembered the dozen people killed in the crash.", [("killed", "the dozen")]),
    # a named victim and a count: the count is the claim
    ("The blast killed Mayor Ortiz and 14 of his aides.", [("killed", "14")]),
    # a year-long truce is a duration, not a rate that makes the sentence a statistic
    ("Fighting since a year-long truce collapsed has killed at least 900 people.",
     [("killed", "at least 900")]),
    # seized people, as the guideline reads them; the displaced by what forced them out
    ("Twelve fishermen were captured by the coast guard.", [("arrested", "Twelve")]),
    ("Naval forces captured 9 pirates off the coast.", [("arrested", "9")]),
    ("The flooding has forced 30,000 people to flee.", [("displaced", "30,000")]),
    ("Divers pulled 6 survivors from the water.", [("other:rescued", "6")]),
    ("About 800 villagers remain in temporary shelters.", [("displaced", "About 800")]),
    ("At least 20 miners are unaccounted for.", [("missing", "At least 20")]),
    # "other" besides the victim the sentence has named is this attack's, not another's
    ("The gunman killed a guard and wounded 17 other shoppers.", [("injured", "17")]),
    ("The 140 passengers and crew are presumed dead.", [("killed", "140")]),
    ("The storm left 40,000 people without homes.", [("displaced", "40,000")]),
    ("Nine guards were convicted of abuse.", [("other:sentenced", "Nine")]),
    ("A jury convicted two officers of assault.", [("other:sentenced", "two")]),
    # headlines: a present-tense seizure; a jet "with 228 aboard" is what went missing; a verb
    # before the count says what befell the captured
    ("Navy seizes 12 Ruvanian fishermen", [("arrested", "12")]),
    ("Airliner with 140 aboard missing over the sea", [("other:aboard", "140")]),
    ("Rebels free 9 captured soldiers", [("other:released", "9")]),
    ("All 140 passengers and crew aboard Flight 12 from Port Vala to Kordia were killed.",
     [("killed", "All 140")]),
    ("Some reports put the number of dead as high as 300.", [("killed", "as high as 300")]),
    ("Divers will retrieve the remains of 40 sailors from the wreck.", [("killed", "40")]),
    ("Floods forced authorities to evacuate 5,000 residents.", [("displaced", "5,000")]),
    # guard: "to free" them is not done; they are still held
    ("The army launched a mission to free three hostages.", [("other:hostages", "three")]),
    # guard: "convicted" before a noun is an adjective; the verb before the count decides
    ("The state has executed more than 30 convicted murderers.", [("killed", "more than 30")]),
])
def test_web_news_phrasings_of_a_count(sentence: str, expected: list[tuple[str, str]]) -> None:
    assert claims._may_hold_figure(sentence)  # the ingest's gate lets the sentence through
    found = [(c.subject, c.value) for c in claims.read_claims(sentence, year=2008)
             if c.role == "current"]
    assert found == expected


@pytest.mark.parametrize(("sentence", "scopes"), [
    # a split in brackets; a part of a toll after "including" keeps its own group
    ("The toll reached 95 (60 in Ruvania, 35 in Kordia).", [None, "Ruvania", "Kordia"]),
    ("The city's death toll stood at 40, including at least 12 children.", [None, "children"]),
    ("The toll rose to 31, including the three gunmen.", [None, "gunmen"]),
    ("A total of 90 people died: 60 in Port Vala and 30 elsewhere.", [None, "Port Vala"]),
    ("The storm killed at least 113 people, including 40 in Port Vala.", [None, "Port Vala"]),
])
def test_parts_in_brackets_and_after_including(sentence: str, scopes: list[str | None]) -> None:
    found = claims.read_claims(sentence, year=2008)
    assert [c.scope for c in found][1:] == scopes[1:] and len(found) == len(scopes)


@pytest.mark.parametrize(("sentence", "scope"), [
    # a demonym on the toll names its place, so that it meets "in Indonesia" as one scope
    ("The Indonesian death toll rose to 94,000.", "Indonesia"),
    ("The Haitian toll has passed 200,000.", "Haiti"),
    # a demonym before the kind of place: the name is the place
    ("At least 800 died in the Indian state of Kerala.", "Kerala"),
    # a part named among the dead is a part of the toll even when the toll is not in the sentence
    ("Police said three nurses were among the dead.", "nurses"),
    # a place after a bare count, a neighbouring country, a place singled out by "alone"
    ("The storm killed 250 in Ruvania.", "Ruvania"),
    ("At least 200 people were killed in neighboring Kordia.", "Kordia"),
    ("Port Vala alone counted 4,100 dead.", "Port Vala"),
    ("Kordia alone lost 7,000 lives.", "Kordia"),
])
def test_a_place_named_by_its_demonym_or_its_kind(sentence: str, scope: str) -> None:
    assert [c.scope for c in claims.read_claims(sentence, year=2005)] == [scope]


@pytest.mark.parametrize(("sentence", "roles"), [
    ("Last March, 30 people died in a similar collapse.", ["other_event"]),
    ("Troopers arrested 103 drivers this weekend, compared with 88 drivers arrested over the "
     "same weekend.", ["current", "other_event"]),
    ("The clashes were the worst since May 4, when police shot dead 11 protesters.",
     ["other_event"]),
    ("It was the deadliest attack since 12 March 2004, when bombs killed 191 people.",
     ["other_event"]),
    ("He ruled the country until last May, when riots in which 300 people died forced him out.",
     ["other_event"]),
    # guards: the story's own days are no other event, nor is a toll counted since a month
    ("Unrest has spread since Monday, when troops shot dead 11 protesters.", ["current"]),
    ("The insurgency has killed 300 people since last May.", ["current"]),
])
def test_another_time_named_before_the_count(sentence: str, roles: list[str]) -> None:
    assert [c.role for c in claims.read_claims(sentence, year=2008)] == roles


@pytest.mark.parametrize("sentence", [
    "Another 30 pelicans died after the oil spill.",
    "The hospital settled one of three wrongful death lawsuits.",
    "The double bogey on 14 hurt, he said.",
    "The striker captured two titles with the club.",
    "The coach was forced to use 14 players.",
    "The crane pulled 3 containers from the river.",
    "Two walkers were struck down by a falling tree.",
    # (found reading the reader's claims on unlabelled web pages)
    "She saved three break points in her first service game.",
    "The threat hangs over the heads of millions of Ruvanians.",
    "About 50 people fled the theater after the shots.",
    "Their three main strikers are unavailable through injury.",
    "The phone ships with Android 4.1 on board.",
    "Eight of the wrongful death cases have settled.",
    "Four captive-bred pandas will be released into the wild.",
    "The freighter had 4,148 containers on board.",
    "More than 10,000 websites were infected by the malware.",
    # a verb's base form after "to" says what is meant, not what was done
    "Rescuers continued their bid to reach and rescue the 20 miners.",
    "The plan to evacuate 3,000 residents was shelved.",
    "The tiger mauled two keepers before it was shot dead.",
])
def test_eleventh_session_counts_of_no_one(sentence: str) -> None:
    assert [c for c in claims.read_claims(sentence, year=2008) if c.role == "current"] == []


# (twelfth session) forms of news English that the train3 split's pages and train2's share; each
# sentence invented
@pytest.mark.parametrize(("sentence", "year", "expected"), [
    # a period that bounds a cumulative toll: "alone", "since then", a standout year, past an aside
    ("This week alone, clashes in the valley have killed at least 14 people.", 2009,
     [("killed", "at least 14", "This week")]),
    ("The uprising has claimed more than 2,000 lives since then, the ministry said.", 2009,
     [("killed", "more than 2,000", "since then")]),
    ("A ceasefire collapsed in March 2006 and the fighting has killed over 4,000 people since "
     "then.", 2008, [("killed", "over 4,000", "since then")]),
    ("More than 900 people were killed in 2010, the deadliest year since the war began.", None,
     [("killed", "More than 900", "2010")]),
    ("More than 900 people were killed in 2010, the deadliest year since the war began.", 2011,
     [("killed", "More than 900", "2010")]),
    ("Some 500 people have been killed in attacks -- most of them roadside bombs aimed at "
     "convoys -- in Ruvania over the past year.", 2009,
     [("killed", "Some 500", "the past year")]),
    # a toll with its count said before "included", then its parts by group
    ("The nine dead on Friday included four Red Party and two Blue Party supporters.", 2009,
     [("killed", "nine", None), ("killed", "four", "Red Party"),
      ("killed", "two", "Blue Party supporters")]),
    ("The 14 victims included five tourists, police said.", 2009,
     [("killed", "14", None), ("killed", "five", "tourists")]),
    # "N of them were <group> who ...": the group before a relative clause
    ("Of the 20 people killed in the market blast, six of them were children who had come with "
     "their parents.", 2009, [("killed", "20", None), ("killed", "six", "children")]),
    # a part said by the state it is in, beside its whole
    ("Seven of the 30 people injured in the collision remain in hospital.", 2009,
     [("injured", "Seven", "hospital"), ("injured", "30", None)]),
    ("Four of the dozens of people hurt in the riot were in critical condition.", 2009,
     [("injured", "Four", "critical condition"), ("injured", "dozens", None)]),
    # the count's own verb spread over several incidents is this story's, not another event's
    ("5 Arrested in Separate Stadium Incidents", 2009, [("arrested", "5", None)]),
    ("Two soldiers were killed in separate attacks on Sunday, the army said.", 2009,
     [("killed", "Two", None)]),
    # "other" past a victim named with an age is besides that victim
    ("A gas blast killed a 9-year-old boy and injured three other members of his family.", 2009,
     [("injured", "three", None)]),
])
def test_twelfth_session_periods_parts_and_own_incidents(
        sentence: str, year: int | None, expected: list[tuple[str, str, str | None]]) -> None:
    found = claims.read_claims(sentence, year=year)
    assert [(c.subject, c.value, c.scope) for c in found if c.role == "current"] == expected


@pytest.mark.parametrize(("sentence", "year", "roles"), [
    # guards: the rules above hold back where the form differs
    ("More than 900 people were killed in 2010, the deadliest year since the war began.", 2020,
     ["other_event"]),  # a year long gone, however it stood out
    ("The curfew followed separate bombings that killed 40 people.", 2009, ["other_event"]),
    ("Four other soldiers have been killed in recent attacks.", 2009, ["other_event"]),
    ("In 2001, 300 people were killed in the floods.", 2009, ["other_event"]),
])
def test_twelfth_session_guards_on_roles(sentence: str, year: int, roles: list[str]) -> None:
    assert [c.role for c in claims.read_claims(sentence, year=year)] == roles


@pytest.mark.parametrize(("sentence", "scopes"), [
    ("This week, clashes in the valley killed 14 people.", [None]),  # no "alone": no part
    ("Three of the 12 people in the car were injured.", ["the 12 people"]),  # no state: as before
    ("The victims and survivors included three Americans.", []),
])
def test_twelfth_session_guards_on_scopes(sentence: str, scopes: list[str | None]) -> None:
    assert [c.scope for c in claims.read_claims(sentence, year=2009)
            if c.role == "current"] == scopes


@pytest.mark.parametrize(("sentence", "expected"), [
    # a toll split by place, the places common nouns as often as names (the guideline's normal
    # form: no preposition, article or count)
    ("The gunman killed six people at two travel agencies and three at his home.",
     [("six", "travel agencies"), ("three", "his home")]),
    ("Four people were killed at the arena and two at the hotel.",
     [("Four", "arena"), ("two", "hotel")]),
    ("The blasts killed 40 people in Sarn and five in the suburbs.",
     [("40", "Sarn"), ("five", "suburbs")]),
    ("Three people were killed in the province and four in the capital on Monday.",
     [("Three", "the province"), ("four", "capital")]),
    # a split by group goes on past an apposition and past "other alleged"
    ("Police have detained five suspects, all of them from Ruvania, and eight other alleged "
     "accomplices.", [("five", "suspects"), ("eight", "accomplices")]),
    ("Police detained two suspects and three other informants.",
     [("two", "suspects"), ("three", "informants")]),
    # guards: one place locates the event; "N people and M other X" is no split by group
    ("Nine people were killed at the arena, police said.", [("Nine", None)]),
    ("The blast killed 12 people and four other soldiers died in attacks.", [("12", None)]),
])
def test_twelfth_session_splits_by_place_and_group(
        sentence: str, expected: list[tuple[str, str | None]]) -> None:
    found = claims.read_claims(sentence, year=2009)
    assert [(c.value, c.scope) for c in found if c.role == "current"] == expected


@pytest.mark.parametrize(("sentence", "subject"), [
    # two verbs before one count: one span, one label, the first verb's (the guideline's
    # "injured and arrested" is injured) ...
    ("Authorities arrested and indicted two former bank managers.", "arrested"),
    ("Police arrested and charged three men with arson.", "arrested"),
    # ... unless the second is a death, or the pair is the guideline's killed and injured
    ("Gunmen kidnapped and killed three aid workers.", "killed"),
    ("The militia killed and wounded dozens of villagers.", "other:casualties"),
    ("Troops shot and killed 12 protesters.", "killed"),
])
def test_twelfth_session_two_verbs_before_one_count(sentence: str, subject: str) -> None:
    assert [c.subject for c in claims.read_claims(sentence, year=2009)] == [subject]


@pytest.mark.parametrize(("sentence", "expected"), [
    # a named victim and a count who died with her: a split, the count's group its scope
    ("A man who died in the blaze along with his four children was buried on Friday.",
     [("killed", "four", "children")]),
    ("The driver was killed along with 11 passengers.", [("killed", "11", "passengers")]),
    # guard: no death, no count of the dead
    ("He travelled to the capital along with his two sons.", []),
])
def test_twelfth_session_a_count_who_died_along_with_a_named_victim(
        sentence: str, expected: list[tuple[str, str, str]]) -> None:
    found = claims.read_claims(sentence, year=2009)
    assert [(c.subject, c.value, c.scope) for c in found] == expected


def test_the_people_said_to_have_done_it_are_one_line_whatever_they_are_called() -> None:
    arts = [article("mt", "Police detained a dozen people, including the four alleged "
                    "assailants, on Saturday.", 2),
            article("ap", "Police have detained four suspects and seven other alleged "
                    "accomplices.", 5)]
    lines = {ln.scope: ln for ln in figures.story_figures(arts)}
    assert set(lines) == {None, "suspects", "accomplices"}
    assert [(p.value, p.sources) for p in lines["suspects"].points] == [("four", ("mt", "ap"))]
    assert lines["suspects"].verdict == "agree"
    assert [p.value for p in lines["accomplices"].points] == ["seven"]
    assert [p.value for p in lines[None].points] == ["a dozen"]


# (thirteenth session) a count of groups is not a count of people: the D0621C line "killed
# (China): three" came from "five leaders of three ... gangs"; each sentence invented. (The
# people counted before "of" such a group are not read either: a miss, not a wrong figure.)
def test_groups_of_people_are_not_people() -> None:
    found = claims.read_claims("Six leaders of four smuggling gangs were killed in a shootout "
                               "with police on Monday.", year=1996)
    assert "four" not in [c.value for c in found]
    found = claims.read_claims("Six gang members were killed in a shootout on Monday.", year=1996)
    assert [(c.subject, c.value) for c in found] == [("killed", "Six")]
    for sentence in ("Two armed groups killed the villagers' cattle.",
                     "Three rescue teams were injured in the aftershock.",
                     "Police arrested members of five criminal rings."):
        assert [c.value for c in claims.read_claims(sentence, year=2005)] == [], sentence


# (fourteenth session) forms of news English read off the validation split's errors; each
# sentence invented
@pytest.mark.parametrize(("sentence", "expected"), [
    # a place or period said once after two counts joined by "and" ties both
    ("Eleven people have died and 40 others were injured in blasts of old mines and stray shells "
     "since the dam burst.",
     [("killed", "Eleven", "since the dam burst"), ("injured", "40", "since the dam burst")]),
    ("The storm killed 30 people and injured 120 in Ruvania.",
     [("killed", "30", "Ruvania"), ("injured", "120", "Ruvania")]),
    ("About 9,000 people were killed by roadside bombs and another 20,000 injured by them in this "
     "valley in the past 15 years.",
     [("killed", "About 9,000", "the past 15 years"), ("injured", "20,000", "the past 15 years")]),
    # a province that posts its own toll, the sentence's subject
    ("Kandor (Mirsk) province recorded the heaviest losses as 2,310 bodies were recovered and "
     "6,020 people were injured.",
     [("killed", "2,310", "Kandor (Mirsk) province"),
      ("injured", "6,020", "Kandor (Mirsk) province")]),
    ("Tarvo province, once part of Kandor, ranked third with 1,204 deaths, followed by Sarn with "
     "310.", [("killed", "1,204", "Tarvo province"), ("killed", "310", "Sarn")]),
    # a venue the sentence ties the count to: other victims told beside it, a larger count, "where"
    ("The gunman who shot his wife and then killed seven people at two insurance offices was "
     "found dead.", [("killed", "seven", "insurance offices")]),
    ("The bodies of his parents were found at their farm after he opened fire at a crowded "
     "market, killing 11 people.", [("killed", "11", "crowded market")]),
    ("She was one of 80 bodies inside the village school, among more than 2,000 people who "
     "died in the quake.", [("killed", "80", "village school"), ("killed", "more than 2,000", None)]),
    ("After he shot his wife, he went on a shooting spree that killed six people and injured 9.",
     [("killed", "six", "shooting spree"), ("injured", "9", "shooting spree")]),
    ("Staff at the clinic where three of the victims died were questioned.",
     [("killed", "three", "clinic")]),
    # killed and injured as one figure; a split by destination past "another"; animals
    ("Besides the hundreds killed and wounded, the storm left 5,000 homeless.",
     [("other:casualties", "hundreds", None), ("displaced", "5,000", None)]),
    ("About 9,000 people fled, 4,000 to Sarn and another 2,000 to southern Tarvo.",
     [("displaced", "About 9,000", None), ("displaced", "4,000", "Sarn"),
      ("displaced", "2,000", "southern Tarvo")]),
    ("Six young grey timber wolves were freed into the reserve.", []),
    # "in the last year" is the twelve months up to now, not last year
    ("The trader, who lost heavily in the last year, shot dead four people on Monday.",
     [("killed", "four", None)]),
    # crushing kills people; one noun group of "men, women and children"
    ("The dam burst, crushing some 300 villagers in their sleep.",
     [("killed", "some 300", None)]),
    ("About 80 men, women and children marched to the ministry.",
     [("other:protesters", "About 80", None)]),
    # a count of children beside another victim of the sentence: the split by victim
    ("He stabbed his estranged wife, then drowned his three children.",
     [("killed", "three", "children")]),
])
def test_fourteenth_session_scopes_and_subjects(
        sentence: str, expected: list[tuple[str, str, str | None]]) -> None:
    found = claims.read_claims(sentence, year=2009)
    assert [(c.subject, c.value, c.scope) for c in found if c.role == "current"] == expected


@pytest.mark.parametrize(("sentence", "expected"), [
    # guards: a venue alone only locates the one event; "N killed and M injured" are two claims;
    # two counts with their own places keep them
    ("A gunman killed nine people at two insurance offices on Monday.", [("nine", None)]),
    ("A fire at a crowded market killed 11 people.", [("11", None)]),
    ("He went on a shooting spree that killed six people.", [("six", None)]),
    ("He killed five people at the clinic where he worked.", [("five", None)]),
    ("Medics had never seen such carnage as at the two clinics where nine were slain.",
     [("nine", None)]),
    ("Three people were killed and 12 injured on Sunday.", [("Three", None), ("12", None)]),
    ("The floods killed 40 people last year.", []),  # (another time: not current)
    ("Rovers crushed 10-man United 4-0 on Saturday.", []),
    ("The father drowned his two children.", [("two", None)]),  # the head noun alone
    ("The storm killed 30 people in Sarn and injured 120 in Tarvo.",
     [("30", "Sarn"), ("120", "Tarvo")]),
    # another place's toll is not the whole this count is a part of: no venue scope
    ("A bomber killed 14 people at a mosque in Sarn, a week after 20 died in Tarvo.",
     [("14", None), ("20", "Tarvo")]),
    ("During the last year of the war, 3,000 civilians were killed.", []),  # a year gone by
    ("Troops crushed 2,000 students protesting in the square.", []),  # a protest put down
])
def test_fourteenth_session_guards(sentence: str, expected: list[tuple[str, str | None]]) -> None:
    found = claims.read_claims(sentence, year=2009)
    assert [(c.value, c.scope) for c in found if c.role == "current"] == expected


def test_dead_and_injured_with_a_count_of_its_own_after_it_are_two_claims() -> None:
    """"The thousands killed and injured" is one figure of casualties; "left three dead and
    injured 25 others" is three killed and 25 injured (the session's review)."""
    two = claims.read_claims("The explosion left three dead and injured 25 others.", year=2009)
    assert [(c.subject, c.value) for c in two] == [("killed", "three"), ("injured", "25")]
    one = claims.read_claims("The thousands killed and injured in the war were remembered.",
                             year=2009)
    assert [(c.subject, c.value) for c in one] == [("other:casualties", "thousands")]
