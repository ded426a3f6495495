"""Web pages: the cleaner keeps the article text trafilatura found, and still drops the chrome.

Each rule relaxed for web pages (bench/eval_extraction.py measures them) has a page
that used to lose article text and keeps it, next to the caption, appeal or teaser
that must still go. Plain-text files keep the stricter rules (the seeds briefing).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import lxml.etree
import pytest
from conftest import age, run_cli

from digest import extract, ingest

pytestmark = pytest.mark.no_state  # the HTML extractor, no state

BENCH = Path(__file__).resolve().parents[1] / "bench"

BODY = {
    "lead": "The harbour bridge reopened to traffic on Monday after two years of repairs that cost "
            "the city more than 90 million euros, the transport office said.",
    "cables": "Engineers replaced the steel cables and the deck of the eastern span, which had been "
              "closed since inspectors found cracks in the supports during a routine check.",
    "ring": "Commuters had faced delays of up to an hour a day on the ring road while the bridge was "
            "shut, and the city ran extra ferries across the harbour at peak times.",
    "mayor": "The mayor said the works had finished two months ahead of schedule and within the "
             "budget set by the council in the spring of last year.",
    "residents": "Residents of the old town, who had complained about noise from the site for two "
                 "years, said they were relieved that the works were over at last.",
    "tolls": "The transport office said tolls would not rise this year, and that cyclists would get "
             "a separate lane on the western side of the bridge from the summer onwards.",
}
CAPTION = "A worker on the deck of the eastern span in March. (AP Photo/Jane Doe)"
APPEAL = "Support Example Times!"

PAGE = f"""<!doctype html><html><head><title>Harbour bridge reopens | Example Times</title>
<meta property="og:site_name" content="Example Times"></head><body>
<nav><a href="/">Home</a> <a href="/world">World</a> <a href="/sport">Sport</a></nav>
<article><h1>Harbour bridge reopens after two years of repairs</h1>
<p>{BODY["lead"]}</p>
<p>{BODY["cables"]}</p>
<p>{CAPTION}</p>
<h2>Traffic on the ring road</h2>
<p>{BODY["ring"]}</p>
<p>{APPEAL}</p>
<p>The repair plan had three stages:</p>
<ul><li>New cables</li><li>A new deck for the eastern span</li><li>Lighting</li></ul>
<p>{BODY["mayor"]}</p>
<p>More from Example Times</p>
<p>Ten recipes for autumn</p>
<p>{BODY["residents"]}</p>
<p>{BODY["tolls"]}</p>
<p>Related stories</p>
<p>City plans a second tunnel under the harbour</p>
</article><footer>Copyright Example Times</footer></body></html>"""


def extract_json(path: Path) -> list[dict]:
    return json.loads(run_cli("extract", "--format", "json", "--dropped", str(path)).stdout)


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> dict:
    folder = tmp_path_factory.mktemp("page")
    path = folder / "bridge.html"
    path.write_text(PAGE, encoding="utf-8")
    age(path)
    [article] = extract_json(path)
    return article


def test_subheadings_and_list_items_inside_a_page_stay_article_text(page: dict) -> None:
    paragraphs = page["text"].split("\n\n")
    assert "Traffic on the ring road" in paragraphs
    assert {"New cables", "A new deck for the eastern span", "Lighting"} <= set(paragraphs)
    # in the order of the page, between the paragraphs around them
    assert paragraphs.index("Traffic on the ring road") == paragraphs.index(BODY["ring"]) - 1
    # the headline is the title, not a paragraph (it would shift the lead sentence)
    assert page["title"] == "Harbour bridge reopens after two years of repairs"
    assert not page["text"].startswith("Harbour bridge")


def test_a_box_of_links_inside_a_page_does_not_end_the_article(page: dict) -> None:
    assert BODY["residents"] in page["text"] and BODY["tolls"] in page["text"]
    dropped = {d["text"]: d["kind"] for d in page["dropped"]}
    assert dropped["More from Example Times"] == "trailer"
    assert dropped["Ten recipes for autumn"] == "trailer"
    # the links after the last paragraph still end it
    assert dropped["Related stories"] == "trailer"
    assert "second tunnel" not in page["text"] and "recipes" not in page["text"]


def test_captions_and_appeals_still_go_on_a_page(page: dict) -> None:
    dropped = {d["text"]: d["kind"] for d in page["dropped"]}
    assert dropped[CAPTION] == "caption" and page["captions"] == [CAPTION]
    assert dropped[APPEAL] == "drop"
    assert "AP Photo" not in page["text"] and "Contribute" not in page["text"]
    for paragraph in BODY.values():
        assert paragraph in page["text"]


def test_plain_text_keeps_the_strict_rules(tmp_path: Path) -> None:
    """The same lines in a .txt file: short lines are dropped, a 'More from' line ends it."""
    lines = [BODY["lead"], BODY["cables"], "Traffic on the ring road", BODY["ring"], "Lighting",
             BODY["mayor"], "More from Example Times", BODY["residents"], BODY["tolls"]]
    path = tmp_path / "bridge.txt"
    path.write_text("\n\n".join(lines) + "\n", encoding="utf-8")
    age(path)
    [article] = extract_json(path)
    assert article["text"].split("\n\n") == [BODY["lead"], BODY["cables"], BODY["ring"], BODY["mayor"]]
    kinds = {d["text"]: d["kind"] for d in article["dropped"]}
    assert kinds["Traffic on the ring road"] == "heading" and kinds["Lighting"] == "drop"
    assert kinds[BODY["residents"]] == "trailer"


def test_a_page_wrapped_in_its_source_gives_whole_paragraphs() -> None:
    """Newlines inside an element are spaces in HTML: no run of short 'headings'."""
    tree = lxml.etree.fromstring(
        "<body><head rend='h1'>Bridge\n   reopens</head>"
        "<p>The harbour bridge reopened on Monday after\n\t\ttwo years of repairs that cost\n"
        "   the city more than 90 million euros.</p>"
        "<p>First line<lb/>second line <hi>in bold</hi><!-- ad slot --> and a tail.</p>"
        "<list><item>New cables</item><item>Lighting</item></list></body>")
    assert extract.page_lines(tree) == [
        "Bridge reopens",
        "The harbour bridge reopened on Monday after two years of repairs that cost the city "
        "more than 90 million euros.",
        "First line", "second line in bold and a tail.", "New cables", "Lighting"]


def test_a_page_trafilatura_finds_only_in_recall_mode_is_read(tmp_path: Path) -> None:
    """Precision mode returns nothing for this table layout; recall mode finds the article."""
    cell = "<br>".join(BODY[k] for k in ("lead", "cables", "ring"))
    path = tmp_path / "old-layout.html"
    path.write_text(f"<html><body><table><tr><td>{cell}</td></tr></table></body></html>",
                    encoding="utf-8")
    age(path)
    [article] = json.loads(run_cli("extract", "--format", "json", str(path)).stdout)
    assert all(BODY[k] in article["text"] for k in ("lead", "cables", "ring"))


def read_page(path: Path, html: str) -> list[str]:
    """The body text of each article digest finds in a page written to `path`."""
    path.write_text(html, encoding="utf-8")
    age(path)
    st = path.stat()
    return [a.text for a in extract.extract(ingest.read(ingest.FileEntry(path, st.st_size,
                                                                        st.st_mtime)))]


FOOTER = ("<div><p>E-mail this article to a friend</p><p>Printable version</p><p>Example Times "
          "is a trade mark of Example Newspapers Limited. Please read our Terms and Conditions "
          "and Privacy Statement before using this site.</p></div>")


def test_a_table_layout_is_read_whole_when_recall_mode_finds_only_the_footer(
        tmp_path: Path) -> None:
    """Precision mode finds nothing in this table cell, recall mode only the footer below it:
    the default mode, tables included, finds the article."""
    cell = "<br><br>".join(BODY[k] for k in ("lead", "cables", "ring"))
    [text] = read_page(tmp_path / "old-layout.html", f"<html><body><table><tr><td>{cell}</td>"
                       f"</tr></table>{FOOTER}</body></html>")
    assert all(BODY[k] in text for k in ("lead", "cables", "ring"))


def test_a_page_whose_title_is_never_closed_still_gives_its_article(tmp_path: Path) -> None:
    """An HTML parser reads all that follows an unclosed <title> as the title: no body."""
    paras = "".join(f"<p>{BODY[k]}</p>" for k in ("lead", "cables", "ring", "mayor"))
    [text] = read_page(tmp_path / "cut.html", "<html><head><title>Harbour bridge reopens\n"
                       f"<meta charset='utf-8'></head><body><article>{paras}</article>"
                       "</body></html>")
    assert all(BODY[k] in text for k in ("lead", "cables", "ring", "mayor"))
    assert extract._close_title("<title>a</title><p>b") == "<title>a</title><p>b"


COMMENT_1 = ("I have driven over that bridge every day for twenty years and I never once saw an "
             "inspector on it, so I am not surprised it took this long.")
COMMENT_2 = ("Ninety million euros for a bridge that was fine in the first place. The council "
             "should spend that money on the buses instead of on concrete.")


def test_readers_comments_after_the_article_are_not_the_article(tmp_path: Path) -> None:
    """Once the article has been read, a comments heading ends it for good: comments are
    prose, so the rule that resumes an article after a box of links must not bring them in."""
    paras = "".join(f"<p>{BODY[k]}</p>" for k in ("lead", "cables", "ring", "mayor"))
    [text] = read_page(tmp_path / "with-comments.html", f"<html><body><article>{paras}"
                       f"<h3>Comments (2)</h3><p>{COMMENT_1}</p><p>Bob, Leeds</p>"
                       f"<p>{COMMENT_2}</p><p>Ann, York</p></article></body></html>")
    assert all(BODY[k] in text for k in ("lead", "cables", "ring", "mayor"))
    assert "twenty years" not in text and "buses" not in text and "Comments" not in text


def test_a_comments_link_above_the_article_does_not_end_it() -> None:
    """A "Comments (3)" or "Leave a comment" link before the article body is page furniture."""
    blocks = extract.classify(["Harbour bridge reopens", "Leave a comment", BODY["lead"],
                               "Comments (3)", BODY["cables"], BODY["ring"]], page=True)
    assert [b.kind for b in blocks if b.text.startswith(tuple(BODY.values()))] == ["body"] * 3


def test_a_credit_in_brackets_makes_a_caption_only_when_it_reads_as_one() -> None:
    """A writer's aside "(or AP flour)" or a link credit "(via a blog)" is not a photo credit."""
    paras = [
        "A worker on the deck of the eastern span in March. (AP Photo/Jane Doe)",
        "Smoke rises over the harbour. (Sergei Ilnitsky/EPA via AP)",
        "2 cups of einkorn flour (or AP flour)",
        "The game shows how consent works online: players decide what they reveal, to whom "
        "and why, and what they get for it. (via BoingBoing)",
        "I'm still laughing at it (that photo was edited like crazy, I don't look like that).",
    ]
    kinds = [b.kind for b in extract.classify(paras, page=True)]
    assert kinds == ["caption", "caption", "body", "body", "body"]


