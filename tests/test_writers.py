"""feeds.writers: a Feed to RSS, Atom and JSON Feed, read back by real parsers, pinned by golden files.

Golden files: ``FEEDS_REGEN_GOLDEN=1 pytest tests/test_build.py`` rewrites them; review the diff.
"""

from __future__ import annotations

import calendar
import dataclasses
import json
import locale
from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from html import unescape
from pathlib import Path

import feedparser
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import etree

from feeds import __version__, writers
from feeds.model import FORMATS, SITE, Author, Feed, Image, Post, Scope, ScopeKind
from feeds.writers import atom, json_feed, render, rss

from .conftest import check_golden

HERE = Path(__file__).parent
ATOM_RNG = etree.RelaxNG(etree.parse(str(HERE / "fixtures" / "atom.rng")))

SITE_URL = "https://finews.withounder.com"
BEIJING = timezone(timedelta(hours=8))
KATHMANDU = timezone(timedelta(hours=5, minutes=45))
NEW_YORK = timezone(timedelta(hours=-5))


def post(slug: str, title: str, date: datetime, **fields: object) -> Post:
    values: dict[str, object] = {
        "path": f"_posts/{date:%Y-%m-%d}-{slug}.md",
        "slug": slug,
        "title": title,
        "date": date,
        "updated": date,
        "categories": (),
        "tags": (),
        "authors": (),
        "url": f"{SITE_URL}/{date:%Y/%m/%d}/{slug}.html",
        "content_html": f"<p>{title}</p>",
        "summary": title,
    }
    values.update(fields)
    return Post(**values)  # type: ignore[arg-type]


POSTS = (
    post(
        "shenbai",
        "深百协作朝乡村振兴迈进",
        datetime(2022, 1, 10, 8, 3, 44, tzinfo=BEIJING),
        updated=datetime(2022, 1, 10, 9, 30, tzinfo=BEIJING),
        categories=("youjiangribao",),
        tags=("乡村振兴", "深圳"),
        authors=(Author("张三", "zhang@example.com", "https://example.com/zhang"),),
        lang="zh-Hans",
        content_html=f'<p>深百协作 <a href="{SITE_URL}/x.html">详情</a> &amp; 更多</p>',
        summary="深百协作 详情 & 更多",
    ),
    post(
        "markup",
        "a < b && c ]]> d",
        datetime(2022, 1, 9, 12, 0, 0, tzinfo=KATHMANDU),
        # Changed after the newest post was published: the feed's Atom updated is this one.
        updated=datetime(2022, 1, 11, 7, 15, 0, tzinfo=KATHMANDU),
        categories=("<b>bold</b> & co",),
        tags=("<b>bold</b> & co", "nepal"),
        content_html="<p>x &lt; y ]]> z</p>",
        summary="x < y ]]> z",
    ),
    post(
        "new-york",
        "New York",
        datetime(2022, 1, 8, 7, 0, 0, tzinfo=NEW_YORK),
        categories=("world",),
        summary="",
    ),
)


def make_feed(posts: tuple[Post, ...] = POSTS, **fields: object) -> Feed:
    values: dict[str, object] = {
        "scope": SITE,
        "title": "Finews",
        "description": "财经新闻 & more",
        "site_url": SITE_URL,
        "lang": "zh-CN",
        "author": "",
        "posts": posts,
        "full_content": True,
    }
    values.update(fields)
    return Feed(**values)  # type: ignore[arg-type]


FEED = make_feed()
SUMMARY_FEED = make_feed(full_content=False)
EMPTY_FEED = make_feed(
    (), scope=Scope(ScopeKind.TAG, "nothing", "nothing"), title="Finews · nothing"
)
ALL_FEEDS = {"full": FEED, "summary": SUMMARY_FEED, "empty": EMPTY_FEED}


def xml(data: bytes) -> etree._Element:
    return etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))


def utc_struct(dt: datetime) -> tuple[int, ...]:
    return tuple(dt.utctimetuple())[:6]


