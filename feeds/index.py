"""The embedded SQLite index: every parsed post, refreshed incrementally, queried per scope.

This is the only module that speaks SQL. A refresh re-parses only the files whose size or
modification time changed, drops posts whose file is gone, and bumps a generation number when
any post changed; built feeds are keyed by that number, so every process that reads the same
file agrees on what is current. The file is a cache of the posts on disk: it may be deleted at
any time, and one that is corrupt, from another schema version or made under other parsing
rules is rebuilt. WAL mode lets several processes read while one refreshes.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import secrets
import sqlite3
import threading
import time
from collections.abc import Collection, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from multiprocessing import get_context
from pathlib import Path
from typing import TypeVar
from urllib.parse import quote

from . import __version__
from .errors import StorageError
from .jekyll import files as jekyll_files
from .jekyll import permalink
from .jekyll import posts as jekyll_posts
from .model import SITE, Post, Problem, Scope, ScopeKind

SCHEMA_VERSION = 6
SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
-- every post file seen, parsed or not, with the stat that tells it changed
CREATE TABLE files (path TEXT PRIMARY KEY, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL) WITHOUT ROWID;
CREATE TABLE posts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,  -- never reused: rendered content lands on its own row
    path TEXT NOT NULL UNIQUE,
    ts INTEGER NOT NULL,              -- the post's instant, microseconds since the epoch (UTC)
    slug TEXT NOT NULL, title TEXT NOT NULL,
    date TEXT NOT NULL, updated TEXT NOT NULL,   -- ISO 8601 with the post's own offset
    categories TEXT NOT NULL, tags TEXT NOT NULL, -- names joined by U+001F (never in a name), order kept
    author TEXT, url TEXT NOT NULL,
    content_html TEXT,                -- NULL until first rendered (jekyll.posts.finish)
    summary TEXT NOT NULL             -- '' until rendered, unless the front matter gave one
);
-- which scopes a post belongs to; the site scope is kind 'site', slug ''
CREATE TABLE members (
    kind TEXT NOT NULL, slug TEXT NOT NULL, ts INTEGER NOT NULL, path TEXT NOT NULL, name TEXT NOT NULL,
    PRIMARY KEY (kind, slug, ts DESC, path)
) WITHOUT ROWID;
CREATE INDEX members_path ON members (path);
CREATE INDEX posts_url ON posts (url);
CREATE INDEX posts_ts ON posts (ts);  -- next_due() runs every round of every worker
-- the scopes each generation touched, so an export rebuilds only those
CREATE TABLE changes (generation INTEGER NOT NULL, kind TEXT NOT NULL, slug TEXT NOT NULL);
CREATE INDEX changes_generation ON changes (generation);
CREATE INDEX changes_scope ON changes (kind, slug, generation);
CREATE TABLE problems (path TEXT NOT NULL, line INTEGER NOT NULL, level TEXT NOT NULL, message TEXT NOT NULL);
CREATE INDEX problems_path ON problems (path);
"""
_POST_COLUMNS = "path, slug, title, date, updated, categories, tags, author, url, content_html, summary"
_READ_COLUMNS = ", ".join(f"p.{c}" for c in _POST_COLUMNS.split(", ")) + (
    ", p.id, EXISTS (SELECT 1 FROM posts q WHERE q.url = p.url AND q.path < p.path)"
)
#: Below this many changed files, parsing in this process beats starting workers.
_PARALLEL_THRESHOLD = 2000
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Refresh:
    """What one refresh did."""

    changed: int
    removed: int
    seconds: float
    generation: int
    #: Files left for later because they were modified less than ``settle`` seconds ago.
    unsettled: tuple[str, ...] = ()


def _micros(dt: datetime) -> int:
    delta = dt - _EPOCH
    return (delta.days * 86400 + delta.seconds) * 1_000_000 + delta.microseconds


