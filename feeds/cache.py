"""Built documents ready to send: body, gzip body, ETag and Last-Modified, made once per key.

A key names everything a document depends on (the URL's target, the limit, the index
generation and the next publication time), so an entry never goes stale: a change to the posts
makes new keys, and old entries age out of the bounded store. Output is deterministic, so every
worker computes the same ETag for the same key, whichever backend holds it.

``memory`` keeps entries per process, ``filesystem`` in a folder that the workers of one machine
share; both drop the least recently used entries past ``max_bytes``. ``redis`` keeps a memory
store per process in front of one Redis that every worker of every host shares
(:mod:`feeds.sharing`).
"""

from __future__ import annotations

import fcntl
import gzip
import hashlib
import json
import os
import re
import tempfile
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from . import dates
from .config import CacheConfig
from .documents import Document


@dataclass(frozen=True, slots=True)
class Entry:
    """One document as HTTP sends it."""

    body: bytes
    gzipped: bytes
    #: Strong validator of ``body`` (quoted); the gzip form's is :attr:`gzip_etag`.
    etag: str
    media_type: str
    #: HTTP date of the document's last change (:attr:`Document.modified`), or ``None``.
    last_modified: str | None
    #: :attr:`Document.sealed`: served to be kept for good.
    sealed: bool = False

    @property
    def gzip_etag(self) -> str:
        """A strong validator differs per content coding (RFC 9110 8.8.3)."""
        return self.etag[:-1] + '-gz"'

    @property
    def size(self) -> int:
        return len(self.body) + len(self.gzipped) + 200

    @classmethod
    def of(cls, doc: Document) -> Entry:
        """Compress once and fingerprint; ``mtime=0`` keeps the gzip bytes deterministic."""
        etag = '"' + hashlib.sha256(doc.body).hexdigest()[:32] + '"'
        return cls(
            body=doc.body,
            gzipped=gzip.compress(doc.body, compresslevel=6, mtime=0),
            etag=etag,
            media_type=doc.media_type,
            last_modified=dates.http_date(doc.modified) if doc.modified else None,
            sealed=doc.sealed,
        )


class Store(Protocol):
    """Where entries are kept."""

    def get(self, key: str) -> Entry | None: ...

    def put(self, key: str, entry: Entry, slot: str = "") -> None:
        """Keep ``entry`` under ``key``. ``slot`` names what ``key`` is one version of (a URL's
        target and limit, without the index state; empty: none), so that a store may drop the
        slot's older entry."""


class MemoryStore:
    """Entries in this process, least recently used out past ``max_bytes``, one per slot.

    Every change to the posts makes new keys, so without slots the store would fill up with
    entries of states no request asks for again, and stay at ``max_bytes`` however few feeds
    are read: an entry replaces its slot's older one at once.
    """

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        #: What the entries take (:attr:`Entry.size`), at most ``max_bytes``.
        self.bytes = 0
        #: key → (its slot, the entry), least recently used first.
        self._entries: OrderedDict[str, tuple[str, Entry]] = OrderedDict()
        #: slot → the key of its entry.
        self._slots: dict[str, str] = {}
        self._lock = threading.Lock()

    def get(self, key: str) -> Entry | None:
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                return None
            self._entries.move_to_end(key)
            return found[1]

    def put(self, key: str, entry: Entry, slot: str = "") -> None:
        if entry.size > self.max_bytes:
            return
        with self._lock:
            self._drop(key)
            if slot:
                older = self._slots.get(slot)
                if older is not None:
                    self._drop(older)
                self._slots[slot] = key
            self._entries[key] = (slot, entry)
            self.bytes += entry.size
            while self.bytes > self.max_bytes:
                self._drop(next(iter(self._entries)))

    def _drop(self, key: str) -> None:
        """Forget ``key``'s entry, if there is one (the caller holds the lock)."""
        found = self._entries.pop(key, None)
        if found is None:
            return
        slot, entry = found
        self.bytes -= entry.size
        if slot and self._slots.get(slot) == key:
            del self._slots[slot]

    def __len__(self) -> int:
        return len(self._entries)


