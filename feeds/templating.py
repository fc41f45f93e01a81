"""What the HTML pages are rendered with: the Jinja2 environment and the values it is given.

The pages (:mod:`feeds.pages`) decide what each one shows; this module holds what they share:
what is said about the site (:class:`Site`), a feed's entries and its subscribe addresses as the
templates read them, times in the site's zone, and the environment itself, compiled once per
process, with autoescaping on and every value stripped of the characters HTML (like XML)
forbids, so every name, title and summary a post brings is text, never markup.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from importlib import resources
from typing import TYPE_CHECKING
from urllib.parse import quote

from feeds import model, urls
from feeds.content import strip_illegal_xml
from feeds.model import Feed, Post, Scope
from feeds.words import Words
from feeds.writers import MEDIA_TYPES, Recent, lead_image

if TYPE_CHECKING:
    import jinja2

#: How each format is named to people (link text, autodiscovery titles).
FORMAT_LABELS: dict[str, str] = {"atom": "Atom", "rss": "RSS", "json": "JSON Feed"}
#: Web feed readers that subscribe from a link: (name, URL before the percent-encoded feed URL).
READERS: tuple[tuple[str, str], ...] = (
    ("Feedly", "https://feedly.com/i/subscription/feed%2F"),
    ("Inoreader", "https://www.inoreader.com/?add_feed="),
    ("NewsBlur", "https://www.newsblur.com/?url="),
    ("The Old Reader", "https://theoldreader.com/feeds/subscribe?url="),
)


@dataclass(frozen=True, slots=True)
class Site:
    """What every page says about the site; from ``[site]`` and ``[feeds] formats``."""

    title: str
    description: str
    #: Without a trailing slash.
    url: str
    #: BCP 47 (``zh-CN``): the pages' ``lang`` and their words (:func:`feeds.words.words_for`).
    lang: str
    #: Where times are shown (``[site] timezone``).
    zone: tzinfo
    formats: tuple[str, ...]
    #: ``[search] saved``, canonical: listed with the scopes.
    saved: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        return model.site_name(self.title, self.url)


def reader_format(formats: Sequence[str]) -> str:
    """The format to hand a reader when only one is named (OPML, subscribe links): the first
    XML format served, as many readers (newsboat among them) cannot read JSON Feed; JSON only
    when nothing else is served."""
    return next((f for f in formats if f != "json"), formats[0])


@dataclass(frozen=True, slots=True)
class _Entry:
    """A post on a preview page."""

    url: str
    title: str
    #: Its time for ``<time datetime>`` and for people, in the site's zone.
    iso: str
    when: str
    summary: str
    #: The absolute URL of its lead image, or empty.
    image: str


@dataclass(frozen=True, slots=True)
class _Address:
    """One format of a feed, to copy: its label, its ``id`` in the page, its absolute URL."""

    label: str
    id: str
    url: str


@dataclass(frozen=True, slots=True)
class _Subscription:
    """How to subscribe to one scope's feeds."""

    addresses: tuple[_Address, ...]
    #: The ``feed:`` link of the reader format, handled by a feed app if one is installed.
    feed_link: str
    #: (reader's name, link that subscribes there).
    readers: tuple[tuple[str, str], ...]


def subscription(site: Site, scope: Scope) -> _Subscription:
    """How to subscribe to ``scope``'s feeds at their own addresses."""
    return subscription_at(site, lambda fmt: _feed_url(site.url, scope, fmt))


def subscription_at(site: Site, url_of: Callable[[str], str]) -> _Subscription:
    """How to subscribe to the feeds whose absolute URL in each format is ``url_of(fmt)``."""
    addresses = tuple(
        _Address(FORMAT_LABELS[fmt], f"url-{fmt}", url_of(fmt)) for fmt in site.formats
    )
    main = url_of(reader_format(site.formats))
    readers = tuple((name, prefix + quote(main, safe="")) for name, prefix in READERS)
    return _Subscription(addresses, f"feed:{main}", readers)


