"""Rendering posts' content when a feed first needs it, and keeping it in the index.

Parsing leaves a post's body unrendered: rendering is most of what a post costs and only the
posts some feed shows need it. A request renders the few posts it lacks and stores them if the
index is free; an export first renders every post its feeds will show, on every core, so that
building the feeds renders nothing.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from . import parallel
from .index import Index, Stored
from .index.schema import Unrendered
from .jekyll import posts as jekyll_posts
from .jekyll import render
from .model import Post, Scope


def posts(index: Index, scope: Scope, now: datetime, limit: int) -> tuple[Post, ...]:
    """The newest ``limit`` posts of ``scope`` published at ``now``, rendered: newest first,
    ties by path. What this renders is stored if the index's write lock is free."""
    return complete(index, index.posts(scope, now, limit))


def complete(index: Index, stored: Collection[Stored]) -> tuple[Post, ...]:
    """The posts of ``stored``, each rendered; those rendered here are stored, best effort."""
    done = [
        (s.unrendered, _finish(s.post, index.rules)) for s in stored if s.unrendered is not None
    ]
    if done:
        index.store_rendered((row, p.content_html, p.summary) for row, p in done)
    fresh = iter(p for _, p in done)
    return tuple(s.post if s.unrendered is None else next(fresh) for s in stored)


def render_missing(
    index: Index, limit: int, now: datetime, scopes: Collection[Scope] | None = None
) -> int:
    """Render, on every core, each post that is one of the first ``limit`` entries of some
    scope at ``now`` (of ``scopes`` only, if given) and has no content yet, and store them;
    returns how many. Feeds then build without rendering anything, which is what makes a cold
    export of a large site fast.

    Each worker (or this process, for a few batches) stores what it rendered itself, a batch
    per transaction: sending the HTML back (140 MB for a cold export of 100,000 posts) kept this process unpickling and
    writing it while the workers waited on their pipes. A batch stored is a cache filled: a
    post changed since has another row, which the batch's update does not touch.

    Raises:
        StorageError: the index fails.
    """
    todo = index.unrendered(limit, now, scopes)
    batches = [todo[i : i + _BATCH] for i in range(0, len(todo), _BATCH)]
    job = _Job(index.path, index.rules)
    for _ in parallel.map_ordered(
        _render_batch, batches, job, index.jobs, chunksize=1, threshold=parallel.THRESHOLD // _BATCH
    ):
        pass
    return len(todo)


#: Posts a worker renders, then stores in one transaction.
_BATCH = 256


@dataclass(frozen=True, slots=True)
class _Job:
    """What a worker needs to render posts and store them: it opens the index itself."""

    index: Path
    rules: jekyll_posts.Rules


def _render_batch(batch: Sequence[Unrendered], job: _Job) -> None:
    """Render the posts of ``batch`` and store them, in a worker or here, on a connection of
    its own."""
    done = [(t.id, *_rendered(t, job.rules)) for t in batch]
    index = Index(job.index, job.rules, jobs=1)
    try:
        index.store_rendered(done, wait=True)
    finally:
        index.close()


def _finish(post: Post, rules: jekyll_posts.Rules) -> Post:
    return render.finish(rules, post)


def _rendered(post: Unrendered, rules: jekyll_posts.Rules) -> tuple[str, str]:
    """(content, summary) of ``post``. A file gone or broken since leaves the content empty
    and the summary as it was."""
    return render.rendered(rules, post.path, post.url, post.summary) or ("", post.summary)
