"""feeds.content on real finews bodies, on known XSS vectors, and on any text hypothesis finds."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urljoin, urlsplit
from xml.sax.saxutils import escape

import comrak
import lxml.html
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from lxml import etree

from feeds.content import (
    markdown_html,
    plain_text,
    render,
    strip_controls,
    strip_illegal_xml,
    xml_legal,
)
from feeds.summaries import summarize, summary

FIXTURES = Path(__file__).parent / "fixtures" / "content"
SITE = "https://finews.withounder.com"
EXAMPLE = "2022-01-10-202201102241180920"  # the project's own example post
LONGEST = "2022-05-26-202205262391921712"  # eastmoney HTML, inline styles, images, comments
PAGE = "https://example.com/blog/2024/01/02/post.html"


def body(name: str) -> str:
    """A post's body: everything after the line that closes its front matter."""
    lines = (FIXTURES / f"{name}.md").read_text(encoding="utf-8").split("\n")
    closing = [i for i, line in enumerate(lines) if line == "---"][1]
    return "\n".join(lines[closing + 1 :])


def emnews_url(name: str) -> str:
    return f"{SITE}/emnews/2021/12/08/{name.removeprefix('2021-12-08-')}.html"


def links(fragment: str) -> list[str]:
    tree = lxml.html.fromstring(f"<div>{fragment}</div>")
    return [str(e.get(a)) for e in tree.iter() for a in ("href", "src", "cite") if e.get(a)]


def safe(fragment: str) -> None:
    """Assert nothing in the fragment can run: no script, no handler, only plain URLs."""
    tree = lxml.html.fromstring(f"<div>{fragment}</div>")
    for element in tree.iter():
        assert element.tag not in ("script", "style", "iframe", "svg", "base", "meta", "object")
        for name, value in ((str(n), str(v)) for n, v in element.attrib.items()):
            assert not name.startswith("on") and name != "style", (name, value)
            if name in ("href", "src", "cite"):
                assert value.startswith(("https://", "http://", "mailto:")), value


# Real posts: links work away from the site.


def test_example_post_return_links_are_absolute() -> None:
    url = f"{SITE}/youjiangribao/2022/01/10/202201102241180920.html"
    html = render(body(EXAMPLE), markdown=True, page_url=url)
    assert links(html)[-2:] == [f"{SITE}/category/youjiangribao.html", f"{SITE}/"]
    assert "右江日报" in html and "”等行动。" in html


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            "2021-12-08-202112082206748961",
            [f"{SITE}/emnews/2021/12/08/emnews/", f"{SITE}/emnews/2021/12/08/"],
        ),
        (
            "2021-12-08-202112082206735975",
            [f"{SITE}/emnews/2021/12/emnews/", f"{SITE}/emnews/2021/12/"],
        ),
        (
            "2021-12-08-202112082206779752",
            ["https://finews.zning.me/emnews/", "https://finews.zning.me/"],
        ),
        ("2021-12-08-202112082206797286", [f"{SITE}/emnews/", f"{SITE}/"]),
        ("2021-12-08-202112082206890854", [f"{SITE}/emnews/", f"{SITE}/"]),
    ],
)
def test_return_links_resolve_by_rfc_3986(name: str, expected: list[str]) -> None:
    html = render(body(name), markdown=True, page_url=emnews_url(name))
    found = links(html)
    assert found[0].startswith("http://") and "eastmoney.com/news/" in found[0]
    assert found[1:] == expected


@pytest.mark.parametrize(
    ("name", "url"), [(EXAMPLE, "youjiangribao/2022/01/10"), (LONGEST, "emnews/2022/05/26")]
)
def test_real_posts_render_byte_for_byte(name: str, url: str) -> None:
    page_url = f"{SITE}/{url}/{name[11:]}.html"
    expected = (FIXTURES / f"{name}.html").read_text(encoding="utf-8")
    assert render(body(name), markdown=True, page_url=page_url) == expected


