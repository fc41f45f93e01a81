"""Keyword feeds: the query language, the n-gram index checked against a plain scan of the posts,
and ``/search.<fmt>?q=`` over the service."""

from __future__ import annotations

import json
import os
import sqlite3
import time
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote_plus

import pytest
import zstandard
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import given, settings
from hypothesis import strategies as st

from feeds import config, search
from feeds.filters import Entry
from feeds.index import Index, grams, texts
from feeds.index import search as search_index
from feeds.index.schema import SCHEMA, micros
from feeds.jekyll import files
from feeds.jekyll import posts as jekyll_posts
from feeds.model import SITE
from feeds.web import create_app
from tests import feedcheck, html_check
from tests.test_index import make_index
from tests.test_rendering import index  # noqa: F401 - the fixture: an index of the sample site

NOW = datetime(2026, 1, 1, tzinfo=UTC)
SITE_URL = "https://finews.withounder.com"


def scan(root: Path, q: str, limit: int = 1000) -> list[str]:
    """Paths of the posts answering ``q``, newest first, by reading every file: the reference."""
    query = search.parse(q)
    rules = make_index(root, root / "unused").rules
    found = []
    for path in sorted(p.relative_to(root).as_posix() for p in root.rglob("_posts/*")):
        source = files.stat_post(root, path)
        parsed = jekyll_posts.parse(source, rules) if source else None
        if (
            parsed
            and parsed.post
            and parsed.post.date <= NOW
            and query.matches(search.searchable(parsed.post.title, parsed.text))
        ):
            found.append(parsed.post)
    found.sort(key=lambda p: (-p.date.timestamp(), p.path))
    return [p.path for p in found[:limit]]


def searched(ix: Index, q: str, limit: int = 1000) -> list[str]:
    return [s.post.path for s in ix.search(search.parse(q), NOW, limit)]


@pytest.mark.parametrize(
    "q",
    [
        "蔚来",
        "锂",
        "HFO-1234yf",
        "hfo-1234YF",
        "国内",
        "新能源 汽车",
        '"新能源汽车"',
        "新能源 -汽车",
        '锂 -"锂电池"',
        "电池 -锂",
        "a",
        "%",
        "_",
    ],
)
def test_a_query_finds_what_a_plain_scan_finds(index: Index, finews_copy: Path, q: str) -> None:
    assert searched(index, q) == scan(finews_copy, q)


def test_the_queries_find_something_and_not_everything(index: Index, finews_copy: Path) -> None:
    total = len(scan(finews_copy, "的"))
    for q in ("蔚来", "锂", "HFO-1234yf", '"新能源汽车"', "新能源 -汽车"):
        assert 0 < len(searched(index, q)) < total, q


def test_every_file_holding_a_word_is_found(index: Index, finews_copy: Path) -> None:
    holding = {
        p.relative_to(finews_copy).as_posix()
        for p in finews_copy.rglob("_posts/*.md")
        if "锂" in p.read_text(encoding="utf-8", errors="replace").split("\n---", 1)[-1]
    }
    published = {s.post.path for s in index.search(search.parse("锂"), NOW, 1000)}
    assert holding and holding <= published | {
        p for p in holding if p not in scan(finews_copy, "的")
    }


def test_the_limit_keeps_the_newest(index: Index, finews_copy: Path) -> None:
    assert searched(index, "的", 3) == scan(finews_copy, "的", 3)


def test_a_refresh_keeps_the_search_current(index: Index, finews_copy: Path) -> None:
    old = searched(index, "蔚来")
    gone = finews_copy / old[0]
    gone.unlink()
    new = finews_copy / "_posts" / "2023-01-02-weilai.md"
    new.write_text(
        '---\ntitle: "蔚来发布新车"\ndate: 2023-01-02 10:00:00 +0800\n---\n正文：锂电池\n',
        encoding="utf-8",
    )
    index.refresh()
    assert searched(index, "蔚来") == scan(finews_copy, "蔚来")
    assert "_posts/2023-01-02-weilai.md" in searched(index, "锂电池")
    new.write_text(
        '---\ntitle: "理想发布新车"\ndate: 2023-01-02 10:00:00 +0800\n---\n正文\n', encoding="utf-8"
    )
    os.utime(new, ns=(1, 1))
    index.refresh()
    assert "_posts/2023-01-02-weilai.md" not in searched(index, "锂电池") + searched(index, "蔚来")