def test_the_publishers_legal_lines_are_not_the_article() -> None:
    """Copyright, reuse and site-terms lines go; a news sentence about terms or rights stays."""
    legal = ["Copyright 2008 The Associated Press. All rights reserved. This material may not be "
             "published, broadcast, rewritten or redistributed.",
             "Copyright © 2007, The Example Times. Republication or redissemination of the contents "
             "of this screen are expressly prohibited without the written consent of the paper.",
             "This service is provided on Example Newspapers' standard Terms and Conditions. "
             "Please read our Privacy Policy."]
    news = ["The bank changed the terms and conditions of its loans on Monday, the regulator said "
            "in a statement.",
            "The court ruled that the names may not be published until the trial ends, the judge "
            "told the jury."]
    blocks = extract.classify([BODY["lead"], *legal, *news, BODY["cables"]], page=True)
    assert [b.kind for b in blocks] == ["body", "drop", "drop", "drop", "body", "body", "body"]


def test_extraction_bench_smoke() -> None:
    sys.path.insert(0, str(BENCH))
    try:
        import eval_extraction as ev
    finally:
        sys.path.remove(str(BENCH))
    assert ev.prf(["a", "b", "b"], ["b", "b", "c", "d"]) == pytest.approx((2 / 3, 1 / 2, 4 / 7))
    assert ev.prf([], ["a"]) == (0.0, 0.0, 0.0)
    assert ev.half("x") == ev.half("x") and {ev.half(str(i)) for i in range(20)} == {"A", "B"}
    if not ev.EXTRACTION.is_dir():
        pytest.skip("evaluation data not found in ../shared/eval")
    todo = [p for s in ev.SETS for p in ev.pages(s, limit=2)]
    results = ev.evaluate(todo)
    assert len(results) == 6
    for r in results:
        assert set(r.scores) == set(ev.SYSTEMS)
        assert all(0.0 <= x <= 1.0 for s in r.scores.values() for x in s)
    assert max(r.scores["digest"][2] for r in results) > 0.5
    assert "| L3S-GN1 | all | 2 | digest |" in ev.table(results)