# --- dispatch and determinism ---------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_golden(fmt: str) -> None:
    check_golden(f"feed.{fmt}", render(FEED, fmt))


def test_render_dispatches_to_each_writer() -> None:
    assert render(FEED, "atom") == atom(FEED)
    assert render(FEED, "rss") == rss(FEED)
    assert render(FEED, "json") == json_feed(FEED)


@pytest.mark.parametrize("fmt", ["xml", "ATOM", "", "opml"])
def test_unknown_format_is_a_value_error_naming_it(fmt: str) -> None:
    with pytest.raises(ValueError, match=repr(fmt)):
        render(FEED, fmt)


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name", ALL_FEEDS)
def test_same_feed_gives_identical_bytes(name: str, fmt: str) -> None:
    feed = ALL_FEEDS[name]
    again = replace(feed, posts=tuple(replace(p) for p in feed.posts))  # equal, not the same
    assert render(feed, fmt) == render(feed, fmt) == render(again, fmt)


@pytest.fixture
def foreign_time_locale() -> Iterator[str]:
    saved = locale.setlocale(locale.LC_TIME)
    for name in ("de_DE.UTF-8", "de_DE.utf8", "fr_FR.UTF-8", "zh_CN.UTF-8", "ja_JP.UTF-8"):
        try:
            chosen = locale.setlocale(locale.LC_TIME, name)
        except locale.Error:
            continue
        try:
            yield chosen
        finally:
            locale.setlocale(locale.LC_TIME, saved)
        return
    pytest.skip("no non-English locale installed (see `locale -a`)")


@pytest.mark.parametrize("fmt", FORMATS)
def test_output_does_not_depend_on_the_locale(fmt: str, foreign_time_locale: str) -> None:
    assert datetime(2022, 1, 10).strftime("%a %b") != "Mon Jan"  # the locale really is foreign
    check_golden(f"feed.{fmt}", render(FEED, fmt))


# --- dates ------------------------------------------------------------------------------------


def test_rss_dates_are_rfc822_with_each_posts_own_offset() -> None:
    channel = xml(rss(FEED)).find("channel")
    assert channel is not None
    assert [d.text for d in channel.iter("pubDate")] == [
        "Mon, 10 Jan 2022 08:03:44 +0800",
        "Sun, 09 Jan 2022 06:15:00 +0000",  # +0545: the W3C rules know only :00 and :30
        "Sat, 08 Jan 2022 07:00:00 -0500",
    ]
    # lastBuildDate is the latest entry update, as Atom's feed-level updated (#15): a later
    # edit of an older post counts, though the newest post is dated earlier.
    assert channel.findtext("lastBuildDate") == "Tue, 11 Jan 2022 01:30:00 +0000"  # +0545 as UTC
    assert xml(atom(FEED)).findtext(f"{{{writers.ATOM_NS}}}updated") == "2022-01-11T07:15:00+05:45"


def test_atom_dates_are_rfc3339_with_each_posts_own_offset() -> None:
    root = xml(atom(FEED))
    ns = {"a": writers.ATOM_NS}
    assert root.xpath("a:entry/a:published/text()", namespaces=ns) == [
        "2022-01-10T08:03:44+08:00",
        "2022-01-09T12:00:00+05:45",
        "2022-01-08T07:00:00-05:00",
    ]
    # The feed's updated is the latest entry updated (the second post's), in its own offset.
    assert root.findtext("a:updated", namespaces=ns) == "2022-01-11T07:15:00+05:45"


@pytest.mark.parametrize("fmt", FORMATS)
def test_an_empty_feed_is_dated_the_epoch(fmt: str) -> None:
    data = render(EMPTY_FEED, fmt)
    if fmt == "json":
        assert json.loads(data)["items"] == []
    else:
        epoch = "Thu, 01 Jan 1970 00:00:00 +0000" if fmt == "rss" else "1970-01-01T00:00:00+00:00"
        assert epoch.encode() in data


