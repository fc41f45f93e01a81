"""The refresh plan: which files to parse (a scan, or the paths a watcher named, less those
still being written), parsing them on every core, and writing the result in one transaction.

A refresh bumps the generation when any post changed, and records for each scope it touched
that generation as the scope's version, so an export or a cache rebuilds only those, and a
stamp dated from the disk, its Last-Modified (see :func:`refresh` and docs/decisions.md). It also
keeps each scope's digest (:mod:`feeds.index.digests`).

A first fill writes every row into tables without their secondary indexes, and makes these at
the end of the same transaction (a sort each, where a B-tree insert per row cost more).
"""

from __future__ import annotations

import itertools
import json
import re
import sqlite3
import time
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass
from typing import TypeVar

from .. import parallel
from ..jekyll import files as jekyll_files
from ..jekyll import posts as jekyll_posts
from ..model import Problem
from . import digests, marks, search, texts
from .connection import Store, meta
from .rows import BATCH, TS, URL, Parsing, Rows, batch_rows
from .schema import POST_COLUMNS, SCHEMA, PostRow

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


def refresh(
    store: Store,
    rules: jekyll_posts.Rules,
    jobs: int,
    paths: Collection[str] | None,
    settle: float,
    now_ns: int | None = None,
    search_index: bool = True,
) -> Refresh:
    """See :meth:`feeds.index.Index.refresh`."""
    started = time.perf_counter()
    name_problems: list[Problem] | None = None
    # The digest of what this scan lists (a full scan only), kept if the index ends up so.
    listing: str | None = None
    with store.errors():
        db = store.db()
        generation = int(meta(db, "generation") or 0)
    cold = generation == 0
    if paths is None:
        # A first fill of a large site parses on a pool: its fork server starts importing
        # while the rest of the files are listed, not after.
        early = (parallel.THRESHOLD, parallel.start_early) if cold and jobs > 1 else None
        listed = jekyll_files.listing(rules.root, rules.entries, early)
        listing = listed.digest()
        with store.errors():
            if listing == meta(db, _LISTING) and (not search_index or texts.whole(db)):
                # Listed as the last full scan that left nothing for later listed them: the
                # index holds every file as it is (a warm export of 100,000 posts no longer
                # reads their stats out of it to learn so).
                return Refresh(0, 0, time.perf_counter() - started, generation)
            known = _known(db, None)
        changed, gone, name_problems = listed.changes(known)
    else:
        with store.errors():
            known = _known(db, paths)
        found = (jekyll_files.stat_post(rules.root, p, rules.entries) for p in paths)
        files = [f for f in found if f is not None]
        seen = {f.path for f in files}
        changed = [f for f in files if known.get(f.path) != (f.size, f.mtime_ns)]
        gone = [p for p in known if p not in seen]
    # What dates each change (ns): a file's mtime, and for a removal the mtime of the folder it
    # was unlinked or renamed from; a fill, which sees no removal, takes the newest folder's.
    dated = {f.path: f.mtime_ns for f in changed} | {
        p: jekyll_files.folder_time(rules.root, p) for p in gone
    }
    fresh: set[str] = set()
    if settle > 0:
        now = time.time_ns() if now_ns is None else now_ns
        # Settled: older than `settle`, and in a second that is over, so that whatever changes
        # next is dated in a later second than anything this refresh reads. An mtime well ahead
        # of the clock is skew, not a write in progress.
        cutoff = min(now - int(settle * 1e9), now - now % 1_000_000_000 - 1)
        fresh = {p for p, t in dated.items() if cutoff < t <= now + 1_000_000_000}
        changed = [f for f in changed if f.path not in fresh]
    removed = [p for p in gone if p not in fresh]
    seconds = {p: t // 1_000_000_000 for p, t in dated.items()}
    first = (
        max([jekyll_files.newest_folder(rules.root, rules.entries), *(f.mtime_ns for f in changed)])
        // 1_000_000_000
        if cold
        else None
    )
    parsing = Parsing(rules, search_index, jobs)
    batches = [changed[i : i + BATCH] for i in range(0, len(changed), BATCH)]
    # On a pool from THRESHOLD files, as the early start above counts them, not batches. Four
    # batches go to a worker at a time: sent one by one, the pool's threads in this process
    # took 1.7 s of CPU over a fill of 100,000 posts (1,563 tasks), which the inserting
    # thread and the workers wanted; four at a time, 0.9 s.
    pooled = jobs if len(changed) >= parallel.THRESHOLD else 1
    parsed = (
        rows
        for done in parallel.map_ordered(
            batch_rows, batches, parsing, pooled, chunksize=4, threshold=0
        )
        for rows in done
    )
    with store.errors("cannot write the index"):
        generation = _write(
            store,
            db,
            changed,
            parsed,
            removed,
            name_problems,
            seconds,
            first,
            parsing,
            None if fresh else listing,  # a change left for later: the files are not as listed
        )
    return Refresh(
        len(changed), len(removed), time.perf_counter() - started, generation, tuple(sorted(fresh))
    )


def _known(db: sqlite3.Connection, paths: Collection[str] | None) -> dict[str, tuple[int, int]]:
    """The (size, mtime) the index holds of each file it knows (of ``paths`` only, if given)."""
    if paths is None:
        rows = db.execute("SELECT path, size, mtime_ns FROM files").fetchall()
    else:
        rows = [
            r
            for p in set(paths)
            for r in db.execute("SELECT path, size, mtime_ns FROM files WHERE path = ?", (p,))
        ]
    return {p: (s, m) for p, s, m in rows}


def _write(
    store: Store,
    db: sqlite3.Connection,
    changed: list[jekyll_files.SourceFile],
    parsed: Iterable[Rows],
    removed: list[str],
    name_problems: list[Problem] | None,
    dated: dict[str, int],
    cold: int | None,
    parsing: Parsing,
    listing: str | None,
) -> int:
    """Apply a refresh in one transaction, parsing as it goes; readers see all or nothing.

    ``listing``: the digest (:meth:`~feeds.jekyll.files.Listing.digest`) of the full scan
    whose every file the index holds once this is written, kept for the next scan to compare
    with; ``None`` forgets the last one (the files looked at were not all listed).

    ``dated``: each changed or removed path → the second that dates its change. ``cold``: on
    the first fill, the newest second on the disk, which every scope is stamped with.
    ``parsing``: with :attr:`~feeds.index.rows.Parsing.words`, the posts parsed come with
    their words, and every post is given its words and grams (:mod:`feeds.index.search`);
    without, they are inserted without them, until a refresh that needs them.
    """
    #: scope → the newest second of the changes that touched it
    touched_at: dict[tuple[str, str], int] = {}

    def touch(scopes: Iterable[tuple[str, str]], when: int) -> None:
        for scope in scopes:
            touched_at[scope] = max(when, touched_at.get(scope, when))

    # A big page cache while writing (a cold fill inserts into big B-trees), the default
    # (2 MiB) the rest of the time: every worker holds a few connections. A big write leaves
    # copying the WAL into the file to the next connection that commits (an export's render
    # workers, a service's next refresh), not to its own commit: that copy (130 MB after a fill
    # of 100,000 posts) took 0.45 s while every core but this one waited for the fill to end.
    big = len(changed) > 1000
    db.execute(f"PRAGMA cache_size = {-65536 if big else -2000}")
    if big:
        db.execute("PRAGMA wal_autocheckpoint = 0")
    try:
        with store.transaction(db):
            generation = int(meta(db, "generation") or 0) + 1
            # The paths whose rows go (a new file has none: no lookups in four tables for each
            # post of a first fill, nor its 100,000 paths sent to SQLite to learn so: 0.13 s
            # before the parse workers get anything to do).
            gone = (
                [
                    (str(p),)
                    for (p,) in db.execute(
                        "SELECT value FROM json_each(?)"
                        " WHERE EXISTS (SELECT 1 FROM files WHERE path = value)",
                        (json.dumps([*removed, *(f.path for f in changed)], ensure_ascii=False),),
                    )
                ]
                if db.execute("SELECT 1 FROM files LIMIT 1").fetchone()
                else []
            )
            # The first fill records no versions: there is no earlier state to compare with.
            record = generation > 1
            shared = {
                str(u)
                for (p,) in gone
                for (u,) in db.execute("SELECT url FROM posts WHERE path = ?", (p,))
            }
            delta: dict[tuple[str, str], int] = {}
            for (p,) in gone:
                digests.fold(
                    delta,
                    db.execute(
                        "SELECT m.kind, m.slug, p.mark FROM posts p JOIN members m ON m.path = p.path"
                        " WHERE p.path = ?",
                        (p,),
                    ),
                )
            if gone:
                for (p,) in gone:
                    touch(
                        db.execute("SELECT kind, slug FROM members WHERE path = ?", (p,)), dated[p]
                    )
                search.delete(
                    db,
                    [
                        i
                        for (p,) in gone
                        for (i,) in db.execute("SELECT id FROM posts WHERE path = ?", (p,))
                    ],
                )
                for table in ("posts", "members", "problems", "files"):
                    db.executemany(f"DELETE FROM {table} WHERE path = ?", gone)
            if record:

                def stamp(rows: list[tuple[str, str, int, str, str]]) -> None:
                    for kind, slug, _, path, _ in rows:
                        touch([(kind, slug)], dated[path])

                touched, urls = _insert(db, changed, parsed, delta, stamp)
                shared |= urls
            else:
                # The first fill: the secondary indexes are made once the rows are in (the
                # same statements: a sort each, not a B-tree insert per row), but for those
                # whose rows come in their order, which grow at their end.
                for name in _MADE_LAST:
                    db.execute(f"DROP INDEX {name}")
                touched, _ = _insert(db, changed, parsed, delta, None)
                for sql in _MADE_LAST.values():
                    db.execute(sql)
                shared = {
                    str(u)
                    for (u,) in db.execute("SELECT url FROM posts GROUP BY url HAVING COUNT(*) > 1")
                }
            if record and shared:
                # A post sharing a permalink with one added or removed may have a new entry id.
                newest = max(dated.values())
                for u in shared:
                    touch(
                        db.execute(
                            "SELECT m.kind, m.slug FROM posts p JOIN members m ON m.path = p.path WHERE p.url = ?",
                            (u,),
                        ),
                        newest,
                    )
            if record:
                db.executemany(
                    "INSERT INTO versions VALUES (?, ?, ?)" + _BUMP,
                    ((k, s, generation) for k, s in touched_at),
                )
                # A stamp only rises: by a second at least, should the disk's times not (a file
                # whose mtime was set back, a clock stepped back).
                db.executemany(
                    "INSERT INTO stamps VALUES (?, ?, ?) ON CONFLICT (kind, slug)"
                    " DO UPDATE SET modified = MAX(modified + 1, excluded.modified)",
                    ((k, s, when) for (k, s), when in touched_at.items()),
                )
            elif cold is not None:
                db.execute(
                    "INSERT OR REPLACE INTO stamps SELECT DISTINCT kind, slug, ? FROM members",
                    (cold,),
                )
            digests.update(db, delta, shared)
            if name_problems is not None:
                # misnamed files are not in `files`: a full scan replaces their warnings
                db.execute("DELETE FROM problems WHERE path NOT IN (SELECT path FROM files)")
                db.executemany(
                    "INSERT INTO problems VALUES (?, ?, ?, ?)",
                    ((p.path, p.line, p.level, p.message) for p in name_problems),
                )
            if parsing.words:
                texts.complete(db, parsing.rules.root, parsing.jobs)
                search.catch_up(db)
            elif touched:
                texts.left_out(db)
            if listing is None:
                db.execute("DELETE FROM meta WHERE key = ?", (_LISTING,))
            else:
                db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (_LISTING, listing))
            if gone or touched:
                db.execute("UPDATE meta SET value = ? WHERE key = 'generation'", (str(generation),))
                marks.prune(db, generation)
            else:
                generation -= 1
    finally:
        db.execute("PRAGMA cache_size = -2000")
        db.execute("PRAGMA wal_autocheckpoint = 1000")
    return generation


