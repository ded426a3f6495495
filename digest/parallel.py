"""One ordered parallel map: the only module that touches process pools.

`ordered_map(fn, items, plan)` is `map(fn, items)` spread over worker processes, with the
contract of the plain loop it replaces:
  - results come out in the order of the items, whatever the timing;
  - when fn raises, every result before that item is yielded first, then its exception is
    raised (from a worker as from this process), and nothing after it is yielded;
  - few items (below `plan.min_items`), no workers, or no fork() here: fn runs in this
    process, item by item, and nothing else differs;
  - memory stays bounded: items are pulled from the iterable only as chunks go out (a lazy
    iterable stays lazy), and at most `plan.ahead` chunks are in workers at once.

Workers are forked (they start at once, with everything imported), and only from a
single-threaded process: the daemon's jobs run in threads, so there the map runs in-process.
A worker dies with its parent, even on kill -9.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from itertools import islice
from typing import TypeVar

T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class Plan:
    """How one map spreads over processes."""

    workers: int  # worker processes (0: everything in this process)
    min_items: int  # fewer items than this: in this process (a pool costs more than it saves)
    chunk: int  # items per chunk sent to a worker
    ahead: int  # chunks in workers at once: enough to keep them busy, little held in memory
    # First chunks of 1, 2, 4, ... items up to `chunk`: the first result comes soon while the
    # worker starts cold.
    ramp: bool = False
    # From this many items on, this process maps the next chunk itself whenever the worker has
    # not finished the head one (when both take as long per item, neither waits). None: never.
    share_from: int | None = None
    share_ahead: int = 64  # chunks mapped here ahead of their turn, at most


def ordered_map(fn: Callable[[T], R], items: Iterable[T], plan: Plan, *,
                count: int | None = None) -> Iterator[R]:
    """fn of each item, in order; in worker processes when the plan and the count allow.

    `count` is the number of items when `items` has no len() (a lazy iterable).
    fn must be a module-level function (it is sent to the workers by name).
    """
    n = len(items) if count is None else count  # type: ignore[arg-type]
    if n < plan.min_items or plan.workers < 1 or not can_fork():
        return map(fn, items)
    return _pooled(fn, iter(items), plan, share=plan.share_from is not None
                   and n >= plan.share_from)


def can_fork() -> bool:
    """Workers are forked: only where fork exists and from a single-threaded process."""
    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1


@dataclass(frozen=True)
class _Done:
    """A chunk's results up to its first failure, and that failure (None: all done)."""

    results: list[object]
    error: Exception | None


def _map_chunk(fn: Callable[[T], R], chunk: list[T]) -> _Done:
    results: list[object] = []
    try:
        for item in chunk:
            results.append(fn(item))
    except Exception as e:  # raised in its turn, after the results before it
        return _Done(results, e)
    return _Done(results, None)


def _chunks(items: Iterator[T], plan: Plan) -> Iterator[list[T]]:
    size = 1 if plan.ramp else plan.chunk
    while chunk := list(islice(items, size)):
        yield chunk
        size = min(2 * size, plan.chunk)


def _pooled(fn: Callable[[T], R], items: Iterator[T], plan: Plan, *,
            share: bool) -> Iterator[R]:
    chunks = _chunks(items, plan)
    with ProcessPoolExecutor(plan.workers, mp_context=multiprocessing.get_context("fork"),
                             initializer=_worker_init, initargs=(os.getpid(),)) as pool:
        # In order: a chunk given to a worker, or one mapped here.
        slots: deque[Future[_Done] | _Done] = deque()
        in_flight = 0

        def send() -> None:
            nonlocal in_flight
            while in_flight < plan.ahead and (chunk := next(chunks, None)) is not None:
                slots.append(pool.submit(_map_chunk, fn, chunk))
                in_flight += 1

        send()
        while slots:
            head = slots[0]
            if (share and isinstance(head, Future) and not head.done()
                    and len(slots) < plan.share_ahead
                    and (chunk := next(chunks, None)) is not None):
                slots.append(_map_chunk(fn, chunk))  # rather than wait
                continue
            slots.popleft()
            if isinstance(head, Future):
                done = head.result()
                in_flight -= 1
            else:
                done = head
            send()
            yield from done.results  # type: ignore[misc]
            if done.error is not None:
                raise done.error


def _worker_init(parent: int) -> None:
    """A worker dies with its parent (even on kill -9), never lingering on its own."""
    try:
        import ctypes
        import signal
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:
        os._exit(1)
