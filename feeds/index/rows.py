"""What a pool worker makes of the post files of a refresh: the rows the index inserts, as
plain tuples, so that the process writing the index (:mod:`feeds.index.refresh`) only inserts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..jekyll import files as jekyll_files
from ..jekyll import posts as jekyll_posts
from . import digests, texts
from .schema import PostRow, members, to_row

#: What one file gives the index, as plain tuples (named ones take twice as long to unpickle
#: in the writing process, which a cold fill keeps busy): its ``posts`` row (``None``: no
#: post), the kind, slug and name of each of its ``members`` rows, its ``problems`` rows, its
#: words (:func:`feeds.index.texts.packed`; ``None``: not asked for) and its post's mark, as
#: if no other post shared its permalink (the writer fixes the few that do).
Rows = tuple[
    tuple[Any, ...] | None,
    list[tuple[str, str, str]],
    list[tuple[str, int, str, str]],
    bytes | None,
    int,
]
#: Where a ``posts`` row (:class:`PostRow`) holds its permalink and its instant.
URL, TS = PostRow._fields.index("url"), PostRow._fields.index("ts")


@dataclass(frozen=True, slots=True)
class Parsing:
    """How a worker parses each file of a refresh."""

    rules: jekyll_posts.Rules
    #: Take each post's words for keyword search too.
    words: bool
    #: Processes to parse on.
    jobs: int


#: Files a worker reads together (:func:`feeds.jekyll.files.read_all`), then parses in turn.
BATCH = 64


def batch_rows(batch: list[jekyll_files.SourceFile], parsing: Parsing) -> list[Rows]:
    """:func:`_rows` of each file of ``batch``, read together; a file over the size limit is
    not read (:func:`feeds.jekyll.posts.parse` says why)."""
    limit, root = parsing.rules.max_post_bytes, parsing.rules.root
    read = iter(jekyll_files.read_all([f"{root}/{f.path}" for f in batch if f.size <= limit]))
    return [_rows(f, parsing, next(read) if f.size <= limit else None) for f in batch]


def _rows(file: jekyll_files.SourceFile, parsing: Parsing, raw: bytes | OSError | None) -> Rows:
    """Parse one file (its bytes ``raw``, or ``None`` for one not read: over the size limit)
    into the rows to insert: the work of a pool worker, so that the process writing the index
    only inserts."""
    parsed = jekyll_posts.parse(file, parsing.rules, words=parsing.words, raw=raw)
    problems = [(p.path, p.line, p.level, p.message) for p in parsed.problems]
    words = texts.packed(parsed.post.title, parsed.text) if parsing.words and parsed.post else None
    if parsed.post is None:
        return None, [], problems, None, 0
    mark = digests.mark(file.path, file.size, file.mtime_ns, 0)
    found = [(m.kind, m.slug, m.name) for m in members(parsed.post)]
    return tuple(to_row(parsed.post)), found, problems, words, mark
