"""The keyword search index: every post's words, findable by any one or two characters.

Two tables. ``words`` holds each post's :func:`feeds.search.searchable` text, zlib-compressed
(Chinese text is half its UTF-8 size then): what queries are checked against and filters
(:mod:`feeds.filters`) look through. ``grams`` is a contentless FTS5 table (no positions:
``detail=none``) whose one column lists, per post, every character and pair of adjacent
characters of that text, as tokens of FTS5's ``ascii`` tokenizer (see :func:`_own` and
:func:`_stream`). A term of one or two characters is then one exact token: ``锂`` and ``蔚来``
find every post containing them, with no word segmentation to get wrong. A longer term is every
pair it is made of, and the candidates are checked against ``words``. Measured against FTS5's
own trigram tokenizer on 10,000 Chinese posts (docs/decisions.md): trigram cannot look up
terms under three characters at all, took five times as long to fill and seven times the space.

``grams`` is made from ``words`` by :func:`catch_up`, which a refresh runs unless told not
to: an export needs no keyword search, and its cold fill costs half as much without. Every post
whose id is at most the ``grams`` mark in ``meta`` has its grams; a query checks the posts
above it against their text (:func:`scan`), so it finds the same posts either way, only slower.

A contentless table deletes a row only given the tokens it was inserted with: they are made
again from ``words``, by the same :func:`_stream`.
"""

from __future__ import annotations

import functools
import json
import re
import sqlite3
import sys
import zlib
from array import array
from collections.abc import Callable, Iterable, Sequence

from ..filters import Entry
from ..jekyll import posts as jekyll_posts
from ..search import Query, searchable
from .schema import names

SCHEMA = """
-- each post's searchable text (feeds.search.searchable), zlib-compressed; id is posts.id
CREATE TABLE words (id INTEGER PRIMARY KEY, text BLOB NOT NULL);
-- each post's characters and character pairs (search.py); rowid is posts.id
CREATE VIRTUAL TABLE grams USING fts5(g, content='', detail=none, tokenize='ascii');
-- every post whose id is at most this has its grams (catch_up)
INSERT INTO meta VALUES ('grams', '0');
"""


class Prepared:
    """What a parsed file's post adds to ``words``, made on the parsing cores."""

    __slots__ = ("compressed",)

    def __init__(self, parsed: jekyll_posts.Parsed) -> None:
        text = searchable(parsed.post.title, parsed.text) if parsed.post else ""
        self.compressed = (
            zlib.compress(text.encode("utf-8", "surrogatepass"), 1) if parsed.post else b""
        )


def insert(db: sqlite3.Connection, rows: Iterable[tuple[int, Prepared]]) -> None:
    """Add the words of posts just inserted with these ids (their grams: :func:`catch_up`)."""
    db.executemany("INSERT INTO words VALUES (?, ?)", ((i, p.compressed) for i, p in rows))


def catch_up(db: sqlite3.Connection) -> None:
    """Give each post above the ``grams`` mark its grams, then raise the mark past every post
    id there has been. In the writing process, a batch at a time: a cold fill's whole cost
    of keyword search, about half a millisecond of CPU per post."""
    upto = _upto(db)
    rows = db.execute("SELECT id, text FROM words WHERE id > ? ORDER BY id", (upto,))
    while batch := rows.fetchmany(64):
        db.executemany(
            "INSERT INTO grams (rowid, g) VALUES (?, ?)",
            [(i, _stream(_text(blob).lower())) for i, blob in batch],
        )
    db.execute(
        "UPDATE meta SET value ="
        " MAX(?, IFNULL((SELECT seq FROM sqlite_sequence WHERE name = 'posts'), 0))"
        " WHERE key = 'grams'",
        (upto,),
    )


def delete(db: sqlite3.Connection, ids: Iterable[int]) -> None:
    """Remove the search rows of the posts with these ids (before their rows go)."""
    upto = _upto(db)
    for i in ids:
        row = db.execute("SELECT text FROM words WHERE id = ?", (i,)).fetchone()
        if row is not None:
            if i <= upto:
                db.execute(
                    "INSERT INTO grams (grams, rowid, g) VALUES ('delete', ?, ?)",
                    (i, _stream(_text(row[0]).lower())),
                )
            db.execute("DELETE FROM words WHERE id = ?", (i,))


#: Most posts one scan reads, newest first, after the index narrowed them. A post whose text a
#: check reads costs 50 to 100 µs (decompressing it is most of that), so a question that almost
#: no post answers stops after about 100 to 200 ms of work instead of reading a 100,000-post
#: history for 10 s on every request (docs/decisions.md).
BUDGET = 2_000


def _upto(db: sqlite3.Connection) -> int:
    """The ``grams`` mark: every post whose id is at most this has its grams."""
    return int(db.execute("SELECT value FROM meta WHERE key = 'grams'").fetchone()[0])