def _insert(
    db: sqlite3.Connection,
    changed: Iterable[jekyll_files.SourceFile],
    parsed: Iterable[Rows],
    delta: dict[tuple[str, str], int],
    stamp: Callable[[list[tuple[str, str, int, str, str]]], None] | None,
) -> tuple[int, set[str]]:
    """Insert each file of ``changed`` and the rows ``parsed`` from it (one each, in order),
    and fold the marks of its post into ``delta``; ``stamp`` is given each batch's members.
    How many posts went in, and their permalinks.

    The ``files`` rows go in with the rest, batch by batch, while the workers parse: inserted
    before the first batch, a fill's 100,000 took half a second that the workers waited for.

    The posts take the ids after every id there has been, counted here rather than asked of
    SQLite a row at a time (ids are never reused: rendered content lands on its own row)."""
    seq = db.execute("SELECT seq FROM sqlite_sequence WHERE name = 'posts'").fetchone()
    next_id = (seq[0] if seq else 0) + 1
    count = 0
    urls: set[str] = set()
    insert = f"INSERT INTO posts (id, mark, {POST_COLUMNS}) VALUES ({', '.join('?' * (2 + len(PostRow._fields)))})"
    for batch in _batched(zip(changed, parsed, strict=True), 64):
        posts: list[tuple[object, ...]] = []
        words: list[tuple[int, bytes]] = []
        rows: list[tuple[str, str, int, str, str]] = []
        problems: list[tuple[str, int, str, str]] = []
        files: list[tuple[str, int, int]] = []
        for file, (post, found, warnings, packed, mark) in batch:
            files.append((file.path, file.size, file.mtime_ns))
            problems += warnings
            if post is None:
                continue
            posts.append((next_id, mark, *post))
            if packed is not None:
                words.append((next_id, packed))
            next_id += 1
            urls.add(post[URL])
            path, ts = post[0], post[TS]
            for kind, slug, name in found:
                rows.append((kind, slug, ts, path, name))
                delta[kind, slug] = delta.get((kind, slug), 0) ^ mark
        db.executemany("INSERT INTO files VALUES (?, ?, ?)", files)
        db.executemany("INSERT INTO problems VALUES (?, ?, ?, ?)", problems)
        db.executemany(insert, posts)
        texts.insert(db, words)
        db.executemany("INSERT INTO members VALUES (?, ?, ?, ?, ?)", rows)
        if stamp is not None:
            stamp(rows)
        count += len(posts)
    return count, urls


#: The secondary indexes of :data:`SCHEMA` a first fill makes last, name → statement: all but
#: ``members_path``, which it fills in its order (the files are parsed sorted by path, and each
#: one's ``members`` rows go in together).
_MADE_LAST = {
    name: sql
    for sql, name in re.findall(r"^(CREATE INDEX (\w+) ON [^;]*);", SCHEMA, re.M)
    if name != "members_path"
}
#: The ``meta`` key of the digest of the last full scan's listing that the index holds as it
#: is: a scan that lists the same has nothing to do (:func:`refresh`).
_LISTING = "listing"
#: Makes an insert into ``versions`` raise the scope's version instead.
_BUMP = " ON CONFLICT (kind, slug) DO UPDATE SET generation = excluded.generation"


def _batched(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """``itertools.batched`` (Python 3.12) for 3.11."""
    it = iter(items)
    while batch := list(itertools.islice(it, size)):
        yield batch
