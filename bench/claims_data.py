"""Loader and validator for the labelled numeric-claims set in bench/data/claims/ (see its README).

    python bench/claims_data.py             # validate, then print the counts table
    python bench/claims_data.py --quiet     # validate only (exit 1 and one line per problem)

sentences.jsonl holds one sentence a line with its claims and its not-claims; verdicts.jsonl holds
one story/subject/scope pair a line with the current claim of each article and the verdict. The
checks here are the ones a scorer relies on: ids unique, every figure found in its sentence, every
number mention of the selection rule accounted for, bounds that agree with the qualifier, and whole
stories in one split (dev = DUC 2003 + 2006, validation = DUC 2007, test = MultiLing 2011 + other DUC
2006 stories, labelled blind in session 6; train = more DUC 2003/2006/2007 stories, session 8;
train2 = modern web news pages of the extraction sets, one page a story, session 11; train3 = the
pages of those sets train2 did not draw, enriched for sentences where a scope is possible, session 12;
validation2 = every DUC story left in no split, labelled blind in session 14, the held-out split
that replaces validation, which is read and tuned on from session 14).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, get_args

DATA = Path(__file__).resolve().parent / "data" / "claims"

Split = Literal["dev", "validation", "test", "train", "train2", "train3", "validation2"]
# which selection rule of the README picked the sentence ("casualty_all": the train split's rule;
# "scope": the train3 split's page sentence with a word a scope is said with)
Sample = Literal["numbers", "casualty", "revision", "casualty_all", "scope"]
Qualifier = Literal["exact", "lower", "upper", "approx", "range"]
Role = Literal["current", "earlier", "other_event"]
Verdict = Literal["rising", "revised", "disagree", "agree"]
Why = Literal["age", "date", "time", "money", "speed", "percent", "other_event", "measure",
              "count_of_things", "count_of_people", "statistic", "increment", "other"]
SUBJECTS = ("killed", "injured", "missing", "arrested", "displaced")
OTHER = re.compile(r"other:[a-z_]+")
# the splits a set's stories may belong to (DUC 2006 stories are in dev or, chosen later, in test)
# (train: more stories of all three DUC sets, labelled in session 8 to tune on)
# (validation2: the DUC stories left in no split, labelled blind in session 14, held out)
SET_SPLITS = {"duc2003": {"dev", "train", "validation2"},
              "duc2006": {"dev", "test", "train", "validation2"},
              "duc2007": {"validation", "train", "validation2"}, "multiling2011": {"test"},
              # train2 (session 11): web pages' gold main texts from the extraction sets
              # train3 (session 12): the pages of those sets train2's draw left out
              "gn1": {"train2", "train3"}, "dragnet": {"train2", "train3"},
              "cleanportal": {"train2", "train3"}}
# plain-text WikiNews articles: the date is null when the text states none; the web pages of
# train2 carry no date the selection reads (a page's own date line is text like any other)
UNDATED = {"multiling2011", "gn1", "dragnet", "cleanportal"}

# The selection rule: a sentence is sampled when it holds a digit or one of these number words
# ("one" is left out: it is mostly a pronoun). Every match must sit inside a labelled figure.
NUMBER_WORDS = (
    "two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|"
    "sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|"
    "hundreds?|thousands?|millions?|billions?|dozens?")
HAS_NUMBER = re.compile(rf"\d|\b(?:{NUMBER_WORDS})\b", re.I)


@dataclass(frozen=True)
class Claim:
    subject: str
    scope: str | None
    text: str
    low: float | None
    high: float | None
    qualifier: Qualifier
    role: Role


@dataclass(frozen=True)
class NotClaim:
    text: str
    why: Why


@dataclass(frozen=True)
class Sentence:
    id: str
    split: Split
    set: str
    story: str
    doc: str
    date: str | None
    outlet: str
    part: str
    sample: Sample
    sentence: str
    claims: tuple[Claim, ...]
    not_claims: tuple[NotClaim, ...]


@dataclass(frozen=True)
class StoryClaim:
    doc: str
    date: str
    text: str
    low: float | None
    high: float | None


@dataclass(frozen=True)
class VerdictRow:
    story: str
    split: Split
    subject: str
    scope: str | None
    claims: tuple[StoryClaim, ...]
    verdict: Verdict
    note: str


def _bounds_problem(q: str, low: Any, high: Any) -> str | None:
    for v in (low, high):
        if v is not None and (isinstance(v, bool) or not isinstance(v, int | float) or v < 0):
            return f"bound {v!r} is not a non-negative number"
    if low is not None and high is not None and low > high:
        return f"low {low} > high {high}"
    shape = {"exact": low is not None and low == high, "approx": low is not None and low == high,
             "lower": low is not None and high is None, "upper": low is None and high is not None,
             "range": low is not None and high is not None and low < high}
    if q in shape and not shape[q]:
        return f"bounds {low}/{high} do not fit qualifier {q!r}"
    return None


def _subject_ok(s: Any) -> bool:
    return isinstance(s, str) and (s in SUBJECTS or OTHER.fullmatch(s) is not None)


def _keys(obj: dict[str, Any], want: set[str], where: str, optional: frozenset[str] = frozenset()
          ) -> list[str]:
    missing, extra = want - obj.keys(), obj.keys() - want - optional
    return [f"{where}: missing key(s) {sorted(missing)}"] * bool(missing) + \
           [f"{where}: unknown key(s) {sorted(extra)}"] * bool(extra)


def check_sentence(obj: dict[str, Any], where: str) -> list[str]:
    """Problems of one sentences.jsonl object (empty when it is valid)."""
    errs = _keys(obj, {"id", "split", "set", "story", "doc", "date", "outlet", "part", "sample",
                       "sentence", "claims", "not_claims"}, where)
    if errs:
        return errs
    text = obj["sentence"]
    if not isinstance(text, str) or not text.strip():
        return [f"{where}: empty sentence"]
    if obj["split"] not in get_args(Split) or obj["split"] not in SET_SPLITS.get(obj["set"], ()):
        errs.append(f"{where}: set {obj['set']!r} does not belong to split {obj['split']!r}")
    if not str(obj["id"]).startswith(f"{obj['story']}-{obj['doc']}-s"):
        errs.append(f"{where}: id {obj['id']!r} is not <story>-<doc>-s<n>")
    if not (obj["date"] is None and obj["set"] in UNDATED) and \
            not re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(obj["date"])):
        errs.append(f"{where}: date {obj['date']!r} is not YYYY-MM-DD")
    if obj["part"] not in ("headline", "body"):
        errs.append(f"{where}: part {obj['part']!r} is not headline|body")
    if obj["sample"] not in get_args(Sample):
        errs.append(f"{where}: sample {obj['sample']!r} is not one of {'|'.join(get_args(Sample))}")
    spans: list[tuple[int, int]] = []

    def place(figure: str, label: str) -> None:
        # the leftmost occurrence not yet taken, not overlapping a placed figure and not part of a
        # longer number ("8" is not the 8 of "189")
        start = 0
        while (p := text.find(figure, start)) >= 0:
            q = p + len(figure)
            inside = (figure[:1].isdigit() and p > 0 and text[p - 1].isdigit()) or \
                     (figure[-1:].isdigit() and q < len(text) and text[q].isdigit())
            if not inside and not any(a < q and p < b for a, b in spans):
                spans.append((p, q))
                return
            start = p + 1
        errs.append(f"{where}: {label} text {figure!r} not found in the sentence")

    for i, c in enumerate(obj["claims"]):
        at = f"{where} claim {i}"
        ke = _keys(c, {"subject", "scope", "text", "low", "high", "qualifier", "role"}, at)
        if ke:
            errs += ke
            continue
        if not _subject_ok(c["subject"]):
            errs.append(f"{at}: subject {c['subject']!r} is not one of {SUBJECTS} or other:<name>")
        if c["scope"] is not None and (not isinstance(c["scope"], str) or not c["scope"].strip()):
            errs.append(f"{at}: scope must be null or a non-empty string")
        if c["qualifier"] not in get_args(Qualifier):
            errs.append(f"{at}: qualifier {c['qualifier']!r} unknown")
        elif (b := _bounds_problem(c["qualifier"], c["low"], c["high"])) is not None:
            errs.append(f"{at}: {b}")
        if c["role"] not in get_args(Role):
            errs.append(f"{at}: role {c['role']!r} unknown")
        place(str(c["text"]), "claim")
    for i, n in enumerate(obj["not_claims"]):
        at = f"{where} not_claim {i}"
        ke = _keys(n, {"text", "why"}, at)
        if ke:
            errs += ke
            continue
        if n["why"] not in get_args(Why):
            errs.append(f"{at}: why {n['why']!r} unknown")
        place(str(n["text"]), "not_claim")
    for m in HAS_NUMBER.finditer(text):
        if not any(a <= m.start() < b for a, b in spans):
            errs.append(f"{where}: number {m.group()!r} at {m.start()} is neither a claim nor a not-claim")
    return errs


def check_verdict(obj: dict[str, Any], where: str) -> list[str]:
    """Problems of one verdicts.jsonl object (empty when it is valid)."""
    errs = _keys(obj, {"story", "split", "subject", "scope", "claims", "verdict", "note"}, where)
    if errs:
        return errs
    if obj["split"] not in get_args(Split):
        errs.append(f"{where}: split {obj['split']!r} unknown")
    if not _subject_ok(obj["subject"]):
        errs.append(f"{where}: subject {obj['subject']!r} unknown")
    if obj["verdict"] not in get_args(Verdict):
        errs.append(f"{where}: verdict {obj['verdict']!r} unknown")
    if not isinstance(obj["note"], str) or not obj["note"].strip():
        errs.append(f"{where}: a verdict needs a note saying why")
    claims = obj["claims"]
    if not isinstance(claims, list) or len(claims) < 2:
        return [*errs, f"{where}: a verdict needs the claims of at least two articles"]
    for i, c in enumerate(claims):
        at = f"{where} claim {i}"
        ke = _keys(c, {"doc", "date", "text", "low", "high"}, at, frozenset({"sentence"}))
        if ke:
            errs += ke
            continue
        if c["low"] is None and c["high"] is None:
            errs.append(f"{at}: both bounds are null")
        elif c["low"] is not None and c["high"] is not None and c["low"] > c["high"]:
            errs.append(f"{at}: low {c['low']} > high {c['high']}")
    dates = [str(c.get("date", "")) for c in claims]
    if dates != sorted(dates):
        errs.append(f"{where}: claims are not ordered by article time")
    return errs


def _read(path: Path) -> list[tuple[str, dict[str, Any]]]:
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            rows.append((f"{path.name}:{n}", json.loads(line)))
    return rows


def validate(folder: Path = DATA) -> list[str]:
    """Every problem in the set, one line each naming file:line and the reason."""
    errs: list[str] = []
    seen: set[str] = set()
    story_split: dict[str, str] = {}
    for where, obj in _read(folder / "sentences.jsonl"):
        errs += check_sentence(obj, where)
        if obj.get("id") in seen:
            errs.append(f"{where}: duplicate id {obj.get('id')!r}")
        seen.add(obj.get("id", ""))
        story = str(obj.get("story"))
        if story_split.setdefault(story, str(obj.get("split"))) != obj.get("split"):
            errs.append(f"{where}: story {story} appears in two splits")
    verdicts = folder / "verdicts.jsonl"
    pairs: set[tuple[str, str, str | None]] = set()
    if verdicts.exists():
        for where, obj in _read(verdicts):
            errs += check_verdict(obj, where)
            key = (str(obj.get("story")), str(obj.get("subject")), obj.get("scope"))
            if key in pairs:
                errs.append(f"{where}: duplicate story/subject/scope {key}")
            pairs.add(key)
            known = story_split.get(key[0])
            if known is not None and known != obj.get("split"):
                errs.append(f"{where}: story {key[0]} is in {known}, verdict says {obj.get('split')}")
    return errs


def _sentence(obj: dict[str, Any]) -> Sentence:
    return Sentence(**{**obj, "claims": tuple(Claim(**c) for c in obj["claims"]),
                       "not_claims": tuple(NotClaim(**n) for n in obj["not_claims"])})


def load(folder: Path = DATA) -> list[Sentence]:
    """The labelled sentences (validated first: a bad file raises ValueError naming the line)."""
    errs = validate(folder)
    if errs:
        raise ValueError(errs[0])
    return [_sentence(obj) for _, obj in _read(folder / "sentences.jsonl")]


def load_verdicts(folder: Path = DATA) -> list[VerdictRow]:
    """The story/subject/scope verdicts (empty when the file does not exist yet)."""
    path = folder / "verdicts.jsonl"
    if not path.exists():
        return []
    return [VerdictRow(**{**obj, "claims": tuple(
        StoryClaim(**{k: v for k, v in c.items() if k != "sentence"}) for c in obj["claims"])})
        for _, obj in _read(path)]


def counts(sentences: list[Sentence], verdicts: list[VerdictRow]) -> str:
    """The counts table of the README, as Markdown."""
    splits = list(get_args(Split))
    by: dict[str, Counter[str]] = {s: Counter() for s in splits}
    for s in sentences:
        c = by[s.split]
        c["sentences"] += 1
        c[f"sentences ({s.sample} sample)"] += 1
        c[f"story:{s.story}"] = 1
        c["sentences with a current claim"] += any(x.role == "current" for x in s.claims)
        for x in s.claims:
            c[f"claim ({x.role}) {x.subject}"] += 1
            c[f"qualifier {x.qualifier}"] += x.role == "current"
        for n in s.not_claims:
            c[f"not a claim: {n.why}"] += 1
    for v in verdicts:
        by[v.split][f"verdict {v.verdict}"] += 1
    for s in splits:
        c = by[s]
        c["stories"] = sum(1 for k in list(c) if k.startswith("story:"))
        for k in [k for k in c if k.startswith("story:")]:
            del c[k]
    keys = sorted({k for c in by.values() for k in c},
                  key=lambda k: (not k.startswith(("sentences", "stories")), k))
    lines = ["| | " + " | ".join(splits) + " | all |", "|---|" + "---:|" * (len(splits) + 1)]
    for k in keys:
        vals = [by[s][k] for s in splits]
        lines.append(f"| {k} | " + " | ".join(map(str, vals)) + f" | {sum(vals)} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--quiet", action="store_true")
    args = ap.parse_args(argv)
    errs = validate(args.data)
    for e in errs:
        print(e, file=sys.stderr)
    if errs:
        return 1
    if not args.quiet:
        print(counts(load(args.data), load_verdicts(args.data)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
