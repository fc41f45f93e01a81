"""pages.py: the OPML list, the index page and the preview pages, parsed back and pinned by golden files.

Golden files: ``FEEDS_REGEN_GOLDEN=1 pytest tests/test_pages.py`` rewrites them; review the diff.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import tomllib
import xml.etree.ElementTree as ET
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from urllib.parse import quote, unquote
from zoneinfo import ZoneInfo

import pytest
from lxml import etree

from feeds import urls
from feeds.model import FORMATS, SITE, Feed, Post, Scope, ScopeKind
from feeds.pages import Listing, index_page, opml, preview_page, search_page
from feeds.templating import Site

from . import html_check
from .conftest import REPO, check_golden

SITE_URL = "https://finews.withounder.com"
CREATED = datetime(2022, 1, 10, 8, 3, 44, tzinfo=timezone(timedelta(hours=8)))

EMNEWS = Scope(ScopeKind.CATEGORY, "emnews", "emnews")
SHENZHEN = Scope(ScopeKind.CATEGORY, "深圳", "深圳")
SCRIPT = Scope(ScopeKind.TAG, "script-alert-1-script", "<script>alert(1)</script>")
AMP = Scope(ScopeKind.TAG, "a-b", 'a & "b"')
# Deliberately not grouped: the lists put site, categories, tags in that order anyway.
LISTINGS = (
    Listing(SCRIPT, 1),
    Listing(EMNEWS, 12),
    Listing(SITE, 40),
    Listing(AMP, 2),
    Listing(SHENZHEN, 3),
)


def feed_url(scope: Scope, fmt: str) -> str:
    """What the layout says the feed's URL is, to check the lists agree with it."""
    return urls.feed_url(Feed(scope, "", "", SITE_URL, "en", "", ()), fmt)


# --- OPML -----------------------------------------------------------------------------------------


def test_opml_golden() -> None:
    check_golden("feeds.opml", opml("Finews", SITE_URL, LISTINGS, FORMATS, CREATED))


def test_opml_groups_site_categories_tags_one_xml_feed_each() -> None:
    root = etree.fromstring(opml("Finews", SITE_URL, LISTINGS, FORMATS, CREATED))
    assert root.tag == "opml" and root.get("version") == "2.0"
    assert root.findtext("head/title") == "Finews"
    assert root.findtext("head/dateCreated") == "Mon, 10 Jan 2022 08:03:44 +0800"
    groups = root.findall("body/outline")
    assert [g.get("text") for g in groups] == ["Site", "Categories", "Tags"]
    order = [[SITE], [EMNEWS, SHENZHEN], [SCRIPT, AMP]]
    for group, scopes in zip(groups, order, strict=True):
        outlines = group.findall("outline")
        assert [o.get("xmlUrl") for o in outlines] == [feed_url(s, "atom") for s in scopes]
        assert {o.get("type") for o in outlines} == {"rss"}
        assert [o.get("htmlUrl") for o in outlines] == [
            f"{SITE_URL}/{urls.page_href(s)}" if s.kind is not ScopeKind.SITE else f"{SITE_URL}/"
            for s in scopes
        ]


def test_opml_names_are_html_escaped_text() -> None:
    root = etree.fromstring(opml("Finews", SITE_URL, LISTINGS, FORMATS, CREATED))
    tags = root.findall("body/outline")[2].findall("outline")
    # OPML's text may hold HTML, so a name is HTML-escaped once more inside the XML.
    assert tags[0].get("text") == "&lt;script&gt;alert(1)&lt;/script&gt;"
    assert tags[0].get("title") == "&lt;script&gt;alert(1)&lt;/script&gt;"
    assert tags[1].get("text") == 'a &amp; "b"'
    site = root.find("body/outline/outline")
    assert site is not None and site.get("title") == "Finews"


def test_opml_with_one_format_leaves_it_out_and_skips_empty_groups() -> None:
    root = etree.fromstring(
        opml("Finews", SITE_URL, [Listing(SITE, 1), Listing(EMNEWS, 1)], ["rss"], None)
    )
    assert root.find("head/dateCreated") is None
    assert [g.get("text") for g in root.findall("body/outline")] == ["Site", "Categories"]
    assert [o.get("text") for o in root.iterfind("body/outline/outline")] == ["Finews", "emnews"]


