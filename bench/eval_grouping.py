"""Story grouping on labelled news: B-cubed precision/recall/F1, NMI, stories found.

Every article of a set is pooled and fed to digest's grouping in date order,
one day per batch (one transaction, as a run of `digest` would take them),
through the real SQLite store. digest is not told the number of stories.

    python bench/eval_grouping.py            # both sets
    python bench/eval_grouping.py --set duc --limit 100
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import evaldata

from digest import cluster
from digest.storage import Store


def group(articles: list, store: Store) -> dict[str, str]:
    """Article id -> story id, articles taken in one batch per day."""
    batches: dict[object, list] = defaultdict(list)
    for a in articles:
        batches[a.date.date() if a.date else None].append(a)
    for _, batch in batches.items():
        now = max((a.date for a in batch if a.date), default=datetime(2000, 1, 1))
        with store.transaction():
            for a in batch:
                cluster.place(store.index, a, now)
    return store.articles.story_of()


def bcubed(pred: Mapping[str, str], gold: Mapping[str, frozenset[str]]) -> tuple[float, float, float]:
    """Extended B-cubed (Amigo et al. 2009): gold may give an article several stories."""
    by_pred: dict[str, list[str]] = defaultdict(list)
    for i in gold:
        by_pred[pred[i]].append(i)
    by_gold: dict[str, set[str]] = defaultdict(set)
    for i, labels in gold.items():
        for label in labels:
            by_gold[label].add(i)
    p_sum = r_sum = 0.0
    for i in gold:
        same_pred = by_pred[pred[i]]
        p_sum += sum(min(1, len(gold[i] & gold[j])) for j in same_pred) / len(same_pred)
        same_gold = set().union(*(by_gold[g] for g in gold[i]))
        r_sum += sum(1 for j in same_gold if pred[j] == pred[i]) / len(same_gold)
    p, r = p_sum / len(gold), r_sum / len(gold)
    return p, r, 2 * p * r / (p + r) if p + r else 0.0


def nmi(pred: Mapping[str, str], gold: Mapping[str, str]) -> float:
    """Normalised mutual information (arithmetic mean of the entropies)."""
    n = len(gold)
    joint = Counter((pred[i], gold[i]) for i in gold)
    cp, cg = Counter(pred[i] for i in gold), Counter(gold.values())
    mi = sum(c / n * math.log(c * n / (cp[a] * cg[b])) for (a, b), c in joint.items())
    hp = -sum(c / n * math.log(c / n) for c in cp.values())
    hg = -sum(c / n * math.log(c / n) for c in cg.values())
    return 2 * mi / (hp + hg) if hp + hg else 1.0


def evaluate(evalset: evaldata.EvalSet, limit: int | None = None) -> dict[str, float]:
    """Group the set's articles (the first `limit` in arrival order) and score them."""
    articles = evalset.articles[:limit] if limit else evalset.articles
    gold = {a.id: evalset.gold[a.id] for a in articles}
    with tempfile.TemporaryDirectory() as tmp, Store(Path(tmp) / "state.sqlite") as store:
        start = time.perf_counter()
        pred = group(articles, store)
        seconds = time.perf_counter() - start
    p, r, f = bcubed(pred, gold)
    # NMI needs one label per article: a doubly-labelled DUC article takes its first cluster.
    single = {i: min(labels) for i, labels in gold.items()}
    return {"articles": len(articles), "gold": len({g for s in gold.values() for g in s}),
            "found": len({pred[i] for i in gold}), "P": p, "R": r, "F1": f,
            "NMI": nmi(pred, single), "seconds": seconds}


def table(rows: list[tuple[str, dict[str, float]]]) -> str:
    out = ["| set | articles | gold stories | stories found | B3 P | B3 R | B3 F1 | NMI | time |",
           "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for name, m in rows:
        out.append(f"| {name} | {m['articles']} | {m['gold']} | {m['found']} | {m['P']:.3f} | "
                   f"{m['R']:.3f} | {m['F1']:.3f} | {m['NMI']:.3f} | {m['seconds']:.1f} s |")
    return "\n".join(out)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", choices=["duc", "multiling", "both"], default="both")
    parser.add_argument("--limit", type=int, help="only the first N articles (smoke runs)")
    args = parser.parse_args()
    names = ["duc", "multiling"] if args.set == "both" else [args.set]
    rows = []
    for name in names:
        evalset = evaldata.load(name)
        rows.append((f"{evalset.name} pooled", evaluate(evalset, args.limit)))
    print(table(rows))


if __name__ == "__main__":
    main()
