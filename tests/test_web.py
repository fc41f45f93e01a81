"""The service through Flask's test client: URLs, headers, conditional GET, gzip, errors, live."""

from __future__ import annotations

import contextlib
import gzip
import os
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path
from urllib.parse import quote

import feedparser
import pytest
from flask import Flask, request, request_started
from flask.testing import FlaskClient

from feeds import config, export
from feeds.web import create_app

REAL = "https://finews.withounder.com/youjiangribao/2022/01/10/202201102241180920.html"


@pytest.fixture
def make_app(
    write_config: Callable[..., Path], finews_copy: Path
) -> Iterator[Callable[..., Flask]]:
    apps: list[Flask] = []

    def make(extra: str = "") -> Flask:
        app = create_app(
            config.load(
                write_config("[cache]\nrefresh_seconds = 0.4\n" + extra, source=finews_copy)
            )
        )
        apps.append(app)
        return app

    yield make
    for app in apps:
        app.extensions["feeds"].close()


@pytest.fixture
def client(make_app: Callable[..., Flask]) -> FlaskClient:
    return make_app().test_client()


def wait_for(check: Callable[[], bool], seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.05)
    raise AssertionError("not within the time allowed")


@pytest.mark.parametrize(
    ("path", "media"),
    [
        ("/", "text/html"),
        ("/index.html", "text/html"),
        ("/feeds.opml", "text/x-opml"),
        ("/feed.atom", "application/atom+xml"),
        ("/feed.rss", "application/rss+xml"),
        ("/feed.json", "application/feed+json"),
        ("/category/emnews.atom", "application/atom+xml"),
        ("/tag/" + quote("东财滚动新闻") + ".rss", "application/rss+xml"),
        ("/feed.xml", "application/atom+xml"),
        ("/feed/emnews.xml", "application/atom+xml"),
        ("/feed/by_tag/" + quote("东财滚动新闻") + ".xml", "application/atom+xml"),
        ("/category/emnews/", "text/html"),
        ("/tag/" + quote("东财滚动新闻") + "/index.html", "text/html"),
    ],
)
def test_every_url_of_the_layout(client: FlaskClient, path: str, media: str) -> None:
    r = client.get(path)
    assert r.status_code == 200
    assert r.headers["Content-Type"] == f"{media}; charset=utf-8"
    assert r.headers["Vary"] == "Accept-Encoding"
    assert r.headers["Cache-Control"] == "public, max-age=1"
    assert r.headers["ETag"].startswith('"') and not r.headers["ETag"].startswith("W/")


def test_the_bytes_are_the_exported_bytes(
    client: FlaskClient, tmp_path: Path, write_config: Callable[..., Path], finews_copy: Path
) -> None:
    from feeds.documents import Documents

    docs = Documents.from_config(config.load(write_config(source=finews_copy)))
    docs.index.refresh()
    export.export(docs, tmp_path / "out", datetime.now(UTC))
    docs.index.close()
    for rel in [
        "feed.atom",
        "category/youjiangribao.rss",
        "tag/东财滚动新闻.json",
        "feed/by_tag/东财滚动新闻.xml",
        "feeds.opml",
        "index.html",
        "category/emnews/index.html",
        "tag/东财滚动新闻/index.html",
    ]:
        assert client.get("/" + quote(rel)).data == (tmp_path / "out" / rel).read_bytes(), rel


def test_a_preview_page_is_served_at_its_folder_and_ignores_limit(client: FlaskClient) -> None:
    page = client.get("/category/youjiangribao/")
    assert page.status_code == 200 and "深百协作朝乡村振兴迈进" in page.get_data(as_text=True)
    assert (
        page.headers["Last-Modified"]
        == client.get("/category/youjiangribao.atom").headers["Last-Modified"]
    )
    assert client.get("/category/youjiangribao/?limit=1").data == page.data
    assert client.get("/category/youjiangribao/?limit=x").status_code == 200
    assert client.get("/category/nope/").status_code == 404