def test_opml_of_an_untitled_site_names_its_host() -> None:
    root = etree.fromstring(opml("", SITE_URL, [Listing(SITE, 0)], ["atom"], None))
    assert root.findtext("head/title") == "finews.withounder.com"


def test_opml_is_deterministic() -> None:
    assert opml("Finews", SITE_URL, LISTINGS, FORMATS, None) == opml(
        "Finews", SITE_URL, list(LISTINGS), list(FORMATS), None
    )


# --- the HTML pages ---------------------------------------------------------------------------

ZONE = ZoneInfo("Asia/Shanghai")
SITE_INFO = Site("Finews & co", "财经新闻 <每日>", SITE_URL, "zh-CN", ZONE, FORMATS)
#: 00:03 UTC on the 10th is 08:03 in Shanghai; 18:00 UTC on the 9th is 02:00 on the 10th.
MORNING = datetime(2022, 1, 10, 0, 3, 44, tzinfo=UTC)
NIGHT = datetime(2022, 1, 9, 18, 0, tzinfo=UTC)
DATED = tuple(
    dataclasses.replace(listing, newest=NIGHT if listing.scope is SCRIPT else MORNING)
    for listing in LISTINGS
)
PAGE = index_page(SITE_INFO, DATED)


def post(title: str, when: datetime, summary: str, slug: str) -> Post:
    return Post(
        path=f"_posts/{slug}.md",
        slug=slug,
        title=title,
        date=when,
        updated=when,
        categories=("深圳",),
        tags=(),
        authors=(),
        url=f"{SITE_URL}/2022/01/10/{quote(slug)}.html",
        content_html="",
        summary=summary,
    )


FEED = Feed(
    SHENZHEN,
    "Finews & co · 深圳",
    "",
    SITE_URL,
    "zh-CN",
    "",
    (
        post(
            "<script>alert(1)</script> & <b>co</b>",
            MORNING,
            'Summary with <img src=x onerror=alert(1)> and "quotes"',
            "新闻",
        ),
        post("Second", NIGHT, "", "second"),
    ),
)
PREVIEW = preview_page(SITE_INFO, FEED, 3)
#: A hostile query, as the search page gets it (canonical), and its feeds' addresses.
QUERY = "<b>\"锂\"</b> & 'x'"
QUERIED = f"q={quote(QUERY, safe='')}&filter_title=a%26b"
ADDRESSES = tuple((fmt, f"{SITE_URL}/search.{fmt}?{QUERIED}") for fmt in FORMATS)
SEARCHED = dataclasses.replace(FEED, scope=SITE, title=f"Finews & co · {QUERY}")
SEARCH = search_page(SITE_INFO, QUERY, SEARCHED, ADDRESSES, 2, (("filter_title", 'a&"b'),))
NO_QUERY = search_page(SITE_INFO)
REFUSED = search_page(SITE_INFO, message="q must be <text>")


def test_index_golden() -> None:
    check_golden("index.html", PAGE)


def test_preview_golden() -> None:
    check_golden("preview.html", PREVIEW)


def test_search_golden() -> None:
    check_golden("search.html", SEARCH)


@pytest.mark.parametrize(
    "page",
    [PAGE, PREVIEW, SEARCH, NO_QUERY, REFUSED],
    ids=["index", "preview", "search", "no-query", "refused"],
)
def test_pages_are_valid_html5_that_run_only_our_script(page: bytes) -> None:
    tree = html_check.parse(page)
    html_check.check_safe(tree, SITE_URL)
    assert page.startswith(b'<!doctype html>\n<html lang="zh-CN">')
    assert [m.attrib for m in tree.iter("meta")][:2] == [
        {"charset": "utf-8"},
        {"name": "viewport", "content": "width=device-width, initial-scale=1"},
    ]
    assert len(list(tree.iter("script"))) == 1 and len(list(tree.iter("style"))) == 1


def alternates(tree: ET.Element) -> list[dict[str, str]]:
    return [dict(link.attrib) for link in tree.iter("link") if link.get("rel") == "alternate"]


