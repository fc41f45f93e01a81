"""The model's identities: what makes two scopes the same."""

from __future__ import annotations

from feeds.model import SITE, Scope, ScopeKind


def test_a_scope_is_its_kind_and_slug_whatever_its_name() -> None:
    named = Scope(ScopeKind.TAG, "news", "News")
    assert named == Scope(ScopeKind.TAG, "news") and hash(named) == hash(Scope(ScopeKind.TAG, "news"))
    assert {named, Scope(ScopeKind.TAG, "news", "NEWS")} == {Scope(ScopeKind.TAG, "news")}
    assert named != Scope(ScopeKind.CATEGORY, "news", "News") and named != Scope(ScopeKind.TAG, "news-2", "News")
    assert {Scope(ScopeKind.SITE, "", "Finews")} == {SITE}
