"""feeds.jekyll.bodytext: the words of a body without an HTML parser, held to
:func:`feeds.content.plain_text` (html5ever through nh3) on generated HTML, on every body of the
fixtures and on a generated corpus."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from feeds.content import plain_text, strip_controls
from feeds.jekyll import bodytext

from . import corpusgen
from .jekyll_site import front_and_body

FIXTURES = Path(__file__).parent / "fixtures"

# Pieces of HTML that take the tokenizer's odd paths: quotes that open values only after "=",
# comments that end early, raw text, references cut by tags, names nh3 drops with their content.
PIECES = [
    "<", ">", "</", "/", "=", '"', "'", "&", ";", "#", "!", "?", "-", "--", " ", "\n", "\t",
    "\r", "\f", "<!--", "-->", "--!>", "<!", "<?", "<![CDATA[", "]]>", "&amp", "&amp;", "&lt;",
    "&#", "&#x", "&#60;", "&#xfdd0;", "&#x1fffe;", "&#1;", "&#128;", "&#" + "9" * 30 + ";",
    "&not", "&notin;", "&nbsp;", "&NewLine;", "中文", "新闻", "abc", "\u00a0", "\u3000", "Ã©",
    "http://a.com/b,c.html", "[", "]", "(", ")", "\ufdd0",
]  # fmt: skip
NAMES = [
    "p", "b", "a", "br", "div", "pre", "h1", "li", "td", "tr", "center", "span", "img", "script",
    "style", "title", "textarea", "xmp", "iframe", "noembed", "noframes", "noscript", "SCRIPT",
    "Style", "body", "html", "head", "option", "button", "form", "ruby", "rt", "image", "http:",
    "x-y", "g", "path", "desc", "mi", "sup", "table", "svg", "math", "select", "listing",
    "plaintext", "template", "font", "style<p", "\u017ftyle", "p/", "br/",
]  # fmt: skip
VALUES = ["", "=x", '="a>b"', "='a>b'", '="x', "='y", '=a"b', ' = "q" ', "=>", "=", '"', "'",
          "/", " / ", "=<p>", '="<p>"', " x=<style>", "\n", "\t"]  # fmt: skip
ATTRIBUTE = st.builds(
    lambda sep, name, value: sep + name + value,
    st.sampled_from([" ", "", "/", "\n"]),
    st.sampled_from(["", "a", "href", "=", "x:y", '"', "b'", "<"]),
    st.sampled_from(VALUES),
)
TAG = st.builds(
    lambda slash, name, attributes, close: f"<{slash}{name}{''.join(attributes)}{close}",
    st.sampled_from(["", "/"]),
    st.sampled_from(NAMES),
    st.lists(ATTRIBUTE, max_size=3),
    st.sampled_from([">", "/>", "", " >"]),
)
HTMLISH = (
    st.lists(TAG | st.sampled_from(PIECES) | st.text(max_size=3), max_size=30)
    .map("".join)
    .map(strip_controls)  # what decode() leaves of a file
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(HTMLISH)
def test_the_words_of_any_html_are_plain_texts(fragment: str) -> None:
    assert bodytext.fast_words(fragment) in (None, plain_text(fragment))
    assert bodytext.words(fragment) == plain_text(fragment)


@pytest.mark.parametrize(
    ("fragment", "expected"),
    [
        ('<p>a<!-- x -->b</p><a href="x>y">c</a>', "ab c"),
        ("<!-->a<!--->b<!-- --!>c<!--<!-->d<!-x>e", "abcde"),
        ("<style<p>a</style>b", "b"),  # "<style" is a tag of its own once the block edge is cut
        ("<SCRIPT>x</scRipt >y<title>t</title>u", "yu"),
        ("<noscript><!--</noscript>-->x", "-->x"),  # noscript is raw text: nh3 runs scripts
        ("&am<b></b>p; &amp<i>;</i>", "&amp; &;"),  # a reference ends where a tag starts
        ('<!DOCTYPE html "a>b">c<?php x ?>d</ x>e</>f', 'b">cdef'),
        ("a<1%b<http://a.com/x,y.html>c", "a<1%bc"),
        ("&#xfdd0;&#x1fffe;&#" + "9" * 5000 + ";", "\ufdd0\U0001fffe\ufffd"),
        ('a<b c="d', "a"),
        ("a<b c='d>e", "a"),  # a quote left open runs to the end, past any ">"
        ('a<b c="d>e', "a"),
    ],
)
def test_tokens_read_as_html5_reads_them(fragment: str, expected: str) -> None:
    assert bodytext.fast_words(fragment) == expected == plain_text(fragment)


@pytest.mark.parametrize(
    "fragment",
    [
        "<table>a<tr><td>x</td></tr>b</table>",  # stray text moves before the table
        "<select><style>s</style>t</select>",  # no raw text in a select
        "<svg><text>hi</text></svg>x",
        "<g>x</g>",  # an SVG element's name: nh3 drops it with its content
        "<listing>\nb",
        "<template>a</template>b",
        "<plaintext>&amp;<b>",
        "<script><!--<script></script>--></script>x",
    ],
)
def test_what_needs_a_tree_is_left_to_html5ever(fragment: str) -> None:
    assert bodytext.fast_words(fragment) is None
    assert bodytext.words(fragment) == plain_text(fragment)


def _bodies(paths: list[Path]) -> list[str]:
    """Each file's body as body_text reads it: after its front matter, Markdown links cut."""
    return [bodytext.links_cut(body) for _, body in front_and_body(paths)]


def test_every_fixture_body_reads_as_plain_text() -> None:
    paths = sorted(p for p in FIXTURES.rglob("*") if p.suffix in (".md", ".markdown", ".html"))
    bodies = _bodies([p for p in paths if "/_posts/" in p.as_posix() or "content" in p.parts])
    assert len(bodies) > 200
    fast = [bodytext.fast_words(b) for b in bodies]
    assert fast.count(None) < 10  # the hostile ones
    assert all(f == plain_text(b) for f, b in zip(fast, bodies) if f is not None)


def test_a_generated_corpus_reads_without_a_parser(tmp_path: Path) -> None:
    site = corpusgen.generate(
        tmp_path, 300, categories=30, shape=corpusgen.Shape(images=0.3, authors=0.2)
    )
    bodies = _bodies(sorted((site.root / "_posts").iterdir()))
    assert len(bodies) == 300
    for b in bodies:
        assert bodytext.fast_words(b) == plain_text(b)


@settings(max_examples=500, deadline=None)
@given(st.text(st.sampled_from("![]()x 中\n"), max_size=40))
@example("[a](b)!")
@example("![a](b)![c](d) [e]f](g)[h](i")
def test_markdown_links_are_cut_as_the_pattern_cuts_them(text: str) -> None:
    assert bodytext.links_cut(text) == re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)
