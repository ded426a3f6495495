"""Story grouping on labelled news, validated across sets: B-cubed P/R/F1, NMI, stories found.

Every article of a set is pooled and fed to digest's grouping in date order, one day per
batch (one transaction, as a run of `digest` would take them), through the real SQLite
store. digest is not told the number of stories.

A learned join decision (join_model.JoinModel) is trained and validated here against the
hand-set rule digest runs (join_model.HandRule, "before"). Leave one set out: the model is
trained on the other sets and tested online on the left-out one, for every set in turn; a
TF-IDF average-linkage clustering *told the true number of stories* is a reference.
Training examples are the candidate stories the index returns for each article (the TOP
closest by the rule's ratio), labelled by whether most of the story's articles share the
article's gold story, collected along three runs of each training set: every article sent
to its gold story (the states right decisions lead to), the hand rule deciding, and a looser
rule deciding (stories that swallowed other events). Each set weighs the same.

    python bench/eval_grouping.py                    # the leave-one-set-out table
    python bench/eval_grouping.py --write-model m.json   # ... and the model trained on all sets
    python bench/eval_grouping.py --sets duc,multiling --no-baseline

DUC 2007's update task is made of DUC 2007 articles: when either is left out, the other is
left out of training too.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

import evaldata

from digest import cluster, join_model
from digest.join_model import Candidates, JoinModel
from digest.models import Article
from digest.storage import Store

DUC_SETS = ("duc", "duc2006", "duc2007", "duc2007u")
KIN = {"duc2007": {"duc2007u"}, "duc2007u": {"duc2007"}}  # sets sharing articles


# -- running a set through the real store -------------------------------------------------
class Tracer:
    """Wraps a chooser; records each decision's candidates and their labels.

    A candidate is right when most of its articles share a gold story with the newcomer.
    With `forced`, the newcomer goes to its gold story whatever the chooser says.
    """

    needs_gap = True  # it records every feature

    def __init__(self, gold: Mapping[str, frozenset[str]], inner: cluster.Chooser | None,
                 forced: bool) -> None:
        self.gold, self.inner, self.forced = gold, inner, forced
        self.article: Article | None = None
        self.members: dict[str, Counter[str]] = defaultdict(Counter)  # story -> gold labels
        self.rows: list[np.ndarray] = []
        self.labels: list[np.ndarray] = []

    def _majority(self, story: str) -> str | None:
        counts = self.members.get(story)
        return counts.most_common(1)[0][0] if counts else None

    def choose(self, c: Candidates) -> str | None:
        assert self.article is not None
        mine = self.gold[self.article.id]
        right = np.array([self._majority(s) in mine for s in c.ids], dtype=bool)
        if c.ids:
            self.rows.append(join_model.feature_matrix(c))
            self.labels.append(right)
        if not self.forced:
            assert self.inner is not None
            return self.inner.choose(c)
        if right.any():  # the right candidate with the best cosine
            return c.ids[int(np.flatnonzero(right)[0])]
        # Its gold story may exist outside the candidates: join the biggest such story.
        stories = [s for s, counts in self.members.items() if self._majority(s) in mine]
        return max(stories, key=lambda s: sum(self.members[s].values())) if stories else None

    def placed(self, article: Article, story: str) -> None:
        self.members[story].update(self.gold[article.id])


def group(articles: list[Article], store: Store, chooser: cluster.Chooser | None = None,
          tracer: Tracer | None = None) -> dict[str, str]:
    """Article id -> story id, articles taken in one batch per day."""
    batches: dict[object, list[Article]] = defaultdict(list)
    for a in articles:
        batches[a.date.date() if a.date else None].append(a)
    for _, batch in batches.items():
        now = max((a.date for a in batch if a.date), default=datetime(2000, 1, 1))
        with store.transaction():
            for a in batch:
                if tracer is not None:
                    tracer.article = a
                story = cluster.place(store.index, a, now, chooser=tracer or chooser)
                if tracer is not None:
                    tracer.placed(a, story)
    return store.articles.story_of()


Decisions = list[tuple[np.ndarray, np.ndarray]]  # candidates x features, and their labels


# The runs whose decisions are learned from: the gold run, the hand rule's, and a looser
# rule's (stories that swallowed other events: the states an over-eager model leads to).
POLICIES: tuple[join_model.HandRule | None, ...] = (
    None, join_model.HandRule(), join_model.HandRule(share=0.4, single_bar=0.1))


def trace(evalset: evaldata.EvalSet, policy: join_model.HandRule | None) -> Decisions:
    """Each decision's candidates (features) and labels along one run of the set (policy None:
    every article goes to its gold story)."""
    forced = policy is None
    tracer = Tracer(evalset.gold, policy, forced)
    with tempfile.TemporaryDirectory() as tmp, Store(Path(tmp) / "state.sqlite") as store:
        group(evalset.articles, store, tracer=tracer)
    return list(zip(tracer.rows, tracer.labels, strict=True))


# -- scores -----------------------------------------------------------------------------
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


def score(pred: Mapping[str, str], gold: Mapping[str, frozenset[str]]) -> dict[str, float]:
    p, r, f = bcubed(pred, gold)
    # NMI needs one label per article: a doubly-labelled DUC article takes its first cluster.
    single = {i: min(labels) for i, labels in gold.items()}
    return {"articles": len(gold), "gold": len({g for s in gold.values() for g in s}),
            "found": len({pred[i] for i in gold}), "P": p, "R": r, "F1": f, "NMI": nmi(pred, single)}


def evaluate(evalset: evaldata.EvalSet, chooser: cluster.Chooser | None = None,
             limit: int | None = None) -> dict[str, float]:
    """Group the set's articles (the first `limit` in arrival order) and score them."""
    articles = evalset.articles[:limit] if limit else evalset.articles
    gold = {a.id: evalset.gold[a.id] for a in articles}
    with tempfile.TemporaryDirectory() as tmp, Store(Path(tmp) / "state.sqlite") as store:
        start = time.perf_counter()
        pred = group(articles, store, chooser)
        seconds = time.perf_counter() - start
    return {**score(pred, gold), "seconds": seconds}


