"""Stories out: each story summarized for everyone or for each reader (what is new to them,
what a followed topic asks), ranked, sorted into topic sections: a Briefing per reader.
Rendering it is the caller's (Markdown for `brief`, an email per reader)."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING

from digest import cluster, parallel, summarize, topics
from digest.models import (
    Article,
    Briefing,
    BriefingSection,
    ReaderHistory,
    Story,
    StorySummary,
)
from digest.pipeline.parallelism import DEFAULT_PARALLELISM, Parallelism
from digest.progress import Progress
from digest.storage import Store

if TYPE_CHECKING:
    pass

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class _Variant:
    """A story as some reader should get it: for everyone (seen is None), or given what of it
    the reader has (articles seen, keys of the summary sentences sent)."""

    story: Story
    seen: frozenset[str] | None = None
    sent: frozenset[str] = frozenset()
    focus: str | None = None  # what the reader wants to know (a followed topic's focus)


@dataclass(frozen=True)
class _SummaryWork:
    """One story to summarize, for everyone (seen is None) or for one reader's history."""

    story: Story
    method: str | None
    sentences: int | None
    words: int | None
    headline_terms: dict[str, dict[str, float]]  # of its articles, by id
    seen: frozenset[str] | None = None  # the articles of it the reader has
    sent: frozenset[str] = frozenset()  # keys of its sentences the reader was sent
    focus: str | None = None  # what the reader wants to know of it


def story_summaries(store: Store, *, since: datetime | None = None, method: str | None = None,
                    sentences: int | None = None, words: int | None = None,
                    story_ids: Iterable[str] | None = None,
                    history: ReaderHistory | None = None,
                    progress: Progress | None = None,
                    parallelism: Parallelism = DEFAULT_PARALLELISM) -> list[StorySummary]:
    """Summaries of every stored story with articles (since `since`), most important first.

    With a reader's history, each story is summarized for that reader (status new, updated
    or unchanged; an updated story leads with what is new to them) and `since` is ignored:
    the history says what is old.
    """
    if history is not None:
        return reader_summaries(store, {"": history}, method=method, sentences=sentences,
                                words=words, story_ids=story_ids, progress=progress,
                                parallelism=parallelism)[""]
    stories = store.articles.stories(since=since, story_ids=story_ids)
    summaries = _summarize_all(store, [[_Variant(s)] for s in stories], method, sentences,
                               words, progress, parallelism)
    return rank([per_story[0] for per_story in summaries], store.articles.duplicates())


def reader_summaries(store: Store, histories: Mapping[str, ReaderHistory], *,
                     method: str | None = None, sentences: int | None = None,
                     words: int | None = None, story_ids: Iterable[str] | None = None,
                     progress: Progress | None = None,
                     parallelism: Parallelism = DEFAULT_PARALLELISM
                     ) -> dict[str, list[StorySummary]]:
    """Per reader (any key), every story as that reader should get it, most important first.

    A story is summarized once per distinct history of it (readers who have the same of its
    articles and sentences share the work; a story new to all of them is summarized once).
    """
    stories = store.articles.stories(story_ids=story_ids)
    readers = list(histories)
    # Per story, the distinct (articles seen, sentences sent) among the readers, and which
    # of them each reader has.
    variants: list[list[_Variant]] = []
    pick: list[list[int]] = []
    for story in stories:
        keys: dict[tuple[frozenset[str] | None, frozenset[str]], int] = {}
        which = []
        for r in readers:
            which.append(keys.setdefault(_seen_sent(story, histories[r]), len(keys)))
        variants.append([_Variant(story, seen, sent) for seen, sent in keys])
        pick.append(which)
    done = _summarize_all(store, variants, method, sentences, words, progress, parallelism)
    duplicates = store.articles.duplicates()
    out = {}
    for n, r in enumerate(readers):
        since = histories[r].since
        mine = []
        for per_story, which in zip(done, pick, strict=True):
            summary = per_story[which[n]]
            if summary.update is not None and summary.update.since != since:
                summary = replace(summary, update=replace(summary.update, since=since))
            mine.append(summary)
        # What is new to the reader first; the rest in the usual order.
        out[r] = sorted(rank(mine, duplicates), key=lambda s: s.status == "unchanged")
    return out