# --- real parsers read what we meant -------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["atom", "rss"])
@pytest.mark.parametrize("name", ["full", "summary"])
def test_feedparser_reads_every_entry_in_order(fmt: str, name: str) -> None:
    feed = ALL_FEEDS[name]
    parsed = feedparser.parse(render(feed, fmt))
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    assert parsed.version == ("atom10" if fmt == "atom" else "rss20")
    assert parsed.feed.title == feed.title
    assert parsed.feed.link == feed.home_url
    assert parsed.feed.language == "zh-CN"
    assert [e.title for e in parsed.entries] == [p.title for p in feed.posts]
    assert [e.link for e in parsed.entries] == [p.url for p in feed.posts]
    assert [e.id for e in parsed.entries] == [p.url for p in feed.posts]
    assert [tuple(e.published_parsed)[:6] for e in parsed.entries] == [
        utc_struct(p.date) for p in feed.posts
    ]
    # RSS descriptions are HTML: the summary comes back escaped once. (Without a summary,
    # feedparser fills one in from the content.)
    summaries = [unescape(e.summary) for e, p in zip(parsed.entries, feed.posts) if p.summary]
    assert summaries == [p.summary for p in feed.posts if p.summary]
    assert [[t.term for t in e.tags] for e in parsed.entries] == [
        ["youjiangribao", "乡村振兴", "深圳"],
        ["<b>bold</b> & co", "nepal"],
        ["world"],
    ]
    contents = [e.content[0].value if "content" in e else None for e in parsed.entries]
    assert contents == [p.content_html if feed.full_content else None for p in feed.posts]


def test_feedparser_reads_atom_updated_and_authors() -> None:
    parsed = feedparser.parse(atom(FEED))
    assert (
        calendar.timegm(parsed.feed.updated_parsed)
        == datetime(2022, 1, 11, 7, 15, tzinfo=KATHMANDU).timestamp()
    )
    assert [tuple(e.updated_parsed)[:6] for e in parsed.entries] == [
        utc_struct(p.updated) for p in POSTS
    ]
    assert parsed.feed.author == "Finews"
    # Only a post's own author is written; the feed's covers the rest (Atom inheritance).
    assert [e.get("author") for e in parsed.entries] == ["张三 (zhang@example.com)", None, None]
    assert parsed.entries[0].author_detail == {
        "name": "张三",
        "email": "zhang@example.com",
        "href": "https://example.com/zhang",
    }
    assert parsed.feed.generator_detail == {"name": "feeds", "version": __version__}


def test_feedparser_reads_rss_self_link_and_creator() -> None:
    parsed = feedparser.parse(rss(make_feed(author="编辑部")))
    assert parsed.bozo == 0
    assert {"rel": "self", "type": "application/rss+xml", "href": f"{SITE_URL}/feed.rss"} in [
        dict(link) for link in parsed.feed.links
    ]
    assert [e.author for e in parsed.entries] == ["张三", "编辑部", "编辑部"]
    assert parsed.feed.generator == f"feeds {__version__}"


def test_rss_leaves_out_creator_when_nobody_is_named() -> None:
    assert b"dc:creator" not in rss(make_feed(POSTS[1:]))


@pytest.mark.parametrize("name", ALL_FEEDS)
def test_atom_matches_the_rfc_4287_schema(name: str) -> None:
    document = xml(atom(ALL_FEEDS[name]))
    assert ATOM_RNG.validate(document), ATOM_RNG.error_log


def test_atom_links_lang_and_subtitle() -> None:
    ns = {"a": writers.ATOM_NS}
    root = xml(atom(FEED))
    assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "zh-CN"
    assert root.findtext("a:id", namespaces=ns) == f"{SITE_URL}/feed.atom"
    assert root.findtext("a:subtitle", namespaces=ns) == "财经新闻 & more"
    links = [dict(link.attrib) for link in root.findall("a:link", ns)]
    assert links == [
        {"rel": "self", "href": f"{SITE_URL}/feed.atom", "type": "application/atom+xml"},
        {"rel": "alternate", "href": f"{SITE_URL}/", "type": "text/html"},
    ]
    assert root.find("a:subtitle", ns) is not None
    assert xml(atom(make_feed(description=""))).find("a:subtitle", ns) is None


