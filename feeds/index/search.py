"""The keyword search index: every post's words, findable by any one or two characters.

Two tables. ``words`` holds each post's :func:`feeds.search.searchable` text as UTF-8,
zstd-compressed (Chinese text is a third of its UTF-8 size then, and reads back four times as
fast as with zlib): what queries are checked against and filters (:mod:`feeds.filters`) look
through. ``grams`` is a contentless FTS5 table (no positions:
``detail=none``) whose one column lists, per post, every character and pair of adjacent
characters of that text, as tokens of FTS5's ``ascii`` tokenizer (see
:mod:`feeds.index.grams`). A term of one or two characters is then one exact token: ``锂`` and ``蔚来``
find every post containing them, with no word segmentation to get wrong. A longer term is every
pair it is made of, and the candidates are checked against ``words``. Measured against FTS5's
own trigram tokenizer on 10,000 Chinese posts (docs/decisions.md): trigram cannot look up
terms under three characters at all, took five times as long to fill and seven times the space.

``grams`` is made from ``words`` by :func:`catch_up`, which a refresh runs unless told not
to: an export needs no keyword search, and its cold fill costs half as much without. Every post
whose id is at most the ``grams`` mark in ``meta`` has its grams; a query checks the posts
above it against their text (:func:`scan`), so it finds the same posts either way, only slower.
A refresh told not to leaves out ``words`` too, and :func:`feeds.index.texts.complete` adds
them, before any grams, in the next refresh that needs them; until then no query finds those posts.

A contentless table deletes a row only given the tokens it was inserted with: they are made
again from ``words``, by the same :func:`feeds.index.grams.stream`.
"""

from __future__ import annotations

import functools
import heapq
import json
import sqlite3
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence

import zstandard

from ..filters import Entry
from ..search import Query
from . import grams
from .schema import author_names, names

SCHEMA = """
-- each post's searchable text (feeds.search.searchable), UTF-8 zstd-compressed; id is posts.id
CREATE TABLE words (id INTEGER PRIMARY KEY, text BLOB NOT NULL);
-- each post's characters and character pairs (search.py); rowid is posts.id
CREATE VIRTUAL TABLE grams USING fts5(g, content='', detail=none, tokenize='ascii');
-- every post whose id is at most this has its grams (catch_up)
INSERT INTO meta VALUES ('grams', '0');
-- 'all' while every post has its words; 'some' once a refresh without search added posts
-- without them, until complete() gives them theirs
INSERT INTO meta VALUES ('words', 'all');
"""


def catch_up(db: sqlite3.Connection) -> None:
    """Give each post above the ``grams`` mark its grams, then raise the mark past every post
    id there has been. In the writing process, a batch at a time: a cold fill's whole cost
    of keyword search, about half a millisecond of CPU per post."""
    upto = _upto(db)
    texts = _Texts(db)
    rows = db.execute("SELECT id, text FROM words WHERE id > ? ORDER BY id", (upto,))
    while batch := rows.fetchmany(64):
        db.executemany(
            "INSERT INTO grams (rowid, g) VALUES (?, ?)",
            [(i, grams.stream(texts.folded(blob))) for i, blob in batch],
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
    texts = _Texts(db)
    for i in ids:
        row = db.execute("SELECT text FROM words WHERE id = ?", (i,)).fetchone()
        if row is not None:
            if i <= upto:
                db.execute(
                    "INSERT INTO grams (grams, rowid, g) VALUES ('delete', ?, ?)",
                    (i, grams.stream(texts.folded(row[0]))),
                )
            db.execute("DELETE FROM words WHERE id = ?", (i,))


#: Most posts one scan reads, newest first, after the index narrowed them. A post whose text a
#: check reads costs 30 to 50 µs (decompressing it is half of that), so a question that almost
#: no post answers stops after about 100 ms of work instead of reading a 100,000-post history
#: for seconds on every request (docs/decisions.md).
BUDGET = 2_000
#: How many ids of the posts holding a scan's words are read at first. Words in at most this
#: many posts are read whole, and the scan reads just those posts, sorted newest first; the
#: posts holding commoner words are read from the newest id down only as far as the scan goes
#: (:class:`_Holding`).
FEW = 4_096


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
    few: int = FEW,
) -> tuple[list[int], bool]:
    """Ids of the newest ``limit`` posts published in [``since``, ``ts``] (microseconds) that
    answer ``query``, are in one scope (kind, slug) of each group of ``within`` and that
    ``accept`` takes: newest first, ties by path; and whether the scan was whole (it did not
    stop at ``budget`` posts read). The index narrows the posts by time, words, scopes and
    ``contains`` (folded words, one of each group in the post: what ``accept`` needs, if
    known); the rest are read newest first until the feed is full or the budget spent. Posts
    without grams yet (above the mark, see :func:`catch_up`) are all candidates, checked
    against their text.

    The posts come in order without sorting the scope (:func:`_candidates`; ``few``:
    :data:`FEW`). A post's text is read only for a check that needs it.
    """
    upto = _upto(db)
    # Posts above the mark have no grams yet: each is a candidate, checked against its text.
    pending = db.execute("SELECT 1 FROM posts WHERE id > ?", (upto,)).fetchone() is not None
    match = _match(query, contains)
    holding = _Holding(db, match, upto, few) if match else None
    rows = _candidates(db, holding, pending, [list(g) for g in within], ts, since)
    # Short included terms are found exactly by their token; anything else needs the text.
    check = query is not None and any(not grams.exact(t) for t in (*query.include, *query.exclude))
    answers = query.in_utf8() if query is not None else None
    texts = _Texts(db)
    found: list[int] = []
    read = 0
    for _, _, id_, title, authors, categories in rows:
        if read == budget:
            return found, False
        read += 1
        raw = b""
        if answers is not None and (check or id_ > upto):
            raw = texts.utf8(id_)
            if not answers(raw):
                continue
        if accept and not accept(
            Entry(
                title,
                functools.partial(texts.body, id_, raw),
                functools.partial(author_names, authors),
                names(categories),
            )
        ):
            continue
        found.append(int(id_))
        if len(found) == limit:
            break
    return found, True


