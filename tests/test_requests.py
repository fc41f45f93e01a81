"""Hostile requests: each gets a correct answer, the workers live on and their memory stays flat.

The cases go through the real server (``feeds serve``, gunicorn with two workers), because
gunicorn's own limits answer some of them before the app sees anything: a request line over
4094 bytes is 414, a header field over 8190 bytes or more than 100 fields is 431. What only
the app decides (which query parameters are cache keys, how far the cache grows, how a request
the server would pass on is handled) is checked through Flask's test client, where the cache's
counters can be read. Statuses follow RFC 9110 (conditional requests: section 13).
"""

from __future__ import annotations

import gzip
import re
import shutil
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import UTC, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from feeds import config
from feeds.cache import Cache, MemoryStore
from feeds.web import create_app
from tests.conftest import FINEWS
from tests.server_fixture import Reply, Server, exchange, free_port, request, site_config

#: The memory cache's bound in the served site: small, so that the flood below fills it.
MAX_BYTES = 4_000_000
#: Requests in the flood whose memory cost is measured, after a warm-up that fills the cache
#: to its bound (the flood asks for more distinct feeds than it holds).
FLOOD = 10_000
WARM_UP = 2_000
#: How much a worker's resident memory may grow during the flood: room for the allocator. Each
#: worker answers about 5,000 of the requests, so a leak of 1 KB a request reaches this bound.
GROWTH = 5_000_000

ERRORS_OF_THE_APP = {400, 404, 405}
THREADS = 4


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("requests")
    site = tmp / "finews"
    shutil.copytree(FINEWS, site)
    port = free_port()
    home = tmp / "home"
    home.mkdir()
    s = Server(
        site_config(tmp, site, port, f"[cache]\nmax_bytes = {MAX_BYTES}\n"),
        port,
        tmp / "serve.log",
        home,
    )
    try:
        s.wait_ready()
        yield s
    finally:
        s.stop()
    log = s.log_text()
    assert "Traceback" not in log and "request failed" not in log, log
    assert len(s.booted()) == 2, f"a worker died and was replaced:\n{log}"


@pytest.fixture(scope="module")
def feed(server: Server) -> Reply:
    """/feed.atom as a plain GET gets it."""
    r = server.get("/feed.atom")
    assert r.status == 200
    return r


def tags(n: int, *extra: str) -> str:
    return ", ".join([f'"{i:08x}"' for i in range(n)] + list(extra))


# -- case by case, through gunicorn --------------------------------------------------------------