@pytest.mark.parametrize(
    ("author", "title", "expected"),
    [
        ("李四", "Finews · 深圳", "李四"),
        ("", "Finews · 深圳", "Finews"),
        ("", "", "finews.withounder.com"),
    ],
)
def test_the_feed_author_falls_back_to_site_title_then_host(
    author: str, title: str, expected: str
) -> None:
    feed = make_feed(author=author, title=title)
    assert (
        xml(atom(feed)).findtext("a:author/a:name", namespaces={"a": writers.ATOM_NS}) == expected
    )
    assert json.loads(json_feed(feed))["authors"] == [{"name": expected}]


# --- escaping: text stays text --------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["atom", "rss"])
def test_markup_in_text_is_escaped_never_cdata_or_raw(fmt: str) -> None:
    data = render(FEED, fmt)
    assert b"CDATA" not in data
    assert b"<p>" not in data and b"<b>" not in data
    assert b"]]>" not in data


def test_rss_plain_text_uses_hex_references() -> None:
    # The RSS Best Practices Profile's way of saying "this title is text, not HTML".
    data = rss(FEED)
    assert b"<title>a &#x3C; b &#x26;&#x26; c ]]&#x3E; d</title>" in data
    assert b"<category>&#x3C;b&#x3E;bold&#x3C;/b&#x3E; &#x26; co</category>" in data


def test_summary_only_feeds_carry_no_full_content() -> None:
    assert b"<content" not in atom(SUMMARY_FEED)
    assert b"content:encoded" not in rss(SUMMARY_FEED)
    entries = xml(atom(SUMMARY_FEED)).findall("a:entry", {"a": writers.ATOM_NS})
    # The last post has no summary: its title stands in, as an entry needs some text.
    assert [e.findtext("a:summary", namespaces={"a": writers.ATOM_NS}) for e in entries] == [
        p.summary or p.title for p in POSTS
    ]


# --- nothing blank ------------------------------------------------------------------------------


def blanks(data: bytes, fmt: str) -> list[str]:
    """Every element, attribute or JSON string that says nothing: empty or only white space.

    An XML element may be empty when it has attributes (``<link href=…/>``, ``<category term=…/>``).
    """
    if fmt == "json":

        def strings(value: object, where: str) -> Iterator[tuple[str, str]]:
            if isinstance(value, str):
                yield where, value
            elif isinstance(value, dict):
                for k, v in value.items():
                    yield from strings(v, f"{where}.{k}")
            elif isinstance(value, list):
                for i, v in enumerate(value):
                    yield from strings(v, f"{where}[{i}]")

        return [where for where, text in strings(json.loads(data), "") if not text.strip()]
    found = []
    for element in xml(data).iter():
        tag = etree.QName(element).localname
        found += [f"{tag}@{name}" for name, value in element.attrib.items() if not value.strip()]
        if not len(element) and not element.attrib and not (element.text or "").strip():
            found.append(tag)
    return found


#: A post with no body: no content and no summary.
BODILESS = post("bodiless", "空正文", POSTS[0].date, content_html="", summary="")


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name", ALL_FEEDS)
def test_no_element_comes_out_blank(name: str, fmt: str) -> None:
    assert blanks(render(ALL_FEEDS[name], fmt), fmt) == []


