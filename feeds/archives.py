"""RFC 5005 archives: which of a scope's posts each archive page holds, when a page is
sealed, and the feed of each page as the index holds it.

A scope's posts, oldest first (by instant, ties by path the other way round from the feeds),
fill pages of ``size`` posts numbered from 1; the newest ``shown`` are the subscription feed's
and no page's. A scope whose older posts fill one page at most has no pages: its feed shows them
all and is complete. Every page but the newest is full and *sealed*: it links the page after it and
no new post changes it, since a new post is the newest and only pushes the subscription feed's
oldest post onto the newest page (the *open* one, holding 1 to ``size`` posts). When the open
page is full, the next new post starts another and seals it (it gains its ``next-archive``).
A post edited in place changes its own page; a post removed or added with an old date moves
every later post along, so the pages from its own to the newest change (docs/decisions.md).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime

from . import rendering
from .index import Index
from .model import Feed


@dataclass(frozen=True, slots=True)
class Pages:
    """The archive pages of one scope at one instant."""

    #: The scope's published posts.
    total: int
    #: How many of the newest the subscription feed shows.
    shown: int
    #: Posts on a full page.
    size: int

    @property
    def count(self) -> int:
        """How many pages there are: 0 when the older posts would fill one page at most, which
        the subscription feed then shows too (:attr:`in_feed`). A lone page would be both the
        oldest and the newest, with no ``prev-archive`` or ``next-archive`` to follow, which the
        W3C validator flags (``ArchiveIncomplete``); a feed that shows every post is complete."""
        pages = -(-max(0, self.total - self.shown) // self.size)
        return pages if pages > 1 else 0

    @property
    def in_feed(self) -> int:
        """How many of the newest posts the subscription feed shows: ``shown``, or every post
        when there are no pages."""
        return self.shown if self.count else self.total

    def span(self, page: int) -> range:
        """The ordinals (0: the scope's oldest post) of the posts on ``page`` (from 1)."""
        start = (page - 1) * self.size
        return range(start, min(start + self.size, self.total - self.shown))

    def sealed(self, page: int) -> bool:
        """Whether ``page`` is full and will hold the same posts whatever is published next."""
        return 1 <= page < self.count


def digest(name: str, page: int, sealed: bool, marks: Iterable[int]) -> int:
    """What the bytes of archive page ``page`` depend on, besides the settings: the scope's
    name (its title), the page, whether it is sealed (its ``next-archive``) and the marks of its
    posts in order (:mod:`feeds.index.refresh`); 64 bits, signed as SQLite stores them."""
    text = "\0".join([name, str(page), str(int(sealed)), *map(str, marks)])
    return int.from_bytes(
        hashlib.blake2b(text.encode("utf-8", "surrogateescape"), digest_size=8).digest(),
        "big",
        signed=True,
    )


class History:
    """The archive pages of one scope as the index holds it at one instant, as feeds: what
    the service serves at an archive URL and the export writes (:mod:`feeds.documents`)."""

    def __init__(self, index: Index, base: Feed, now: datetime, shown: int, size: int) -> None:
        """``base``: the scope's feed without posts, whose title and links every page shares;
        ``shown`` and ``size`` as in :class:`Pages`."""
        self.index = index
        self.base = base
        #: (path, mark) of the scope's posts published at ``now``, oldest first.
        self.posts = index.history(base.scope, now)
        self.pages = Pages(len(self.posts), shown, size)

    def feed(self, page: int) -> Feed | None:
        """Archive page ``page``: its posts newest first and its neighbours; ``None``: there
        is no such page. Its posts are rendered here if they were not yet."""
        if not 1 <= page <= self.pages.count:
            return None
        paths = [self.posts[i][0] for i in reversed(self.pages.span(page))]
        return replace(
            self.base,
            posts=rendering.complete(self.index, self.index.at_paths(paths)),
            archive=page,
            prev_archive=page - 1,
            next_archive=page + 1 if self.pages.sealed(page) else 0,
        )

    def digests(self) -> dict[int, int]:
        """Page → :func:`digest` of every page."""
        pages = self.pages
        return {
            page: digest(
                self.base.scope.name,
                page,
                pages.sealed(page),
                (self.posts[i][1] for i in pages.span(page)),
            )
            for page in range(1, pages.count + 1)
        }