# The two modes' texts, compared paragraph by paragraph (digest/extract.py, _default_mode_wins).
HEADLINES = ["City plans a second tunnel under the harbour", "Ten recipes for autumn",
             "Send a letter to the editor"]
MENU = ("Home News World Business Sport Culture Weather Travel Video Podcasts Newsletters "
        "Obituaries Crosswords Jobs Dating Shop Archive Contact us About us Advertise Careers "
        "Site map Accessibility Cookie settings Help Feedback")


def test_default_mode_wins_when_it_adds_the_rest_of_the_article_in_prose() -> None:
    narrow = [BODY["lead"], BODY["cables"]]
    assert extract._default_mode_wins(narrow, [*narrow, BODY["ring"], BODY["mayor"]])
    # what default mode adds is a menu run together (no full stop) or headlines: refused
    assert not extract._default_mode_wins(narrow, [*narrow, MENU])
    assert not extract._default_mode_wins(narrow, [*narrow, *HEADLINES, BODY["ring"]])
    # default mode read another block of the page: refused, however good its prose
    assert not extract._default_mode_wins(narrow, [BODY["residents"], BODY["tolls"], BODY["ring"]])
    # the same text, or no text: precision mode's stays
    assert not extract._default_mode_wins(narrow, narrow)
    assert not extract._default_mode_wins(narrow, [])
    assert extract._default_mode_wins([], narrow)


