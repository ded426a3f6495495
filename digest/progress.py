"""Progress of the long stages: a bar on a terminal, a count in the log every few seconds.

The pipeline only calls a `Progress` callback (stage, done, total); what a person sees is
decided here, so the pipeline stays free of terminal I/O.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Literal, Protocol

if TYPE_CHECKING:
    from rich.progress import TaskID

log = logging.getLogger(__name__)

Stage = Literal["ingest", "summaries"]
# Below these a run is over before a bar would help: no bar, no counts.
MIN_TOTAL: dict[Stage, int] = {"ingest": 300, "summaries": 100}
UNITS: dict[Stage, str] = {"ingest": "files", "summaries": "stories"}
LOG_EVERY = 10.0  # seconds between two counts in the log


class Progress(Protocol):
    def __call__(self, stage: Stage, done: int, total: int) -> None:
        """`done` of `total` items of `stage` are finished (called often: keep it cheap)."""


class LogCounts:
    """A count in the log every `every` seconds (and at the end) of a big stage."""

    def __init__(self, every: float = LOG_EVERY, clock: Callable[[], float] = time.monotonic) -> None:
        self.every, self.clock = every, clock
        self.last: dict[Stage, float] = {}

    def __call__(self, stage: Stage, done: int, total: int) -> None:
        if total < MIN_TOTAL[stage]:
            return
        now = self.clock()
        if stage not in self.last:
            self.last[stage] = now
        elif done >= total or now - self.last[stage] >= self.every:
            self.last[stage] = now
            log.info("%s: %d of %d %s", stage, done, total, UNITS[stage])
        if done >= total:
            del self.last[stage]


@contextmanager
def terminal_bar() -> Iterator[Progress]:
    """A rich progress bar on stderr for each big stage; removed when the stage is done."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, TextColumn, TimeRemainingColumn
    from rich.progress import Progress as Bars

    bars = Bars(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                TimeRemainingColumn(), console=Console(stderr=True), transient=True,
                redirect_stdout=False)
    tasks: dict[Stage, TaskID] = {}

    def update(stage: Stage, done: int, total: int) -> None:
        if total < MIN_TOTAL[stage]:
            return
        if stage not in tasks:
            tasks[stage] = bars.add_task(f"{stage} ({UNITS[stage]})", total=total)
        bars.update(tasks[stage], completed=done, total=total)
        if done >= total:
            bars.remove_task(tasks.pop(stage))

    with bars:
        yield update


@contextmanager
def reporter(on_terminal: bool) -> Iterator[Progress]:
    """The Progress for this run: a bar on a terminal, else counts in the log."""
    if on_terminal:
        with terminal_bar() as update:
            yield update
    else:
        yield LogCounts()
