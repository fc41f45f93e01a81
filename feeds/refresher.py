"""Keeps the index current while the service runs, in every worker, at little cost.

One process refreshes; the others read. The first worker to take an exclusive ``flock`` on
``<index>.lock`` becomes the refresher for as long as it lives (the kernel releases the lock
when it dies, and another worker takes over). The refresher watches the source folder with
inotify (watchdog), so an idle site costs no file system scan at all: a changed file is
re-parsed alone, a moved or deleted folder triggers a full scan, and a full scan also runs every
few minutes as a safety net. A file still being written (modified less than ``settle`` seconds
ago) waits for the next round, so a half-written post is never published.

Every worker reads the index generation a few times per ``refresh_seconds`` and uses it, with
the time the next future-dated post falls due, in its cache keys. Requests never wait for a
refresh: SQLite's WAL lets them read the last committed state meanwhile.
"""

from __future__ import annotations

import errno
import fcntl
import logging
import os
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import IO, Protocol

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver

from .errors import FeedsError, StorageError
from .index import Index
from .model import Scope

log = logging.getLogger("feeds")

#: A full scan this often even when the watcher saw nothing, in case it missed something.
FULL_SCAN_SECONDS = 300.0
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


class Clock(Protocol):
    """The time as the refresher reads it. Tests pass one they move by hand, so the settle time
    and the safety scan are driven, not waited for."""

    def monotonic(self) -> float:
        """Seconds on a clock that never jumps (when the next safety scan is due)."""

    def wall_ns(self) -> int:
        """Nanoseconds since the epoch, the scale of file mtimes (whether a file has settled,
        which posts are published)."""

    def sleep(self, seconds: float) -> None:
        """Let ``seconds`` pass."""


class SystemClock:
    """The real clocks."""

    def monotonic(self) -> float:
        return time.monotonic()

    def wall_ns(self) -> int:
        return time.time_ns()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


@dataclass(frozen=True, slots=True)
class State:
    """What the cache keys need to know about the index."""

    #: Which index file: generations of two files are not comparable.
    identity: str
    generation: int
    #: When the next future-dated post is due (UTC), or ``None``.
    next_due: datetime | None
    #: (kind, slug) → the generation that last changed that scope (0: none since the fill).
    versions: Mapping[tuple[str, str], int] = field(default_factory=dict)
    #: (kind, slug) → the digest of the scope's posts (absent: no posts): the same on every
    #: host over the same files, where generations and versions are not.
    digests: Mapping[tuple[str, str], int] = field(default_factory=dict)
    #: The version of a scope missing from ``versions`` (:meth:`~feeds.index.Index.pruned`).
    floor: int = 0

    def version(self, scope: Scope | None) -> int:
        """What a document of ``scope`` depends on: its scope's version, or for the lists of
        every scope (``None``), the generation."""
        if scope is None:
            return self.generation
        return self.versions.get((scope.kind.value, scope.slug), self.floor)

    def key(self, scope: Scope | None) -> str:
        """The part of a cache key that changes when the document may: a new post in one
        category leaves the cached feeds of every other category in place. It is made of the
        posts' digest, not of this index's generation, so every host over the same files
        computes the same key and one host's build serves all (the lists of every scope,
        ``None``, depend on every post: the site's digest)."""
        due = self.next_due.isoformat() if self.next_due else "-"
        kind, slug = ("site", "") if scope is None else (scope.kind.value, scope.slug)
        return f"{self.digests.get((kind, slug), 0) & 0xFFFF_FFFF_FFFF_FFFF:016x}@{due}"


class _Changes(FileSystemEventHandler):
    """Collects the paths the watcher reports, relative to the source folder."""

    def __init__(self, root: Path, wake: threading.Event) -> None:
        self.root = str(root)
        self.wake = wake
        self.paths: set[str] = set()
        self.full = False
        self._lock = threading.Lock()

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in ("opened", "closed_no_write"):
            return
        with self._lock:
            if event.is_directory and event.event_type in ("moved", "deleted", "created"):
                self.full = True
            for p in (event.src_path, getattr(event, "dest_path", "")):
                p = os.fsdecode(p)
                if p.startswith(self.root + os.sep):
                    self.paths.add(p[len(self.root) + 1 :].replace(os.sep, "/"))
        self.wake.set()

    def drain(self) -> tuple[set[str], bool]:
        with self._lock:
            paths, full = self.paths, self.full
            self.paths, self.full = set(), False
        return paths, full