def test_default_mode_wins_when_precision_mode_only_adds_lines_that_are_not_prose() -> None:
    wide = [BODY["lead"], BODY["cables"], BODY["ring"]]
    assert extract._default_mode_wins([*wide, *HEADLINES], wide)
    # a paragraph of prose among precision mode's extra lines: precision mode's text stays
    assert not extract._default_mode_wins([*wide, *HEADLINES, BODY["mayor"]], wide)


def test_a_page_gets_default_modes_text_when_precision_mode_loses_half_of_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Real trafilatura on a real page; precision mode's loss of the article's second half
    (what it does on some blogs) is simulated by pruning that part from its view only."""
    monkeypatch.setitem(extract.TRAFILATURA_SETTINGS, "prune_xpath", "//div[@class='more']")
    html = (f"<html><head><title>Harbour bridge reopens</title></head><body><article>"
            f"<h1>Harbour bridge reopens</h1><p>{BODY['lead']}</p><p>{BODY['cables']}</p>"
            f"<p>{BODY['ring']}</p><div class='more'><p>{BODY['mayor']}</p><p>{CAPTION}</p>"
            f"<p>{APPEAL}</p><p>{BODY['residents']}</p><p>{BODY['tolls']}</p></div>"
            f"</article></body></html>")
    [text] = read_page(tmp_path / "blog.html", html)
    assert text.split("\n\n") == [BODY[k] for k in ("lead", "cables", "ring", "mayor",
                                                    "residents", "tolls")]
    # the caption and the appeal default mode brings are still set aside by the cleaner
    path = tmp_path / "blog.html"
    st = path.stat()
    blocks = extract.explain(ingest.read(ingest.FileEntry(path, st.st_size, st.st_mtime)))
    kinds = {b.text: b.kind for b in blocks}
    assert kinds[CAPTION] == "caption" and kinds[APPEAL] == "drop"


def test_a_page_keeps_precision_modes_text_when_default_mode_adds_the_menu(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same simulation the other way: a menu only default mode would keep stays out."""
    monkeypatch.setitem(extract.TRAFILATURA_SETTINGS, "prune_xpath", "//div[@class='links']")
    paras = "".join(f"<p>{BODY[k]}</p>" for k in ("lead", "cables", "ring", "mayor"))
    html = (f"<html><body><article>{paras}<div class='links'><p>{MENU}</p></div></article>"
            f"</body></html>")
    [text] = read_page(tmp_path / "menu.html", html)
    assert text.split("\n\n") == [BODY[k] for k in ("lead", "cables", "ring", "mayor")]


