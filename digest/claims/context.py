"""What the rest of an article tells the reading of one sentence: the article's year and
the events it recalls from earlier years ("the 1988 bombing"), which it does not lead with.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from digest.claims.patterns import ANY_YEAR, MONTHS
from digest.models import Article, Claim

# -- articles ------------------------------------------------------------------------------------
# Sentence ends for reading figures: nupunkt (text.split_sentences) was a third of the figures
# stage; a figure needs its clause, not a perfect sentence, so a rule does: a full stop, then a
# capital, except after a title, an initial or a month.
SENTENCE_END = re.compile(r"(?<=[.!?])(?P<q>[\"'”’)]*)\s+(?=[A-Z0-9\"“'(])")
NO_END = re.compile(r"(?:\b(?:Mr|Mrs|Ms|Dr|Gen|Sen|Rep|Gov|Lt|Col|Sgt|Capt|Maj|Adm|Rev|St|Jr|Sr|"
                    r"Co|Corp|Inc|Ltd|No|vs|Mt|Ft|Jan|Feb|Mar|Apr|Aug|Sept|Sep|Oct|Nov|Dec|"
                    r"[A-Z])\.|\b[a-z]\.[a-z]\.)[\"'”’)]*$")


def sentences(paragraph: str) -> list[str]:
    """A paragraph's sentences, closely enough for reading figures (see SENTENCE_END)."""
    out: list[str] = []
    start = 0
    for m in SENTENCE_END.finditer(paragraph):
        if NO_END.search(paragraph, start, m.start()):
            continue
        out.append(paragraph[start:m.end("q")].strip())
        start = m.end()
    out.append(paragraph[start:].strip())
    return [s for s in out if s]


@dataclass(frozen=True)
class ArticleContext:
    """What an article's other sentences tell the reading of one of them: its year, and the
    kinds of event it dates in an earlier year ("the 1988 bombing") and does not lead with."""

    year: int | None = None
    past: frozenset[str] = frozenset()  # event kinds, as EVENT_KINDS names them


# Kinds of event a news story recalls, by the nouns that name them.
EVENT_KINDS = {
    "bombing": "bombing", "bombings": "bombing", "bomb": "bombing", "bombs": "bombing",
    "blast": "bombing", "blasts": "bombing", "explosion": "bombing", "explosions": "bombing",
    "crash": "crash", "crashes": "crash", "attack": "attack", "attacks": "attack",
    "shooting": "shooting", "shootings": "shooting", "massacre": "shooting",
    "massacres": "shooting", "rampage": "shooting", "war": "war", "wars": "war", "battle": "war",
    "battles": "war",
    "conflict": "war", "earthquake": "earthquake", "quake": "earthquake",
    "earthquakes": "earthquake", "fire": "fire", "fires": "fire", "blaze": "fire",
    "hurricane": "storm", "typhoon": "storm", "cyclone": "storm", "storm": "storm",
    "flood": "flood", "floods": "flood", "flooding": "flood", "riot": "riot", "riots": "riot",
    "sinking": "sinking", "disaster": "disaster", "tsunami": "tsunami", "epidemic": "epidemic",
    "outbreak": "epidemic",
}
KIND_RE = r"\b(?P<kind>" + "|".join(sorted(EVENT_KINDS, key=len, reverse=True)) + r")\b"
YEAR_RE = r"(?P<year>1[89]\d\d|20\d\d)"
# an event dated by a year: "the 1988 bombing", "the 1988 Lockerbie bombing", "the bombing
# of Pan Am Flight 103 in 1988", "the crash on Sept. 2, 1998"
DATED_EVENT = [
    re.compile(rf"\b{YEAR_RE}\s+(?P<name>(?:[A-Z][\w.'’-]*\s+){{0,3}})(?i:{KIND_RE})"),
    re.compile(rf"(?i:{KIND_RE})\b[^.;]{{0,60}}?\b(?:in(?:\s+(?i:{MONTHS})\.?)?|"
               rf"on\s+(?i:{MONTHS})\.?\s+\d{{1,2}},)\s+{YEAR_RE}\b"),
]
# the name before an event noun: "the World Trade Center bombing"
NAME_BEFORE = re.compile(r"(?:[A-Z][\w.'’-]*\s+){1,3}$")
# A sentence still tells today's news when it names a day ("on Tuesday", "today").
TODAY = re.compile(r"\b(?:today|tonight|yesterday|(?:mon|tues|wednes|thurs|fri|satur|sun)day)\b",
                   re.I)


