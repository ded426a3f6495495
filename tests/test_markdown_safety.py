"""Article text in the Markdown output stays text: a CommonMark renderer finds no element,
attribute, link or list that came from an article."""

from __future__ import annotations

import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import age, run_cli
from markdown_it import MarkdownIt

from digest.render import markdown_inline_escape, markdown_link

# Plain text reaches the summary as written (front matter and Markdown input are converted).
HOSTILE_TEXT = """Flood waters rose across the valley, forcing <img src=y onerror=alert(2)> families out.

Witnesses said the pumps used `max_retry_count` settings and failed across the valley on Monday.

Police said the water rose with _underscores_ and *stars* written around the words of the report.

The governor said [a link](javascript:alert(3)) and <https://evil.example/auto> were in the report.
"""
HOSTILE_URL = "https://example.org/a`onerror=alert(1)`(b)"
HOSTILE = f"""---
title: "<img src=x onerror=alert('title')> *Bold* _claim_ [click](javascript:alert(1))"
outlet: "Evil <b>Outlet</b> `x`"
author: "<script>alert('author')</script>"
url: '{HOSTILE_URL}'
date: 2024-03-23
---
1. Gunmen opened fire at a concert hall near Moscow, killing 40 people, officials said on Friday.

Officials said &lt;script&gt; and &amp; appeared in a statement about the attack on the hall.
"""

# The only markup the template itself writes.
TEMPLATE_TAGS = {"h1", "h2", "h3", "p", "em", "strong", "ul", "ol", "li", "code", "a"}


class Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def render(markdown: str) -> Elements:
    html = MarkdownIt("commonmark").render(markdown)
    parser = Elements()
    parser.feed(html)
    return parser


@pytest.fixture
def hostile_folder(seeds: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "hostile"
    shutil.copytree(seeds, folder)
    (folder / "evil.md").write_text(HOSTILE, encoding="utf-8")
    # A file name (shown when there is no URL) that tries to leave a code span.
    (folder / "evil`<img src=z onerror=alert(4)>`.txt").write_text(HOSTILE_TEXT, encoding="utf-8")
    age(folder)
    return folder


@pytest.mark.alternate_backends
def test_briefing_has_no_element_or_attribute_from_article_text(hostile_folder: Path) -> None:
    md = run_cli("brief", "--source", str(hostile_folder), "--sentences", "8").stdout
    doc = render(md)
    tags = {t for t, _ in doc.tags}
    assert tags <= TEMPLATE_TAGS, tags - TEMPLATE_TAGS
    attrs = [(t, a) for t, attrs in doc.tags for a in attrs]
    # The only attribute is the href of a source link, and it stays inside its link.
    assert all(t == "a" and name == "href" for t, (name, _) in attrs), attrs
    hrefs = [v or "" for _, (_, v) in attrs]
    assert hrefs == ["https://example.org/a%60onerror=alert%281%29%60%28b%29"], hrefs
    text = "".join(doc.text)
    # What the article says reaches the reader as written.
    assert "<img src=x onerror=alert('title')> *Bold* _claim_ [click](javascript:alert(1))" in text
    assert "max_retry_count" in text and "_underscores_ and *stars*" in text
    assert "[a link](javascript:alert(3))" in text
    # The .md article's entities are read as Markdown means them: text "<script>", no element.
    assert "Officials said <script> and & appeared" in text
    assert "Evil <b>Outlet</b> `x`" in text
    assert "evil`<img src=z onerror=alert(4)>`.txt" in text


@pytest.mark.alternate_backends
def test_sentences_starting_like_a_list_stay_text(hostile_folder: Path) -> None:
    md = run_cli("brief", "--source", str(hostile_folder), "--sentences", "8").stdout
    doc = render(md)
    text = "".join(doc.text)
    assert "1. Gunmen opened fire" in text
    # A nested list would show as one more <ol> than the source lists.
    assert [t for t, _ in doc.tags].count("ol") == md.count("**Sources:**")


@pytest.mark.parametrize("raw", [
    "a_b", "_a_", "*a*", "`code`", "<b>x</b>", "[x](y)", "![i](j)", "1. x", "2) x", "- x",
    "+ x", "# h", "> q", "a | b", "~~s~~", "&amp;", "\\*", "x\n\n- y", "1.5 million", "-5 degrees",
])
def test_escape_renders_as_the_same_text(raw: str) -> None:
    doc = render(f"- {markdown_inline_escape(raw)}\n")
    assert [t for t, _ in doc.tags] == ["ul", "li"]
    assert "".join(doc.text).strip() == " ".join(raw.split())


def test_escape_keeps_words_with_underscores_readable() -> None:
    assert markdown_inline_escape("max_retry_count") == "max_retry_count"
    assert markdown_inline_escape("_x_") == "\\_x\\_"


def test_links_only_for_http_urls() -> None:
    assert markdown_link("t", "javascript:alert(1)") == "t"
    assert markdown_link("t", "https://a.example/x y)") == "t"  # not a plain URL: no link
    link = markdown_link("[t]", "https://a.example/(x)`")
    doc = render(link + "\n")
    assert [t for t, _ in doc.tags] == ["p", "a"]
    assert doc.tags[1][1] == [("href", "https://a.example/%28x%29%60")]
    assert "".join(doc.text).strip() == "[t]"