@pytest.mark.parametrize(
    ("page", "scope", "title"),
    [
        (PAGE, SITE, "Finews & co"),
        (PREVIEW, SHENZHEN, "Finews & co · 深圳"),
    ],
    ids=["index", "preview"],
)
def test_autodiscovery_names_each_format_of_the_pages_feed(
    page: bytes, scope: Scope, title: str
) -> None:
    assert alternates(html_check.parse(page)) == [
        {
            "rel": "alternate",
            "type": media,
            "title": f"{title} ({label})",
            "href": feed_url(scope, fmt),
        }
        for fmt, media, label in [
            ("atom", "application/atom+xml", "Atom"),
            ("rss", "application/rss+xml", "RSS"),
            ("json", "application/feed+json", "JSON Feed"),
        ]
    ]


def test_search_autodiscovery_carries_the_query() -> None:
    assert alternates(html_check.parse(SEARCH)) == [
        {
            "rel": "alternate",
            "type": media,
            "title": f"Finews & co · {QUERY} ({label})",
            "href": url,
        }
        for (_, url), media, label in zip(
            ADDRESSES,
            ["application/atom+xml", "application/rss+xml", "application/feed+json"],
            ["Atom", "RSS", "JSON Feed"],
        )
    ]


def searched_url(scope: Scope, fmt: str) -> str:
    return dict(ADDRESSES)[fmt]


@pytest.mark.parametrize(
    ("page", "url"),
    [(PAGE, feed_url), (PREVIEW, feed_url), (SEARCH, searched_url)],
    ids=["index", "preview", "search"],
)
def test_subscribe_gives_each_address_to_copy_and_reader_links(
    page: bytes, url: Callable[[Scope, str], str]
) -> None:
    scope = SHENZHEN if page is PREVIEW else SITE
    tree = html_check.parse(page)
    [section] = [s for s in tree.iter("section") if s.get("class") == "sub"]
    fields = list(section.iter("input"))
    assert [f.get("value") for f in fields] == [url(scope, fmt) for fmt in FORMATS]
    assert all(f.get("readonly") is not None for f in fields)
    buttons = list(section.iter("button"))
    assert [b.get("data-copy") for b in buttons] == [f.get("id") for f in fields]
    assert all(b.get("hidden") is not None and b.text == "复制" for b in buttons), (
        "shown by the script alone"
    )
    atom = quote(url(scope, "atom"), safe="")
    assert [(a.text, a.get("href")) for a in section.iter("a")] == [
        ("阅读器应用", "feed:" + url(scope, "atom")),
        ("Feedly", f"https://feedly.com/i/subscription/feed%2F{atom}"),
        ("Inoreader", f"https://www.inoreader.com/?add_feed={atom}"),
        ("NewsBlur", f"https://www.newsblur.com/?url={atom}"),
        ("The Old Reader", f"https://theoldreader.com/feeds/subscribe?url={atom}"),
    ]


def test_index_lists_each_kind_by_post_count_linking_to_preview_pages() -> None:
    tree = html_check.parse(PAGE)
    sections = [s for s in tree.iter("section") if s.get("id")]
    assert [(s.get("id"), html_check.text(s.find("h2"))) for s in sections] == [  # type: ignore[arg-type]
        ("category", "分类 (2)"),
        ("tag", "标签 (2)"),
    ]
    rows = [
        [(a.get("href"), html_check.text(li)) for li in s.iter("li") for a in li.iter("a")]
        for s in sections
    ]
    assert rows == [
        [
            ("category/emnews/", "emnews 12 2022-01-10"),
            ("category/%E6%B7%B1%E5%9C%B3/", "深圳 3 2022-01-10"),
        ],
        [
            ("tag/a-b/", 'a & "b" 2 2022-01-10'),
            ("tag/script-alert-1-script/", "<script>alert(1)</script> 1 2022-01-10"),
        ],
    ]
    assert [urls.resolve(unquote(href), FORMATS) for href, _ in rows[0]] == [
        urls.Target("html", EMNEWS),
        urls.Target("html", SHENZHEN),
    ]


