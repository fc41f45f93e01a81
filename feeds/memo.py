"""Caches for what a site repeats over its posts (a category's name, a front matter line such
as ``layout: post``), bounded in what they hold and not only in how many: a key too long to be
a repeated name is worked out each time, so that posts with megabytes of title cannot fill a
worker's memory through them.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TypeVar

V = TypeVar("V")

#: Keys longer than this many characters are not cached.
LONGEST = 256


def by_text(maxsize: int) -> Callable[[Callable[[str], V]], Callable[[str], V]]:
    """An LRU cache of ``maxsize`` results of a function of one string of at most
    :data:`LONGEST` characters; the function itself for longer ones."""

    def wrap(fn: Callable[[str], V]) -> Callable[[str], V]:
        cached = functools.lru_cache(maxsize=maxsize)(fn)

        @functools.wraps(fn)
        def call(key: str) -> V:
            return cached(key) if len(key) <= LONGEST else fn(key)

        return call

    return wrap


def by_names(
    maxsize: int,
) -> Callable[[Callable[[tuple[str, ...]], V]], Callable[[tuple[str, ...]], V]]:
    """:func:`by_text` for a function of a tuple of strings, counting all their characters."""

    def wrap(fn: Callable[[tuple[str, ...]], V]) -> Callable[[tuple[str, ...]], V]:
        cached = functools.lru_cache(maxsize=maxsize)(fn)

        @functools.wraps(fn)
        def call(key: tuple[str, ...]) -> V:
            return cached(key) if sum(map(len, key), len(key)) <= LONGEST else fn(key)

        return call

    return wrap
