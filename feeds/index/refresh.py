"""The refresh plan: which files to parse (a scan, or the paths a watcher named, less those
still being written), parsing them on every core, and writing the result in one transaction.

A refresh bumps the generation when any post changed, and records for each scope it touched
that generation as the scope's version, so an export or a cache rebuilds only those, and a
stamp dated from the disk, its Last-Modified (see :func:`refresh` and docs/decisions.md).
"""

from __future__ import annotations

import itertools
import sqlite3
import time
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from typing import TypeVar

from .. import parallel
from ..jekyll import files as jekyll_files
from ..jekyll import posts as jekyll_posts
from ..model import Problem
from . import marks
from .connection import Store, meta
from .schema import POST_COLUMNS, members, to_row

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Refresh:
    """What one refresh did."""

    changed: int
    removed: int
    seconds: float
    generation: int
    #: Paths left for later because the change is not settled yet: a file modified, or a folder
    #: a post was removed from, less than ``settle`` seconds ago or in the current second.
    unsettled: tuple[str, ...] = ()


def refresh(store: Store, rules: jekyll_posts.Rules, jobs: int, paths: Collection[str] | None, settle: float) -> Refresh:
    """See :meth:`feeds.index.Index.refresh`."""
    started = time.perf_counter()
    name_problems: list[Problem] | None = None
    with store.errors():
        db = store.db()
        cold = int(meta(db, "generation") or 0) == 0
        if paths is None:
            rows = db.execute("SELECT path, size, mtime_ns FROM files").fetchall()
        else:
            rows = [r for p in set(paths) for r in db.execute("SELECT path, size, mtime_ns FROM files WHERE path = ?", (p,))]
    known: dict[str, tuple[int, int]] = {p: (s, m) for p, s, m in rows}
    if paths is None:
        changed, seen, name_problems = jekyll_files.scan(rules.root, known)
    else:
        found = (jekyll_files.stat_post(rules.root, p) for p in paths)
        files = [f for f in found if f is not None]
        seen = {f.path for f in files}
        changed = [f for f in files if known.get(f.path) != (f.size, f.mtime_ns)]
    # What dates each change (ns): a file's mtime, and for a removal the mtime of the folder it
    # was unlinked or renamed from; a fill, which sees no removal, takes the newest folder's.
    dated = {f.path: f.mtime_ns for f in changed} | {p: jekyll_files.folder_time(rules.root, p) for p in known if p not in seen}
    fresh: set[str] = set()
    if settle > 0:
        now = time.time_ns()
        # Settled: older than `settle`, and in a second that is over, so that whatever changes
        # next is dated in a later second than anything this refresh reads. An mtime well ahead
        # of the clock is skew, not a write in progress.
        cutoff = min(now - int(settle * 1e9), now - now % 1_000_000_000 - 1)
        fresh = {p for p, t in dated.items() if cutoff < t <= now + 1_000_000_000}
        changed = [f for f in changed if f.path not in fresh]
    removed = [p for p in known if p not in seen and p not in fresh]
    seconds = {p: t // 1_000_000_000 for p, t in dated.items()}
    first = max([jekyll_files.newest_folder(rules.root), *(f.mtime_ns for f in changed)]) // 1_000_000_000 if cold else None
    parsed = parallel.map_ordered(jekyll_posts.parse, changed, rules, jobs)
    with store.errors("cannot write the index"):
        generation = _write(store, db, changed, parsed, removed, name_problems, seconds, first)
    return Refresh(len(changed), len(removed), time.perf_counter() - started, generation, tuple(sorted(fresh)))


def _write(
    store: Store,
    db: sqlite3.Connection,
    changed: list[jekyll_files.SourceFile],
    parsed: Iterable[jekyll_posts.Parsed],
    removed: list[str],
    name_problems: list[Problem] | None,
    dated: dict[str, int],
    cold: int | None,
) -> int:
    """Apply a refresh in one transaction, parsing as it goes; readers see all or nothing.

    ``dated``: each changed or removed path → the second that dates its change. ``cold``: on
    the first fill, the newest second on the disk, which every scope is stamped with.
    """
    gone = [(p,) for p in removed] + [(f.path,) for f in changed]
    #: scope → the newest second of the changes that touched it
    touched_at: dict[tuple[str, str], int] = {}

    def touch(scopes: Iterable[tuple[str, str]], when: int) -> None:
        for scope in scopes:
            touched_at[scope] = max(when, touched_at.get(scope, when))

    # A big page cache while writing (a cold fill inserts into big B-trees), the default
    # (2 MiB) the rest of the time: every worker holds a few connections.
    db.execute(f"PRAGMA cache_size = {-65536 if len(changed) > 1000 else -2000}")
    try:
        with store.transaction(db):
            generation = int(meta(db, "generation") or 0) + 1
            touched = 0
            # The first fill records no versions: there is no earlier state to compare with.
            record = generation > 1
            shared = {str(u) for (p,) in gone for (u,) in db.execute("SELECT url FROM posts WHERE path = ?", (p,))}
            if gone:
                for (p,) in gone:
                    touch(db.execute("SELECT kind, slug FROM members WHERE path = ?", (p,)), dated[p])
                for table in ("posts", "members", "problems", "files"):
                    db.executemany(f"DELETE FROM {table} WHERE path = ?", gone)  # noqa: S608 - fixed names
            db.executemany("INSERT INTO files VALUES (?, ?, ?)", ((f.path, f.size, f.mtime_ns) for f in changed))
            for batch in _batched(parsed, 512):
                posts = [r.post for r in batch if r.post is not None]
                touched += len(posts)
                db.executemany("INSERT INTO problems VALUES (?, ?, ?, ?)",
                               [(p.path, p.line, p.level, p.message) for r in batch for p in r.problems])
                db.executemany(f"INSERT INTO posts ({POST_COLUMNS}) VALUES ({', '.join('?' * 12)})", [to_row(p) for p in posts])
                shared.update(p.url for p in posts)
                rows = [m for p in posts for m in members(p)]
                db.executemany("INSERT INTO members VALUES (?, ?, ?, ?, ?)", rows)
                for m in rows:
                    touch([(m.kind, m.slug)], dated[m.path])
            if shared:
                # A post sharing a permalink with one added or removed may have a new entry id.
                newest = max(dated.values())
                for u in shared:
                    touch(db.execute("SELECT m.kind, m.slug FROM posts p JOIN members m ON m.path = p.path WHERE p.url = ?", (u,)), newest)
            if record:
                db.executemany("INSERT INTO versions VALUES (?, ?, ?)" + _BUMP, ((k, s, generation) for k, s in touched_at))
                # A stamp only rises: by a second at least, should the disk's times not (a file
                # whose mtime was set back, a clock stepped back).
                db.executemany("INSERT INTO stamps VALUES (?, ?, ?) ON CONFLICT (kind, slug)"
                               " DO UPDATE SET modified = MAX(modified + 1, excluded.modified)",
                               ((k, s, when) for (k, s), when in touched_at.items()))
            elif cold is not None:
                db.execute("INSERT OR REPLACE INTO stamps SELECT DISTINCT kind, slug, ? FROM members", (cold,))
            if name_problems is not None:
                # misnamed files are not in `files`: a full scan replaces their warnings
                db.execute("DELETE FROM problems WHERE path NOT IN (SELECT path FROM files)")
                db.executemany("INSERT INTO problems VALUES (?, ?, ?, ?)", ((p.path, p.line, p.level, p.message) for p in name_problems))
            if gone or touched:
                db.execute("UPDATE meta SET value = ? WHERE key = 'generation'", (str(generation),))
                marks.prune(db, generation)
            else:
                generation -= 1
    finally:
        db.execute("PRAGMA cache_size = -2000")
    return generation


#: Makes an insert into ``versions`` raise the scope's version instead.
_BUMP = " ON CONFLICT (kind, slug) DO UPDATE SET generation = excluded.generation"


def _batched(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """``itertools.batched`` (Python 3.12) for 3.11."""
    it = iter(items)
    while batch := list(itertools.islice(it, size)):
        yield batch
