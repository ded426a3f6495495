"""Claim extraction and story verdicts of digest/figures.py against the labelled claims set.

    python bench/eval_figures.py --split dev            # tune on this one
    python bench/eval_figures.py --split validation     # report it, once, at the end
    python bench/eval_figures.py --data ../labels/bench/data/claims --errors
    python bench/eval_figures.py --split dev --fold a --errors   # story-level folds inside dev
    python bench/eval_figures.py --split dev --reader model   # the learned reader
    python bench/eval_figures.py --split train2         # web pages, one page a story (undated)
    python bench/eval_figures.py --split train3         # the pages train2 did not draw (session 12)
    python bench/eval_figures.py --story-lines          # lines and disagreements on all DUC stories

Claims: a predicted current claim matches a gold `role: current` claim of the same sentence with
the same subject and the same low/high; when the gold claim names a scope, the predicted one must
name it too (a shared word). Precision is over predicted current claims, recall over gold ones,
per subject and overall. Verdicts: each row of verdicts.jsonl names a story, a subject and a scope;
the story's articles (all of them, read from ../shared/eval) go through `story_figures`, and the
verdict of the line with that subject and scope must equal the gold one.

The data is read from bench/data/claims (or --data, or $DIGEST_CLAIMS_DATA); the articles from
../shared/eval (or --eval, or $DIGEST_EVAL).
"""

from __future__ import annotations

import argparse
import functools
import html
import json
import os
import re
import sys
from collections import Counter
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from parse_reader import parsed

from digest import claims, figures
from digest.claim_model import ClaimModel
from digest.models import Article, Claim, FigureLine

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench" / "data" / "claims"))
import select_sentences  # noqa: E402  (the train2 pages' text, read as the selection read it)

EVAL_FOLDERS = {"duc2003": "duc2003_task2", "duc2006": "duc2006", "duc2007": "duc2007",
                "multiling2011": "multiling2011_en"}
SCOPE_NOISE = {"in", "the", "of", "a", "an", "on", "since", "with", "those"}


def default_eval() -> Path:
    for base in (REPO.parent, REPO.parent.parent):
        if (base / "shared" / "eval").is_dir():
            return base / "shared" / "eval"
    return REPO.parent / "shared" / "eval"


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()]


def scope_words(scope: str | None) -> set[str]:
    words = re.findall(r"[a-z0-9]+", (scope or "").lower())
    return {w.rstrip("s") for w in words if w not in SCOPE_NOISE}


def matches(pred: Claim, gold: dict[str, Any], *, scope: bool = True) -> bool:
    """Same subject and bounds; the scope too when the gold claim gives one (and `scope`)."""
    if pred.subject != gold["subject"] or pred.low != gold["low"] or pred.high != gold["high"]:
        return False
    if gold["scope"] is None or not scope:
        return True
    return bool(scope_words(pred.scope) & scope_words(gold["scope"]))


Reader = Callable[..., list[Claim]]
# parse and hybrid need the optional extra `parse` (spaCy); bench/parse_reader imports it late
READERS: dict[str, Reader] = {"model": claims.learned_claims, "rules": claims.read_claims,
                              "parse": parsed.parsed_claims, "hybrid": parsed.hybrid_claims}


def article_contexts(rows: list[dict[str, Any]], eval_root: Path
                     ) -> dict[str, claims.ArticleContext]:
    """Each labelled sentence's article as digest reads it (`claims.article_context`: its year,
    the past events it dates), by sentence id; rows whose article is not found get none."""
    out: dict[str, claims.ArticleContext] = {}
    stories: dict[str, dict[str, Article]] = {}
    for row in rows:
        story = row["story"]
        if story not in stories:
            try:
                stories[story] = {a.id: a for a in load_story(eval_root, row["set"], story)}
            except (OSError, KeyError):
                stories[story] = {}
        article = stories[story].get(row.get("doc", ""))
        if article is not None:
            out[row["id"]] = claims.article_context(article)
    return out