def test_eastmoney_html_loses_styles_and_comments_but_keeps_images() -> None:
    html = render(body(LONGEST), markdown=True, page_url=f"{SITE}/emnews/2022/05/26/x.html")
    safe(html)
    assert "style=" not in html and "<!--" not in html and "class=" not in html
    assert 'src="https://dfscdn.dfcfw.com/download/D24676903417074885805_w800h555.jpg"' in html
    assert "<center>" in html and "<blockquote>" in html
    assert "《&lt;蒙特利尔议定书&gt;基加利修正案》" in html, "entities stay text"
    assert "rel=" not in html and "target=" not in html


def test_empty_autolink_and_bare_less_than_stay_text() -> None:
    empty = render(body("2021-12-08-202112082206870651"), markdown=True, page_url=PAGE)
    assert empty.endswith("<p>&lt;&gt;</p>\n")
    bare = render(body("2021-12-08-202112082206796814"), markdown=True, page_url=PAGE)
    assert "且精度满足&lt;1%，视场角" in bare
    assert render("精度满足<1%", markdown=False, page_url=PAGE) == "精度满足&lt;1%"


def test_html_posts_are_taken_as_html_not_markdown() -> None:
    html = render("<p>*not emphasis*</p>\n\n    not code", markdown=False, page_url=PAGE)
    assert html == "<p>*not emphasis*</p>\n\n    not code"


def test_bad_page_url_is_refused() -> None:
    with pytest.raises(ValueError, match="page_url"):
        render("[a](b)", markdown=True, page_url="/blog/post.html")


# Known attacks: nothing survives that could run.

XSS = {
    "script": ("<p>hi</p><script>alert(1)</script>", "<p>hi</p>"),
    "img onerror": ('<img src=x onerror="alert(1)">', f'<img src="{PAGE[:-9]}x">'),
    "svg script": ("<svg><script>alert(1)</script></svg>ok", "ok"),
    "javascript href": ('<a href="javascript:alert(1)">x</a>', "<a>x</a>"),
    "spaced mixed case": ('<a href=" jAvAscript:alert(1)">x</a>', "<a>x</a>"),
    "entity": ('<a href="&#106;avascript:alert(1)">x</a>', "<a>x</a>"),
    "tab inside": ('<a href="java&#9;script:alert(1)">x</a>', "<a>x</a>"),
    "control inside": ('<a href="java\x01script:alert(1)">x</a>', "<a>x</a>"),
    "vbscript": ('<a href="vbscript:msgbox(1)">x</a>', "<a>x</a>"),
    "data html src": ('<img src="data:text/html,<script>alert(1)</script>">', "<img>"),
    "data image": ('<img src="data:image/png;base64,AAAA">', "<img>"),
    "iframe": ('<iframe src="https://evil.example/">text</iframe>', ""),
    "base": (
        '<base href="https://evil.example/"><a href="x">x</a>',
        f'<a href="{PAGE[:-9]}x">x</a>',
    ),
    "meta refresh": ('<meta http-equiv="refresh" content="0;url=https://evil.example/">', ""),
    "style": ("<style>body{display:none}</style><p style='color:red'>x</p>", "<p>x</p>"),
    "form": ('<form action="https://evil.example/"><input name=a><button>go</button></form>', "go"),
    "object embed": ('<object data="x.swf"></object><embed src="x.swf">', ""),
    "link": ('<link rel="stylesheet" href="https://evil.example/x.css">', ""),
    "blockquote cite": (
        '<blockquote cite="javascript:alert(1)">q</blockquote>',
        "<blockquote>q</blockquote>",
    ),
    "bad ipv6": ('<a href="//[::1">x</a>', "<a>x</a>"),
}


@pytest.mark.parametrize("attack", list(XSS))
def test_xss_vectors_are_neutralised(attack: str) -> None:
    source, expected = XSS[attack]
    assert render(source, markdown=False, page_url=PAGE) == expected
    safe(render(source, markdown=True, page_url=PAGE))