def alternates(site: Site, scope: Scope, title: str) -> list[tuple[str, str, str]]:
    """(media type, title, absolute URL) of each format's feed, for autodiscovery."""
    return [
        (MEDIA_TYPES[fmt], f"{title} ({FORMAT_LABELS[fmt]})", _feed_url(site.url, scope, fmt))
        for fmt in site.formats
    ]


def _feed_url(site_url: str, scope: Scope, fmt: str) -> str:
    return f"{site_url}/{urls.feed_href(scope, fmt)}"


def entries(feed: Feed, zone: tzinfo, recent: Recent | None = None) -> list[str]:
    """``feed``'s posts as a page lists them, newest first, times in ``zone``: each the
    ``<li>`` of entries.html's ``entry`` macro, markup the page writes as it is. With
    ``recent``, each is written once per post and zone while it keeps the post: an export's
    preview pages share posts as its feeds do."""
    if recent is None:
        return [_item(p, zone) for p in feed.posts]
    return [recent.made(p, ("page", zone), functools.partial(_item, p, zone)) for p in feed.posts]


def _item(post: Post, zone: tzinfo) -> str:
    """``post``'s ``<li>`` on a page (:func:`entries`)."""
    image = lead_image(post)
    entry = _Entry(
        post.url,
        post.title,
        _iso(post.date, zone),
        local_time(post.date, zone),
        post.summary,
        image.url if image else "",
    )
    module = _templates().get_template("entries.html").module
    item: str = module.entry(entry)  # type: ignore[attr-defined]  # a macro: an attribute Jinja makes
    return item


def newest_time(feed: Feed, zone: tzinfo) -> str | None:
    """When ``feed``'s newest post was published, as a page shows it; ``None`` without posts."""
    return local_time(feed.posts[0].date, zone) if feed.posts else None


def _iso(when: datetime, zone: tzinfo) -> str:
    return when.astimezone(zone).isoformat(timespec="minutes")


def local_time(when: datetime, zone: tzinfo) -> str:
    """``when`` (aware) to the minute in ``zone``, as people read it on a page."""
    return when.astimezone(zone).strftime("%Y-%m-%d %H:%M")


def local_day(when: datetime | None, zone: tzinfo) -> str:
    """The day of ``when`` (aware) in ``zone``, ``YYYY-MM-DD``; empty when not known."""
    return when.astimezone(zone).strftime("%Y-%m-%d") if when else ""


def render(template: str, site: Site, words: Words, **context: object) -> bytes:
    """``template`` filled in, UTF-8: every template sees ``site`` and the words ``w``."""
    return _templates().get_template(template).render(site=site, w=words, **context).encode("utf-8")


@functools.cache
def _templates() -> jinja2.Environment:
    """The templates, compiled once per process. Autoescaping is on for every template, and
    every value is stripped of the characters HTML (like XML) forbids before it is escaped."""
    import jinja2  # a twentieth of a second: not for a command that renders no page

    return jinja2.Environment(
        loader=jinja2.PackageLoader("feeds", "templates"),
        # Templates are package data: an installed package does not change under a process,
        # and checking each file's time cost a tenth of rendering a preview page.
        auto_reload=False,
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        finalize=_legal,
    )


@functools.cache
def templates_digest() -> str:
    """A digest of every template's bytes: pages change with them even when no post does."""
    digest = hashlib.sha256()
    # The folder's files, as the environment's loader lists them (the folder is flat), read
    # without loading Jinja: an export with nothing to write renders no page.
    folder = resources.files("feeds") / "templates"
    for name in sorted(p.name for p in folder.iterdir() if p.is_file()):
        digest.update(name.encode() + b"\0" + (folder / name).read_bytes())
    return digest.hexdigest()[:16]


def _legal(value: object) -> object:
    return strip_illegal_xml(value) if type(value) is str else value
