"""The Flask app: every URL of the layout, from cache, with conditional GET and gzip.

``create_app(config)`` builds the index, the cache and the refresher and keeps them on the app;
importing this module does nothing. A request looks its document up by (target, limit, index
state); a miss builds it once per process from one consistent snapshot of the index. Headers
follow RFC 9110: a strong ETag per content coding, Last-Modified when the document changed,
``If-None-Match`` before ``If-Modified-Since``, 304 with no body, ``Vary: Accept-Encoding``.
Error bodies are one short line of plain text (the search page's 400 is that page, saying
why); no traceback reaches a client.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import logging
import os
import re
import threading
from collections import OrderedDict
from collections.abc import Iterable
from datetime import datetime
from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

from flask import Flask, Request, Response, request
from werkzeug.exceptions import HTTPException
from werkzeug.http import parse_accept_header, parse_etags

from . import config as config_mod
from . import convert, dates, filters, pages, search, urls, websub
from .cache import Cache, Entry, MemoryStore
from .config import Config
from .documents import MEDIA_TYPES, Document, Documents
from .errors import StorageError
from .index import fingerprint
from .jekyll import permalink
from .model import SITE, Scope, ScopeKind
from .refresher import Refresher, State
from .urls import Target, resolve

log = logging.getLogger("feeds")

_LIMIT = re.compile(r"[0-9]{1,9}")
_NO_QUERY = "q is missing: search.<fmt>?q=words"
_ALLOWED = "GET, HEAD"
#: Most scopes one kind of a combined feed lists.
_MAX_SCOPES = 50
#: Feeds chosen by a request (query, filters, combined scopes, conversion) built at once per
#: worker, and how long a request waits for a slot: a flood of distinct ones cannot take
#: every thread, nor push the site's own feeds out of their cache (they have a store of
#: their own, an eighth of ``[cache] max_bytes``).
_CHOSEN_BUILDS = 2
_CHOSEN_WAIT = 5.0
#: A request whose index state moved while its document was built tries again, this often.
_RETRIES = 3
#: How many (target, limit) pairs remember their last good entry.
_LAST_GOOD = 10_000
#: Cache-Control of a sealed RFC 5005 archive page: its bytes never change (a year, RFC 8246).
_SEALED = "public, max-age=31536000, immutable"


class _Busy(Exception):
    """Every slot for building a chosen feed stayed taken while the request waited."""


class _Stale(Exception):
    """The index changed between reading its state and building from it."""


def create_app(config: Config | str | os.PathLike[str] | None = None) -> Flask:
    """The feeds app for ``config`` (a Config, a path, or ``None``: ``$FEEDS_CONFIG`` or
    ``./config.toml``). Starts the background refresher; ``app.extensions["feeds"]`` holds the
    parts, and its ``close()`` stops them.

    Raises:
        ConfigError: the config is bad.
        StorageError: the index cannot be opened.
    """
    if not isinstance(config, Config):
        config = config_mod.load(config)
    documents = Documents.from_config(config)
    cache = Cache.from_config(config.cache)
    publisher = websub.Publisher(config.websub.hubs)
    live = Refresher(
        documents.index,
        config.cache.refresh_seconds,
        published_at=documents.published_at,
        changed=(
            (lambda scopes: publisher.announce(websub.topics(documents, scopes)))
            if publisher.queues
            else None
        ),
    )
    live.start()
    feeds = Feeds(config, documents, cache, live, publisher)

    app = Flask("feeds")
    app.extensions["feeds"] = feeds
    for rule in ("/", "/<path:path>"):
        app.add_url_rule(
            rule,
            view_func=feeds.serve,
            defaults={"path": ""} if rule == "/" else None,
            methods=["GET"],
            provide_automatic_options=False,
        )
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _crash)
    app.wsgi_app = feeds.answer_cached(app.wsgi_app)  # type: ignore[method-assign,assignment]
    return app


class Feeds:
    """The parts of one app and its one view."""

    def __init__(
        self,
        config: Config,
        documents: Documents,
        cache: Cache,
        live: Refresher,
        publisher: websub.Publisher | None = None,
    ) -> None:
        self.documents = documents
        self.cache = cache
        self.live = live
        self.publisher = publisher
        #: ``Link`` header's hub part; empty when no hub is configured.
        self.hub_links = ", ".join(f'<{hub}>; rel="hub"' for hub in config.websub.hubs)
        self.formats = config.feeds.formats
        self.default_limit = config.feeds.limit
        self.max_limit = config.feeds.max_limit
        self.cache_control = f"public, max-age={config.cache.max_age}"
        self.chosen = Cache(MemoryStore(config.cache.max_bytes // 8))
        self._chosen_slots = threading.BoundedSemaphore(_CHOSEN_BUILDS)
        #: (target, limit) → the cache key of its last good entry, for when the index fails.
        self._last_good: OrderedDict[str, str] = OrderedDict()
        #: Starts every cache key: hosts sharing a cache share entries only under the same
        #: options, parsing rules and release.
        self.namespace = hashlib.sha256(
            json.dumps(
                [dataclasses.asdict(documents.options), fingerprint(documents.index.rules)],
                default=str,
                sort_keys=True,
            ).encode("utf-8")
        ).hexdigest()[:16]

    def close(self) -> None:
        """Stop the refresher and close the index and the cache (tests and shutdown)."""
        self.live.stop()
        if self.publisher is not None:
            self.publisher.close()
        self.cache.close()

    def answer_cached(self, flask: WSGIApplication) -> WSGIApplication:
        """The app in front of ``flask``: a poll of a feed in the memory cache, the bulk of the
        traffic, is answered here, with the headers :meth:`serve` would send, at a fraction of
        the cost (Flask's request context, routing and ``Response`` took two thirds of such a
        request). Everything else (a query string, a miss, another method, an odd path) goes
        to ``flask``."""

        def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
            answer = self._cached(environ)
            if answer is None:
                return flask(environ, start_response)
            status, headers, body = answer
            start_response(_STATUS[status], headers)
            return (b"" if environ["REQUEST_METHOD"] == "HEAD" else body,)

        return app

    def _cached(self, environ: WSGIEnvironment) -> tuple[int, list[tuple[str, str]], bytes] | None:
        if environ.get("REQUEST_METHOD") not in ("GET", "HEAD") or environ.get("QUERY_STRING"):
            return None
        try:  # as werkzeug reads PATH_INFO; a path it would redirect or refuse goes to it
            path = environ.get("PATH_INFO", "").encode("latin-1").decode("utf-8")
        except UnicodeError:
            return None
        if not path.startswith("/") or "//" in path:
            return None
        target = resolve(path[1:], self.formats, self.documents.options.site_path)
        if target is None or target.search:
            return None
        try:
            state = self.live.state(self.live.now())
        except StorageError:
            return None
        key = f"{self._base(target, self.default_limit)}|{state.key(target.scope)}"
        entry = self.cache.store.get(key)
        if entry is None:
            return None
        return _answer(
            entry,
            environ.get("HTTP_ACCEPT_ENCODING"),
            environ.get("HTTP_IF_NONE_MATCH"),
            environ.get("HTTP_IF_MODIFIED_SINCE"),
            self.cache_control,
            self._link(target),
        )

    def serve(self, path: str) -> Response:
        target = resolve(path, self.formats, self.documents.options.site_path)
        if target is None:
            return _text(404, "not found")
        limit = (
            self._limit(request)
            if (target.scope is not None or target.search)
            and target.fmt != "html"
            and not target.page
            else self.default_limit
        )
        if isinstance(limit, Response):
            return limit
        if target.search and target.fmt == "html":
            chosen = self._choose(request, target)
            if isinstance(chosen, str):
                return self._refused(chosen)
            target = chosen
        elif (
            target.fmt in self.formats
            and (target.scope is not None or target.search)
            and not target.page
            and request.query_string
        ):
            chosen = self._choose(request, target)
            if isinstance(chosen, str):
                return _text(400, chosen)
            target = chosen
        elif target.search and not target.query:
            return _text(400, _NO_QUERY)
        try:
            entry = self._entry(target, limit)
        except _Busy:
            return _text(
                503, "busy building other feeds; try again shortly", **{"Retry-After": "2"}
            )
        if entry is None:
            return _text(404, "not found")
        status, headers, body = _answer(
            entry,
            request.headers.get("Accept-Encoding"),
            request.headers.get("If-None-Match"),
            request.headers.get("If-Modified-Since"),
            self.cache_control,
            self._link(target),
        )
        return Response(body, status=status, headers=headers)

    def _link(self, target: Target) -> str:
        """The ``Link`` header of a scope's feed: its hubs and itself (WebSub discovery), the
        same URLs the document names. Feeds a query chooses and archive pages name no hub:
        hubs hear only of the scopes' feeds, so a subscription to one would never be told
        anything."""
        if (
            not self.hub_links
            or target.scope is None
            or target.selected
            or target.page
            or target.fmt == "html"
        ):
            return ""
        path = target.alias or urls.feed_path(target.scope, target.fmt)
        self_url = urls.absolute(self.documents.options.url, path)
        return f'{self.hub_links}, <{self_url}>; rel="self"'

    def _limit(self, req: Request) -> int | Response:
        if not req.query_string:  # most polls: no query to parse
            return self.default_limit
        values = req.args.getlist("limit")
        if not values:
            return self.default_limit
        bad = _text(400, f"limit must be a whole number from 1 to {self.max_limit}")
        if len(values) > 1:
            return _text(400, "limit must be given once")
        if not _LIMIT.fullmatch(values[0]):
            return bad
        limit = int(values[0])
        return limit if 1 <= limit <= self.max_limit else bad

    @staticmethod
    def _choose(req: Request, target: Target) -> Target | str:
        """``target`` with what chooses its posts parsed from the query string, canonical: the
        keyword query ``q``, the filters, and (site and keyword feeds) ``category``/``tag``; or
        why it is refused (a 400), naming the parameter. Other parameters are ignored. The
        search page takes a missing or blank ``q``: it shows the search box alone."""
        args = req.args.to_dict(flat=False)
        try:
            if target.search and not target.alias:  # a saved search's query is its path
                values = args.get("q") or []
                page = target.fmt == "html"
                if len(values) > 1:
                    return "q must be given once"
                if not values and not page:
                    return _NO_QUERY
                if values and (values[0].strip() or not page):
                    target = dataclasses.replace(target, query=search.parse(values[0]).canonical)
            within = _within(args) if target.search or target.scope == SITE else ()
            conversion = args.get("opencc") or []
            if len(conversion) > 1:
                return "opencc must be given once"
            opencc = convert.check(conversion[0]) if conversion else ""
            return dataclasses.replace(
                target, filters=filters.parse(args), within=within, opencc=opencc
            )
        except (search.QueryError, filters.FilterError, convert.ConversionError) as e:
            return str(e)

    def _refused(self, message: str) -> Response:
        """The search page saying why its request is a 400, with the search box to try again."""
        body = pages.search_page(self.documents.options.site, message=message)
        return Response(body, status=400, headers={"Content-Type": MEDIA_TYPES["html"]})

    def _base(self, target: Target, limit: int) -> str:
        """A cache key without the index state: what the entries of one URL and limit share."""
        scope = f"{target.scope.kind.value}/{target.scope.slug}" if target.scope else ""
        base = f"{self.namespace}|{target.fmt}|{scope}|{target.alias}|{limit}"
        return f"{base}|archive={target.page}" if target.page else base

    def _entry(self, target: Target, limit: int) -> Entry | None:
        base = self._base(target, limit)
        if target.selected:
            base += f"|q={target.query}|{target.filters.canonical}|{_scopes_key(target.within)}|{target.opencc}"
            if target.filters.time:  # the window slides with the clock
                base += f"|{int(self.live.now().timestamp()) // 60}"
        try:
            entry, key = self._fresh(target, limit, base)
        except StorageError as e:
            # The index is broken or being rebuilt: the last good answer beats an error.
            stale = self._last_good.get(base)
            entry = self.cache.store.get(stale) if stale else None
            log.warning(
                "index unavailable, serving %s: %s",
                "the last good copy" if entry else "an error",
                e,
            )
            if entry is None:
                raise
            return entry
        if entry is not None and self._last_good.get(base) != key:
            self._last_good[base] = key
            self._last_good.move_to_end(base)
            if len(self._last_good) > _LAST_GOOD:
                self._last_good.popitem(last=False)
        return entry

    def _fresh(self, target: Target, limit: int, base: str) -> tuple[Entry | None, str]:
        now = self.live.now()
        state = self.live.state(now)
        cache = self.chosen if _requested(target) else self.cache
        for _ in range(_RETRIES):
            key = f"{base}|{state.key(target.scope)}"
            try:
                return cache.get(key, lambda: self._build(target, limit, now, state), base), key  # noqa: B023 - called at once
            except _Stale:
                state = self.live.refresh_state(now)
        # The index keeps changing under us: serve a fresh build without caching it.
        doc = self.documents.render(target, now, limit)
        return (Entry.of(doc) if doc else None), ""

    def _build(self, target: Target, limit: int, now: datetime, state: State) -> Document | None:
        """Build from one snapshot of the index, and only if it is the state the key names."""
        if _requested(target):
            if not self._chosen_slots.acquire(timeout=_CHOSEN_WAIT):
                raise _Busy
            try:
                return self._build_now(target, limit, now, state)
            finally:
                self._chosen_slots.release()
        return self._build_now(target, limit, now, state)

    def _build_now(
        self, target: Target, limit: int, now: datetime, state: State
    ) -> Document | None:
        index = self.documents.index
        with index.snapshot() as generation:
            current = generation if target.scope is None else index.version(target.scope)
            if current != state.version(target.scope) or index.identity != state.identity:
                raise _Stale
            return self.documents.render(target, now, limit)


#: The status lines of :func:`_answer`'s codes, as werkzeug writes them.
_STATUS = {200: "200 OK", 304: "304 NOT MODIFIED"}


def _answer(
    entry: Entry,
    accept_encoding: str | None,
    if_none_match: str | None,
    if_modified_since: str | None,
    cache_control: str,
    link: str,
) -> tuple[int, list[tuple[str, str]], bytes]:
    """The status, headers and body that answer a request for ``entry`` with those headers
    (absent: ``None``) and ``link``, its ``Link`` header (empty: none); the same on Flask's
    path and on :meth:`Feeds.answer_cached`'s. ``cache_control`` is the feeds'; a sealed
    archive page's bytes never change, so it says so instead."""
    gzip = _takes_gzip(accept_encoding)
    etag = entry.gzip_etag if gzip else entry.etag
    control = _SEALED if entry.sealed else cache_control
    headers = [("ETag", etag), ("Cache-Control", control), ("Vary", "Accept-Encoding")]
    if link:
        headers.append(("Link", link))
    if _not_modified(entry, if_none_match, if_modified_since):
        return 304, headers, b""  # no Last-Modified: werkzeug drops it from a 304 too
    if entry.last_modified:
        headers.append(("Last-Modified", entry.last_modified))
    headers.append(("Content-Type", entry.media_type))
    body = entry.body
    if gzip:
        headers.append(("Content-Encoding", "gzip"))
        body = entry.gzipped
    headers.append(("Content-Length", str(len(body))))
    return 200, headers, body


