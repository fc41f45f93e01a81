"""Targets to documents, on the real corpus."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from feeds import config, writers
from feeds.documents import Documents
from feeds.model import Scope, ScopeKind
from feeds.urls import Target, resolve

FORMATS = ("atom", "rss", "json")
NOW = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.fixture
def documents(write_config: Callable[..., Path]) -> Documents:
    docs = Documents.from_config(config.load(write_config()))
    docs.index.refresh()
    yield docs
    docs.index.close()


def test_an_unknown_scope_has_no_document(documents: Documents) -> None:
    assert documents.render(Target("atom", Scope(ScopeKind.TAG, "nope")), NOW) is None


def test_render_matches_what_the_export_writes(documents: Documents) -> None:
    layout = documents.layout(NOW)
    everything = dict(layout.lists)
    recent = writers.Recent()  # as an export's worker builds scopes, one after another
    for scope, present in layout.scopes:
        everything.update(documents.scope_documents(scope, present, NOW, recent))
    assert (
        layout.size == layout.count == len(everything) == 36
    )  # 2 lists, 7 scopes × 4 feeds, 6 pages
    for path, doc in everything.items():
        target = resolve(path, FORMATS)
        assert target is not None, path
        assert documents.render(target, NOW) == doc, path


def test_scope_feeds_are_titled_site_dot_name_and_limit_applies(documents: Documents) -> None:
    feed = documents.feed(Scope(ScopeKind.TAG, "东财滚动新闻", "东财滚动新闻"), NOW, 7)
    assert feed.title == "金融消息 · 东财滚动新闻"
    assert len(feed.posts) == 7


def test_jekyll_feed_aliases_are_the_atom_written_for_their_place(documents: Documents) -> None:
    import dataclasses

    from feeds import writers

    for scope, _ in documents.index.scopes(NOW):
        feed = documents.feed(scope, NOW, 50)
        target = resolve(documents_alias(scope), FORMATS)
        assert target is not None
        doc = documents.render(target, NOW)
        assert doc is not None
        assert doc.body == writers.render(dataclasses.replace(feed, location=target.alias), "atom")


def documents_alias(scope: Scope) -> str:
    if scope.kind is ScopeKind.SITE:
        return "feed.xml"
    return (
        f"feed/by_tag/{scope.slug}.xml" if scope.kind is ScopeKind.TAG else f"feed/{scope.slug}.xml"
    )


def test_scopes_showing_the_same_posts_are_built_one_after_the_other(documents: Documents) -> None:
    # On this site each category has a tag of the same posts: built in turn, the second
    # reuses the first's entries.
    order = [scope for scope, _ in documents.layout(NOW).scopes]
    at = {(s.kind, s.slug): i for i, s in enumerate(order)}
    pair = at[ScopeKind.CATEGORY, "emnews"], at[ScopeKind.TAG, "东财滚动新闻"]
    assert abs(pair[0] - pair[1]) == 1, order
    newest = [documents.index.posts(s, NOW, 1)[0].post.date for s in order]
    assert newest == sorted(newest, reverse=True)
