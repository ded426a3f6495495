"""Train the claim reader's model (digest/claim_model.json) and cross-validate it by story.

    python bench/train_claims.py              # 5-fold story CV on dev+validation, then train on
                                              # all of it and write digest/claim_model.json
    python bench/train_claims.py --cv-only    # the folds only, nothing written
    python bench/train_claims.py --cv-only --dev-to-validation   # also learn dev, score validation
    python bench/train_claims.py --speed      # CPU of the figures stage, rules vs learned reader

Data: bench/data/claims/sentences.jsonl (or --data), splits dev and validation only; the test
split is never read here. Each sentence goes through `claims.proposals` (the hand rules'
claims, and every other count with a casualty word near it, once per subject): a candidate is
labelled with the role of the gold claim whose words it overlaps when that claim has the
candidate's subject, else `none`. A multinomial logistic regression (scikit-learn, L2, C below)
learns the four classes over the candidates' binary features (`claim_model.features`); only
features seen in at least MIN_COUNT candidates are kept. Folds are whole stories (the stories
sorted, shuffled with a fixed seed, dealt round-robin; the two DUC 2003 stories that share
articles go to one fold); each fold is scored with bench/eval_figures.py's matching, for the
model trained on the other folds and for the rules alone.
"""

from __future__ import annotations

import argparse
import functools
import json
import random
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from eval_figures import EVAL_FOLDERS, default_eval, load_story, read_jsonl, score_claims

from digest import claim_model, claims, figures

REPO = Path(__file__).resolve().parents[1]
C = 0.1  # inverse L2 strength: the best pooled fold score of 0.1 / 0.25 / 0.5 / 1 / 2 / 4
MIN_COUNT = 2
FOLDS = 5
SEED = 12
SAME_FOLD = {"d31038t": "d30005t"}  # these two stories share two NYT articles


def year_of(row: dict[str, Any]) -> int | None:
    return int(row["date"][:4]) if row.get("date") else None


def gold_spans(row: dict[str, Any]) -> list[tuple[int, int, dict[str, Any]]]:
    """Each gold claim's place in its sentence: the leftmost occurrence no other label holds
    and not inside a longer number (the labelled set's own placement rule)."""
    sentence = row["sentence"]
    taken: list[tuple[int, int]] = []
    out = []
    labels = [(g, True) for g in row["claims"]] + [(n, False) for n in row["not_claims"]]
    for label, is_claim in labels:
        pattern = re.compile(r"(?<![\d,.])" + re.escape(label["text"]) + r"(?![\d])")
        for m in pattern.finditer(sentence):
            if all(m.end() <= a or m.start() >= b for a, b in taken):
                taken.append((m.start(), m.end()))
                if is_claim:
                    out.append((m.start(), m.end(), label))
                break
    return out


def examples(rows: Sequence[dict[str, Any]]) -> tuple[list[dict[str, int]], list[str]]:
    """Every candidate of the rows' sentences, and its label."""
    X: list[dict[str, int]] = []
    y: list[str] = []
    for row in rows:
        reading = claims.proposals(row["sentence"], year=year_of(row))
        gold = gold_spans(row)
        for p in reading.proposals:
            hit = next((g for a, b, g in gold
                        if a < p.end and b > p.start and g["subject"] == p.claim.subject), None)
            X.append(dict.fromkeys(claim_model.features(reading.tokens, p.candidate, p.cues,
                                                        p.unit), 1))
            y.append(hit["role"] if hit else "none")
    return X, y


def fit(X: list[dict[str, int]], y: list[str], classes: Sequence[str], c: float
        ) -> claim_model.ClaimModel:
    """A (multinomial) logistic regression over the features seen MIN_COUNT times or more."""
    # (imported here: the labelling above is tested without the bench extras)
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    counts: Counter[str] = Counter(f for x in X for f in x)
    X = [{f: v for f, v in x.items() if counts[f] >= MIN_COUNT} for x in X]
    vec = DictVectorizer()
    matrix = vec.fit_transform(X)
    lr = LogisticRegression(C=c, max_iter=2000)
    lr.fit(matrix, y)
    found = [str(k) for k in lr.classes_]
    if len(found) == 2:  # scikit-learn keeps one row for two classes: the second one's score
        coef = [[-0.5 * w for w in lr.coef_[0]], [0.5 * w for w in lr.coef_[0]]]
        intercept = [-0.5 * lr.intercept_[0], 0.5 * lr.intercept_[0]]
    else:
        coef = [list(row) for row in lr.coef_]
        intercept = list(lr.intercept_)
    order = [found.index(k) if k in found else None for k in classes]
    names = vec.get_feature_names_out()
    weights = {str(f): tuple(float(coef[k][j]) if k is not None else 0.0 for k in order)
               for j, f in enumerate(names)}
    bias = tuple(float(intercept[k]) if k is not None else -20.0 for k in order)
    return claim_model.ClaimModel(weights, bias, tuple(classes))


def train(rows: Sequence[dict[str, Any]], c: float = C, *, rule_features: bool = True
          ) -> claim_model.ClaimModel:
    """The model over all candidates of rows; without rule_features, blind to what the hand
    rules said of each candidate (what a reader learnt from the labels alone does)."""
    X, y = examples(rows)
    if not rule_features:
        X = [{f: v for f, v in x.items() if not f.startswith("rule=")} for x in X]
    return fit(X, y, claim_model.CLASSES, c)


