"""What reading claims with the dependency parse (bench/parse_reader) would cost the pipeline.

On bench/speed.py's synthetic corpus (same builder, same seed): how many sentences per article
reach the claim reader (the cheap gate `claims._units`), and the time per sentence of the rules
(`read_claims`), of spaCy's parse alone (`nlp.pipe`, batched) and of `parsed_claims` on parsed
sentences; then the start-up cost (import spaCy and load the model) in fresh processes.

    python bench/parse_cost.py --size 10000 --sample 3000
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import speed
from parse_reader import parsed

from digest import claims
from digest.models import Article


def corpus(size: int, seed: int = 1) -> list[Article]:
    """The articles bench/speed.py writes for `size`, built in memory."""
    rnd = random.Random(seed)
    bases = speed._base_stories()
    out: list[Article] = []
    story = 0
    while len(out) < size:
        base = bases[story % len(bases)]
        n = min(len(base), size - len(out))
        start = speed.START + speed.timedelta(days=len(out) / speed.PER_DAY)
        for i, (title, date, outlet, paragraphs) in enumerate(
                speed.synthetic_story(base, story // len(bases), n, start, rnd)):
            out.append(Article(id=f"{story:06d}_{i:02d}", path="", title=title, outlet=outlet,
                               date=date, author=None, url=None, text="\n\n".join(paragraphs)))
        story += 1
    return out


def timed(fn, *args) -> float:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    fn(*args)
    return time.perf_counter() - start


def startup(runs: int) -> list[float]:
    code = (f"import sys, time; sys.path.insert(0, {str(Path(__file__).resolve().parent)!r}); "
            "t = time.perf_counter(); from parse_reader import parsed; "
            "parsed.pipeline(); print(time.perf_counter() - t)")
    return [float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                 check=True).stdout) for _ in range(runs)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10000)
    parser.add_argument("--sample", type=int, default=3000, help="sentences timed")
    parser.add_argument("--runs", type=int, default=5, help="fresh processes for the start-up")
    args = parser.parse_args()
    articles = corpus(args.size)
    t_gate = time.perf_counter()
    units = [claims._units(a) for a in articles]
    t_gate = time.perf_counter() - t_gate
    flat = [u for us in units for u in us]
    sample = random.Random(3).sample(flat, min(args.sample, len(flat)))
    print(f"articles {len(articles)}, sentences reaching the reader {len(flat)} "
          f"({len(flat) / len(articles):.2f} per article; "
          f"{sum(1 for us in units if us) / len(articles):.0%} of articles have one); gate {t_gate:.1f} s")
    parsed.pipeline()  # (loaded before timing)
    rules = timed(lambda: [claims.read_claims(s) for s in sample])
    pipe = timed(parsed.prime, sample)
    reading = timed(lambda: [parsed.parsed_claims(s) for s in sample])
    parsed._docs.clear()
    one_by_one = timed(lambda: [parsed.parsed_claims(s) for s in sample[:500]])
    per = {"rules": rules / len(sample), "nlp.pipe": pipe / len(sample),
           "parsed_claims on parsed": reading / len(sample),
           "parsed_claims one call each": one_by_one / min(500, len(sample))}
    for name, sec in per.items():
        print(f"{name}: {1000 * sec:.2f} ms a sentence -> {sec * len(flat):.1f} s for "
              f"the {len(flat)} sentences of {len(articles)} articles")
    starts = startup(args.runs)
    print(f"import spaCy + load model: median {statistics.median(starts):.2f} s "
          f"({', '.join(f'{s:.2f}' for s in starts)})")


if __name__ == "__main__":
    main()
