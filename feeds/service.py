"""The running service's parts, and the cached document that answers each URL.

:class:`Feeds` holds what ``create_app`` builds (the documents, the cache, the refresher, the
WebSub publisher) and finds the document for a (target, limit): it is looked up by the index
state, and a miss builds it once per process from one consistent snapshot of the index; when
the index fails, the last good copy answers. It also answers the bulk of the traffic, polls of
feeds already cached, before Flask is reached (:meth:`Feeds.answer_cached`). Nothing here
knows Flask: parsing a request and routing it is :mod:`feeds.web`'s job.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import threading
from collections import OrderedDict
from collections.abc import Iterable
from datetime import datetime
from wsgiref.types import StartResponse, WSGIApplication, WSGIEnvironment

from . import urls, websub
from .cache import Cache, Entry, MemoryStore
from .conditional import STATUS, answer
from .config import Config
from .documents import Document, Documents
from .errors import StorageError
from .index import fingerprint
from .model import Scope
from .refresher import Refresher, State
from .urls import Target, resolve

log = logging.getLogger("feeds")

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


class Busy(Exception):
    """Every slot for building a chosen feed stayed taken while the request waited."""


class _Stale(Exception):
    """The index changed between reading its state and building from it."""


class Feeds:
    """The parts of one app, and the entry that answers each of its URLs."""

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
        traffic, is answered here, with the headers the Flask view would send, at a fraction
        of the cost (Flask's request context, routing and ``Response`` took two thirds of such
        a request). Everything else (a query string, a miss, another method, an odd path) goes
        to ``flask``."""

        def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
            found = self._cached(environ)
            if found is None:
                return flask(environ, start_response)
            status, headers, body = found
            start_response(STATUS[status], headers)
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
        return answer(
            entry,
            environ.get("HTTP_ACCEPT_ENCODING"),
            environ.get("HTTP_IF_NONE_MATCH"),
            environ.get("HTTP_IF_MODIFIED_SINCE"),
            self.cache_control,
            self.link(target),
        )

    def link(self, target: Target) -> str:
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

    def _base(self, target: Target, limit: int) -> str:
        """A cache key without the index state: what the entries of one URL and limit share."""
        scope = f"{target.scope.kind.value}/{target.scope.slug}" if target.scope else ""
        base = f"{self.namespace}|{target.fmt}|{scope}|{target.alias}|{limit}"
        return f"{base}|archive={target.page}" if target.page else base

    def entry(self, target: Target, limit: int) -> Entry | None:
        """The entry that answers ``target`` with ``limit`` entries; ``None``: there is none
        (a 404).

        Raises:
            Busy: the target is a chosen feed and no slot to build it came free in time.
            StorageError: the index failed and no good copy of the document is left.
        """
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
                raise Busy
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


def _requested(target: Target) -> bool:
    """Whether a request chose ``target``'s posts: such documents have their own cache and build
    slots. A saved search at its own path is one of the site's documents, unless the request
    adds filters, scopes or a conversion."""
    if target.search and target.alias:
        return bool(target.filters or target.within or target.opencc)
    return target.selected


def _scopes_key(within: tuple[tuple[Scope, ...], ...]) -> str:
    return ";".join(",".join(f"{s.kind.value}/{s.slug}" for s in group) for group in within)
