"""One :class:`~feeds.model.Feed` to the bytes of one format: RSS 2.0, Atom 1.0 or JSON Feed 1.1.

Output depends on the ``Feed`` and nothing else — not the clock, the locale or the thread — so
the same posts give byte-identical documents on every worker and after every restart, and the
cache and export can compare bytes. The feed's own date is its newest entry's, never "now"; an
empty feed is dated the Unix epoch.

The XML is written element by element as text (:class:`_Xml`), not with feedgen: feedgen
reorders entries unless told otherwise, switches the process locale to write RFC 822 dates
(unsafe in threads), cannot put extra ``atom:link`` elements (a WebSub hub) into RSS, and is slow
over thousands of feeds. Nor with an lxml tree: the bytes are the same (lxml's pretty print),
but a tree costs three times as much over an export's gigabytes of content. Every text and
attribute is escaped on its way in; content HTML is escaped text, never CDATA or raw markup.
The texts are checked for characters XML forbids before anything is written, once for all the
formats of a feed (:func:`render_all`), rather than each written document scanned again.
"""

from __future__ import annotations

import dataclasses
import html
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from feeds import __version__
from feeds.content import strip_illegal_xml, xml_legal
from feeds.dates import EPOCH, rfc822, rfc3339
from feeds.model import Author, Feed, Post, site_name
from feeds.urls import feed_url

ATOM_NS = "http://www.w3.org/2005/Atom"
CONTENT_NS = "http://purl.org/rss/1.0/modules/content/"
DC_NS = "http://purl.org/dc/elements/1.1/"

#: Each format's media type: the feed's self link, autodiscovery and the HTTP Content-Type.
MEDIA_TYPES: dict[str, str] = {
    "atom": "application/atom+xml",
    "rss": "application/rss+xml",
    "json": "application/feed+json",
}

JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"
T = TypeVar("T", Feed, Post)
#: What a field holding text holds: a text, or a tuple of texts or of authors.
Text = str | Author | tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class Link:
    """A feed-level link: Atom ``link``, RSS ``atom:link`` (or ``link`` for ``alternate``)."""

    rel: str
    href: str
    #: Media type of the target, or ``None`` to leave it unsaid.
    type: str | None = None


def render(feed: Feed, fmt: str) -> bytes:
    """The document for ``feed`` in ``fmt`` (``"atom"``, ``"rss"`` or ``"json"``), UTF-8.

    Raises:
        ValueError: ``fmt`` is not one of the formats above; the message names it.
    """
    return render_all(feed, (fmt,))[fmt]


def render_all(feed: Feed, formats: Iterable[str]) -> dict[str, bytes]:
    """The document for ``feed`` in each of ``formats``: what one scope's files are built
    from, each post's texts checked once for all of them.

    Texts are trusted to hold only characters XML allows (the parser and ``content.py`` drop
    the others), and each is checked before anything is written; a feed or post with one that
    slipped through is written from a copy with every text cleaned.

    Raises:
        ValueError: a format is not one of :func:`render`'s; the message names it.
    """
    writers = []
    for fmt in formats:
        try:
            writers.append((fmt, _WRITERS[fmt]))
        except KeyError:
            known = ", ".join(_WRITERS)
            raise ValueError(f"unknown feed format {fmt!r}; expected one of {known}") from None
    legal = _legal(feed)
    return {fmt: write(legal) for fmt, write in writers}


def links(feed: Feed, fmt: str) -> tuple[Link, ...]:
    """The feed-level links every XML format carries, in document order.

    The one place to add more: a WebSub ``hub``, RFC 5005 ``next``/``prev-archive``. Atom writes
    each as ``link``; RSS writes ``alternate`` as its channel ``link``, the rest as ``atom:link``.
    """
    return (
        Link("self", feed_url(feed, fmt), MEDIA_TYPES[fmt]),
        Link("alternate", feed.home_url, "text/html"),
    )


def _legal(feed: Feed) -> Feed:
    """``feed``, or a copy whose feed or posts holding a character XML 1.0 forbids are cleaned.

    Every character written comes from these texts or from the writers' own ASCII, so checking
    the texts checks every document, once for all formats; cleaning a text that holds no such
    character changes nothing.
    """
    posts = tuple(p if _is_legal(p) else _cleaned(p) for p in feed.posts)
    if not _is_legal(feed):
        return dataclasses.replace(_cleaned(feed), posts=posts)
    changed = any(a is not b for a, b in zip(posts, feed.posts))
    return dataclasses.replace(feed, posts=posts) if changed else feed


