"""One post as every format writes it, worked out once for all the formats of a feed.

A scope's Atom, RSS and JSON Feed carry the same body (the XML two escaped alike), lead image,
terms and dates for each post: an export writes a hundred thousand entries three times over, so
each is worked out once per feed and handed to every writer (:func:`feeds.writers.render_all`).
"""

from __future__ import annotations

from dataclasses import dataclass

from feeds.dates import rfc3339
from feeds.model import Feed, Image, Post
from feeds.writers.fields import entry_body, lead_image, terms
from feeds.writers.xml import Escaped, escaped


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


def entries(feed: Feed, xml: bool = True) -> tuple[Entry, ...]:
    """The entries of ``feed``'s posts, in order; their bodies escaped for XML when ``xml``
    (an XML format is to be written)."""
    found = []
    for post in feed.posts:
        body = entry_body(feed, post)
        found.append(
            Entry(
                post,
                body,
                escaped(body) if xml and body else Escaped(""),
                lead_image(post),
                terms(post),
                rfc3339(post.date),
                rfc3339(post.updated),
            )
        )
    return tuple(found)