def test_author_feeds_and_pages_are_served_as_exported(
    make_app: Callable[..., Flask],
    finews_copy: Path,
    tmp_path: Path,
    write_config: Callable[..., Path],
) -> None:
    (finews_copy / "_posts" / "2022-06-01-by-zhang.md").write_text(
        "---\ntitle: 张三的文章\ndate: 2022-06-01 08:00:00 +0800\n"
        "authors: [张三, '<b>Mallory</b>']\nimage: {path: '/assets/图 1.jpg', length: 2048}\n"
        "---\nbody\n",
        encoding="utf-8",
    )
    client = make_app().test_client()
    zhang, image = quote("张三"), "https://finews.withounder.com/assets/%E5%9B%BE%201.jpg"
    for fmt, media in (("atom", "atom+xml"), ("rss", "rss+xml"), ("json", "feed+json")):
        r = client.get(f"/author/{zhang}.{fmt}")
        assert (r.status_code, r.headers["Content-Type"]) == (
            200,
            f"application/{media}; charset=utf-8",
        )
    parsed = feedparser.parse(client.get(f"/author/{zhang}.atom").data)
    assert parsed.feed.title.endswith(" · 张三")
    [entry] = parsed.entries
    assert [a.name for a in entry.authors] == ["张三", "Mallory"]
    assert entry.media_thumbnail == [{"url": image}]
    page = client.get(f"/author/{zhang}/").get_data(as_text=True)
    assert f'<img src="{image}" alt=""' in page and "张三的文章" in page
    assert f'href="author/{zhang}/"' in client.get("/").get_data(as_text=True)
    assert f"/author/{zhang}.atom" in client.get("/feeds.opml").get_data(as_text=True)
    assert client.get("/author/nobody.atom").status_code == 404
    assert client.get("/author/nobody/").status_code == 404

    from feeds.documents import Documents

    docs = Documents.from_config(config.load(write_config(source=finews_copy)))
    docs.index.refresh()
    export.export(docs, tmp_path / "out", datetime.now(UTC))
    docs.index.close()
    assert sorted(p.name for p in (tmp_path / "out" / "author").rglob("*")) == [
        "index.html",
        "index.html",
        "mallory",
        "mallory.atom",
        "mallory.json",
        "mallory.rss",
        "张三",
        "张三.atom",
        "张三.json",
        "张三.rss",
    ]
    for rel in ["author/张三.atom", "author/张三/index.html", "index.html", "feeds.opml"]:
        assert client.get("/" + quote(rel)).data == (tmp_path / "out" / rel).read_bytes(), rel


def test_the_real_post_is_served(client: FlaskClient) -> None:
    d = feedparser.parse(client.get("/category/youjiangribao.atom").data)
    assert (
        d.bozo == 0 and d.entries[0].title == "深百协作朝乡村振兴迈进" and d.entries[0].id == REAL
    )


def test_limit(client: FlaskClient) -> None:
    assert len(feedparser.parse(client.get("/feed.rss?limit=3").data).entries) == 3
    assert len(feedparser.parse(client.get("/feed.rss").data).entries) == 50
    assert len(feedparser.parse(client.get("/feed.rss?limit=200").data).entries) == 151
    assert (
        len(feedparser.parse(client.get("/feed.rss?limit=3&utm_source=x&limitx=9").data).entries)
        == 3
    )


@pytest.mark.parametrize(
    "query",
    [
        "limit=abc",
        "limit=0",
        "limit=-1",
        "limit=201",
        "limit=1e9",
        "limit=",
        "limit=3&limit=4",
        "limit=99999999999999",
    ],
)
def test_bad_limits_are_400_saying_what_is_wrong(client: FlaskClient, query: str) -> None:
    r = client.get(f"/feed.atom?{query}")
    assert r.status_code == 400
    assert r.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert b"limit" in r.data and len(r.data) < 100


