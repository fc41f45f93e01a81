"""Built entries shared by every worker of every host through one Redis, built once for all.

The cache's keys come from the posts' content (:meth:`feeds.refresher.State.key`), so an entry
one host built is the right answer on every other host over the same files. A miss takes a
short lock in Redis (``SET NX PX``) and builds; the others poll for the entry meanwhile, take
the lock themselves when it goes without one (its holder failed or died: the lock expires),
and build alone after :data:`LOCK_SECONDS` at most. Entries expire after ``ttl`` seconds unused
or not; Redis's own ``maxmemory`` with an LRU policy bounds the memory (docs/deploy.md).

Redis is a help, never a need: when it fails or answers slower than :data:`TIMEOUT`, the
request builds locally (each worker's memory cache stands in front), one warning is logged per
outage, Redis is tried again after ``retry_seconds``, and a line says when sharing resumes.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
import time
from collections.abc import Callable

import redis

from .cache import Entry, pack, unpack

log = logging.getLogger("feeds")

#: How long a build may hold the lock: past it, the others build themselves.
LOCK_SECONDS = 5.0
#: How often a request waiting for another host's build looks for its entry.
POLL_SECONDS = 0.01
#: Socket timeout for every Redis call: slower counts as down.
TIMEOUT = 0.25
#: Deletes the lock only if it is still ours (it may have expired and been taken by another).
_RELEASE = (
    "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"
)


class RedisShare:
    """Entries in one Redis, for every process that names the same ``url``."""

    def __init__(
        self,
        url: str,
        ttl: int,
        *,
        retry_seconds: float = 1.0,
        lock_seconds: float = LOCK_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        """``clock`` (seconds, monotonic) times the retries after an outage and the wait for
        another build; tests drive it."""
        self.url = url
        self.ttl = ttl
        self.retry_seconds = retry_seconds
        self.lock_seconds = lock_seconds
        self._clock = clock
        self._client = redis.Redis.from_url(
            url, socket_timeout=TIMEOUT, socket_connect_timeout=TIMEOUT
        )
        self._release = self._client.register_script(_RELEASE)
        #: When Redis failed last, if it has not answered since.
        self._down_since: float | None = None

    def get(self, key: str, build: Callable[[], Entry | None]) -> Entry | None:
        """The entry for ``key`` from Redis, else built here (``None``: no such document, not
        stored). ``build`` runs at most once per call; what it raises passes through."""
        if self._down_since is not None and self._clock() - self._down_since < self.retry_seconds:
            return build()
        name = "feeds:" + hashlib.sha256(key.encode("utf-8")).hexdigest()
        lock = name + ":lock"
        try:
            deadline = self._clock() + self.lock_seconds
            while self._clock() < deadline:
                data = self._client.get(name)
                if isinstance(data, bytes) and (entry := unpack(key, data)) is not None:
                    self._up()
                    return entry
                token = secrets.token_hex(8)
                if self._client.set(lock, token, nx=True, px=int(self.lock_seconds * 1000)):
                    self._up()
                    return self._build_holding(name, key, lock, token, build)
                while self._client.exists(lock) and self._clock() < deadline:
                    time.sleep(
                        POLL_SECONDS
                    )  # another host builds: its entry comes, or its lock goes
        except redis.RedisError as e:
            self._down(e)
        return build()

    def _build_holding(
        self, name: str, key: str, lock: str, token: str, build: Callable[[], Entry | None]
    ) -> Entry | None:
        """Build under the lock, store the entry and let the lock go; a Redis failure after the
        build loses only the sharing of this entry."""
        try:
            entry = build()
        except BaseException:
            self._quietly(lambda: self._release(keys=[lock], args=[token]))
            raise
        if entry is not None:
            self._quietly(lambda: self._client.set(name, pack(key, entry), ex=self.ttl))
        self._quietly(lambda: self._release(keys=[lock], args=[token]))
        return entry

    def _quietly(self, call: Callable[[], object]) -> None:
        try:
            call()
        except redis.RedisError as e:
            self._down(e)

    def _down(self, e: Exception) -> None:
        if self._down_since is None:
            log.warning(
                "redis %s unavailable (%s): building feeds locally until it is back", self.url, e
            )
        self._down_since = self._clock()

    def _up(self) -> None:
        if self._down_since is not None:
            log.info("redis %s is back: sharing built feeds again", self.url)
            self._down_since = None

    def close(self) -> None:
        self._client.close()
