"""A story's summary for everyone: rank its units, select, and read its figures."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from digest import figures
from digest.errors import SummarizeError
from digest.models import Story, StorySummary, SummarySentence
from digest.summarize.ranking import focus_unit, rank
from digest.summarize.selection import select, select_novel
from digest.summarize.settings import DEFAULT_METHOD, FOCUS_WEIGHT, METHODS
from digest.summarize.units import Unit, _unit, eligible, units_of


def check_method(method: str | None) -> str:
    """The summary method's name, or SummarizeError if there is no such method."""
    method = (method or DEFAULT_METHOD).lower()
    if method not in METHODS:
        raise SummarizeError(f"unknown summary method {method!r}; choose one of {', '.join(METHODS)}")
    return method


def summarize_story(story: Story, *, method: str | None = None, sentences: int | None = None,
                    words: int | None = None, focus: str | None = None,
                    focus_weight: float = FOCUS_WEIGHT) -> StorySummary:
    """An extractive summary of all the story's articles, each sentence credited; `focus`
    (what the reader wants to know) favours the sentences that answer it."""
    method = check_method(method)
    units = [u for u in units_of(story) if eligible(u)]
    chosen: list[Unit] = []
    if units:
        scores = rank(units, method, len(story.articles), focus_unit(focus), focus_weight)
        picked = None
        if method == "digest":
            picked = select_novel(units, scores, len(story.articles), sentences=sentences,
                                  words=words)
        chosen = picked if picked is not None else select(units, scores, sentences=sentences,
                                                          words=words)
    chosen.sort(key=lambda u: (u.article_index, u.position))
    lines = figures.story_figures(story.articles)
    return StorySummary(
        story=story,
        sentences=tuple(SummarySentence(u.text, tuple(u.sources), tuple(u.similar)) for u in chosen),
        discrepancies=figures.discrepancies(lines),
        figures=lines,
        header_figure=figures.header_line(lines, len(story.articles)),
        method=method,
    )


def rank_sentences(sentences: Sequence[str], method: str) -> list[int]:
    """Indices of plain sentences, best first (benchmarks compare methods with this)."""
    units = [_unit(sentence, ["x"], 0, i) for i, sentence in enumerate(sentences)]
    scores = rank(units, method, 1)
    return [int(i) for i in np.argsort(-scores, kind="stable")]
