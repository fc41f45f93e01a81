"""Each scope's digest: the XOR of a mark per post, a hash of what its entry depends on (the
file's path, size and modification time, and whether an earlier post shares its permalink).

Two index files over the same files hold the same digests, so hosts with an index each agree on
cache keys; XOR lets a refresh update a digest from the posts it touched alone. The worker
that parses a post marks it as if no other post shared its permalink (:func:`mark`); the
writer marks again the few that do (:func:`update`).
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Iterable


def update(db: sqlite3.Connection, delta: dict[tuple[str, str], int], shared: set[str]) -> None:
    """Mark again the posts whose permalink is one of ``shared`` (their entry id may have
    changed: the marks the workers gave say none shares one), and fold ``delta`` (the marks of
    posts gone and added) and the marks' changes into the digests of their scopes."""
    marks = []
    for u in shared:
        for row in db.execute(
            f"SELECT p.mark, {_MARK_COLUMNS} FROM posts p JOIN files f ON f.path = p.path"
            " WHERE p.url = ?",
            (u,),
        ).fetchall():
            old, new, path = row[0], mark(*row[1:]), row[1]
            if old != new:
                marks.append((new, path))
                fold(
                    delta,
                    (
                        (k, s, old ^ new)
                        for k, s in db.execute(
                            "SELECT kind, slug FROM members WHERE path = ?", (path,)
                        )
                    ),
                )
    db.executemany("UPDATE posts SET mark = ? WHERE path = ?", marks)
    # XOR, which SQLite spells (a | b) & ~(a & b); a scope whose digest is 0 has no row.
    db.executemany(
        "INSERT INTO digests VALUES (?, ?, ?) ON CONFLICT (kind, slug)"
        " DO UPDATE SET digest = (digest | excluded.digest) & ~(digest & excluded.digest)",
        ((k, s, d) for (k, s), d in delta.items() if d),
    )
    db.execute("DELETE FROM digests WHERE digest = 0")


#: What a post's mark is made of: its file's path, size and mtime, and whether it shares its
#: permalink with a post earlier by path (then its entry id is another).
_MARK_COLUMNS = "p.path, f.size, f.mtime_ns, EXISTS (SELECT 1 FROM posts q WHERE q.url = p.url AND q.path < p.path)"


def mark(path: str, size: int, mtime_ns: int, shares_url: int) -> int:
    """A post's mark: 64 bits, signed as SQLite stores them."""
    text = f"{path}\0{size}\0{mtime_ns}\0{shares_url}".encode("utf-8", "surrogateescape")
    return int.from_bytes(hashlib.blake2b(text, digest_size=8).digest(), "big", signed=True)


def fold(into: dict[tuple[str, str], int], marks: Iterable[tuple[str, str, int]]) -> None:
    """XOR each (kind, slug, mark) into its scope's entry of ``into``."""
    for kind, slug, value in marks:
        into[(kind, slug)] = into.get((kind, slug), 0) ^ value