def test_index_shows_the_site_its_count_update_and_the_opml_link() -> None:
    tree = html_check.parse(PAGE)
    header = tree.find("body/header")
    assert (
        header is not None
        and html_check.text(header)
        == "Finews & co 财经新闻 <每日> 全部文章 · 40 篇 · 更新于 2022-01-10 08:03"
    )
    footer = tree.find("body/footer")
    assert footer is not None and [a.get("href") for a in footer.iter("a")] == ["feeds.opml"]
    find = tree.find(".//form[@id='find']")
    assert find is not None and find.get("hidden") is not None, (
        "the filter box shows only with the script"
    )
    assert tree.find(".//p[@id='none']") is not None


def test_preview_shows_its_entries_in_the_sites_zone_as_text() -> None:
    tree = html_check.parse(PREVIEW)
    header = tree.find("body/header")
    assert (
        header is not None
        and html_check.text(header) == "← 全部订阅源 深圳 分类 · 3 篇 · 更新于 2022-01-10 08:03"
    )
    assert [a.get("href") for a in header.iter("a")] == ["../../"]
    entries = list(tree.find(".//ol[@class='posts']"))  # type: ignore[arg-type]
    assert [(e.find("h3/a").get("href"), html_check.text(e)) for e in entries] == [  # type: ignore[union-attr]
        (
            f"{SITE_URL}/2022/01/10/%E6%96%B0%E9%97%BB.html",
            '<script>alert(1)</script> & <b>co</b> 2022-01-10 08:03 Summary with <img src=x onerror=alert(1)> and "quotes"',
        ),
        (f"{SITE_URL}/2022/01/10/second.html", "Second 2022-01-10 02:00"),
    ]
    assert [t.get("datetime") for t in tree.iter("time") if t.get("datetime")] == [
        "2022-01-10T08:03+08:00",
        "2022-01-10T02:00+08:00",
    ]
    assert b"<script>alert" not in PREVIEW and b"<b>" not in PREVIEW and b"<img" not in PREVIEW


def test_search_shows_the_query_its_count_entries_and_box_as_text() -> None:
    tree = html_check.parse(SEARCH)
    header = tree.find("body/header")
    assert header is not None and html_check.text(header) == (
        f"← 全部订阅源 {QUERY} 关键词订阅 · 2 篇 · 更新于 2022-01-10 08:03"
    )
    form = tree.find(".//form[@class='search']")
    assert form is not None and form.get("action") == "./"
    assert [(i.get("name"), i.get("value")) for i in form.iter("input")] == [
        ("q", QUERY),
        ("filter_title", 'a&"b'),
    ]
    assert [html_check.text(e) for e in tree.find(".//ol[@class='posts']")] == [  # type: ignore[union-attr]
        '<script>alert(1)</script> & <b>co</b> 2022-01-10 08:03 Summary with <img src=x onerror=alert(1)> and "quotes"',
        "Second 2022-01-10 02:00",
    ]
    assert b"<b>" not in SEARCH and b"<script>alert" not in SEARCH
    # More posts than the feed shows: it says how many it shows, not how many there are.
    more = html_check.parse(search_page(SITE_INFO, QUERY, SEARCHED, ADDRESSES, None))
    assert html_check.text(more.find("body/header/p[@class='meta']")) == (  # type: ignore[arg-type]
        "关键词订阅 · 最新 2 篇匹配文章 · 更新于 2022-01-10 08:03"
    )
    none = html_check.parse(
        search_page(SITE_INFO, "x", dataclasses.replace(SEARCHED, posts=()), ADDRESSES, 0)
    )
    assert html_check.text(none.find("body/main/section[2]")) == "最新文章 暂无匹配的文章。"  # type: ignore[arg-type]


def test_search_without_a_query_has_the_box_alone() -> None:
    tree = html_check.parse(NO_QUERY)
    assert html_check.text(tree.find("body/header")) == "← 全部订阅源 搜索"  # type: ignore[arg-type]
    assert tree.find(".//title").text == "Finews & co · 搜索"  # type: ignore[union-attr]
    assert alternates(tree) == [] and tree.find(".//section") is None
    assert [i.get("name") for i in tree.iter("input")] == ["q"]


def test_a_refused_search_says_why_as_text() -> None:
    tree = html_check.parse(REFUSED)
    assert html_check.text(tree.find("body/header/h1")) == "无法进行此搜索"  # type: ignore[arg-type]
    assert html_check.text(tree.find(".//p[@class='error']")) == "q must be <text>"  # type: ignore[arg-type]
    assert tree.find(".//section") is None


