"""One :class:`~feeds.model.Feed` to the bytes of one format: RSS 2.0, Atom 1.0 or JSON Feed 1.1.

Output depends on the ``Feed`` and nothing else — not the clock, the locale or the thread — so
the same posts give byte-identical documents on every worker and after every restart, and the
cache and export can compare bytes. The feed's own date is its newest entry's, never "now"; an
empty feed is dated :attr:`~feeds.model.Feed.empty_updated` (the Unix epoch unless told).

The XML is written element by element as text (:class:`feeds.writers.xml.Xml`; each entry in
one piece), not with feedgen: feedgen
reorders entries unless told otherwise, switches the process locale to write RFC 822 dates
(unsafe in threads), cannot put extra ``atom:link`` elements (a WebSub hub) into RSS, and is slow
over thousands of feeds. Nor with an lxml tree: the bytes are the same (lxml's pretty print),
but a tree costs three times as much over an export's gigabytes of content. Every text and
attribute is escaped on its way in; content HTML is escaped text, never CDATA or raw markup.
The texts are checked for characters XML forbids before anything is written, once for all the
formats of a feed (:func:`render_all`), rather than each written document scanned again.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from feeds.model import Feed
from feeds.writers import atom as _atom_module
from feeds.writers import jsonfeed
from feeds.writers import rss as _rss_module
from feeds.writers.atom import ATOM_NS
from feeds.writers.entry import Entry, Recent, entries
from feeds.writers.fields import MEDIA_NS, MEDIA_TYPES, Link, lead_image, links, site_author, terms
from feeds.writers.legal import legal
from feeds.writers.rss import CONTENT_NS, DC_NS

__all__ = [
    "ATOM_NS",
    "CONTENT_NS",
    "DC_NS",
    "MEDIA_NS",
    "MEDIA_TYPES",
    "Link",
    "Recent",
    "atom",
    "json_feed",
    "lead_image",
    "links",
    "render",
    "render_all",
    "rss",
    "site_author",
    "terms",
]


def render(feed: Feed, fmt: str) -> bytes:
    """The document for ``feed`` in ``fmt`` (``"atom"``, ``"rss"`` or ``"json"``), UTF-8.

    Raises:
        ValueError: ``fmt`` is not one of the formats above; the message names it.
    """
    return render_all(feed, (fmt,))[fmt]


def render_all(
    feed: Feed, formats: Iterable[str], recent: Recent | None = None
) -> dict[str, bytes]:
    """The document for ``feed`` in each of ``formats``: what one scope's files are built
    from, each post's texts checked, and its entry worked out (:mod:`feeds.writers.entry`),
    once for all of them; with ``recent``, entries made for earlier feeds are reused.

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
    checked = legal(feed, () if recent is None else recent)
    prepared = entries(checked, xml=any(fmt != "json" for fmt, _ in writers), recent=recent)
    return {fmt: write(checked, prepared) for fmt, write in writers}


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


_WRITERS: dict[str, Callable[[Feed, Sequence[Entry]], bytes]] = {
    "atom": _atom_module.write,
    "rss": _rss_module.write,
    "json": jsonfeed.write,
}