#: A row of a scan's candidates: ts, path, id, title, authors, categories.
_Row = tuple[int, str, int, str, str, str]


def _candidates(
    db: sqlite3.Connection,
    holding: _Holding | None,
    pending: bool,
    groups: Sequence[Sequence[tuple[str, str]]],
    ts: int,
    since: int,
) -> Iterator[_Row]:
    """The posts published in [``since``, ``ts``] that are in a scope of each group and whose
    grams answer ``holding``'s query (every post, without one; with posts above the grams
    mark, ``pending``, those too): newest first, ties by path, once each.

    They come from a walk through the ``members`` key of the first group's scopes (the
    site's, without groups), which stops where the scan does. When the first read of the
    holding ids had them all, only those posts are read, sorted, instead (a rare word: the
    walk would pass every other post on its way to them). A walk that has gone twice as many
    posts as that first read, finding the words in under a quarter of them, reads the rest
    of the ids (up to four times the first read) and, if that was all, goes on with just
    their posts after where it is: a word's posts that few of the newest hold are cheaper
    sorted than walked to, which is what a four-character term whose pairs are common, or a
    filter rejecting most of what it looks at, needs."""
    if holding is not None and not pending and holding.low == 0:
        yield from _holders(db, holding.ids, ts, since, groups)
        return
    walked = seen = 0
    for row in _walk(db, groups[0] if groups else [("site", "")], groups[1:], ts, since):
        if holding is None:
            yield row
            continue
        walked += 1
        if row[2] in holding:
            seen += 1
            yield row
        if (
            walked == 2 * holding.first
            and not pending
            and seen * 4 < walked
            and holding.read_all(4 * holding.first)
        ):
            yield from _holders(db, holding.ids, ts, since, groups, after=row[:2])
            return


class _Holding:
    """The ids of the posts whose grams answer an FTS5 query, read from the highest id down as
    far as a scan asks (``step`` at first, four times more each time after). A scan goes
    newest first and ids mostly follow dates, so a common word costs the few thousand newest
    ids, not every post's: making SQLite's own set of them for an ``IN`` cost 15 to 20 ms at
    100,000 posts, and asking FTS5 about one row at a time 2 ms a row. Posts above the grams
    mark have no grams and are all taken."""

    def __init__(self, db: sqlite3.Connection, match: str, upto: int, step: int) -> None:
        self.db, self.match, self.upto, self.step = db, match, upto, step
        #: How many ids the first read asked for.
        self.first = step
        self.ids: set[int] = set()
        #: Every holding id from this up to the mark is in :attr:`ids` (0: every one).
        self.low = upto + 1
        self._more()

    def __contains__(self, id_: int) -> bool:
        if id_ > self.upto:
            return True
        while id_ < self.low:
            self._more()
        return id_ in self.ids

    def read_all(self, most: int) -> bool:
        """Read on, to ``most`` ids in all at the most; whether that was every one."""
        if self.low > 0 and len(self.ids) < most:
            self._more(most - len(self.ids))
        return self.low == 0

    def _more(self, step: int = 0) -> None:
        """Read the next ``step`` ids down (0: the next of the growing steps)."""
        if not step:
            step, self.step = self.step, self.step * 4
        rows = self.db.execute(
            "SELECT rowid FROM grams WHERE grams MATCH ? AND rowid < ? ORDER BY rowid DESC LIMIT ?",
            (self.match, self.low, step),
        ).fetchall()
        self.ids.update(i for (i,) in rows)
        self.low = rows[-1][0] if len(rows) == step else 0