def explain_page(path: Path, html: str) -> list[extract.Block]:
    """Every line digest read in a page written to `path`, with the label it gave it."""
    path.write_text(html, encoding="utf-8")
    age(path)
    st = path.stat()
    return extract.explain(ingest.read(ingest.FileEntry(path, st.st_size, st.st_mtime)))


def test_headlines_that_are_links_between_paragraphs_are_not_the_article(tmp_path: Path) -> None:
    """A list of other stories' headlines, each all link, inside or under the article: the
    short lines between body paragraphs are no longer taken for subheadings; a subheading
    that is not a link still is."""
    teasers = "".join(f"<p><a href='/{n}'>{title}</a><br>May {day}, 2008</p>" for n, (title, day) in
                      enumerate([("City plans a second tunnel under the harbour", 12),
                                 ("Ten recipes for autumn", 11), ("Ferry fares to rise in May", 10)]))
    html = (f"<html><body><article><h1>Harbour bridge reopens</h1><p>{BODY['lead']}</p>"
            f"<p>{BODY['cables']}</p><h2>Traffic on the ring road</h2><p>{BODY['ring']}</p>"
            f"<p>{BODY['mayor']}</p>{teasers}<p>{BODY['tolls']}</p></article></body></html>")
    blocks = explain_page(tmp_path / "teasers.html", html)
    kinds = {b.text: b.kind for b in blocks}
    assert kinds["City plans a second tunnel under the harbour"] == "link"
    assert kinds["Ten recipes for autumn"] == "link" and kinds["Ferry fares to rise in May"] == "link"
    [text] = read_page(tmp_path / "teasers.html", html)
    assert text.split("\n\n") == [BODY["lead"], BODY["cables"], "Traffic on the ring road",
                                  BODY["ring"], BODY["mayor"], BODY["tolls"]]


def test_page_lines_mark_the_lines_that_are_all_links() -> None:
    tree = lxml.etree.fromstring(
        "<body><p><ref target='/a'>City plans a second tunnel</ref><lb/>By Jane Doe</p>"
        "<p>Read <ref target='/b'>the mayor's statement</ref> in full.</p>"
        "<list><item>1. <ref target='/c'>Ten recipes for autumn</ref></item></list></body>")
    assert extract.page_lines(tree, mark_links=True) == [
        extract.LINK_MARK + "City plans a second tunnel", "By Jane Doe",
        "Read the mayor's statement in full.", extract.LINK_MARK + "1. Ten recipes for autumn"]
    assert extract.LINK_MARK not in "".join(extract.page_lines(tree))


def test_a_row_of_links_between_bars_is_navigation() -> None:
    rows = ["Home | World | Sport | Contact us", "Top | Back | E-mail to a friend | Printable version",
            "News: ePaper | Front Page | National | Other States | International | Business |"]
    news = ["Shares in the operator rose 4 per cent | bonds of the city authority fell after the "
            "council said the bridge had cost 90 million euros more than planned."]
    blocks = extract.classify([BODY["lead"], *rows, *news, BODY["cables"]], page=True)
    assert [b.kind for b in blocks] == ["body", "drop", "drop", "drop", "body", "body"]
    # a plain-text file too: a row of links is never prose
    assert [b.kind for b in extract.classify([BODY["lead"], rows[0]])] == ["body", "drop"]


def test_a_page_cut_inside_its_doctype_still_gives_its_article(tmp_path: Path) -> None:
    """'<!DOCTYPE htm' then the page: the parser reads up to the next '>' and the
    document's start is lost; trafilatura then found nothing."""
    paras = "".join(f"<p>{BODY[k]}</p>" for k in ("lead", "cables", "ring", "mayor"))
    [text] = read_page(tmp_path / "cut-doctype.html", "<!DOCTYPE htm\n  <div id='header'><a href='/'>"
                       f"Home</a></div><div id='story'><h1>Harbour bridge reopens</h1>{paras}</div>")
    assert text.split("\n\n") == [BODY[k] for k in ("lead", "cables", "ring", "mayor")]
    whole = "<!DOCTYPE html PUBLIC \"-//W3C//DTD HTML 4.01//EN\"><html><p>a</p></html>"
    assert extract._close_doctype(whole) == whole


