"""Plain frozen dataclasses that flow between the pipeline stages.

ingest -> RawDocument -> extract -> Article -> cluster -> Story
       -> summarize -> StorySummary -> render (Briefing)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Literal

# How a story stands for one reader: all its articles are new to them, some are, or none.
Status = Literal["new", "updated", "unchanged"]
# What an article's outlet is called when nothing on the page names it (never its file name).
UNKNOWN_OUTLET = "unknown outlet"


@dataclass(frozen=True)
class RawDocument:
    """One file as read from disk, decoded to text but not yet cleaned."""

    path: Path
    text: str
    kind: str  # "text" | "markdown" | "html" | "feed"
    file_hash: str  # sha256 of the bytes, to notice changed files
    mtime: float
    warnings: tuple[str, ...] = ()  # what decoding repaired (one line each, naming the file)


@dataclass(frozen=True)
class Article:
    """A cleaned news article with its metadata."""

    id: str  # stable: derived from the clean text
    path: str  # file it came from ("file.xml#3" for the third feed entry)
    title: str
    outlet: str
    date: datetime | None
    author: str | None
    url: str | None
    text: str  # clean body, paragraphs separated by blank lines
    captions: tuple[str, ...] = ()  # photo captions: not body text, still the outlet's claims
    ingested_at: datetime | None = None

    @property
    def paragraphs(self) -> list[str]:
        return [p for p in self.text.split("\n\n") if p.strip()]


@dataclass(frozen=True)
class Story:
    """Articles about the same event, possibly from several outlets and days."""

    id: str
    title: str
    articles: tuple[Article, ...]

    @property
    def outlets(self) -> list[str]:
        seen: dict[str, None] = {}
        for a in self.articles:
            seen.setdefault(a.outlet, None)
        return list(seen)

    @property
    def first_date(self) -> datetime | None:
        dates = [a.date for a in self.articles if a.date]
        return min(dates) if dates else None

    @property
    def last_date(self) -> datetime | None:
        dates = [a.date for a in self.articles if a.date]
        return max(dates) if dates else None


@dataclass(frozen=True)
class SummarySentence:
    """A sentence taken verbatim from the articles, credited to every article carrying it."""

    text: str
    sources: tuple[str, ...]  # article ids whose text contains this sentence verbatim
    similar: tuple[str, ...] = ()  # article ids that report the same thing in other words
    new: bool | None = None  # new to this reader (None: no reader history was given)


# What a figure counts. Anything else a figure reader learns is "other:<noun>" (a plain str).
Subject = str  # "killed" | "injured" | "missing" | "arrested" | "displaced" | "other:<name>"
Qualifier = Literal["exact", "lower", "upper", "approx", "range"]
Role = Literal["current", "earlier", "other_event"]
Verdict = Literal["rising", "revised", "disagree", "agree"]


@dataclass(frozen=True)
class Claim:
    """One figure as one sentence of one article states it ("at least 143 dead")."""

    subject: Subject
    scope: str | None  # a place ("Honduras", "the region") or a group ("soldiers"), if the sentence says
    value: str  # as written, qualifier included: "more than 10,000"
    low: int | None  # bounds of what the words allow; None = open ("at least 5": low 5, high None)
    high: int | None
    qualifier: Qualifier
    role: Role  # "earlier" for "up from 95", "other_event" for "when Gilbert killed 300 in 1988"
    sentence: str
    article_id: str = ""
    outlet: str = ""
    date: datetime | None = None
    revised: bool = False  # the sentence says the figure was revised ("lowered ... to about 6,100")


@dataclass(frozen=True)
class FigurePoint:
    """One figure of a story's timeline, with every article that states it as current."""

    value: str
    low: int | None
    high: int | None
    qualifier: Qualifier
    sources: tuple[str, ...]  # article ids, oldest first
    date: datetime | None  # of its first article
    sentence: str  # from its first article


@dataclass(frozen=True)
class FigureLine:
    """One subject (and scope) across a story, in time order, with its verdict."""

    subject: Subject
    scope: str | None
    verdict: Verdict
    points: tuple[FigurePoint, ...]
    disputed: tuple[int, ...] = ()  # indices of the points in a disagreement

    @property
    def label(self) -> str:
        """ "killed", "killed (Honduras)", "hostages (soldiers)"."""
        name = self.subject.removeprefix("other:")
        return f"{name} ({self.scope})" if self.scope else name

    @property
    def newest(self) -> FigurePoint:
        return self.points[-1]


@dataclass(frozen=True)
class FigureClaim:
    value: str  # as displayed: "144", "over 140"
    sources: tuple[str, ...]  # article ids


@dataclass(frozen=True)
class Discrepancy:
    """Sources disagree on a figure (a death toll, a count, a date)."""

    subject: str  # "killed", "killed in Honduras"
    claims: tuple[FigureClaim, ...]


@dataclass(frozen=True)
class Update:
    """The head of an updated story: what this reader has not had yet, and since when."""

    headline: str  # the newest unseen article's headline (or its lead)
    headline_source: str  # that article's id
    headline_date: datetime | None
    new_articles: tuple[str, ...]  # ids of the articles the reader has not received
    since: datetime | None = None  # the reader's previous digest / briefing
    context: SummarySentence | None = None  # at most one line from before, marked as such


@dataclass(frozen=True)
class ReaderHistory:
    """What one reader already has: articles received, summary sentences sent (by key), when.

    `sentences` maps a story id to the keys (`summarize.sentence_key`) of the sentences the
    reader was sent in that story.
    """

    articles: frozenset[str] = frozenset()
    sentences: Mapping[str, frozenset[str]] = field(default_factory=dict)
    since: datetime | None = None

    def sent_in(self, story_id: str) -> frozenset[str]:
        return self.sentences.get(story_id, frozenset())


@dataclass(frozen=True)
class StorySummary:
    story: Story
    sentences: tuple[SummarySentence, ...]
    discrepancies: tuple[Discrepancy, ...] = ()  # real disagreements only
    figures: tuple[FigureLine, ...] = ()
    # the line the story's header names ("144 killed"), one of `figures`; chosen when the
    # summary is made (summarize.story, .updates), so the briefing and both email parts show
    # the same one
    header_figure: FigureLine | None = None
    method: str = ""
    # filled by the topics stage: (topic name, score, human-readable reasons)
    topic: str | None = None
    topic_score: float = 0.0
    reasons: tuple[str, ...] = ()
    other_topics: tuple[str, ...] = ()
    status: Status | None = None  # relative to a reader's history (email, brief --since-last)
    update: Update | None = None  # what is new to the reader, when status is "updated"

    def article(self, article_id: str) -> Article | None:
        for a in self.story.articles:
            if a.id == article_id:
                return a
        return None


@dataclass(frozen=True)
class Briefing:
    """What gets rendered: summaries grouped into sections (one per topic, or one)."""

    generated_at: datetime
    sections: tuple[BriefingSection, ...]
    also_noted: tuple[StorySummary, ...] = ()
    warnings: tuple[str, ...] = field(default=())

    @property
    def stories(self) -> list[StorySummary]:
        return [s for sec in self.sections for s in sec.stories]


@dataclass(frozen=True)
class BriefingSection:
    title: str | None  # topic name, or None for an untitled single section
    stories: tuple[StorySummary, ...]
