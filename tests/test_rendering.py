"""Rendering driven from outside the index: on first use by a request, or ahead by an export."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

import feeds.parallel
from feeds import rendering
from feeds.index import Index
from feeds.model import SITE, Scope, ScopeKind
from tests.test_index import make_index

NOW = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture
def index(finews_copy: Path, tmp_path: Path) -> Iterator[Index]:
    ix = make_index(finews_copy, tmp_path / "index.sqlite3")
    ix.refresh()
    yield ix
    ix.close()


def rendered(index: Index) -> int:
    with sqlite3.connect(index.path) as db:
        count: int = db.execute(
            "SELECT COUNT(*) FROM posts WHERE content_html IS NOT NULL"
        ).fetchone()[0]
    db.close()
    return count


def test_a_request_renders_what_it_lacks_and_stores_it(index: Index) -> None:
    [p] = rendering.posts(index, Scope(ScopeKind.CATEGORY, "youjiangribao"), NOW, 5)
    assert p.content_html.startswith("<p>2016年以来") and p.summary
    assert rendered(index) == 1
    [stored] = index.posts(Scope(ScopeKind.CATEGORY, "youjiangribao"), NOW, 5)
    assert stored.unrendered is None and stored.post == p


def test_only_posts_in_some_feed_are_rendered_and_once(index: Index) -> None:
    assert rendered(index) == 0
    # the 3 newest of the site, of emnews and its tag overlap in 4 posts; the init post is alone
    # in sitenews and its tag; the real post is also the site's second: 5 of 151.
    assert rendering.render_missing(index, 3, NOW) == 5
    assert rendered(index) == 5
    assert rendering.render_missing(index, 3, NOW) == 0
    assert all(s.unrendered is None for s in index.posts(SITE, NOW, 3))


def test_render_missing_can_keep_to_some_scopes(index: Index) -> None:
    assert rendering.render_missing(index, 50, NOW, set()) == 0
    assert (
        rendering.render_missing(index, 50, NOW, {Scope(ScopeKind.CATEGORY, "youjiangribao")}) == 1
    )
    assert rendering.render_missing(index, 50, NOW, {Scope(ScopeKind.TAG, "站长消息")}) == 1
    # the 50 newest of the site and of emnews: the 2022-05-26 post and 49 of emnews are left
    assert rendering.render_missing(index, 50, NOW) == 50


def test_rendering_on_every_core_gives_the_same_posts(
    index: Index, finews_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    serial = rendering.posts(index, SITE, NOW, 200)
    monkeypatch.setattr(feeds.parallel, "THRESHOLD", 10)
    other = Index(tmp_path / "b.sqlite3", index.rules, jobs=2)
    other.refresh()
    assert rendering.render_missing(other, 200, NOW) == 151
    assert tuple(s.post for s in other.posts(SITE, NOW, 200)) == serial
    other.close()