@functools.lru_cache(maxsize=256)
def _takes_gzip(accept_encoding: str | None) -> bool:
    """Whether ``Accept-Encoding`` allows gzip; readers send a handful of distinct values."""
    return parse_accept_header(accept_encoding).quality("gzip") > 0


def _requested(target: Target) -> bool:
    """Whether a request chose ``target``'s posts: such documents have their own cache and build
    slots. A saved search at its own path is one of the site's documents, unless the request
    adds filters, scopes or a conversion."""
    if target.search and target.alias:
        return bool(target.filters or target.within or target.opencc)
    return target.selected


def _within(args: dict[str, list[str]]) -> tuple[tuple[Scope, ...], ...]:
    """The scope groups of ``category=a,b&tag=x`` (slugs or names), each sorted by slug.

    Raises:
        FilterError: a kind given twice, or with too many or empty names.
    """
    groups = []
    for kind in (ScopeKind.CATEGORY, ScopeKind.TAG):
        values = args.get(kind.value) or []
        if len(values) > 1:
            raise filters.FilterError(
                f"{kind.value} must be given once (names separated by commas)"
            )
        if not values:
            continue
        names = [n.strip() for n in values[0].split(",")]
        if not all(names) or len(names) > _MAX_SCOPES or any(len(n) > 200 for n in names):
            raise filters.FilterError(
                f"{kind.value} must be 1 to {_MAX_SCOPES} names or slugs separated by commas"
            )
        slugs = sorted({permalink.scope_slug(n) for n in names})
        groups.append(tuple(Scope(kind, s, s) for s in slugs if s))
    return tuple(groups)