def test_a_scan_reads_at_most_its_budget(index: Index) -> None:
    """A question no post answers reads the whole history only while it is within the budget;
    past it the scan stops with what it found and says it was not whole."""
    every = [s.post.path for s in index.posts(SITE, NOW, 100_000)]  # newest first, as scanned
    read: list[str] = []

    def nothing(entry: Entry) -> bool:
        read.append(entry.title)
        return False

    assert index.select(NOW, 10, accept=nothing, budget=7) == ((), False)
    assert len(read) == 7
    read.clear()
    assert index.select(NOW, 10, accept=nothing) == ((), True)
    assert len(read) == len(every) > 7

    def lithium(entry: Entry) -> bool:
        return "锂".encode() in entry.description

    holding = index.select(NOW, 50, accept=lithium)[0]
    assert len(holding) > 2
    cut = every.index(holding[1].post.path) + 1  # the posts read to find the second
    assert index.select(NOW, 50, accept=lithium, budget=cut) == (holding[:2], False)
    assert index.select(NOW, 2, accept=lithium, budget=cut) == (holding[:2], True)
    assert search_index.BUDGET >= 10 * 200, "far above the largest limit"


def test_a_scan_finds_the_same_however_few_ids_it_reads_at_first(
    finews_copy: Path, tmp_path: Path
) -> None:
    """Words few posts hold are read whole and their posts sorted; commoner ones are read from
    the newest id down as far as the walk through the history needs (``few`` at first), and a
    walk that finds them rarely goes on with the rest of their posts, sorted. Each way a scan
    finds what a plain scan finds, and stops at the same post for its budget, also where ids
    do not follow dates (posts edited, some added with an old date)."""
    for name in sorted(p.name for p in (finews_copy / "_posts").iterdir())[::7]:
        with (finews_copy / "_posts" / name).open("a", encoding="utf-8") as f:
            f.write("\n锂\n")  # a new row, so a new id, for an old post
    for n in (1, 2):  # the only posts with 旧闻, at one instant: a walk gives up on reaching them
        (finews_copy / "_posts" / f"2019-05-01-old{n}.md").write_text(
            f'---\ntitle: "蔚来旧闻{n}"\ndate: 2019-05-01 10:00:00 +0800\n---\n锂电池 国内\n',
            encoding="utf-8",
        )
    (finews_copy / "A" / "_posts").mkdir(parents=True)  # before "_posts": the first id
    (finews_copy / "A" / "_posts" / "2025-12-31-new.md").write_text(
        "---\ntitle: 新闻\ndate: 2025-12-31 10:00:00 +0800\n---\n锂 国内 汽车 HFO-1234yf\n",
        encoding="utf-8",
    )
    ix = make_index(finews_copy, tmp_path / "index.sqlite3")
    try:
        ix.refresh()
        with sqlite3.connect(ix.path) as db:
            path = dict(db.execute("SELECT id, path FROM posts"))
            by_date = [i for (i,) in db.execute("SELECT id FROM posts ORDER BY ts DESC, path")]
            assert by_date[0] == min(by_date), "the newest post must have the first id"
            order = db.execute(
                "SELECT ts, path FROM posts WHERE ts <= ? ORDER BY ts DESC, path", (micros(NOW),)
            ).fetchall()
            tie = [p for _, p in order].index("_posts/2019-05-01-old1.md")
            for k in (0, tie, tie + 1, len(order) - 1):  # where a walk goes on sorted
                after = search_index._holders(db, path, micros(NOW), 0, [], after=order[k])
                assert [p for _, p, *_ in after] == [p for _, p in order[k + 1 :]]

            def found(few: int, budget: int, **asked: Any) -> tuple[list[str], bool]:
                ids, whole = search_index.scan(
                    db, micros(NOW), 1000, budget=budget, few=few, **asked
                )
                return [path[i] for i in ids], whole

            queries = (
                "锂",
                "蔚来",
                "国内",
                "HFO-1234yf",
                "新能源 -汽车",
                '锂 -"锂电池"',
                "锂 a",
                "旧闻",
            )
            for few in (1, 3, 40, search_index.FEW):
                for q in queries:
                    assert found(few, 2000, query=search.parse(q)) == (scan(finews_copy, q), True)
                    for budget in (1, 5, 30):
                        asked = {"query": search.parse(q), "contains": [["国内", "锂"]]}
                        assert found(few, budget, **asked) == found(2000, budget, **asked)
    finally:
        ix.close()