def _summarize_all(store: Store, variants: list[list[_Variant]], method: str | None,
                   sentences: int | None, words: int | None,
                   progress: Progress | None = None,
                   parallelism: Parallelism = DEFAULT_PARALLELISM) -> list[list[StorySummary]]:
    """Each story's summaries (one per variant), in worker processes when there are many."""
    if variants:
        summarize.check_method(method)  # fail here, not in a worker

    def work() -> Iterator[_SummaryWork]:
        # Stories go out in batches, each with its articles' headline terms read just before.
        for i in range(0, len(variants), size):
            batch = variants[i:i + size]
            headlines = store.articles.headline_terms([v[0].story.id for v in batch])
            for per_story in batch:
                story = per_story[0].story
                terms = {a.id: headlines[a.id] for a in story.articles if a.id in headlines}
                for v in per_story:
                    yield _SummaryWork(story, method, sentences, words, terms, v.seen, v.sent,
                                       v.focus)

    n_work = sum(len(v) for v in variants)
    size = parallelism.story_batch
    # Chunks small enough that both workers get several of every batch; about three batches
    # of stories in flight.
    chunk = max(1, min(parallelism.stories.chunk,
                       min(n_work, size) // (max(parallelism.stories.workers, 1) * 8)))
    plan = replace(parallelism.stories, chunk=chunk, ahead=max(1, 3 * min(n_work, size) // chunk))
    done = parallel.ordered_map(_summarize_one, work(), plan, count=n_work)
    out = []
    n = 0
    for per_story in variants:
        story = per_story[0].story
        summaries = []
        for _ in per_story:
            # The workers send back the summary without the story (the caller already has it).
            one = next(done)
            summaries.append(replace(one.summary, story=replace(story, title=one.title)))
            n += 1
            if progress is not None:
                progress("summaries", n, n_work)
        out.append(summaries)
    return out


@dataclass(frozen=True)
class _Summarized:
    """What a worker sends back for one story: its headline and its summary (without it)."""

    title: str
    summary: StorySummary


def _summarize_one(work: _SummaryWork) -> _Summarized:
    story = work.story
    title = cluster.representative_title(list(story.articles), work.headline_terms)
    titled = replace(story, title=title)
    if work.seen is None:
        summary = summarize.summarize_story(titled, method=work.method,
                                            sentences=work.sentences, words=work.words,
                                            focus=work.focus)
    else:
        summary = summarize.summarize_for_reader(titled, work.seen, sent=work.sent,
                                                 method=work.method, sentences=work.sentences,
                                                 words=work.words, focus=work.focus)
    return _Summarized(title, replace(summary, story=None))  # type: ignore[arg-type]


EVERYONE = ""  # the key of the one briefing built when there are no readers


@dataclass(frozen=True)
class BriefingPlan:
    """What a briefing holds, whoever asks: `brief`'s options or a digest's settings."""

    story_ids: frozenset[str] | None = None  # only these stories (None: every stored one)
    since: datetime | None = None  # stories with articles since (a reader's history decides)
    topics: tuple[topics.Topic, ...] = ()  # one section per followed topic; none: one of all
    max_stories: int | None = None  # per section
    also_noted: bool = False  # with topics: stories matching none, listed by title
    news_only: bool = False  # only the stories new or updated for the reader (email digests)
    method: str | None = None
    sentences: int | None = None
    words: int | None = None


def build_briefings(store: Store, plan: BriefingPlan, *, now: datetime,
                    readers: Mapping[str, ReaderHistory] | None = None,
                    warnings: Iterable[str] = (), progress: Progress | None = None,
                    parallelism: Parallelism = DEFAULT_PARALLELISM) -> dict[str, Briefing]:
    """The briefing of every reader (by key): stored stories -> summaries -> topics.

    With readers, each gets the stories as they should get them (what is new to them leads an
    update; readers with the same history share the work). Without, one briefing for
    everyone, under the key EVERYONE. Rendering is the caller's.
    """
    keys = list(readers) if readers is not None else [EVERYONE]
    per_reader: dict[str, list[StorySummary]]
    if plan.story_ids is not None and not plan.story_ids:
        per_reader = {r: [] for r in keys}  # nothing to read, let alone summarize
    elif readers is None:
        per_reader = {EVERYONE: story_summaries(
            store, since=plan.since, method=plan.method, sentences=plan.sentences,
            words=plan.words, story_ids=plan.story_ids, progress=progress,
            parallelism=parallelism)}
    else:
        per_reader = reader_summaries(store, readers, method=plan.method,
                                      sentences=plan.sentences, words=plan.words,
                                      story_ids=plan.story_ids, progress=progress,
                                      parallelism=parallelism)
    duplicates = store.articles.duplicates()  # a wire copy in a second outlet counts once in the order
    warned = tuple(warnings)
    out = {}
    for key in keys:
        summaries = per_reader[key]
        if plan.news_only:  # "unchanged" stories are no news to this reader
            summaries = [s for s in summaries if s.status in ("new", "updated")]
        out[key] = topic_briefing(summaries, plan.topics, now=now, max_stories=plan.max_stories,
                                  also_noted=plan.also_noted, duplicates=duplicates,
                                  warnings=warned)
    return _answer_topics(store, out, plan, readers, parallelism)


def _answer_topics(store: Store, briefings: dict[str, Briefing], plan: BriefingPlan,
                   readers: Mapping[str, ReaderHistory] | None,
                   parallelism: Parallelism) -> dict[str, Briefing]:
    """The stories in the section of a followed topic with a description, summarized again
    to answer it (`topics.Topic.focus`), for each reader as before (what is new to them).

    Which topic a story belongs to is known only once it is summarized (topics match the
    summary too), so this is a second pass over the stories shown in such sections: at most
    max_stories per section, each distinct (story, reader's history, topic) once.
    """
    focus = {t.name: f for t in plan.topics if (f := t.focus)}
    if not focus:
        return briefings
    Key = tuple[str, frozenset[str] | None, frozenset[str], str]

    def keyed(b: Briefing, history: ReaderHistory | None
              ) -> Iterator[tuple[int, int, StorySummary, Key]]:
        """(section, place, summary, what to summarize) of each story a focus applies to."""
        for n, section in enumerate(b.sections):
            wanted = focus.get(section.title or "")
            if wanted is None:
                continue
            for i, s in enumerate(section.stories):
                yield n, i, s, (s.story.id, *_seen_sent(s.story, history), wanted)

    def history_of(key: str) -> ReaderHistory | None:
        return readers[key] if readers is not None else None

    variants: dict[Key, _Variant] = {}
    for key, b in briefings.items():
        for _, _, s, k in keyed(b, history_of(key)):
            variants.setdefault(k, _Variant(s.story, k[1], k[2], k[3]))
    if not variants:
        return briefings
    done = _summarize_all(store, [[v] for v in variants.values()], plan.method, plan.sentences,
                          plan.words, parallelism=parallelism)
    answered = {k: per_story[0] for k, per_story in zip(variants, done, strict=True)}
    out = {}
    for key, b in briefings.items():
        stories = [list(section.stories) for section in b.sections]
        for n, i, s, k in keyed(b, history_of(key)):
            stories[n][i] = _answering(s, answered[k])
        out[key] = replace(b, sections=tuple(replace(section, stories=tuple(new))
                                             for section, new in zip(b.sections, stories,
                                                                     strict=True)))
    return out


def _seen_sent(story: Story, history: ReaderHistory | None
               ) -> tuple[frozenset[str] | None, frozenset[str]]:
    """What of the story the reader has, as reader_summaries keys it (None: no reader)."""
    if history is None:
        return None, frozenset()
    seen = frozenset({a.id for a in story.articles}.intersection(history.articles))
    return seen, history.sent_in(story.id) if seen else frozenset()


def _answering(shown: StorySummary, answer: StorySummary) -> StorySummary:
    """The summary answering the topic, with the topic stage's verdict and the reader's
    `since` of the summary it replaces."""
    update = answer.update
    if update is not None and shown.update is not None:
        update = replace(update, since=shown.update.since)
    return replace(answer, story=shown.story, topic=shown.topic, topic_score=shown.topic_score,
                   reasons=shown.reasons, other_topics=shown.other_topics, update=update)


def rank(summaries: list[StorySummary], duplicates: dict[str, str] | None = None) -> list[StorySummary]:
    """Most important first: independent outlets, then articles, then recency."""
    duplicates = duplicates or {}

    def key(s: StorySummary) -> tuple[float, int, int, str, str]:
        story = s.story
        independent = {a.outlet for a in story.articles if a.id not in duplicates}
        last = story.last_date.isoformat() if story.last_date else ""
        return (-s.topic_score, -len(independent), -len(story.articles), _neg(last), story.id)

    return sorted(summaries, key=key)


def _neg(iso: str) -> str:
    # Sort later dates first while keeping a string key.
    return "".join(chr(0x10FFFF - ord(c)) for c in iso)


def briefing(summaries: list[StorySummary], *, now: datetime, max_stories: int | None = None,
             warnings: Iterable[str] = ()) -> Briefing:
    """One untitled section of the top stories."""
    chosen = summaries[:max_stories] if max_stories else summaries
    return Briefing(generated_at=now, sections=(BriefingSection(None, tuple(chosen)),),
                    warnings=tuple(warnings))


def topic_briefing(summaries: list[StorySummary], chosen: Sequence[topics.Topic], *,
                   now: datetime, max_stories: int | None = None, also_noted: bool = False,
                   duplicates: dict[str, str] | None = None,
                   warnings: Iterable[str] = ()) -> Briefing:
    """One section per followed topic (each cut to max_stories); no topics: all stories."""
    sections, noted = topics.build_sections(summaries, chosen, also_noted=also_noted,
                                            duplicates=duplicates, max_stories=max_stories)
    return Briefing(generated_at=now, sections=sections, also_noted=noted,
                    warnings=tuple(warnings))


def summarize_articles(articles: list[Article], *, method: str | None = None,
                       sentences: int | None = None, words: int | None = None) -> StorySummary:
    """Summarize given articles as one story, without grouping (digest summarize)."""
    story = Story(id=cluster.story_id_for(articles[0]), title=articles[0].title, articles=tuple(articles))
    return summarize.summarize_story(story, method=method, sentences=sentences, words=words)