@pytest.mark.parametrize(
    "path",
    [
        "/nope",
        "/tag/nope.atom",
        "/category/emnews.html",
        "/category/%2e%2e.atom",
        "/feed.atom/x",
        "/category/emnews%00.atom",
        "/" + "a" * 5000,
        "/category/..%5cetc.atom",
    ],
)
def test_unknown_paths_are_404(client: FlaskClient, path: str) -> None:
    r = client.get(path)
    assert r.status_code == 404 and r.data == b"not found\n"


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH", "OPTIONS"])
def test_other_methods_are_405(client: FlaskClient, method: str) -> None:
    r = client.open("/feed.atom", method=method)
    assert r.status_code == 405 and r.headers["Allow"] == "GET, HEAD"
    assert b"Traceback" not in r.data


def test_head_gives_the_headers_alone(client: FlaskClient) -> None:
    get = client.get("/feed.atom")
    head = client.head("/feed.atom")
    assert head.status_code == 200 and head.data == b""
    assert head.headers["ETag"] == get.headers["ETag"]
    assert head.headers["Content-Length"] == str(len(get.data))


def test_gzip_round_trips_to_the_same_bytes(client: FlaskClient) -> None:
    plain = client.get("/feed.rss")
    packed = client.get("/feed.rss", headers={"Accept-Encoding": "gzip, deflate"})
    assert packed.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.data) == plain.data
    assert packed.headers["ETag"] != plain.headers["ETag"], "each coding has its own strong tag"
    assert (
        "Content-Encoding"
        not in client.get("/feed.rss", headers={"Accept-Encoding": "gzip;q=0"}).headers
    )


def test_if_none_match_gives_304_with_no_body(client: FlaskClient) -> None:
    r = client.get("/feed.atom")
    etag = r.headers["ETag"]
    for header in [etag, f'"other", {etag}', f"W/{etag}", "*"]:
        again = client.get("/feed.atom", headers={"If-None-Match": header})
        assert again.status_code == 304 and again.data == b""
        assert again.headers["ETag"] == etag
    gz = client.get("/feed.atom", headers={"Accept-Encoding": "gzip"})
    assert (
        client.get(
            "/feed.atom", headers={"If-None-Match": gz.headers["ETag"], "Accept-Encoding": "gzip"}
        ).status_code
        == 304
    )
    # a cache that holds both codings sends both tags, in any order
    for both in (f"{etag}, {gz.headers['ETag']}", f'"other", {gz.headers["ETag"]}'):
        assert client.get("/feed.atom", headers={"If-None-Match": both}).status_code == 304, both
    assert client.get("/feed.atom", headers={"If-None-Match": '"nope"'}).status_code == 200
    assert (
        client.get(
            "/feed.atom", headers={"If-None-Match": ", ".join(f'"x{i}"' for i in range(2000))}
        ).status_code
        == 200
    )


def test_if_modified_since(client: FlaskClient) -> None:
    lm = client.get("/feed.atom").headers["Last-Modified"]
    at = parsedate_to_datetime(lm)
    assert client.get("/feed.atom", headers={"If-Modified-Since": lm}).status_code == 304
    assert (
        client.get(
            "/feed.atom",
            headers={"If-Modified-Since": format_datetime(at + timedelta(days=1), usegmt=True)},
        ).status_code
        == 304
    )
    assert (
        client.get(
            "/feed.atom",
            headers={"If-Modified-Since": format_datetime(at - timedelta(seconds=1), usegmt=True)},
        ).status_code
        == 200
    )
    assert client.get("/feed.atom", headers={"If-Modified-Since": "yesterday"}).status_code == 200


def test_if_none_match_takes_precedence(client: FlaskClient) -> None:
    lm = client.get("/feed.atom").headers["Last-Modified"]
    r = client.get("/feed.atom", headers={"If-None-Match": '"stale"', "If-Modified-Since": lm})
    assert r.status_code == 200


