"""JSON Feed 1.1, keys in a fixed order, compact, UTF-8, one final newline.

An item without full content (the feed's choice, or a post with no body) carries its
summary, else its title, as ``content_text``: JSON Feed needs ``content_html`` or
``content_text``, and neither is written blank. U+2028 and U+2029 are written escaped, so
the document is also a valid JavaScript literal."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson

from feeds.model import Feed
from feeds.urls import feed_url
from feeds.writers.entry import Entry
from feeds.writers.fields import links, site_author

JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"
#: U+2028 and U+2029 in UTF-8, written escaped.
_LS, _PS = "\u2028".encode(), "\u2029".encode()


def write(feed: Feed, entries: Sequence[Entry]) -> bytes:
    """:func:`json_feed` of a feed whose texts are legal, and its ``entries``."""
    doc: dict[str, Any] = {
        "version": JSON_FEED_VERSION,
        "title": feed.title,
        "home_page_url": feed.home_url,
        "feed_url": feed_url(feed, "json"),
    }
    # JSON Feed pages with next_url: the older posts, RFC 5005's prev-archive.
    older = [link.href for link in links(feed, "json") if link.rel == "prev-archive"]
    if older:
        doc["next_url"] = older[0]
    if feed.description:
        doc["description"] = feed.description
    if feed.lang:
        doc["language"] = feed.lang
    if feed.logo or feed.icon:
        doc["icon"] = feed.logo or feed.icon
    if feed.icon:
        doc["favicon"] = feed.icon
    doc["authors"] = [{"name": site_author(feed)}]
    if feed.hubs:
        doc["hubs"] = [{"type": "WebSub", "url": hub} for hub in feed.hubs]
    separated = _separated(doc)
    doc["items"] = [entry.written("json bytes", _item_bytes) for entry in entries]
    separated = separated or any(
        entry.written("json separated", _item_separated) for entry in entries
    )
    # orjson writes the bytes json.dumps(ensure_ascii=False, separators=(",", ":")) encodes,
    # for every character a legal text holds, at a tenth of the cost over a feed's contents.
    body = orjson.dumps(doc, option=orjson.OPT_APPEND_NEWLINE)
    if not separated:
        return body
    return body.replace(_LS, b"\\u2028").replace(_PS, b"\\u2029")


def _separated(value: object) -> bool:
    """Whether a text of ``value`` (a JSON document) holds U+2028 or U+2029: a search of the
    texts, as the bytes are full of the same lead bytes (CJK punctuation) and a search of
    them costs fifty times as much."""
    if type(value) is str:
        return "\u2028" in value or "\u2029" in value
    if type(value) is dict:
        return any(map(_separated, value.values()))
    if type(value) is list:
        return any(map(_separated, value))
    return False


def _item_separated(entry: Entry) -> bool:
    return _separated(entry.written("json", _item))


def _item_bytes(entry: Entry) -> orjson.Fragment:
    """The item of ``entry`` serialized (:func:`_item`): an entry is serialized once, however
    many feeds carry it (:class:`feeds.writers.entry.Recent`), and a feed is mostly its items."""
    return orjson.Fragment(orjson.dumps(entry.written("json", _item)))


def _item(entry: Entry) -> dict[str, Any]:
    post = entry.post
    item: dict[str, Any] = {"id": post.entry_id, "url": post.url, "title": post.title}
    if entry.body:
        item["content_html"] = entry.body
    else:
        item["content_text"] = post.summary or post.title
    if post.summary:
        item["summary"] = post.summary
    if entry.image:
        item["image"] = entry.image.url
    item["date_published"] = entry.published
    item["date_modified"] = entry.updated
    if entry.terms:
        item["tags"] = list(entry.terms)
    if post.authors:
        # JSON Feed authors have a name and a url, no e-mail address.
        item["authors"] = [
            {"name": a.name, **({"url": a.uri} if a.uri else {})} for a in post.authors
        ]
    if post.lang:
        item["language"] = post.lang
    return item