def test_folding_makes_no_caseless_character() -> None:
    """What :meth:`search.Query.in_utf8` rests on, over all of Unicode."""
    made = {c for d in map(chr, range(0x110000)) if d.lower() != d for c in d.lower()}
    assert "a" in made and "\u0307" in made
    assert [c for c in made if search._caseless(c)] == []


#: Terms and texts where folding matters: letters that lower-case to others, or to two.
_FOLDED = st.text(alphabet=st.sampled_from("蔚来锂aAİiı\u0307ΣσςßS 1-"), max_size=12)


@settings(max_examples=300, deadline=None)
@given(_FOLDED, st.lists(_FOLDED, min_size=1, max_size=3), st.lists(_FOLDED, max_size=2))
def test_a_query_answers_the_utf8_as_it_answers_the_text(
    text: str, include: list[str], exclude: list[str]
) -> None:
    include = [t for t in map(search.fold, include) if t] or ["锂"]
    query = search.Query(tuple(include), tuple(t for t in map(search.fold, exclude) if t))
    searchable = search.searchable(text, text[::-1])
    assert query.in_utf8()(searchable.encode()) == query.matches(searchable)


def grams_of(ix: Index, term: str) -> int:
    """How many posts the grams alone find holding ``term`` (one or two characters)."""
    with sqlite3.connect(ix.path) as db:
        found: int = db.execute(
            "SELECT COUNT(*) FROM grams WHERE grams MATCH ?", (grams.query(term),)
        ).fetchone()[0]
    return found


def words_of(ix: Index) -> int:
    """How many posts have their words stored."""
    with sqlite3.connect(ix.path) as db:
        found: int = db.execute("SELECT COUNT(*) FROM words").fetchone()[0]
    return found


def test_a_fill_without_search_leaves_the_words_out_then_catches_up(
    finews_copy: Path, tmp_path: Path
) -> None:
    """An export's fill leaves the words and grams out: a query finds nothing in those posts
    until a refresh with search gives them their words (reading their files again) and
    grams, for new posts and old; posts added, edited and removed in between included."""
    ix = make_index(finews_copy, tmp_path / "index.sqlite3")
    try:
        queries = ("蔚来", "锂", '"新能源汽车"', "电池 -锂")
        ix.refresh(search=False)
        assert words_of(ix) == grams_of(ix, "锂") == 0
        assert all(searched(ix, q) == [] for q in queries)
        ix.refresh()
        assert words_of(ix) == len(ix.posts(SITE, NOW, 1000))
        assert grams_of(ix, "锂") == len(scan(finews_copy, "锂")) > 0
        for q in queries:
            assert searched(ix, q) == scan(finews_copy, q), q
        new = finews_copy / "_posts" / "2023-01-02-weilai.md"
        new.write_text(
            '---\ntitle: "蔚来发布新车"\ndate: 2023-01-02 10:00:00 +0800\n---\n正文：锂电池\n',
            encoding="utf-8",
        )
        (finews_copy / searched(ix, "锂")[-1]).unlink()
        edited = finews_copy / searched(ix, "蔚来")[0]
        edited.write_text(edited.read_text(encoding="utf-8") + "\n氘氚聚变\n", encoding="utf-8")
        ix.refresh(search=False)  # one post without words, one edited, one gone that had them
        wordless = {f.relative_to(finews_copy).as_posix() for f in (new, edited)}
        for q in queries:
            assert searched(ix, q) == [p for p in scan(finews_copy, q) if p not in wordless], q
        assert searched(ix, "氘氚聚变") == []
        ix.refresh()
        assert searched(ix, "氘氚聚变") == scan(finews_copy, "氘氚聚变") != []
        for q in queries:
            assert searched(ix, q) == scan(finews_copy, q), q
        new.unlink()  # gone before it had words
        (finews_copy / searched(ix, "锂")[-1]).unlink()
        ix.refresh()
        assert grams_of(ix, "锂") == len(scan(finews_copy, "锂"))
        for q in queries:
            assert searched(ix, q) == scan(finews_copy, q), q
    finally:
        ix.close()


