"""Map a function over many items on every core, or in this process when there are few.

Parsing posts (the index's refresh) and rendering them (before an export) are the two jobs
that pay for a pool; both stream their results in order, so a cold start never holds every
body in memory at once.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from typing import TypeVar

#: Below this many items, working in this process beats starting workers.
THRESHOLD = 2000
T = TypeVar("T")
A = TypeVar("A")
R = TypeVar("R")


def map_ordered(fn: Callable[[T, A], R], items: Sequence[T], arg: A, jobs: int) -> Iterator[R]:
    """``fn(item, arg)`` for each item, in order; on ``jobs`` processes when there are many.

    ``fn`` must be a module-level function and ``arg`` picklable: workers are started with
    forkserver, not fork, because a service calls this from a thread, and forking a process
    that runs threads can deadlock.
    """
    if len(items) < THRESHOLD or jobs < 2:
        for item in items:
            yield fn(item, arg)
        return
    with ProcessPoolExecutor(jobs, mp_context=get_context("forkserver")) as pool:
        yield from pool.map(fn, items, itertools.repeat(arg), chunksize=64)
