"""RSSHub's filter parameters on every feed URL, parsed once into one canonical value.

``filter`` (title or description), ``filter_title``, ``filter_description``, ``filter_author``,
``filter_category`` keep an entry when their pattern matches; the ``filterout`` forms drop it;
``filter_case_sensitive`` (``true`` by default, as in RSSHub), ``filter_time`` (seconds: only
entries that recent) and ``brief`` (the entry as a plain-text summary of that many characters)
complete them. Patterns are regular expressions run by RE2, whose time is linear in the text:
no pattern can make a request slow. Each value is validated here, so a bad one is a 400 naming
its parameter, and written back in one spelling (:attr:`Filters.canonical`) for the cache key.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlencode

import re2

from .search import fold

#: The fields a pattern can look at, by parameter suffix; ``""`` is title or description.
FIELDS = ("", "_title", "_description", "_author", "_category")
#: Longest pattern accepted.
MAX_PATTERN = 500
#: The shortest and longest ``brief`` (RSSHub asks for at least 100).
BRIEF = (100, 100_000)
_TRUE, _FALSE = ("true", "1", "yes"), ("false", "0", "no")
#: The patterns that keep posts by their title or text: the index holds both.
_LOOKED_UP = ("filter", "filter_title", "filter_description")
#: What makes a pattern more than a plain word to RE2 (``|`` is split on first).
_SPECIAL = re2.compile(r"[\\.^$*+?()\[\]{}|\s]")


class FilterError(ValueError):
    """A filter value the service answers 400 to; the message starts with the parameter."""


@dataclass(frozen=True)
class Entry:
    """What a filter looks at in one post. Its text is read (decompressed, most of a filter's
    cost) and its authors parsed only when a pattern looks at them: a title or category filter
    never does."""

    title: str
    #: Reads the post's plain text, as UTF-8 (the index keeps it so, and RE2 reads that).
    read_text: Callable[[], bytes]
    #: Reads its authors' names.
    read_authors: Callable[[], tuple[str, ...]]
    categories: tuple[str, ...]

    @functools.cached_property
    def description(self) -> bytes:
        """The post's plain text as UTF-8, read once."""
        return self.read_text()

    @functools.cached_property
    def authors(self) -> tuple[str, ...]:
        """Its authors' names, read once."""
        return self.read_authors()


@dataclass(frozen=True, slots=True)
class Filters:
    """The filter parameters of one request, validated; the empty value filters nothing."""

    #: (parameter, pattern), sorted: ``filter…`` keeps, ``filterout…`` drops.
    patterns: tuple[tuple[str, str], ...] = ()
    case_sensitive: bool = True
    #: Only entries published in the last this many seconds (0: any).
    time: int = 0
    #: Entries as plain-text summaries of this many characters (0: as configured).
    brief: int = 0

    @property
    def canonical(self) -> str:
        """These filters as a query string in one spelling, percent-encoded: the cache key's
        part and the self link's (empty when there are none)."""
        parts = list(self.patterns)
        if self.patterns and not self.case_sensitive:
            parts.append(("filter_case_sensitive", "false"))
        parts += [("filter_time", str(self.time))] * bool(self.time) + [
            ("brief", str(self.brief))
        ] * bool(self.brief)
        return urlencode(parts, quote_via=quote)

    def __bool__(self) -> bool:
        return bool(self.patterns or self.time or self.brief)

    def required(self) -> tuple[tuple[str, ...], ...]:
        """What the index can look up for these filters: per pattern that keeps posts by title
        or text and is a plain word or words separated by ``|`` (``蔚来|理想``), those words
        folded, one of which a post must hold (:func:`feeds.search.fold`). A superset of what
        the pattern keeps, whatever its case option, so a scan checks only posts holding one."""
        found = []
        for name, value in self.patterns:
            words = value.split("|")
            if name in _LOOKED_UP and all(w and not _SPECIAL.search(w) for w in words):
                found.append(tuple(sorted({fold(w) for w in words})))
        return tuple(t for t in found if all(t))

    def matcher(self) -> Callable[[Entry], bool] | None:
        """Whether a post passes the patterns (``None``: no pattern to pass)."""
        if not self.patterns:
            return None
        options = re2.Options()
        options.case_sensitive = self.case_sensitive
        options.log_errors = False
        tests = [
            (
                p.startswith("filterout"),
                p.removeprefix("filterout").removeprefix("filter"),
                # Compiled from UTF-8, it is run on UTF-8 as it is: a text given as str would
                # be encoded again on every search.
                re2.compile(_utf8(v), options),
            )
            for p, v in self.patterns
        ]

        def passes(entry: Entry) -> bool:
            return all(_found(pattern, field, entry) != out for out, field, pattern in tests)

        return passes


def parse(args: Mapping[str, Sequence[str]]) -> Filters:
    """The filters among a request's query parameters (each name → its values); others are
    not looked at.

    Raises:
        FilterError: a parameter given twice or with a bad value; the message names it.
    """
    patterns = []
    options = re2.Options()
    options.log_errors = False
    for out in ("filter", "filterout"):
        for field in FIELDS:
            name = out + field
            value = _one(args, name)
            if value is None:
                continue
            if not value or len(value) > MAX_PATTERN:
                raise FilterError(
                    f"{name} must be a regular expression of 1 to {MAX_PATTERN} characters"
                )
            try:
                re2.compile(value, options)
            except re2.error as e:
                raise FilterError(
                    f"{name} is not a regular expression RE2 accepts: {_reason(e)}"
                ) from e
            patterns.append((name, value))
    case = _one(args, "filter_case_sensitive")
    if case is not None and case.lower() not in _TRUE + _FALSE:
        raise FilterError("filter_case_sensitive must be true or false")
    return Filters(
        tuple(sorted(patterns)),
        case is None or case.lower() in _TRUE,
        _number(args, "filter_time", 1, 100 * 366 * 86400),
        _number(args, "brief", *BRIEF),
    )


def _found(pattern: Any, field: str, entry: Entry) -> bool:
    if field == "_title":
        return pattern.search(_utf8(entry.title)) is not None
    if field == "_description":
        return pattern.search(entry.description) is not None
    if field == "_author":
        return any(pattern.search(_utf8(a)) is not None for a in entry.authors)
    if field == "_category":
        return any(pattern.search(_utf8(c)) is not None for c in entry.categories)
    return (
        pattern.search(_utf8(entry.title)) is not None
        or pattern.search(entry.description) is not None
    )


def _utf8(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


def _one(args: Mapping[str, Sequence[str]], name: str) -> str | None:
    values = args.get(name) or ()
    if len(values) > 1:
        raise FilterError(f"{name} must be given once")
    return values[0] if values else None


def _number(args: Mapping[str, Sequence[str]], name: str, low: int, high: int) -> int:
    value = _one(args, name)
    if value is None:
        return 0
    if not (value.isascii() and value.isdigit() and len(value) <= 10 and low <= int(value) <= high):
        raise FilterError(f"{name} must be a whole number from {low} to {high}")
    return int(value)


def _reason(e: Exception) -> str:
    text = e.args[0] if e.args else e
    return (text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text))[:200]
