"""The embedded SQLite index: every parsed post, refreshed incrementally, queried per scope.

This package is the only code that speaks SQL or imports sqlite3; it stores and returns, and
decides nothing about rendering or exporting. A refresh re-parses only the files whose size or
modification time changed, drops posts whose file is gone, and bumps a generation number when
any post changed; built feeds are keyed by that number, so every process that reads the same
file agrees on what is current. The file is a cache of the posts on disk: it may be deleted at
any time, and one that is corrupt, from another schema version or made under other parsing
rules is rebuilt. WAL mode lets several processes read while one refreshes.

Its jobs, one module each: :mod:`.connection` (opening, the replaced-file switch, SQLite
errors), :mod:`.schema` (tables, rows ↔ posts), :mod:`.refresh` (what to parse, and writing
it), :mod:`.queries` (the read side), :mod:`.marks` (what each export folder shows).
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Collection, Iterable
from pathlib import Path

from .. import __version__
from ..errors import StorageError
from ..jekyll.posts import Rules
from ..model import Scope
from . import marks, refresh
from .connection import Store
from .marks import ExportMark
from .queries import Queries
from .refresh import Refresh
from .schema import SCHEMA_VERSION, Stored

__all__ = ["ExportMark", "Index", "Refresh", "Stored"]


class Index(Queries):
    """One index file for one site and its parsing rules; safe to share between threads."""

    def __init__(self, path: Path, rules: Rules, *, jobs: int | None = None) -> None:
        super().__init__(Store(path, fingerprint(rules)))
        self.path = path
        self.rules = rules
        self.jobs = jobs if jobs is not None else (os.cpu_count() or 1)

    def refresh(
        self,
        paths: Collection[str] | None = None,
        *,
        settle: float = 0.0,
        now_ns: int | None = None,
        search: bool = True,
    ) -> Refresh:
        """Bring the index up to date with the files on disk.

        With ``paths`` (relative to the source, as a file watcher reports them) only those
        files are looked at, which costs nothing per unchanged post; otherwise the whole
        source is scanned, which at 100,000 posts takes most of a second.

        A file modified less than ``settle`` seconds ago may still be being written: it is left
        as it was and named in :attr:`Refresh.unsettled`, for the caller to retry. With
        ``settle``, a change dated in the current second (a file's mtime, or for a removal its
        folder's) waits too, so each scope's stamp (:meth:`modified`) is a second no later
        change can share, on this host or any other that reads the same disk. ``now_ns``
        (default: the system clock) is the wall time, in ns since the epoch, both are measured
        from.

        ``search``: also give every post its words and keyword grams, most of a cold fill's
        cost; without, new posts get neither and no keyword query finds them until a refresh
        with ``search`` makes both (see :mod:`feeds.index.search`).

        Raises:
            OSError: the source folder cannot be read (nothing is changed then).
            StorageError: the index cannot be written.
        """
        return refresh.refresh(self.store, self.rules, self.jobs, paths, settle, now_ns, search)

    def rebuild(self, *, settle: float = 0.0, now_ns: int | None = None) -> Refresh:
        """Start a new file and fill it from the disk. Other threads and processes go on reading
        the old one until the new one holds every post. ``settle``, ``now_ns``: as for
        :meth:`refresh`.

        Raises:
            OSError, StorageError: as :meth:`refresh`.
        """
        self.store.recreate()
        return self.refresh(settle=settle, now_ns=now_ns)

    def intact(self) -> bool:
        """Whether the file at ``path`` is the index this thread reads: not deleted, replaced
        by something else or made under other rules (then :meth:`rebuild`)."""
        return self.store.intact()

    def close(self) -> None:
        """Close this thread's connections (others close when their thread ends)."""
        self.store.close()

    def store_rendered(
        self, rendered: Iterable[tuple[int, str, str]], *, wait: bool = False
    ) -> None:
        """Store rendered posts' (row, content, summary) in the rows :attr:`Stored.unrendered`
        named.

        Without ``wait`` (from a request) this is best effort: if another connection holds the
        write lock, nothing is stored and the posts are rendered again next time.

        Raises:
            StorageError: with ``wait``, the index cannot be written.
        """
        try:
            with self.store.errors("cannot store rendered posts"):
                db = self.store.writer(wait)
                with self.store.transaction(db):
                    db.executemany(
                        "UPDATE posts SET content_html = ?, summary = ? WHERE id = ?",
                        ((html, summary, i) for i, html, summary in rendered),
                    )
        except StorageError:
            if wait:
                raise

    def export_mark(self, folder: Path) -> ExportMark | None:
        """What the export folder ``folder`` (resolved) shows, if the index still covers it."""
        return marks.read(self.store, str(folder))

    def save_export_mark(self, folder: Path, mark: ExportMark) -> None:
        """Record what the export folder ``folder`` (resolved) shows now.

        Raises:
            StorageError: the index cannot be written.
        """
        marks.save(self.store, str(folder), mark)

    def archive_pages(self, folder: Path, scope: Scope) -> dict[int, int]:
        """Page → digest of each archive page of ``scope`` the export folder ``folder`` holds."""
        return marks.pages(self.store, str(folder), scope)

    def save_archive_pages(self, folder: Path, scope: Scope, digests: dict[int, int]) -> None:
        """Record ``digests`` as every archive page of ``scope`` that ``folder`` holds.

        Raises:
            StorageError: the index cannot be written.
        """
        marks.save_pages(self.store, str(folder), scope, digests)

    def forget_archive_pages(self, folder: Path) -> None:
        """Forget what archive pages ``folder`` holds, before an export rebuilds them all.

        Raises:
            StorageError: the index cannot be written.
        """
        marks.forget_pages(self.store, str(folder))


def fingerprint(rules: Rules) -> str:
    """What the file must have been made under to be reused: this version of feeds, the
    schema, and every parsing rule (a new rule field takes part without being listed)."""
    return json.dumps(
        [__version__, SCHEMA_VERSION, dataclasses.asdict(rules)],
        default=str,
        sort_keys=True,
        ensure_ascii=False,
    )
