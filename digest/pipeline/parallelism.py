"""How the CPU-bound stages of a run spread over processes (see digest.parallel)."""

from __future__ import annotations

import os
from dataclasses import dataclass

from digest import parallel

# Worker processes for the CPU-bound stages of a big run (summaries of many stories).
WORKERS = min(2, os.cpu_count() or 1)


# Reading, cleaning and vectorizing files: one worker while this process groups and writes;
# in a run of 1000 files or more, this process prepares a chunk itself whenever the worker
# has not finished the next one (the two take about as long per file, neither should wait).
FILES = parallel.Plan(workers=WORKERS - 1, min_items=100, chunk=16, ahead=3 * (WORKERS - 1),
                      ramp=True, share_from=1000, share_ahead=64)
# Summaries: each story on its own, spread over the cores (chunk and ahead are set per run
# from the number of stories, see _summarize_all).
STORIES = parallel.Plan(workers=WORKERS if WORKERS > 1 else 0, min_items=51, chunk=32, ahead=24)


@dataclass(frozen=True)
class Parallelism:
    """How the CPU-bound stages spread over processes (see digest.parallel)."""

    files: parallel.Plan = FILES
    stories: parallel.Plan = STORIES
    # Stories whose articles' headline terms are read at once: never the whole store's (at
    # 100,000 articles they would take most of a gigabyte).
    story_batch: int = 256


DEFAULT_PARALLELISM = Parallelism()
