"""A cache for what a site repeats over its posts (a category's name, a front matter line such
as ``layout: post``), bounded in what it holds and not only in how many: a key too long to be a
repeated name is worked out each time, so that posts with megabytes of title cannot fill a
worker's memory through it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TypeVar

K = TypeVar("K", str, tuple[str, ...])
V = TypeVar("V")

#: Keys longer than this many characters are not cached.
LONGEST = 256


def repeated(maxsize: int) -> Callable[[Callable[[K], V]], Callable[[K], V]]:
    """An LRU cache of ``maxsize`` results of a function of one string, or tuple of strings, of
    at most :data:`LONGEST` characters in all; the function itself for longer ones."""

    def wrap(fn: Callable[[K], V]) -> Callable[[K], V]:
        cached = functools.lru_cache(maxsize=maxsize)(fn)

        @functools.wraps(fn)
        def call(key: K) -> V:
            size = len(key) if isinstance(key, str) else sum(map(len, key), len(key))
            return cached(key) if size <= LONGEST else fn(key)

        return call

    return wrap
