"""digest.parallel.ordered_map keeps the contract of the plain loop it replaces: order kept,
an exception raised in its item's turn after every result before it, serial when small."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator

import pytest

from digest import parallel

SERIAL = parallel.Plan(workers=0, min_items=1, chunk=4, ahead=2)
WORKER = parallel.Plan(workers=1, min_items=1, chunk=4, ahead=2)
SHARED = parallel.Plan(workers=1, min_items=1, chunk=4, ahead=2, ramp=True, share_from=1)
PLANS = {"serial": SERIAL, "worker": WORKER, "shared": SHARED}


def square(n: int) -> tuple[int, int]:
    """n squared, and the process that computed it."""
    time.sleep(0.001)  # long enough that this process finds the worker busy now and then
    return n * n, os.getpid()


def fail_at_37(n: int) -> int:
    if n == 37:
        raise ValueError(f"item {n} is broken")
    return -n


@pytest.mark.parametrize("name", PLANS)
def test_results_come_in_the_order_of_the_items(name: str) -> None:
    out = list(parallel.ordered_map(square, range(200), PLANS[name], count=200))
    assert [r for r, _ in out] == [n * n for n in range(200)]
    pids = {pid for _, pid in out}
    if name == "serial":
        assert pids == {os.getpid()}
    elif name == "worker":
        assert os.getpid() not in pids and len(pids) == 1
    else:  # chunks mapped both here (while the worker was busy) and in the worker
        assert os.getpid() in pids and len(pids) == 2


@pytest.mark.parametrize("name", PLANS)
def test_an_exception_comes_in_its_turn_after_the_results_before_it(name: str) -> None:
    got: list[int] = []
    with pytest.raises(ValueError, match="item 37 is broken"):
        for r in parallel.ordered_map(fail_at_37, list(range(100)), PLANS[name]):
            got.append(r)
    assert got == [-n for n in range(37)]


def test_few_items_or_a_threaded_process_run_here() -> None:
    plan = parallel.Plan(workers=1, min_items=10, chunk=1, ahead=1)
    assert {pid for _, pid in parallel.ordered_map(square, range(9), plan)} == {os.getpid()}
    assert parallel.can_fork()
    release = threading.Event()
    other = threading.Thread(target=release.wait)
    other.start()
    try:  # fork() from a threaded process could copy a lock held by the other thread
        assert not parallel.can_fork()
        out = list(parallel.ordered_map(square, range(50), plan))
    finally:
        release.set()
        other.join()
    assert out == [(n * n, os.getpid()) for n in range(50)]


def test_items_are_pulled_only_as_chunks_go_out() -> None:
    pulled: list[int] = []

    def items() -> Iterator[int]:
        for n in range(10_000):
            pulled.append(n)
            yield n

    results = parallel.ordered_map(square, items(), WORKER, count=10_000)
    assert not pulled  # nothing happens before the first result is asked for
    assert next(results)[0] == 0
    # The chunks in flight, and the one sent when the first came back: 3 chunks of 4.
    assert len(pulled) <= 3 * WORKER.chunk
    results.close()  # type: ignore[attr-defined]