def _scopes_key(within: tuple[tuple[Scope, ...], ...]) -> str:
    return ";".join(",".join(f"{s.kind.value}/{s.slug}" for s in group) for group in within)


def _not_modified(entry: Entry, if_none_match: str | None, since: str | None) -> bool:
    """RFC 9110 13.1.2 and 13.1.3: If-None-Match decides when present (weak comparison, either
    coding's tag matches); otherwise If-Modified-Since, ignored unless it is one valid HTTP-date.
    A date in the future is a valid one: the RFC compares it as it is."""
    if if_none_match is not None:
        if if_none_match in (entry.etag, entry.gzip_etag):  # what a reader sends back: no parsing
            return True
        tags = parse_etags(if_none_match)
        return tags.star_tag or any(
            tags.contains_weak(t[1:-1]) for t in (entry.etag, entry.gzip_etag)
        )
    if since is None or entry.last_modified is None:
        return False
    when, modified = dates.parse_http_date(since), dates.parse_http_date(entry.last_modified)
    return when is not None and modified is not None and modified <= when


def _text(status: int, message: str, **headers: str) -> Response:
    return Response(
        message + "\n",
        status=status,
        headers={"Content-Type": "text/plain; charset=utf-8", **headers},
    )


def _http_error(e: HTTPException) -> Response:
    if e.code == 405:
        return _text(405, "method not allowed: use GET or HEAD", Allow=_ALLOWED)
    code = e.code or 500
    return _text(code, (e.name or "error").lower())


def _crash(e: Exception) -> Response:
    if isinstance(e, StorageError):
        return _text(503, "the index is being rebuilt; try again shortly", **{"Retry-After": "2"})
    log.exception("request failed: %s %s", request.method, request.path)
    return _text(500, "internal error")