def test_markdown_links_with_dangerous_schemes_do_not_become_links() -> None:
    html = render(
        "[x](javascript:alert(1)) <javascript:alert(1)> ![i](data:text/html,x)",
        markdown=True,
        page_url=PAGE,
    )
    safe(html)
    assert 'href="javascript' not in html


def test_allowed_urls_are_kept_and_made_absolute() -> None:
    source = (
        '<a href="mailto:a@b.cn">m</a><a href="#top">t</a>'
        '<q cite="/why">q</q><a href="HTTP://A.cn/X">u</a>'
    )
    assert links(render(source, markdown=False, page_url=PAGE)) == [
        "mailto:a@b.cn",
        f"{PAGE}#top",
        "https://example.com/why",
        "HTTP://A.cn/X",
    ]


def test_illegal_xml_characters_and_references_are_dropped_from_output() -> None:
    source = "a\x00b\x0bc &#1; &#xFFFE; &#xD800; d\ufffe\U0001f600"
    assert render(source, markdown=False, page_url=PAGE) == "abc   \ufffd d\U0001f600"
    # CommonMark decodes &#1; and &#xFFFE; to the characters, which XML forbids: dropped like
    # the raw ones; a lone surrogate is no character, so it is U+FFFD in both.
    assert render(source, markdown=True, page_url=PAGE) == "<p>abc   \ufffd d\U0001f600</p>\n"


# Plain text and summaries.


def test_plain_text_decodes_entities_and_collapses_space() -> None:
    fragment = (
        "<p>A&amp;B &lt;x&gt;</p><p>second\u00a0\u3000 line<br>next</p>"
        "<script>x()</script><style>p{}</style>"
    )
    assert plain_text(fragment) == "A&B <x> second line next"
    assert plain_text("") == ""


def test_plain_text_of_a_real_post_is_its_chinese_text() -> None:
    text = plain_text(render(body(LONGEST), markdown=True, page_url=PAGE))
    assert text.startswith("据霍尼韦尔官网消息，5月24日，霍尼韦尔宣布为蔚来旗下ET7新能源汽车")
    assert "<" not in text.replace("《<蒙特利尔议定书>", "") and "  " not in text


@pytest.mark.parametrize(
    ("text", "length", "expected"),
    [
        ("在岸人民币兑美元升至2018年5月以来新高", 6, "在岸人民币兑…"),
        ("在岸人民币兑美元，升至新高", 9, "在岸人民币兑美元…"),  # the full-width comma goes too
        ("The quick brown fox jumps over the lazy dog", 22, "The quick brown fox…"),
        ("The quick brown fox jumps over the lazy dog", 19, "The quick brown fox…"),
        ("Antidisestablishmentarianism forever", 10, "Antidisest…"),  # no space near: hard cut
        ("A股 上涨，沪指收涨", 7, "A股 上涨，沪…"),  # CJK is cut anywhere, not at the space
        ("short", 5, "short"),
        ("short ", 5, "short…"),
        ("abc", 0, "…"),
    ],
)
def test_summaries_cut_on_sensible_boundaries(text: str, length: int, expected: str) -> None:
    assert summarize(text, length) == expected


@pytest.mark.parametrize(
    ("text", "length", "expected"),
    [
        ("cafe\u0301 noir", 4, "caf…"),  # e + combining acute stays whole
        ("ok \U0001f468\u200d\U0001f469\u200d\U0001f467 family", 5, "ok…"),  # ZWJ family
        ("ok \U0001f44d\U0001f3fd yes", 4, "ok…"),  # thumbs up + skin tone
        ("\U0001f1e8\U0001f1f3\U0001f1fa\U0001f1f8 flags", 3, "\U0001f1e8\U0001f1f3…"),
        ("\u2764\ufe0f\u2764\ufe0f", 3, "\u2764\ufe0f…"),  # emoji variation selector
    ],
)
def test_summaries_never_split_a_grapheme_cluster(text: str, length: int, expected: str) -> None:
    assert summarize(text, length) == expected