def test_comments_above_the_article_closed_by_their_form_are_set_aside(tmp_path: Path) -> None:
    """Some pages put readers' comments (each signed and dated) before the article in the
    page's source, then the comment form, then the article: the article is read, the
    comments are not."""
    html = ("<html><body><div id='comments'><h3>Comments</h3>"
            f"<p>{COMMENT_1}</p><p>Posted by Bob on January 6, 2008 2:09 PM</p>"
            f"<p>{COMMENT_2}</p><p>Posted by Ann on January 6, 2008 1:41 PM</p>"
            "<p>Thank you for your comments, which we read and answer every week.</p>"
            "<h3>Post a comment</h3></div><div id='story'><h2>Harbour bridge reopens</h2>"
            + "".join(f"<p>{BODY[k]}</p>" for k in ("lead", "cables", "ring", "mayor"))
            + "</div></body></html>")
    [text] = read_page(tmp_path / "comments-first.html", html)
    assert text.split("\n\n") == [BODY[k] for k in ("lead", "cables", "ring", "mayor")]
    # comments after the article still end it for good, form or not
    after = extract.classify([BODY["lead"], BODY["cables"], BODY["ring"], "Comments (2)", COMMENT_1,
                              "Posted by Bob on January 6, 2008 2:09 PM", "Post a comment",
                              COMMENT_2, BODY["mayor"]], page=True)
    assert [b.text for b in after if b.kind == "body"] == [BODY["lead"], BODY["cables"], BODY["ring"]]
    # without the form closing them, a comments link above the article stays a link
    above = extract.classify(["Comments", COMMENT_1, "Posted by Bob on January 6, 2008 2:09 PM",
                              BODY["lead"], BODY["cables"]], page=True)
    assert [b.kind for b in above] == ["drop", "body", "date", "body", "body"]


SUMMARIES = ["The city council approves a second tunnel under the harbour, to open in 2031.",
             "A novelist who won two national prizes dies at her home in the old town at the age of 91.",
             "Two men are found guilty of stealing paintings from the harbour museum last winter.",
             "Ferry fares will rise by a tenth in May, the transport office says."]
HEADLINES = ["Ten recipes for autumn", "Why do readers love crosswords?", "Inside the lighthouse keeper's year",
             "The bakery that never closes", "Old trams back on the coast road",
             "A week on the night ferry", "How the harbour got its name", "Quote of the day"]


def test_a_section_page_of_teasers_has_no_article(tmp_path: Path) -> None:
    """A section's index page: section labels, each with a one-sentence summary of a story,
    then other stories' headlines. No article is on it: nothing is read as one, and every
    line is set aside as a teaser."""
    labels = ["Local", "Culture", "Courts", "Transport"]
    html = ("<html><head><title>Local news | Example Times</title></head><body><div id='index'>"
            "<h2>Also in the news</h2>"
            + "".join(f"<p><b>{label}</b></p><p>{summary}</p>"
                      for label, summary in zip(labels, SUMMARIES, strict=True))
            + "<p><b>Features and analysis</b></p>" + "".join(f"<p>{h}</p>" for h in HEADLINES)
            + "</div></body></html>")
    assert read_page(tmp_path / "index.html", html) == []
    kinds = {b.text: b.kind for b in explain_page(tmp_path / "index.html", html)}
    assert all(kinds[line] == "teaser" for line in SUMMARIES)
    assert all(kinds[line] in ("heading", "drop") for line in HEADLINES)


def test_a_short_post_or_a_poem_is_not_a_page_of_teasers() -> None:
    """One sentence with a few lines of chrome around it is a short post; lines of verse are
    not headlines; an article has sentences in a row."""
    post = extract.classify(["Weekly address: the bridge reopens", SUMMARIES[0], "Transcript",
                             "Related topics: Harbour"], page=True)
    assert [b.text for b in post if b.kind == "body"] == [SUMMARIES[0]]
    verse = ["The bridge is open, the ferries rest,", "The harbour wind blows from the west,",
             "And all the town is out to see.", "The cables hum above the sea,",
             "The gulls come home to sleep,", "The tide is running deep."]
    poem = extract.classify(["A poem for the bridge", *verse], page=True)
    assert [b.text for b in poem if b.kind == "body"] == verse[2:]  # what comes first is a title
    article = extract.classify([HEADLINES[0], BODY["lead"], BODY["cables"], *HEADLINES[1:]], page=True)
    assert [b.text for b in article if b.kind == "body"] == [BODY["lead"], BODY["cables"]]


