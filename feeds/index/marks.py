"""Export marks: what each export folder shows, kept in the index rather than in the folder
(where every export would change a file that a sync uploads and a web server publishes).

A mark lets the next export into its folder rebuild only the scopes whose version rose since
its generation. Scopes that lost every post keep their version row until no mark needs it;
a mark more than :data:`KEEP_GENERATIONS` behind stops protecting rows and is dropped, so an
abandoned folder cannot make the index grow: its next export runs in full. A new index file
has no marks, so every folder's next export runs in full then too.

Beside each mark, the digest of every RFC 5005 archive page the folder holds
(:func:`feeds.archives.digest`): an export that rebuilds a scope rewrites only the pages whose
digest moved, so a new post costs the scope's newest page, not all of its history.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass

from ..model import Scope
from .connection import Store, meta

#: How many generations a mark protects the versions of vanished scopes for.
KEEP_GENERATIONS = 10_000


@dataclass(frozen=True, slots=True)
class ExportMark:
    """What the files in one export folder show."""

    #: The index generation they were built from.
    generation: int
    #: ISO 8601 instant the export was made for.
    at: str
    #: The options the documents were built with, as text to compare.
    options: str
    #: Files in the layout then.
    size: int


def read(store: Store, folder: str) -> ExportMark | None:
    """The mark of ``folder`` (a resolved path), if it is still one the versions cover."""
    rows = store.rows(
        ExportMark,
        "SELECT generation, at, options, size FROM exports WHERE folder = ?"
        " AND generation >= COALESCE((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'pruned'), 0)",
        (folder,),
    )
    return rows[0] if rows else None


def save(store: Store, folder: str, mark: ExportMark) -> None:
    """Record ``mark`` as what ``folder`` shows now.

    Raises:
        StorageError: the index cannot be written.
    """
    with store.errors("cannot record the export"):
        db = store.writer(wait=True)
        with store.transaction(db):
            db.execute(
                "INSERT OR REPLACE INTO exports VALUES (?, ?, ?, ?, ?)",
                (folder, mark.generation, mark.at, mark.options, mark.size),
            )


def pages(store: Store, folder: str, scope: Scope) -> dict[int, int]:
    """Page → digest of each archive page of ``scope`` that ``folder`` holds."""
    return dict(
        store.rows(
            lambda page, digest: (page, digest),
            "SELECT page, digest FROM pages WHERE folder = ? AND kind = ? AND slug = ?",
            (folder, scope.kind.value, scope.slug),
        )
    )


def save_pages(store: Store, folder: str, scope: Scope, digests: Mapping[int, int]) -> None:
    """Record ``digests`` (page → digest) as every archive page of ``scope`` in ``folder``.

    Raises:
        StorageError: the index cannot be written.
    """
    key = (folder, scope.kind.value, scope.slug)
    with store.errors("cannot record the archive pages"):
        db = store.writer(wait=True)
        with store.transaction(db):
            db.execute("DELETE FROM pages WHERE folder = ? AND kind = ? AND slug = ?", key)
            db.executemany(
                "INSERT INTO pages VALUES (?, ?, ?, ?, ?)",
                ((*key, page, digest) for page, digest in digests.items()),
            )


def forget_pages(store: Store, folder: str) -> None:
    """Forget every archive page of ``folder``: a full export rebuilds them all.

    Raises:
        StorageError: the index cannot be written.
    """
    with store.errors("cannot forget the archive pages"):
        db = store.writer(wait=True)
        with store.transaction(db):
            db.execute("DELETE FROM pages WHERE folder = ?", (folder,))


def prune(db: sqlite3.Connection, generation: int) -> None:
    """Drop what no mark needs any more, inside the refresh that made ``generation``: marks
    too old, or saved from a generation already pruned, and the version rows of scopes that
    have no post left and changed no later than the oldest mark."""
    pruned = int(meta(db, "pruned") or 0)
    db.execute(
        "DELETE FROM exports WHERE generation < ? OR generation < ?",
        (generation - KEEP_GENERATIONS, pruned),
    )
    db.execute("DELETE FROM pages WHERE folder NOT IN (SELECT folder FROM exports)")
    oldest = db.execute("SELECT MIN(generation) FROM exports").fetchone()[0]
    floor = generation if oldest is None else int(oldest)
    gone = db.execute(
        "DELETE FROM versions WHERE generation <= ? AND NOT EXISTS"
        " (SELECT 1 FROM members m WHERE m.kind = versions.kind AND m.slug = versions.slug)",
        (floor,),
    )
    if gone.rowcount:  # the floor is every missing scope's version: move it only when rows went
        db.execute("INSERT OR REPLACE INTO meta VALUES ('pruned', ?)", (str(floor),))
