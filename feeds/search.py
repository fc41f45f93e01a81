"""The keyword query language of ``/search.<fmt>?q=``, and the text it is matched against.

A query is words separated by white space, each of which must occur; ``"…"`` keeps words
together as one phrase; ``-word`` or ``-"…"`` must not occur. A word occurs in a post when it
is a substring of the post's title or of its body's plain text, case folded and with every run
of white space made one space: there is no word segmentation, so a Chinese query of one or two
characters finds every post that contains it. The index (:mod:`feeds.index.search`) finds the
candidates with an n-gram table and checks them with :meth:`Query.matches`; tests check it
against a plain scan.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import quote

#: Longest query accepted, in characters: a feed is a standing question, not a document.
MAX_QUERY = 200
#: Most words (and phrases) in one query.
MAX_TERMS = 16
_TERM = re.compile(r'(-?)(?:"([^"]*)"?|(\S+))')


class QueryError(ValueError):
    """A query the service answers 400 to; the message names what is wrong."""


@dataclass(frozen=True, slots=True)
class Query:
    """A parsed query: folded terms, each without leading or trailing space, sorted and without
    duplicates, so two spellings of one question are one value (and one cache key)."""

    #: Every one must occur.
    include: tuple[str, ...]
    #: None may occur.
    exclude: tuple[str, ...] = ()

    @property
    def canonical(self) -> str:
        """The query written back in one spelling: what keys the cache and the self link."""
        return " ".join([*map(_written, self.include), *("-" + _written(t) for t in self.exclude)])

    @property
    def href(self) -> str:
        """``q=…`` percent-encoded, for a link."""
        return "q=" + quote(self.canonical, safe="")

    def matches(self, text: str) -> bool:
        """Whether a post whose :func:`searchable` text is ``text`` answers the query."""
        text = text.lower()
        return all(t in text for t in self.include) and not any(t in text for t in self.exclude)

    def in_utf8(self) -> Callable[[bytes], bool]:
        """:meth:`matches` for the UTF-8 of a searchable text, as the index keeps it. When no
        term holds a character that folding can make of another (:func:`_caseless`: Chinese,
        digits, punctuation), a term occurs in the folded text exactly when its UTF-8 occurs in
        the text's, and the text is neither decoded nor folded: a third of a check's cost."""
        if all(_caseless(t) for t in (*self.include, *self.exclude)):
            include = [t.encode() for t in self.include]
            exclude = [t.encode() for t in self.exclude]
            return lambda raw: all(t in raw for t in include) and not any(t in raw for t in exclude)
        return lambda raw: self.matches(raw.decode("utf-8", "surrogatepass"))


def parse(q: str) -> Query:
    """The query of the text of ``q``.

    Raises:
        QueryError: empty, too long, too many words, no word to look for, or a character that
            is not text (a control character).
    """
    if len(q) > MAX_QUERY:
        raise QueryError(f"q must be at most {MAX_QUERY} characters")
    if any(
        (ord(c) < 32 and c not in "\t\n\r") or 0x7F <= ord(c) < 0xA0 or 0xD800 <= ord(c) < 0xE000
        for c in q
    ):
        raise QueryError("q must be text: no control characters")
    include: set[str] = set()
    exclude: set[str] = set()
    for m in _TERM.finditer(q):
        term = fold(m.group(2) if m.group(2) is not None else m.group(3))
        if term:
            (exclude if m.group(1) else include).add(term)
    if not include:
        raise QueryError("q must name a word to look for")
    if len(include) + len(exclude) > MAX_TERMS:
        raise QueryError(f"q must have at most {MAX_TERMS} words")
    return Query(tuple(sorted(include)), tuple(sorted(exclude - include)))


def fold(text: str) -> str:
    """``text`` as matched: case folded (lower case), white space runs made one space, stripped."""
    return " ".join(text.lower().split())


def searchable(title: str, body: str) -> str:
    """What a post's words are matched against, folded: its title and body (plain text) on two
    lines, so no phrase runs from one into the other, each white space run made one space."""
    return " ".join(title.split()) + "\n" + " ".join(body.split())


def _caseless(term: str) -> bool:
    """Whether lower-casing makes no character of ``term`` out of another character: each is
    its own upper and lower case and is not U+0307, which ``İ`` lowers to (with ``i``). Every
    other character lowering makes changes when upper-cased (tests check all of Unicode)."""
    return all(c.lower() == c == c.upper() and c != "\u0307" for c in term)


def _written(term: str) -> str:
    return f'"{term}"' if " " in term or term.startswith("-") else term