LIST_ARTICLES = {
    # a sentence ending in a colon introduces the list: never an index page
    "closures": ("<p>The following roads will be closed from Friday night to Monday morning for "
                 "resurfacing, the county council said:</p><ul><li>Harbour Road between Quay Street "
                 "and the ferry terminal</li><li>Mill Lane from the station to Market Square</li>"
                 "<li>The northbound slip road at junction 4 of the coast road</li><li>Church Street "
                 "in both directions between the bank and the school</li></ul><p>Diversions will be "
                 "signposted throughout the weekend and buses will run to their usual timetable.</p>"),
    # "Category: winner" items are no headlines, and one sentence is no page of summaries
    "winners": ("<p>Oppenheimer won seven awards, including best picture, at the Academy Awards in "
                "Los Angeles on Sunday night.</p><ul><li>Best picture: Oppenheimer</li><li>Best "
                "director: Christopher Nolan, Oppenheimer</li><li>Best actress: Emma Stone, Poor "
                "Things</li><li>Best actor: Cillian Murphy, Oppenheimer</li><li>Best supporting "
                "actress: Da'Vine Joy Randolph, The Holdovers</li></ul><p>The ceremony ran for "
                "three and a half hours.</p>"),
    "brief": ("<p>A 34-year-old man has been charged with stealing two paintings from the harbour "
              "museum last winter and will appear before magistrates on Monday, police said.</p>"
              "<h3>Related stories</h3><ul><li><a href='/a'>Museum reopens after break-in</a></li>"
              "<li><a href='/b'>Police appeal for witnesses after theft</a></li><li><a href='/c'>"
              "Paintings worth millions taken from gallery</a></li></ul>"),
}


@pytest.mark.parametrize("name", sorted(LIST_ARTICLES))
def test_an_article_that_is_a_list_is_not_a_page_of_teasers(tmp_path: Path, name: str) -> None:
    """A short article whose body is a list (roads closed, a list of winners) or a brief with
    related links holds what an index page holds, short lines and few sentences: it is still
    the article."""
    html = ("<html><head><title>Harbour Gazette</title></head><body><nav><a href='/'>Home</a> "
            "<a href='/news'>News</a></nav><article><h1>The story</h1>"
            f"{LIST_ARTICLES[name]}</article></body></html>")
    [text] = read_page(tmp_path / f"{name}.html", html)
    first = LIST_ARTICLES[name].split("</p>")[0].removeprefix("<p>")
    assert first in text
    assert "teaser" not in {b.kind for b in explain_page(tmp_path / f"{name}.html", html)}


def test_a_sites_notes_on_browsers_and_external_sites_are_not_the_article() -> None:
    notes = ["Example Times © 2013 Example Times is not responsible for the content of external "
             "sites. Read more.",
             "This page is best viewed in an up-to-date web browser with style sheets (CSS) enabled. "
             "While you will be able to view the content of this page in your current browser, you "
             "will not be able to get the full visual experience."]
    blocks = extract.classify([BODY["lead"], BODY["cables"], *notes], page=True)
    assert [b.kind for b in blocks] == ["body", "body", "drop", "drop"]


def test_a_short_post_is_not_replaced_by_a_fallback_that_reads_the_sidebar() -> None:
    """A page whose whole post is a line or two is short for precision mode, so the wider
    modes are asked; when their text does not hold the post (they read the author's bio in
    the sidebar), the post stays. A short text that is only chrome, or a fragment of what
    the fallback reads, still gives way."""
    from digest.extract.pages import _fallback

    post = {"text": "via example.com\nA bridge that rises with the tide."}
    sidebar = {"text": "Jane Doe (@janefinds)\nI collect. I write. I share. Here I keep the clever "
                       "things other people make, and a few of my own.\nSearch\nArchive"}
    article = {"text": "\n".join(BODY[k] for k in ("lead", "cables", "ring"))}
    assert _fallback(post, sidebar) is post
    assert _fallback({"text": "E-mail this article to a friend\nPrintable version"}, article) is article
    assert _fallback({"text": BODY["lead"]}, article) is article
    assert _fallback(None, article) is article and _fallback(post, None) is post