ENGLISH_WORDS = (
    "Categories",
    "Tags",
    "All posts · 40 posts",
    "Category · 1 post",
    "feeds.opml: every feed above as OPML, to subscribe to them all in one import.",
)
SIMPLIFIED = (
    "分类",
    "标签",
    "全部文章 · 40 篇",
    "分类 · 1 篇",
    "feeds.opml：以上所有订阅源的 OPML 列表，一次导入即可全部订阅。",
)
TRADITIONAL = (
    "分類",
    "標籤",
    "全部文章 · 40 篇",
    "分類 · 1 篇",
    "feeds.opml：以上所有訂閱源的 OPML 清單，一次匯入即可全部訂閱。",
)


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("en", ENGLISH_WORDS),
        ("en-GB", ENGLISH_WORDS),
        ("fr", ENGLISH_WORDS),
        ("", ENGLISH_WORDS),
        ("x-klingon", ENGLISH_WORDS),
        ("zhx", ENGLISH_WORDS),
        ("zh", SIMPLIFIED),
        ("zh-CN", SIMPLIFIED),
        ("zh-Hans", SIMPLIFIED),
        ("zh-SG", SIMPLIFIED),
        ("zh_cn", SIMPLIFIED),
        ("zh-Hans-HK", SIMPLIFIED),
        ("zh-TW", TRADITIONAL),
        ("zh-HK", TRADITIONAL),
        ("zh-Hant", TRADITIONAL),
        ("zh-MO", TRADITIONAL),
        ("zh-hant-cn", TRADITIONAL),
        ("ZH_TW", TRADITIONAL),
    ],
)
def test_page_words_follow_the_site_language(
    lang: str, words: tuple[str, str, str, str, str]
) -> None:
    categories, tags, site_line, scope_line, opml_line = words
    site = Site("Finews", "", SITE_URL, lang, ZONE, ("atom",))
    index = html_check.parse(
        index_page(site, (Listing(SITE, 40), Listing(EMNEWS, 1), Listing(SCRIPT, 2)))
    )
    assert [html_check.text(h).split(" (")[0] for h in index.iter("h2")][1:] == [categories, tags]
    assert html_check.text(index.find("body/header/p")) == site_line  # type: ignore[arg-type]
    assert html_check.text(index.find("body/footer")) == opml_line  # type: ignore[arg-type]
    feed = Feed(EMNEWS, "Finews · emnews", "", SITE_URL, lang, "", ())
    preview = html_check.parse(preview_page(site, feed, 1))
    assert html_check.text(preview.find("body/header/p[@class='meta']")) == scope_line  # type: ignore[arg-type]


def test_pages_of_an_untitled_site_are_titled_by_its_host() -> None:
    site = Site("", "", SITE_URL, "en", ZONE, ("atom",))
    page = index_page(site, [Listing(SITE, 0)])
    assert b"<title>finews.withounder.com</title>" in page
    assert b'<meta name="description"' not in page and b"<section id=" not in page
    preview = preview_page(
        site, Feed(EMNEWS, "finews.withounder.com · emnews", "", SITE_URL, "en", "", ()), 0
    )
    assert b"<title>finews.withounder.com \xc2\xb7 emnews</title>" in preview


def test_every_template_ships_with_the_package() -> None:
    package_data = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["tool"][
        "setuptools"
    ]["package-data"]
    templates = [
        p.relative_to(REPO / "feeds").as_posix()
        for p in (REPO / "feeds" / "templates").rglob("*")
        if p.is_file()
    ]
    assert templates and all(
        any(fnmatch.fnmatch(t, pattern) for pattern in package_data["feeds"]) for t in templates
    )


@pytest.mark.parametrize(
    "make",
    [
        lambda: opml("Finews", SITE_URL, LISTINGS, ["atom", "xml"], None),
        lambda: index_page(dataclasses.replace(SITE_INFO, formats=("xml",)), LISTINGS),
        lambda: preview_page(dataclasses.replace(SITE_INFO, formats=("atom", "xml")), FEED, 1),
        lambda: search_page(dataclasses.replace(SITE_INFO, formats=("xml",))),
    ],
)
def test_an_unknown_format_is_a_value_error(make: Callable[[], bytes]) -> None:
    with pytest.raises(ValueError, match="'xml'"):
        make()