def test_negative_summary_length_is_refused() -> None:
    with pytest.raises(ValueError, match="length"):
        summarize("abc", -1)


# Properties over any text.

ANY_CHAR = st.characters(codec=None, exclude_categories=())  # surrogates and controls included
MARKUP = st.lists(
    st.sampled_from(
        [
            "<a href=",
            "<img src=",
            "<script>",
            "</script>",
            "<svg>",
            "<style>",
            " onerror=",
            "javascript:",
            "&#106;",
            "data:text/html,",
            "//h/",
            "../",
            "[x](",
            "](",
            ")",
            "<",
            ">",
            '"',
            "'",
            "&",
            "#",
            "x",
            "中",
            " ",
            "\n",
            "\x00",
            "\ud800",
            "<!--",
            "-->",
            "`",
            "*",
            "> ",
            "<p>",
            "</p>",
            "<div>",
            "e\u0301",
            "</div>",
            "<table><tr><td>",
            "</td></tr></table>",
            "<li>",
            "</li>",
            "<h2>",
            "</h2>",
            "\n\n",
            "Ã©",
            "caf\xe9",
            "abc",
        ]
    ),
    max_size=40,
).map("".join)


def parses_as_xml_text(text: str) -> None:
    element = etree.fromstring(f"<x>{escape(text)}</x>")
    assert element.tag == "x"


def test_the_xml_filters_follow_xml_1_0_on_every_code_point() -> None:
    """What XML allows and what it forbids are stated apart (content.py): each filter keeps
    exactly XML 1.0's Char production, and the control filter drops DEL and C1 besides."""
    every = "".join(map(chr, range(0x110000)))
    allowed = "".join(
        c
        for c in every
        if c in "\t\n\r"
        or 0x20 <= ord(c) <= 0xD7FF
        or 0xE000 <= ord(c) <= 0xFFFD
        or ord(c) >= 0x10000
    )
    assert strip_illegal_xml(every) == allowed
    assert xml_legal(allowed)
    assert not any(xml_legal(c) for c in set(every) - set(allowed))
    assert strip_controls(every) == "".join(c for c in allowed if not 0x7F <= ord(c) <= 0x9F)


@settings(max_examples=200, deadline=None)
@given(st.text(ANY_CHAR))
def test_strip_illegal_xml_leaves_only_xml_characters(text: str) -> None:
    clean = strip_illegal_xml(text)
    assert all(
        c in "\t\n\r" or 0x20 <= ord(c) <= 0xD7FF or 0xE000 <= ord(c) <= 0xFFFD or ord(c) >= 0x10000
        for c in clean
    )
    assert strip_illegal_xml(clean) == clean
    assert xml_legal(text) == (clean == text)
    parses_as_xml_text(clean)


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.text(ANY_CHAR, max_size=200), MARKUP), st.booleans())
def test_render_never_raises_and_gives_safe_well_formed_output(text: str, markdown: bool) -> None:
    html = render(text, markdown=markdown, page_url=PAGE)
    lxml.html.fromstring(f"<div>{html}</div>")
    parses_as_xml_text(html)
    safe(html)
    assert render(text, markdown=markdown, page_url=PAGE) == html


@settings(max_examples=200, deadline=None)
@given(
    st.text(st.one_of(ANY_CHAR, st.sampled_from(" 中\u0301\u200d\U0001f1e8\U0001f3fd"))),
    st.integers(0, 30),
)
def test_summaries_are_short_prefixes(text: str, length: int) -> None:
    summary = summarize(text, length)
    assert len(summary) <= length + 1
    if summary == text:
        assert len(text) <= length
    else:
        assert summary.endswith("…") and text.startswith(summary[:-1])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(MARKUP, st.text(ANY_CHAR, max_size=30)), max_size=12), st.booleans())
