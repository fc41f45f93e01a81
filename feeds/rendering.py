"""Rendering posts' content when a feed first needs it, and keeping it in the index.

Parsing leaves a post's body unrendered: rendering is most of what a post costs and only the
posts some feed shows need it. A request renders the few posts it lacks and stores them if the
index is free; an export first renders every post its feeds will show, on every core, so that
building the feeds renders nothing.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime

from . import parallel
from .index import Index, Stored
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
    export of a large site fast. Workers get each post's path, URL and summary, not the post.

    Raises:
        StorageError: the index fails.
    """
    todo = index.unrendered(limit, now, scopes)
    done = parallel.map_ordered(
        _rendered, [(t.path, t.url, t.summary) for t in todo], index.rules, index.jobs
    )
    index.store_rendered(
        ((t.id, html, summary) for t, (html, summary) in zip(todo, done)), wait=True
    )
    return len(todo)


def _finish(post: Post, rules: jekyll_posts.Rules) -> Post:
    return render.finish(rules, post)


def _rendered(post: tuple[str, str, str], rules: jekyll_posts.Rules) -> tuple[str, str]:
    """(content, summary) of the post at (path, URL, summary): all a worker sends back. A file
    gone or broken since leaves the content empty and the summary as it was."""
    path, url, summary = post
    return render.rendered(rules, path, url, summary) or ("", summary)
