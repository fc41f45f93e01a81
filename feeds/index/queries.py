"""The read side of the index: posts, scopes, versions and problems as model types.

Every query is one statement on this thread's connection; wrap several in :meth:`snapshot`
to read one state of the index.
"""

from __future__ import annotations

import contextlib
import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Collection, Iterator, Sequence
from datetime import datetime

from ..filters import Entry
from ..model import SITE, Problem, Scope, ScopeKind
from ..search import Query
from . import search, texts
from .connection import Store
from .schema import READ_COLUMNS, ReadRow, Stored, Unrendered, from_micros, from_row, micros
from .search import BUDGET

_ORDER = {ScopeKind.SITE: 0, ScopeKind.CATEGORY: 1, ScopeKind.TAG: 2, ScopeKind.AUTHOR: 3}


def _scope(kind: str, slug: str, name: str = "") -> Scope:
    return Scope(ScopeKind(kind), slug, name)


def _counted(
    kind: str, slug: str, name: str, count: int, newest: int
) -> tuple[Scope, int, datetime]:
    return _scope(kind, slug, name), count, from_micros(newest)


#: Posts a snapshot keeps, read whole, for the next feeds that show them (:meth:`Queries.posts`).
_KEPT = 1024


class Queries:
    """Reads one index file; see :class:`feeds.index.Index`."""

    def __init__(self, store: Store) -> None:
        self.store = store
        #: This thread's posts read in its snapshot, by row id (:meth:`posts`).
        self._local = threading.local()

    @contextlib.contextmanager
    def snapshot(self) -> Iterator[int]:
        """Read in one transaction, so every query inside sees one state of the index; yields
        that state's generation. Several documents built inside agree with each other."""
        with self.store.errors():
            db = self.store.db()
            db.execute("BEGIN")
        self._local.kept = OrderedDict()
        try:
            yield self.generation
        finally:
            del self._local.kept
            db.execute("COMMIT")

    @property
    def generation(self) -> int:
        """Bumped by every refresh that changed a post; the same in every process."""
        return self.store.one(int, "SELECT value FROM meta WHERE key = 'generation'") or 0

    @property
    def searchable(self) -> bool:
        """Whether every post has its words, which keyword queries and filters read: not after
        a refresh without search added posts, until one with search gives them theirs."""
        with self.store.errors():
            return texts.whole(self.store.db())

    @property
    def identity(self) -> str:
        """Made anew with the file: a generation number means nothing across two identities."""
        return self.store.one(str, "SELECT value FROM meta WHERE key = 'identity'") or ""

    def posts(self, scope: Scope, now: datetime, limit: int) -> tuple[Stored, ...]:
        """The newest ``limit`` posts of ``scope`` published at ``now``: newest first, ties by
        path. Content not rendered yet is empty (see :mod:`feeds.rendering`).

        In a :meth:`snapshot`, where a row id is one state of a post, the last posts read are
        kept: the feeds an export builds in turn share many (a category and its tag), and
        reading a post whole (its content, tens of kilobytes) is most of reading a feed. Then
        only the ids are looked up first, and only the posts not kept are read.
        """
        where = (
            " FROM members m JOIN posts p ON p.path = m.path"
            " WHERE m.kind = ? AND m.slug = ? AND m.ts <= ? ORDER BY m.ts DESC, m.path LIMIT ?"
        )
        params = (scope.kind.value, scope.slug, micros(now), limit)
        kept: OrderedDict[int, Stored] | None = getattr(self._local, "kept", None)
        if not kept:  # outside a snapshot, or nothing kept yet: one query reads them whole
            rows = self.store.rows(ReadRow.make, f"SELECT {READ_COLUMNS}{where}", params)
            if kept is None:
                return tuple(from_row(r) for r in rows)
            ids = [r.id for r in rows]
        else:
            ids = self.store.rows(int, f"SELECT p.id{where}", params)
            missing = [i for i in ids if i not in kept]
            rows = (
                self.store.rows(
                    ReadRow.make,
                    f"SELECT {READ_COLUMNS} FROM posts p"
                    " WHERE p.id IN (SELECT value FROM json_each(?))",
                    (json.dumps(missing),),
                )
                if missing
                else []
            )
        for r in rows:
            kept[r.id] = from_row(r)
        found = tuple(kept[i] for i in ids)
        for i in ids:
            kept.move_to_end(i)
        while len(kept) > _KEPT:
            kept.popitem(last=False)
        return found

    def history(self, scope: Scope, now: datetime) -> list[tuple[str, int]]:
        """(path, mark) of every post of ``scope`` published at ``now``, oldest first, ties by
        path the other way round (the feeds' order, reversed): what RFC 5005 archive pages are
        cut from (:mod:`feeds.archives`). Marks say when a post changed."""
        return self.store.rows(
            lambda path, mark: (path, mark),
            "SELECT m.path, p.mark FROM members m JOIN posts p ON p.path = m.path"
            " WHERE m.kind = ? AND m.slug = ? AND m.ts <= ? ORDER BY m.ts, m.path DESC",
            (scope.kind.value, scope.slug, micros(now)),
        )

    def at_paths(self, paths: Sequence[str]) -> tuple[Stored, ...]:
        """The posts at ``paths``, in this order (a path with no post is left out)."""
        found = {
            r.post.path: r
            for r in self.store.rows(
                ReadRow.make,
                f"SELECT {READ_COLUMNS} FROM posts p"
                " WHERE p.path IN (SELECT value FROM json_each(?))",
                (json.dumps(list(paths)),),
            )
        }
        return tuple(from_row(found[p]) for p in paths if p in found)

    def search(self, query: Query, now: datetime, limit: int) -> tuple[Stored, ...]:
        """The newest ``limit`` posts published at ``now`` that answer ``query``, over the whole
        history: newest first, ties by path."""
        return self.select(now, limit, query=query)[0]

    def select(
        self,
        now: datetime,
        limit: int,
        *,
        query: Query | None = None,
        within: Sequence[Collection[Scope]] = (),
        since: datetime | None = None,
        accept: Callable[[Entry], bool] | None = None,
        contains: Sequence[Sequence[str]] = (),
        budget: int = BUDGET,
    ) -> tuple[tuple[Stored, ...], bool]:
        """The newest ``limit`` posts published in [``since``, ``now``] that answer ``query``, are
        in a scope of each group of ``within`` (none: every post) and that ``accept`` takes
        (holding one folded word of each group of ``contains``, a hint for the index),
        looking through the whole history: newest first, ties by path; and whether the look
        was whole, or stopped after reading ``budget`` posts (:data:`feeds.index.search.BUDGET`)."""
        groups = [[(s.kind.value, s.slug) for s in group] for group in within]
        with self.store.errors():
            ids, whole = search.scan(
                self.store.db(),
                micros(now),
                limit,
                since=micros(since) if since else 0,
                query=query,
                within=groups,
                accept=accept,
                contains=contains,
                budget=budget,
            )
        return self._by_id(ids), whole

    def _by_id(self, ids: list[int]) -> tuple[Stored, ...]:
        """The posts with these row ids, in this order."""
        found = {
            r.id: r
            for r in self.store.rows(
                ReadRow.make,
                f"SELECT {READ_COLUMNS} FROM posts p WHERE p.id IN (SELECT value FROM json_each(?))",
                (json.dumps(ids),),
            )
        }
        return tuple(from_row(found[i]) for i in ids if i in found)

    def unrendered(
        self, limit: int, now: datetime, scopes: Collection[Scope] | None = None
    ) -> list[Unrendered]:
        """Each post without content that is one of the first ``limit`` entries of some scope
        at ``now`` (of ``scopes`` only, if given): what feeds at ``now`` would render; by row.

        Each scope's newest entries are read straight from members' key, a few rows each,
        where numbering every entry of every scope would read them all."""
        keys = (
            self.store.rows(lambda k, s: (k, s), "SELECT DISTINCT kind, slug FROM members")
            if scopes is None
            else [(s.kind.value, s.slug) for s in scopes]
        )
        at = micros(now)
        with self.store.errors():
            db = self.store.db()
            paths = {
                path
                for kind, slug in keys
                for (path,) in db.execute(
                    "SELECT path FROM members WHERE kind = ? AND slug = ? AND ts <= ?"
                    " ORDER BY ts DESC, path LIMIT ?",
                    (kind, slug, at, limit),
                )
            }
        if not paths:
            return []
        return self.store.rows(
            Unrendered,
            "SELECT id, path, url, summary FROM posts WHERE content_html IS NULL"
            " AND path IN (SELECT value FROM json_each(?)) ORDER BY id",
            (json.dumps(sorted(paths), ensure_ascii=False),),
        )

    def changed_scopes(self, since: int) -> set[Scope]:
        """Scopes whose posts changed after generation ``since`` (names left empty)."""
        return set(
            self.store.rows(
                _scope, "SELECT kind, slug FROM versions WHERE generation > ?", (since,)
            )
        )

    def versions(self, since: int = 0) -> dict[tuple[str, str], int]:
        """(kind, slug) → the last generation that changed the scope, for changes after
        generation ``since``. A scope missing here has version :meth:`pruned`."""
        rows = self.store.rows(
            lambda k, s, g: ((k, s), g),
            "SELECT kind, slug, generation FROM versions WHERE generation > ?",
            (since,),
        )
        return dict(rows)

    def pruned(self) -> int:
        """The version of every scope without a row: the generation through which the rows of
        vanished scopes were pruned (0 before any). A vanished scope thus never falls back to
        a version it had while it held posts, and cached copies of those are never served."""
        return (
            self.store.one(int, "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'pruned'") or 0
        )

    def digests(self, since: int = 0) -> dict[tuple[str, str], int]:
        """(kind, slug) → the scope's digest, for scopes changed after generation ``since``
        (0: every scope). Equal on every index over the same files, unlike versions."""
        where = (
            ""
            if since == 0
            else " WHERE EXISTS (SELECT 1 FROM versions v WHERE v.kind = d.kind AND v.slug = d.slug AND v.generation > ?)"
        )
        rows = self.store.rows(
            lambda k, s, d: ((k, s), d),
            "SELECT kind, slug, digest FROM digests d" + where,
            (since,) if since else (),
        )
        return dict(rows)

    def version(self, scope: Scope) -> int:
        """The last generation that changed ``scope``, else :meth:`pruned`."""
        return (
            self.store.one(
                int,
                "SELECT COALESCE((SELECT generation FROM versions WHERE kind = ? AND slug = ?),"
                " (SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'pruned'), 0)",
                (scope.kind.value, scope.slug),
            )
            or 0
        )

    def modified(self, scope: Scope | None, now: datetime) -> datetime | None:
        """When the documents of ``scope`` (``None``: the lists of every scope) last changed as
        of ``now``, in whole seconds (UTC): the scope's stamp, or the instant its newest post
        published at ``now`` fell due, rounded up, if later. ``None`` for a scope never seen.

        Both come from the disk (file times, post dates), so every host reading the same posts
        gives a value that only rises; see docs/decisions.md.
        """
        if scope is None:
            stamp = self.store.one(int, "SELECT MAX(modified) FROM stamps")
            due = self.store.one(int, "SELECT MAX(ts) FROM posts WHERE ts <= ?", (micros(now),))
        else:
            key = (scope.kind.value, scope.slug)
            stamp = self.store.one(
                int, "SELECT modified FROM stamps WHERE kind = ? AND slug = ?", key
            )
            due = self.store.one(
                int,
                "SELECT MAX(ts) FROM members WHERE kind = ? AND slug = ? AND ts <= ?",
                (*key, micros(now)),
            )
        seconds = [
            s for s in (stamp, None if due is None else -(-due // 1_000_000)) if s is not None
        ]
        return from_micros(max(seconds) * 1_000_000) if seconds else None

    def due_scopes(self, after: datetime, until: datetime) -> set[Scope]:
        """Scopes with a post that falls due in (``after``, ``until``]: their feeds changed
        with time alone.

        Found from the posts' instants (``posts_ts``), then their members: an export asks
        this every time, for the few posts of the time since the last, where a look through
        every ``members`` row cost a tenth of a second of 100,000 posts' warm export."""
        if until <= after:
            return set()
        return set(
            self.store.rows(
                _scope,
                "SELECT DISTINCT m.kind, m.slug FROM posts p JOIN members m ON m.path = p.path"
                " WHERE p.ts > ? AND p.ts <= ?",
                (micros(after), micros(until)),
            )
        )

    def scopes(self, now: datetime) -> list[tuple[Scope, int]]:
        """Every scope with a post published at ``now``, with its count: the site, then
        categories, then tags, then authors, each by slug. A scope's name is the least of its names."""
        return [(scope, count) for scope, count, _ in self.dated_scopes(now)]

    def dated_scopes(self, now: datetime) -> list[tuple[Scope, int, datetime]]:
        """:meth:`scopes`, each with the instant of its newest post published at ``now`` (UTC):
        what the index page shows as last updated."""
        found = self.store.rows(
            _counted,
            "SELECT kind, slug, MIN(name), COUNT(*), MAX(ts) FROM members"
            " WHERE ts <= ? GROUP BY kind, slug",
            (micros(now),),
        )
        return sorted(found, key=lambda sc: (_ORDER[sc[0].kind], sc[0].slug))

    def scope(self, kind: ScopeKind, slug: str, now: datetime) -> Scope | None:
        """The scope ``kind``/``slug`` if it has a post published at ``now``."""
        if kind is ScopeKind.SITE:
            return SITE
        name = self.store.one(
            str,
            "SELECT MIN(name) FROM members WHERE kind = ? AND slug = ? AND ts <= ?",
            (kind.value, slug, micros(now)),
        )
        return None if name is None else Scope(kind, slug, name)

    def size(self, scope: Scope, now: datetime) -> int:
        """How many posts of ``scope`` are published at ``now``."""
        return (
            self.store.one(
                int,
                "SELECT COUNT(*) FROM members WHERE kind = ? AND slug = ? AND ts <= ?",
                (scope.kind.value, scope.slug, micros(now)),
            )
            or 0
        )

    def next_due(self, now: datetime) -> datetime | None:
        """When the next post dated after ``now`` becomes due, so caches know when to expire."""
        ts = self.store.one(int, "SELECT MIN(ts) FROM posts WHERE ts > ?", (micros(now),))
        return None if ts is None else from_micros(ts)

    def problems(self) -> list[Problem]:
        """Every problem found, by path and line; posts sharing a permalink are found here, so
        the warning follows the other post's coming and going."""
        return self.store.rows(
            Problem,
            "SELECT path, line, level, message FROM problems UNION ALL"
            " SELECT p.path, 1, 'warning', 'same permalink as ' || MIN(q.path) || ': both are published;"
            " this one''s entry id is its permalink with its path as fragment'"
            " FROM posts p JOIN posts q ON q.url = p.url AND q.path < p.path GROUP BY p.path"
            " ORDER BY 1, 2",
        )

    def count(self, now: datetime) -> int:
        """Posts published at ``now``."""
        return self.store.one(int, "SELECT COUNT(*) FROM posts WHERE ts <= ?", (micros(now),)) or 0
