"""The two documents that list feeds rather than posts: the OPML list and the HTML index page.

Both list every scope in the same order — the site, then categories, then tags, each group in
the order given — and both are deterministic bytes: OPML's ``dateCreated`` is whatever the caller
passes (never the clock), so an unchanged site exports unchanged files.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from html import escape

from lxml import etree

from feeds import model, urls
from feeds.content import strip_illegal_xml
from feeds.dates import rfc822
from feeds.model import Scope, ScopeKind
from feeds.writers import MEDIA_TYPES

#: How each format is named to people (link text, autodiscovery titles).
FORMAT_LABELS: dict[str, str] = {"atom": "Atom", "rss": "RSS", "json": "JSON Feed"}

_GROUPS = ((ScopeKind.SITE, "Site"), (ScopeKind.CATEGORY, "Categories"), (ScopeKind.TAG, "Tags"))

_CSS = (
    "body{font:16px/1.5 system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;"
    "color:#222;background:#fff}a{color:#0645ad}h2{margin-top:2rem;font-size:1.2rem}"
    "ul{padding-left:1.2rem}li{margin:.25rem 0}.n{color:#666}"
)

_OPML_LINK = (
    f'<p><a href="{urls.OPML}">{urls.OPML}</a>: every feed above as OPML,'
    " to subscribe to them all in one import.</p>"
)


@dataclass(frozen=True, slots=True)
class Listing:
    """One scope as the lists show it."""

    scope: Scope
    #: Published posts in the scope (all of them, not the feed's limit).
    count: int


def opml(
    site_title: str,
    site_url: str,
    listings: Sequence[Listing],
    formats: Sequence[str],
    created: datetime | None,
) -> bytes:
    """OPML 2.0 listing every feed, to subscribe to all of them in one import.

    One outline per scope, so an import subscribes once to each, not once per format: its
    feed in the first XML format served (Atom by default), as many readers (newsboat among
    them) cannot read JSON Feed; JSON only when nothing else is served. Every outline has
    ``type="rss"``, which OPML uses for any feed format. ``created`` (aware) becomes
    ``dateCreated``; ``None`` leaves it out. There is no ``docs`` element: OPML 2.0 allows it,
    but the W3C validator rejects it as undefined, and readers ignore it.

    Raises:
        ValueError: a format is unknown.
    """
    _check(formats)
    fmt = next((f for f in formats if f != "json"), formats[0])
    site_name = model.site_name(site_title, site_url)
    root = etree.Element("opml", version="2.0")
    head = etree.SubElement(root, "head")
    etree.SubElement(head, "title").text = strip_illegal_xml(site_name)
    if created is not None:
        etree.SubElement(head, "dateCreated").text = rfc822(created)
    body = etree.SubElement(root, "body")
    for label, group in _grouped(listings):
        parent = etree.SubElement(body, "outline", text=label)
        for listing in group:
            # OPML's text may hold HTML, so a name is escaped as HTML: a tag called <b> stays text.
            name = escape(strip_illegal_xml(_scope_name(listing.scope, site_name)), quote=False)
            etree.SubElement(
                parent,
                "outline",
                type="rss",
                text=name,
                title=name,
                xmlUrl=f"{site_url}/{urls.feed_href(listing.scope, fmt)}",
                htmlUrl=f"{site_url}/",
            )
    return etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)


def index_page(
    site_title: str,
    site_description: str,
    site_url: str,
    lang: str,
    listings: Sequence[Listing],
    formats: Sequence[str],
) -> bytes:
    """The HTML5 page at ``/``: autodiscovery links for the site feed and a list of every feed.

    Autodiscovery links are absolute (they match each feed's ``rel="self"``, which is what a reader
    subscribes to); the links people click are relative, so an exported copy works on any host.
    Every name is escaped: a tag called ``<script>`` shows as text.

    Raises:
        ValueError: a format is unknown.
    """
    _check(formats)
    site_name = model.site_name(site_title, site_url)
    site = Scope(ScopeKind.SITE)
    head = [
        "<!doctype html>",
        f'<html lang="{_e(lang)}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{_e(site_name)}</title>",
    ]
    if site_description:
        head.append(f'<meta name="description" content="{_e(site_description)}">')
    for fmt in formats:
        head.append(
            f'<link rel="alternate" type="{MEDIA_TYPES[fmt]}"'
            f' title="{_e(site_name)} ({FORMAT_LABELS[fmt]})"'
            f' href="{_e(site_url)}/{_e(urls.feed_href(site, fmt))}">'
        )
    head += [f"<style>{_CSS}</style>", "</head>", "<body>", f"<h1>{_e(site_name)}</h1>"]
    if site_description:
        head.append(f"<p>{_e(site_description)}</p>")
    body: list[str] = []
    for label, group in _grouped(listings):
        body += [f"<h2>{label}</h2>", "<ul>"]
        body += [_item(listing, formats) for listing in group]
        body.append("</ul>")
    body += [
        _OPML_LINK,
        "</body>",
        "</html>",
        "",
    ]
    return "\n".join(head + body).encode("utf-8")


def _item(listing: Listing, formats: Sequence[str]) -> str:
    name = _scope_name(listing.scope, "All posts")
    count = f"{listing.count} post" + ("" if listing.count == 1 else "s")
    feeds = " · ".join(
        f'<a href="{_e(urls.feed_href(listing.scope, fmt))}">{FORMAT_LABELS[fmt]}</a>' for fmt in formats
    )
    return f'<li>{_e(name)} <span class="n">({count})</span>: {feeds}</li>'


def _grouped(listings: Sequence[Listing]) -> Iterator[tuple[str, list[Listing]]]:
    """Site, categories, tags, each with its listings in the given order; empty groups skipped."""
    for kind, label in _GROUPS:
        group = [listing for listing in listings if listing.scope.kind is kind]
        if group:
            yield label, group



def _scope_name(scope: Scope, site_name: str) -> str:
    return site_name if scope.kind is ScopeKind.SITE else scope.name or scope.slug


def _check(formats: Sequence[str]) -> None:
    for fmt in formats:
        if fmt not in MEDIA_TYPES:
            known = ", ".join(MEDIA_TYPES)
            raise ValueError(f"unknown feed format {fmt!r}; expected one of {known}")


def _e(text: str) -> str:
    """Escaped for HTML text and double-quoted attributes, minus characters HTML forbids too."""
    return escape(strip_illegal_xml(text), quote=True)
