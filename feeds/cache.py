"""Built documents ready to send: body, gzip body, ETag and Last-Modified, made once per key.

A key names everything a document depends on (the URL's target, the limit, the index
generation and the next publication time), so an entry never goes stale: a change to the posts
makes new keys, and old entries age out of the bounded store. Output is deterministic, so every
worker computes the same ETag for the same key, whichever backend holds it.

``memory`` keeps entries per process, least recently used out past ``max_bytes``;
``filesystem`` keeps them in a folder that the workers of one machine share.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import tempfile
import threading
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
    #: HTTP date of the newest entry, or ``None``.
    last_modified: str | None

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
        )


class Store(Protocol):
    """Where entries are kept."""

    def get(self, key: str) -> Entry | None: ...

    def put(self, key: str, entry: Entry) -> None: ...


class MemoryStore:
    """Entries in this process, least recently used out past ``max_bytes``."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.bytes = 0
        self._entries: OrderedDict[str, Entry] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> Entry | None:
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None:
                self._entries.move_to_end(key)
            return entry

    def put(self, key: str, entry: Entry) -> None:
        if entry.size > self.max_bytes:
            return
        with self._lock:
            old = self._entries.pop(key, None)
            if old is not None:
                self.bytes -= old.size
            self._entries[key] = entry
            self.bytes += entry.size
            while self.bytes > self.max_bytes:
                _, evicted = self._entries.popitem(last=False)
                self.bytes -= evicted.size

    def __len__(self) -> int:
        return len(self._entries)


class FilesystemStore:
    """Entries as files in ``folder``, one per key, written atomically; shared by processes.

    Old keys are not swept here: they stop being asked for when the index changes, and the
    folder can be emptied at any time.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)

    def _path(self, key: str) -> Path:
        return self.folder / hashlib.sha256(key.encode("utf-8")).hexdigest()

    def get(self, key: str) -> Entry | None:
        try:
            data = self._path(key).read_bytes()
            head_end = data.index(b"\n")
            head = json.loads(data[:head_end])
            body_end = head_end + 1 + head["body"]
            if head["key"] != key or len(data) != body_end + head["gzipped"]:
                return None
            return Entry(data[head_end + 1:body_end], data[body_end:], head["etag"], head["media_type"], head["last_modified"])
        except (OSError, ValueError, KeyError):
            return None

    def put(self, key: str, entry: Entry) -> None:
        head = json.dumps({"key": key, "body": len(entry.body), "gzipped": len(entry.gzipped), "etag": entry.etag,
                           "media_type": entry.media_type, "last_modified": entry.last_modified}).encode("utf-8")
        try:
            fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".tmp-")
            with os.fdopen(fd, "wb") as f:
                f.write(head + b"\n" + entry.body + entry.gzipped)
            os.replace(tmp, self._path(key))
        except OSError:
            pass  # a cache that cannot write still serves: the entry is built again next time


class Cache:
    """Get an entry, building it at most once per process however many requests wait for it."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._building: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()
        #: How many entries this process built (tests and logs read it).
        self.builds = 0

    @classmethod
    def from_config(cls, config: CacheConfig) -> Cache:
        if config.backend == "filesystem":
            return cls(FilesystemStore(config.dir))
        return cls(MemoryStore(config.max_bytes))

    def get(self, key: str, build: Callable[[], Document | None]) -> Entry | None:
        """The entry for ``key``, built with ``build`` if missing; ``None`` if ``build`` says
        there is no such document (not cached: the index answers that cheaply)."""
        entry = self.store.get(key)
        if entry is not None:
            return entry
        with self._guard:
            lock = self._building.setdefault(key, threading.Lock())
        try:
            with lock:
                entry = self.store.get(key)
                if entry is None:
                    doc = build()
                    if doc is not None:
                        entry = Entry.of(doc)
                        self.store.put(key, entry)
                        self.builds += 1
        finally:  # also when build raises: a key asked for once must not stay here for good
            with self._guard:
                if self._building.get(key) is lock:
                    del self._building[key]
        return entry
