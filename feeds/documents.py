"""The document behind every URL of the layout (:mod:`feeds.urls`): the one map the service
and the export share, so a static copy answers every URL with the bytes the service sends.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from html import escape

from . import archives, pages, rendering, selected, templating, urls, writers
from .config import Config
from .index import Index
from .jekyll import posts as jekyll_posts
from .model import SITE, Feed, Post, Scope, ScopeKind, site_name
from .options import Options
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
    #: A sealed RFC 5005 archive page (:mod:`feeds.archives`): its bytes stay as they are.
    sealed: bool = False


@dataclass(frozen=True, slots=True)
class Layout:
    """What an export writes at one instant: the two lists and the saved searches, built, and
    the scopes whose files :meth:`Documents.scope_documents` builds, each on its own, in any
    process."""

    #: Files in the whole layout.
    size: int
    #: Files to write or remove.
    count: int
    #: The index page, the OPML list and each saved search's files, or nothing when no scope is
    #: to be written.
    lists: tuple[tuple[str, Document], ...]
    #: Each scope to write (``True``, named) or whose files to remove (``False``: it has no
    #: post left), by kind and slug.
    scopes: tuple[tuple[Scope, bool], ...]
    #: The paths of each scope of :attr:`scopes` (:meth:`Documents.scope_paths`), archive
    #: pages included.
    files: Mapping[Scope, tuple[str, ...]]


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
        return cls(
            Index(config.index.path, jekyll_posts.rules_for(config)),
            Options.from_config(config),
            changed,
        )

    @property
    def signature(self) -> str:
        """What, besides the posts, the documents' bytes depend on: the options and the page
        templates. An export made under another signature is redone in full."""
        return f"{self.options!r} templates={templating.templates_digest()}"

    def published_at(self, now: datetime) -> datetime:
        """The instant whose published posts the documents show: ``now`` in whole seconds (so a
        post due at 08:00:00.5 shows from 08:00:01, no earlier than the Last-Modified it
        brings), or the end of time when ``[feeds] future`` publishes every post at once.
        Callers pass this on as ``now``."""
        return END_OF_TIME if self.options.future else now.replace(microsecond=0)

    def render(self, target: Target, now: datetime, limit: int | None = None) -> Document | None:
        """The document for ``target`` as of ``now``; ``None`` when its scope has no post."""
        if target.alias and target.search and target.query not in self.options.saved:
            return None
        if target.search and target.fmt == "html":
            body = selected.page(self.index, self.options, target, now)
            return Document(body, MEDIA_TYPES["html"], self.modified(None, now)) if body else None
        if target.selected and target.fmt != "html":
            chosen = selected.feed(
                self.index, self.options, target, now, limit or self.options.limit
            )
            scope_of = target.scope if not target.within else None
            if chosen is None:
                return None
            return _feed_document(chosen[0], target.fmt, self.modified(scope_of, now))
        if target.scope is None:
            return self._listing(target.fmt, self._listings(now), now)
        scope = self.index.scope(target.scope.kind, target.scope.slug, now)
        if scope is None or self.options.hidden(scope):
            return None
        if target.fmt == "html":
            return self._preview(self.feed(scope, now, self.options.limit), now)
        if target.page:
            return self._archive(scope, target.page, target.fmt, now)
        feed = self.feed(scope, now, limit or self.options.limit)
        doc = _feed_document(feed, target.fmt, self.modified(scope, now))
        return _relocated(doc, feed, target.alias) if target.alias else doc

    def feed(self, scope: Scope, now: datetime, limit: int) -> Feed:
        """The feed of ``scope``: its newest ``limit`` posts published at ``now``. With
        archives, it says it is complete when those are all (RFC 5005); at the configured limit
        it links the newest archive page, or shows every post where they would fill one page
        at most (:class:`feeds.archives.Pages`)."""
        feed = self._feed(scope, rendering.posts(self.index, scope, now, limit))
        o = self.options
        if not o.archives:
            return feed
        total = len(feed.posts) if len(feed.posts) < limit else self.index.size(scope, now)
        if limit != o.limit:
            return replace(feed, complete=total <= limit)
        pages = archives.Pages(total, limit, o.archive_size)
        if pages.in_feed > limit:
            feed = replace(feed, posts=rendering.posts(self.index, scope, now, pages.in_feed))
        return replace(feed, complete=not pages.count, prev_archive=pages.count)

    def _feed(self, scope: Scope, posts: tuple[Post, ...]) -> Feed:
        """A feed of ``scope`` holding ``posts``."""
        o = self.options
        site = site_name(o.title, o.url)
        title = site if scope.kind is ScopeKind.SITE else f"{site} · {scope.name}"
        return Feed(
            scope=scope,
            title=title,
            description=o.description,
            site_url=o.url,
            lang=o.lang,
            author=o.author,
            posts=posts,
            full_content=o.full_content,
            icon=o.icon,
            logo=o.logo,
            hubs=o.hubs,
        )

    def history(self, scope: Scope, now: datetime) -> archives.History | None:
        """The archive pages of ``scope`` at ``now``; ``None`` without ``[feeds] archives``.
        They name no WebSub hub: hubs hear only of the scopes' feeds (:mod:`feeds.websub`)."""
        o = self.options
        if not o.archives:
            return None
        base = replace(self._feed(scope, ()), hubs=())
        return archives.History(self.index, base, now, o.limit, o.archive_size)

    def _archive(self, scope: Scope, page: int, fmt: str, now: datetime) -> Document | None:
        """Archive page ``page`` of ``scope`` in ``fmt``; ``None`` without archives or that page."""
        history = self.history(scope, now)
        feed = history.feed(page) if history else None
        if feed is None:
            return None
        return _feed_document(feed, fmt, self.modified(scope, now))

    def layout(self, now: datetime, scopes: Collection[Scope] | None = None) -> Layout:
        """What the export writes at ``now``: every scope, or with ``scopes`` (kind and slug;
        names are ignored) only those and the two lists. A scope that no longer has a post is
        to have its files removed."""
        listings = self._listings(now)
        existing = {listing.scope: listing.scope for listing in listings}
        # Scopes showing the same newest post and as many posts one after another (on a news
        # site, a category and the tag of the same posts): their files are built in turn,
        # reusing entries (feeds.writers.entry.Recent). Scopes to remove come last.
        rank = {
            listing.scope: (-listing.newest.timestamp(), -listing.count)
            for listing in listings
            if listing.newest is not None
        }
        wanted = sorted(
            [listing.scope for listing in listings] if scopes is None else set(scopes),
            key=lambda s: (s not in rank, rank.get(s, (0.0, 0)), s.kind.value, s.slug),
        )
        lists: tuple[tuple[str, Document], ...] = ()
        if scopes is None or scopes:
            lists = (
                (urls.INDEX_PAGE, self._listing("html", listings, now)),
                (urls.OPML, self._listing("opml", listings, now)),
                *self._saved(now),
            )
        totals = {listing.scope: listing.count for listing in listings}
        files = {s: self.scope_paths(s, totals.get(s, 0)) for s in wanted}
        return Layout(
            2
            + len(self.options.saved) * (len(self.options.formats) + 1)
            + sum(len(self.scope_paths(s, n)) for s, n in totals.items()),
            len(lists) + sum(map(len, files.values())),
            lists,
            tuple((existing.get(s, s), s in existing) for s in wanted),
            files,
        )

    def _saved(self, now: datetime) -> list[tuple[str, Document]]:
        """Each saved search's feed in each format and its page, by path: any post can change
        them, so they are written with the lists."""
        found = []
        for query in self.options.saved:
            for fmt in self.options.formats:
                path = urls.saved_path(query, fmt)
                target = Target(fmt, search=True, query=query, alias=path)
                found.append((path, self.render(target, now)))
            page = Target("html", search=True, query=query, alias=f"{urls.SEARCH_PAGE}{query}/")
            found.append((urls.saved_page_path(query), self.render(page, now)))
        return [(path, doc) for path, doc in found if doc is not None]

    def scope_paths(self, scope: Scope, total: int = 0) -> tuple[str, ...]:
        """The paths of ``scope``'s files: one per format, jekyll-feed's Atom paths, its
        preview page (the site's is the index page), and with archives, each archive page in
        each format for a scope of ``total`` posts."""
        page = () if scope.kind is ScopeKind.SITE else (urls.page_path(scope),)
        o = self.options
        count = archives.Pages(total, o.limit, o.archive_size).count if o.archives else 0
        return (
            *self.feed_paths(scope),
            *page,
            *(urls.archive_path(scope, n, fmt) for n in range(1, count + 1) for fmt in o.formats),
        )

    def feed_paths(self, scope: Scope) -> tuple[str, ...]:
        """The paths of ``scope``'s feeds: one per format, then jekyll-feed's Atom paths."""
        return (
            *(urls.feed_path(scope, fmt) for fmt in self.options.formats),
            *self._aliases(scope),
        )

    def _aliases(self, scope: Scope) -> tuple[str, ...]:
        """jekyll-feed's paths of ``scope``'s Atom feed: for the site, ``feed.xml`` and the
        ``feed: path`` of ``_config.yml`` when it is another."""
        if "atom" not in self.options.formats:
            return ()
        if scope.kind is ScopeKind.SITE:
            return tuple(dict.fromkeys((urls.jekyll_feed_path(SITE), self.options.site_path)))
        return tuple(filter(None, (urls.jekyll_feed_path(scope),)))

    def scope_documents(
        self, scope: Scope, present: bool, now: datetime, recent: writers.Recent | None = None
    ) -> list[tuple[str, Document | None]]:
        """Each file of ``scope`` (from :meth:`layout`) at ``now``: its path and document, or
        ``None`` for each path when the scope is not ``present`` (remove them). The scope is
        queried once for all its files; entries made for the scopes before it are reused from
        ``recent``."""
        paths = self.scope_paths(scope)
        if not present:
            return [(path, None) for path in paths]
        feed = self.feed(scope, now, self.options.limit)
        docs = feed_documents(feed, self.options.formats, self.modified(scope, now), recent)
        found: list[tuple[str, Document | None]] = [
            (path, docs[fmt]) for path, fmt in zip(paths, self.options.formats)
        ]
        found += ((alias, _relocated(docs["atom"], feed, alias)) for alias in self._aliases(scope))
        if scope.kind is not ScopeKind.SITE:
            found.append((urls.page_path(scope), self._preview(feed, now, recent)))
        return found

    def modified(self, scope: Scope | None, now: datetime) -> datetime | None:
        """Last-Modified of the documents of ``scope`` (``None``: the lists) at ``now``: the
        index's (:meth:`Index.modified`), no earlier than the settings' last change."""
        found = [t for t in (self.index.modified(scope, now), self.changed) if t is not None]
        return max(found, default=None)

    def _listings(self, now: datetime) -> list[pages.Listing]:
        return [
            pages.Listing(s, n, newest)
            for s, n, newest in self.index.dated_scopes(now)
            if not self.options.hidden(s)
        ]

    def _listing(self, fmt: str, listings: list[pages.Listing], now: datetime) -> Document:
        o = self.options
        if fmt == "opml":
            newest = self.index.posts(SITE, now, 1)
            body = pages.opml(
                o.title,
                o.url,
                listings,
                o.formats,
                newest[0].post.date if newest else None,
                o.saved,
            )
        else:
            body = pages.index_page(o.site, listings)
        return Document(body, MEDIA_TYPES[fmt], self.modified(None, now))

    def _preview(self, feed: Feed, now: datetime, recent: writers.Recent | None = None) -> Document:
        """The preview page of ``feed``'s scope: the feed's entries, so it renders nothing more
        (its items kept in ``recent``, as the feeds' entries are)."""
        body = pages.preview_page(self.options.site, feed, self.index.size(feed.scope, now), recent)
        return Document(body, MEDIA_TYPES["html"], self.modified(feed.scope, now))


