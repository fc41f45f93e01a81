"""Feeds and pages whose posts a request chooses from a site's whole history: a keyword query,
RSSHub's filters, combined scopes and a Simplified/Traditional conversion (issue #11), and the
keyword search page. Their self links carry what chose them, canonical, so two spellings of one
request share one cached document."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from urllib.parse import parse_qsl, quote

from . import convert, pages, rendering, search, summaries, urls
from .dates import EPOCH
from .index import Index
from .model import SITE, Feed, Scope, ScopeKind, site_name
from .options import Options
from .urls import Target


def feed(
    index: Index, options: Options, target: Target, now: datetime, limit: int
) -> tuple[Feed, bool] | None:
    """A feed whose posts a query, filters or combined scopes choose from the whole history
    (``None``: a scope it names has no post), and whether the whole history was looked
    through (:meth:`Index.select`). Its self link carries them, canonical."""
    o, f = options, target.filters
    site = site_name(o.title, o.url)
    within = tuple(
        tuple(found for s in group if (found := index.scope(s.kind, s.slug, now)))
        for group in target.within
    )
    if not all(within):
        return None
    if target.scope is not None and target.scope.kind is not ScopeKind.SITE:
        scope = index.scope(target.scope.kind, target.scope.slug, now)
        if scope is None:
            return None
        within = ((scope,), *within)
    query = search.parse(target.query) if target.search else None
    named = [query.canonical] if query else []
    named += [" | ".join(s.name for s in group) for group in within]
    since = now - timedelta(seconds=f.time) if f.time else None
    stored, whole = index.select(
        now,
        limit,
        query=query,
        within=within,
        since=since,
        accept=f.matcher(),
        contains=f.required(),
    )
    posts = rendering.complete(index, stored)
    if f.brief:
        posts = tuple(replace(p, summary=summaries.summary(p.content_html, f.brief)) for p in posts)
    words: Callable[[str], str] = str
    lang = o.lang
    if target.opencc:
        posts = tuple(convert.post(target.opencc, p) for p in posts)
        words, lang = convert.converter(target.opencc), convert.CONVERSIONS[target.opencc]
    location = _location(target, target.fmt)
    # Nothing chosen: dated by the site's newest post, not the epoch (docs/decisions.md).
    newest = () if posts else index.posts(SITE, now, 1)
    feed = Feed(
        scope=target.scope or SITE,
        title=words(" · ".join([site, *named])),
        description=words(o.description),
        site_url=o.url,
        lang=lang,
        author=words(o.author),
        posts=posts,
        full_content=o.full_content and not f.brief,
        location=location,
        query=_query_string(replace(target, query="") if target.alias else target),
        empty_updated=newest[0].post.updated if newest else EPOCH,
    )
    return feed, whole


def page(index: Index, options: Options, target: Target, now: datetime) -> bytes | None:
    """The keyword search page of ``target``'s query, with its other parameters carried into
    the feeds' addresses and the search box; the search box alone when there is no query
    (``None``: a scope it names has no post)."""
    chosen = feed(index, options, target, now, options.limit) if target.query else None
    if target.query and chosen is None:
        return None
    found, whole = chosen if chosen else (None, False)
    addresses: tuple[tuple[str, str], ...] = ()
    count = None
    if found:
        addresses = tuple(
            (fmt, urls.feed_url(replace(found, location=_location(target, fmt)), fmt))
            for fmt in options.formats
        )
        # Fewer posts than the page shows, from the whole history: that is every one.
        count = len(found.posts) if whole and len(found.posts) < options.limit else None
    carried = parse_qsl(_query_string(replace(target, query="")))
    return pages.search_page(
        options.site,
        target.query,
        found,
        addresses,
        count,
        carried,
        saved=bool(target.alias),
    )


def _location(target: Target, fmt: str) -> str:
    """Where the feed in ``fmt`` of a target chosen by a request lives, before its query string."""
    if target.search:
        return urls.saved_path(target.query, fmt) if target.alias else f"{urls.SEARCH_STEM}.{fmt}"
    return urls.feed_path(target.scope or SITE, fmt)


def _query_string(target: Target) -> str:
    """What chooses ``target``'s posts as its URL's query string, canonical and percent-encoded:
    its keyword query, scopes, filters and conversion."""
    return "&".join(
        p
        for p in (
            search.parse(target.query).href if target.query else "",
            _scopes_href(target.within),
            target.filters.canonical,
            f"opencc={target.opencc}" if target.opencc else "",
        )
        if p
    )


def _scopes_href(within: tuple[tuple[Scope, ...], ...]) -> str:
    """The ``category=…&tag=…`` of a combined feed's link, slugs sorted."""
    kinds: dict[str, list[str]] = {}
    for group in within:
        for scope in group:
            kinds.setdefault(scope.kind.value, []).append(scope.slug)
    return "&".join(f"{k}={quote(','.join(sorted(v)), safe=',')}" for k, v in sorted(kinds.items()))
