"""Grouping at event grain on ten DUC 2006 / 2007 topics relabelled by events (bench/data/events).

The sampled articles are pooled and fed to digest's real grouping in date order, one day per
batch, through the real SQLite store, exactly as bench/eval_grouping.py does
(`evaluate(evalset, join_model.HandRule())`); digest is not told the number of stories. The
same run is scored against the event labels and against the original topic labels; each topic
is also grouped alone, and the pooled run is scored topic by topic.

    python bench/eval_events.py            # markdown tables on stdout
    python bench/eval_events.py --labels bench/data/events/labels_b.tsv   # the second reader's
    python bench/eval_events.py --agree bench/data/events/labels_b.tsv    # how the readers agree
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
import tempfile
from collections import defaultdict
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import evaldata
import events_data
from eval_grouping import evaluate, group, linkage_baseline, score

from digest import join_model
from digest.storage import Store

ROOTS = {"duc2006": (evaldata.DUC2006, "DUC 2006"), "duc2007": (evaldata.DUC2007, "DUC 2007")}


def sample_sets(labels: list[events_data.Label]) -> tuple[evaldata.EvalSet, evaldata.EvalSet]:
    """The sample as two EvalSets over the same articles: gold = events, and gold = topics."""
    wanted = {lab.docno for lab in labels}
    articles = []
    for root, name in ROOTS.values():
        articles += [a for a in evaldata.load_duc_main(root, name).articles if a.path in wanted]
    articles.sort(key=lambda a: (a.date or datetime.min, a.path))
    by_doc: dict[str, list[events_data.Label]] = defaultdict(list)
    for lab in labels:
        by_doc[lab.docno].append(lab)
    events = {a.id: frozenset(lab.key for lab in by_doc[a.path]) for a in articles}
    topics = {a.id: frozenset(lab.topic for lab in by_doc[a.path]) for a in articles}

    def evalset(name: str, gold: dict[str, frozenset[str]]) -> evaldata.EvalSet:
        members: dict[str, list[str]] = defaultdict(list)
        for aid, keys in gold.items():
            for key in keys:
                members[key].append(aid)
        return evaldata.EvalSet(name, articles, gold, dict(members), {}, 250)

    return evalset("sample, events", events), evalset("sample, topics", topics)


def subset(evalset: evaldata.EvalSet, topics: set[str], topic_gold: evaldata.EvalSet) -> evaldata.EvalSet:
    """The set's articles that belong to one of `topics`, with their gold."""
    ids = {a.id for a in evalset.articles if topic_gold.gold[a.id] & topics}
    return dataclasses.replace(evalset, articles=[a for a in evalset.articles if a.id in ids],
                               gold={i: g for i, g in evalset.gold.items() if i in ids})


def spans(labels: list[events_data.Label]) -> dict[str, list[int]]:
    """Topic -> the span in days (first to last article) of each multi-article event."""
    dates: dict[str, list[datetime]] = defaultdict(list)
    for lab in labels:
        dates[lab.key].append(datetime.strptime(lab.date, "%Y%m%d"))
    out: dict[str, list[int]] = defaultdict(list)
    for key, ds in dates.items():
        if len(ds) > 1:
            out[key.split(":")[0]].append((max(ds) - min(ds)).days)
    return out


def cells(m: dict[str, float]) -> str:
    return f"{m['P']:.3f} | {m['R']:.3f} | {m['F1']:.3f} | {m['found']:.0f}"


def checked(path: Path) -> list[events_data.Label]:
    labels = events_data.load(path)
    problems = events_data.validate(labels)
    if problems:
        sys.exit(f"{path} is not valid:\n" + "\n".join(problems))
    return labels


