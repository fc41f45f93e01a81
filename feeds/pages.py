"""The documents that people and their readers open to choose feeds: the OPML list, the index
page and a preview page per category, tag and author.

All are deterministic bytes: OPML's ``dateCreated`` is whatever the caller passes (never the
clock), times are shown in the site's zone, so an unchanged site exports unchanged files. The HTML
pages come from the Jinja2 templates in ``feeds/templates/`` (:mod:`feeds.templating`) with
autoescaping on, so every name, title and summary a post brings is text, never markup; they
speak the site's language (:func:`feeds.words.words_for`) and need nothing from another host:
the one stylesheet and the one small script are inline, and the pages work without the script.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from html import escape
from typing import TYPE_CHECKING
from urllib.parse import quote

if TYPE_CHECKING:
    from lxml import etree

from feeds import model, search, urls
from feeds.content import strip_illegal_xml
from feeds.dates import rfc822
from feeds.model import Feed, Scope, ScopeKind
from feeds.templating import (
    FORMAT_LABELS,
    Site,
    alternates,
    entries,
    local_day,
    local_time,
    newest_time,
    reader_format,
    render,
    subscription,
    subscription_at,
)
from feeds.words import ENGLISH, words_for
from feeds.writers import MEDIA_TYPES, Recent

_GROUPS = (ScopeKind.SITE, ScopeKind.CATEGORY, ScopeKind.TAG, ScopeKind.AUTHOR)


@dataclass(frozen=True, slots=True)
class Listing:
    """One scope as the lists show it."""

    scope: Scope
    #: Published posts in the scope (all of them, not the feed's limit).
    count: int
    #: When its newest published post was published, aware; ``None``: not known.
    newest: datetime | None = None


def opml(
    site_title: str,
    site_url: str,
    listings: Sequence[Listing],
    formats: Sequence[str],
    created: datetime | None,
    saved: Sequence[str] = (),
) -> bytes:
    """OPML 2.0 listing every feed, to subscribe to all of them in one import.

    One outline per scope, so an import subscribes once to each, not once per format: its
    feed in the first XML format served (Atom by default), as many readers (newsboat among
    them) cannot read JSON Feed; JSON only when nothing else is served. Every outline has
    ``type="rss"``, which OPML uses for any feed format. ``created`` (aware) becomes
    ``dateCreated``; ``None`` leaves it out. The ``saved`` searches (canonical queries) follow
    the tags, their pages as ``htmlUrl``. There is no ``docs`` element: OPML 2.0 allows it,
    but the W3C validator rejects it as undefined, and readers ignore it.

    Raises:
        ValueError: a format is unknown.
    """
    from lxml import etree  # only for this list: not loaded by an export with nothing to write

    _check(formats)
    fmt = reader_format(formats)
    site_name = model.site_name(site_title, site_url)
    root = etree.Element("opml", version="2.0")
    head = etree.SubElement(root, "head")
    etree.SubElement(head, "title").text = strip_illegal_xml(site_name)
    if created is not None:
        etree.SubElement(head, "dateCreated").text = rfc822(created)
    body = etree.SubElement(root, "body")
    for kind, group in _grouped(listings):
        parent = etree.SubElement(body, "outline", text=ENGLISH.heading(kind))
        for listing in group:
            _outline(
                parent,
                _scope_name(listing.scope, site_name),
                f"{site_url}/{urls.feed_href(listing.scope, fmt)}",
                _page_url(site_url, listing.scope),
            )
    if saved:
        parent = etree.SubElement(body, "outline", text=ENGLISH.saved)
        for query in saved:
            _outline(
                parent,
                query,
                f"{site_url}/{quote(urls.saved_path(query, fmt))}",
                f"{site_url}/{urls.saved_page_href(query)}",
            )
    return etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)


def _outline(parent: etree._Element, name: str, xml_url: str, html_url: str) -> None:
    # OPML's text may hold HTML, so a name is escaped as HTML: a tag called <b> stays text.
    text = escape(strip_illegal_xml(name), quote=False)
    outline = parent.makeelement(
        "outline", type="rss", text=text, title=text, xmlUrl=xml_url, htmlUrl=html_url
    )
    parent.append(outline)


def index_page(site: Site, listings: Sequence[Listing]) -> bytes:
    """The HTML5 page at ``/``: the site's own feeds to subscribe to, the search box, then its
    saved searches and every category, tag and author with its post count and last update, each
    linking to its page.

    The groups list their scopes by post count, most first, ties by slug; the script lets a
    person filter them by name and sort them by name instead, and without it the whole list
    shows. Autodiscovery links and subscribe addresses are absolute (they match each feed's
    ``rel="self"``, which is what a reader subscribes to); the links people click to move
    around are relative, so an exported copy works on any host.

    Raises:
        ValueError: a format is unknown.
    """
    _check(site.formats)
    words = words_for(site.lang)
    own = next((listing for listing in listings if listing.scope.kind is ScopeKind.SITE), None)
    groups = [
        (
            kind.value,
            words.heading(kind),
            [
                _Row(
                    urls.page_href(listing.scope),
                    _scope_name(listing.scope, site.name),
                    listing.count,
                    local_day(listing.newest, site.zone),
                )
                for listing in sorted(
                    group, key=lambda listing: (-listing.count, listing.scope.slug)
                )
            ],
        )
        for kind, group in _grouped(listings)
        if kind is not ScopeKind.SITE
    ]
    if site.saved:
        rows = [_Row(urls.saved_page_href(q), q) for q in site.saved]
        groups.insert(0, (urls.SEARCH_STEM, words.saved, rows))
    return render(
        "index.html",
        site,
        words,
        root="",
        title=site.name,
        alternates=alternates(site, model.SITE, site.name),
        count=own.count if own else 0,
        updated=local_time(own.newest, site.zone) if own and own.newest else None,
        subscription=subscription(site, model.SITE),
        groups=groups,
        opml=urls.OPML,
        search_page=urls.SEARCH_PAGE,
        search_max=search.MAX_QUERY,
    )


def preview_page(site: Site, feed: Feed, count: int, recent: Recent | None = None) -> bytes:
    """The HTML5 page of one category, tag or author (:func:`feeds.urls.page_path`): its name
    and post count, the feed's entries (title linking to the post, time in the site's zone,
    summary, lead image),
    each format's address with a copy button and links that subscribe in common readers, and
    autodiscovery for each format; with archives (the feed's ``prev_archive``), a link to the
    newest archive page in the format readers are handed. Links to other pages are relative to
    the page's folder. ``recent``: the entries an export keeps (:func:`entries`).

    Raises:
        ValueError: a format is unknown.
    """
    _check(site.formats)
    words = words_for(site.lang)
    scope = feed.scope
    name = _scope_name(scope, site.name)
    return render(
        "preview.html",
        site,
        words,
        root="../../",
        title=feed.title,
        name=name,
        kind=words.kind(scope.kind),
        alternates=alternates(site, scope, feed.title),
        count=count,
        updated=newest_time(feed, site.zone),
        subscription=subscription(site, scope),
        posts=entries(feed, site.zone, recent),
        older=(
            urls.history_url(feed, feed.prev_archive, reader_format(site.formats))
            if feed.prev_archive
            else None
        ),
    )


def search_page(
    site: Site,
    query: str = "",
    found: Feed | None = None,
    addresses: Sequence[tuple[str, str]] = (),
    count: int | None = None,
    carried: Sequence[tuple[str, str]] = (),
    message: str = "",
    *,
    saved: bool = False,
) -> bytes:
    """The HTML5 keyword search page (:data:`feeds.urls.SEARCH_PAGE`): the search box holding
    ``query`` (canonical) and, when ``found`` is its feed, how many posts match (``count``;
    ``None``: more than the feed shows), the feed's entries, its address in each format (``addresses``:
    (format, absolute URL with the query)) to copy or subscribe to, and autodiscovery for each.
    ``carried`` are the other parameters (name, value) the box sends again with a new query
    (filters, scopes, conversion). ``message`` says why a request was refused (a 400). A
    ``saved`` search's page is one folder deeper (:func:`feeds.urls.saved_page_path`).

    Raises:
        ValueError: a format is unknown.
    """
    _check(site.formats)
    words = words_for(site.lang)
    at = dict(addresses)
    title = found.title if found else f"{site.name} · {words.search_page}"
    return render(
        "search.html",
        site,
        words,
        root="../../" if saved else "../",
        action="../" if saved else "./",
        title=title,
        name=query or (words.bad_request if message else words.search_page),
        query=query,
        alternates=[
            (MEDIA_TYPES[fmt], f"{title} ({FORMAT_LABELS[fmt]})", url) for fmt, url in addresses
        ],
        count=count,
        updated=newest_time(found, site.zone) if found else None,
        subscription=subscription_at(site, at.__getitem__) if found else None,
        posts=entries(found, site.zone) if found else [],
        carried=carried,
        message=message,
        search_max=search.MAX_QUERY,
    )


@dataclass(frozen=True, slots=True)
class _Row:
    """A scope in the index page's lists."""

    href: str
    name: str
    #: ``None`` for a saved search (counting its posts would run it).
    count: int | None = None
    #: The day of its newest post, ``YYYY-MM-DD`` in the site's zone, or empty.
    day: str = ""


def _page_url(site_url: str, scope: Scope) -> str:
    """The page a person reads a scope's feed on: its preview page, or the index for the site."""
    return f"{site_url}/" + ("" if scope.kind is ScopeKind.SITE else urls.page_href(scope))


def _grouped(listings: Sequence[Listing]) -> Iterator[tuple[ScopeKind, list[Listing]]]:
    """Site, categories, tags, each with its listings in the given order; empty groups skipped."""
    for kind in _GROUPS:
        group = [listing for listing in listings if listing.scope.kind is kind]
        if group:
            yield kind, group


def _scope_name(scope: Scope, site_name: str) -> str:
    return site_name if scope.kind is ScopeKind.SITE else scope.name or scope.slug


def _check(formats: Sequence[str]) -> None:
    for fmt in formats:
        if fmt not in MEDIA_TYPES:
            known = ", ".join(MEDIA_TYPES)
            raise ValueError(f"unknown feed format {fmt!r}; expected one of {known}")