@pytest.mark.parametrize("content_html", ["", " ", "\n"])
def test_a_post_with_no_body_leaves_content_out_and_keeps_its_title_as_text(
    content_html: str,
) -> None:
    feed = make_feed((replace(BODILESS, content_html=content_html),))
    entry = xml(atom(feed)).find("a:entry", {"a": writers.ATOM_NS})
    assert entry is not None and entry.find("a:content", {"a": writers.ATOM_NS}) is None
    # The W3C rules want a summary or a content in every Atom entry.
    assert entry.findtext("a:summary", namespaces={"a": writers.ATOM_NS}) == "空正文"
    item = xml(rss(feed)).find("channel/item")
    assert item is not None and [child.tag for child in item] == [
        "title",
        "link",
        "guid",
        "pubDate",
    ]
    [json_item] = json.loads(json_feed(feed))["items"]
    assert "content_html" not in json_item and "summary" not in json_item
    assert json_item["content_text"] == "空正文"  # JSON Feed needs content_html or content_text
    for fmt in FORMATS:
        assert blanks(render(feed, fmt), fmt) == [], fmt


def test_a_post_with_a_body_but_no_summary_gets_its_title_as_rss_description() -> None:
    # content:encoded needs a description before it (the W3C rules: NeedDescriptionBeforeContent).
    item = xml(rss(make_feed((replace(BODILESS, content_html='<p><img src="a.png"></p>'),)))).find(
        "channel/item"
    )
    assert item is not None and item.findtext("description") == "空正文"
    assert item.findtext(f"{{{writers.CONTENT_NS}}}encoded") == '<p><img src="a.png"></p>'


@settings(max_examples=60, deadline=None)
@given(
    content_html=st.sampled_from(["", " \n", "<p>正文</p>"]),
    summary=st.sampled_from(["", "摘要"]),
    author=st.sampled_from([None, "张三"]),
    feed_author=st.sampled_from(["", "编辑部"]),
    lang=st.sampled_from(["", "zh-CN"]),
    description=st.sampled_from(["", "说明"]),
    terms=st.sampled_from([(), ("深圳",)]),
    full=st.booleans(),
)
def test_no_combination_of_missing_fields_comes_out_blank(
    content_html: str,
    summary: str,
    author: str | None,
    feed_author: str,
    lang: str,
    description: str,
    terms: tuple[str, ...],
    full: bool,
) -> None:
    p = replace(
        BODILESS,
        content_html=content_html,
        summary=summary,
        authors=(Author(author),) if author else (),
        tags=terms,
    )
    feed = make_feed(
        (p,), author=feed_author, lang=lang, description=description, full_content=full
    )
    for fmt in FORMATS:
        data = render(feed, fmt)
        assert blanks(data, fmt) == [], fmt
    assert ATOM_RNG.validate(xml(atom(feed))), ATOM_RNG.error_log
    for fmt in ("atom", "rss"):
        parsed = feedparser.parse(render(feed, fmt))
        assert parsed.bozo == 0 and [e.title for e in parsed.entries] == ["空正文"], fmt


# --- JSON Feed ------------------------------------------------------------------------------------


def test_json_feed_fields_in_fixed_order() -> None:
    doc = json.loads(json_feed(FEED))
    assert list(doc) == [
        "version",
        "title",
        "home_page_url",
        "feed_url",
        "description",
        "language",
        "authors",
        "items",
    ]
    assert doc["version"] == "https://jsonfeed.org/version/1.1"
    assert doc["feed_url"] == f"{SITE_URL}/feed.json"
    assert doc["home_page_url"] == f"{SITE_URL}/"
    first, second, third = doc["items"]
    assert list(first) == [
        "id",
        "url",
        "title",
        "content_html",
        "summary",
        "date_published",
        "date_modified",
        "tags",
        "authors",
        "language",
    ]
    assert first["date_published"] == "2022-01-10T08:03:44+08:00"
    assert first["authors"] == [{"name": "张三", "url": "https://example.com/zhang"}]
    assert first["language"] == "zh-Hans", "the post's own lang"
    assert second["tags"] == ["<b>bold</b> & co", "nepal"]  # the repeated name once
    assert second["title"] == "a < b && c ]]> d"
    assert "summary" not in third and "authors" not in third
    assert [item["id"] for item in doc["items"]] == [p.url for p in POSTS]


def test_json_summary_only_uses_content_text() -> None:
    items = json.loads(json_feed(SUMMARY_FEED))["items"]
    assert [item["content_text"] for item in items] == [p.summary or p.title for p in POSTS]
    assert all("content_html" not in item for item in items)
    assert "description" not in json.loads(json_feed(make_feed(description="")))