def test_a_post_whose_file_changed_since_waits_for_the_refresh_that_reads_it(
    finews_copy: Path, tmp_path: Path
) -> None:
    """The catch-up reads only files that are still the ones their post was parsed from: a
    post whose file changed, and is left for later as still being written, gets no words (nor
    another version's), and the refresh that replaces it gives it its words."""
    ix = make_index(finews_copy, tmp_path / "index.sqlite3")
    try:
        ix.refresh(search=False)
        target = sorted((finews_copy / "_posts").iterdir())[5]
        rel = target.relative_to(finews_copy).as_posix()
        target.write_text(target.read_text(encoding="utf-8") + "\n鲲鹏\n", encoding="utf-8")
        now = target.stat().st_mtime_ns
        r = ix.refresh(settle=5.0, now_ns=now)
        assert r.unsettled == (rel,) and not ix.searchable
        assert words_of(ix) == len(ix.posts(SITE, NOW, 1000)) - 1
        assert searched(ix, "鲲鹏") == []
        for q in ("蔚来", "锂"):  # every other post is found
            assert searched(ix, q) == [p for p in scan(finews_copy, q) if p != rel], q
        r = ix.refresh(settle=5.0, now_ns=now + 10**10)
        assert r.changed == 1 and ix.searchable
        assert searched(ix, "鲲鹏") == [rel]
    finally:
        ix.close()


#: Text as posts hold it: Chinese, ASCII letters, digits and punctuation, spaces, FTS5's syntax.
_TEXT = st.text(alphabet=st.sampled_from('蔚来锂电池的汽车国內aBz09 -"*^():.%_'), max_size=40)


@settings(max_examples=300, deadline=None)
@given(_TEXT, st.data())
def test_the_grams_find_every_short_term_and_nothing_else(text: str, data: st.DataObject) -> None:
    """Through FTS5 itself: a term of one or two characters finds a text exactly when the text
    (folded, its white space runs made one space) contains it."""
    folded = search.searchable(text, "").lower()
    db = sqlite3.connect(":memory:")
    try:
        db.executescript(SCHEMA + search_index.SCHEMA)
        db.execute("INSERT INTO words VALUES (1, ?)", (texts._packed(folded),))
        db.execute("INSERT INTO grams (rowid, g) VALUES (1, ?)", (grams.stream(folded),))
        inside = [folded[i : i + n] for n in (1, 2) for i in range(len(folded) - n + 1)]
        terms = st.text(alphabet=st.sampled_from('蔚来锂az0-"*'), min_size=1, max_size=2)
        if words := [t for t in inside if t.split() == [t]]:  # terms hold no white space
            terms |= st.sampled_from(words)
        term = data.draw(terms)
        found = db.execute(
            "SELECT rowid FROM grams WHERE grams MATCH ?", (grams.query(term),)
        ).fetchall()
        assert bool(found) == (term in folded), (folded, term)
    finally:
        db.close()


@pytest.mark.parametrize(
    ("q", "canonical"),
    [
        ("蔚来", "蔚来"),
        ("  B a  A ", "a b"),
        ('"x  Y" -z', '"x y" -z'),
        ("a -a", "a"),
        ('-"-x" y', 'y -"-x"'),
    ],
)
def test_a_query_has_one_spelling(q: str, canonical: str) -> None:
    assert search.parse(q).canonical == canonical
    assert search.parse(canonical) == search.parse(q)


@pytest.mark.parametrize(
    "q", ["", "   ", "-x", "x" * (search.MAX_QUERY + 1), "a\x00b", " ".join("abcdefghijklmnopq")]
)
def test_a_bad_query_is_refused(q: str) -> None:
    with pytest.raises(search.QueryError, match=r"^q "):
        search.parse(q)


@pytest.fixture
def client(write_config: Callable[..., Path], finews_copy: Path) -> Iterator[FlaskClient]:
    app: Flask = create_app(
        config.load(write_config("[cache]\nrefresh_seconds = 0.4\n", source=finews_copy))
    )
    yield app.test_client()
    app.extensions["feeds"].close()


def test_a_keyword_feed_over_http(client: FlaskClient, finews_copy: Path) -> None:
    r = client.get("/search.json?q=蔚来")
    assert r.status_code == 200
    doc = json.loads(r.data)
    assert "蔚来" in doc["title"]
    assert doc["feed_url"] == "https://finews.withounder.com/search.json?q=%E8%94%9A%E6%9D%A5"
    assert [i["url"] for i in doc["items"]] == [
        i["url"] for i in json.loads(client.get("/search.json?q=%E8%94%9A%E6%9D%A5").data)["items"]
    ]
    assert len(doc["items"]) == len(scan(finews_copy, "蔚来"))


