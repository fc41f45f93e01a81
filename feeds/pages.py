"""The two documents that list feeds rather than posts: the OPML list and the HTML index page.

Both list every scope in the same order — the site, then categories, then tags, each group in
the order given — and both are deterministic bytes: OPML's ``dateCreated`` is whatever the caller
passes (never the clock), so an unchanged site exports unchanged files. The index page speaks the
site's language (:func:`words_for`).
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

_GROUPS = (ScopeKind.SITE, ScopeKind.CATEGORY, ScopeKind.TAG)


@dataclass(frozen=True, slots=True)
class Words:
    """The index page's own words in one language; names and counts are filled in, escaped."""

    #: The headings of the three groups: the site, its categories, its tags.
    site: str
    categories: str
    tags: str
    #: What the site's own row is called.
    all_posts: str
    #: A post count, for one post and for any other number (``{n}``: the number).
    one_post: str
    posts: str
    #: The sentence after the link to ``feeds.opml``.
    opml: str

    def heading(self, kind: ScopeKind) -> str:
        return {ScopeKind.SITE: self.site, ScopeKind.CATEGORY: self.categories, ScopeKind.TAG: self.tags}[kind]

    def count(self, n: int) -> str:
        return self.one_post if n == 1 else self.posts.format(n=n)


ENGLISH = Words("Site", "Categories", "Tags", "All posts", "1 post", "{n} posts",
                ": every feed above as OPML, to subscribe to them all in one import.")
SIMPLIFIED_CHINESE = Words("本站", "分类", "标签", "全部文章", "1 篇", "{n} 篇",
                           "：以上所有订阅源的 OPML 列表，一次导入即可全部订阅。")
TRADITIONAL_CHINESE = Words("本站", "分類", "標籤", "全部文章", "1 篇", "{n} 篇",
                            "：以上所有訂閱源的 OPML 清單，一次匯入即可全部訂閱。")

#: Regions whose Chinese is written in Traditional characters when the tag names no script.
_TRADITIONAL_REGIONS = frozenset({"tw", "hk", "mo"})


def words_for(lang: str) -> Words:
    """The index page's words for a BCP 47 tag (``[site] lang``), case and ``_`` forgiven.

    Chinese is Traditional for the ``Hant`` script or, with no script, Taiwan, Hong Kong and
    Macau; Simplified otherwise (``zh``, ``zh-CN``, ``zh-Hans``, ``zh-SG``). Any other language
    gets English, which is what the page said before it spoke others.
    """
    subtags = lang.lower().replace("_", "-").split("-")
    if subtags[0] != "zh":
        return ENGLISH
    scripts = [tag for tag in subtags[1:] if tag in ("hans", "hant")]
    if scripts:
        return TRADITIONAL_CHINESE if scripts[0] == "hant" else SIMPLIFIED_CHINESE
    return TRADITIONAL_CHINESE if _TRADITIONAL_REGIONS & set(subtags[1:]) else SIMPLIFIED_CHINESE

_CSS = (
    "body{font:16px/1.5 system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;"
    "color:#222;background:#fff}a{color:#0645ad}h2{margin-top:2rem;font-size:1.2rem}"
    "ul{padding-left:1.2rem}li{margin:.25rem 0}.n{color:#666}"
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
    for kind, group in _grouped(listings):
        parent = etree.SubElement(body, "outline", text=ENGLISH.heading(kind))
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

    Its headings and words are in ``lang`` (:func:`words_for`); names stay as written.
    Autodiscovery links are absolute (they match each feed's ``rel="self"``, which is what a reader
    subscribes to); the links people click are relative, so an exported copy works on any host.
    Every name is escaped: a tag called ``<script>`` shows as text.

    Raises:
        ValueError: a format is unknown.
    """
    _check(formats)
    words = words_for(lang)
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
    for kind, group in _grouped(listings):
        body += [f"<h2>{_e(words.heading(kind))}</h2>", "<ul>"]
        body += [_item(listing, formats, words) for listing in group]
        body.append("</ul>")
    body += [
        f'<p><a href="{urls.OPML}">{urls.OPML}</a>{_e(words.opml)}</p>',
        "</body>",
        "</html>",
        "",
    ]
    return "\n".join(head + body).encode("utf-8")


def _item(listing: Listing, formats: Sequence[str], words: Words) -> str:
    name = _scope_name(listing.scope, words.all_posts)
    count = _e(words.count(listing.count))
    feeds = " · ".join(
        f'<a href="{_e(urls.feed_href(listing.scope, fmt))}">{FORMAT_LABELS[fmt]}</a>' for fmt in formats
    )
    return f'<li>{_e(name)} <span class="n">({count})</span>: {feeds}</li>'


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


def _e(text: str) -> str:
    """Escaped for HTML text and double-quoted attributes, minus characters HTML forbids too."""
    return escape(strip_illegal_xml(text), quote=True)
