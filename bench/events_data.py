"""Event-level labels for ten DUC 2006 / 2007 topics (bench/data/events/): loading, checking.

`labels.tsv` has one row per (topic, article): an article in two sampled topics is labelled
under each. `validate` returns the problems found (empty when the file is sound).
"""

from __future__ import annotations

import csv
import re
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data" / "events"
sys.path.insert(0, str(DATA))

import select_topics  # noqa: E402  (bench/data/events is not a package)

HEADER = ["set", "topic", "docno", "date", "event", "note"]
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")
HARD = re.compile(r"hard case|\(hard[:)]")


@dataclass(frozen=True)
class Label:
    set: str
    topic: str
    docno: str
    date: str  # YYYYMMDD, as clusters.tsv gives it
    event: str  # unique within its topic only
    note: str

    @property
    def key(self) -> str:
        """The event's name across topics."""
        return f"{self.topic}:{self.event}"

    @property
    def hard(self) -> bool:
        """Whether the reader marked the call hard: the first reader's notes say "hard case",
        the second's end in "(hard)" or hold "(hard: ...)"."""
        return HARD.search(self.note) is not None


def load(path: Path = DATA / "labels.tsv") -> list[Label]:
    with path.open(newline="") as f:
        rows = list(csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
    if rows[0] != HEADER:
        raise ValueError(f"{path}: header {rows[0]} is not {HEADER}")
    return [Label(*row) for row in rows[1:]]


def validate(labels: list[Label], eval_root: Path = select_topics.EVAL) -> list[str]:
    """Every sampled (topic, article) labelled exactly once, with its clusters.tsv date, a date
    that parses and an event slug; nothing outside the sample."""
    problems = []
    expected = {(r["cluster_id"], r["docno"]): r for r in select_topics.sampled_rows(eval_root)}
    seen: set[tuple[str, str]] = set()
    for label in labels:
        key = (label.topic, label.docno)
        if key in seen:
            problems.append(f"{key}: labelled twice")
        seen.add(key)
        row = expected.get(key)
        if row is None:
            problems.append(f"{key}: not in the sample")
            continue
        if label.set != row["set"] or label.date != row["date"]:
            problems.append(f"{key}: set/date {label.set}/{label.date} differ from clusters.tsv")
        try:
            datetime.strptime(label.date, "%Y%m%d")
        except ValueError:
            problems.append(f"{key}: date {label.date!r} does not parse")
        if not SLUG.match(label.event):
            problems.append(f"{key}: event {label.event!r} is not a slug")
    problems += [f"{key}: not labelled" for key in sorted(expected.keys() - seen)]
    return problems
