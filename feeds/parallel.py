"""Map a function over many items on every core, or in this process when there are few.

Parsing posts (the index's refresh), rendering them and writing an export's files are the
jobs that pay for a pool; they stream their results in order, so a cold start never holds
every body in memory at once.
"""

from __future__ import annotations

import collections
import contextlib
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from concurrent.futures import Future
    from multiprocessing.connection import Connection
    from multiprocessing.context import BaseContext

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
    # Only where a pool is started: a refresh or an export with little to do starts none.
    from concurrent.futures import ProcessPoolExecutor

    context = _context()
    # This process alone holds the pipe's write end; each worker watches the read end.
    lifeline, held = context.Pipe(duplex=False)
    pool = ProcessPoolExecutor(
        jobs, mp_context=context, initializer=_end_with, initargs=(lifeline,)
    )
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
        held.close()
        lifeline.close()


def start_early() -> None:
    """Start the fork server that :func:`map_ordered`'s pools fork their workers from, for a
    caller that knows a pool is coming: it imports :data:`_PRELOAD` (a quarter of a second)
    on another core while the caller goes on."""
    from multiprocessing import forkserver

    _context()
    forkserver.ensure_running()


def _context() -> BaseContext:
    """The forkserver context, with the modules its server imports once."""
    from multiprocessing import get_context

    context = get_context("forkserver")
    context.set_forkserver_preload(_PRELOAD)
    return context


def _apply(fn: Callable[[T, A], R], chunk: Sequence[T], arg: A) -> list[R]:
    return [fn(item, arg) for item in chunk]


def _end_with(lifeline: Connection) -> None:
    """Make this worker end the moment the process that started the pool does, however it
    ends: a killed export must not leave workers writing files behind it, nor processes.

    A worker's parent is the fork server, not that process, and the fork server lives for as
    long as any process holds its "alive" pipe, which every worker inherits; a worker of a
    killed pool waits for work forever, and it, the fork server and the resource tracker
    outlive the export. Only the pool's owner holds ``lifeline``'s write end, so the read
    end sees end-of-file when the owner is gone; on a normal shutdown the workers have
    exited before the owner closes it."""
    threading.Thread(target=_exit_at_eof, args=(lifeline,), daemon=True).start()


def _exit_at_eof(lifeline: Connection) -> None:
    with contextlib.suppress(EOFError, OSError):
        lifeline.recv_bytes()  # nothing is ever sent: returns when the write end is gone
    os._exit(1)
