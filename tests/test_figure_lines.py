"""A story's lines of figures: which claims share a line, and the verdict a whole story gives.

Invented stories (Ruritania, the Front), read in process: each test is a rule of how a story's
figures behave across its articles, not a sentence of the labelled set.
"""

from __future__ import annotations

from datetime import datetime

from digest import figures
from digest.models import Article, Claim, FigureLine, Qualifier


def told(aid: str, text: str, when: datetime | None, outlet: str = "") -> Article:
    return Article(id=aid, path=f"{aid}.txt", title="", outlet=outlet or aid.upper(), date=when,
                   author=None, url=None, text=text)


def claim(aid: str, value: str, low: int, scope: str | None, when: datetime,
          high: int | None = None, qualifier: Qualifier = "exact") -> Claim:
    return Claim(subject="killed", scope=scope, value=value, low=low,
                 high=low if qualifier == "exact" else high, qualifier=qualifier,
                 role="current", sentence=f"... {value} ...", article_id=aid, outlet=aid.upper(),
                 date=when)


def points(line: FigureLine) -> list[str]:
    return [p.value for p in line.points]


def day(d: int, hour: int = 12) -> datetime:
    return datetime(2024, 3, d, hour)


def test_a_campaigns_running_toll_is_one_line_however_its_period_is_worded() -> None:
    arts = [told("a", "The Front has killed more than 450 people in its 19-year campaign.", day(1)),
            told("b", "The Front, a separatist group, has killed nearly 500 people since 1975.",
                 day(9)),
            told("c", "The Front has killed close to 500 people in its 20-year campaign.", day(20)),
            told("d", "The Front has killed nearly 500 people since 1975.", day(28)),
            told("e", "The Front has killed 12 people since the end of its truce.", day(29))]
    lines = {ln.scope: ln for ln in figures.story_figures(arts)}
    # the wording most articles use names the line; the toll grew from "more than 450"
    assert set(lines) == {"since 1975", "since the end of its truce"}
    assert points(lines["since 1975"]) == ["more than 450", "nearly 500"]
    assert lines["since 1975"].verdict == "rising"
    assert lines["since 1975"].newest.sources == ("b", "c", "d")
    # a figure of another size is another period's
    assert points(lines["since the end of its truce"]) == ["12"]


def test_periods_that_start_at_two_events_are_two_lines() -> None:
    """"Since the offensive began" and "since the ceasefire collapsed" count from two starts,
    as two months do: not one running toll, and no dispute between them."""
    arts = [told("a", "The army has killed 40 people since the offensive began.", day(6)),
            told("b", "The army has killed 25 people since the ceasefire collapsed.", day(7)),
            told("c", "The army has killed 42 people since the offensive began.", day(7))]
    lines = {ln.scope: ln for ln in figures.story_figures(arts)}
    assert points(lines["since the offensive began"]) == ["40", "42"]
    assert lines["since the offensive began"].verdict == "rising"
    assert points(lines["since the ceasefire collapsed"]) == ["25"]


def test_periods_that_start_at_two_named_times_are_two_lines() -> None:
    arts = [told("a", "Police have detained 190 people since May.", day(1)),
            told("b", "Police have detained more than 300 people since June.", day(2))]
    scopes = sorted(ln.scope or "" for ln in figures.story_figures(arts))
    assert scopes == ["since June", "since May"]


def test_a_figure_stated_again_after_a_higher_one_disagrees_however_long_after() -> None:
    # one outlet says four on the ground, another five, then four again ten days later
    four = told("ap", "The crash killed four people on the ground.", day(1), "AP")
    five = told("nyt", "The crash killed five people on the ground.", day(4), "NYT")
    again = told("ap2", "The crash killed four people on the ground.", day(14), "AP")
    [line] = figures.story_figures([four, five, again])
    assert line.verdict == "disagree"
    assert [line.points[i].value for i in line.disputed] == ["four", "five"]
    # without the return, weeks later, the lower figure is a new turn of events: no dispute
    [line] = figures.story_figures([four, five])
    assert line.verdict == "rising"