def test_two_spellings_share_one_document(client: FlaskClient) -> None:
    a, b = (
        client.get("/search.atom?q=新能源 汽车"),
        client.get("/search.atom?q=汽车++新能源&utm_source=x"),
    )
    assert a.status_code == b.status_code == 200
    assert a.headers["ETag"] == b.headers["ETag"]


def test_the_self_link_is_escaped(client: FlaskClient) -> None:
    body = client.get("/search.atom?q=" + "a%26b%3Cc").data
    assert b'href="https://finews.withounder.com/search.atom?q=a%26b%3Cc"' in body
    assert b"<title>" in body and b"a&amp;b&lt;c" in body


@pytest.mark.parametrize(
    "query", ["", "?q=", "?q=%00x", "?q=" + "x" * 201, "?q=a&q=b", "?q=-x", "?q=%0a%0d"]
)
def test_a_bad_query_is_a_400_naming_q(client: FlaskClient, query: str) -> None:
    r = client.get("/search.rss" + query)
    assert r.status_code == 400
    assert r.data.startswith(b"q ")


def test_the_index_page_has_a_search_box(client: FlaskClient) -> None:
    page = client.get("/").data.decode()
    assert '<form class="search" role="search" method="get" action="search/">' in page
    assert 'name="q"' in page


@pytest.mark.parametrize("fmt", ["atom", "rss", "json"])
def test_keyword_feeds_are_valid(client: FlaskClient, fmt: str) -> None:
    for q in ("蔚来", "%E8%94%9A%E6%9D%A5+-%22%3Cx%26%22", "锂 -电池"):  # 蔚来 -"<x&"
        r = client.get(f"/search.{fmt}?q={q}")
        base = f"https://finews.withounder.com/search.{fmt}?{search.parse(unquote_plus(q)).href}"
        feedcheck.assert_valid(r.data, fmt, base)


@pytest.mark.parametrize("fmt", ["atom", "rss"])
def test_a_feed_that_finds_nothing_is_dated_by_the_newest_post(
    client: FlaskClient, fmt: str
) -> None:
    """Not the epoch, which the W3C validator calls implausible (ImplausibleDate)."""
    found = ET.fromstring(client.get(f"/search.{fmt}?q=不存在的词zz").data)
    assert found.find("{*}entry") is None and found.find("channel/item") is None
    site = ET.fromstring(client.get("/feed.atom").data)
    newest = datetime.fromisoformat(site.findtext("{*}entry/{*}updated") or "")
    if fmt == "atom":
        assert datetime.fromisoformat(found.findtext("{*}updated") or "") == newest
    else:
        assert parsedate_to_datetime(found.findtext("channel/lastBuildDate") or "") == newest


def test_a_flood_of_queries_leaves_the_site_feeds_cached(
    write_config: Callable[..., Path], finews_copy: Path
) -> None:
    app = create_app(
        config.load(write_config("[cache]\nmax_bytes = 2000000\n", source=finews_copy))
    )
    client, feeds = app.test_client(), app.extensions["feeds"]
    assert client.get("/feed.atom").status_code == 200
    site_builds = feeds.cache.builds
    started = time.perf_counter()
    for n in range(2000):
        assert client.get(f"/search.atom?q={n:04d}&limit=1").status_code == 200
    assert client.get("/feed.atom").status_code == 200
    assert feeds.cache.builds == site_builds  # served from its own cache throughout
    assert feeds.chosen.builds == 2000
    assert feeds.chosen.store.bytes <= feeds.chosen.store.max_bytes == 250_000
    assert len(feeds.chosen.store) < 2000  # the bound was reached: it evicted
    assert time.perf_counter() - started < 120
    feeds.close()


def test_a_huge_query_is_refused_quickly(client: FlaskClient) -> None:
    started = time.perf_counter()
    r = client.get("/search.atom?q=" + "锂" * 10_000)
    assert r.status_code == 400 and r.data.startswith(b"q ")
    assert time.perf_counter() - started < 1


# --- the search page, /search/?q= ------------------------------------------------------------


