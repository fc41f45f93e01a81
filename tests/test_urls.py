"""The URL layout, both ways: scopes to paths, and paths back to what they serve."""

from __future__ import annotations

from urllib.parse import quote, unquote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from feeds import urls
from feeds.model import SITE, Feed, Scope, ScopeKind
from feeds.urls import (
    Target,
    feed_href,
    feed_path,
    feed_url,
    jekyll_feed_path,
    owned,
    page_href,
    page_path,
    resolve,
    saved_page_href,
    saved_page_path,
    saved_path,
)

FORMATS = ("atom", "rss", "json")
NEWS = Scope(ScopeKind.CATEGORY, "深圳 news", "深圳 News")
TAG = Scope(ScopeKind.TAG, "x", "X")


@pytest.mark.parametrize(
    ("path", "target"),
    [
        ("", Target("html")),
        ("index.html", Target("html")),
        ("feeds.opml", Target("opml")),
        ("feed.atom", Target("atom", SITE)),
        ("feed.json", Target("json", SITE)),
        ("category/emnews.rss", Target("rss", Scope(ScopeKind.CATEGORY, "emnews"))),
        ("tag/东财滚动新闻.json", Target("json", Scope(ScopeKind.TAG, "东财滚动新闻"))),
        ("feed.xml", Target("atom", SITE, alias="feed.xml")),
        (
            "feed/emnews.xml",
            Target("atom", Scope(ScopeKind.CATEGORY, "emnews"), alias="feed/emnews.xml"),
        ),
        ("feed/by_tag/x.xml", Target("atom", Scope(ScopeKind.TAG, "x"), alias="feed/by_tag/x.xml")),
        ("category/emnews/", Target("html", Scope(ScopeKind.CATEGORY, "emnews"))),
        ("category/emnews/index.html", Target("html", Scope(ScopeKind.CATEGORY, "emnews"))),
        ("tag/东财滚动新闻/", Target("html", Scope(ScopeKind.TAG, "东财滚动新闻"))),
        ("author/张三.atom", Target("atom", Scope(ScopeKind.AUTHOR, "张三"))),
        ("author/robin-p.json", Target("json", Scope(ScopeKind.AUTHOR, "robin-p"))),
        ("author/张三/", Target("html", Scope(ScopeKind.AUTHOR, "张三"))),
        ("author/张三/index.html", Target("html", Scope(ScopeKind.AUTHOR, "张三"))),
        ("search/", Target("html", search=True)),
        ("search/index.html", Target("html", search=True)),
        (
            "search/蔚来.atom",
            Target("atom", search=True, query="蔚来", alias="search/蔚来.atom"),
        ),
        (
            'search/"a b" -c.d.json',
            Target("json", search=True, query='"a b" -c.d', alias='search/"a b" -c.d.json'),
        ),
        (
            "search/蔚来/",
            Target("html", search=True, query="蔚来", alias="search/蔚来/"),
        ),
        (
            "search/蔚来/index.html",
            Target("html", search=True, query="蔚来", alias="search/蔚来/"),
        ),
    ],
)
def test_layout_paths(path: str, target: Target) -> None:
    assert resolve(path, FORMATS) == target


@pytest.mark.parametrize(
    "path",
    [
        "feed.html",
        "category/.atom",
        "category/a/b.atom",
        "category/...atom",
        "tag/..",
        "other/x.atom",
        "feed/a/b.xml",
        "feed/by_tag/.xml",
        "category/emnews",
        "feed",
        "feed.atom/x",
        "category//",
        "category/../",
        "category/a/b/",
        "category/a/index.htm",
        "feed/a/",
        "feed/by_tag/a/",
        "site/a/",
        "x/index.html",
        "category/a/feed.atom",
        "author/.atom",
        "author/a/b/",
        "feed/by_author/a.xml",
        "search/a/b.atom",
        "search/..atom",
        "search/.atom",
        "search/../",
        "search/a/b/",
        "search.html",
    ],
)
def test_other_paths_are_not_feeds(path: str) -> None:
    assert resolve(path, FORMATS) is None


