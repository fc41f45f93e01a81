"""The URL layout: where each document lives, relative to the site root, both ways.

This is the one place that knows the layout (DESIGN, "URLs"): ``index.html``, ``feeds.opml``,
``feed.<fmt>``, ``category/<slug>.<fmt>``, ``tag/<slug>.<fmt>``, ``author/<slug>.<fmt>``, the
preview pages ``category/<slug>/``, ``tag/<slug>/`` and ``author/<slug>/`` (``index.html`` in
those folders), the keyword search page ``search/?q=…`` and its feeds ``search.<fmt>?q=…``
(served only), a saved search's feeds ``search/<query>.<fmt>`` and page ``search/<query>/``,
and jekyll-feed's
``feed.xml`` (and ``[feeds] site_path``), ``feed/<category>.xml`` and ``feed/by_tag/<tag>.xml``
as Atom that names itself at that path, and with ``[feeds] archives`` each scope's RFC 5005
archive pages ``<feed path without .fmt>/archive/<n>.<fmt>`` (``feed/archive/3.atom``,
``category/<slug>/archive/3.atom``), numbered from 1, the oldest posts.
The service resolves requests with it, the export names its files and knows which it owns with
it, and the feeds, lists and CLI link with it, so a static copy answers every URL the service does.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import quote as _quote

from .filters import Filters
from .model import FORMATS, SITE, Feed, Scope, ScopeKind

#: What :func:`urllib.parse.quote` leaves as it is (its default ``safe`` is ``/``).
_UNQUOTED = re.compile(r"[A-Za-z0-9_.~/-]*")


def quote(path: str) -> str:
    """``urllib.parse.quote``, returning a path that needs no quoting at once: the index
    page and the OPML quote four links for each of thousands of scopes."""
    return path if _UNQUOTED.fullmatch(path) else _quote(path)


INDEX_PAGE = "index.html"
#: The keyword feeds' path stem: ``search.<fmt>?q=…``, served only (no file can hold a query).
SEARCH_STEM = "search"
#: The keyword search page, ``search/?q=…``: served only, like the keyword feeds.
SEARCH_PAGE = f"{SEARCH_STEM}/"
OPML = "feeds.opml"
#: The site scope's path stem; also the folder of jekyll-feed's per-scope paths.
_SITE_STEM = "feed"
_KINDS = {kind.value: kind for kind in (ScopeKind.CATEGORY, ScopeKind.TAG, ScopeKind.AUTHOR)}
#: The folder of a scope's archive pages, beside its feeds.
ARCHIVE_FOLDER = "archive"
#: An archive page's path stem: the scope's feed stem, ``/archive/``, its number (no zeros first:
#: one URL per page).
_ARCHIVE = re.compile(rf"(?P<stem>.+)/{ARCHIVE_FOLDER}/(?P<page>[1-9][0-9]{{0,8}})")


@dataclass(frozen=True, slots=True)
class Target:
    """One URL of the layout, parsed; ``scope`` is ``None`` for the index page and OPML, and
    names the category or tag of a preview page (``html``)."""

    #: ``atom``, ``rss``, ``json``, ``html`` or ``opml``.
    fmt: str
    scope: Scope | None = None
    #: Set for jekyll-feed's paths and saved searches' (whose ``query`` it holds): where the
    #: document says it lives.
    alias: str = ""
    #: A keyword feed (``scope`` is ``None``), whose query comes with the request.
    search: bool = False
    #: The keyword feed's query, canonical (:attr:`feeds.search.Query.canonical`), once parsed.
    query: str = ""
    #: A feed's filter parameters, once parsed.
    filters: Filters = Filters()  # noqa: RUF009 - frozen, so one shared default is safe
    #: A combined feed's scopes, once parsed: a post is in one scope of each group.
    within: tuple[tuple[Scope, ...], ...] = ()
    #: The OpenCC conversion of its words (``s2t``…), once checked.
    opencc: str = ""
    #: The scope's RFC 5005 archive page, from 1; 0: its subscription feed.
    page: int = 0

    @property
    def selected(self) -> bool:
        """Whether the feed's posts are chosen by a query, filters or combined scopes, or
        converted."""
        return self.search or bool(self.filters) or bool(self.within) or bool(self.opencc)


def feed_path(scope: Scope, fmt: str) -> str:
    """Where ``scope``'s feed in ``fmt`` lives, not percent-encoded (``category/emnews.atom``)."""
    if scope.kind is ScopeKind.SITE:
        return f"{_SITE_STEM}.{fmt}"
    return f"{scope.kind.value}/{scope.slug}.{fmt}"


def feed_href(scope: Scope, fmt: str) -> str:
    """:func:`feed_path`, percent-encoded: a link relative to the site root."""
    return quote(feed_path(scope, fmt))


def archive_path(scope: Scope, page: int, fmt: str) -> str:
    """Where archive page ``page`` (from 1) of ``scope``'s feed in ``fmt`` lives, not
    percent-encoded (``category/emnews/archive/3.atom``)."""
    return f"{feed_path(scope, fmt).removesuffix('.' + fmt)}/{ARCHIVE_FOLDER}/{page}.{fmt}"


def page_path(scope: Scope) -> str:
    """Where the preview page of a category or tag is written, not percent-encoded
    (``category/emnews/index.html``): a static host serves it at :func:`page_href`."""
    return f"{scope.kind.value}/{scope.slug}/{INDEX_PAGE}"


def page_href(scope: Scope) -> str:
    """The preview page's link relative to the site root, percent-encoded (``category/emnews/``)."""
    return quote(f"{scope.kind.value}/{scope.slug}/")


