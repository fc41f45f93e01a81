"""Map a function over many items on every core, or in this process when there are few.

Parsing posts (the index's refresh), rendering them and writing an export's files are the
jobs that pay for a pool; they stream their results in order, so a cold start never holds
every body in memory at once.
"""

from __future__ import annotations

import collections
import contextlib
import ctypes
import signal
import sys
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from multiprocessing import get_context
from typing import TypeVar

#: Below this many items, working in this process beats starting workers.
THRESHOLD = 2000
#: Chunks per worker submitted ahead of the one being consumed.
_IN_FLIGHT = 4
#: Imported once by the fork server, so that each worker starts with them loaded.
_PRELOAD = ["feeds.export", "feeds.jekyll.posts", "feeds.rendering"]
T = TypeVar("T")
A = TypeVar("A")
R = TypeVar("R")


def map_ordered(
    fn: Callable[[T, A], R],
    items: Sequence[T],
    arg: A,
    jobs: int,
    *,
    chunksize: int = 64,
    threshold: int = THRESHOLD,
) -> Iterator[R]:
    """``fn(item, arg)`` for each item, in order; on ``jobs`` processes when there are at least
    ``threshold`` items, sent ``chunksize`` at a time.

    ``fn`` must be a module-level function and ``arg`` picklable: workers are started with
    forkserver, not fork, because a service calls this from a thread, and forking a process
    that runs threads can deadlock. When ``fn`` raises, the items not started are dropped.
    """
    if len(items) < threshold or jobs < 2:
        for item in items:
            yield fn(item, arg)
        return
    context = get_context("forkserver")
    context.set_forkserver_preload(_PRELOAD)
    pool = ProcessPoolExecutor(jobs, mp_context=context, initializer=_die_with_parent)
    # At most a few chunks per worker in flight: when the consumer is the slower side (a cold
    # fill writing SQLite), results wait in the workers' queue, not all at once in memory.
    window: collections.deque[Future[list[R]]] = collections.deque()
    try:
        for start in range(0, len(items), chunksize):
            window.append(pool.submit(_apply, fn, items[start : start + chunksize], arg))
            if len(window) >= _IN_FLIGHT * jobs:
                yield from window.popleft().result()
        while window:
            yield from window.popleft().result()
    finally:
        pool.shutdown(cancel_futures=True)


def _apply(fn: Callable[[T, A], R], chunk: Sequence[T], arg: A) -> list[R]:
    return [fn(item, arg) for item in chunk]


def _die_with_parent() -> None:
    """Make this worker end with the fork server, which ends with the process that started
    the pool: a killed export must not leave workers writing files behind it (Linux only)."""
    if sys.platform == "linux":
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
