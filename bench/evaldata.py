"""Loaders for the labelled development sets in ../shared/eval (never copied into the repo).

DUC 2003 task 2: SGML newswire, the body inside <TEXT>, a paragraph starts at
an indented line; the gold story and the date come from clusters.tsv. Nine
document ids sit in two gold clusters: an article is loaded once, and its gold
label is the *set* of its clusters (grouping is scored with extended B-cubed,
which counts two articles as belonging together when their gold sets meet);
for summaries each cluster keeps all of its ten documents.

MultiLing 2011 (English): plain text, the first line is the title, the gold
topic is the 4th character of the file name. A date line near the top
("Saturday, January 8, 2005") or a date in the title gives the article's date.
"""

from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from digest import text
from digest.extract import find_date
from digest.models import Article

REPO = Path(__file__).resolve().parents[1]
EVAL = REPO.parent / "shared" / "eval"
DUC = EVAL / "duc2003_task2"
MULTILING = EVAL / "multiling2011_en"
DUC2006 = EVAL / "duc2006"
DUC2007 = EVAL / "duc2007"
DUC2007_UPDATE = EVAL / "duc2007_update"


@dataclass(frozen=True)
class EvalSet:
    """A labelled set: articles, gold labels per article, references per gold story."""

    name: str
    articles: list[Article]  # each article once, in arrival (date) order
    gold: dict[str, frozenset[str]]  # article id -> gold stories
    members: dict[str, list[str]]  # gold story -> article ids (all of them, for summaries)
    references: dict[str, list[str]]  # gold story -> reference summaries
    words: int  # reference length


def _article_id(doc: str) -> str:
    return "a" + hashlib.sha256(doc.encode()).hexdigest()[:15]


# NYT typesetting codes (&HT; a tab, &QL; a quad left, ...): not text
TYPESETTING = re.compile(r"&(?:QL|UR|LR|QC|MD|HT|TF|Cx[0-9a-f]{2});")


def _duc_body(raw: str) -> list[str]:
    m = re.search(r"<TEXT>(.*?)</TEXT>", raw, re.S)
    body = re.sub(r"<[^>]+>", " ", m.group(1) if m else "")
    body = TYPESETTING.sub(" ", body)
    body = html.unescape(body)
    paragraphs = re.split(r"\n(?=[ \t])", body.strip("\n"))
    return [" ".join(p.split()) for p in paragraphs if p.strip()]


def _duc_time(raw: str, day: str) -> datetime:
    m = re.search(r"<DATE_TIME>\s*(\S+)\s+(\d{1,2}:\d{2})", raw)
    if m:
        for fmt in ("%m/%d/%Y %H:%M", "%Y-%m-%d %H:%M"):
            try:
                return datetime.strptime(f"{m.group(1)} {m.group(2)}", fmt)
            except ValueError:
                pass
    return datetime.strptime(day, "%Y%m%d")


def load_duc(root: Path = DUC) -> EvalSet:
    """DUC 2003 task 2: 30 TDT stories, 289 distinct articles."""
    articles: dict[str, Article] = {}
    gold: dict[str, set[str]] = {}
    members: dict[str, list[str]] = {}
    for line in (root / "clusters.tsv").read_text().splitlines()[1:]:
        cluster_id, docno, source, day, path = line.split("\t")
        aid = _article_id(docno)
        if aid not in articles:
            raw = (root / path).read_text(encoding="utf-8", errors="replace")
            paragraphs = _duc_body(raw)
            articles[aid] = Article(
                id=aid, path=docno, title=_lead_title(paragraphs), outlet=source,
                date=_duc_time(raw, day), author=None, url=None, text="\n\n".join(paragraphs))
        gold.setdefault(aid, set()).add(cluster_id)
        members.setdefault(cluster_id, []).append(aid)
    references: dict[str, list[str]] = {}
    for cluster_id in members:
        key = cluster_id[:-1].upper()  # d30003t -> D30003
        files = sorted((root / "models").glob(f"{key}.M.100.T.*"))
        references[cluster_id] = [" ".join(f.read_text(errors="replace").split()) for f in files]
    ordered = sorted(articles.values(), key=lambda a: (a.date or datetime.min, a.path))
    return EvalSet("DUC 2003", ordered, {k: frozenset(v) for k, v in gold.items()}, members,
                   references, 100)