def test_listing_is_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        LISTINGS[0].count = 3  # type: ignore[misc]


def test_opml_lists_json_only_when_nothing_else_is_served() -> None:
    root = etree.fromstring(opml("Finews", SITE_URL, [Listing(SITE, 1)], ["json", "rss"], None))
    assert [o.get("xmlUrl") for o in root.iter("outline") if o.get("xmlUrl")] == [
        f"{SITE_URL}/feed.rss"
    ]
    root = etree.fromstring(opml("Finews", SITE_URL, [Listing(SITE, 1)], ["json"], None))
    assert [o.get("xmlUrl") for o in root.iter("outline") if o.get("xmlUrl")] == [
        f"{SITE_URL}/feed.json"
    ]


def test_preview_links_the_newest_archive_page_only_when_there_is_one() -> None:
    older = preview_page(SITE_INFO, dataclasses.replace(FEED, prev_archive=3), 3)
    section = html_check.parse(older).findall(".//main/section")[-1]  # the entries
    links = [(a.get("href"), html_check.text(a)) for a in section.iter("a")][-1:]
    href = f"{SITE_URL}/{quote('category/深圳/archive/3.atom')}"
    assert links == [(href, "更早的文章")]
    assert b"archive/" not in PREVIEW and "更早的文章".encode() not in PREVIEW


SAVED = ("蔚来", '"a b" <x> -c')


def test_opml_lists_saved_searches_after_the_tags() -> None:
    root = etree.fromstring(opml("Finews", SITE_URL, LISTINGS, FORMATS, None, SAVED))
    groups = root.findall("body/outline")
    assert [g.get("text") for g in groups] == ["Site", "Categories", "Tags", "Saved searches"]
    assert [(o.get("text"), o.get("xmlUrl"), o.get("htmlUrl")) for o in groups[-1]] == [
        (
            "蔚来",
            f"{SITE_URL}/search/%E8%94%9A%E6%9D%A5.atom",
            f"{SITE_URL}/search/%E8%94%9A%E6%9D%A5/",
        ),
        (
            '"a b" &lt;x&gt; -c',
            f"{SITE_URL}/search/%22a%20b%22%20%3Cx%3E%20-c.atom",
            f"{SITE_URL}/search/%22a%20b%22%20%3Cx%3E%20-c/",
        ),
    ]
    assert [
        urls.resolve(unquote(o.get("xmlUrl", "").removeprefix(SITE_URL + "/")), FORMATS)
        for o in groups[-1]
    ] == [
        urls.Target("atom", search=True, query=q, alias=urls.saved_path(q, "atom")) for q in SAVED
    ]


def test_index_lists_saved_searches_first_linking_to_their_pages() -> None:
    page = index_page(dataclasses.replace(SITE_INFO, saved=SAVED), LISTINGS)
    tree = html_check.parse(page)
    html_check.check_safe(tree, SITE_URL)
    section = tree.find(".//section[@id='search']")
    assert section is not None
    assert html_check.text(section.find("h2")) == "关键词订阅 (2)"  # type: ignore[arg-type]
    assert [
        (a.get("href"), html_check.text(li)) for li in section.iter("li") for a in li.iter("a")
    ] == [
        ("search/%E8%94%9A%E6%9D%A5/", "蔚来"),
        ("search/%22a%20b%22%20%3Cx%3E%20-c/", '"a b" <x> -c'),
    ]
    assert [s.get("id") for s in tree.iter("section") if s.get("id")] == [
        "search",
        "category",
        "tag",
    ]
    assert b"<x>" not in page


def test_a_saved_search_page_links_one_folder_up() -> None:
    tree = html_check.parse(search_page(SITE_INFO, SAVED[0], SEARCHED, ADDRESSES, 2, saved=True))
    assert [
        a.get("href") for a in tree.iter("a") if not a.get("href", "").startswith(("http", "feed:"))
    ] == [
        "../../",
        "../../",
    ]
    assert tree.find(".//form[@class='search']").get("action") == "../"  # type: ignore[union-attr]
