"""How a story's figures read to one reader: an update shows only what moved since they last
looked, and figures read in lower case inside a line (render, in-process, every output)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from digest import figures, render
from digest.models import Article, Briefing, BriefingSection, Story, StorySummary, Update


def article(aid: str, text: str, day: int, title: str = "") -> Article:
    return Article(id=aid, path=f"{aid}.txt", title=title or f"Report {aid}", outlet=aid.upper(),
                   date=datetime(2024, 10, day, 12), author=None, url=None, text=text)


def outputs(summary: StorySummary) -> tuple[str, str, str]:
    """The story's block in the Markdown briefing, the text mail and the HTML mail."""
    briefing = Briefing(datetime(2024, 10, 9), (BriefingSection(None, (summary,)),))
    parts = render.render_email(briefing, digest="morning", tz=ZoneInfo("UTC"),
                                recipient="r@example.org", unsubscribe="mailto:u@example.org")
    return render.render_markdown(briefing), parts.text, parts.html


def summary_for(arts: list[Article], new: tuple[str, ...] | None) -> StorySummary:
    """The story as a reader sees it who already had every article but `new` (None: a new
    story to them)."""
    lines = figures.story_figures(arts)
    update = None if new is None else Update(
        headline=arts[-1].title, headline_source=arts[-1].id, headline_date=arts[-1].date,
        new_articles=new, since=datetime(2024, 10, 5))
    return StorySummary(story=Story("s1", "Flood", tuple(arts)), sentences=(), figures=lines,
                        discrepancies=figures.discrepancies(lines),
                        header_figure=figures.header_line(lines, len(arts)),
                        status="new" if new is None else "updated", update=update)


# Two outlets disagree on the toll on day 2 (40 and 75: they cannot both be true then); the
# reader got both. Later articles either repeat a figure or bring a new one.
DISPUTED = [article("wire", "The flood killed 40 people, officials said.", 2),
            article("daily", "The flood killed 75 people, officials said.", 2)]


def test_an_update_repeats_no_figure_the_reader_already_had() -> None:
    later = article("radio", "Rescuers reached the flooded valley on Sunday.", 6)
    summary = summary_for([*DISPUTED, later], new=("radio",))
    assert summary.discrepancies  # the story holds a disagreement...
    for out in outputs(summary):  # ...but it is not news to this reader
        assert "Sources disagree" not in out and "Figures" not in out
        assert "40 (WIRE" not in out and "75 (DAILY" not in out
    fresh = summary_for([*DISPUTED, later], new=None)  # a new reader is told
    for out in outputs(fresh):
        assert "Sources disagree" in out and "40 (WIRE" in out


def test_an_update_shows_a_figure_first_stated_by_a_new_article() -> None:
    repeat = article("radio", "The flood killed 75 people, officials said.", 6)
    only_repeats = summary_for([*DISPUTED, repeat], new=("radio",))
    for out in outputs(only_repeats):
        assert "Figures" not in out and "Sources disagree" not in out
    rises = article("radio", "The death toll from the flood has risen to 120, officials said.", 6)
    moved = summary_for([*DISPUTED, rises], new=("radio",))
    md, text, html = outputs(moved)
    assert "- Killed: 40 (WIRE, Oct 2) → 75 (DAILY, Oct 2) → 120 (RADIO, Oct 6)" in md
    assert "120 (RADIO, Oct 6)" in text and "120 (RADIO, Oct 6)" in html
    assert "**Sources disagree:**\n- Killed: 40 (WIRE); 75 (DAILY)" not in md  # not new to them


def test_figures_from_headlines_and_sentence_starts_read_in_lower_case() -> None:
    arts = [article("times", "NEARLY 100 ARRESTED IN PROTEST\n\nPolice said so.", 2),
            article("post", "One person was injured. Police arrested 120 people.", 3)]
    arts = [Article(**{**a.__dict__, "title": a.text.split("\n\n")[0]}) for a in arts]
    summary = summary_for(arts, new=None)
    md, text, html = outputs(summary)
    assert "Arrested: nearly 100 (TIMES, Oct 2) → 120 (POST, Oct 3)" in md
    assert "Injured: one (POST, Oct 3)" in md
    assert "NEARLY 100" not in md.split("**Figures:**")[1].split("**Sources:**")[0]
    assert "nearly 100" in text and "nearly 100" in html
    data = render.story_dict(summary)  # the machine-readable form keeps the text as written
    values = [c["value"] for f in data["figures"] for c in f["claims"]]
    assert "NEARLY 100" in values