def page(client: FlaskClient, query: str) -> tuple[int, ET.Element]:
    """The status and parsed tree of the search page at ``?query``: valid HTML5 running our
    script alone, whatever the query."""
    r = client.get("/search/?" + query)
    assert r.headers["Content-Type"] == "text/html; charset=utf-8"
    tree = html_check.parse(r.data)
    html_check.check_safe(tree, SITE_URL)
    return r.status_code, tree


def test_the_search_page_lists_what_a_plain_scan_finds(
    client: FlaskClient, finews_copy: Path
) -> None:
    status, tree = page(client, "q=%E8%94%9A%E6%9D%A5")  # 蔚来
    found = scan(finews_copy, "蔚来")
    assert status == 200 and 0 < len(found) < 50
    titles = [a.get("href") for a in tree.iterfind(".//ol[@class='posts']/li/h3/a")]
    feed = json.loads(client.get("/search.json?q=蔚来").data)
    assert titles == [i["url"] for i in feed["items"]] and len(titles) == len(found)
    meta = tree.find("body/header/p[@class='meta']")
    assert meta is not None and html_check.text(meta).startswith(f"关键词订阅 · {len(found)} 篇")


def test_a_common_word_shows_the_newest_it_finds(client: FlaskClient, finews_copy: Path) -> None:
    assert len(scan(finews_copy, "的")) > 50
    status, tree = page(client, "q=的")
    assert status == 200 and len(list(tree.iterfind(".//ol[@class='posts']/li"))) == 50
    meta = tree.find("body/header/p[@class='meta']")
    assert meta is not None and html_check.text(meta).startswith("关键词订阅 · 最新 50 篇匹配文章")


@pytest.mark.parametrize(
    "query",
    [
        "q=%E8%94%9A%E6%9D%A5",
        "q=%E8%94%9A%E6%9D%A5&opencc=s2t&filter_title=%E8%94%9A&category=emnews&brief=120",
        "q=%3Cscript%3Ealert(1)%3C/script%3E+-%22a%26b%22+%27x%27",
    ],
)
def test_each_format_the_page_names_is_the_feed_at_that_address(
    client: FlaskClient, query: str
) -> None:
    """The autodiscovery links, the addresses to copy and the feeds' own self links agree:
    what the page offers is what a reader subscribes to, filters and conversion included."""
    status, tree = page(client, query)
    assert status == 200
    found = [
        (link.get("type"), link.get("href"))
        for link in tree.iter("link")
        if link.get("rel") == "alternate"
    ]
    assert [t for t, _ in found] == [
        "application/atom+xml",
        "application/rss+xml",
        "application/feed+json",
    ]
    copied = [i.get("value") for i in tree.iterfind(".//ul[@class='urls']/li/input")]
    assert copied == [href for _, href in found]
    for (_, href), fmt in zip(found, ("atom", "rss", "json")):
        assert href is not None and href.startswith(f"{SITE_URL}/search.{fmt}?q=")
        feed = client.get(href.removeprefix(SITE_URL))
        assert feed.status_code == 200
        feedcheck.assert_valid(feed.data, fmt, href)


def test_the_box_carries_the_other_parameters(client: FlaskClient) -> None:
    status, tree = page(client, "q=%E8%94%9A%E6%9D%A5&opencc=s2t&filter_title=%E8%94%9A&x=1")
    assert status == 200
    form = tree.find(".//form[@class='search']")
    assert form is not None
    assert [(i.get("name"), i.get("value")) for i in form.iter("input")] == [
        ("q", "蔚来"),
        ("filter_title", "蔚"),
        ("opencc", "s2t"),
    ]