def score_claims(rows: list[dict[str, Any]], show: bool, *, scope: bool = True,
                 reader: Reader | None = None,
                 contexts: dict[str, claims.ArticleContext] | None = None,
                 gate: Callable[[str], bool] = claims._may_hold_figure) -> dict[str, Any]:
    reader = reader or claims.read_claims
    contexts = contexts or {}
    tp: Counter[str] = Counter()
    n_pred: Counter[str] = Counter()
    n_gold: Counter[str] = Counter()
    errors = []
    for row in rows:
        year = int(row["date"][:4]) if row.get("date") else None
        # What an ingested article gives: a sentence the cheap gate turns away is never read
        # (`claims._units`); --no-gate reads every sentence, as the reader alone would.
        pred = [c for c in reader(row["sentence"], year=year, context=contexts.get(row["id"]))
                if c.role == "current"] if gate(row["sentence"]) else []
        gold = [g for g in row["claims"] if g["role"] == "current"]
        for c in pred:
            n_pred[_bucket(c.subject)] += 1
        for g in gold:
            n_gold[_bucket(g["subject"])] += 1
        left = list(gold)
        missed_pred = []
        for c in pred:
            hit = next((g for g in left if matches(c, g, scope=scope)), None)
            if hit is None:
                missed_pred.append(c)
                continue
            left.remove(hit)
            tp[_bucket(c.subject)] += 1
        if show and (missed_pred or left):
            errors.append((row, missed_pred, left))
    if show:
        for row, fps, fns in errors:
            print(f"\n{row['id']}: {row['sentence']}")
            for c in fps:
                print(f"  FP {c.subject} scope={c.scope!r} {c.value!r} [{c.low}, {c.high}]")
            for g in fns:
                print(f"  FN {g['subject']} scope={g['scope']!r} {g['text']!r} "
                      f"[{g['low']}, {g['high']}]")
    table = {}
    for subject in sorted(set(n_gold) | set(n_pred)):
        table[subject] = _pr(tp[subject], n_pred[subject], n_gold[subject])
    table["all"] = _pr(sum(tp.values()), sum(n_pred.values()), sum(n_gold.values()))
    return table


def _bucket(subject: str) -> str:
    return "other" if subject.startswith("other:") else subject


def _pr(tp: int, pred: int, gold: int) -> dict[str, float | int]:
    return {"tp": tp, "predicted": pred, "gold": gold,
            "precision": round(tp / pred, 3) if pred else 1.0,
            "recall": round(tp / gold, 3) if gold else 1.0}


# -- verdicts ------------------------------------------------------------------------------------
def _clean(fragment: str) -> str:
    fragment = re.sub(r"<[^>]+>", " ", fragment)
    fragment = re.sub(r"&(?:QL|UR|LR|QC|MD|HT|TF|Cx[0-9a-f]{2});", " ", fragment)
    return " ".join(html.unescape(fragment).split())


def load_story(eval_root: Path, set_name: str, story: str) -> list[Article]:
    """Every article of one gold story, as digest would read it (headline as title)."""
    if set_name in select_sentences.PAGE_SETS:
        return [load_page(eval_root, set_name, story)]
    folder = eval_root / EVAL_FOLDERS[set_name]
    out = []
    for line in (folder / "clusters.tsv").read_text().splitlines()[1:]:
        cluster, docno, source, day, path = line.split("\t")[:5]
        if cluster != story:
            continue
        raw = (folder / path).read_text(encoding="utf-8", errors="replace")
        h = re.search(r"<HEADLINE>(.*?)</HEADLINE>", raw, re.S)
        body = re.search(r"<TEXT>(.*?)</TEXT>", raw, re.S)
        paragraphs = [_clean(p) for p in re.split(r"</?P>|\n(?=[ \t])", body.group(1) if body
                                                  else "")]
        out.append(Article(id=docno, path=path, title=_clean(h.group(1)) if h else "",
                           outlet=source, date=_when(raw, day), author=None,
                           url=None, text="\n\n".join(p for p in paragraphs if p)))
    return out


def load_page(eval_root: Path, set_name: str, story: str) -> Article:
    """A train2 or train3 story: one web page's gold main text, its first line the title when it reads as
    one; undated (digest then takes the year the text states, as for an undated feed item)."""
    path = select_sentences.page_path(set_name, story, eval_root)
    title, paragraphs = select_sentences.page_text(path)
    return Article(id=story.removeprefix(f"{set_name}-"), path=path.name, title=title,
                   outlet=select_sentences.PAGE_SETS[set_name], date=None, author=None, url=None,
                   text="\n\n".join(paragraphs))


