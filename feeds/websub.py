"""Tells WebSub hubs which feeds changed, so subscribers hear of a post within seconds.

WebSub leaves the publisher's ping to each hub; the common form is a form-encoded POST of
``hub.mode=publish`` with the changed feeds' URLs. Hubs differ in the name they read
(``hub.url``, ``hub.topic``), so each URL is sent under both, and every URL a changed feed is
served at (each format, jekyll-feed's paths) is sent, as a subscriber may follow any of them.

Each hub has a queue and, once it is told anything, a thread of its own: a hub that is down,
slow or answering 5xx is retried with a doubling backoff, in that thread alone, and never
holds up a request or another hub. A URL waiting for its hub is sent once however many changes
it collects meanwhile; one a hub has taken is not sent again until it changes again. Each
attempt is one log line. See docs/decisions.md, "WebSub".
"""

from __future__ import annotations

import http.client
import logging
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Sequence
from urllib.parse import urlencode

from . import __version__, urls
from .documents import Documents
from .model import Scope

log = logging.getLogger("feeds")

#: Seconds before the first retry; each further one waits twice as long as the one before.
FIRST_BACKOFF = 1.0
#: The longest wait between two attempts, in seconds.
MAX_BACKOFF = 60.0
#: Seconds a hub has to answer one announcement before it counts as failed.
TIMEOUT = 10.0
#: Most URLs in one POST; more wait for the next one, sent at once after it.
BATCH = 100
#: Attempts ``feeds export --ping`` makes per hub before it gives up (about 15 s of backoff).
EXPORT_ATTEMPTS = 5


def topics(documents: Documents, scopes: Iterable[Scope]) -> list[str]:
    """Every URL the feeds of ``scopes`` are served at, sorted: each format and jekyll-feed's
    paths. Hidden tags have no feeds, so nothing of theirs is announced."""
    site = documents.options.url
    return sorted(
        {
            urls.absolute(site, path)
            for scope in scopes
            if not documents.options.hidden(scope)
            for path in documents.feed_paths(scope)
        }
    )


def written(documents: Documents, paths: Iterable[str]) -> list[str]:
    """The URLs of the feeds among ``paths`` (what an export wrote, relative to its folder),
    sorted: the lists and preview pages are no feeds, and no hub hears of them."""
    o = documents.options
    return sorted(
        urls.absolute(o.url, path)
        for path in paths
        if (target := urls.resolve(path, o.formats, o.site_path)) and target.fmt in o.formats
    )


def publish_now(
    hubs: Sequence[str],
    topics: Sequence[str],
    *,
    attempts: int = EXPORT_ATTEMPTS,
    sleep: Callable[[float], None] = time.sleep,
    monotonic: Callable[[], float] = time.monotonic,
    timeout: float = TIMEOUT,
) -> list[str]:
    """Tell every hub of ``topics`` and wait until each has taken them, with the backoff of
    the service, at most ``attempts`` times per hub (``feeds export --ping``): one line for
    each hub that was not told, empty when all were."""
    failed = []
    for hub in hubs:
        queue = HubQueue(hub, timeout, monotonic)
        queue.add(topics)
        for _ in range(attempts):
            due = queue.due()
            if due is None:
                break
            sleep(max(0.0, due - monotonic()))
            queue.attempt()
        if queue.due() is not None or queue.refused:
            failed.append(f"{hub}: not told of {len(topics)} feed URLs: {queue.last_failure}")
    return failed


def publish(hub: str, topics: Sequence[str], timeout: float = TIMEOUT) -> str | None:
    """Tell ``hub`` once that ``topics`` changed: ``None`` when it took them (any 2xx), else why
    not, prefixed ``refused`` for a 4xx other than 429 (asking again would not help)."""
    form = [("hub.mode", "publish")]
    form += [(name, topic) for topic in topics for name in ("hub.url", "hub.topic")]
    request = urllib.request.Request(
        hub,
        data=urlencode(form).encode("ascii"),
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "User-Agent": f"feeds/{__version__}",
        },
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:
            answer.read(65536)
            return None
    except urllib.error.HTTPError as e:
        e.close()
        prefix = "refused: " if 400 <= e.code < 500 and e.code != 429 else ""
        return f"{prefix}HTTP {e.code} {e.reason}"
    except urllib.error.URLError as e:
        return str(e.reason)
    except (OSError, http.client.HTTPException) as e:
        return str(e) or type(e).__name__