def linkage_baseline(evalset: evaldata.EvalSet) -> dict[str, float]:
    """TF-IDF (sublinear, English stop words) + average linkage on cosine, told the true
    number of stories: not online, and given the answer's size."""
    from sklearn.cluster import AgglomerativeClustering
    from sklearn.feature_extraction.text import TfidfVectorizer

    articles = evalset.articles
    x = TfidfVectorizer(sublinear_tf=True, stop_words="english").fit_transform(
        [f"{a.title}\n{a.text}" for a in articles])
    k = len({g for s in evalset.gold.values() for g in s})
    labels = AgglomerativeClustering(n_clusters=k, metric="cosine", linkage="average").fit_predict(
        x.toarray())
    return score({a.id: str(label) for a, label in zip(articles, labels, strict=True)}, evalset.gold)


# -- training ---------------------------------------------------------------------------
TOP = 3  # candidates per decision to learn from: the close calls, not the many clear misses
RATIO = join_model.FEATURES.index("log_ratio")


def training_data(names: list[str], cache: dict[str, Decisions],
                  sets: Mapping[str, evaldata.EvalSet]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Features, labels and weights (each set weighs the same in total) of these sets."""
    xs, ys, ws = [], [], []
    for name in names:
        if name not in cache:
            cache[name] = [d for policy in POLICIES for d in trace(sets[name], policy)]
        top = [np.argsort(-x[:, RATIO], kind="stable")[:TOP] for x, _ in cache[name]]
        x = np.vstack([d[0][t] for d, t in zip(cache[name], top, strict=True)])
        y = np.concatenate([d[1][t] for d, t in zip(cache[name], top, strict=True)])
        xs.append(x)
        ys.append(y)
        ws.append(np.full(len(y), 1000.0 / len(y)))
    return np.vstack(xs), np.concatenate(ys), np.concatenate(ws)


def train(x: np.ndarray, y: np.ndarray, w: np.ndarray, threshold: float = 0.5) -> JoinModel:
    from sklearn.linear_model import LogisticRegression

    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale == 0] = 1.0
    fit = LogisticRegression(C=1.0, max_iter=2000).fit((x - mean) / scale, y, sample_weight=w)
    return JoinModel(mean, scale, fit.coef_[0].astype(np.float64), float(fit.intercept_[0]), threshold)


# -- report -----------------------------------------------------------------------------
def _cells(m: Mapping[str, float]) -> str:
    return f"{m['found']} | {m['P']:.3f} | {m['R']:.3f} | {m['F1']:.3f}"


def table(rows: list[tuple[str, dict[str, float], dict[str, float], dict[str, float] | None]]) -> str:
    out = ["| left-out set | articles | gold stories | before: found | P | R | F1 | "
           "after: found | P | R | F1 | NMI | linkage told k: F1 |",
           "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for name, before, after, base in rows:
        reference = f"{base['F1']:.3f}" if base else "—"
        out.append(f"| {name} | {after['articles']} | {after['gold']} | {_cells(before)} | "
                   f"{_cells(after)} | {after['NMI']:.3f} | {reference} |")
    return "\n".join(out)


def means(rows: list[tuple[str, dict[str, float], dict[str, float], dict[str, float] | None]],
          names: list[str]) -> str:
    duc = [r for n, r in zip(names, rows, strict=True) if n in DUC_SETS]
    if not duc:
        return ""
    b = sum(r[1]["F1"] for r in duc) / len(duc)
    a = sum(r[2]["F1"] for r in duc) / len(duc)
    return f"mean B3 F1 over the {len(duc)} DUC sets: before {b:.3f}, after {a:.3f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", default=",".join(evaldata.GROUPING_SETS),
                        help="comma-separated, of " + ", ".join(evaldata.GROUPING_SETS))
    parser.add_argument("--no-baseline", action="store_true", help="skip the linkage baseline")
    parser.add_argument("--write-model", type=Path, metavar="JSON",
                        help="also train on all sets and write the model's coefficients here")
    args = parser.parse_args()
    names = args.sets.split(",")
    every = list(evaldata.GROUPING_SETS)
    sets = {n: evaldata.load(n) for n in every}
    cache: dict[str, Decisions] = {}
    rows = []
    for name in names:
        evalset = sets[name]
        before = evaluate(evalset, join_model.HandRule())
        train_on = [n for n in every if n != name and n not in KIN.get(name, set())]
        model = train(*training_data(train_on, cache, sets))
        after = evaluate(evalset, model)
        base = None if args.no_baseline else linkage_baseline(evalset)
        rows.append((evalset.name, before, after, base))
        print(f"{evalset.name}: before F1 {before['F1']:.3f}, after {after['F1']:.3f}", file=sys.stderr)
    print(table(rows))
    print(means(rows, names))
    if args.write_model:
        model = train(*training_data(every, cache, sets))
        args.write_model.write_text(json.dumps(model.to_json(), indent=1) + "\n", encoding="utf-8")
        print(f"wrote {args.write_model}", file=sys.stderr)


if __name__ == "__main__":
    main()