def test_a_feed_is_built_once_then_served_from_cache(client: FlaskClient) -> None:
    feeds = client.application.extensions["feeds"]
    before = feeds.cache.builds
    for _ in range(5):
        client.get("/category/emnews.rss")
        client.get("/category/emnews.rss", headers={"Accept-Encoding": "gzip"})
    assert feeds.cache.builds == before + 1
    client.get("/category/emnews.rss?limit=5")
    assert feeds.cache.builds == before + 2


def test_new_changed_and_deleted_posts_show_within_refresh_seconds(
    client: FlaskClient, finews_copy: Path
) -> None:
    etag = client.get("/feed.atom").headers["ETag"]
    post = finews_copy / "_posts" / "2026-01-01-fresh.md"
    post.write_text(
        "---\ntitle: 新鲜\ndate: 2026-01-01 08:00:00 +0800\ncategories: emnews\n---\nbody\n",
        encoding="utf-8",
    )
    wait_for(lambda: b"\xe6\x96\xb0\xe9\xb2\x9c" in client.get("/category/emnews.atom").data, 2.0)
    assert client.get("/feed.atom", headers={"If-None-Match": etag}).status_code == 200, (
        "the old ETag no longer matches"
    )
    post.write_text(
        "---\ntitle: 改过\ndate: 2026-01-01 08:00:00 +0800\ncategories: emnews\n---\nbody\n",
        encoding="utf-8",
    )
    wait_for(lambda: "改过" in client.get("/category/emnews.atom").get_data(as_text=True), 2.0)
    post.unlink()
    wait_for(lambda: "改过" not in client.get("/category/emnews.atom").get_data(as_text=True), 2.0)


def test_a_post_dated_ahead_appears_when_due(client: FlaskClient, finews_copy: Path) -> None:
    due = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=3)
    stamp = due.strftime("%Y-%m-%d %H:%M:%S +0000")
    (finews_copy / "_posts" / f"{due:%Y-%m-%d}-soon.md").write_text(
        f"---\ntitle: soon\ndate: {stamp}\n---\nx\n", encoding="utf-8"
    )
    time.sleep(1.2)
    assert b"<title>soon</title>" not in client.get("/feed.rss").data
    wait_for(lambda: b"<title>soon</title>" in client.get("/feed.rss").data, 4.0)
    assert datetime.now(UTC) >= due


def test_filesystem_cache_is_shared_between_apps(
    make_app: Callable[..., Flask], tmp_path: Path
) -> None:
    extra = f'backend = "filesystem"\ndir = "{tmp_path / "cache"}"\n'
    one, two = make_app(extra), make_app(extra)
    a = one.test_client().get("/feed.atom")
    assert one.extensions["feeds"].cache.builds == 1
    b = two.test_client().get("/feed.atom")
    assert two.extensions["feeds"].cache.builds == 0, "built by the other app"
    assert a.data == b.data and a.headers["ETag"] == b.headers["ETag"]
    assert os.listdir(tmp_path / "cache")


def test_memory_cache_stays_within_its_bound(make_app: Callable[..., Flask]) -> None:
    app = make_app("max_bytes = 300000\n")
    c = app.test_client()
    for n in range(1, 120):
        assert c.get(f"/feed.atom?limit={n}").status_code == 200
    assert app.extensions["feeds"].cache.store.bytes <= 300000


def test_future_true_publishes_posts_dated_ahead_at_once(
    make_app: Callable[..., Flask], finews_copy: Path
) -> None:
    (finews_copy / "_posts" / "2999-01-01-later.md").write_text(
        "---\ntitle: later\n---\nx\n", encoding="utf-8"
    )
    client = make_app("[feeds]\nfuture = true\n").test_client()
    assert b"<title>later</title>" in client.get("/feed.rss").data
    builds = client.application.extensions["feeds"].cache.builds
    time.sleep(1.0)
    client.get("/feed.rss")
    assert client.application.extensions["feeds"].cache.builds == builds, (
        "no rebuild while nothing changes"
    )