def test_a_toll_that_moves_on_weeks_later_is_not_a_return() -> None:
    lines = figures.figure_lines([claim("a", "60", 60, None, day(1)),
                                  claim("b", "90", 90, None, day(3)),
                                  claim("c", "70", 70, None, day(25))])
    assert lines[0].verdict == "rising"


def test_a_size_said_in_words_disputes_no_count() -> None:
    estimate = told("nyt", "The earthquake killed an estimated 2,000 people.", day(1, 18), "NYT")
    loose = told("xin", "The United States offered help after the earthquake killed hundreds "
                        "of people.", day(2, 0), "Xinhua")
    [line] = figures.story_figures([estimate, loose])
    assert line.verdict != "disagree" and line.disputed == ()
    # a range said in words is a count, not a size: it disputes a rival the same day
    few = told("ap", "Between five and seven people were killed in the blast.", day(1, 9), "AP")
    twelve = told("rt", "Twelve people were killed in the blast.", day(1, 10), "Reuters")
    [line] = figures.story_figures([few, twelve])
    assert line.verdict == "disagree"
    # a count said in digits the next morning still disputes the estimate
    count = told("ap", "The earthquake killed 900 people.", day(2, 0), "AP")
    [line] = figures.story_figures([estimate, count])
    assert line.verdict == "disagree"


def test_one_outlets_same_day_rise_that_the_days_after_bear_out_is_a_rise() -> None:
    morning = told("a1", "The cold has killed 32 people.", day(23, 6), "AP")
    afternoon = told("a2", "The cold has killed 36 people.", day(23, 16), "AP")
    later = told("a3", "The cold has killed 47 people.", day(25, 6), "AP")
    [line] = figures.story_figures([morning, afternoon, later])
    assert (line.verdict, points(line)) == ("rising", ["32", "36", "47"])
    # nothing after it: the guideline's same-day rivals
    assert figures.story_figures([morning, afternoon])[0].verdict == "disagree"
    # the days after come back below it: the higher figure was the wrong one
    back = told("a4", "The cold has killed 32 people.", day(24, 6), "AP")
    assert figures.story_figures([morning, afternoon, back, later])[0].verdict == "disagree"
    # two outlets the same day: rivals, whatever comes after
    other = told("b", "The cold has killed 36 people.", day(23, 16), "Reuters")
    assert figures.story_figures([morning, other, later])[0].verdict == "disagree"


def test_a_places_possessive_joins_its_line_but_not_a_part_of_the_place() -> None:
    claims = [claim("a", "32", 32, "Ruritania", day(1)),
              claim("b", "47", 47, "Ruritania's Arctic cold wave", day(3)),
              claim("b", "at least 90", 90, "Europe", day(3), None, "lower")]
    lines = {ln.scope: ln for ln in figures.figure_lines(claims)}
    assert points(lines["Ruritania"]) == ["32", "47"]
    assert "Ruritania's Arctic cold wave" not in lines
    curly = [*claims[:1], claim("b", "47", 47, "Ruritania’s Arctic cold wave", day(3))]
    assert [points(ln) for ln in figures.figure_lines(curly)] == [["32", "47"]]  # web text's ’
    island = [*claims, claim("c", "20", 20, "Ruritania's main island", day(4))]
    lines = {ln.scope: ln for ln in figures.figure_lines(island)}
    assert points(lines["Ruritania's main island"]) == ["20"]


def test_the_header_names_a_figure_the_story_is_about() -> None:
    trial = [told(f"t{i}", "The two men charged with the murder appeared in court.", day(i + 1))
             for i in range(12)]
    aside = told("p", "One woman was hurt by a police horse at the march.", day(14))
    lines = figures.story_figures([*trial, aside])
    # one article in thirteen: not the story's figure, however high its subject ranks
    assert [ln.label for ln in lines] == ["injured", "charged"]
    header = figures.header_line(lines, 13)
    assert header is not None and header.label == "charged"
    assert figures.header_line(figures.story_figures([*trial[:1], aside]), 13) is None
    # a story of one or two articles: its figure is its story's
    header = figures.header_line(figures.story_figures([aside]), 1)
    assert header is not None and header.label == "injured"
