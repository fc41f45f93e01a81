"""RSS 2.0 with the atom, content and dc modules; dates in RFC 822 with each post's offset."""

from __future__ import annotations

import html
from collections.abc import Sequence

from feeds import __version__
from feeds.dates import rfc822
from feeds.model import Feed
from feeds.writers.atom import ATOM_NS
from feeds.writers.entry import Entry
from feeds.writers.fields import (
    HISTORY_NS,
    MEDIA_NS,
    enclosure_type,
    history_mark,
    links,
    updated,
)
from feeds.writers.xml import Xml, link_attrs, media

CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"
DC_NS = "http://purl.org/dc/elements/1.1/"


def write(feed: Feed, entries: Sequence[Entry]) -> bytes:
    """:func:`rss` of a feed whose texts are legal, and its ``entries``."""
    root = {"xmlns:atom": ATOM_NS, "xmlns:content": CONTENT_NS, "xmlns:dc": DC_NS}
    if any(
        e.image for e in entries
    ):  # declared only where used: feeds without images keep their bytes
        root["xmlns:media"] = MEDIA_NS
    if history_mark(feed):
        root["xmlns:fh"] = HISTORY_NS
    doc = Xml("rss", {**root, "version": "2.0"})
    doc.open("channel")
    doc.plain("title", feed.title)
    doc.leaf("link", feed.home_url)
    # RSS requires a non-empty description.
    doc.plain("description", feed.description or feed.title)
    if feed.lang:
        doc.leaf("language", feed.lang)
    # The newest entry's last change, as Atom's feed-level ``updated``: the two agree.
    doc.leaf("lastBuildDate", rfc822(updated(feed)))
    doc.leaf("generator", f"feeds {__version__}")
    if feed.logo or feed.icon:
        doc.open("image")  # RSS wants its title and link to be the channel's
        doc.leaf("url", feed.logo or feed.icon)
        doc.plain("title", feed.title)
        doc.leaf("link", feed.home_url)
        doc.close()
    for link in links(feed, "rss"):
        if link.rel != "alternate":
            doc.leaf("atom:link", None, link_attrs(link))
    if mark := history_mark(feed):
        doc.leaf(mark, None)
    for entry in entries:
        post, image = entry.post, entry.image
        doc.open("item")
        doc.plain("title", post.title)
        doc.leaf("link", post.url)
        doc.leaf("guid", post.entry_id, {"isPermaLink": "false" if post.guid else "true"})
        doc.leaf("pubDate", rfc822(post.date))
        for term in entry.terms:
            doc.plain("category", term)
        body = entry.body
        # RSS descriptions are HTML, so the plain-text summary is escaped once more. The title
        # stands in for a missing one when a content:encoded follows, which needs a description
        # before it; an item with neither has its title alone.
        description = post.summary or (post.title if body else "")
        if description:
            doc.leaf("description", html.escape(description, quote=False))
        if body:
            doc.escaped("content:encoded", entry.xml_body)
        # RSS's own <author> must be an e-mail address; dc:creator takes names.
        for creator in [a.name for a in post.authors] or ([feed.author] if feed.author else []):
            doc.plain("dc:creator", creator)
        if image:
            # An enclosure must state its length and type: only where the post states them.
            if image.length and (kind := enclosure_type(image)):
                doc.leaf(
                    "enclosure", None, {"url": image.url, "length": str(image.length), "type": kind}
                )
            media(doc, image)
        doc.close()
    return doc.finish()