def test_json_is_compact_utf8_with_a_final_newline_and_escaped_line_separators() -> None:
    feed = make_feed((post("sep", "line\u2028para\u2029end", POSTS[0].date),))
    data = json_feed(feed)
    assert data.endswith(b"}\n") and data.count(b"\n") == 1
    assert "财经新闻".encode() in data
    assert b"\\u2028" in data and "\u2028".encode() not in data
    assert json.loads(data)["items"][0]["title"] == "line\u2028para\u2029end"


@settings(max_examples=60, deadline=None)
@given(title=st.text(max_size=30), content=st.text(max_size=60))
def test_json_bytes_are_those_the_standard_library_writes(title: str, content: str) -> None:
    """orjson writes them: what ``json.dumps`` (compact, not ASCII-only) encodes, to the byte."""
    feed = make_feed((post("x", title, POSTS[0].date, content_html=f"<p>{content}</p>"),))
    data = json_feed(feed)
    text = json.dumps(json.loads(data), ensure_ascii=False, separators=(",", ":"))
    expected = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029") + "\n"
    assert data == expected.encode("utf-8")


# --- never crash ---------------------------------------------------------------------------------


def test_characters_xml_forbids_are_dropped_from_titles() -> None:
    p = post("x", "a\x00b\x0bc\x1fd\ud800e\ufffef\x7fg\U0001f389", POSTS[0].date)
    feed = make_feed((p,))
    kept = "abcdef\x7fg\U0001f389"
    assert xml(atom(feed)).findtext("a:entry/a:title", namespaces={"a": writers.ATOM_NS}) == kept
    assert xml(rss(feed)).findtext("channel/item/title") == kept
    assert json.loads(json_feed(feed))["items"][0]["title"] == kept


# Every code point, surrogates and XML-illegal controls included.
any_text = st.text(st.characters(exclude_categories=()), max_size=30)


@settings(max_examples=60, deadline=None)
@given(title=any_text, term=any_text, summary=any_text, author=any_text)
def test_any_text_gives_well_formed_valid_output(
    title: str, term: str, summary: str, author: str
) -> None:
    p = post(
        "x",
        title,
        POSTS[0].date,
        categories=(term,),
        summary=summary,
        content_html=summary,
        authors=(Author(author, "a@b.example", "https://a.example/"),) if author else (),
    )
    for full in (True, False):
        feed = make_feed((p,), title=title, description=summary, author=author, full_content=full)
        root = xml(atom(feed))
        assert ATOM_RNG.validate(root), ATOM_RNG.error_log
        # XML 1.0's Char production, written out: tab, LF, CR and everything from U+0020 but
        # surrogates and U+FFFE/U+FFFF.
        kept = "".join(
            c
            for c in title
            if c in "\t\n\r" or " " <= c < "\ud800" or "\ue000" <= c < "\ufffe" or c >= "\U00010000"
        )
        assert root.findtext("a:entry/a:title", namespaces={"a": writers.ATOM_NS}) == kept
        assert xml(rss(feed)).findtext("channel/item/title") == kept
        assert json.loads(json_feed(feed))["items"][0]["title"] == kept


def test_a_post_whose_permalink_is_taken_has_its_own_id() -> None:
    p = dataclasses.replace(POSTS[0], guid=POSTS[0].url + "#_posts/b.md")
    feed = make_feed((p,))
    assert xml(atom(feed)).findtext("a:entry/a:id", namespaces={"a": writers.ATOM_NS}) == p.guid
    guid = xml(rss(feed)).find("channel/item/guid")
    assert guid is not None and guid.text == p.guid and guid.get("isPermaLink") == "false"
    assert json.loads(json_feed(feed))["items"][0]["id"] == p.guid
    assert json.loads(json_feed(feed))["items"][0]["url"] == p.url


