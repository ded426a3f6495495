"""A story as one reader should get it: new, unchanged, or an update that tells only what the
articles they have not received add.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace
from datetime import datetime

import numpy as np

from digest import figures, text
from digest.models import Article, Story, StorySummary, SummarySentence, Update
from digest.summarize.ranking import focus_unit, rank, tfidf
from digest.summarize.selection import UpdateWeights, select, select_novel
from digest.summarize.settings import FOCUS_WEIGHT, REDUNDANT
from digest.summarize.story import check_method, summarize_story
from digest.summarize.units import Unit, _analyse, eligible, sentence_key, units_of


# -- what is new to one reader ----------------------------------------------------------------
def summarize_for_reader(story: Story, seen: Collection[str], *, sent: Collection[str] = (),
                         since: datetime | None = None, method: str | None = None,
                         sentences: int | None = None, words: int | None = None,
                         weights: UpdateWeights | None = None, focus: str | None = None,
                         focus_weight: float = FOCUS_WEIGHT) -> StorySummary:
    """The story as this reader should get it: "new" (a summary of all of it), "updated"
    (what the articles they have not received add) or "unchanged" (nothing new to them).

    `seen` are the ids of the articles they received, `sent` the `sentence_key`s of the
    summary sentences they were sent in this story, `since` when they last got a digest,
    `focus` what they want to know of it (see summarize_story).
    """
    method = check_method(method)
    have = {a.id for a in story.articles}.intersection(seen)
    unseen = [a for a in story.articles if a.id not in have]
    if not have or not unseen:
        summary = summarize_story(story, method=method, sentences=sentences, words=words,
                                  focus=focus, focus_weight=focus_weight)
        fresh = not have
        return replace(summary, status="new" if fresh else "unchanged",
                       sentences=tuple(replace(x, new=fresh) for x in summary.sentences))
    all_units = units_of(story)
    sent_keys = set(sent)
    known, said, candidates = [], [], []
    for u in all_units:
        if have.intersection(u.sources):  # the reader had an article carrying it
            if not u.tokens:
                _analyse(u)
            known.append(u)
            said.append(sentence_key(u.text) in sent_keys)
        elif eligible(u) and sentence_key(u.text) not in sent_keys:
            candidates.append(u)
    chosen: list[Unit] = []
    if candidates:
        scores = rank(candidates, method, len(story.articles), focus_unit(focus), focus_weight)
        picked = None
        if method == "digest":
            picked = select_novel(candidates, scores, len(unseen), sentences=sentences,
                                  words=words, known=known, said=said, weights=weights)
        if picked is None:
            told = [u for u, m in zip(known, said, strict=True) if m and u.terms]
            keep = _not_restating(candidates, told)
            picked = select([candidates[i] for i in keep], scores[keep], sentences=sentences,
                            words=words) if keep else []
        chosen = picked
    # Newest development first, as the headline: the latest article's sentences lead.
    latest_first = sorted(unseen, key=_recency, reverse=True)
    recency = {a.id: r for r, a in enumerate(latest_first)}
    chosen.sort(key=lambda u: (min(recency.get(s, len(recency)) for s in u.sources), u.position))
    context = _context_line(chosen, known, said, weights or UpdateWeights())
    newest = latest_first[0]
    lines = figures.story_figures(story.articles)
    return StorySummary(
        story=story,
        sentences=tuple(SummarySentence(u.text, tuple(u.sources), tuple(u.similar), new=True)
                        for u in chosen),
        discrepancies=figures.discrepancies(lines),
        figures=lines,
        header_figure=figures.header_line(lines, len(story.articles)),
        method=method,
        status="updated",
        update=Update(headline=_headline(newest), headline_source=newest.id,
                      headline_date=newest.date or newest.ingested_at,
                      new_articles=tuple(a.id for a in unseen), since=since,
                      context=context),
    )


def _recency(article: Article) -> tuple[bool, datetime]:
    """Later is larger; a dated article is later than an undated one (whose only time is
    when it was received, which says little about when it was written)."""
    return (article.date is not None, article.date or article.ingested_at or datetime.min)


def _headline(article: Article) -> str:
    """The article's headline, or the first words of its lead when it has none."""
    if article.title.strip():
        return article.title.strip()
    lead = text.split_sentences(article.paragraphs[0])[0] if article.paragraphs else ""
    return " ".join(lead.split()[:14])


def _not_restating(candidates: list[Unit], told: list[Unit]) -> list[int]:
    """Indices of the candidates that do not restate (cosine above REDUNDANT) a sentence told."""
    if not told:
        return list(range(len(candidates)))
    x = tfidf([*candidates, *told])
    nearest = np.asarray((x[:len(candidates)] @ x[len(candidates):].T).max(axis=1).toarray()).ravel()
    return np.nonzero(nearest <= REDUNDANT)[0].tolist()


def _context_line(chosen: list[Unit], known: list[Unit], said: list[bool],
                  weights: UpdateWeights) -> SummarySentence | None:
    """The earlier sentence closest to what is new (one the reader was sent, if any fits)."""
    if not chosen:
        return None
    told = [u for u, m in zip(known, said, strict=True) if m and u.terms]
    pool = told or [u for u in known if eligible(u)]
    if not pool:
        return None
    x = tfidf([*chosen, *pool])
    new_part = np.asarray(x[:len(chosen)].sum(axis=0)).ravel()
    new_part /= np.linalg.norm(new_part) or 1.0
    fit = np.asarray(x[len(chosen):] @ new_part).ravel()
    best = int(np.argmax(fit))
    if fit[best] < weights.context_min:
        return None
    u = pool[best]
    return SummarySentence(u.text, tuple(u.sources), (), new=False)