def pack(key: str, entry: Entry) -> bytes:
    """An entry as one byte string, for stores outside the process: a JSON line (the key, the
    lengths and the headers), then the body and the gzip body."""
    head = json.dumps(
        {
            "key": key,
            "body": len(entry.body),
            "gzipped": len(entry.gzipped),
            "etag": entry.etag,
            "media_type": entry.media_type,
            "last_modified": entry.last_modified,
            **({"sealed": True} if entry.sealed else {}),
        }
    ).encode("utf-8")
    return head + b"\n" + entry.body + entry.gzipped


def unpack(key: str, data: bytes) -> Entry | None:
    """The entry :func:`pack` made for ``key``; ``None`` if ``data`` is another key's (a hash
    collision of names) or cut short."""
    try:
        head_end = data.index(b"\n")
        head = json.loads(data[:head_end])
        body_end = head_end + 1 + head["body"]
        if head["key"] != key or len(data) != body_end + head["gzipped"]:
            return None
        return Entry(
            data[head_end + 1 : body_end],
            data[body_end:],
            head["etag"],
            head["media_type"],
            head["last_modified"],
            bool(head.get("sealed")),
        )
    except (ValueError, KeyError, TypeError):
        return None


class FilesystemStore:
    """Entries as files in ``folder``, one per key, least recently used out past ``max_bytes``.

    Shared by the processes of one machine. An entry appears whole or not at all (written aside,
    then renamed in), so readers need no lock. A file's modification time is its last use: a
    read sets it. Writers take turns under an exclusive ``flock`` on ``.total``, the file that
    keeps the folder's total; when a write takes the total past ``max_bytes``, the oldest
    files go until it is at most three quarters of it — a sweep for every quarter written, not
    one scan per write. The sweep counts the files themselves, so a total that drifted (a
    process killed between rename and count, the folder emptied by hand) is put right. A file
    that another process removed first is simply gone: nothing here fails for it.
    """

    #: An entry's file name: the SHA-256 of its key, in hex.
    _NAME = re.compile("[0-9a-f]{64}")

    def __init__(
        self, folder: Path, max_bytes: int, clock: Callable[[], int] = time.time_ns
    ) -> None:
        """``clock`` gives the time in nanoseconds that a use stamps on an entry (tests drive it)."""
        self.folder = folder
        self.max_bytes = max_bytes
        self._clock = clock
        folder.mkdir(parents=True, exist_ok=True)

    def _path(self, key: str) -> Path:
        return self.folder / hashlib.sha256(key.encode("utf-8")).hexdigest()

    def get(self, key: str) -> Entry | None:
        path = self._path(key)
        try:
            entry = unpack(key, path.read_bytes())
        except OSError:
            return None
        if entry is not None:
            self._stamp(path)
        return entry

    def put(self, key: str, entry: Entry, slot: str = "") -> None:
        """``slot`` is not used: the workers sharing the folder reach a new state at different
        moments, and one still on the old state would build its entry again."""
        data = pack(key, entry)
        if len(data) > self.max_bytes:
            return
        path = self._path(key)
        tmp = None
        try:
            fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".tmp-")
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            self._stamp(Path(tmp))
            with _Total(self.folder / ".total") as saved:
                replaced = _size(path)
                os.replace(tmp, path)
                tmp = None
                total = saved.read(default=self.max_bytes + 1) + len(data) - replaced
                if total > self.max_bytes:
                    total = self._sweep()
                saved.write(max(0, total))
        except OSError:
            pass  # a cache that cannot write still serves: the entry is built again next time
        finally:
            if tmp is not None:
                Path(tmp).unlink(missing_ok=True)

    def bytes(self) -> int:
        """What the entries take on disk now, counted file by file."""
        return sum(size for _, size, _ in self._entries())

    def _stamp(self, path: Path) -> None:
        now = self._clock()
        try:
            os.utime(path, ns=(now, now))
        except OSError:
            pass  # evicted meanwhile by another process

    def _entries(self) -> list[tuple[int, int, str]]:
        """Every entry file as (last use in ns, size, name); files that vanish are skipped."""
        found = []
        with os.scandir(self.folder) as it:
            for item in it:
                if self._NAME.fullmatch(item.name):
                    try:
                        st = item.stat(follow_symlinks=False)
                    except OSError:
                        continue
                    found.append((st.st_mtime_ns, st.st_size, item.name))
        return found

    def _sweep(self) -> int:
        """Remove the least recently used entries down to 3/4 of the bound; the total left."""
        entries = sorted(self._entries())
        total = sum(size for _, size, _ in entries)
        low = self.max_bytes * 3 // 4
        for _, size, name in entries:
            if total <= low:
                break
            try:
                os.unlink(self.folder / name)
            except FileNotFoundError:
                pass  # the folder was emptied meanwhile
            total -= size
        return total


