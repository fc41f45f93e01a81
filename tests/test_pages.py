"""pages.py: the OPML list and the HTML index page, parsed back and pinned by golden files.

Golden files: ``FEEDS_REGEN_GOLDEN=1 pytest tests/test_pages.py`` rewrites them; review the diff.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from html.parser import HTMLParser

import pytest
from lxml import etree

from feeds import urls
from feeds.model import FORMATS, SITE, Feed, Scope, ScopeKind
from feeds.pages import Listing, index_page, opml

from .conftest import check_golden

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


class Collector(HTMLParser):
    """Every start tag with its attributes, and the text shown, from real HTML parsing."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parse_html(data: bytes) -> Collector:
    collector = Collector()
    collector.feed(data.decode("utf-8"))
    collector.close()
    return collector


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
        assert {o.get("htmlUrl") for o in outlines} == {f"{SITE_URL}/"}


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
    root = etree.fromstring(opml("Finews", SITE_URL, [Listing(SITE, 1), Listing(EMNEWS, 1)],
                                 ["rss"], None))
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


# --- index.html -----------------------------------------------------------------------------------

PAGE = index_page("Finews & co", "财经新闻 <每日>", SITE_URL, "zh-CN", LISTINGS, FORMATS)


def test_index_golden() -> None:
    check_golden("index.html", PAGE)


def test_index_is_html5_with_autodiscovery_for_the_site_feeds() -> None:
    assert PAGE.startswith(b"<!doctype html>\n<html lang=\"zh-CN\">")
    page = parse_html(PAGE)
    assert ("meta", {"charset": "utf-8"}) in page.tags
    alternates = [attrs for tag, attrs in page.tags if tag == "link"]
    assert alternates == [
        {
            "rel": "alternate",
            "type": media,
            "title": f"Finews & co ({label})",
            "href": feed_url(SITE, fmt),
        }
        for fmt, media, label in [
            ("atom", "application/atom+xml", "Atom"),
            ("rss", "application/rss+xml", "RSS"),
            ("json", "application/feed+json", "JSON Feed"),
        ]
    ]


def test_index_links_every_feed_relatively_in_order() -> None:
    hrefs = [attrs["href"] for tag, attrs in parse_html(PAGE).tags if tag == "a"]
    scopes = [SITE, EMNEWS, SHENZHEN, SCRIPT, AMP]
    expected = [feed_url(s, fmt).removeprefix(SITE_URL + "/") for s in scopes for fmt in FORMATS]
    assert hrefs == [*expected, "feeds.opml"]
    assert "category/%E6%B7%B1%E5%9C%B3.atom" in hrefs


def test_index_shows_untrusted_names_as_text() -> None:
    assert b"<script>" not in PAGE
    text = "".join(parse_html(PAGE).text)
    assert "<script>alert(1)</script> (1 篇)" in text
    assert 'a & "b" (2 篇)' in text
    assert "全部文章 (40 篇)" in text
    assert "财经新闻 <每日>" in text


ENGLISH_WORDS = (["Site", "Categories", "Tags"], "All posts (40 posts)", "emnews (1 post)",
                 "feeds.opml: every feed above as OPML, to subscribe to them all in one import.")
SIMPLIFIED = (["本站", "分类", "标签"], "全部文章 (40 篇)", "emnews (1 篇)",
              "feeds.opml：以上所有订阅源的 OPML 列表，一次导入即可全部订阅。")
TRADITIONAL = (["本站", "分類", "標籤"], "全部文章 (40 篇)", "emnews (1 篇)",
               "feeds.opml：以上所有訂閱源的 OPML 清單，一次匯入即可全部訂閱。")


@pytest.mark.parametrize(("lang", "words"), [
    ("en", ENGLISH_WORDS), ("en-GB", ENGLISH_WORDS), ("fr", ENGLISH_WORDS), ("", ENGLISH_WORDS),
    ("x-klingon", ENGLISH_WORDS), ("zhx", ENGLISH_WORDS),
    ("zh", SIMPLIFIED), ("zh-CN", SIMPLIFIED), ("zh-Hans", SIMPLIFIED), ("zh-SG", SIMPLIFIED),
    ("zh_cn", SIMPLIFIED), ("zh-Hans-HK", SIMPLIFIED),
    ("zh-TW", TRADITIONAL), ("zh-HK", TRADITIONAL), ("zh-Hant", TRADITIONAL), ("zh-MO", TRADITIONAL),
    ("zh-hant-cn", TRADITIONAL), ("ZH_TW", TRADITIONAL),
])
def test_index_words_follow_the_site_language(lang: str, words: tuple[list[str], str, str, str]) -> None:
    headings, site_row, category_row, opml_line = words
    listings = (Listing(SITE, 40), Listing(EMNEWS, 1), Listing(SCRIPT, 2))
    html = index_page("Finews", "", SITE_URL, lang, listings, ["atom"]).decode()
    assert [part.split("</h2>")[0] for part in html.split("<h2>")[1:]] == headings
    text = " ".join("".join(parse_html(html.encode()).text).split())
    assert f"{site_row}: Atom" in text and f"{category_row}: Atom" in text
    assert "<script>alert(1)</script> (2 " in text and "<script>" not in html.split("</head>")[1]
    assert text.endswith(opml_line)


def test_index_of_an_untitled_site_is_titled_by_its_host() -> None:
    page = index_page("", "", SITE_URL, "en", [Listing(SITE, 0)], ["atom"])
    assert b"<title>finews.withounder.com</title>" in page
    assert b'<meta name="description"' not in page


@pytest.mark.parametrize("make", [
    lambda: opml("Finews", SITE_URL, LISTINGS, ["atom", "xml"], None),
    lambda: index_page("Finews", "", SITE_URL, "en", LISTINGS, ["xml"]),
])
def test_an_unknown_format_is_a_value_error(make: Callable[[], bytes]) -> None:
    with pytest.raises(ValueError, match="'xml'"):
        make()


def test_listing_is_frozen() -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        LISTINGS[0].count = 3  # type: ignore[misc]


def test_opml_lists_json_only_when_nothing_else_is_served() -> None:
    root = etree.fromstring(opml("Finews", SITE_URL, [Listing(SITE, 1)], ["json", "rss"], None))
    assert [o.get("xmlUrl") for o in root.iter("outline") if o.get("xmlUrl")] == [f"{SITE_URL}/feed.rss"]
    root = etree.fromstring(opml("Finews", SITE_URL, [Listing(SITE, 1)], ["json"], None))
    assert [o.get("xmlUrl") for o in root.iter("outline") if o.get("xmlUrl")] == [f"{SITE_URL}/feed.json"]