def _relocated(doc: Document, feed: Feed, alias: str) -> Document:
    """The Atom document of ``feed`` as served at ``alias``: only its ``id`` and self link name
    another URL, so those two are swapped in the bytes instead of writing the feed again (a
    quarter of an export's Atom writing). Falls back to writing it when the swap is unsure."""
    old = escape(urls.feed_url(feed, "atom"), quote=False).encode("utf-8")
    moved = replace(feed, location=alias)
    head, entry, rest = doc.body.partition(b"<entry>")
    if head.count(old) != 2:
        return _feed_document(moved, "atom", doc.modified)
    new = escape(urls.feed_url(moved, "atom"), quote=False).encode("utf-8")
    return replace(doc, body=head.replace(old, new) + entry + rest)


def feed_documents(
    feed: Feed,
    formats: Sequence[str],
    modified: datetime | None,
    recent: writers.Recent | None = None,
) -> dict[str, Document]:
    """The documents of ``feed`` in each of ``formats``, written together
    (:func:`writers.render_all`, reusing ``recent`` entries)."""
    return {
        fmt: Document(body, MEDIA_TYPES[fmt], modified, feed.sealed)
        for fmt, body in writers.render_all(feed, formats, recent).items()
    }


def _feed_document(feed: Feed, fmt: str, modified: datetime | None) -> Document:
    return Document(writers.render(feed, fmt), MEDIA_TYPES[fmt], modified, feed.sealed)