class _Total:
    """A number kept in a file, held under an exclusive ``flock`` for a ``with`` block.

    The lock is per open, so it also keeps apart the threads of one process. The number is
    written in place, fixed width, never truncated: replacing a file's bytes by truncation makes
    ext4 flush it on close, which cost milliseconds a write.
    """

    _WIDTH = 20

    def __init__(self, path: Path) -> None:
        self._path = path
        self._fd = -1

    def __enter__(self) -> _Total:
        self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX)
        except OSError:
            os.close(self._fd)
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        os.close(self._fd)  # closing releases the lock

    def read(self, default: int) -> int:
        """The number saved, or ``default`` if there is none or it is garbled."""
        try:
            return int(os.pread(self._fd, self._WIDTH, 0))
        except ValueError:
            return default

    def write(self, value: int) -> None:
        os.pwrite(self._fd, b"%0*d" % (self._WIDTH, value), 0)


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


class Shared(Protocol):
    """Where the processes of several hosts share entries (:class:`feeds.sharing.RedisShare`)."""

    def get(self, key: str, build: Callable[[], Entry | None]) -> Entry | None: ...

    def close(self) -> None: ...


class Cache:
    """Get an entry, building it at most once per process however many requests wait for it,
    and with a ``shared`` store at most once across the hosts that share it."""

    def __init__(self, store: Store, shared: Shared | None = None) -> None:
        self.store = store
        self.shared = shared
        self._building: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()
        #: How many entries this process built (tests and logs read it).
        self.builds = 0

    @classmethod
    def from_config(cls, config: CacheConfig) -> Cache:
        if config.backend == "filesystem":
            return cls(FilesystemStore(config.dir, config.max_bytes))
        if config.backend == "redis":
            from .sharing import RedisShare  # redis-py is only needed here

            return cls(MemoryStore(config.max_bytes), RedisShare(config.url, config.ttl))
        return cls(MemoryStore(config.max_bytes))

    def get(self, key: str, build: Callable[[], Document | None], slot: str = "") -> Entry | None:
        """The entry for ``key``, built with ``build`` if missing; ``None`` if ``build`` says
        there is no such document (not cached: the index answers that cheaply). ``slot``: see
        :meth:`Store.put`."""
        entry = self.store.get(key)
        if entry is not None:
            return entry

        def make() -> Entry | None:
            doc = build()
            if doc is None:
                return None
            self.builds += 1
            return Entry.of(doc)

        with self._guard:
            lock = self._building.setdefault(key, threading.Lock())
        try:
            with lock:
                entry = self.store.get(key)
                if entry is None:
                    entry = make() if self.shared is None else self.shared.get(key, make)
                    if entry is not None:
                        self.store.put(key, entry, slot)
        finally:  # also when build raises: a key asked for once must not stay here for good
            with self._guard:
                if self._building.get(key) is lock:
                    del self._building[key]
        return entry

    def close(self) -> None:
        """Let go of the shared store's connections (the app's ``close()``)."""
        if self.shared is not None:
            self.shared.close()