def scan(
    db: sqlite3.Connection,
    ts: int,
    limit: int,
    *,
    since: int = 0,
    query: Query | None = None,
    within: Sequence[Sequence[tuple[str, str]]] = (),
    accept: Callable[[Entry], bool] | None = None,
    contains: Sequence[Sequence[str]] = (),
    budget: int = BUDGET,
) -> tuple[list[int], bool]:
    """Ids of the newest ``limit`` posts published in [``since``, ``ts``] (microseconds) that
    answer ``query``, are in one scope (kind, slug) of each group of ``within`` and that
    ``accept`` takes: newest first, ties by path; and whether the scan was whole (it did not
    stop at ``budget`` posts read). The index narrows the posts by time, words, scopes and
    ``contains`` (folded words, one of each group in the post: what ``accept`` needs, if
    known); the rest are read newest first until the feed is full or the budget spent. Posts
    without grams yet (above the mark, see :func:`catch_up`) are all candidates, checked
    against their text."""
    where, params = ["p.ts <= ?", "p.ts >= ?"], list[object]([ts, since])
    check = False
    upto = _upto(db)
    # Posts above the mark have no grams yet: each is a candidate, checked against its text
    # (the slower SQL is kept to when such posts exist).
    pending = db.execute("SELECT 1 FROM posts WHERE id > ?", (upto,)).fetchone() is not None

    def holding(match: str) -> None:
        where.append(f"({_WORDS} OR p.id > ?)" if pending else _WORDS)
        params.extend([match, upto] if pending else [match])

    if query is not None:
        match = " AND ".join(f"({_tokens(t)})" for t in query.include)
        exact = [t for t in query.exclude if _exact(t)]
        if exact:
            match = f"({match})" + "".join(f" NOT {_tokens(t)}" for t in exact)
        holding(match)
        # Short included terms are found exactly by their token; anything else needs the text.
        check = any(not _exact(t) for t in (*query.include, *query.exclude))
    for words in contains:
        holding(" OR ".join(f"({_tokens(w)})" for w in words))
    for group in within:
        where.append(
            "p.path IN (SELECT path FROM members WHERE (kind, slug) IN (VALUES "
            + ", ".join("(?, ?)" for _ in group)
            + "))"
        )
        params += [v for scope in group for v in scope]
    found: list[int] = []
    cursor = db.execute(
        f"SELECT p.id, p.title, p.authors, p.categories, w.text FROM posts p JOIN words w ON w.id = p.id"
        f" WHERE {' AND '.join(where)} ORDER BY p.ts DESC, p.path",
        params,
    )
    for read, (id_, title, authors, categories, blob) in enumerate(cursor):
        if read == budget:
            return found, False
        checked = query is not None and (check or id_ > upto)
        text = _text(blob) if checked else ""
        if checked and query is not None and not query.matches(text):
            continue
        if accept and not accept(
            Entry(
                title,
                functools.partial(_body, blob, text),
                tuple(a[0] for a in json.loads(authors)),
                names(categories),
            )
        ):
            continue
        found.append(int(id_))
        if len(found) == limit:
            break
    return found, True


#: The posts holding what a ``grams`` query asks for. The ``+`` keeps SQLite from fetching every
#: post a common word is in to sort them (0.8 s at 100,000 posts): it walks ``posts`` newest
#: first, or a scope's members, looking each post up in the set (25 ms for the whole walk).
_WORDS = "+p.id IN (SELECT rowid FROM grams WHERE grams MATCH ?)"


def _body(blob: bytes, text: str) -> str:
    """The plain text of a post whose searchable text is ``text`` (if read) or ``blob``."""
    return (text or _text(blob)).partition("\n")[2]


def _exact(term: str) -> bool:
    return len(term) <= 2 and " " not in term


def _tokens(term: str) -> str:
    """The FTS5 query that finds every post containing ``term``: its token, or every pair's."""
    if _exact(term):
        return _quoted(_own(term))
    grams = set(_stream(term).split())
    pairs = [g for g in grams if len(g) == 2]
    return " AND ".join(map(_quoted, sorted(pairs or grams)))


def _stream(text: str) -> str:
    """The tokens of a folded searchable text: each character, then each pair of adjacent
    characters, repeats included. A pair across white space is cut by the tokenizer to the
    character beside it, so no token holds white space (no term does, but inside a phrase,
    which is checked against the text).

    Made without a Python object per character: the text's code points are laid out with a
    space after each character (and after every second, from the first and from the second) by
    slicing arrays, and FTS5 drops the repeated tokens in C. A set of the distinct tokens,
    built in Python, cost twice the CPU of this and of inserting it together
    (docs/decisions.md)."""
    codes = array("I")
    codes.frombytes(_own(text).encode(_UTF32))
    n = len(codes)
    half, rest = n // 2, (n - 1) // 2
    out = array("I", [ord(" ")]) * (2 * n + 3 * half + 3 * rest)
    out[0 : 2 * n : 2] = codes
    for start, at, count in ((0, 2 * n, half), (1, 2 * n + 3 * half, rest)):
        out[at : at + 3 * count : 3] = codes[start : start + 2 * count : 2]
        out[at + 1 : at + 3 * count : 3] = codes[start + 1 : start + 2 * count : 2]
    return out.tobytes().decode(_UTF32)


#: Code points as ``array("I")`` holds them (4 bytes each, in this machine's byte order).
_UTF32 = f"utf-32-{sys.byteorder[0]}e"


def _quoted(token: str) -> str:
    return f'"{token}"'


def _own(text: str) -> str:
    """``text`` with ASCII punctuation moved to the private use plane: FTS5's ``ascii``
    tokenizer takes every other character (all of Chinese) as part of a token, so every
    character and pair is then one token, and no FTS5 query syntax can occur in one."""
    return _PUNCTUATION.sub(lambda m: chr(0xF0000 + ord(m.group())), text)


#: ASCII punctuation (rare in Chinese text: a regex passes over the rest faster than translate).
_PUNCTUATION = re.compile(r"[!-/:-@\[-`{-~]")


def _text(blob: bytes) -> str:
    return zlib.decompress(blob).decode("utf-8", "surrogatepass")
