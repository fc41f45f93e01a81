"""The index's tables, as one SQL text with its version, and the conversion of a post to its
rows and back.

The file only caches what is on disk, so there are no migrations: a file of another version
(its fingerprint holds :data:`SCHEMA_VERSION`) is rebuilt. Bump the version with any change
here; a new table is one more statement in :data:`SCHEMA`.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple
from urllib.parse import quote

from .. import memo
from ..dates import EPOCH
from ..jekyll import permalink
from ..model import Author, Image, Post, ScopeKind

SCHEMA_VERSION = 17
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
    authors TEXT NOT NULL,            -- JSON: [[name, email, uri], ...]
    url TEXT NOT NULL,
    content_html TEXT,                -- NULL until first rendered (feeds.rendering)
    summary TEXT NOT NULL,            -- '' until rendered, unless the front matter gave one
    lang TEXT NOT NULL, excerpt_only INTEGER NOT NULL,
    image TEXT NOT NULL,              -- JSON [url, length, type] of the front matter's lead image, or ''
    mark INTEGER NOT NULL DEFAULT 0   -- what the post adds to its scopes' digests (see refresh.py)
);
-- which scopes a post belongs to (site, category, tag, author); the site scope is kind 'site', slug ''
CREATE TABLE members (
    kind TEXT NOT NULL, slug TEXT NOT NULL, ts INTEGER NOT NULL, path TEXT NOT NULL, name TEXT NOT NULL,
    PRIMARY KEY (kind, slug, ts DESC, path)
) WITHOUT ROWID;
CREATE INDEX members_path ON members (path);
CREATE INDEX posts_url ON posts (url);
CREATE INDEX posts_ts ON posts (ts);  -- next_due() runs every round of every worker
-- the last generation that changed each scope (none since the first fill: no row); one row a
-- scope, so "changed since g" is "version > g" and the table never grows with time
CREATE TABLE versions (
    kind TEXT NOT NULL, slug TEXT NOT NULL, generation INTEGER NOT NULL, PRIMARY KEY (kind, slug)
) WITHOUT ROWID;
CREATE INDEX versions_generation ON versions (generation);
-- when each scope's documents last changed, in whole seconds since the epoch (Last-Modified):
-- dated from file and folder times on the disk, raised by every refresh that changes the scope,
-- never lowered, kept when the scope loses its posts (docs/decisions.md)
CREATE TABLE stamps (
    kind TEXT NOT NULL, slug TEXT NOT NULL, modified INTEGER NOT NULL, PRIMARY KEY (kind, slug)
) WITHOUT ROWID;
-- per scope, the XOR of its posts' marks: the same on every host whose files are the same, where
-- generations and versions are not (each index file counts its own); cache keys are made of it
CREATE TABLE digests (kind TEXT NOT NULL, slug TEXT NOT NULL, digest INTEGER NOT NULL, PRIMARY KEY (kind, slug)) WITHOUT ROWID;
-- what each export folder shows (its resolved path): the next export there starts from it
CREATE TABLE exports (
    folder TEXT PRIMARY KEY, generation INTEGER NOT NULL,
    at TEXT NOT NULL,                 -- ISO 8601 instant the export was made for
    options TEXT NOT NULL, size INTEGER NOT NULL
) WITHOUT ROWID;
-- the digest of each RFC 5005 archive page an export folder holds (feeds.archives.digest): the
-- next export there rewrites only the pages whose digest differs
CREATE TABLE pages (
    folder TEXT NOT NULL, kind TEXT NOT NULL, slug TEXT NOT NULL, page INTEGER NOT NULL,
    digest INTEGER NOT NULL, PRIMARY KEY (folder, kind, slug, page)
) WITHOUT ROWID;
CREATE TABLE problems (path TEXT NOT NULL, line INTEGER NOT NULL, level TEXT NOT NULL, message TEXT NOT NULL);
CREATE INDEX problems_path ON problems (path);
"""
POST_COLUMNS = "path, slug, title, date, updated, categories, tags, authors, url, content_html, summary, ts, lang, excerpt_only, image"
#: A post's columns, its row id and whether a post earlier by path shares its permalink.
READ_COLUMNS = ", ".join(f"p.{c}" for c in POST_COLUMNS.split(", ")) + (
    ", p.id, EXISTS (SELECT 1 FROM posts q WHERE q.url = p.url AND q.path < p.path)"
)
#: Joins names in one column: a control character the parser removes from every text.
_SEP = "\x1f"


class PostRow(NamedTuple):
    """A row of ``posts`` as written (:data:`POST_COLUMNS`)."""

    path: str
    slug: str
    title: str
    date: str
    updated: str
    categories: str
    tags: str
    authors: str
    url: str
    content_html: str | None
    summary: str
    ts: int
    lang: str
    excerpt_only: bool
    image: str


