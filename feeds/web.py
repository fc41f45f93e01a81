"""The Flask app: every URL of the layout, its query parameters, and the error bodies.

``create_app(config)`` builds the index, the cache and the refresher and keeps them on the app
(:class:`feeds.service.Feeds`); importing this module does nothing. The one view resolves a
path to its target, reads what the query string chooses (``limit``, ``q``, the filters, the
combined scopes, a conversion), refusing a bad one with a 400 that names the parameter, and
answers with the entry :class:`~feeds.service.Feeds` finds (:func:`feeds.conditional.answer`).
Error bodies are one short line of plain text (the search page's 400 is that page, saying
why); no traceback reaches a client.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import os
import re

from flask import Flask, Request, Response, request
from werkzeug.exceptions import HTTPException

from . import config as config_mod
from . import convert, filters, pages, search, websub
from .cache import Cache
from .conditional import answer
from .config import Config
from .documents import MEDIA_TYPES, Documents
from .errors import StorageError
from .jekyll import permalink
from .model import SITE, Scope, ScopeKind
from .refresher import Refresher
from .service import Busy, Feeds
from .urls import Target, resolve

log = logging.getLogger("feeds")

_LIMIT = re.compile(r"[0-9]{1,9}")
_NO_QUERY = "q is missing: search.<fmt>?q=words"
_ALLOWED = "GET, HEAD"
#: Most scopes one kind of a combined feed lists.
_MAX_SCOPES = 50


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
    view = functools.partial(_serve, feeds)
    for rule in ("/", "/<path:path>"):
        app.add_url_rule(
            rule,
            "serve",
            view_func=view,
            defaults={"path": ""} if rule == "/" else None,
            methods=["GET"],
            provide_automatic_options=False,
        )
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(Exception, _crash)
    app.wsgi_app = feeds.answer_cached(app.wsgi_app)  # type: ignore[method-assign,assignment]
    return app


def _serve(feeds: Feeds, path: str) -> Response:
    """The one view: every URL of the layout."""
    target = resolve(path, feeds.formats, feeds.documents.options.site_path)
    if target is None:
        return _text(404, "not found")
    limit = (
        _limit(feeds, request)
        if (target.scope is not None or target.search) and target.fmt != "html" and not target.page
        else feeds.default_limit
    )
    if isinstance(limit, Response):
        return limit
    if target.search and target.fmt == "html":
        chosen = _choose(request, target)
        if isinstance(chosen, str):
            return _refused(feeds, chosen)
        target = chosen
    elif (
        target.fmt in feeds.formats
        and (target.scope is not None or target.search)
        and not target.page
        and request.query_string
    ):
        chosen = _choose(request, target)
        if isinstance(chosen, str):
            return _text(400, chosen)
        target = chosen
    elif target.search and not target.query:
        return _text(400, _NO_QUERY)
    try:
        entry = feeds.entry(target, limit)
    except Busy:
        return _text(503, "busy building other feeds; try again shortly", **{"Retry-After": "2"})
    if entry is None:
        return _text(404, "not found")
    status, headers, body = answer(
        entry,
        request.headers.get("Accept-Encoding"),
        request.headers.get("If-None-Match"),
        request.headers.get("If-Modified-Since"),
        feeds.cache_control,
        feeds.link(target),
    )
    return Response(body, status=status, headers=headers)


def _limit(feeds: Feeds, req: Request) -> int | Response:
    if not req.query_string:  # most polls: no query to parse
        return feeds.default_limit
    values = req.args.getlist("limit")
    if not values:
        return feeds.default_limit
    bad = _text(400, f"limit must be a whole number from 1 to {feeds.max_limit}")
    if len(values) > 1:
        return _text(400, "limit must be given once")
    if not _LIMIT.fullmatch(values[0]):
        return bad
    limit = int(values[0])
    return limit if 1 <= limit <= feeds.max_limit else bad


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


def _refused(feeds: Feeds, message: str) -> Response:
    """The search page saying why its request is a 400, with the search box to try again."""
    body = pages.search_page(feeds.documents.options.site, message=message)
    return Response(body, status=400, headers={"Content-Type": MEDIA_TYPES["html"]})


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