def article_context(article: Article) -> ArticleContext:
    """The article's year (its date's, else the latest full date its text states) and the
    kinds of event it dates in an earlier year without reporting one of that kind in its lead
    (a 1998 report on the Lockerbie trial recalls "the 1988 bombing"; its "The blast killed
    270 people." is that bombing's toll, not news)."""
    return _context(article, article.date.year if article.date else _stated_year(article))


def _context(article: Article, year: int | None) -> ArticleContext:
    if year is None:
        return ArticleContext(None)
    text = " ".join((article.title, article.text))
    past = set()
    names = set()  # the past events' names ("World Trade Center" of "the 1993 World Trade ...")
    for y in ANY_YEAR.finditer(text):  # (only around older years: the event patterns are slow)
        if int(y.group(1)) >= year:
            continue
        window = text[max(0, y.start() - 100):y.end() + 60]
        for pattern in DATED_EVENT:
            for m in pattern.finditer(window):
                if int(m.group("year")) < year:
                    past.add(EVENT_KINDS[m.group("kind").lower()])
                    if "name" in m.groupdict() and m.group("name"):
                        names.add(" ".join(m.group("name").split()))
    if past:
        paragraphs = article.paragraphs
        lead = " ".join((article.title, sentences(paragraphs[0])[0] if paragraphs else ""))
        for m in re.finditer(KIND_RE, lead, re.I):
            near = lead[max(0, m.start() - 60):m.end() + 60]
            name = NAME_BEFORE.search(lead, max(0, m.start() - 60), m.start())
            if name and " ".join(name.group(0).split()) in names:
                continue  # the lead names the dated event itself
            if not any(int(y) < year for y in re.findall(YEAR_RE, near)):
                past.discard(EVENT_KINDS[m.group("kind").lower()])  # the lead's own news
    return ArticleContext(year, frozenset(past))


# the event a count belongs to, named before it in its clause: "The blast killed 270 people",
# "bloody wars in which tens of thousands of people were killed"
EVENT_BEFORE_COUNT = re.compile(rf"(?i:{KIND_RE})(?:\s+[^\s.;]+){{0,6}}?\s*$")
# ... or after it: "Nearly 1,000 soldiers were killed in the brief but bloody battle"
EVENT_AFTER_COUNT = re.compile(rf"[^.;,]{{0,40}}?\b(?:in|during)\s+(?:the|that|those)\s+"
                               rf"(?:[\w-]+\s+){{0,4}}?(?i:{KIND_RE})")


def _recalled(sentence: str, claim: Claim, context: ArticleContext) -> bool:
    """A current-looking count whose event the article dates in an earlier year (and which
    names no day of its own) is that past event's."""
    if not context.past or TODAY.search(sentence):
        return False
    at = sentence.find(claim.value)
    if at < 0:
        return False
    left = sentence[max(0, at - 60):at]
    left = left[max(left.rfind(c) for c in ";—()") + 1:]
    m = EVENT_BEFORE_COUNT.search(left) or EVENT_AFTER_COUNT.match(sentence, at + len(claim.value))
    return bool(m and EVENT_KINDS[m.group("kind").lower()] in context.past)


# A full date in the text: "March 22, 2024", "22 March 2024", "2024-03-22".
FULL_DATE = re.compile(rf"\b(?i:{MONTHS})\.?\s+\d{{1,2}},?\s+((?:19|20)\d\d)\b|"
                       rf"\b\d{{1,2}}\s+(?i:{MONTHS})\.?,?\s+((?:19|20)\d\d)\b|"
                       r"\b((?:19|20)\d\d)-[01]\d-[0-3]\d\b")


def _stated_year(article: Article) -> int | None:
    """An undated article's year, as it states it: the latest full date in its text (a news
    report dates what it reports; a past event it recalls is older). Without it, a year in a
    sentence ("the 2010 earthquake killed 200") could not be told from a past event's."""
    years = [int(next(g for g in m.groups() if g))
             for m in FULL_DATE.finditer(" ".join((article.title, article.text)))]
    return max(years) if years else None