def test_a_summary_read_from_the_start_of_the_content_is_the_whole_ones(
    parts: list[str], markdown: bool
) -> None:
    html = render("".join(parts), markdown=markdown, page_url=PAGE)
    for length in (0, 1, 5, 20, 200):
        assert summary(html, length) == summarize(plain_text(html), length)


def test_a_summary_of_long_content_is_the_whole_texts() -> None:
    html = render(body(LONGEST), markdown=True, page_url=PAGE)
    assert summary(html, 20) == summarize(plain_text(html), 20)


URLISH = st.tuples(
    st.sampled_from(["https://h.example", "//h.example", "http://h.example/", "", "/", "../"]),
    st.lists(
        st.sampled_from(
            [
                "https://",
                "http://",
                "HTTP://",
                "//",
                "h.example",
                "/",
                "a",
                "%41",
                "?",
                "#",
                ";",
                ":",
                "@",
                "[",
                "]",
                "\\",
                " ",
                "\t",
                "中",
                "..",
                "'",
                "(",
                "~",
                "-",
                "_",
                "=",
                "?a=1",
                "?",
                "http:",
                "HTTPS:",
            ]
        ),
        max_size=12,
    ).map("".join),
).map("".join)


@settings(max_examples=300, deadline=None)
@given(URLISH, st.sampled_from([PAGE, "http://example.org/a/b.html", "HTTP://example.org/c/"]))
def test_every_link_is_resolved_against_the_page_as_a_browser_would(url: str, page: str) -> None:
    html = render(
        f'<a href="{escape(url, {chr(34): "&quot;"})}">x</a>', markdown=False, page_url=page
    )
    try:
        want: str | None = urljoin(page, url.strip("".join(map(chr, range(0x21)))))
        if urlsplit(want).scheme not in ("http", "https", "mailto"):
            want = None
    except ValueError:
        want = None
    # ammonia drops first what it cannot parse as a URL at all ("https://" alone).
    assert lxml.html.fragment_fromstring(html, create_parent="div")[0].get("href") in (want, None)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(MARKUP, st.sampled_from(["&#1;", "&#x80;", "&#129;", "&#xFFFF;"])), max_size=12
    ),
    st.text(ANY_CHAR, max_size=30),
    st.booleans(),
)
def test_a_body_known_free_of_controls_renders_the_same(
    parts: list[str], text: str, markdown: bool
) -> None:
    body = strip_controls("".join(parts) + text)
    assert render(body, markdown=markdown, page_url=PAGE, controls_free=True) == render(
        body, markdown=markdown, page_url=PAGE
    )


HTML_BLOCKS = st.lists(
    st.sampled_from(
        [
            "<p>",
            "<P ",
            "</p>",
            "<div>",
            "<p/>",
            "<p",
            "<pa>",
            "<li>",
            "<pre>",
            "<table>",
            "<script>",
            "<!--",
            "-->",
            "\n",
            " ",
            "\t",
            "\r",
            "\x0b",
            "\x0c",
            "\x85",
            "\u2028",
            "\u3000",
            "a",
            "中",
            "*",
            "&#1;",
            "&amp;",
            "[x]: /u",
            "[x]",
            "`",
            "```",
            "    ",
            "> ",
            "- ",
            "\\",
            "\n\n",
            "\n\n<p>",
            "\n \n<div>",
            "\n\n[x]",
        ]
    ),
    max_size=20,
).map("".join)


#: What markdown_html asks comrak for: CommonMark, raw HTML kept.
COMRAK = comrak.RenderOptions()
COMRAK.unsafe_ = True


@settings(max_examples=500, deadline=None)
@example("<p>", "x\n  ")  # a last line of white space is a blank line too
@given(st.sampled_from(["", "<p>", "<div>", "<p class=x>", "<h2>", "</p>"]), HTML_BLOCKS)
def test_markdown_that_is_one_html_block_is_what_comrak_makes_of_it(start: str, text: str) -> None:
    assert markdown_html(start + text) == comrak.render_markdown(
        start + text, render_options=COMRAK
    )