class HubQueue:
    """What one hub is still to be told, and when to try next; safe to share between threads.

    :meth:`attempt` does one try and says when the next is due, on the ``monotonic`` clock it
    is given: a test drives the backoff with a clock it moves instead of waiting.
    """

    def __init__(
        self, hub: str, timeout: float = TIMEOUT, monotonic: Callable[[], float] = time.monotonic
    ) -> None:
        self.hub = hub
        self.timeout = timeout
        self._monotonic = monotonic
        #: URLs to announce, in the order they came (a dict as an ordered set).
        self._pending: dict[str, None] = {}
        #: Failed attempts in a row.
        self._failures = 0
        #: When the next attempt may be made (monotonic seconds).
        self._next_at = 0.0
        #: Why the last attempt failed; ``None`` after one that worked.
        self.last_failure: str | None = None
        #: Whether the hub refused URLs (4xx): they are dropped, not retried.
        self.refused = False
        self._lock = threading.Lock()

    def add(self, topics: Iterable[str]) -> None:
        with self._lock:
            self._pending.update(dict.fromkeys(topics))

    def due(self) -> float | None:
        """When the next attempt is due (monotonic seconds), or ``None``: nothing to send."""
        with self._lock:
            return self._next_at if self._pending else None

    def attempt(self) -> float | None:
        """Send what is pending, if it is due now; what :meth:`due` says after. The backoff
        runs from the end of a failed attempt, so a hub that timed out gets its rest too."""
        now = self._monotonic()
        with self._lock:
            if not self._pending or now < self._next_at:
                return self._next_at if self._pending else None
            batch = list(self._pending)[:BATCH]
            for topic in batch:
                del self._pending[topic]
            attempt = self._failures + 1
        failure = publish(self.hub, batch, self.timeout)
        ended = self._monotonic()
        took = ended - now
        with self._lock:
            self.last_failure = failure
            if failure is None:
                self._failures = 0
                self._next_at = ended
                log.info(
                    "websub: %s took %d feed URLs (attempt %d, %.2f s)",
                    self.hub,
                    len(batch),
                    attempt,
                    took,
                )
            elif failure.startswith("refused"):
                self._failures = 0
                self.refused = True
                log.error(
                    "websub: %s %s for %d feed URLs (attempt %d): not retried",
                    self.hub,
                    failure,
                    len(batch),
                    attempt,
                )
            else:
                # Put back before what came meanwhile: one announcement covers both.
                self._pending = {**dict.fromkeys(batch), **self._pending}
                self._failures = attempt
                wait = min(MAX_BACKOFF, FIRST_BACKOFF * 2 ** (attempt - 1))
                self._next_at = ended + wait
                log.warning(
                    "websub: %s failed (%s) for %d feed URLs (attempt %d): retrying in %.0f s",
                    self.hub,
                    failure,
                    len(batch),
                    attempt,
                    wait,
                )
            return self._next_at if self._pending else None


class Publisher:
    """The hubs of ``[websub] hubs``, each with its queue and, from the first announcement on,
    a daemon thread that sends it. Only the worker that refreshes announces, so only it ever
    starts these threads."""

    def __init__(
        self,
        hubs: Sequence[str],
        *,
        timeout: float = TIMEOUT,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.queues = tuple(HubQueue(hub, timeout, monotonic) for hub in hubs)
        self._monotonic = monotonic
        self._wakes = tuple(threading.Event() for _ in hubs)
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._start = threading.Lock()

    def announce(self, topics: Sequence[str]) -> None:
        """Queue ``topics`` for every hub; returns at once."""
        if not topics or not self.queues:
            return
        with self._start:
            if not self._threads and not self._stop.is_set():
                for queue, wake in zip(self.queues, self._wakes):
                    thread = threading.Thread(
                        target=self._run, args=(queue, wake), name="feeds-websub", daemon=True
                    )
                    thread.start()
                    self._threads.append(thread)
        for queue, wake in zip(self.queues, self._wakes):
            queue.add(topics)
            wake.set()

    def close(self) -> None:
        """Stop the threads (an attempt under way ends within its timeout; its thread is a
        daemon, so it never holds up the process's exit)."""
        self._stop.set()
        for wake in self._wakes:
            wake.set()
        for thread in self._threads:
            thread.join(timeout=1)

    def _run(self, queue: HubQueue, wake: threading.Event) -> None:
        while not self._stop.is_set():
            due = queue.attempt()
            if self._stop.is_set():
                break
            wake.wait(None if due is None else max(0.0, due - self._monotonic()))
            wake.clear()