def test_a_posts_excerpt_only_leaves_its_content_out() -> None:
    """jekyll-feed's per-post ``feed: excerpt_only``: that entry has its summary only."""
    short = dataclasses.replace(POSTS[0], excerpt_only=True)
    feed = make_feed((short, POSTS[1]))
    entries = xml(atom(feed)).findall(f"{{{writers.ATOM_NS}}}entry")
    assert [e.find(f"{{{writers.ATOM_NS}}}content") is None for e in entries] == [True, False]
    items = xml(rss(feed)).findall("channel/item")
    assert [i.find(f"{{{writers.CONTENT_NS}}}encoded") is None for i in items] == [True, False]
    first, second = json.loads(json_feed(feed))["items"]
    assert ("content_html" in first, first["content_text"], "content_html" in second) == (
        False,
        short.summary,
        True,
    )


# --- lead images ---------------------------------------------------------------------------

#: Front matter's image with its size, a post whose content's first http(s) image stands in,
#: and one without any image.
IMAGE_POSTS = (
    dataclasses.replace(POSTS[0], image=Image(f"{SITE_URL}/assets/lead.jpg", 52_340, "image/jpeg")),
    dataclasses.replace(
        POSTS[1],
        content_html='<p><img src="data:x"> <img src="https://cdn.example/%E5%9B%BE 1.png?a=1&amp;b=2" alt=""></p>',
    ),
    POSTS[2],
)
IMAGE_FEED = make_feed(IMAGE_POSTS)
CONTENT_IMAGE = "https://cdn.example/%E5%9B%BE%201.png?a=1&b=2"


def test_feedparser_reads_the_lead_image_of_rss_and_atom() -> None:
    for fmt in ("rss", "atom"):
        entries = feedparser.parse(render(IMAGE_FEED, fmt)).entries
        assert [e.get("media_thumbnail") for e in entries] == [
            [{"url": f"{SITE_URL}/assets/lead.jpg"}],
            [{"url": CONTENT_IMAGE}],
            None,
        ], fmt
        content = [e.get("media_content") for e in entries]
        assert content[0] == [
            {
                "url": f"{SITE_URL}/assets/lead.jpg",
                "medium": "image",
                "type": "image/jpeg",
                "filesize": "52340",
            }
        ], fmt
        assert content[1] == [{"url": CONTENT_IMAGE, "medium": "image"}] and content[2] is None


def test_an_rss_enclosure_only_where_the_post_states_the_length() -> None:
    items = xml(rss(IMAGE_FEED)).findall("channel/item")
    enclosures = [i.find("enclosure") for i in items]
    assert enclosures[0] is not None and dict(enclosures[0].attrib) == {
        "url": f"{SITE_URL}/assets/lead.jpg",
        "length": "52340",
        "type": "image/jpeg",
    }
    assert enclosures[1:] == [None, None]
    untyped = dataclasses.replace(POSTS[0], image=Image(f"{SITE_URL}/lead", 10))
    assert b"<enclosure" not in rss(make_feed((untyped,))), "an enclosure must name a type"
    guessed = dataclasses.replace(POSTS[0], image=Image(f"{SITE_URL}/lead.PNG?v=2", 10))
    assert b'length="10" type="image/png"/>' in rss(make_feed((guessed,)))
    assert feedparser.parse(rss(IMAGE_FEED)).entries[0].enclosures == [
        {"href": f"{SITE_URL}/assets/lead.jpg", "length": "52340", "type": "image/jpeg"}
    ]


def test_json_feed_items_carry_their_lead_image() -> None:
    items = json.loads(json_feed(IMAGE_FEED))["items"]
    assert [i.get("image") for i in items] == [
        f"{SITE_URL}/assets/lead.jpg",
        CONTENT_IMAGE,
        None,
    ]
    assert list(items[0])[:8] == [
        "id",
        "url",
        "title",
        "content_html",
        "summary",
        "image",
        "date_published",
        "date_modified",
    ]