def load_duc_main(root: Path, name: str) -> EvalSet:
    """DUC 2006 / 2007 (and the 2007 update task): TREC SGML with a <HEADLINE> where the
    agency gave one (else the lead's first words, as for DUC 2003). Grouping only: the
    references are not loaded."""
    articles: dict[str, Article] = {}
    gold: dict[str, set[str]] = {}
    members: dict[str, list[str]] = {}
    rows = (root / "clusters.tsv").read_text().splitlines()
    header = rows[0].split("\t")
    for line in rows[1:]:
        row = dict(zip(header, line.split("\t"), strict=True))
        cluster_id, docno = row["cluster_id"], row["docno"]
        aid = _article_id(docno)
        if aid not in articles:
            raw = (root / row["path"]).read_text(encoding="utf-8", errors="replace")
            paragraphs = _duc_body(raw)
            articles[aid] = Article(
                id=aid, path=docno, title=duc_title(raw, paragraphs),
                outlet=row["source"], date=_duc_time(raw, row["date"]), author=None, url=None,
                text="\n\n".join(paragraphs))
        gold.setdefault(aid, set()).add(cluster_id)
        members.setdefault(cluster_id, []).append(aid)
    ordered = sorted(articles.values(), key=lambda a: (a.date or datetime.min, a.path))
    return EvalSet(name, ordered, {k: frozenset(v) for k, v in gold.items()}, members, {}, 250)


def duc_title(raw: str, paragraphs: list[str]) -> str:
    """A DUC document's <HEADLINE>, else (none, or one holding only a NYT typesetting code such
    as "&HT;") the lead's first words."""
    m = re.search(r"<HEADLINE>(.*?)</HEADLINE>", raw, re.S)
    headline = " ".join(html.unescape(TYPESETTING.sub(" ", re.sub(r"<[^>]+>", " ", m.group(1))))
                        .split()) if m else ""
    return headline or _lead_title(paragraphs)


def _lead_title(paragraphs: list[str]) -> str:
    # DUC bodies carry no headline: like extract does for untitled text, the lead's first words.
    first = text.split_sentences(paragraphs[0])[0] if paragraphs else ""
    return " ".join(first.split()[:14])


def load_multiling(root: Path = MULTILING) -> EvalSet:
    """MultiLing 2011 English: 10 WikiNews topics of 10 articles."""
    articles: list[Article] = []
    gold: dict[str, frozenset[str]] = {}
    members: dict[str, list[str]] = {}
    for f in sorted((root / "source").glob("M*.english")):
        lines = [ln.strip() for ln in f.read_text(encoding="utf-8").splitlines() if ln.strip()]
        title, body = lines[0], lines[1:]
        date = None
        for candidate in [title, *body[:2]]:
            date = find_date(candidate)
            if date:
                break
        if body and find_date(body[0]) and len(body[0].split()) <= 6:
            body = body[1:]  # the date line is metadata, not prose
        aid = _article_id(f.name)
        articles.append(Article(id=aid, path=f.name, title=title, outlet="WikiNews", date=date,
                                author=None, url=None, text="\n\n".join(body)))
        topic = f.name[3]
        gold[aid] = frozenset({topic})
        members.setdefault(topic, []).append(aid)
    references = {
        topic: [" ".join(p.read_text(encoding="utf-8").split())
                for p in sorted((root / "models").glob(f"M00{topic}.*"))]
        for topic in members
    }
    # Undated articles arrive last, in name order (not grouped by topic: the id hash orders them).
    articles.sort(key=lambda a: (a.date is None, a.date or datetime.min, a.id))
    return EvalSet("MultiLing 2011", articles, gold, members, references, 250)


GROUPING_SETS = ("duc", "duc2006", "duc2007", "multiling", "duc2007u")


def load(name: str) -> EvalSet:
    loaders = {
        "duc": load_duc, "multiling": load_multiling,
        "duc2006": lambda: load_duc_main(DUC2006, "DUC 2006"),
        "duc2007": lambda: load_duc_main(DUC2007, "DUC 2007"),
        "duc2007u": lambda: load_duc_main(DUC2007_UPDATE, "DUC 2007 update"),
    }
    return loaders[name]()


def available() -> bool:
    return DUC.is_dir() and MULTILING.is_dir()
