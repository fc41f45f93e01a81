"""RSS 2.0 with the atom, content and dc modules; dates in RFC 822 with each post's offset."""

from __future__ import annotations

import functools
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
from feeds.writers.xml import Xml, attr, link_attrs, media_text, plain, text

CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"
DC_NS = "http://purl.org/dc/elements/1.1/"


def write(feed: Feed, entries: Sequence[Entry]) -> bytes:
    """:func:`rss` of a feed whose texts are legal, and its ``entries``."""
    root = {"xmlns:atom": ATOM_NS, "xmlns:content": CONTENT_NS, "xmlns:dc": DC_NS}
    # Declared only where used: feeds without images keep their bytes.
    if any(e.image for e in entries):
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
    item = functools.partial(_item, feed_author=feed.author)
    for entry in entries:
        doc.fragment(entry.written(("rss", feed.author), item))
    return doc.finish()


def _item(entry: Entry, feed_author: str) -> bytes:
    """An ``item`` element, a child of the channel, as :class:`Xml` writes it: written in one
    piece and encoded, as a feed has dozens and an export hundreds of thousands. Plain texts
    are marked as :meth:`Xml.plain` marks them."""
    post, image = entry.post, entry.image
    permalink = "false" if post.guid else "true"
    parts = [
        "    <item>\n"
        f"      <title>{plain(post.title)}</title>\n"
        f"      <link>{text(post.url)}</link>\n"
        f'      <guid isPermaLink="{permalink}">{text(post.entry_id)}</guid>\n'
        f"      <pubDate>{rfc822(post.date)}</pubDate>\n"
    ]
    parts += [f"      <category>{plain(term)}</category>\n" for term in entry.terms]
    # RSS descriptions are HTML, so the plain-text summary is escaped once more. The title
    # stands in for a missing one when a content:encoded follows, which needs a description
    # before it; an item with neither has its title alone.
    description = post.summary or (post.title if entry.body else "")
    if description:
        escaped = text(html.escape(description, quote=False))
        parts.append(f"      <description>{escaped}</description>\n")
    if entry.body:
        parts += ["      <content:encoded>", entry.xml_body, "</content:encoded>\n"]
    # RSS's own <author> must be an e-mail address; dc:creator takes names.
    for creator in [a.name for a in post.authors] or ([feed_author] if feed_author else []):
        parts.append(f"      <dc:creator>{plain(creator)}</dc:creator>\n")
    if image:
        # An enclosure must state its length and type: only where the post states them.
        if image.length and (kind := enclosure_type(image)):
            parts.append(
                f'      <enclosure url="{attr(image.url)}" length="{image.length}"'
                f' type="{attr(kind)}"/>\n'
            )
        parts.append(media_text(image, "      "))
    parts.append("    </item>\n")
    return "".join(parts).encode("utf-8")