def _when(raw: str, day: str) -> datetime:
    """The article's time from <DATE_TIME> when it has one, else its day."""
    m = re.search(r"<DATE_TIME>\s*(\S+)\s+(\d{1,2}:\d{2})", raw)
    if m:
        for fmt in ("%m/%d/%Y %H:%M", "%Y-%m-%d %H:%M", "%m/%d/%y %H:%M"):
            try:
                return datetime.strptime(f"{m.group(1)} {m.group(2)}", fmt)
            except ValueError:
                pass
    return datetime.strptime(day, "%Y%m%d")


def find_line(lines: tuple[FigureLine, ...], subject: str, scope: str | None) -> FigureLine | None:
    """The line for a subject and scope; a scope we do not split by is the unscoped line
    (the guideline: "a null scope and a scope naming the whole event's area are the same")."""
    same = [ln for ln in lines if ln.subject == subject]
    unscoped = next((ln for ln in same if ln.scope is None), None)
    if scope is None:
        return unscoped
    return next((ln for ln in same if scope_words(ln.scope) & scope_words(scope)), unscoped)


def score_verdicts(rows: list[dict[str, Any]], sets: dict[str, str], eval_root: Path,
                   show: bool, *, listed_only: bool) -> dict[str, Any]:
    """Verdict accuracy; with listed_only, each row's story is cut to the articles it lists
    (the verdict logic given the right articles), else every article of the story counts."""
    cache: dict[str, list[Article]] = {}
    right = 0
    confusion: Counter[tuple[str, str]] = Counter()
    for row in rows:
        story = row["story"]
        if story not in cache:
            cache[story] = load_story(eval_root, sets[story], story)
        articles = cache[story]
        if listed_only:
            docs = {c["doc"] for c in row["claims"]}
            articles = [a for a in articles if a.id in docs]
        line = find_line(figures.story_figures(articles), row["subject"], row["scope"])
        got = line.verdict if line else "none"
        confusion[(row["verdict"], got)] += 1
        right += got == row["verdict"]
        if show and got != row["verdict"]:
            pts = " -> ".join(f"{p.value} ({','.join(p.sources)[:40]} {p.date:%m-%d})"
                              if p.date else p.value for p in line.points) if line else "-"
            gold = " -> ".join(f"{c['text']} ({c['date'][5:]})" for c in row["claims"])
            print(f"\nverdict {story} {row['subject']} {row['scope']!r}: gold {row['verdict']}, "
                  f"got {got}\n  gold: {gold}\n  ours: {pts}")
    return {"right": right, "rows": len(rows),
            "accuracy": round(right / len(rows), 3) if rows else 1.0,
            "confusion": {f"{g}->{p}": n for (g, p), n in sorted(confusion.items())}}


def fold_stories(stories: list[str], fold: str) -> set[str]:
    """Half of the stories: fold "a" the 1st, 3rd, ... of the sorted names, "b" the others
    (whole stories, so a rule learnt from one half's wording is checked on other stories)."""
    return set(stories[0 if fold == "a" else 1::2])