def test_a_new_post_rebuilds_only_the_feeds_it_is_in(
    client: FlaskClient, finews_copy: Path
) -> None:
    feeds = client.application.extensions["feeds"]
    other = "/category/youjiangribao.rss"
    etag = client.get(other).headers["ETag"]
    client.get("/category/emnews.rss")
    builds = feeds.cache.builds
    (finews_copy / "_posts" / "2026-01-02-only-emnews.md").write_text(
        "---\ntitle: only-emnews\ndate: 2026-01-02 08:00:00 +0800\ncategories: emnews\n---\nx\n",
        encoding="utf-8",
    )
    wait_for(lambda: b"only-emnews" in client.get("/category/emnews.rss").data, 3.0)
    assert feeds.cache.builds == builds + 1, "emnews rebuilt once"
    assert client.get(other, headers={"If-None-Match": etag}).status_code == 304
    assert feeds.cache.builds == builds + 1, "youjiangribao served from the cache as it was"


CACHED_VARIANTS = [
    ("GET", {}),
    ("HEAD", {}),
    ("GET", {"Accept-Encoding": "gzip"}),
    ("HEAD", {"Accept-Encoding": "gzip, deflate, br"}),
    ("GET", {"Accept-Encoding": "gzip;q=0, identity"}),
    ("GET", {"Accept-Encoding": "*"}),
    ("GET", {"Accept-Encoding": "GZIP;q=0.5"}),
    ("GET", {"If-None-Match": "ETAG"}),
    ("GET", {"If-None-Match": "GZ-ETAG", "Accept-Encoding": "gzip"}),
    ("GET", {"If-None-Match": 'W/ETAG, "other"'}),
    ("GET", {"If-None-Match": "*"}),
    ("GET", {"If-None-Match": '"other"', "If-Modified-Since": "Fri, 31 Dec 9999 23:59:59 GMT"}),
    ("GET", {"If-Modified-Since": "Fri, 31 Dec 9999 23:59:59 GMT"}),
    ("HEAD", {"If-Modified-Since": "Sun, 06 Nov 1994 08:49:37 GMT"}),
]


@contextlib.contextmanager
def through_flask(app: Flask) -> Iterator[list[str]]:
    """The paths of the requests that reach Flask (its ``request_started`` signal) meanwhile."""
    seen: list[str] = []

    def started(sender: Flask, **extra: object) -> None:
        seen.append(request.path)

    request_started.connect(started, app)
    try:
        yield seen
    finally:
        request_started.disconnect(started, app)


@pytest.mark.parametrize("hubs", ["", '[websub]\nhubs = ["https://hub.example/"]\n'])
@pytest.mark.parametrize("path", ["/feed.atom", "/", "/category/emnews.json", "/feed.xml"])
def test_a_cached_feed_is_answered_before_flask_as_flask_would(
    make_app: Callable[..., Flask], path: str, hubs: str
) -> None:
    """The poll of a cached feed skips Flask (answer_cached): its answer must be the one the
    Flask path gives, which a query string it ignores still takes (WebSub's Link included)."""
    client = make_app(hubs).test_client()
    etag = client.get(path).headers["ETag"]
    assert ("Link" in client.get(path).headers) == (bool(hubs) and path != "/")
    with through_flask(client.application) as seen:
        for method, headers in CACHED_VARIANTS:
            sent = {
                k: v.replace("GZ-ETAG", etag[:-1] + '-gz"').replace("ETAG", etag)
                for k, v in headers.items()
            }
            fast = client.open(path, method=method, headers=sent)
            assert seen == [], "answered by Flask"
            slow = client.open(path + "?utm_source=x", method=method, headers=sent)
            assert seen == [path]
            seen.clear()
            assert (fast.status, fast.headers, fast.data) == (slow.status, slow.headers, slow.data)


