"""Main-text extraction on labelled web pages: word P/R/F1 of digest against trafilatura.

Each page of ../shared/eval/extraction/<set>/input is extracted in the same run:
by digest exactly as `digest extract page.html` does (the file read and decoded
by digest.ingest, cleaned by digest.extract; the body text of every article it
yields, captions left out; `digest+title` also counts the title `digest extract`
shows above each article, as the L3S-GN1 gold holds the headline), by `trafilatura.extract`
with its default settings, and by `trafilatura.extract` with the settings digest
passes it first (`TRAFILATURA_SETTINGS`, precision mode; digest also asks default mode and
keeps, page by page, the better of the two texts). A page digest refuses scores zero.

Scores (per page, then averaged over the pages of a set):
  - tokens: lowercase word tokens (`\\w+`, so "Kosovo’s" and "Kosovo?s" both give
    kosovo + s), compared as bags: overlap = sum of min(count in output, count
    in gold); P = overlap / output tokens, R = overlap / gold tokens. An empty
    output scores P = R = F1 = 0, unless the gold is empty too (a page with no
    article, as a section's index page: the gold's note "<!-- ... -->" is not text),
    then 1.
  - shingles (--shingles): the same on bags of word 4-grams.

Every set is split into two halves by a stable hash of the page name
(`half()`): rules were tuned by looking at half A only; half B is the check.

    python bench/eval_extraction.py                       # all three sets
    python bench/eval_extraction.py --set L3S-GN1 --limit 50
    python bench/eval_extraction.py --losses --half A     # what the cleaner drops that the gold keeps
"""

from __future__ import annotations

import argparse
import hashlib
import re
import sys
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import trafilatura

from digest import extract, ingest
from digest.errors import DigestError
from digest.models import Article, RawDocument

REPO = Path(__file__).resolve().parents[1]
# ../shared/eval next to the checkout (or next to a folder holding worktrees of it)
EXTRACTION = next((p / "shared" / "eval" / "extraction" for p in REPO.parents
                   if (p / "shared" / "eval" / "extraction").is_dir()),
                  REPO.parent / "shared" / "eval" / "extraction")
SETS = ("CleanPortalEval", "L3S-GN1", "Dragnet")
SYSTEMS = ("digest", "digest+title", "trafilatura", "trafilatura-digest-settings")
TOKEN = re.compile(r"\w+")
# The annotators' notes in a gold file: "<!-- this page contains no article -->" (a section's
# index page of CleanPortalEval) is a page whose main text is nothing, not five words of it.
GOLD_NOTE = re.compile(r"<!--.*?-->", re.S)


@dataclass(frozen=True)
class Page:
    subset: str
    name: str
    html: Path
    gold: Path


@dataclass(frozen=True)
class PageScore:
    page: Page
    scores: dict[str, tuple[float, float, float]]  # system -> (P, R, F1), tokens
    shingles: dict[str, tuple[float, float, float]]  # system -> (P, R, F1), 4-grams
    seconds: dict[str, float]  # system -> time to extract the page


def half(name: str) -> str:
    """'A' (tuned on) or 'B' (held out): a stable hash of the page name."""
    return "A" if hashlib.sha256(name.encode()).digest()[0] % 2 == 0 else "B"


def pages(subset: str, which: str = "all", limit: int | None = None) -> list[Page]:
    """The pages of a set in name order; `which` is 'A', 'B' or 'all'."""
    root = EXTRACTION / subset
    found = []
    for html in sorted((root / "input").glob("*.html")):
        name = html.stem
        if which != "all" and half(name) != which:
            continue
        found.append(Page(subset, name, html, root / "gold" / f"{name}.txt"))
    return found[:limit] if limit else found


def tokens(text: str) -> list[str]:
    """Lowercase word tokens."""
    return TOKEN.findall(text.lower())


def shingles(words: list[str], n: int = 4) -> list[tuple[str, ...]]:
    """Word n-grams (a text shorter than n is one shingle)."""
    if len(words) < n:
        return [tuple(words)] if words else []
    return [tuple(words[i:i + n]) for i in range(len(words) - n + 1)]


def prf(got: list, gold: list) -> tuple[float, float, float]:
    """Bag-of-items precision, recall and F1."""
    if not got or not gold:
        return (0.0, 0.0, 0.0) if got or gold else (1.0, 1.0, 1.0)
    overlap = sum((Counter(got) & Counter(gold)).values())
    p, r = overlap / len(got), overlap / len(gold)
    return p, r, 2 * p * r / (p + r) if p + r else 0.0


def gold_text(page: Page) -> str:
    """A page's gold main text, without the annotators' notes."""
    return GOLD_NOTE.sub("", page.gold.read_text(encoding="utf-8", errors="replace"))


def read_page(page: Page) -> RawDocument:
    st = page.html.stat()
    return ingest.read(ingest.FileEntry(page.html, st.st_size, st.st_mtime))


def digest_articles(raw: RawDocument) -> list[Article]:
    """What `digest extract` gives for one file (nothing if it refuses it)."""
    try:
        return extract.extract(raw)
    except DigestError:
        return []


def system_text(system: str, raw: RawDocument, digest: list[Article] | None = None) -> str:
    """One system's text for a page; `digest` is digest's articles when already extracted."""
    if system.startswith("digest"):
        articles = digest_articles(raw) if digest is None else digest
        with_title = system == "digest+title"
        return "\n\n".join((f"{a.title}\n\n" if with_title else "") + a.text for a in articles)
    # digest asks for the links only to tell lines of links from text: not a text setting
    options = {} if system == "trafilatura" else {
        k: v for k, v in extract.TRAFILATURA_SETTINGS.items() if k != "include_links"}
    return trafilatura.extract(raw.text, **options) or ""