@pytest.mark.parametrize("query", ["", "q=", "q=+++", "x=1"])
def test_no_query_is_the_box_alone(client: FlaskClient, query: str) -> None:
    status, tree = page(client, query)
    assert status == 200
    assert [i.get("name") for i in tree.iter("input")] == ["q"]
    assert tree.find(".//ol") is None and not [
        link for link in tree.iter("link") if link.get("rel") == "alternate"
    ]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("q=%00x", "q must be text: no control characters"),
        ("q=" + "锂" * 10_000, f"q must be at most {search.MAX_QUERY} characters"),
        ("q=a&q=b", "q must be given once"),
        ("q=-x", "q must name a word to look for"),
        ("q=x&filter_title=(", "filter_title is not a regular expression RE2 accepts"),
        ("q=x&opencc=x2y", "opencc must be one of"),
        ("q=x&brief=1", "brief must be a whole number"),
        ("filter=%3Cscript%3E(", "filter is not a regular expression RE2 accepts"),
    ],
)
def test_a_refused_search_is_a_400_page_naming_the_parameter(
    client: FlaskClient, query: str, message: str
) -> None:
    started = time.perf_counter()
    status, tree = page(client, query)
    assert time.perf_counter() - started < 1
    assert status == 400
    error = tree.find(".//p[@class='error']")
    assert error is not None and html_check.text(error).startswith(message)
    assert [i.get("name") for i in tree.iter("input")] == ["q"]


@pytest.mark.parametrize(
    "q",
    [
        "<script>alert(1)</script>",
        '"><img src=x onerror=alert(1)>',
        "' onmouseover='alert(1)",
        "</title><script>x</script>",
        "&amp; &lt;b&gt; %00 %3C",
        "锂" * search.MAX_QUERY,
    ],
)
def test_a_hostile_query_renders_as_text(client: FlaskClient, q: str) -> None:
    status, tree = page(client, "q=" + quote(q, safe=""))
    assert status == 200
    canonical = search.parse(q).canonical
    assert html_check.text(tree.find("body/header/h1")) == canonical  # type: ignore[arg-type]
    box = tree.find(".//input[@name='q']")
    assert box is not None and box.get("value") == canonical
    assert tree.find(".//title").text == f"金融消息 · {canonical}"  # type: ignore[union-attr]


# --- saved searches, [search] saved ----------------------------------------------------------


def test_a_saved_search_is_served_at_its_path_as_the_sites_own(
    write_config: Callable[..., Path], finews_copy: Path
) -> None:
    app = create_app(config.load(write_config('[search]\nsaved = ["蔚来"]\n', source=finews_copy)))
    client, feeds = app.test_client(), app.extensions["feeds"]
    try:
        for fmt in ("atom", "rss", "json"):
            r = client.get(f"/search/%E8%94%9A%E6%9D%A5.{fmt}?q=other&utm_source=x")
            assert r.status_code == 200
            feedcheck.assert_valid(r.data, fmt, f"{SITE_URL}/search/%E8%94%9A%E6%9D%A5.{fmt}")
        saved = json.loads(client.get("/search/蔚来.json").data)
        asked = json.loads(client.get("/search.json?q=蔚来").data)
        assert [i["id"] for i in saved["items"]] == [i["id"] for i in asked["items"]]
        assert saved["feed_url"] == f"{SITE_URL}/search/%E8%94%9A%E6%9D%A5.json"
        assert feeds.chosen.builds == 1, "a saved search is built in the site's cache"
        filtered = client.get("/search/蔚来.json?filter_title=NIO")
        assert filtered.status_code == 200 and feeds.chosen.builds == 2, "a request's choice"
        r = client.get("/search/%E8%94%9A%E6%9D%A5/")
        tree = html_check.parse(r.data)
        html_check.check_safe(tree, SITE_URL)
        assert [
            link.get("href") for link in tree.iter("link") if link.get("rel") == "alternate"
        ] == [f"{SITE_URL}/search/%E8%94%9A%E6%9D%A5.{fmt}" for fmt in ("atom", "rss", "json")]
        for path in ("/search/%E9%94%82.atom", "/search/%E9%94%82/", "/search/-x.atom"):
            assert client.get(path).status_code == 404, "only what is saved: as a static copy"
    finally:
        feeds.close()


def test_the_words_stored_are_the_searchable_text(finews_copy: Path) -> None:
    """What the index stores for a post, read back, is its searchable text, the body folded
    once (packed does not fold it again)."""
    rules = make_index(finews_copy, finews_copy / "unused").rules
    seen = 0
    for path in sorted(
        p.relative_to(finews_copy).as_posix() for p in finews_copy.rglob("_posts/*")
    ):
        source = files.stat_post(finews_copy, path)
        parsed = jekyll_posts.parse(source, rules) if source else None
        if parsed and parsed.post:
            stored = zstandard.decompress(texts.packed(parsed.post.title, parsed.text)).decode()
            assert stored == search.searchable(parsed.post.title, parsed.text)
            seen += 1
    assert seen > 100