#: Fields that are no text written as it is: a feed's posts, and the path of its alias, which
#: is written percent-encoded.
_NOT_TEXT = frozenset({"posts", "location"})


def _texts(obj: Feed | Post) -> Iterator[tuple[str, Text]]:
    """(name, value) of each field of a feed or post that holds text: a text, or a tuple of
    texts or authors."""
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        if isinstance(value, (str, tuple)) and f.name not in _NOT_TEXT:
            yield f.name, value


def _is_legal(obj: Feed | Post) -> bool:
    return all(_is_legal_text(v) for _, v in _texts(obj))


def _cleaned(obj: T) -> T:
    """A copy of a feed or post with every text cleaned (a feed's posts are left as they are)."""
    return dataclasses.replace(obj, **{name: _clean(value) for name, value in _texts(obj)})  # type: ignore[arg-type]


def _atom(feed: Feed) -> bytes:
    """:func:`atom` of a feed whose texts are legal."""
    root = {"xmlns": ATOM_NS, "xml:lang": feed.lang} if feed.lang else {"xmlns": ATOM_NS}
    doc = _Xml("feed", root)
    doc.leaf("id", feed_url(feed, "atom"))
    doc.leaf("title", feed.title)
    if feed.description:
        doc.leaf("subtitle", feed.description)
    doc.leaf("updated", rfc3339(_newest(p.updated for p in feed.posts)))
    for link in links(feed, "atom"):
        doc.leaf("link", None, _link_attrs(link))
    doc.open("author")
    doc.leaf("name", site_author(feed))
    doc.close()
    doc.leaf("generator", "feeds", {"version": __version__})
    if feed.icon:
        doc.leaf("icon", feed.icon)
    if feed.logo:
        doc.leaf("logo", feed.logo)
    for post in feed.posts:
        doc.open("entry", {"xml:lang": post.lang} if post.lang else None)
        doc.leaf("id", post.entry_id)
        doc.leaf("title", post.title, {"type": "text"})
        doc.leaf("link", None, {"rel": "alternate", "href": post.url, "type": "text/html"})
        doc.leaf("published", rfc3339(post.date))
        doc.leaf("updated", rfc3339(post.updated))
        for author in post.authors:
            doc.open("author")
            doc.leaf("name", author.name)
            if author.email:
                doc.leaf("email", author.email)
            if author.uri:
                doc.leaf("uri", author.uri)
            doc.close()
        for term in terms(post):
            doc.leaf("category", None, {"term": term})
        body = _body(feed, post)
        # The W3C rules want text in every entry (a summary or a content, neither blank): a post
        # with neither is summarized by its title.
        summary = post.summary or ("" if body else post.title)
        if summary:
            doc.leaf("summary", summary, {"type": "text"})
        if body:
            doc.leaf("content", body, {"type": "html"})
        doc.close()
    return doc.finish()


def _rss(feed: Feed) -> bytes:
    """:func:`rss` of a feed whose texts are legal."""
    doc = _Xml(
        "rss",
        {"xmlns:atom": ATOM_NS, "xmlns:content": CONTENT_NS, "xmlns:dc": DC_NS, "version": "2.0"},
    )
    doc.open("channel")
    doc.plain("title", feed.title)
    doc.leaf("link", feed.home_url)
    # RSS requires a non-empty description.
    doc.plain("description", feed.description or feed.title)
    if feed.lang:
        doc.leaf("language", feed.lang)
    # The newest entry's last change, as Atom's feed-level ``updated``: the two agree.
    doc.leaf("lastBuildDate", rfc822(_newest(p.updated for p in feed.posts)))
    doc.leaf("generator", f"feeds {__version__}")
    if feed.logo or feed.icon:
        doc.open("image")  # RSS wants its title and link to be the channel's
        doc.leaf("url", feed.logo or feed.icon)
        doc.plain("title", feed.title)
        doc.leaf("link", feed.home_url)
        doc.close()
    for link in links(feed, "rss"):
        if link.rel != "alternate":
            doc.leaf("atom:link", None, _link_attrs(link))
    for post in feed.posts:
        doc.open("item")
        doc.plain("title", post.title)
        doc.leaf("link", post.url)
        doc.leaf("guid", post.entry_id, {"isPermaLink": "false" if post.guid else "true"})
        doc.leaf("pubDate", rfc822(post.date))
        for term in terms(post):
            doc.plain("category", term)
        body = _body(feed, post)
        # RSS descriptions are HTML, so the plain-text summary is escaped once more. The title
        # stands in for a missing one when a content:encoded follows, which needs a description
        # before it; an item with neither has its title alone.
        description = post.summary or (post.title if body else "")
        if description:
            doc.leaf("description", html.escape(description, quote=False))
        if body:
            doc.leaf("content:encoded", body)
        # RSS's own <author> must be an e-mail address; dc:creator takes names.
        for creator in [a.name for a in post.authors] or ([feed.author] if feed.author else []):
            doc.plain("dc:creator", creator)
        doc.close()
    return doc.finish()