class ReadRow(NamedTuple):
    """A row of ``posts`` as read (:data:`READ_COLUMNS`)."""

    post: PostRow
    id: int
    #: A post earlier by path has the same permalink.
    shared_url: bool

    @classmethod
    def make(cls, *values: object) -> ReadRow:
        """The row of the values a query of :data:`READ_COLUMNS` gives."""
        return cls(PostRow(*values[:15]), *values[15:])  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class Stored:
    """A post as the index holds it."""

    post: Post
    #: The row to store the post's content in once rendered; ``None`` when it has content.
    #: Row ids are never reused, so content rendered for a post replaced meanwhile is dropped.
    unrendered: int | None


class Unrendered(NamedTuple):
    """A post whose content is not rendered yet: what rendering it needs of the index."""

    #: The row to store its content in (see :attr:`Stored.unrendered`).
    id: int
    path: str
    url: str
    #: What the front matter gave; '' if nothing.
    summary: str


class MemberRow(NamedTuple):
    """A row of ``members``: one scope a post is in."""

    kind: str
    slug: str
    ts: int
    path: str
    name: str


def micros(dt: datetime) -> int:
    """``dt`` as the index stores instants: whole microseconds since the epoch (UTC)."""
    delta = dt - EPOCH
    return (delta.days * 86400 + delta.seconds) * 1_000_000 + delta.microseconds


def from_micros(ts: int) -> datetime:
    """The instant of a stored ``ts`` (UTC)."""
    return EPOCH + timedelta(microseconds=ts)


def to_row(post: Post) -> PostRow:
    """The row of a parsed post: its content is not rendered yet (NULL)."""
    date = post.date.isoformat()
    return PostRow(
        post.path,
        post.slug,
        post.title,
        date,
        date if post.updated is post.date else post.updated.isoformat(),
        _SEP.join(post.categories),
        _SEP.join(post.tags),
        json.dumps([list(dataclasses.astuple(a)) for a in post.authors], ensure_ascii=False)
        if post.authors
        else "[]",
        post.url,
        None,
        post.summary,
        micros(post.date),
        post.lang,
        post.excerpt_only,
        json.dumps(dataclasses.astuple(post.image), ensure_ascii=False) if post.image else "",
    )


def from_row(read: ReadRow) -> Stored:
    """The post of a row; a post earlier by path with the same permalink gives it an entry id
    of its own (the permalink with its path as fragment)."""
    row = read.post
    post = Post(
        path=row.path,
        slug=row.slug,
        title=row.title,
        date=datetime.fromisoformat(row.date),
        updated=datetime.fromisoformat(row.updated),
        categories=names(row.categories),
        tags=names(row.tags),
        authors=tuple(Author(*a) for a in json.loads(row.authors)),
        url=row.url,
        content_html=row.content_html or "",
        summary=row.summary,
        guid=f"{row.url}#{quote(row.path)}" if read.shared_url else "",
        lang=row.lang,
        excerpt_only=bool(row.excerpt_only),
        image=Image(*json.loads(row.image)) if row.image else None,
    )
    return Stored(post, read.id if row.content_html is None else None)


def members(post: Post) -> list[MemberRow]:
    """One row per scope the post is in; names sharing a slug count once."""
    ts = micros(post.date)
    path = post.path
    rows = [MemberRow(_SITE, "", ts, path, "")]
    for kind, names in (
        (_CATEGORY, post.categories),
        (_TAG, post.tags),
        (_AUTHOR, tuple(a.name for a in post.authors) if post.authors else ()),
    ):
        if names:
            rows += [MemberRow(kind, slug, ts, path, name) for slug, name in _slugged(names)]
    return rows


_SITE, _CATEGORY, _TAG, _AUTHOR = (
    k.value for k in (ScopeKind.SITE, ScopeKind.CATEGORY, ScopeKind.TAG, ScopeKind.AUTHOR)
)


@memo.by_names(8192)
def _slugged(names: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """Each slug of ``names`` with the first name that has it: a post's scopes of one kind.
    Cached, as a site repeats its lists of names (a category, often alone) over its posts."""
    seen: dict[str, str] = {}
    for name in names:
        seen.setdefault(permalink.scope_slug(name), name)
    return tuple(seen.items())


def author_names(column: str) -> tuple[str, ...]:
    """The authors' names an ``authors`` column holds."""
    return tuple(a[0] for a in json.loads(column))


def names(column: str) -> tuple[str, ...]:
    """The names a ``categories`` or ``tags`` column holds."""
    return tuple(column.split(_SEP)) if column else ()
