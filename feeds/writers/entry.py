"""One post as every format writes it, worked out once for all the formats of a feed.

A scope's Atom, RSS and JSON Feed carry the same body (the XML two escaped alike), lead image,
terms and dates for each post: an export writes a hundred thousand entries three times over, so
each is worked out once per feed and handed to every writer (:func:`feeds.writers.render_all`).

Feeds built one after another often share posts: on a news site each category has a tag of the
same posts, and the newest posts of the busiest categories are the site feed's. An export
builds the scopes that show the same newest post one after another
(:meth:`feeds.documents.Documents.layout`), and keeps the last entries it made, with what each
writer wrote of them (:class:`Recent`), so such a post is worked out and written once.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from feeds.dates import rfc3339
from feeds.model import Feed, Image, Post
from feeds.writers.fields import entry_body, lead_image, terms
from feeds.writers.xml import Escaped, escaped

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Entry:
    """A post of a feed, with what its formats write of it."""

    post: Post
    #: The HTML carried in full (:func:`~feeds.writers.fields.entry_body`), or empty.
    body: str
    #: :attr:`body` escaped as XML text (Atom ``content``, RSS ``content:encoded``); empty
    #: when no XML format is written.
    xml_body: Escaped
    #: :func:`~feeds.writers.fields.lead_image`.
    image: Image | None
    #: :func:`~feeds.writers.fields.terms`.
    terms: tuple[str, ...]
    #: The post's ``date`` and ``updated`` in RFC 3339 (Atom and JSON Feed).
    published: str
    updated: str
    #: What each writer wrote of this entry, by a key of the writer's (:meth:`written`).
    made: dict[object, Any] = field(default_factory=dict, compare=False, repr=False)

    def written(self, key: object, write: Callable[[Entry], T]) -> T:
        """``write(self)``, made once for each ``key``: a writer's piece of this entry, which
        depends on the entry and ``key`` alone, reused when :class:`Recent` hands the entry
        to the next feed."""
        try:
            found: T = self.made[key]
        except KeyError:
            found = self.made[key] = write(self)
        return found


class Recent:
    """The entries made for the last ``size`` posts, by post (what an entry is made of is the
    post and the feed's ``full_content``), for feeds built one after another in one thread:
    an export's worker. Each is the value :func:`entries` would make again; a post changed in
    any field is another key."""

    def __init__(self, size: int = 256) -> None:
        self._size = size
        #: Each post's entries by (full content, XML), and what else was made of it
        #: (:meth:`made`) by its maker's key.
        self._found: OrderedDict[Post, dict[object, Any]] = OrderedDict()

    def __contains__(self, post: object) -> bool:
        """Whether an entry of ``post`` is kept: then its texts were found legal
        (:func:`feeds.writers.legal.legal`), as only legal posts are made entries."""
        return post in self._found

    def entry(self, feed: Feed, post: Post, xml: bool) -> Entry:
        made = self._found.get(post)
        if made is None:
            made = self._found[post] = {}
            if len(self._found) > self._size:
                self._found.popitem(last=False)
        else:
            self._found.move_to_end(post)
        key = (feed.full_content, xml)
        found: Entry | None = made.get(key)
        if found is None:
            found = made[key] = _entry(feed, post, xml)
        return found

    def made(self, post: Post, key: object, make: Callable[[], T]) -> T:
        """``make()``, something made of ``post`` alone (a page's item of it), kept by ``key``
        with the post's entries while they are kept; made anew for a post with none."""
        kept = self._found.get(post)
        if kept is None:
            return make()
        try:
            found: T = kept[key]
        except KeyError:
            found = kept[key] = make()
        return found


def entries(feed: Feed, xml: bool = True, recent: Recent | None = None) -> tuple[Entry, ...]:
    """The entries of ``feed``'s posts, in order; their bodies escaped for XML when ``xml``
    (an XML format is to be written). With ``recent``, entries made for earlier feeds are
    reused."""
    if recent is None:
        return tuple(_entry(feed, post, xml) for post in feed.posts)
    return tuple(recent.entry(feed, post, xml) for post in feed.posts)


def _entry(feed: Feed, post: Post, xml: bool) -> Entry:
    body = entry_body(feed, post)
    return Entry(
        post,
        body,
        escaped(body) if xml and body else Escaped(""),
        lead_image(post),
        terms(post),
        rfc3339(post.date),
        rfc3339(post.updated),
    )