def test_formats_switched_off_are_not_served() -> None:
    assert resolve("feed.json", ("atom",)) is None
    assert resolve("feed.xml", ("rss",)) is None


def test_scopes_to_paths() -> None:
    assert [feed_path(s, "atom") for s in (SITE, NEWS, TAG)] == [
        "feed.atom",
        "category/深圳 news.atom",
        "tag/x.atom",
    ]
    assert feed_href(NEWS, "rss") == "category/%E6%B7%B1%E5%9C%B3%20news.rss"
    assert [jekyll_feed_path(s) for s in (SITE, NEWS, TAG)] == [
        "feed.xml",
        "feed/深圳 news.xml",
        "feed/by_tag/x.xml",
    ]
    assert [page_path(s) for s in (NEWS, TAG)] == [
        "category/深圳 news/index.html",
        "tag/x/index.html",
    ]
    assert page_href(NEWS) == "category/%E6%B7%B1%E5%9C%B3%20news/"


def test_a_feed_names_its_own_place() -> None:
    feed = Feed(NEWS, "", "", "https://example.com", "en", "", ())
    assert feed_url(feed, "json") == "https://example.com/category/%E6%B7%B1%E5%9C%B3%20news.json"
    moved = Feed(NEWS, "", "", "https://example.com", "en", "", (), location="feed/深圳 news.xml")
    assert feed_url(moved, "atom") == "https://example.com/feed/%E6%B7%B1%E5%9C%B3%20news.xml"


def test_every_path_resolves_back_to_its_scope() -> None:
    for scope in (SITE, NEWS, TAG):
        for fmt in FORMATS:
            assert resolve(feed_path(scope, fmt), FORMATS) == Target(fmt, scope)
        assert resolve(jekyll_feed_path(scope), FORMATS) == Target(
            "atom", scope, alias=jekyll_feed_path(scope)
        )
    for scope in (NEWS, TAG):
        assert (
            resolve(page_path(scope), ())
            == resolve(page_path(scope).removesuffix("index.html"), ())
            == Target("html", scope)
        )
    for query in ("蔚来", '"a b" -c.d', "a?b#c%d", "index.html"):
        for fmt in FORMATS:
            path = saved_path(query, fmt)
            assert resolve(path, FORMATS) == Target(fmt, search=True, query=query, alias=path)
        page = saved_page_path(query)
        assert resolve(page, ()) == Target(
            "html", search=True, query=query, alias=page.removesuffix("index.html")
        )
        assert unquote(saved_page_href(query)) == page.removesuffix("index.html")


def test_the_export_owns_the_layout_in_every_format_and_nothing_else() -> None:
    for path in (
        "index.html",
        "feeds.opml",
        "feed.json",
        "feed.xml",
        "category/a.rss",
        "tag/b.json",
        "feed/a.xml",
        "feed/by_tag/b.xml",
        "category/a/index.html",
        "tag/b/index.html",
        "search/蔚来.atom",
        "search/蔚来/index.html",
    ):
        assert owned(path), path
    for path in (
        "",
        ".feeds-export",
        "robots.txt",
        "category/a.txt",
        "category/a/b.atom",
        "feed/a.atom",
        "x/feed.atom",
        "category/a/other.html",
        "category/a/b/index.html",
        "feed/a/index.html",
        "x/index.html",
        "search/index.html",
    ):
        assert not owned(path), path


def test_authors_have_feeds_and_a_page_but_no_jekyll_feed_path() -> None:
    author = Scope(ScopeKind.AUTHOR, "张三", "张三")
    assert [feed_path(author, fmt) for fmt in FORMATS] == [
        "author/张三.atom",
        "author/张三.rss",
        "author/张三.json",
    ]
    assert page_href(author) == "author/%E5%BC%A0%E4%B8%89/"
    assert jekyll_feed_path(author) == "" and owned("author/张三/index.html")


@settings(max_examples=300, deadline=None)
@given(
    st.text(
        st.one_of(st.sampled_from("aZ09_.~/-%?# 中\x00"), st.characters(exclude_categories=("Cs",)))
    )
)
def test_a_path_is_percent_encoded_as_urllib_does(path: str) -> None:
    assert urls.quote(path) == quote(path)