class Index:
    """One index file for one site and its parsing rules; safe to share between threads."""

    def __init__(self, path: Path, rules: jekyll_posts.Rules, *, jobs: int | None = None) -> None:
        self.path = path
        self.rules = rules
        self.jobs = jobs if jobs is not None else (os.cpu_count() or 1)
        self._local = threading.local()
        self._fingerprint = json.dumps([__version__, SCHEMA_VERSION, str(rules.root), rules.site_url, str(rules.zone), rules.permalink, rules.max_post_bytes, rules.summary_length])

    # -- connections ---------------------------------------------------------------------------

    def _db(self) -> sqlite3.Connection:
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            db = self._open()
            self._local.db = db
            self._local.inode = _inode(self.path)
        elif not db.in_transaction and _inode(self.path) != self._local.inode:
            db = self._switch(db)
        return db

    def _switch(self, old: sqlite3.Connection) -> sqlite3.Connection:
        """The file was replaced or removed under an open connection. Move to the new file once
        it is a filled index of ours; until then keep reading the old one, whose data is still
        there, so requests go on while the refresher rebuilds."""
        inode = _inode(self.path)
        try:
            new = sqlite3.connect(f"file:{self.path}?mode=rw", uri=True, timeout=30, isolation_level=None, check_same_thread=False)
        except sqlite3.Error:
            return old
        try:
            ready = self._meta(new, "fingerprint") == self._fingerprint and int(self._meta(new, "generation") or 0) > 0
        except sqlite3.Error:
            ready = False
        if not ready:
            new.close()
            return old
        self.close()
        self._local.db, self._local.inode = new, inode
        return new

    def intact(self) -> bool:
        """Whether the file at ``path`` is the index this thread reads: not deleted, replaced
        by something else or made under other rules (then :meth:`rebuild`)."""
        try:
            db = self._db()
            return _inode(self.path) == self._local.inode and self._meta(db, "fingerprint") == self._fingerprint
        except (StorageError, sqlite3.Error):
            return False

    def rebuild(self) -> Refresh:
        """Start a new file and fill it from the disk. Other threads and processes go on reading
        the old one until the new one holds every post (see :meth:`_switch`).

        Raises:
            OSError, StorageError: as :meth:`refresh`.
        """
        try:
            self._recreate()
        except (OSError, sqlite3.Error) as e:
            raise StorageError(f"{self.path}: cannot rebuild the index: {e}") from e
        self.close()
        return self.refresh()

    def _open(self) -> sqlite3.Connection:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            db = self._connect()
            if self._meta(db, "fingerprint") != self._fingerprint:
                db.close()
                self._recreate()
                db = self._connect()
            return db
        except sqlite3.DatabaseError:
            # Corrupt or foreign file: it only caches what is on disk, so start afresh.
            self._recreate()
            try:
                return self._connect()
            except sqlite3.Error as e:
                raise StorageError(f"{self.path}: cannot open the index: {e}") from e
        except (OSError, sqlite3.Error) as e:
            raise StorageError(f"{self.path}: cannot open the index: {e}") from e

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        return db

    @staticmethod
    def _meta(db: sqlite3.Connection, key: str) -> str | None:
        try:
            row = db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        except sqlite3.OperationalError:  # no meta table: a new or foreign file
            return None
        return row[0] if row else None

    def _recreate(self) -> None:
        """Build an empty index in a temporary file and move it over the old one."""
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.{threading.get_ident()}.new")
        for p in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
            p.unlink(missing_ok=True)
        db = sqlite3.connect(tmp, isolation_level=None)
        try:
            db.executescript(SCHEMA)
            db.executemany("INSERT INTO meta VALUES (?, ?)", [
                ("fingerprint", self._fingerprint), ("generation", "0"), ("identity", secrets.token_hex(8))])
        finally:
            db.close()
        for suffix in ("-wal", "-shm"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)
        os.replace(tmp, self.path)

    def close(self) -> None:
        """Close this thread's connections (others close when their thread ends)."""
        for name in ("db", "writer"):
            db = getattr(self._local, name, None)
            if db is not None:
                db.close()
                setattr(self._local, name, None)

    def _query(self, sql: str, params: Sequence[object] = ()) -> list[tuple[object, ...]]:
        try:
            return self._db().execute(sql, params).fetchall()
        except sqlite3.Error as e:
            raise StorageError(f"{self.path}: {e}") from e

    # -- refresh -------------------------------------------------------------------------------

    def refresh(self, paths: Collection[str] | None = None, *, settle: float = 0.0) -> Refresh:
        """Bring the index up to date with the files on disk.

        With ``paths`` (relative to the source, as a file watcher reports them) only those
        files are looked at, which costs nothing per unchanged post; otherwise the whole
        source is scanned, which at 100,000 posts takes most of a second.

        A file modified less than ``settle`` seconds ago may still be being written: it is left
        as it was and named in :attr:`Refresh.unsettled`, for the caller to retry.

        Raises:
            OSError: the source folder cannot be read (nothing is changed then).
            StorageError: the index cannot be written.
        """
        started = time.perf_counter()
        name_problems: list[Problem] | None = None
        try:
            db = self._db()
            if paths is None:
                rows = db.execute("SELECT path, size, mtime_ns FROM files").fetchall()
            else:
                rows = [r for p in set(paths) for r in db.execute("SELECT path, size, mtime_ns FROM files WHERE path = ?", (p,))]
        except sqlite3.Error as e:
            raise StorageError(f"{self.path}: {e}") from e
        known = {p: (s, m) for p, s, m in rows}
        if paths is None:
            changed, seen, name_problems = jekyll_files.scan(self.rules.root, known)
        else:
            found = (jekyll_files.stat_post(self.rules.root, p) for p in paths)
            files = [f for f in found if f is not None]
            seen = {f.path for f in files}
            changed = [f for f in files if known.get(f.path) != (f.size, f.mtime_ns)]
        removed = [p for p in known if p not in seen]
        unsettled: tuple[str, ...] = ()
        if settle > 0:
            now = time.time_ns()
            cutoff = now - int(settle * 1e9)
            # An mtime well ahead of the clock is skew, not a write in progress.
            fresh = {f.path for f in changed if cutoff < f.mtime_ns <= now + 1_000_000_000}
            unsettled = tuple(sorted(fresh))
            changed = [f for f in changed if f.path not in fresh]
        try:
            generation = self._write(db, changed, removed, name_problems)
        except sqlite3.Error as e:
            raise StorageError(f"{self.path}: cannot write the index: {e}") from e
        return Refresh(len(changed), len(removed), time.perf_counter() - started, generation, unsettled)

    def _parse(self, files: list[jekyll_files.SourceFile]) -> Iterator[jekyll_posts.Parsed]:
        """Parse ``files`` in order, on every core when there are many (results stream, so a
        cold start never holds all bodies in memory)."""
        if len(files) < _PARALLEL_THRESHOLD or self.jobs < 2:
            for f in files:
                yield jekyll_posts.parse(f, self.rules)
            return
        with self._pool() as pool:
            yield from pool.map(jekyll_posts.parse, files, itertools.repeat(self.rules), chunksize=64)

    def _pool(self) -> ProcessPoolExecutor:
        # forkserver, not fork: a service calls this from a thread, and forking threads deadlocks.
        return ProcessPoolExecutor(self.jobs, mp_context=get_context("forkserver"))

    def _write(
        self,
        db: sqlite3.Connection,
        changed: list[jekyll_files.SourceFile],
        removed: list[str],
        name_problems: list[Problem] | None,
    ) -> int:
        """Apply a refresh in one transaction, parsing as it goes; readers see all or nothing."""
        gone = [(p,) for p in removed] + [(f.path,) for f in changed]
        # A big page cache while writing (a cold fill inserts into big B-trees), the default
        # (2 MiB) the rest of the time: every worker holds a few connections.
        db.execute(f"PRAGMA cache_size = {-65536 if len(changed) > 1000 else -2000}")
        db.execute("BEGIN IMMEDIATE")
        try:
            generation = int(self._meta(db, "generation") or 0) + 1
            touched = 0
            shared = {str(u) for (p,) in gone for (u,) in db.execute("SELECT url FROM posts WHERE path = ?", (p,))}
            if gone:
                db.executemany("INSERT INTO changes SELECT ?, kind, slug FROM members WHERE path = ?", ((generation, p) for (p,) in gone))
                for table in ("posts", "members", "problems", "files"):
                    db.executemany(f"DELETE FROM {table} WHERE path = ?", gone)  # noqa: S608 - fixed names
            db.executemany("INSERT INTO files VALUES (?, ?, ?)", ((f.path, f.size, f.mtime_ns) for f in changed))
            # The first fill records no changes: there is no earlier state to compare with.
            record = generation > 1
            for batch in _batched(self._parse(changed), 512):
                posts = [r.post for r in batch if r.post is not None]
                touched += len(posts)
                db.executemany("INSERT INTO problems VALUES (?, ?, ?, ?)",
                               [(p.path, p.line, p.level, p.message) for r in batch for p in r.problems])
                db.executemany(f"INSERT INTO posts ({_POST_COLUMNS}, ts) VALUES ({', '.join('?' * 12)})", [_row(p) for p in posts])
                shared.update(p.url for p in posts)
                members = [m for p in posts for m in _members(p)]
                db.executemany("INSERT INTO members VALUES (?, ?, ?, ?, ?)", members)
                if record:
                    db.executemany("INSERT INTO changes VALUES (?, ?, ?)", [(generation, k, sl) for k, sl, *_ in members])
            if record and shared:
                # A post sharing a permalink with one added or removed may have a new entry id.
                db.executemany("INSERT INTO changes SELECT ?, m.kind, m.slug FROM posts p JOIN members m"
                               " ON m.path = p.path WHERE p.url = ?", ((generation, u) for u in shared))
            if name_problems is not None:
                # misnamed files are not in `files`: a full scan replaces their warnings
                db.execute("DELETE FROM problems WHERE path NOT IN (SELECT path FROM files)")
                db.executemany("INSERT INTO problems VALUES (?, ?, ?, ?)", ((p.path, p.line, p.level, p.message) for p in name_problems))
            if gone or touched:
                db.execute("UPDATE meta SET value = ? WHERE key = 'generation'", (str(generation),))
            else:
                generation -= 1
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        finally:
            db.execute("PRAGMA cache_size = -2000")
        return generation

    # -- rendering -----------------------------------------------------------------------------

    def render_missing(self, limit: int, now: datetime, scopes: Collection[Scope] | None = None) -> int:
        """Render, on every core, each post that is one of the first ``limit`` entries of some
        scope at ``now`` (of ``scopes`` only, if given) and has no content yet; returns how
        many. Feeds then build without rendering anything, which is what makes a cold export
        of a large site fast."""
        if scopes is not None and not scopes:
            return 0
        wanted, params = "", []
        if scopes is not None and len(scopes) < 10_000:
            wanted = " AND (kind, slug) IN (VALUES " + ", ".join("(?, ?)" for _ in scopes) + ")"
            params = [v for s in scopes for v in (s.kind.value, s.slug)]
        rows = self._query(
            f"SELECT {_READ_COLUMNS} FROM posts p WHERE p.content_html IS NULL AND p.path IN (SELECT path FROM"
            " (SELECT path, row_number() OVER (PARTITION BY kind, slug ORDER BY ts DESC, path) AS n"
            f" FROM members WHERE ts <= ?{wanted}) WHERE n <= ?)",
            (_micros(now), *params, limit),
        )
        todo = [_post(r[:11], bool(r[12])) for r in rows]
        ids = [int(str(r[11])) for r in rows]
        if len(todo) < _PARALLEL_THRESHOLD or self.jobs < 2:
            self._persist(zip(ids, (self._finish(p) for p in todo)), wait=True)
        else:
            with self._pool() as pool:
                done = pool.map(jekyll_posts.finish, itertools.repeat(self.rules.root), todo,
                                itertools.repeat(self.rules.summary_length), chunksize=64)
                self._persist(zip(ids, done), wait=True)
        return len(todo)

    def _finish(self, post: Post) -> Post:
        return jekyll_posts.finish(self.rules.root, post, self.rules.summary_length)

    def _persist(self, rendered: Iterable[tuple[int, Post]], *, wait: bool = False) -> None:
        """Store rendered content by row id (never reused, so a post replaced meanwhile keeps
        its NULL). From a request (``wait=False``) this is best effort: if the refresher holds
        the write lock, the post is rendered again next time."""
        try:
            db = self._writer(wait)
            db.execute("BEGIN IMMEDIATE")
            db.executemany("UPDATE posts SET content_html = ?, summary = ? WHERE id = ?",
                           ((p.content_html, p.summary, i) for i, p in rendered))
            db.execute("COMMIT")
        except sqlite3.Error as e:
            with contextlib.suppress(sqlite3.Error):
                self._writer(wait).execute("ROLLBACK")
            if wait:
                raise StorageError(f"{self.path}: cannot store rendered posts: {e}") from e

    def _writer(self, wait: bool) -> sqlite3.Connection:
        """A second connection of this thread, for writes while the first holds a read snapshot."""
        db: sqlite3.Connection | None = getattr(self._local, "writer", None)
        if db is None:
            self._db()  # make sure the file is ours first
            db = self._connect()
            self._local.writer = db
        db.execute(f"PRAGMA busy_timeout = {30000 if wait else 50}")
        return db

    # -- queries -------------------------------------------------------------------------------

    @contextlib.contextmanager
    def snapshot(self) -> Iterator[int]:
        """Read in one transaction, so every query inside sees one state of the index; yields
        that state's generation. Several documents built inside agree with each other."""
        db = self._db()
        try:
            db.execute("BEGIN")
        except sqlite3.Error as e:
            raise StorageError(f"{self.path}: {e}") from e
        try:
            yield self.generation
        finally:
            db.execute("COMMIT")

    @property
    def generation(self) -> int:
        """Bumped by every refresh that changed a post; the same in every process."""
        rows = self._query("SELECT value FROM meta WHERE key = 'generation'")
        return int(str(rows[0][0])) if rows else 0

    def posts(self, scope: Scope, now: datetime, limit: int) -> tuple[Post, ...]:
        """The newest ``limit`` posts of ``scope`` published at ``now``: newest first, ties by path."""
        rows = self._query(
            f"SELECT {_READ_COLUMNS} FROM members m JOIN posts p ON p.path = m.path"
            " WHERE m.kind = ? AND m.slug = ? AND m.ts <= ? ORDER BY m.ts DESC, m.path LIMIT ?",
            (scope.kind.value, scope.slug, _micros(now), limit),
        )
        posts = [_post(r[:11], bool(r[12])) for r in rows]
        todo = [i for i, r in enumerate(rows) if r[9] is None]
        if todo:
            for i in todo:
                posts[i] = self._finish(posts[i])
            self._persist([(int(str(rows[i][11])), posts[i]) for i in todo])
        return tuple(posts)

    def changed_scopes(self, since: int) -> set[Scope]:
        """Scopes whose posts changed after generation ``since`` (names left empty)."""
        rows = self._query("SELECT DISTINCT kind, slug FROM changes WHERE generation > ?", (since,))
        return {Scope(ScopeKind(str(k)), str(s)) for k, s in rows}

    def versions(self, since: int = 0) -> dict[tuple[str, str], int]:
        """(kind, slug) → the last generation that changed the scope, for changes after
        generation ``since``. A scope never changed since the first fill has version 0."""
        rows = self._query("SELECT kind, slug, MAX(generation) FROM changes WHERE generation > ? GROUP BY kind, slug", (since,))
        return {(str(k), str(s)): int(str(g)) for k, s, g in rows}

    def version(self, scope: Scope) -> int:
        """The last generation that changed ``scope``; 0 if none since the first fill."""
        rows = self._query("SELECT MAX(generation) FROM changes WHERE kind = ? AND slug = ?", (scope.kind.value, scope.slug))
        return int(str(rows[0][0])) if rows and rows[0][0] is not None else 0

    def due_scopes(self, after: datetime, until: datetime) -> set[Scope]:
        """Scopes with a post that falls due in (``after``, ``until``]: their feeds changed
        with time alone."""
        rows = self._query("SELECT DISTINCT kind, slug FROM members WHERE ts > ? AND ts <= ?",
                           (_micros(after), _micros(until)))
        return {Scope(ScopeKind(str(k)), str(s)) for k, s in rows}

    @property
    def identity(self) -> str:
        """Made anew with the file: a generation number means nothing across two identities."""
        rows = self._query("SELECT value FROM meta WHERE key = 'identity'")
        return str(rows[0][0]) if rows else ""

    def scopes(self, now: datetime) -> list[tuple[Scope, int]]:
        """Every scope with a post published at ``now``, with its count: the site, then
        categories, then tags, each by slug. A scope's name is the least of its names."""
        rows = self._query(
            "SELECT kind, slug, MIN(name), COUNT(*) FROM members WHERE ts <= ? GROUP BY kind, slug",
            (_micros(now),),
        )
        order = {ScopeKind.SITE: 0, ScopeKind.CATEGORY: 1, ScopeKind.TAG: 2}
        found = [(Scope(ScopeKind(str(k)), str(s), str(n)), int(str(c))) for k, s, n, c in rows]
        return sorted(found, key=lambda sc: (order[sc[0].kind], sc[0].slug))

    def scope(self, kind: ScopeKind, slug: str, now: datetime) -> Scope | None:
        """The scope ``kind``/``slug`` if it has a post published at ``now``."""
        if kind is ScopeKind.SITE:
            return SITE
        rows = self._query(
            "SELECT MIN(name) FROM members WHERE kind = ? AND slug = ? AND ts <= ?",
            (kind.value, slug, _micros(now)),
        )
        return Scope(kind, slug, str(rows[0][0])) if rows and rows[0][0] is not None else None

    def next_due(self, now: datetime) -> datetime | None:
        """When the next post dated after ``now`` becomes due, so caches know when to expire."""
        rows = self._query("SELECT MIN(ts) FROM posts WHERE ts > ?", (_micros(now),))
        ts = rows[0][0] if rows else None
        if ts is None:
            return None
        return datetime.fromtimestamp(int(str(ts)) / 1_000_000, UTC)

    def problems(self) -> list[Problem]:
        """Every problem found, by path and line; posts sharing a permalink are found here, so
        the warning follows the other post's coming and going."""
        rows = self._query(
            "SELECT path, line, level, message FROM problems UNION ALL"
            " SELECT p.path, 1, 'warning', 'same permalink as ' || MIN(q.path) || ': both are published;"
            " this one''s entry id is its permalink with its path as fragment'"
            " FROM posts p JOIN posts q ON q.url = p.url AND q.path < p.path GROUP BY p.path"
            " ORDER BY 1, 2"
        )
        return [Problem(str(p), int(str(ln)), str(lv), str(m)) for p, ln, lv, m in rows]

    def count(self, now: datetime) -> int:
        """Posts published at ``now``."""
        rows = self._query("SELECT COUNT(*) FROM posts WHERE ts <= ?", (_micros(now),))
        return int(str(rows[0][0]))