# (id, request bytes, status). In a request, ETAG stands for /feed.atom's ETag, MODIFIED for its
# Last-Modified, RFC850 and ASCTIME for the same instant in the obsolete HTTP-date forms, EARLIER
# for a second before it and NUMERIC for it with "+0000" instead of "GMT" (see _fill).
CASES: list[tuple[str, bytes, int]] = [
    # Paths: too long for gunicorn's request line, or naming nothing.
    ("path-10KB", request("/" + "a" * 10_000), 414),
    ("path-100KB", request("/" + "a" * 100_000), 414),
    ("path-4000-byte-tag", request("/tag/" + "a" * 4000 + ".atom"), 404),
    ("path-%00", request("/feed%00.atom"), 404),
    ("path-%00-in-slug", request("/tag/a%00b.atom"), 404),
    ("path-raw-NUL", request(b"/feed\x00.atom"), 400),
    ("path-%2f-dotdot", request("/category/..%2f..%2fetc%2fpasswd.atom"), 404),
    ("path-%2e%2e", request("/%2e%2e/"), 404),
    ("path-%2e%2e-passwd", request("/%2e%2e/%2e%2e/etc/passwd"), 404),
    ("path-dotdot", request("/../../etc/passwd"), 404),
    ("path-dotdot-feed", request("/category/../feed.atom"), 404),
    ("path-backslash", request("/category\\..\\x.atom"), 404),
    ("path-backslash-slug", request("/category/..\\..\\feed.atom"), 404),
    ("path-%5c", request("/category/..%5c..%5cfeed.atom"), 404),
    ("path-bad-utf8", request("/tag/%ff%fe.atom"), 404),
    (
        "path-raw-utf8",
        request("/tag/东财滚动新闻.atom".encode()),
        400,
    ),  # RFC 9112: the target is ASCII
    ("path-trailing-slash", request("/feed.atom/"), 404),
    ("path-upper-case", request("/FEED.ATOM"), 404),
    ("path-params", request("/feed.atom;x=1"), 404),
    ("path-asterisk", request("*"), 400),
    ("path-absolute-form", request("http://evil.example/feed.atom"), 200),  # RFC 9112 3.2.2
    # Query strings: limit is checked, anything else is ignored.
    ("limit=-1", request("/feed.atom?limit=-1"), 400),
    ("limit=1e9", request("/feed.atom?limit=1e9"), 400),
    ("limit=0", request("/feed.atom?limit=0"), 400),
    ("limit=201", request("/feed.atom?limit=201"), 400),
    ("limit=999999999", request("/feed.atom?limit=999999999"), 400),
    ("limit=40-digits", request("/feed.atom?limit=" + "9" * 40), 400),
    ("limit=fullwidth-5", request("/feed.atom?limit=%EF%BC%95"), 400),
    ("limit=space-5", request("/feed.atom?limit=%205"), 400),
    ("limit=%ff", request("/feed.atom?limit=%ff"), 400),
    ("limit=empty", request("/feed.atom?limit="), 400),
    ("limit-twice", request("/feed.atom?limit=5&limit=5"), 400),
    ("limit-400-times", request("/feed.atom?" + "limit=5&" * 400), 400),
    ("limit=05", request("/feed.atom?limit=05"), 200),
    ("limit-on-opml", request("/feeds.opml?limit=1e9"), 200),  # only feeds take a limit
    ("query-600-params", request("/feed.atom?" + "&".join(f"a={i}" for i in range(600))), 200),
    ("query-4000-bytes", request("/feed.atom?" + "x" * 4000), 200),
    ("query-bad-escapes", request("/feed.atom?%zz=%%%&=&&=="), 200),
    ("query-5000-bytes", request("/feed.atom?" + "x" * 5000), 414),
    # If-Modified-Since: only one valid HTTP-date counts (RFC 9110 13.1.3, 5.6.7).
    ("ims-garbage", request("/feed.atom", ("If-Modified-Since", "garbage")), 200),
    (
        "ims-year-0",
        request("/feed.atom", ("If-Modified-Since", "Sat, 01 Jan 0000 00:00:00 GMT")),
        200,
    ),
    (
        "ims-year-huge",
        request("/feed.atom", ("If-Modified-Since", "Sat, 01 Jan " + "9" * 30 + " 00:00:00 GMT")),
        200,
    ),
    (
        "ims-offset-huge",
        request("/feed.atom", ("If-Modified-Since", "Sat, 01 Jan 2000 00:00:00 +" + "9" * 30)),
        200,
    ),
    (
        "ims-99:99:99",
        request("/feed.atom", ("If-Modified-Since", "Fri, 31 Dec 9999 99:99:99 GMT")),
        200,
    ),
    (
        "ims-31-Feb",
        request("/feed.atom", ("If-Modified-Since", "Thu, 31 Feb 2999 00:00:00 GMT")),
        200,
    ),
    ("ims-8000-bytes", request("/feed.atom", ("If-Modified-Since", "x" * 8000)), 200),
    (
        "ims-far-future",
        request("/feed.atom", ("If-Modified-Since", "Fri, 31 Dec 9999 23:59:59 GMT")),
        304,
    ),
    ("ims-exact", request("/feed.atom", ("If-Modified-Since", "MODIFIED")), 304),
    ("ims-rfc850", request("/feed.atom", ("If-Modified-Since", "RFC850")), 304),
    ("ims-asctime", request("/feed.atom", ("If-Modified-Since", "ASCTIME")), 304),
    ("ims-a-second-early", request("/feed.atom", ("If-Modified-Since", "EARLIER")), 200),
    (
        "ims-numeric-zone",
        request("/feed.atom", ("If-Modified-Since", "NUMERIC")),
        200,
    ),  # not an HTTP-date
    ("ims-list", request("/feed.atom", ("If-Modified-Since", "MODIFIED, MODIFIED")), 200),
    (
        "ims-twice",
        request("/feed.atom", ("If-Modified-Since", "MODIFIED"), ("If-Modified-Since", "MODIFIED")),
        200,
    ),
    # If-None-Match: weak comparison against either coding's tag, and it beats If-Modified-Since.
    ("inm-600-tags", request("/feed.atom", ("If-None-Match", tags(600))), 200),
    ("inm-600-tags-ours-last", request("/feed.atom", ("If-None-Match", tags(600, "ETAG"))), 304),
    ("inm-10000-tags", request("/feed.atom", ("If-None-Match", tags(10_000, "ETAG"))), 431),
    ("inm-100KB", request("/feed.atom", ("If-None-Match", "a" * 100_000)), 431),
    (
        "inm-90-lines",
        request("/feed.atom", *[("If-None-Match", tags(600))] * 90, ("If-None-Match", "ETAG")),
        304,
    ),
    ("inm-weak", request("/feed.atom", ("If-None-Match", "W/ETAG")), 304),
    ("inm-star", request("/feed.atom", ("If-None-Match", "*")), 304),
    ("inm-garbage", request("/feed.atom", ("If-None-Match", "garbage")), 200),
    ("inm-empty", request("/feed.atom", ("If-None-Match", "")), 200),
    ("inm-unterminated", request("/feed.atom", ("If-None-Match", '"unterminated')), 200),
    ("inm-commas", request("/feed.atom", ("If-None-Match", ",,,,," * 1000)), 200),
    (
        "inm-beats-ims",
        request("/feed.atom", ("If-None-Match", '"other"'), ("If-Modified-Since", "MODIFIED")),
        200,
    ),
    (
        "inm-over-stale-ims",
        request(
            "/feed.atom",
            ("If-None-Match", "ETAG"),
            ("If-Modified-Since", "Sat, 01 Jan 2000 00:00:00 GMT"),
        ),
        304,
    ),
    # Other header floods: gunicorn's limits.
    ("header-100KB", request("/feed.atom", ("X-Big", "a" * 100_000)), 431),
    ("headers-200", request("/feed.atom", *[(f"X-{i}", "a") for i in range(200)]), 431),
    ("header-control-char", request("/feed.atom", ("Accept-Encoding", b"gzip\x01")), 400),
    # Methods: GET and HEAD only.
    ("TRACE", request("/feed.atom", method="TRACE"), 405),
    ("CONNECT", request("127.0.0.1:80", method="CONNECT"), 405),
    ("PROPFIND", request("/feed.atom", ("Depth", "1"), method="PROPFIND"), 405),
    ("OPTIONS-*", request("*", method="OPTIONS"), 405),
    ("OPTIONS", request("/feed.atom", method="OPTIONS"), 405),
    ("DELETE", request("/feed.atom", method="DELETE"), 405),
    ("PUT", request("/feed.atom", ("Content-Length", "5"), method="PUT", body=b"hello"), 405),
    ("method-lower-case", request("/feed.atom", method="get"), 400),
    ("method-30-chars", request("/feed.atom", method="A" * 30), 400),
    ("HEAD", request("/feed.atom", method="HEAD"), 200),
    # Framing.
    ("http-1.0", request("/feed.atom", version="HTTP/1.0"), 200),
    ("get-with-body", request("/feed.atom", ("Content-Length", "5"), body=b"hello"), 200),
    (
        "content-length-and-chunked",
        request(
            "/feed.atom",
            ("Content-Length", "5"),
            ("Transfer-Encoding", "chunked"),
            body=b"0\r\n\r\n",
        ),
        400,
    ),
    ("two-hosts", request("/feed.atom", ("Host", "other.example")), 400),
    ("garbage-line", b"GARBAGE\r\n\r\n", 400),
]


DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _fill(data: bytes, feed: Reply) -> bytes:
    """Put /feed.atom's ETag and Last-Modified (in each HTTP-date form) where a case names them.
    Names are spelled out here: strftime's would follow the locale."""
    modified = feed.headers["last-modified"]
    t = parsedate_to_datetime(modified).astimezone(UTC)
    day, month, hms = DAYS[t.weekday()], MONTHS[t.month - 1], f"{t:%H:%M:%S}"
    return (
        data.replace(b"ETAG", feed.headers["etag"].encode())
        .replace(b"RFC850", f"{day}, {t.day:02d}-{month}-{t.year % 100:02d} {hms} GMT".encode())
        .replace(b"ASCTIME", f"{day[:3]} {month} {t.day:2d} {hms} {t.year}".encode())
        .replace(b"EARLIER", format_datetime(t - timedelta(seconds=1), usegmt=True).encode())
        .replace(b"NUMERIC", modified.replace("GMT", "+0000").encode())
        .replace(b"MODIFIED", modified.encode())
    )


@pytest.mark.parametrize(("data", "status"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_a_hostile_request_gets_a_correct_answer(
    server: Server, feed: Reply, data: bytes, status: int
) -> None:
    mark = server.log.stat().st_size
    r = server.send(_fill(data, feed))
    assert r.status == status, r.body[:300]
    if r.headers.get("content-type") == "text/html":  # gunicorn's own answer to a broken request
        assert status in (400, 414, 431) and r.body.startswith(b"<html>")
    elif status >= 400:  # the app's: one line of plain text
        assert status in ERRORS_OF_THE_APP
        assert r.headers["content-type"] == "text/plain; charset=utf-8"
        assert r.body.endswith(b"\n") and len(r.body) < 100, r.body
    elif (
        status == 200
        and data.startswith(b"GET")
        and data.split(b"\r\n")[0].endswith((b"/feed.atom HTTP/1.1", b"/feed.atom HTTP/1.0"))
    ):
        assert r.headers["etag"] == feed.headers["etag"] and r.body == feed.body
    elif (status == 200 and data.startswith(b"HEAD")) or status == 304:
        assert r.body == b"" and r.headers["etag"] == feed.headers["etag"]
    log = server.log.read_bytes()[mark:].decode("utf-8", errors="replace")
    assert "Traceback" not in log and "ERROR" not in log, log


def test_a_doubled_slash_is_the_same_feed(server: Server, feed: Reply) -> None:
    """Werkzeug merges slashes: //feed.atom is /feed.atom, not a second cache entry."""
    r = server.send(request("//feed.atom"))
    assert (r.status, r.headers["etag"]) == (200, feed.headers["etag"])


@pytest.mark.parametrize(
    ("accept", "gzipped"),
    [
        ("gzip;q=0", False),  # q=0 means "not acceptable" (RFC 9110 12.4.2)
        ("gzip;q=0, identity", False),
        ("*", True),
        ("*;q=0", False),  # identity is then refused too; the server may disregard that (12.5.3)
        ("identity;q=0", False),
        ("gzip;q=0, identity;q=0", False),
        ("GZIP", True),  # codings are case-insensitive
        ("gzip;q=0.001", True),
        ("gzip;q=abc", None),
        ("gzip;q=1e400", None),
        ("gzip;q=nan", None),
        ("gzip;q=-1", None),
        (";;;,,,===", None),
        ("br, zstd, deflate", False),
        ("x" * 8000, False),
        ("é", False),
    ],
)
def test_odd_accept_encoding_gives_the_same_feed(
    server: Server, feed: Reply, accept: str, gzipped: bool | None
) -> None:
    """Whatever the field says, the answer is /feed.atom in a coding the headers name;
    ``None``: either coding is right for a field this broken."""
    r = server.send(request("/feed.atom", ("Accept-Encoding", accept.encode("latin-1"))))
    assert r.status == 200
    coded = r.headers.get("content-encoding") == "gzip"
    if gzipped is not None:
        assert coded == gzipped
    assert (gzip.decompress(r.body) if coded else r.body) == feed.body
    assert r.headers["etag"] == (
        feed.headers["etag"][:-1] + '-gz"' if coded else feed.headers["etag"]
    )
    assert r.headers["vary"] == "Accept-Encoding"


# -- memory under a flood --------------------------------------------------------------------------


_MANY_TAGS = tags(600)


def flood_request(i: int, paths: list[str], etag: str) -> tuple[bytes, set[int]]:
    """The ``i``-th request of the flood and the statuses it may get: the cases above in bulk,
    each made distinct by ``i`` where the server might remember it. Answers with a body ask for
    gzip, so that the client spends less time reading."""
    path = paths[i % len(paths)]
    gz = ("Accept-Encoding", "gzip")
    kind = i % 12
    if kind == 0:  # an unknown parameter: must not be a new cache entry
        return request(f"{path}?utm_source={i}&x{i}={i}", gz), {200}
    if kind == 1:  # a new limit: a new cache entry, within the cache's bound
        return request(f"{path}?limit={1 + i // 12 % 200}&u={i}", gz), {200}
    if kind == 2:
        return request(f"/tag/nope-{i}.rss"), {404}
    if kind == 3:
        return request(f"/category/..%2f..%2f{i}%2fpasswd.atom"), {404}
    if kind == 4:
        return request("/" + "a" * (5_000 + i % 20_000)), {414}
    if kind == 5:
        return request(path, ("If-Modified-Since", f"Sat, 01 Jan {i} 00:00:00 GMT"), gz), {200, 304}
    if kind == 6:
        return request("/feed.atom", ("If-None-Match", f'{_MANY_TAGS}, "{i}", {etag}')), {304}
    if kind == 7:
        return request(path, ("If-None-Match", "a" * (9_000 + i))), {431}
    if kind == 8:
        return request(path, method=("TRACE", "PROPFIND", "DELETE", "OPTIONS")[i // 12 % 4]), {405}
    if kind == 9:
        return request(f"{path}?limit={('-1', '1e9', str(10**9 + i), '0')[i // 12 % 4]}"), {400}
    if kind == 10:
        return request(path, ("Accept-Encoding", f"gzip;q=0.{i % 1000:03d}, x-{i};q=1")), {200}
    return request(f"/{i}" + "/.." * 500), {404}


@pytest.mark.slow
def test_a_flood_of_hostile_requests_leaves_memory_flat(server: Server, feed: Reply) -> None:
    """Every answer right, no worker lost, and each worker's RSS after the flood within
    ``GROWTH`` of what it was after the warm-up (which filled the cache to its bound)."""
    paths = _feed_paths(server)
    workers = server.workers()
    etag = feed.headers["etag"]

    def flood(first: int, count: int) -> Counter[str]:
        wrong: Counter[str] = Counter()
        lock = threading.Lock()

        def run(k: int) -> None:
            for i in range(first + k, first + count, THREADS):
                data, allowed = flood_request(i, paths, etag)
                try:
                    answer = str(exchange(server.port, data).status)
                except OSError as e:
                    answer = repr(e)
                if answer not in map(str, allowed):
                    with lock:
                        wrong[f"kind {i % 12}: {answer}"] += 1

        threads = [threading.Thread(target=run, args=(k,)) for k in range(THREADS)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return wrong

    assert not flood(0, WARM_UP)
    before = server.rss()
    started = time.monotonic()
    wrong = flood(WARM_UP, FLOOD)
    seconds = time.monotonic() - started
    after = server.rss()
    assert not wrong, wrong
    assert server.workers() == workers, "no worker died"
    growth = {pid: after[pid] - before[pid] for pid in workers}
    print(
        f"\n{FLOOD} hostile requests in {seconds:.1f} s; worker RSS "
        + ", ".join(f"{before[p] / 1e6:.1f} -> {after[p] / 1e6:.1f} MB" for p in workers)
    )
    assert all(g < GROWTH for g in growth.values()), growth
    assert server.get("/feed.atom").body == feed.body


def _feed_paths(server: Server) -> list[str]:
    return feed_paths(server.get("/feeds.opml").body.decode())


def feed_paths(opml: str) -> list[str]:
    """Every feed's path: each scope of the OPML list (which names its Atom feed) in every format."""
    atoms = [
        u.removeprefix("https://finews.withounder.com")
        for u in re.findall(r'xmlUrl="([^"]+)"', opml)
    ]
    return [p.removesuffix(".atom") + "." + fmt for p in atoms for fmt in ("atom", "rss", "json")]


# -- what the app decides, in process ------------------------------------------------------------


@pytest.fixture
def make_app(
    write_config: Callable[..., Path], finews_copy: Path
) -> Iterator[Callable[..., Flask]]:
    apps: list[Flask] = []

    def make(extra: str = "") -> Flask:
        app = create_app(config.load(write_config(extra, source=finews_copy)))
        apps.append(app)
        return app

    yield make
    for app in apps:
        app.extensions["feeds"].close()


def test_unknown_parameters_are_not_cache_keys(make_app: Callable[..., Flask]) -> None:
    app = make_app()
    feeds, client = app.extensions["feeds"], app.test_client()
    first = client.get("/feed.atom")
    builds, entries = feeds.cache.builds, len(feeds.cache.store)
    for i in range(2000):
        r = client.get(f"/feed.atom?utm_source={i}&x{i}=%ff&&={i}")
        assert r.status_code == 200 and r.data == first.data
    for same in ("limit=50", "limit=050", "limit=50&limitx=1", "LIMIT=3"):  # 50 is the default
        assert client.get(f"/feed.atom?{same}").data == first.data
    assert (feeds.cache.builds, len(feeds.cache.store)) == (builds, entries)


@pytest.mark.slow
def test_thousands_of_distinct_queries_stay_within_the_cache_bound(
    make_app: Callable[..., Flask],
) -> None:
    bound = 100_000
    app = make_app(f"[cache]\nmax_bytes = {bound}\n")
    feeds, client = app.extensions["feeds"], app.test_client()
    store = feeds.cache.store
    assert isinstance(store, MemoryStore)
    paths = feed_paths(client.get("/feeds.opml").text)
    assert len(paths) >= 20
    asked = 0
    for limit in range(1, 51):  # small feeds: quick to build, and many fit in the bound
        for path in paths:
            r = client.get(f"{path}?limit={limit}&n={asked}")
            assert r.status_code == 200
            assert store.bytes <= bound
            asked += 1
    assert asked >= 1000
    assert feeds.cache.builds == asked + 1, "each (feed, limit) built once, and the OPML list"
    assert len(store) < asked // 20, "the least recently used went"
    assert client.get("/feed.atom?limit=200").status_code == 200 and store.bytes <= bound


IF_MODIFIED_SINCE = [
    ("Sun, 06 Nov 1994 08:49:37 GMT", 200),
    ("Sunday, 06-Nov-94 08:49:37 GMT", 200),
    ("Sun Nov  6 08:49:37 1994", 200),
    ("Fri, 31 Dec 9999 23:59:59 GMT", 304),
    ("Friday, 31-Dec-99 23:59:59 GMT", 200),  # two-digit year: 1999, not 2099 (RFC 9110 5.6.7)
    ("Fri Dec 31 23:59:59 9999", 304),
    ("Fri, 31 Dec 9999 23:59:60 GMT", 304),  # a leap second
    ("fri, 31 dec 9999 23:59:59 gmt", 200),  # HTTP-date is case-sensitive: not one, so ignored
    ("Fri, 31 Dec 9999 23:59:59 UTC", 200),
    ("Fri, 31 Dec 9999 23:59:59", 200),
    ("31 Dec 9999 23:59:59 GMT", 200),
    ("9999-12-31T23:59:59Z", 200),
    ("Sat, 00 Jan 9999 00:00:00 GMT", 200),
    ("Sat, 01 Jan 0000 00:00:00 GMT", 200),
    ("Sat, 01 Jan 99999999999999999999 00:00:00 GMT", 200),
    ("Sat, 01 Jan 2000 00:00:00 +99999999999999999999", 200),
    ("\x00", 200),
    ("", 200),
]


def test_if_modified_since_takes_one_http_date(make_app: Callable[..., Flask]) -> None:
    """RFC 9110 13.1.3: ignored unless it is one valid HTTP-date, in any of the three forms of
    5.6.7; a valid date is compared as it is, even one far in the future."""
    client = make_app().test_client()
    got = {
        value: client.get("/feed.atom", headers={"If-Modified-Since": value}).status_code
        for value, _ in IF_MODIFIED_SINCE
    }
    assert got == dict(IF_MODIFIED_SINCE)


def test_ten_thousand_entity_tags_are_answered_quickly(make_app: Callable[..., Flask]) -> None:
    """gunicorn refuses such a field (431), another WSGI server might pass it on."""
    client: FlaskClient = make_app().test_client()
    etag = client.get("/feed.atom").headers["ETag"]
    started = time.monotonic()
    assert client.get("/feed.atom", headers={"If-None-Match": tags(10_000)}).status_code == 200
    assert (
        client.get("/feed.atom", headers={"If-None-Match": tags(10_000, etag)}).status_code == 304
    )
    assert (
        client.get("/feed.atom", headers={"If-None-Match": "W/" + etag + ", " * 50_000}).status_code
        == 304
    )
    assert time.monotonic() - started < 2


def test_a_failed_build_leaves_nothing_behind() -> None:
    """A build that raises (the index moved, or broke) must not leave its key's lock behind:
    a stream of such keys would grow the process without bound."""
    cache = Cache(MemoryStore(1_000_000))

    def fail() -> None:
        raise RuntimeError("index moved")

    for i in range(100):
        with pytest.raises(RuntimeError):
            cache.get(f"key-{i}", fail)
    assert cache._building == {}
