"""Atom 1.0 (RFC 4287): ``xml:lang`` on the root; every entry inherits the feed's author."""

from __future__ import annotations

from collections.abc import Sequence

from feeds import __version__
from feeds.dates import rfc3339
from feeds.model import Feed
from feeds.urls import feed_url
from feeds.writers.entry import Entry
from feeds.writers.fields import HISTORY_NS, MEDIA_NS, history_mark, links, site_author, updated
from feeds.writers.xml import Xml, link_attrs, media

ATOM_NS = "http://www.w3.org/2005/Atom"


def write(feed: Feed, entries: Sequence[Entry]) -> bytes:
    """Atom 1.0 (RFC 4287) of a feed whose texts are legal, and its ``entries``."""
    root = {"xmlns": ATOM_NS}
    if any(
        e.image for e in entries
    ):  # declared only where used: feeds without images keep their bytes
        root["xmlns:media"] = MEDIA_NS
    if feed.lang:
        root["xml:lang"] = feed.lang
    mark = history_mark(feed)
    if mark:
        root["xmlns:fh"] = HISTORY_NS
    doc = Xml("feed", root)
    doc.leaf("id", feed_url(feed, "atom"))
    doc.leaf("title", feed.title)
    if feed.description:
        doc.leaf("subtitle", feed.description)
    doc.leaf("updated", rfc3339(updated(feed)))
    for link in links(feed, "atom"):
        doc.leaf("link", None, link_attrs(link))
    if mark:
        doc.leaf(mark, None)
    doc.open("author")
    doc.leaf("name", site_author(feed))
    doc.close()
    doc.leaf("generator", "feeds", {"version": __version__})
    if feed.icon:
        doc.leaf("icon", feed.icon)
    if feed.logo:
        doc.leaf("logo", feed.logo)
    for entry in entries:
        post = entry.post
        doc.open("entry", {"xml:lang": post.lang} if post.lang else None)
        doc.leaf("id", post.entry_id)
        doc.leaf("title", post.title, {"type": "text"})
        doc.leaf("link", None, {"rel": "alternate", "href": post.url, "type": "text/html"})
        doc.leaf("published", entry.published)
        doc.leaf("updated", entry.updated)
        for author in post.authors:
            doc.open("author")
            doc.leaf("name", author.name)
            if author.email:
                doc.leaf("email", author.email)
            if author.uri:
                doc.leaf("uri", author.uri)
            doc.close()
        for term in entry.terms:
            doc.leaf("category", None, {"term": term})
        # The W3C rules want text in every entry (a summary or a content, neither blank): a post
        # with neither is summarized by its title.
        summary = post.summary or ("" if entry.body else post.title)
        if summary:
            doc.leaf("summary", summary, {"type": "text"})
        if entry.body:
            doc.escaped("content", entry.xml_body, {"type": "html"})
        if entry.image:
            media(doc, entry.image)
        doc.close()
    return doc.finish()
