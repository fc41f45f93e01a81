"""The posts' searchable texts, the ``words`` table, and the posts that lack them.

Each row is a post's :func:`feeds.search.searchable` text as UTF-8, zstd-compressed (Chinese
text is a third of its UTF-8 size then, and reads back four times as fast as with zlib): what
queries are checked against, what filters look through and what the grams are made of
(:mod:`feeds.index.search`). A refresh without search leaves them out (a third of parsing a
post, and an export without saved searches reads none), and records it; the next refresh with
search reads them for every post that lacks them (:func:`complete`), before any grams.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterable
from pathlib import Path

import zstandard

from .. import parallel
from ..errors import ParseError
from ..jekyll import files as jekyll_files
from ..jekyll.bodytext import body_text
from ..jekyll.frontmatter import decode
from ..search import searchable


def packed(title: str, text: str) -> bytes:
    """What ``words`` keeps of a post with this title whose body's words (folded, as
    :attr:`feeds.jekyll.posts.Parsed.text`) are ``text``: made on the parsing cores."""
    # The body's words are folded already: searchable() would split and join them again.
    return _packed(searchable(title, "") + text)


def insert(db: sqlite3.Connection, rows: Iterable[tuple[int, bytes]]) -> None:
    """Add the words (:func:`packed`) of posts just inserted with these ids (their
    grams: :func:`catch_up`)."""
    db.executemany("INSERT INTO words VALUES (?, ?)", rows)


def left_out(db: sqlite3.Connection) -> None:
    """Record that posts were just inserted without their words (:func:`complete`)."""
    db.execute("UPDATE meta SET value = 'some' WHERE key = 'words'")


def whole(db: sqlite3.Connection) -> bool:
    """Whether every post has its words (no refresh without search added one since the last
    :func:`complete`)."""
    return bool(db.execute("SELECT value FROM meta WHERE key = 'words'").fetchone()[0] == "all")


def complete(db: sqlite3.Connection, root: Path, jobs: int) -> int:
    """Give each post that a refresh without search left without words its words, reading
    its file under ``root`` again on every core; how many. An export without saved searches
    needs no words, which are a third of what parsing a post costs; the first refresh that
    needs them (the service's, or an export with saved searches) pays for them here, once, in
    its own transaction, before :func:`catch_up` makes their grams.

    A post whose file changed or vanished since it was parsed is left without (its words would
    be another file's), and the flag stays: the refresh that sees the change parses it again."""
    if whole(db):
        return 0
    rows = db.execute(
        "SELECT p.id, p.path, p.title, f.size, f.mtime_ns FROM posts p"
        " JOIN files f ON f.path = p.path"
        " WHERE NOT EXISTS (SELECT 1 FROM words w WHERE w.id = p.id) ORDER BY p.id"
    ).fetchall()
    found = [
        (row[0], words)
        for row, words in zip(rows, parallel.map_ordered(_words_of, rows, root, jobs))
        if words is not None
    ]
    insert(db, found)
    if len(found) == len(rows):
        db.execute("UPDATE meta SET value = 'all' WHERE key = 'words'")
    return len(found)


def _words_of(post: tuple[int, str, str, int, int], root: Path) -> bytes | None:
    """The words (:func:`packed`) of a post (id, path, title, and its file's size
    and mtime when parsed) read from its file under ``root``, or ``None`` if the file is not
    that one any more: a pool worker's part of :func:`complete`. The title is the post's, so
    only the body is read (half what parsing the file again costs), as a fill reads it."""
    _, path, title, size, mtime_ns = post
    try:
        found = os.stat(root / path, follow_symlinks=False)
        if (found.st_size, found.st_mtime_ns) != (size, mtime_ns):
            return None
        raw = jekyll_files.read(root / path)
        if len(raw) != size:
            return None
        return packed(title, body_text(decode(raw)))
    except (OSError, ParseError):
        return None


def _packed(text: str) -> bytes:
    """What ``words`` keeps of a searchable text: its UTF-8, zstd-compressed."""
    return zstandard.compress(text.encode("utf-8", "surrogatepass"), 3)