def story_lines(data: Path, eval_root: Path, show: bool) -> dict[str, Any]:
    """What a reader sees on every DUC story (all its articles): how many figure lines, how
    many a "Sources disagree" lists, and how many stories show one. Counted on all of them;
    with `show`, the lines of the stories a session may read (dev, train, or in no split; the
    validation and test stories' lines are not printed)."""
    splits = {r["story"]: r["split"] for name in ("sentences.jsonl", "verdicts.jsonl")
              for r in read_jsonl(data / name)}
    counts: Counter[str] = Counter()
    for set_name in ("duc2003", "duc2006", "duc2007"):
        folder = eval_root / EVAL_FOLDERS[set_name]
        rows = (folder / "clusters.tsv").read_text().splitlines()[1:]
        for story in sorted({row.split("\t")[0] for row in rows}):
            lines = figures.story_figures(load_story(eval_root, set_name, story))
            if not lines:
                continue
            disputed = [ln for ln in lines if ln.verdict == "disagree"]
            counts.update({"stories": 1, "lines": len(lines), "points": sum(
                len(ln.points) for ln in lines), "disagree_lines": len(disputed),
                "stories_with_sources_disagree": bool(disputed)})
            if show and splits.get(story, "none") in ("dev", "train", "none"):
                for ln in lines:
                    pts = " -> ".join(f"{p.value} ({','.join(p.sources)[:40]})"
                                      for p in ln.points)
                    print(f"{story} {ln.label}: {ln.verdict} | {pts}")
    return dict(counts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--split", default="dev",
                        choices=["dev", "train", "train2", "train3", "validation", "validation2", "test"])
    parser.add_argument("--data", type=Path, default=Path(os.environ.get(
        "DIGEST_CLAIMS_DATA", REPO / "bench" / "data" / "claims")))
    parser.add_argument("--eval", type=Path, default=Path(os.environ.get(
        "DIGEST_EVAL", default_eval())))
    parser.add_argument("--errors", action="store_true", help="print every miss")
    parser.add_argument("--fold", choices=["a", "b"],
                        help="only half of the split's stories (sorted, alternate ones): look at "
                             "one half's errors, check the rules on the other")
    parser.add_argument("--reader", choices=sorted(READERS), default="rules",
                        help="rules: the hand rules (digest's default); model: their candidates "
                             "weighed by the learned model (claims.learned_claims); parse: what a "
                             "dependency parse reads (bench/parse_reader, the extra `parse`); hybrid: "
                             "the rules' claims plus the counts only the parse reads")
    parser.add_argument("--no-gate", action="store_true",
                        help="read every sentence, also those the ingest's cheap gate turns away")
    parser.add_argument("--no-context", action="store_true",
                        help="read each sentence alone, without its article's context")
    parser.add_argument("--model", type=Path,
                        help="with --reader model: these weights instead of the shipped ones")
    parser.add_argument("--story-lines", action="store_true",
                        help="count the figure lines and disagreements digest shows on every "
                             "DUC story with a figure (--errors: print the lines of the dev, "
                             "train and no-split stories)")
    args = parser.parse_args(argv)
    if args.story_lines:
        print(json.dumps(story_lines(args.data, args.eval, args.errors), indent=2))
        return 0
    reader = READERS[args.reader]
    if args.model:
        weights = ClaimModel.from_json(json.loads(args.model.read_text(encoding="utf-8")))
        reader = functools.partial(claims.learned_claims, model=weights)
    # (article_claims, which the verdicts go through, reads with the reader claims.article holds)
    claims.article.read_claims = reader  # type: ignore[assignment]
    sentences = [r for r in read_jsonl(args.data / "sentences.jsonl") if r["split"] == args.split]
    if args.fold:
        stories = fold_stories(sorted({r["story"] for r in sentences}), args.fold)
        sentences = [r for r in sentences if r["story"] in stories]
    contexts = {} if args.no_context else article_contexts(sentences, args.eval)
    gate = (lambda sentence: True) if args.no_gate else claims._may_hold_figure
    if args.reader in ("parse", "hybrid"):  # one batch through the parser (nlp.pipe)
        parsed.prime([r["sentence"] for r in sentences if gate(r["sentence"])])
    result: dict[str, Any] = {"split": args.split, "sentences": len(sentences),
                              "claims": score_claims(sentences, args.errors, contexts=contexts,
                                                     gate=gate, reader=reader),
                              "claims_any_scope": score_claims(sentences, False, scope=False,
                                                               contexts=contexts, gate=gate,
                                                               reader=reader)["all"]}
    verdict_file = args.data / "verdicts.jsonl"
    if verdict_file.exists():
        sets = {r["story"]: r["set"] for r in sentences}
        verdicts = [r for r in read_jsonl(verdict_file) if r["split"] == args.split
                    and r["story"] in sets]
        result["verdicts"] = score_verdicts(verdicts, sets, args.eval, args.errors,
                                            listed_only=False)
        result["verdicts_listed_articles"] = score_verdicts(verdicts, sets, args.eval, False,
                                                            listed_only=True)
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
