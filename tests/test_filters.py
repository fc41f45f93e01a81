"""RSSHub's filter parameters and combined scopes over the service, each feed checked against a
plain scan of the posts, and the values that must be refused."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from feeds import config, filters
from feeds.jekyll import files
from feeds.jekyll import posts as jekyll_posts
from feeds.model import Post
from feeds.search import searchable
from feeds.web import create_app

from . import feedcheck
from .test_search import make_index

#: ``[feeds] limit`` by default.
LIMIT = config.FeedsConfig().limit
EXTRA = {
    "2023-03-01-a.md": "title: 蔚来与宁德时代签约\nauthor: 王五\ncategories: [autos, emnews]\ntags: [电池]\n",
    "2023-03-02-b.md": "title: 锂价下跌\nauthor: Li Si\ncategories: autos\ntags: [电池, 锂]\n",
    "2023-03-03-c.md": "title: LITHIUM news\nauthor: li si\ncategories: metals\ntags: 锂\n",
}


@pytest.fixture
def site(finews_copy: Path) -> Path:
    for name, front in EXTRA.items():
        (finews_copy / "_posts" / name).write_text(
            f"---\n{front}date: {name[:10]} 09:00:00 +0800\n---\n国内锂电池产业 Body text.\n",
            encoding="utf-8",
        )
    return finews_copy


@pytest.fixture
def client(write_config: Callable[..., Path], site: Path) -> Iterator[FlaskClient]:
    app: Flask = create_app(
        config.load(write_config("[cache]\nrefresh_seconds = 0.4\n", source=site))
    )
    yield app.test_client()
    app.extensions["feeds"].close()


def all_posts(root: Path) -> list[tuple[Post, str]]:
    """Every published post with its plain text, newest first: what the scans look through."""
    rules = make_index(root, root / "unused").rules
    found = []
    for path in sorted(p.relative_to(root).as_posix() for p in root.rglob("_posts/*")):
        source = files.stat_post(root, path)
        parsed = jekyll_posts.parse(source, rules) if source else None
        if parsed and parsed.post:
            found.append((parsed.post, " ".join(parsed.text.split())))
    found.sort(key=lambda pt: (-pt[0].date.timestamp(), pt[0].path))
    return found


def urls(client: FlaskClient, path: str) -> list[str]:
    r = client.get(path)
    assert r.status_code == 200, r.data
    return [i["url"] for i in json.loads(r.data)["items"]]


def scan(root: Path, keep: Callable[[Post, str], bool], limit: int = LIMIT) -> list[str]:
    return [p.url for p, text in all_posts(root) if keep(p, text)][:limit]


def has(pattern: str, flags: int = 0) -> Callable[[str], bool]:
    return lambda text: re.search(pattern, text, flags) is not None


CASES: list[tuple[str, Callable[[Post, str], bool]]] = [
    ("filter=锂|lithium", lambda p, t: has("锂|lithium")(p.title) or has("锂|lithium")(t)),
    ("filter_title=^蔚来", lambda p, t: has("^蔚来")(p.title)),
    ("filter_description=国内.{0,3}锂", lambda p, t: has("国内.{0,3}锂")(t)),
    (
        "filter_author=^li si$&filter_case_sensitive=false",
        lambda p, t: any(has("^li si$", re.I)(a.name) for a in p.authors),
    ),
    ("filter_author=^li si$", lambda p, t: any(has("^li si$")(a.name) for a in p.authors)),
    ("filter_category=^auto", lambda p, t: any(has("^auto")(c) for c in p.categories)),
    ("filterout=锂", lambda p, t: not (has("锂")(p.title) or has("锂")(t))),
    ("filterout_title=蔚来|锂&limit=5", lambda p, t: not has("蔚来|锂")(p.title)),
    ("filterout_description=国内", lambda p, t: not has("国内")(t)),
    ("filterout_author=.", lambda p, t: not any(has(".")(a.name) for a in p.authors)),
    # Plain words the index looks up first (Filters.required), in either case.
    ("filter_description=HFO-1234yf", lambda p, t: "HFO-1234yf" in t),
    (
        "filter=hfo-1234YF|蔚来&filter_case_sensitive=false",
        lambda p, t: has("hfo-1234yf|蔚来", re.I)(p.title) or has("hfo-1234yf|蔚来", re.I)(t),
    ),
    (
        "filter_title=蔚来&filter=HFO",
        lambda p, t: "蔚来" in p.title and "HFO" in p.title + " " + t,
    ),
    (
        "filterout_category=emnews&filter_title=锂|LITH",
        lambda p, t: "emnews" not in p.categories and has("锂|LITH")(p.title),
    ),
]


@pytest.mark.parametrize(("query", "keep"), CASES, ids=[c[0] for c in CASES])
def test_a_filter_keeps_what_a_plain_scan_keeps(
    client: FlaskClient, site: Path, query: str, keep: Callable[[Post, str], bool]
) -> None:
    limit = int(query.rsplit("limit=", 1)[1]) if "limit=" in query else LIMIT
    expected = scan(site, keep, limit)
    assert expected, "the case must keep something"
    assert urls(client, f"/feed.json?{query}") == expected


def test_a_filter_looks_through_the_whole_history(client: FlaskClient, site: Path) -> None:
    oldest = [p for p, _ in all_posts(site) if "emnews" in p.categories][-1]
    got = urls(client, f"/category/emnews.json?filter_title={re.escape(oldest.title)}")
    assert oldest.url in got


def test_filter_time_keeps_recent_posts(client: FlaskClient, site: Path) -> None:
    seconds = int(time.time() - datetime(2023, 3, 1, 12, tzinfo=UTC).timestamp())
    assert urls(client, f"/feed.json?filter_time={seconds}") == scan(
        site, lambda p, t: p.date > datetime(2023, 3, 1, 12, tzinfo=UTC)
    )


def test_brief_gives_summaries_of_that_length(client: FlaskClient) -> None:
    doc = json.loads(client.get("/feed.json?brief=100&limit=3").data)
    assert all("content_html" not in i and len(i["summary"]) <= 101 for i in doc["items"])
    assert doc["feed_url"] == "https://finews.withounder.com/feed.json?brief=100"


@pytest.mark.parametrize(
    ("query", "keep"),
    [
        ("category=autos,metals", lambda p, t: bool({"autos", "metals"} & set(p.categories))),
        # A post in both comes once; a second kind narrows the walk through the first.
        ("category=autos,emnews", lambda p, t: bool({"autos", "emnews"} & set(p.categories))),
        (
            "category=emnews,autos&tag=电池,nosuch",
            lambda p, t: bool({"autos", "emnews"} & set(p.categories)) and "电池" in p.tags,
        ),
        ("category=Autos&tag=锂", lambda p, t: "autos" in p.categories and "锂" in p.tags),
        (
            "tag=电池,锂&filterout_author=王",
            lambda p, t: (
                bool({"电池", "锂"} & set(p.tags)) and not any("王" in a.name for a in p.authors)
            ),
        ),
        ("category=metals,nosuch", lambda p, t: "metals" in p.categories),
    ],
)
def test_a_combined_feed_is_any_of_each_kind(
    client: FlaskClient, site: Path, query: str, keep: Callable[[Post, str], bool]
) -> None:
    assert urls(client, f"/feed.json?{query}") == scan(site, keep)


def test_a_combined_keyword_feed(client: FlaskClient, site: Path) -> None:
    assert urls(client, "/search.json?q=锂电池&category=autos") == scan(
        site, lambda p, t: "autos" in p.categories and "锂电池" in searchable(p.title, t).lower()
    )


def test_a_combined_feed_of_no_scope_is_404(client: FlaskClient) -> None:
    assert client.get("/feed.atom?category=nosuch").status_code == 404


def test_spellings_share_one_document(client: FlaskClient) -> None:
    a = client.get("/feed.atom?tag=锂,电池&filter_title=a&filterout=b&utm=1")
    b = client.get("/feed.atom?filterout=b&filter_title=a&tag=电池,锂,锂")
    assert a.status_code == b.status_code == 200
    assert a.headers["ETag"] == b.headers["ETag"]


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("filter=(a", "filter"),
        ("filter_title=a&filter_title=b", "filter_title"),
        ("filterout_author=" + "x" * 501, "filterout_author"),
        ("filter=", "filter"),
        ("filter_case_sensitive=maybe", "filter_case_sensitive"),
        ("filter_time=-1", "filter_time"),
        ("filter_time=1e9", "filter_time"),
        ("brief=10", "brief"),
        ("category=a,,b", "category"),
        ("tag=" + ",".join("x" * 51), "tag"),
        ("filter=\\p{Nope}", "filter"),
    ],
)
def test_a_bad_value_is_a_400_naming_it(client: FlaskClient, query: str, name: str) -> None:
    r = client.get(f"/feed.rss?{query}")
    assert r.status_code == 400
    assert r.data.decode().startswith(name + " ")


def test_a_catastrophic_pattern_is_quick(client: FlaskClient) -> None:
    started = time.perf_counter()
    r = client.get("/feed.json?filter=(a%2B)%2B%24&filter_description=(x%2B%2B)%2By")
    assert r.status_code in (200, 400)
    assert time.perf_counter() - started < 2
    assert filters.parse({"filter": ["(a+)+$"]}).matcher() is not None


@pytest.mark.parametrize("fmt", ["atom", "rss", "json"])
def test_filtered_and_combined_feeds_are_valid(client: FlaskClient, fmt: str) -> None:
    for path in (
        f"/feed.{fmt}?category=autos,metals&filterout_title=x",
        f"/category/emnews.{fmt}?brief=100&filter=%E9%94%82",
    ):
        r = client.get(path)
        assert r.status_code == 200
        self_link = re.search(rb'(?:rel="self" href=|"feed_url":)"([^"]+)"', r.data)
        assert self_link is not None
        feedcheck.assert_valid(r.data, fmt, self_link.group(1).decode().replace("&amp;", "&"))


@pytest.mark.parametrize(
    ("args", "required"),
    [
        ({"filter": ["蔚来"]}, (("蔚来",),)),
        (
            {"filter_title": ["NIO|蔚来|nio"], "filter_description": ["HFO-1234yf"]},
            (("hfo-1234yf",), ("nio", "蔚来")),
        ),
        ({"filter": ["蔚.来"]}, ()),
        ({"filter": ["a|"]}, ()),
        ({"filter": ["a b"]}, ()),
        ({"filter": ["(蔚来)"]}, ()),
        ({"filter": ["\\d"]}, ()),
        ({"filterout": ["蔚来"]}, ()),
        ({"filter_author": ["li"], "filter_category": ["x"]}, ()),
    ],
)
def test_only_plain_words_that_keep_are_looked_up(
    args: dict[str, list[str]], required: tuple[tuple[str, ...], ...]
) -> None:
    assert filters.parse(args).required() == required