def test_what_the_cache_does_not_hold_goes_to_flask(client: FlaskClient) -> None:
    with through_flask(client.application) as seen:
        for path in ("/feed.atom", "//feed.atom", "/nothing.atom", "/search.atom"):
            client.get(path)
        client.post("/feed.atom")
        client.get("/feed.atom", environ_overrides={"PATH_INFO": "/feed\xff.atom"})
        assert len(seen) == 6, "the first /feed.atom (a miss) and each odd request"
        client.get("/feed.atom")
        assert len(seen) == 6


def test_each_change_replaces_the_cached_feed_it_changes(
    client: FlaskClient, finews_copy: Path
) -> None:
    """Memory stays flat while posts change: the entry of the state before goes."""
    feeds = client.application.extensions["feeds"]
    post = finews_copy / "_posts" / "2026-01-03-changing.md"
    for n in range(4):
        post.write_text(
            f"---\ntitle: changing-{n}\ndate: 2026-01-03 08:00:00 +0800\n---\n改{n}\n",
            encoding="utf-8",
        )
        wait_for(lambda: f"changing-{n}".encode() in client.get("/feed.atom").data, 3.0)  # noqa: B023 - called at once
    assert feeds.cache.builds >= 5 and len(feeds.cache.store) == 1


def test_a_category_that_loses_its_last_post_is_gone_for_every_app(
    make_app: Callable[..., Flask], tmp_path: Path, finews_copy: Path
) -> None:
    # youjiangribao holds one post; a second app sharing the cache folder starts after the delete,
    # reading versions afresh from the index, where the vanished scope's row has been pruned.
    extra = f'backend = "filesystem"\ndir = "{tmp_path / "cache"}"\n'
    first = make_app(extra).test_client()
    assert first.get("/category/youjiangribao.atom").status_code == 200
    (finews_copy / "_posts" / "2022-01-10-202201102241180920.md").unlink()
    wait_for(lambda: first.get("/category/youjiangribao.atom").status_code == 404, 3.0)
    assert make_app(extra).test_client().get("/category/youjiangribao.atom").status_code == 404


def test_jekyll_feed_path_is_served_and_hidden_tags_are_not(make_app: Callable[..., Flask]) -> None:
    client = make_app(
        '[feeds]\nsite_path = "blog/atom.xml"\nhidden_tags = ["东财滚动新闻"]\n'
    ).test_client()
    r = client.get("/blog/atom.xml")
    assert r.status_code == 200 and r.mimetype == "application/atom+xml"
    d = feedparser.parse(r.data)
    assert d.bozo == 0 and d.feed.id == "https://finews.withounder.com/blog/atom.xml"
    assert client.get("/feed.xml").status_code == 200
    tag = quote("东财滚动新闻")
    for path in (f"/tag/{tag}.rss", f"/tag/{tag}/", f"/feed/by_tag/{tag}.xml"):
        assert client.get(path).status_code == 404, path
    assert tag not in client.get("/").get_data(as_text=True)
    assert client.get("/category/emnews.atom").status_code == 200


def test_a_feed_answer_links_its_hubs_and_itself_even_when_not_modified(
    make_app: Callable[..., Flask],
) -> None:
    hubs = ("https://hub.example/", "https://push.example/ping")
    client = make_app(f'[websub]\nhubs = ["{hubs[0]}", "{hubs[1]}"]\n').test_client()
    tag = quote("东财滚动新闻")
    for path in ("/feed.json", "/feed.xml", f"/tag/{tag}.rss", f"/feed/by_tag/{tag}.xml"):
        r = client.get(path)
        link = (
            f'<{hubs[0]}>; rel="hub", <{hubs[1]}>; rel="hub", '
            f'<https://finews.withounder.com{path}>; rel="self"'
        )
        assert r.headers["Link"] == link, path
        assert hubs[0].encode() in r.data
        again = client.get(path, headers={"If-None-Match": r.headers["ETag"]})
        assert again.status_code == 304 and again.headers["Link"] == link
    for path in ("/", "/feeds.opml", "/category/emnews/", "/feed.atom?filter=A"):
        assert "Link" not in client.get(path).headers, path
    assert "Link" not in make_app().test_client().get("/feed.atom").headers
