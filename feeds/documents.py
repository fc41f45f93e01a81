"""The document behind every URL of the layout (:mod:`feeds.urls`): the one map the service
and the export share, so a static copy answers every URL with the bytes the service sends.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, tzinfo
from xml.sax.saxutils import escape as xml_escape

from . import pages, rendering, urls, writers
from .config import Config
from .index import Index
from .jekyll import permalink
from .jekyll import posts as jekyll_posts
from .model import SITE, Feed, Scope, ScopeKind, site_name
from .urls import Target

#: Content-Type of each kind of document.
MEDIA_TYPES: dict[str, str] = {
    **{fmt: f"{media}; charset=utf-8" for fmt, media in writers.MEDIA_TYPES.items()},
    "html": "text/html; charset=utf-8",
    "opml": "text/x-opml; charset=utf-8",
}
END_OF_TIME = datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC)


@dataclass(frozen=True, slots=True)
class Document:
    """A built document: its bytes and what HTTP says about them."""

    body: bytes
    #: Content-Type, with ``charset=utf-8``.
    media_type: str
    #: Last-Modified: when the document last changed (whole seconds, never earlier than a
    #: time it was given before; see docs/decisions.md), or ``None``. Not part of the bytes.
    modified: datetime | None


@dataclass(frozen=True, slots=True)
class Layout:
    """Documents to write: (path, document, or ``None`` to remove the path)."""

    #: Files in the whole layout.
    size: int
    #: Items ``documents`` yields.
    count: int
    documents: Iterator[tuple[str, Document | None]]


@dataclass(frozen=True, slots=True)
class Options:
    """What the documents say about the site; from ``[site]`` and ``[feeds]``."""

    title: str
    description: str
    url: str
    lang: str
    author: str
    formats: tuple[str, ...]
    full_content: bool
    limit: int
    #: ``[feeds] future``: publish posts dated ahead at once.
    future: bool = False
    #: ``[site] timezone``: where the pages show times.
    zone: tzinfo = UTC
    #: ``[feeds] site_path``: where the site's Atom feed is also served.
    site_path: str = "feed.xml"
    #: ``[feeds] icon`` and ``logo``, absolute.
    icon: str = ""
    logo: str = ""
    #: Slugs of ``[feeds] hidden_tags``: tags without documents.
    hidden_tags: frozenset[str] = frozenset()

    @classmethod
    def from_config(cls, config: Config) -> Options:
        site, feeds = config.site, config.feeds
        return cls(site.title, site.description, site.url, site.lang, site.author,
                   feeds.formats, feeds.content == "full", feeds.limit, feeds.future, site.timezone,
                   feeds.site_path, feeds.icon, feeds.logo, frozenset(map(permalink.scope_slug, feeds.hidden_tags)))

    def hidden(self, scope: Scope) -> bool:
        """Whether ``scope`` is a tag the site keeps out of feeds (jekyll-feed's ``tags: except``)."""
        return scope.kind is ScopeKind.TAG and scope.slug in self.hidden_tags

    @property
    def site(self) -> pages.Site:
        """What the pages say about the site."""
        return pages.Site(self.title, self.description, self.url, self.lang, self.zone, self.formats)


class Documents:
    """Builds the document of any target from the index at a given instant."""

    def __init__(self, index: Index, options: Options, changed: datetime | None = None) -> None:
        self.index = index
        self.options = options
        #: When the settings last changed (the config file's mtime): no document's
        #: Last-Modified is earlier, as settings change the bytes of every document.
        self.changed = changed

    @classmethod
    def from_config(cls, config: Config) -> Documents:
        """Documents over the index ``config`` names (not refreshed yet).

        Raises:
            ConfigError: the config's permalink is bad.
        """
        try:
            changed: datetime | None = datetime.fromtimestamp(int(config.path.stat().st_mtime), UTC)
        except OSError:  # no file behind it (a config built in code)
            changed = None
        return cls(Index(config.index.path, jekyll_posts.rules_for(config)), Options.from_config(config), changed)

    @property
    def signature(self) -> str:
        """What, besides the posts, the documents' bytes depend on: the options and the page
        templates. An export made under another signature is redone in full."""
        return f"{self.options!r} templates={pages.templates_digest()}"

    def published_at(self, now: datetime) -> datetime:
        """The instant whose published posts the documents show: ``now`` in whole seconds (so a
        post due at 08:00:00.5 shows from 08:00:01, no earlier than the Last-Modified it
        brings), or the end of time when ``[feeds] future`` publishes every post at once.
        Callers pass this on as ``now``."""
        return END_OF_TIME if self.options.future else now.replace(microsecond=0)

    def render(self, target: Target, now: datetime, limit: int | None = None) -> Document | None:
        """The document for ``target`` as of ``now``; ``None`` when its scope has no post."""
        if target.scope is None:
            return self._listing(target.fmt, self._listings(now), now)
        scope = self.index.scope(target.scope.kind, target.scope.slug, now)
        if scope is None or self.options.hidden(scope):
            return None
        if target.fmt == "html":
            return self._preview(self.feed(scope, now, self.options.limit), now)
        feed = self.feed(scope, now, limit or self.options.limit)
        doc = _feed_document(feed, target.fmt, self.modified(scope, now))
        return _relocated(doc, feed, target.alias) if target.alias else doc

    def feed(self, scope: Scope, now: datetime, limit: int) -> Feed:
        """The feed of ``scope``: its newest ``limit`` posts published at ``now``."""
        o = self.options
        site = site_name(o.title, o.url)
        title = site if scope.kind is ScopeKind.SITE else f"{site} · {scope.name}"
        return Feed(scope=scope, title=title, description=o.description, site_url=o.url, lang=o.lang,
                    author=o.author, posts=rendering.posts(self.index, scope, now, limit), full_content=o.full_content,
                    icon=o.icon, logo=o.logo)

    def layout(self, now: datetime, scopes: Collection[Scope] | None = None) -> Layout:
        """The documents of the layout at ``now``, built as they are consumed, each scope
        queried once: what the export writes.

        With ``scopes`` (kind and slug; names are ignored) only those scopes' documents and the
        two lists are built, and a scope that no longer has a post gives ``None`` for each of
        its paths: remove them.
        """
        listings = self._listings(now)
        atom = "atom" in self.options.formats
        per_scope = len(self.options.formats) + atom + 1  # and its preview page (not the site's)
        # jekyll-feed's `feed: path`, when it is not feed.xml: one more path for the site scope.
        site_aliases = [p for p in dict.fromkeys((urls.jekyll_feed_path(SITE), self.options.site_path)) if atom]
        site_extra = len(site_aliases) - atom - 1  # the site scope has no preview page
        existing = {listing.scope: listing.scope for listing in listings}
        wanted = [listing.scope for listing in listings] if scopes is None else sorted(
            set(scopes), key=lambda s: (s.kind.value, s.slug))

        def documents() -> Iterator[tuple[str, Document | None]]:
            if scopes is None or scopes:
                yield urls.INDEX_PAGE, self._listing("html", listings, now)
                yield urls.OPML, self._listing("opml", listings, now)
            for wanted_scope in wanted:
                scope = existing.get(wanted_scope)
                feed = self.feed(scope, now, self.options.limit) if scope else None
                modified = self.modified(feed.scope, now) if feed else None
                docs = {fmt: _feed_document(feed, fmt, modified) for fmt in self.options.formats} if feed else {}
                for fmt in self.options.formats:
                    yield urls.feed_path(wanted_scope, fmt), docs.get(fmt)
                for alias in site_aliases if wanted_scope.kind is ScopeKind.SITE else [urls.jekyll_feed_path(wanted_scope)] * atom:
                    yield alias, _relocated(docs["atom"], feed, alias) if feed else None
                if wanted_scope.kind is not ScopeKind.SITE:
                    yield urls.page_path(wanted_scope), self._preview(feed, now) if feed else None

        size = 2 + len(listings) * per_scope + site_extra * sum(listing.scope.kind is ScopeKind.SITE for listing in listings)
        count = size if scopes is None else (2 if scopes else 0) + len(wanted) * per_scope + site_extra * sum(
            s.kind is ScopeKind.SITE for s in wanted)
        return Layout(size, count, documents())

    def modified(self, scope: Scope | None, now: datetime) -> datetime | None:
        """Last-Modified of the documents of ``scope`` (``None``: the lists) at ``now``: the
        index's (:meth:`Index.modified`), no earlier than the settings' last change."""
        found = [t for t in (self.index.modified(scope, now), self.changed) if t is not None]
        return max(found, default=None)

    def _listings(self, now: datetime) -> list[pages.Listing]:
        return [pages.Listing(s, n, newest) for s, n, newest in self.index.dated_scopes(now) if not self.options.hidden(s)]

    def _listing(self, fmt: str, listings: list[pages.Listing], now: datetime) -> Document:
        o = self.options
        if fmt == "opml":
            newest = self.index.posts(SITE, now, 1)
            body = pages.opml(o.title, o.url, listings, o.formats, newest[0].post.date if newest else None)
        else:
            body = pages.index_page(o.site, listings)
        return Document(body, MEDIA_TYPES[fmt], self.modified(None, now))

    def _preview(self, feed: Feed, now: datetime) -> Document:
        """The preview page of ``feed``'s scope: the feed's entries, so it renders nothing more."""
        body = pages.preview_page(self.options.site, feed, self.index.size(feed.scope, now))
        return Document(body, MEDIA_TYPES["html"], self.modified(feed.scope, now))


def _relocated(doc: Document, feed: Feed, alias: str) -> Document:
    """The Atom document of ``feed`` as served at ``alias``: only its ``id`` and self link name
    another URL, so those two are swapped in the bytes instead of writing the feed again (a
    quarter of an export's Atom writing). Falls back to writing it when the swap is unsure."""
    old = xml_escape(urls.feed_url(feed, "atom")).encode("utf-8")
    moved = replace(feed, location=alias)
    head, entry, rest = doc.body.partition(b"<entry>")
    if head.count(old) != 2:
        return _feed_document(moved, "atom", doc.modified)
    new = xml_escape(urls.feed_url(moved, "atom")).encode("utf-8")
    return replace(doc, body=head.replace(old, new) + entry + rest)


def _feed_document(feed: Feed, fmt: str, modified: datetime | None) -> Document:
    return Document(writers.render(feed, fmt), MEDIA_TYPES[fmt], modified)
