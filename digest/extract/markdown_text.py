"""Text and Markdown files: their YAML front matter (title, outlet, date) and Markdown
read as plain paragraphs (markdown-it-py).
"""

from __future__ import annotations

import functools
import re
from typing import Any

import yaml
from markdown_it import MarkdownIt
from markdown_it.token import Token

# libyaml's parser when PyYAML has it: about ten times faster than the pure-Python one.
_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _NoTimestampLoader(_SafeLoader):  # type: ignore[misc,valid-type]
    """YAML without its implicit timestamps: dates stay text, so parse_date keeps their zone
    (PyYAML's would drop it here or raise on '9999-99-99' before we see it)."""


_NoTimestampLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in _SafeLoader.yaml_implicit_resolvers.items()
}
FRONT_MATTER = re.compile(r"\A\ufeff?---[ \t]*\n(.*?)^---[ \t]*$\n?", re.S | re.M)
FRONT_MATTER_MAX = 100_000  # characters; metadata is a few lines
META_KEYS = ("title", "outlet", "url", "date", "author", "source")


def _front_matter(text: str, name: str, warnings: list[str]) -> tuple[dict[str, Any], str]:
    """(metadata, body) of a Markdown file; broken front matter is skipped with a warning."""
    if not text.startswith(("---", "\ufeff---")):
        return {}, text
    m = FRONT_MATTER.match(text[:FRONT_MATTER_MAX])
    if m is None:
        warnings.append(f"{name}: front matter without its closing '---': read as text")
        return {}, text
    body = text[m.end():]
    try:
        data = yaml.load(m.group(1), Loader=_NoTimestampLoader)  # a SafeLoader
    except yaml.YAMLError as e:
        warnings.append(f"{name}: bad front matter ({str(e).splitlines()[0]}): metadata ignored")
        return {}, body
    if data is None:
        return {}, body
    if not isinstance(data, dict):
        warnings.append(f"{name}: front matter is not 'key: value' lines: metadata ignored")
        return {}, body
    meta: dict[str, Any] = {}
    for key in META_KEYS:
        value = data.get(key)
        if value is None or value == "":
            continue
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            warnings.append(f"{name}: front matter {key} is not text: ignored")
            continue
        meta[key] = " ".join(str(value).split())[:500]
    if "source" in meta and "outlet" not in meta:
        meta["outlet"] = meta.pop("source")
    return meta, body


TAG = re.compile(r"<[^>]+>")


@functools.cache
def _markdown_parser() -> MarkdownIt:
    # CommonMark as written: no typographer (quotes and dashes stay the author's). Every link
    # target is accepted (markdown-it refuses javascript: ones and leaves their brackets in the
    # text): only the link's text is kept, never its target.
    parser = MarkdownIt("commonmark")
    parser.validateLink = lambda url: True  # type: ignore[method-assign]  # its documented hook
    return parser


def _markdown_to_text(text: str) -> str:
    """Markdown -> the plain text a reader sees, one block per paragraph, word for word.

    Links keep their text (never the target), emphasis and code markers go, code keeps its
    content; headings, list items, quotes and code blocks become paragraphs. An ordered list
    item keeps its number: "1984. The year ..." at the start of a line is text to the writer.
    """
    blocks: list[str] = []
    number: str | None = None  # the marker of the list item being read, if ordered
    for token in _markdown_parser().parse(text):
        if token.type == "list_item_open":
            number = f"{token.info}{token.markup} " if token.info else None
        elif token.type == "inline":
            body = _inline_text(token.children or [])
            if body.strip():
                blocks.append((number or "") + body)
                number = None
        elif token.type in ("fence", "code_block") and token.content.strip():
            blocks.append(token.content.rstrip("\n"))
        elif token.type == "html_block" and TAG.sub("", token.content).strip():
            blocks.append(TAG.sub("", token.content).strip())
    return "\n\n".join(blocks)


def _inline_text(children: list[Token]) -> str:
    """The text of a paragraph's inline tokens; a soft line break stays a line break (the
    paragraph splitter rejoins hard-wrapped lines itself)."""
    parts = []
    for child in children:
        if child.type in ("text", "code_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append("\n")
        # images (their alt text is not the article's prose), inline HTML tags, link and
        # emphasis markers: dropped
    return "".join(parts)
