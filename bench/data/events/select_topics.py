"""The sample of DUC 2006 / 2007 topics relabelled at event grain, chosen content-blind.

Positions in the sorted cluster ids, fixed before anything was read: DUC 2006 0, 10, 20, 30,
40; DUC 2007 0, 9, 18, 27, 36 (every tenth / ninth topic, so both sets are spread evenly).

    python bench/data/events/select_topics.py     # prints set, topic, docno, date, path
"""

from __future__ import annotations

from pathlib import Path

EVAL = Path(__file__).resolve().parents[3].parent / "shared" / "eval"
POSITIONS = {"duc2006": (0, 10, 20, 30, 40), "duc2007": (0, 9, 18, 27, 36)}


def clusters(name: str, root: Path = EVAL) -> list[dict[str, str]]:
    """The rows of a set's clusters.tsv, as dicts keyed by its header."""
    rows = (root / name / "clusters.tsv").read_text().splitlines()
    header = rows[0].split("\t")
    return [dict(zip(header, line.split("\t"), strict=True)) for line in rows[1:]]


def sampled_topics(root: Path = EVAL) -> dict[str, list[str]]:
    """Set name -> the sampled cluster ids, by position in the sorted ids."""
    chosen: dict[str, list[str]] = {}
    for name, positions in POSITIONS.items():
        ids = sorted({row["cluster_id"] for row in clusters(name, root)})
        chosen[name] = [ids[p] for p in positions]
    return chosen


def sampled_rows(root: Path = EVAL) -> list[dict[str, str]]:
    """Every (set, topic, article) of the sample: an article in two topics appears under each."""
    out = []
    for name, topics in sampled_topics(root).items():
        keep = set(topics)
        out += [{"set": name, **row} for row in clusters(name, root) if row["cluster_id"] in keep]
    return out


if __name__ == "__main__":
    for row in sampled_rows():
        print("\t".join((row["set"], row["cluster_id"], row["docno"], row["date"], row["path"])))