def score_page(page: Page, with_shingles: bool = False,
               systems: tuple[str, ...] = SYSTEMS) -> PageScore:
    raw = read_page(page)
    gold = tokens(gold_text(page))
    scores, grams, seconds = {}, {}, {}
    digest: list[Article] | None = None
    for system in systems:
        start = time.perf_counter()
        if system.startswith("digest") and digest is None:
            digest = digest_articles(raw)  # both digest rows time this one extraction
            seconds["digest"] = seconds["digest+title"] = time.perf_counter() - start
        got = tokens(system_text(system, raw, digest))
        seconds.setdefault(system, time.perf_counter() - start)
        scores[system] = prf(got, gold)
        if with_shingles:
            grams[system] = prf(shingles(got), shingles(gold))
    return PageScore(page, scores, grams, seconds)


def _score(args: tuple[Page, bool, tuple[str, ...]]) -> PageScore:
    return score_page(*args)


def evaluate(todo: list[Page], workers: int = 1, with_shingles: bool = False,
             systems: tuple[str, ...] = SYSTEMS) -> list[PageScore]:
    """Score every page (in order)."""
    jobs = [(p, with_shingles, systems) for p in todo]
    if workers > 1 and len(jobs) > 1:
        with ProcessPoolExecutor(workers) as pool:
            return list(pool.map(_score, jobs, chunksize=4))
    return [_score(j) for j in jobs]


def mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0


def rows(results: list[PageScore], with_shingles: bool) -> Iterator[str]:
    """Markdown table rows: per set and half, per system, the averaged scores and time."""
    for subset in SETS:
        in_set = [r for r in results if r.page.subset == subset]
        if not in_set:
            continue
        for label in ("all", "A", "B"):
            group = [r for r in in_set if label == "all" or half(r.page.name) == label]
            if not group:
                continue
            for system in [s for s in SYSTEMS if s in group[0].scores]:
                p, r_, f = (mean([s.scores[system][i] for s in group]) for i in range(3))
                cells = [subset, label, str(len(group)), system, f"{p:.3f}", f"{r_:.3f}", f"{f:.3f}"]
                if with_shingles:
                    cells.append(f"{mean([s.shingles[system][2] for s in group]):.3f}")
                cells.append(f"{1000 * mean([s.seconds[system] for s in group]):.0f}")
                yield "| " + " | ".join(cells) + " |"


def table(results: list[PageScore], with_shingles: bool = False) -> str:
    """The extraction table in Markdown."""
    head = ["set", "half", "pages", "system", "P", "R", "F1"]
    if with_shingles:
        head.append("4-gram F1")
    head.append("ms/page")
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines.extend(rows(results, with_shingles))
    return "\n".join(lines)


def losses(todo: list[Page], show: int = 200) -> str:
    """What the cleaner sets aside, by kind: words the gold keeps vs words it does not.

    The words of the body text are taken out of the gold first, so a repeated
    paragraph is not counted as lost. A set-aside paragraph is flagged LOST when
    most of its words are in what remains of the gold; `show` of them are listed.
    """
    kept: Counter[str] = Counter()
    wrong: Counter[str] = Counter()
    lost_lines: list[str] = []
    for page in todo:
        try:
            blocks = extract.explain(read_page(page))
        except DigestError:
            continue
        gold = Counter(tokens(gold_text(page)))
        for block in blocks:
            if block.kind == "body":
                gold -= Counter(tokens(block.text))
        for block in blocks:
            words = Counter(tokens(block.text))
            n = sum(words.values())
            if block.kind == "body" or not n:
                continue
            in_gold = sum((words & gold).values())
            gold -= words
            wrong[block.kind] += in_gold
            kept[block.kind] += n - in_gold
            if in_gold / n >= 0.8 and n >= 3:
                lost_lines.append(f"LOST {page.subset}/{page.name} [{block.kind}] {block.text[:160]}")
    out = ["| kind | gold words set aside | other words set aside |", "|---|---|---|"]
    for kind in sorted(set(kept) | set(wrong), key=lambda k: -wrong[k]):
        out.append(f"| {kind} | {wrong[kind]} | {kept[kind]} |")
    return "\n".join([*out, "", *lost_lines[:show]])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", choices=[*SETS, "all"], default="all")
    parser.add_argument("--half", choices=["A", "B", "all"], default="all",
                        help="A: the half rules were tuned on; B: the held-out half")
    parser.add_argument("--limit", type=int, help="only the first N pages of each set")
    parser.add_argument("--workers", type=int, default=1, help="processes (the machine is shared)")
    parser.add_argument("--systems", default=",".join(SYSTEMS),
                        help="comma-separated, from: " + ", ".join(SYSTEMS))
    parser.add_argument("--shingles", action="store_true", help="also word 4-gram F1")
    parser.add_argument("--losses", action="store_true",
                        help="instead of scores, list what the cleaner drops that the gold keeps")
    args = parser.parse_args()
    if not EXTRACTION.is_dir():
        sys.exit(f"{EXTRACTION}: evaluation data not found")
    subsets = SETS if args.set == "all" else (args.set,)
    todo = [p for s in subsets for p in pages(s, args.half, args.limit)]
    if args.losses:
        print(losses(todo))
        return
    start = time.perf_counter()
    systems = tuple(s for s in args.systems.split(",") if s)
    if unknown := set(systems) - set(SYSTEMS):
        sys.exit(f"unknown systems: {', '.join(sorted(unknown))}")
    results = evaluate(todo, args.workers, args.shingles, systems)
    print(table(results, args.shingles))
    print(f"\n{len(results)} pages in {time.perf_counter() - start:.0f} s; "
          f"halves by sha256(name): A tuned on, B held out")


if __name__ == "__main__":
    main()