def folds(rows: Sequence[dict[str, Any]]) -> dict[str, int]:
    stories = sorted({r["story"] for r in rows} - set(SAME_FOLD))
    random.Random(SEED).shuffle(stories)
    fold = {s: i % FOLDS for i, s in enumerate(stories)}
    for s, with_ in SAME_FOLD.items():
        fold[s] = fold[with_]
    return fold


READERS = ("rules", "model_without_rule_features", "model")


def evaluate(parts: Sequence[tuple[str, Sequence[dict[str, Any]], Sequence[dict[str, Any]]]],
             c: float = C) -> dict[str, Any]:
    """Each part: a model trained on its training rows, scored on its held rows against the
    rules (P / R of current claims, scope checked and any scope), per part and pooled."""
    per_part = []
    pooled: dict[str, Counter[str]] = {name: Counter() for name in READERS}
    for part, rest, held in parts:
        models = {"model": train(rest, c),
                  "model_without_rule_features": train(rest, c, rule_features=False)}
        row: dict[str, Any] = {"part": part, "stories": len({r["story"] for r in held}),
                               "sentences": len(held)}
        for name in READERS:
            reader = claims.read_claims if name == "rules" else functools.partial(
                claims.learned_claims, model=models[name])
            scored = score_claims(list(held), False, reader=reader)["all"]
            any_scope = score_claims(list(held), False, scope=False, reader=reader)["all"]
            row[name] = {"P": scored["precision"], "R": scored["recall"],
                         "P_any": any_scope["precision"], "R_any": any_scope["recall"],
                         "gold": scored["gold"]}
            pooled[name].update({"tp": scored["tp"], "pred": scored["predicted"],
                                 "gold": scored["gold"], "tp_any": any_scope["tp"],
                                 "pred_any": any_scope["predicted"]})
        per_part.append(row)
    summary = {name: {"P": round(p["tp"] / p["pred"], 3), "R": round(p["tp"] / p["gold"], 3),
                      "P_any": round(p["tp_any"] / p["pred_any"], 3),
                      "R_any": round(p["tp_any"] / p["gold"], 3), **p}
               for name, p in pooled.items()}
    return {"C": c, "parts": per_part, "pooled": summary}


def cross_validate(rows: Sequence[dict[str, Any]], c: float = C) -> dict[str, Any]:
    """Story folds over dev and validation together."""
    fold_of = folds(rows)
    return evaluate([(f"fold {k}", [r for r in rows if fold_of[r["story"]] != k],
                      [r for r in rows if fold_of[r["story"]] == k]) for k in range(FOLDS)], c)


def speed(eval_root: Path, rounds: int = 3) -> dict[str, Any]:
    """CPU seconds of the figures stage (`figures.story_figures` on every story) over all DUC
    articles, with the rules and with the learned reader, alternated; the median of `rounds`."""
    stories = []
    for set_name in ("duc2003", "duc2006", "duc2007"):
        lines = (eval_root / EVAL_FOLDERS[set_name] / "clusters.tsv").read_text().splitlines()
        for story in sorted({line.split("\t")[0] for line in lines[1:]}):
            stories.append(load_story(eval_root, set_name, story))
    readers = {"rules": claims.read_claims, "model": claims.learned_claims}
    times: dict[str, list[float]] = {name: [] for name in readers}
    lines_out: dict[str, int] = {}
    try:
        for _ in range(rounds):
            for name, reader in readers.items():
                claims.article.read_claims = reader  # type: ignore[assignment]
                start = time.process_time()
                lines_out[name] = sum(len(figures.story_figures(s)) for s in stories)
                times[name].append(time.process_time() - start)
    finally:
        claims.article.read_claims = readers["rules"]  # type: ignore[assignment]
    median = {name: statistics.median(t) for name, t in times.items()}
    return {"articles": sum(len(s) for s in stories), "stories": len(stories),
            "cpu_s": {n: [round(x, 3) for x in t] for n, t in times.items()},
            "median_s": {n: round(x, 3) for n, x in median.items()},
            "ratio": round(median["model"] / median["rules"], 2), "figure_lines": lines_out}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=REPO / "bench" / "data" / "claims")
    parser.add_argument("--cv-only", action="store_true")
    parser.add_argument("--c", type=float, nargs="*", default=[C],
                        help="inverse regularisation strength(s) to cross-validate")
    parser.add_argument("--out", type=Path, default=REPO / "digest" / claim_model.MODEL_FILE)
    parser.add_argument("--dev-to-validation", action="store_true",
                        help="also train on dev only and score validation")
    parser.add_argument("--no-rule-features", action="store_true",
                        help="train the written model blind to what the rules said (for study)")
    parser.add_argument("--speed", action="store_true",
                        help="time the figures stage on the DUC articles (rules vs model) only")
    parser.add_argument("--eval", type=Path, default=default_eval())
    args = parser.parse_args(argv)
    if args.speed:
        print(json.dumps(speed(args.eval), indent=1))
        return 0
    rows = [r for r in read_jsonl(args.data / "sentences.jsonl")
            if r["split"] in ("dev", "validation")]  # never the test split
    for c in args.c:
        print(json.dumps(cross_validate(rows, c), indent=1))
    if args.dev_to_validation:  # the splits' own protocol: learn on dev, check on validation
        print(json.dumps(evaluate([("dev -> validation",
                                    [r for r in rows if r["split"] == "dev"],
                                    [r for r in rows if r["split"] == "validation"])]), indent=1))
    if not args.cv_only:
        model = train(rows, rule_features=not args.no_rule_features)
        args.out.write_text(json.dumps(model.to_json(), separators=(",", ":"), sort_keys=True)
                            + "\n", encoding="utf-8")
        print(f"wrote {args.out} ({len(model.weights)} features)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
