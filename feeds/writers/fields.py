"""What every format writes the same way: the feed-level links, the site's author, an entry's
terms, body and lead image, the feed's date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from feeds.content import first_image
from feeds.jekyll.links import encoded
from feeds.model import Feed, Image, Post, site_name
from feeds.urls import feed_url, history_url

#: Each format's media type: the feed's self link, autodiscovery and the HTTP Content-Type.
MEDIA_TYPES: dict[str, str] = {
    "atom": "application/atom+xml",
    "rss": "application/rss+xml",
    "json": "application/feed+json",
}
#: RFC 5005's namespace, ``fh``: written only in a feed that is complete or an archive page.
HISTORY_NS = "http://purl.org/syndication/history/1.0"


@dataclass(frozen=True, slots=True)
class Link:
    """A feed-level link: Atom ``link``, RSS ``atom:link`` (or ``link`` for ``alternate``)."""

    rel: str
    href: str
    #: Media type of the target, or ``None`` to leave it unsaid.
    type: str | None = None


def links(feed: Feed, fmt: str) -> tuple[Link, ...]:
    """The feed-level links every XML format carries, in document order.

    The one place to add more: WebSub ``hub`` links name each hub; RFC 5005's ``current`` (an archive page's
    subscription feed), ``prev-archive`` and ``next-archive`` follow the page numbers the feed
    holds; JSON Feed writes ``prev-archive`` as ``next_url``. Atom writes each as ``link``; RSS
    writes ``alternate`` as its channel ``link``, the rest as ``atom:link``.
    """
    media = MEDIA_TYPES[fmt]
    history = (
        (Link("current", history_url(feed, 0, fmt), media),) if feed.archive else ()
    ) + tuple(
        Link(rel, history_url(feed, page, fmt), media)
        for rel, page in (("prev-archive", feed.prev_archive), ("next-archive", feed.next_archive))
        if page
    )
    return (
        Link("self", feed_url(feed, fmt), media),
        Link("alternate", feed.home_url, "text/html"),
        *(Link("hub", hub) for hub in feed.hubs),
        *history,
    )


def history_mark(feed: Feed) -> str | None:
    """The RFC 5005 element the feed carries, ``fh:complete`` or ``fh:archive``, or ``None``."""
    if feed.archive:
        return "fh:archive"
    return "fh:complete" if feed.complete else None


def site_author(feed: Feed) -> str:
    """Who the feed is by: the site's author, else the site title (before " · "), else the host.

    Atom needs an author for every entry, and a feed-level one covers entries that name none.
    """
    return feed.author or site_name(feed.title.split(" · ")[0].strip(), feed.site_url)


def terms(post: Post) -> tuple[str, ...]:
    """A post's categories, then its tags, each once (a tag may repeat a category's name)."""
    return tuple(dict.fromkeys((*post.categories, *post.tags)))


def entry_body(feed: Feed, post: Post) -> str:
    """The HTML an entry carries in full: none in a summary feed or for a post with
    ``feed: excerpt_only``, none for a post whose body is empty or only white space (the W3C
    rules flag a blank content as ``NotBlank``)."""
    body = post.content_html
    return (
        body if feed.full_content and not post.excerpt_only and body and not body.isspace() else ""
    )


#: Media RSS, for an entry's lead image in RSS and Atom (``media:content``, ``media:thumbnail``).
MEDIA_NS = "http://search.yahoo.com/mrss/"


def lead_image(post: Post) -> Image | None:
    """The image readers show beside the entry: the one the front matter names, else the
    content's first ``<img>`` with an http(s) source (already absolute: ``content.render``
    resolved it), percent-encoded; ``None`` without either. Taken from the rendered content,
    which the index holds only once a feed shows the post, so it is never stored."""
    if post.image is not None:
        return post.image
    url = first_image(post.content_html)
    return Image(encoded(url)) if url else None


#: Image types by file extension: a fixed table, not ``mimetypes`` (which reads the host's
#: ``/etc/mime.types``), so the bytes are the same on every host.
_IMAGE_TYPES = {
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "gif": "image/gif",
    "webp": "image/webp",
    "avif": "image/avif",
    "svg": "image/svg+xml",
}


def enclosure_type(image: Image) -> str:
    """The media type an RSS ``enclosure`` names (it must name one): the stated type, else
    the one the URL's extension says, else empty (then no enclosure is written)."""
    path = image.url.split("?")[0].split("#")[0]
    return image.type or _IMAGE_TYPES.get(path.rpartition(".")[2].lower(), "")


def updated(feed: Feed) -> datetime:
    """When the feed last changed: its newest post's ``updated``, keeping its own offset (the
    first of equal instants); with no post, :attr:`Feed.empty_updated`."""
    return max((p.updated for p in feed.posts), default=feed.empty_updated)