def saved_path(query: str, fmt: str) -> str:
    """Where a saved search's feed in ``fmt`` lives, not percent-encoded: its canonical query
    as the file name (``search/宁德时代 -涨停.atom``), which the service answers too."""
    return f"{SEARCH_PAGE}{query}.{fmt}"


def saved_page_path(query: str) -> str:
    """Where a saved search's page is written (``search/蔚来/index.html``)."""
    return f"{SEARCH_PAGE}{query}/{INDEX_PAGE}"


def saved_page_href(query: str) -> str:
    """A saved search's page, relative to the site root, percent-encoded (``search/%E8%94%9A%E6%9D%A5/``)."""
    return quote(f"{SEARCH_PAGE}{query}/")


def jekyll_feed_path(scope: Scope) -> str:
    """jekyll-feed's path for a scope's Atom feed (``feed/emnews.xml``, ``feed/by_tag/x.xml``);
    empty for an author, which jekyll-feed gives no feed."""
    if scope.kind is ScopeKind.SITE:
        return f"{_SITE_STEM}.xml"
    if scope.kind is ScopeKind.TAG:
        return f"{_SITE_STEM}/by_tag/{scope.slug}.xml"
    if scope.kind is ScopeKind.AUTHOR:
        return ""
    return f"{_SITE_STEM}/{scope.slug}.xml"


def feed_url(feed: Feed, fmt: str) -> str:
    """The absolute URL ``feed`` is served at in ``fmt``: its ``rel="self"`` and Atom id."""
    path = feed.location or (
        archive_path(feed.scope, feed.archive, fmt) if feed.archive else feed_path(feed.scope, fmt)
    )
    url = f"{feed.site_url}/{quote(path)}"
    return f"{url}?{feed.query}" if feed.query else url


def absolute(site_url: str, path: str) -> str:
    """The absolute URL of the layout's ``path`` (from :func:`feed_path` and the others) on the
    site at ``site_url``: what a WebSub hub is told, and the HTTP ``Link`` header's self."""
    return f"{site_url}/{quote(path)}"


def history_url(feed: Feed, page: int, fmt: str) -> str:
    """The absolute URL of archive page ``page`` of ``feed``'s scope in ``fmt``; page 0: the
    scope's subscription feed (RFC 5005 ``current``), wherever ``feed`` itself is served."""
    path = archive_path(feed.scope, page, fmt) if page else feed_path(feed.scope, fmt)
    return absolute(feed.site_url, path)


def resolve(path: str, formats: Sequence[str], site_path: str = "") -> Target | None:
    """The target of a URL path (percent-decoded, without the leading ``/``), or ``None``.
    ``site_path`` is jekyll-feed's ``feed: path``: the site's Atom feed too, besides
    ``feed.xml`` (``[feeds] site_path`` keeps it clear of every other path here).

    Only the shape is checked here; whether the scope exists is the index's to say.
    """
    if site_path and path == site_path:
        return Target("atom", SITE, alias=path) if "atom" in formats else None
    if path in ("", INDEX_PAGE):
        return Target("html")
    if path == OPML:
        return Target("opml")
    folder = path.removesuffix(INDEX_PAGE)
    if folder == SEARCH_PAGE:
        return Target("html", search=True)
    if folder.endswith("/"):
        kind_name, _, slug = folder[:-1].partition("/")
        if kind_name == SEARCH_STEM and _is_slug(slug):
            return Target("html", search=True, query=slug, alias=folder)
        return (
            Target("html", Scope(_KINDS[kind_name], slug))
            if kind_name in _KINDS and _is_slug(slug)
            else None
        )
    if path == jekyll_feed_path(SITE):
        return Target("atom", SITE, alias=path) if "atom" in formats else None
    stem, dot, fmt = path.rpartition(".")
    if not dot:
        return None
    if path.startswith(f"{_SITE_STEM}/") and fmt == "xml" and "atom" in formats:
        rest = stem[len(_SITE_STEM) + 1 :]
        kind, slug = (
            (ScopeKind.TAG, rest[len("by_tag/") :])
            if rest.startswith("by_tag/")
            else (ScopeKind.CATEGORY, rest)
        )
        return Target("atom", Scope(kind, slug), alias=path) if _is_slug(slug) else None
    if fmt not in formats:
        return None
    archive = _ARCHIVE.fullmatch(stem)
    if archive:
        feed = resolve(f"{archive['stem']}.{fmt}", formats)
        return (
            Target(fmt, feed.scope, page=int(archive["page"]))
            if feed is not None and feed.scope is not None and not feed.page
            else None
        )
    if stem == _SITE_STEM:
        return Target(fmt, SITE)
    if stem == SEARCH_STEM:
        return Target(fmt, search=True)
    if stem.startswith(SEARCH_PAGE) and _is_slug(stem[len(SEARCH_PAGE) :]):
        return Target(fmt, search=True, query=stem[len(SEARCH_PAGE) :], alias=path)
    kind_name, _, slug = stem.partition("/")
    if kind_name in _KINDS and _is_slug(slug):
        return Target(fmt, Scope(_KINDS[kind_name], slug))
    return None


def owned(path: str) -> bool:
    """Whether a file at ``path`` (relative to an export folder) is one the layout writes in
    some format: the export may remove it when its scope is gone or its format switched off.
    The search page is not one: it is served only."""
    target = resolve(path, FORMATS) if path else None
    return target is not None and target != Target("html", search=True)


def _is_slug(text: str) -> bool:
    return bool(text) and "/" not in text and text not in (".", "..")
