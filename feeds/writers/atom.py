"""Atom 1.0 (RFC 4287): ``xml:lang`` on the root; every entry inherits the feed's author."""

from __future__ import annotations

from collections.abc import Sequence

from feeds import __version__
from feeds.dates import rfc3339
from feeds.model import Feed
from feeds.urls import feed_url
from feeds.writers.entry import Entry
from feeds.writers.fields import HISTORY_NS, MEDIA_NS, history_mark, links, site_author, updated
from feeds.writers.xml import Xml, attr, link_attrs, media_text, text

ATOM_NS = "http://www.w3.org/2005/Atom"


def write(feed: Feed, entries: Sequence[Entry]) -> bytes:
    """Atom 1.0 (RFC 4287) of a feed whose texts are legal, and its ``entries``."""
    root = {"xmlns": ATOM_NS}
    # Declared only where used: feeds without images keep their bytes.
    if any(e.image for e in entries):
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
        doc.fragment(entry.written("atom", _entry))
    return doc.finish()


def _entry(entry: Entry) -> bytes:
    """An ``entry`` element, a child of the root, as :class:`Xml` writes it: written in one
    piece and encoded, as a feed has dozens and an export hundreds of thousands."""
    post = entry.post
    lang = f' xml:lang="{attr(post.lang)}"' if post.lang else ""
    parts = [
        f"  <entry{lang}>\n"
        f"    <id>{text(post.entry_id)}</id>\n"
        f'    <title type="text">{text(post.title)}</title>\n'
        f'    <link rel="alternate" href="{attr(post.url)}" type="text/html"/>\n'
        f"    <published>{entry.published}</published>\n"
        f"    <updated>{entry.updated}</updated>\n"
    ]
    for author in post.authors:
        parts.append(f"    <author>\n      <name>{text(author.name)}</name>\n")
        if author.email:
            parts.append(f"      <email>{text(author.email)}</email>\n")
        if author.uri:
            parts.append(f"      <uri>{text(author.uri)}</uri>\n")
        parts.append("    </author>\n")
    parts += [f'    <category term="{attr(term)}"/>\n' for term in entry.terms]
    # The W3C rules want text in every entry (a summary or a content, neither blank): a post
    # with neither is summarized by its title.
    summary = post.summary or ("" if entry.body else post.title)
    if summary:
        parts.append(f'    <summary type="text">{text(summary)}</summary>\n')
    if entry.body:
        parts += ['    <content type="html">', entry.xml_body, "</content>\n"]
    if entry.image:
        parts.append(media_text(entry.image, "    "))
    parts.append("  </entry>\n")
    return "".join(parts).encode("utf-8")