def _json_feed(feed: Feed) -> bytes:
    """:func:`json_feed` of a feed whose texts are legal."""
    doc: dict[str, Any] = {
        "version": JSON_FEED_VERSION,
        "title": feed.title,
        "home_page_url": feed.home_url,
        "feed_url": feed_url(feed, "json"),
    }
    if feed.description:
        doc["description"] = feed.description
    if feed.lang:
        doc["language"] = feed.lang
    if feed.logo or feed.icon:
        doc["icon"] = feed.logo or feed.icon
    if feed.icon:
        doc["favicon"] = feed.icon
    doc["authors"] = [{"name": site_author(feed)}]
    doc["items"] = [_json_item(post, _body(feed, post)) for post in feed.posts]
    text = json.dumps(doc, ensure_ascii=False, indent=None, separators=(",", ":"))
    return (text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029") + "\n").encode("utf-8")


def _json_item(post: Post, body: str) -> dict[str, Any]:
    item: dict[str, Any] = {"id": post.entry_id, "url": post.url, "title": post.title}
    if body:
        item["content_html"] = body
    else:
        item["content_text"] = post.summary or post.title
    if post.summary:
        item["summary"] = post.summary
    item["date_published"] = rfc3339(post.date)
    item["date_modified"] = rfc3339(post.updated)
    tags = terms(post)
    if tags:
        item["tags"] = list(tags)
    if post.authors:
        # JSON Feed authors have a name and a url, no e-mail address.
        item["authors"] = [
            {"name": a.name, **({"url": a.uri} if a.uri else {})} for a in post.authors
        ]
    if post.lang:
        item["language"] = post.lang
    return item


def site_author(feed: Feed) -> str:
    """Who the feed is by: the site's author, else the site title (before " · "), else the host.

    Atom needs an author for every entry, and a feed-level one covers entries that name none.
    """
    return feed.author or site_name(feed.title.split(" · ")[0].strip(), feed.site_url)


def terms(post: Post) -> tuple[str, ...]:
    """A post's categories, then its tags, each once (a tag may repeat a category's name)."""
    return tuple(dict.fromkeys((*post.categories, *post.tags)))


def _body(feed: Feed, post: Post) -> str:
    """The HTML an entry carries in full: none in a summary feed or for a post with
    ``feed: excerpt_only``, none for a post whose body is empty or only white space (the W3C
    rules flag a blank content as ``NotBlank``)."""
    body = post.content_html
    return (
        body if feed.full_content and not post.excerpt_only and body and not body.isspace() else ""
    )


def _newest(dates: Iterable[datetime]) -> datetime:
    """The latest instant, keeping its own offset; the first of equal instants; else the epoch."""
    return max(dates, default=EPOCH)


def _link_attrs(link: Link) -> dict[str, str]:
    attrs = {"rel": link.rel, "href": link.href}
    if link.type is not None:
        attrs["type"] = link.type
    return attrs


def _escaper(pairs: tuple[tuple[str, str], ...]) -> Callable[[str], str]:
    """An escaping function from chained ``str.replace``: C speed over 10 KB contents, where
    ``str.translate`` looks every character up in Python."""

    def escape(text: str) -> str:
        for char, ref in pairs:
            if char in text:
                text = text.replace(char, ref)
        return text

    return escape


_text = _escaper((("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ("\r", "&#13;")))
_attr = _escaper(
    (
        ("&", "&amp;"),
        ("<", "&lt;"),
        (">", "&gt;"),
        ('"', "&quot;"),
        ("\n", "&#10;"),
        ("\r", "&#13;"),
        ("\t", "&#9;"),
    )
)
#: RSS plain text: see :meth:`_Xml.plain`.
_plain_text = _escaper((("&", "&#x26;"), ("<", "&#x3C;"), (">", "&#x3E;"), ("\r", "&#13;")))


class _Xml:
    """An XML document written as indented text, element by element.

    The bytes are those lxml writes with ``pretty_print`` (the golden files pin them), at a
    fraction of the cost: no tree and no second pass over the content, which is most of the
    bytes of a feed. Text and attributes are escaped here; :func:`_legal` has checked them.
    """

    def __init__(self, root: str, attrs: dict[str, str]) -> None:
        self._parts = ["<?xml version='1.0' encoding='utf-8'?>\n<", root, _attrs(attrs), ">\n"]
        self._open = [root]

    def open(self, tag: str, attrs: dict[str, str] | None = None) -> None:
        self._parts += ["  " * len(self._open), "<", tag, _attrs(attrs) if attrs else "", ">\n"]
        self._open.append(tag)

    def close(self) -> None:
        tag = self._open.pop()
        self._parts += ["  " * len(self._open), "</", tag, ">\n"]

    def leaf(
        self,
        tag: str,
        text: str | None,
        attrs: dict[str, str] | None = None,
        *,
        escape: Callable[[str], str] = _text,
    ) -> None:
        """An element with text (``None``: an empty element)."""
        head = "  " * len(self._open) + "<" + tag + (_attrs(attrs) if attrs else "")
        if text is None:
            self._parts += [head, "/>\n"]
        else:
            self._parts += [head, ">", escape(text), "</", tag, ">\n"]

    def plain(self, tag: str, text: str) -> None:
        """An RSS element holding plain text, its ``&``, ``<`` and ``>`` written ``&#x26;``
        ``&#x3C;`` ``&#x3E;``: RSS never says whether a title is text or HTML, and the RSS Best
        Practices Profile marks text this way (the W3C validator warns otherwise). Parsers read
        the same characters as from ``&amp;``."""
        self.leaf(tag, text, escape=_plain_text)

    def finish(self) -> bytes:
        while len(self._open) > 1:
            self.close()
        self._parts += ["</", self._open.pop(), ">\n"]
        return "".join(self._parts).encode("utf-8")


def _attrs(attrs: dict[str, str]) -> str:
    return "".join(f' {name}="{_attr(value)}"' for name, value in attrs.items())


def _clean(value: Text) -> Text:
    """A text, an author, or each of a tuple of them, without the characters XML 1.0 forbids.
    Inputs are already clean (``content.py`` strips them from content); this only keeps a stray
    control character in a title or a name from breaking a whole feed."""
    if isinstance(value, str):
        return strip_illegal_xml(value)
    if isinstance(value, Author):
        return Author(*(strip_illegal_xml(v) for v in _author_texts(value)))
    return tuple(_clean(v) for v in value)


def _is_legal_text(value: Text) -> bool:
    """Whether a text, an author or each of a tuple of them holds only characters XML 1.0
    allows."""
    if isinstance(value, str):
        return xml_legal(value)
    if isinstance(value, Author):
        return all(map(xml_legal, _author_texts(value)))
    return all(_is_legal_text(v) for v in value)


def _author_texts(author: Author) -> tuple[str, ...]:
    return tuple(getattr(author, f.name) for f in dataclasses.fields(author))


def atom(feed: Feed) -> bytes:
    """Atom 1.0 (RFC 4287). ``xml:lang`` on the root; every entry inherits the feed's author."""
    return render(feed, "atom")


def rss(feed: Feed) -> bytes:
    """RSS 2.0 with the atom, content and dc modules; dates in RFC 822 with each post's offset."""
    return render(feed, "rss")


def json_feed(feed: Feed) -> bytes:
    """JSON Feed 1.1, keys in a fixed order, compact, UTF-8, one final newline.

    An item without full content (the feed's choice, or a post with no body) carries its
    summary, else its title, as ``content_text``: JSON Feed needs ``content_html`` or
    ``content_text``, and neither is written blank. U+2028 and U+2029 are written escaped, so
    the document is also a valid JavaScript literal.
    """
    return render(feed, "json")


_WRITERS: dict[str, Callable[[Feed], bytes]] = {"atom": _atom, "rss": _rss, "json": _json_feed}