def test_media_rss_is_declared_only_in_feeds_with_an_image() -> None:
    for fmt in ("rss", "atom"):
        assert b'xmlns:media="http://search.yahoo.com/mrss/"' in render(IMAGE_FEED, fmt)
        assert b"xmlns:media" not in render(FEED, fmt) and b"media:" not in render(FEED, fmt)
    assert ATOM_RNG.validate(xml(atom(IMAGE_FEED))), ATOM_RNG.error_log


def test_a_summary_feed_still_finds_the_contents_image() -> None:
    summary = make_feed(IMAGE_POSTS, full_content=False)
    assert json.loads(json_feed(summary))["items"][1]["image"] == CONTENT_IMAGE
    assert b"<content" not in atom(summary) and CONTENT_IMAGE.encode() in atom(summary).replace(
        b"&amp;", b"&"
    )


def test_every_format_names_each_websub_hub_and_itself() -> None:
    hubs = ("https://hub.example/", "https://other.example/publish?a=1&b=2")
    feed = make_feed(hubs=hubs)
    atom_links = etree.fromstring(atom(feed)).findall(f"{{{writers.ATOM_NS}}}link")
    assert [(e.get("rel"), e.get("href")) for e in atom_links if e.get("rel") != "alternate"] == [
        ("self", f"{SITE_URL}/feed.atom"),
        *(("hub", h) for h in hubs),
    ]
    rss_links = etree.fromstring(rss(feed)).findall(f"channel/{{{writers.ATOM_NS}}}link")
    assert [(e.get("rel"), e.get("href")) for e in rss_links] == [
        ("self", f"{SITE_URL}/feed.rss"),
        *(("hub", h) for h in hubs),
    ]
    assert json.loads(json_feed(feed))["hubs"] == [{"type": "WebSub", "url": h} for h in hubs]
    parsed = feedparser.parse(atom(feed))
    assert [link.href for link in parsed.feed.links if link.rel == "hub"] == list(hubs)


def test_without_hubs_no_format_mentions_one() -> None:
    for fmt in FORMATS:
        assert b"hub" not in render(FEED, fmt)


# --- entries reused from feed to feed (an export's worker) ---------------------------------


@settings(max_examples=40, deadline=None)
@given(
    feeds=st.lists(
        st.tuples(
            st.lists(st.sampled_from(range(6)), max_size=5),
            st.booleans(),
            st.sampled_from(["", "编辑部"]),
            st.sampled_from([FORMATS, ("json",), ("atom", "rss")]),
        ),
        min_size=1,
        max_size=8,
    )
)
def test_feeds_built_one_after_another_reusing_entries_are_the_feeds_built_alone(
    feeds: list[tuple[list[int], bool, str, tuple[str, ...]]],
) -> None:
    # Six posts, two of them holding characters XML forbids (cleaned, never taken as legal
    # because a cleaned copy was seen), one with no body; feeds of any of them, in turn.
    pool = (
        *POSTS[:2],
        post("dirty", "标题\x00一", POSTS[0].date, content_html="<p>正文\x0b</p>"),
        post("dirty2", "标题\x1f二", POSTS[1].date, summary="摘\ud800要"),
        post("empty", "空", POSTS[0].date, content_html=""),
        post("sep", "行\u2028分隔", POSTS[1].date, content_html="<p>段\u2029落</p>"),
    )
    recent = writers.Recent(size=3)  # small: entries are dropped and made again
    for picked, full, author, formats in feeds:
        feed = make_feed(tuple(pool[i] for i in picked), full_content=full, author=author)
        assert writers.render_all(feed, formats, recent) == writers.render_all(feed, formats)


def test_a_post_in_two_feeds_is_worked_out_once() -> None:
    recent = writers.Recent()
    site, category = make_feed(POSTS), make_feed(POSTS[:1], scope=Scope(ScopeKind.CATEGORY, "c"))
    first = writers.entries(site, recent=recent)[0]
    assert writers.entries(category, recent=recent)[0] is first
    assert writers.entries(make_feed(POSTS, full_content=False), recent=recent)[0] is not first