def agreement(first: list[events_data.Label], second: list[events_data.Label]) -> None:
    """B-cubed of the second reader's events against the first's (F1 is symmetric: P and R swap
    when the readers do), pooled and topic by topic, and the events each reader found."""
    a = {(lab.topic, lab.docno): lab.key for lab in first}
    b = {(lab.topic, lab.docno): lab.key for lab in second}
    print("| topic | articles | events, first reader | events, second reader | B-cubed P / R / F1 "
          "(second against first) |")
    print("|---|---|---|---|---|")
    for topic in [*sorted({t for t, _ in a}), None]:
        keys = [k for k in a if topic is None or k[0] == topic]
        m = score({f"{k}": b[k] for k in keys}, {f"{k}": frozenset([a[k]]) for k in keys})
        name = topic or "all ten, pooled"
        print(f"| {name} | {len(keys)} | {len({a[k] for k in keys})} | {len({b[k] for k in keys})} | "
              f"{m['P']:.3f} / {m['R']:.3f} / {m['F1']:.3f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--labels", type=Path, default=events_data.DATA / "labels.tsv",
                        help="the event labels to score against (default: the first reader's)")
    parser.add_argument("--agree", type=Path, metavar="TSV",
                        help="only print how these labels agree with --labels")
    args = parser.parse_args()
    labels = checked(args.labels)
    if args.agree:
        agreement(labels, checked(args.agree))
        return
    by_event, by_topic = sample_sets(labels)
    rule = join_model.HandRule()

    print("| run | articles | events | topics | vs events P / R / F1 / found "
          "| vs topics P / R / F1 / found |")
    print("|---|---|---|---|---|---|")
    pooled_e, pooled_t = evaluate(by_event, rule), evaluate(by_topic, rule)
    print(f"| pooled, 10 topics | {pooled_e['articles']:.0f} | {pooled_e['gold']:.0f} | "
          f"{pooled_t['gold']:.0f} | {cells(pooled_e)} | {cells(pooled_t)} |")
    for name in ("duc2006", "duc2007"):
        topics = {lab.topic for lab in labels if lab.set == name}
        e = evaluate(subset(by_event, topics, by_topic), rule)
        t = evaluate(subset(by_topic, topics, by_topic), rule)
        print(f"| pooled, {name} 5 topics | {e['articles']:.0f} | {e['gold']:.0f} | "
              f"{t['gold']:.0f} | {cells(e)} | {cells(t)} |")

    # the pooled run once more, scored topic by topic (the same grouping: deterministic)
    with tempfile.TemporaryDirectory() as tmp, Store(Path(tmp) / "state.sqlite") as store:
        pred = group(by_event.articles, store, rule)
    span = spans(labels)
    print()
    print("| topic | events (singletons) | median span of a multi-article event, days | "
          "alone: vs events P / R / F1 / found | pooled run, this topic: vs events F1 / found |")
    print("|---|---|---|---|---|")
    for topic in sorted({lab.topic for lab in labels}):
        part = subset(by_event, {topic}, by_topic)
        alone = evaluate(part, rule)
        in_pool = score({a.id: pred[a.id] for a in part.articles}, part.gold)
        events: dict[str, int] = defaultdict(int)
        for lab in labels:
            if lab.topic == topic:
                events[lab.event] += 1
        singles = sum(1 for n in events.values() if n == 1)
        med = f"{statistics.median(span[topic]):.0f} ({len(span[topic])})" if span[topic] else "-"
        print(f"| {topic} | {len(events)} ({singles}) | {med} | {cells(alone)} | "
              f"{in_pool['F1']:.3f} / {in_pool['found']:.0f} |")
    # the same pooled run scored without the `general-*` articles (singletons by the guideline),
    # and without the articles whose label was a hard call (the finding should not rest on them)
    by_doc = {a.path: a.id for a in by_event.articles}
    general = {by_doc[lab.docno] for lab in labels if lab.event.startswith("general-")}
    hard = {by_doc[lab.docno] for lab in labels if lab.hard}
    print()
    for left_out, why in ((general, "general-*"), (hard, "hard calls")):
        keep = [a.id for a in by_event.articles if a.id not in left_out]
        e = score({i: pred[i] for i in keep}, {i: by_event.gold[i] for i in keep})
        t = score({i: pred[i] for i in keep}, {i: by_topic.gold[i] for i in keep})
        print(f"pooled run, {len(keep)} articles ({why} left out of scoring): "
              f"vs events {cells(e)}; vs topics {cells(t)}")
    stories: dict[str, list[datetime]] = defaultdict(list)
    for a in by_event.articles:
        if a.date:
            stories[pred[a.id]].append(a.date)
    story_spans = [(max(ds) - min(ds)).days for ds in stories.values() if len(ds) > 1]
    print(f"digest's multi-article stories in the pooled run: {len(story_spans)}, median span "
          f"{statistics.median(story_spans):.0f} days (max {max(story_spans)})")
    base_e, base_t = linkage_baseline(by_event), linkage_baseline(by_topic)
    print(f"reference, TF-IDF average linkage told the true number: vs events (k={base_e['gold']:.0f}) "
          f"{cells(base_e)}; vs topics (k={base_t['gold']:.0f}) {cells(base_t)}")
    every = [d for ds in span.values() for d in ds]
    print(f"\nmulti-article events: {len(every)}, median span {statistics.median(every):.0f} days "
          f"(max {max(every)}); events: {len({lab.key for lab in labels})} for 250 articles")


if __name__ == "__main__":
    main()
