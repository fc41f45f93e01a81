"""The refresh plan: which files to parse (a scan, or the paths a watcher named, less those
still being written), parsing them on every core, and writing the result in one transaction.

A refresh bumps the generation when any post changed, and records for each scope it touched
that generation as the scope's version, so an export or a cache rebuilds only those, and a
stamp dated from the disk, its Last-Modified (see :func:`refresh` and docs/decisions.md). It also
keeps each scope's digest: the XOR of a mark per post, a hash of what its entry depends on (the
file's path, size and modification time, and whether an earlier post shares its permalink). Two
index files over the same files hold the same digests, so hosts with an index each agree on
cache keys; XOR lets a refresh update a digest from the posts it touched alone.
"""

from __future__ import annotations

import hashlib
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
from . import marks, search
from .connection import Store, meta
from .schema import POST_COLUMNS, MemberRow, PostRow, members, to_row

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
    with store.errors():
        db = store.db()
        cold = int(meta(db, "generation") or 0) == 0
        if paths is None:
            rows = db.execute("SELECT path, size, mtime_ns FROM files").fetchall()
        else:
            rows = [
                r
                for p in set(paths)
                for r in db.execute("SELECT path, size, mtime_ns FROM files WHERE path = ?", (p,))
            ]
    known: dict[str, tuple[int, int]] = {p: (s, m) for p, s, m in rows}
    if paths is None:
        changed, seen, name_problems = jekyll_files.scan(rules.root, known, rules.entries)
    else:
        found = (jekyll_files.stat_post(rules.root, p, rules.entries) for p in paths)
        files = [f for f in found if f is not None]
        seen = {f.path for f in files}
        changed = [f for f in files if known.get(f.path) != (f.size, f.mtime_ns)]
    # What dates each change (ns): a file's mtime, and for a removal the mtime of the folder it
    # was unlinked or renamed from; a fill, which sees no removal, takes the newest folder's.
    dated = {f.path: f.mtime_ns for f in changed} | {
        p: jekyll_files.folder_time(rules.root, p) for p in known if p not in seen
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
    removed = [p for p in known if p not in seen and p not in fresh]
    seconds = {p: t // 1_000_000_000 for p, t in dated.items()}
    first = (
        max([jekyll_files.newest_folder(rules.root, rules.entries), *(f.mtime_ns for f in changed)])
        // 1_000_000_000
        if cold
        else None
    )
    parsing = _Parsing(rules, search_index, jobs)
    parsed = parallel.map_ordered(_rows, changed, parsing, jobs)
    with store.errors("cannot write the index"):
        generation = _write(
            store, db, changed, parsed, removed, name_problems, seconds, first, parsing
        )
    return Refresh(
        len(changed), len(removed), time.perf_counter() - started, generation, tuple(sorted(fresh))
    )


def _write(
    store: Store,
    db: sqlite3.Connection,
    changed: list[jekyll_files.SourceFile],
    parsed: Iterable[_Rows],
    removed: list[str],
    name_problems: list[Problem] | None,
    dated: dict[str, int],
    cold: int | None,
    parsing: _Parsing,
) -> int:
    """Apply a refresh in one transaction, parsing as it goes; readers see all or nothing.

    ``dated``: each changed or removed path → the second that dates its change. ``cold``: on
    the first fill, the newest second on the disk, which every scope is stamped with.
    ``parsing``: with :attr:`_Parsing.words`, the posts parsed come with their words, and
    every post is given its words and grams (:mod:`feeds.index.search`); without, they are
    inserted without them, until a refresh that needs them.
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
            shared = {
                str(u)
                for (p,) in gone
                for (u,) in db.execute("SELECT url FROM posts WHERE path = ?", (p,))
            }
            delta: dict[tuple[str, str], int] = {}
            for (p,) in gone:
                _fold(
                    delta,
                    db.execute(
                        "SELECT m.kind, m.slug, p.mark FROM posts p JOIN members m ON m.path = p.path"
                        " WHERE p.path = ?",
                        (p,),
                    ),
                )
            added: list[str] = []
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
            db.executemany(
                "INSERT INTO files VALUES (?, ?, ?)",
                ((f.path, f.size, f.mtime_ns) for f in changed),
            )
            for batch in _batched(parsed, 64):
                posts = [post for post, _, _, _ in batch if post is not None]
                touched += len(posts)
                added += (row.path for row in posts)
                db.executemany(
                    "INSERT INTO problems VALUES (?, ?, ?, ?)",
                    [p for _, _, problems, _ in batch for p in problems],
                )
                db.executemany(
                    f"INSERT INTO posts ({POST_COLUMNS}) VALUES ({', '.join('?' * len(POST_COLUMNS.split(', ')))})",
                    posts,
                )
                search.insert(
                    db,
                    [
                        (
                            db.execute(
                                "SELECT id FROM posts WHERE path = ?", (post.path,)
                            ).fetchone()[0],
                            words,
                        )
                        for post, _, _, words in batch
                        if post is not None and words is not None
                    ],
                )
                shared.update(row.url for row in posts)
                rows = [m for _, found, _, _ in batch for m in found]
                db.executemany("INSERT INTO members VALUES (?, ?, ?, ?, ?)", rows)
                if record:  # the first fill stamps every scope at once, below
                    for m in rows:
                        touch([(m.kind, m.slug)], dated[m.path])
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
                _mark(db, delta, added, shared)
            else:
                if cold is not None:
                    db.execute(
                        "INSERT OR REPLACE INTO stamps SELECT DISTINCT kind, slug, ? FROM members",
                        (cold,),
                    )
                _mark_all(db)
            if name_problems is not None:
                # misnamed files are not in `files`: a full scan replaces their warnings
                db.execute("DELETE FROM problems WHERE path NOT IN (SELECT path FROM files)")
                db.executemany(
                    "INSERT INTO problems VALUES (?, ?, ?, ?)",
                    ((p.path, p.line, p.level, p.message) for p in name_problems),
                )
            if parsing.words:
                search.complete(db, parsing.rules, parsing.jobs)
                search.catch_up(db)
            elif touched:
                search.left_out(db)
            if gone or touched:
                db.execute("UPDATE meta SET value = ? WHERE key = 'generation'", (str(generation),))
                marks.prune(db, generation)
            else:
                generation -= 1
    finally:
        db.execute("PRAGMA cache_size = -2000")
    return generation


def _mark(
    db: sqlite3.Connection, delta: dict[tuple[str, str], int], added: list[str], shared: set[str]
) -> None:
    """Mark the posts ``added`` and those sharing a permalink in ``shared`` (their entry id may
    have changed), and fold ``delta`` (the marks of posts gone) and the marks' changes into the
    digests of their scopes."""
    paths = set(added) | {
        str(p) for u in shared for (p,) in db.execute("SELECT path FROM posts WHERE url = ?", (u,))
    }
    marks = []
    for path in paths:
        row = db.execute(
            f"SELECT p.mark, {_MARK_COLUMNS} FROM posts p JOIN files f ON f.path = p.path"
            " WHERE p.path = ?",
            (path,),
        ).fetchone()
        old, new = row[0], _hash(*row[1:])
        if old != new:
            marks.append((new, path))
            _fold(
                delta,
                (
                    (k, s, old ^ new)
                    for k, s in db.execute("SELECT kind, slug FROM members WHERE path = ?", (path,))
                ),
            )
    db.executemany("UPDATE posts SET mark = ? WHERE path = ?", marks)
    for (kind, slug), d in delta.items():
        row = db.execute(
            "SELECT digest FROM digests WHERE kind = ? AND slug = ?", (kind, slug)
        ).fetchone()
        digest = (row[0] if row else 0) ^ d
        if digest:
            db.execute("INSERT OR REPLACE INTO digests VALUES (?, ?, ?)", (kind, slug, digest))
        else:
            db.execute("DELETE FROM digests WHERE kind = ? AND slug = ?", (kind, slug))


def _mark_all(db: sqlite3.Connection) -> None:
    """Mark every post and compute every digest afresh (the first fill: one pass, no lookups)."""
    marks = {
        str(row[0]): _hash(*row)
        for row in db.execute(
            f"SELECT {_MARK_COLUMNS} FROM posts p JOIN files f ON f.path = p.path"
        )
    }
    db.executemany("UPDATE posts SET mark = ? WHERE path = ?", ((m, p) for p, m in marks.items()))
    digests: dict[tuple[str, str], int] = {}
    _fold(
        digests,
        ((k, s, marks[p]) for k, s, p in db.execute("SELECT kind, slug, path FROM members")),
    )
    db.execute("DELETE FROM digests")
    db.executemany(
        "INSERT INTO digests VALUES (?, ?, ?)", ((k, s, d) for (k, s), d in digests.items() if d)
    )


#: What a post's mark is made of: its file's path, size and mtime, and whether it shares its
#: permalink with a post earlier by path (then its entry id is another).
_MARK_COLUMNS = "p.path, f.size, f.mtime_ns, EXISTS (SELECT 1 FROM posts q WHERE q.url = p.url AND q.path < p.path)"


def _hash(path: str, size: int, mtime_ns: int, shares_url: int) -> int:
    """A post's mark: 64 bits, signed as SQLite stores them."""
    text = f"{path}\0{size}\0{mtime_ns}\0{shares_url}".encode("utf-8", "surrogateescape")
    return int.from_bytes(hashlib.blake2b(text, digest_size=8).digest(), "big", signed=True)


def _fold(into: dict[tuple[str, str], int], marks: Iterable[tuple[str, str, int]]) -> None:
    for kind, slug, mark in marks:
        into[(kind, slug)] = into.get((kind, slug), 0) ^ mark


#: What one file gives the index, as rows (tuples, cheap to send back from a worker): its
#: ``posts`` row (``None``: no post), its ``members`` rows and its ``problems`` rows.
_Rows = tuple[
    PostRow | None, list[MemberRow], list[tuple[str, int, str, str]], search.Prepared | None
]


@dataclass(frozen=True, slots=True)
class _Parsing:
    """How a worker parses each file of a refresh."""

    rules: jekyll_posts.Rules
    #: Take each post's words for keyword search too.
    words: bool
    #: Processes to parse on.
    jobs: int


def _rows(file: jekyll_files.SourceFile, parsing: _Parsing) -> _Rows:
    """Parse one file into the rows to insert: the work of a pool worker, so that the process
    writing the index only inserts."""
    parsed = jekyll_posts.parse(file, parsing.rules, words=parsing.words)
    problems = [(p.path, p.line, p.level, p.message) for p in parsed.problems]
    words = search.Prepared(parsed) if parsing.words else None
    if parsed.post is None:
        return None, [], problems, words
    return to_row(parsed.post), list(members(parsed.post)), problems, words


#: Makes an insert into ``versions`` raise the scope's version instead.
_BUMP = " ON CONFLICT (kind, slug) DO UPDATE SET generation = excluded.generation"


def _batched(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """``itertools.batched`` (Python 3.12) for 3.11."""
    it = iter(items)
    while batch := list(itertools.islice(it, size)):
        yield batch
