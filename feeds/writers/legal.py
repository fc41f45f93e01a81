"""Texts checked for the characters XML 1.0 forbids, once for all the formats of a feed, and the
rare feed or post that holds one cleaned."""

from __future__ import annotations

import dataclasses
import operator
from collections.abc import Container
from typing import Any, TypeVar

from feeds.content import strip_illegal_xml, xml_legal
from feeds.model import Author, Feed, Post

T = TypeVar("T", Feed, Post)
#: What a field holding text holds: a text, or a tuple of texts or of authors.
Text = str | Author | tuple[Any, ...]


def legal(feed: Feed, known: Container[Post] = ()) -> Feed:
    """``feed``, or a copy whose feed or posts holding a character XML 1.0 forbids are cleaned.
    Posts in ``known`` are legal already (:class:`feeds.writers.entry.Recent`).

    Every character written comes from these texts or from the writers' own ASCII, so checking
    the texts checks every document, once for all formats; cleaning a text that holds no such
    character changes nothing.
    """
    posts = tuple(p if p in known or _is_legal(p) else _cleaned(p) for p in feed.posts)
    if not _is_legal(feed):
        return dataclasses.replace(_cleaned(feed), posts=posts)
    changed = any(a is not b for a, b in zip(posts, feed.posts))
    return dataclasses.replace(feed, posts=posts) if changed else feed


#: Fields that are no text written as it is: a feed's posts, and the path of its alias, which
#: is written percent-encoded.
_NOT_TEXT = frozenset({"posts", "location"})
#: The fields of each that may hold text, looked up once.
_TEXT_FIELDS: dict[type, tuple[str, ...]] = {
    cls: tuple(f.name for f in dataclasses.fields(cls) if f.name not in _NOT_TEXT)
    for cls in (Feed, Post)
}


#: Those fields' values, read in one call.
_VALUES = {cls: operator.attrgetter(*names) for cls, names in _TEXT_FIELDS.items()}


def _texts(obj: Feed | Post) -> list[tuple[str, Text]]:
    """(name, value) of each field of a feed or post that holds text: a text, or a tuple of
    texts or authors."""
    values = zip(_TEXT_FIELDS[type(obj)], _VALUES[type(obj)](obj))
    return [(name, value) for name, value in values if isinstance(value, (str, tuple))]


def _is_legal(obj: Feed | Post) -> bool:
    """One search over all of a post's texts joined (a character is legal or not wherever it
    stands): every feed checks twenty posts, a site's export a hundred thousand."""
    texts: list[str] = []
    for _, value in _texts(obj):
        if type(value) is str:
            texts.append(value)
        else:
            _gather(value, texts)
    return xml_legal("".join(texts))


def _cleaned(obj: T) -> T:
    """A copy of a feed or post with every text cleaned (a feed's posts are left as they are)."""
    return dataclasses.replace(obj, **{name: _clean(value) for name, value in _texts(obj)})  # type: ignore[arg-type]


def _clean(value: Text) -> Text:
    """A text, an author, or each of a tuple of them, without the characters XML 1.0 forbids.
    Inputs are already clean (``content.py`` strips them from content); this only keeps a stray
    control character in a title or a name from breaking a whole feed."""
    if isinstance(value, str):
        return strip_illegal_xml(value)
    if isinstance(value, Author):
        return Author(*(strip_illegal_xml(v) for v in _author_texts(value)))
    return tuple(_clean(v) for v in value)


def _gather(value: Text, into: list[str]) -> None:
    """Add the texts of a text, an author or a tuple of them to ``into``."""
    if isinstance(value, str):
        into.append(value)
    elif isinstance(value, Author):
        into.extend(_author_texts(value))
    else:
        for v in value:
            _gather(v, into)


def _author_texts(author: Author) -> tuple[str, ...]:
    return _AUTHOR_TEXTS(author)


_AUTHOR_TEXTS = operator.attrgetter(*(f.name for f in dataclasses.fields(Author)))