def _walk(
    db: sqlite3.Connection,
    drive: Sequence[tuple[str, str]],
    others: Sequence[Sequence[tuple[str, str]]],
    ts: int,
    since: int,
) -> Iterator[_Row]:
    """The row of each post of a scope of ``drive`` published in
    [``since``, ``ts``] that is in a scope of each group of ``others``: newest first, ties by
    path, once each. Each scope's posts come in that order from the ``members`` key and
    several scopes' are merged here, so nothing is sorted and the walk reads only as far as
    the scan goes: fetching and sorting every post of three large categories to show 50 of
    them cost 80 to 150 ms at 100,000 posts."""
    inside, params = _in_groups("m.path", others)
    sql = (
        "SELECT m.ts, m.path, p.id, p.title, p.authors, p.categories"
        " FROM members m JOIN posts p ON p.path = m.path"
        f" WHERE m.kind = ? AND m.slug = ? AND m.ts <= ? AND m.ts >= ?{inside}"
        " ORDER BY m.ts DESC, m.path"
    )
    cursors = [db.execute(sql, (kind, slug, ts, since, *params)) for kind, slug in drive]
    rows: Iterable[_Row] = (
        cursors[0] if len(cursors) == 1 else heapq.merge(*cursors, key=lambda r: (-r[0], r[1]))
    )
    last = ""
    for row in rows:
        if row[1] != last:  # a post in two of the scopes comes from both, one after the other
            last = row[1]
            yield row


def _holders(
    db: sqlite3.Connection,
    ids: Collection[int],
    ts: int,
    since: int,
    groups: Sequence[Sequence[tuple[str, str]]],
    after: tuple[int, str] | None = None,
) -> Iterable[_Row]:
    """What :func:`_walk` gives, of just the posts with these ids (a few thousand at most):
    those published in [``since``, ``ts``] that are in a scope of each group (and come after
    the post at ``after``, ts and path, in a feed), sorted."""
    inside, params = _in_groups("p.path", groups)
    if after is not None:
        inside += " AND (p.ts < ? OR (p.ts = ? AND p.path > ?))"
        params += [after[0], *after]
    return db.execute(
        "SELECT p.ts, p.path, p.id, p.title, p.authors, p.categories FROM posts p"
        " WHERE p.id IN (SELECT value FROM json_each(?)) AND p.ts <= ? AND p.ts >= ?"
        f"{inside} ORDER BY p.ts DESC, p.path",
        (json.dumps(list(ids)), ts, since, *params),
    )


def _in_groups(path: str, groups: Sequence[Sequence[tuple[str, str]]]) -> tuple[str, list[object]]:
    """SQL (and its parameters) that keeps the post at ``path`` (a column) when it is in a
    scope of each group: ``members`` by path, one post's few rows."""
    sql = "".join(
        f" AND EXISTS (SELECT 1 FROM members x WHERE x.path = {path} AND (x.kind, x.slug) IN"
        " (VALUES " + ", ".join("(?, ?)" for _ in group) + "))"
        for group in groups
    )
    return sql, [v for group in groups for scope in group for v in scope]


def _match(query: Query | None, contains: Sequence[Sequence[str]]) -> str:
    """The FTS5 query for the posts that may answer ``query`` and hold a word of each group of
    ``contains`` (empty: nothing to look up)."""
    parts = []
    if query is not None:
        words = " AND ".join(f"({grams.query(t)})" for t in query.include)
        parts.append(
            f"({words})"
            + "".join(f" NOT {grams.query(t)}" for t in query.exclude if grams.exact(t))
        )
    parts += [" OR ".join(f"({grams.query(w)})" for w in words) for words in contains]
    return " AND ".join(f"({p})" for p in parts)


class _Texts:
    """Reads the posts' searchable texts, on one thread: a zstd context serves one thread at a
    time, and making one per text cost a fifth of reading it."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db
        self.unpack = zstandard.ZstdDecompressor().decompress

    def utf8(self, id_: int) -> bytes:
        """The searchable text of the post with this id, as UTF-8."""
        row = self.db.execute("SELECT text FROM words WHERE id = ?", (id_,)).fetchone()
        # None: a post another process's refresh added without words, until complete() runs.
        return self.unpack(row[0]) if row else b""

    def body(self, id_: int, raw: bytes) -> bytes:
        """The plain text of the post with this id, as UTF-8, from its searchable text ``raw``
        if read (else read now): what follows the title's line."""
        return (raw or self.utf8(id_)).partition(b"\n")[2]

    def folded(self, blob: bytes) -> str:
        """The searchable text a ``words`` row keeps, folded: what its grams are made of."""
        return self.unpack(blob).decode("utf-8", "surrogatepass").lower()
