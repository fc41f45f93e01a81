"""The model's identities: what makes two scopes the same, and what the site is called."""

from __future__ import annotations

from feeds.model import SITE, Scope, ScopeKind, site_name


def test_a_scope_is_its_kind_and_slug_whatever_its_name() -> None:
    named = Scope(ScopeKind.TAG, "news", "News")
    assert named == Scope(ScopeKind.TAG, "news") and hash(named) == hash(
        Scope(ScopeKind.TAG, "news")
    )
    assert {named, Scope(ScopeKind.TAG, "news", "NEWS")} == {Scope(ScopeKind.TAG, "news")}
    assert named != Scope(ScopeKind.CATEGORY, "news", "News") and named != Scope(
        ScopeKind.TAG, "news-2", "News"
    )
    assert {Scope(ScopeKind.SITE, "", "Finews")} == {SITE}


def test_an_untitled_site_is_called_by_its_host() -> None:
    assert site_name("金融新闻", "https://finews.withounder.com") == "金融新闻"
    assert site_name("", "https://finews.withounder.com:8443/blog") == "finews.withounder.com:8443"