#: Joins names in one column: a control character the parser removes from every text.
_SEP = "\x1f"


def _names(column: object) -> tuple[str, ...]:
    return tuple(str(column).split(_SEP)) if column else ()


def _batched(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """``itertools.batched`` (Python 3.12) for 3.11."""
    it = iter(items)
    while batch := list(itertools.islice(it, size)):
        yield batch


def _inode(path: Path) -> int | None:
    try:
        return os.stat(path).st_ino
    except OSError:
        return None


def _row(post: Post) -> tuple[object, ...]:
    return (
        post.path, post.slug, post.title, post.date.isoformat(), post.updated.isoformat(),
        _SEP.join(post.categories), _SEP.join(post.tags),
        post.author, post.url, None, post.summary, _micros(post.date),
    )


def _post(row: tuple[object, ...], shared_url: bool = False) -> Post:
    """A post from its row; ``shared_url``: a post earlier by path has the same permalink."""
    path, slug, title, date, updated, cats, tags, author, url, html, summary = row
    return Post(
        path=str(path), slug=str(slug), title=str(title),
        date=datetime.fromisoformat(str(date)), updated=datetime.fromisoformat(str(updated)),
        categories=_names(cats), tags=_names(tags),
        author=None if author is None else str(author), url=str(url),
        content_html="" if html is None else str(html), summary=str(summary),
        guid=f"{url}#{quote(str(path))}" if shared_url else "",
    )


def _members(post: Post) -> Iterable[tuple[str, str, int, str, str]]:
    """One row per scope the post is in; names sharing a slug count once."""
    ts = _micros(post.date)
    yield ("site", "", ts, post.path, "")
    for kind, names in ((ScopeKind.CATEGORY, post.categories), (ScopeKind.TAG, post.tags)):
        seen: dict[str, str] = {}
        for name in names:
            seen.setdefault(permalink.scope_slug(name), name)
        for slug, name in seen.items():
            yield (kind.value, slug, ts, post.path, name)