class Refresher:
    """The background thread that keeps one worker's view of the index fresh."""

    def __init__(
        self,
        index: Index,
        refresh_seconds: float,
        *,
        published_at: Callable[[datetime], datetime] = lambda now: now,
        clock: Clock | None = None,
        settle: float = 0.5,
        changed: Callable[[set[Scope]], None] | None = None,
    ) -> None:
        self.index = index
        #: Called, in this thread and only while this worker refreshes, with the scopes whose
        #: posts a refresh changed or whose future post fell due (the WebSub announcements).
        self.changed = changed
        #: Up to when due posts were looked for (``changed`` only): later ones are announced.
        self._due_checked: datetime | None = None
        #: The instant whose posts are served at a given time (``[feeds] future`` moves it ahead).
        self.published_at = published_at
        self.clock = clock or SystemClock()
        self.interval = refresh_seconds
        self.settle = min(settle, refresh_seconds / 2)
        self._state = State("", 0, None)
        self._need_rebuild = False
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock_file: IO[bytes] | None = None
        self._observer: BaseObserver | None = None
        self._changes = _Changes(index.rules.root, self._wake)
        self._pending: set[str] = set()
        self._need_full = True
        self._last_full = 0.0
        self._fault: str | None = None

    # -- what requests see ------------------------------------------------------------------

    def now(self) -> datetime:
        """The instant whose published posts are served now."""
        return self.published_at(_EPOCH + timedelta(microseconds=self.clock.wall_ns() // 1000))

    def state(self, now: datetime) -> State:
        """The current state; a due post is noticed at once, not at the next round."""
        state = self._state
        if state.next_due is not None and now >= state.next_due:
            state = self.refresh_state(now)
        return state

    def refresh_state(self, now: datetime) -> State:
        """Read the state from the index now (a request that found it moved calls this)."""
        before = self._state
        with self.index.snapshot() as generation:
            identity, floor = self.index.identity, self.index.pruned()
            if identity != before.identity or floor != before.floor or before.generation == 0:
                versions: Mapping[tuple[str, str], int] = self.index.versions()
                digests: Mapping[tuple[str, str], int] = self.index.digests()
            elif generation != before.generation:
                versions = {**before.versions, **self.index.versions(before.generation)}
                digests = {
                    **{
                        k: v
                        for k, v in before.digests.items()
                        if k not in versions or versions[k] <= before.generation
                    },
                    **self.index.digests(before.generation),
                }
            else:
                versions, digests = before.versions, before.digests
            state = State(identity, generation, self.index.next_due(now), versions, digests, floor)
        self._state = state
        return state

    # -- the loop -------------------------------------------------------------------------------

    def start(self) -> None:
        """Keep this worker up to date in a daemon thread. An index that holds posts is served
        at once while the first refresh runs; an empty one is filled first (there is nothing
        to serve before that), and the posts an export added are given their words first (a
        keyword query would miss them), which ``feeds serve`` does before forking its workers."""
        if self.refresh_state(self.now()).generation == 0 or not self.index.searchable:
            self.tick()
            if self._pending:  # files written just now: wait until they are settled, then read them
                self.clock.sleep(max(self.settle, 1 - self.clock.wall_ns() % 1_000_000_000 / 1e9))
                self.tick()
        else:
            self._wake.set()  # the thread's first round refreshes
        self._thread = threading.Thread(target=self._run, name="feeds-refresher", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        if self._observer is not None:
            self._observer.stop()
        if self._lock_file is not None:
            self._lock_file.close()
            self._lock_file = None
        self.index.close()

    def _run(self) -> None:
        # Readers poll four times per interval, so that a refresh made by another worker is
        # seen well within refresh_seconds; the refresher also wakes at once on a file event.
        while not self._stop.is_set():
            self._wake.wait(self.interval / 4)
            self._wake.clear()
            if self._stop.is_set():
                break
            if self._lock_file is not None and not self._need_full:
                self.clock.sleep(0.05)  # let a burst of events for one write arrive together
            self.tick()

    def tick(self) -> None:
        """One round: refresh if this worker is the refresher, then read the state."""
        try:
            if self._lock_file is not None or self._take_lock():
                changed = self._refresh() | self._fell_due()
                if changed and self.changed is not None:
                    self.changed(changed)
            self.refresh_state(self.now())
            if self._fault is not None and self._lock_file is None:
                self._fault = None
        except (OSError, FeedsError) as e:
            if isinstance(e, StorageError) and self._lock_file is not None:
                self._need_rebuild = True
            message = f"refresh failed, still serving the last good feeds: {e}"
            if message != self._fault:
                log.error(message)
                self._fault = message

    def _take_lock(self) -> bool:
        path = self.index.path.with_name(self.index.path.name + ".lock")
        f = open(path, "ab")  # noqa: SIM115 - held for the life of the process
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            f.close()
            return False
        self._lock_file = f
        self._need_full = True
        return True

    def _refresh(self) -> set[Scope]:
        """Refresh the index; the scopes it changed, when ``changed`` wants them."""
        root = self.index.rules.root
        if not os.access(root, os.R_OK | os.X_OK) or not root.is_dir():
            # One stat a round: the watcher follows a moved folder and would not notice.
            self._need_full = True
            raise OSError(errno.ENOENT, "the source folder is missing or unreadable", str(root))
        paths, full = self._changes.drain()
        self._pending |= paths
        started = self.clock.monotonic()
        if self._need_rebuild or not self.index.intact():
            self._need_rebuild = True  # stays set if the rebuild fails, so it is tried again
            self._watch()
            before = None  # a new file: nothing in it is news
            r = self.index.rebuild(settle=self.settle, now_ns=self.clock.wall_ns())
            log.warning(
                "index %s was missing or broken: rebuilt with %d posts in %.2f s",
                self.index.path,
                r.changed,
                r.seconds,
            )
            self._need_rebuild = False
            self._need_full = self._observer is None
            self._last_full = started
        elif full or self._need_full or started - self._last_full > FULL_SCAN_SECONDS:
            before = self.index.generation
            self._pending.clear()
            self._need_full = True  # stays set if the scan fails, so it is tried again
            self._watch()
            r = self.index.refresh(settle=self.settle, now_ns=self.clock.wall_ns())
            self._need_full = self._observer is None
            self._last_full = started
        elif self._pending:
            before = self.index.generation
            pending, self._pending = self._pending, set()
            r = self.index.refresh(pending, settle=self.settle, now_ns=self.clock.wall_ns())
        else:
            return set()
        self._pending |= set(r.unsettled)
        if self._pending:
            self._wake.set()
        if self._fault is not None:
            log.info("refresh works again")
            self._fault = None
        if r.changed or r.removed:
            log.info("refreshed: %d changed, %d removed in %.2f s", r.changed, r.removed, r.seconds)
        if self.changed is not None and before is not None and r.generation > before:
            return self.index.changed_scopes(before)
        return set()

    def _fell_due(self) -> set[Scope]:
        """The scopes whose future post fell due since the last look, when ``changed`` wants
        them: their feeds changed with time alone."""
        if self.changed is None:
            return set()
        now = self.now()
        since, self._due_checked = self._due_checked, now
        return self.index.due_scopes(since, now) if since is not None and now > since else set()

    def _watch(self) -> None:
        """(Re)start the watcher before each full scan: a folder that vanished and came back
        needs a new watch, and events from here on are caught by the scan or the watcher."""
        if self._observer is not None:
            self._observer.stop()
        self._observer = None
        root = self.index.rules.root
        if not root.is_dir():
            return
        observer = Observer()
        observer.schedule(self._changes, str(root), recursive=True)
        observer.daemon = True
        try:
            observer.start()
        except OSError as e:
            log.warning(
                "cannot watch %s (%s): scanning every %.1f s instead", root, e, self.interval
            )
            return
        self._observer = observer
