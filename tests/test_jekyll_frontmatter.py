"""Front matter: decoding, the ``---`` block, and YAML errors reported at their line."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from feeds import dates
from feeds.content import strip_controls
from feeds.jekyll.frontmatter import decode, read_simple
from feeds.model import Problem

from . import corpusgen
from .jekyll_site import front_and_body, one, parse_site

# -- rule 2: front matter ---------------------------------------------------------------------


def test_bom_crlf_and_blank_lines_are_accepted(site: Callable[[dict[str, str]], Path]) -> None:
    text = "\ufeff\r\n  \r\n---\r\ntitle: Hi\r\ntags: [a, b]\r\n---\r\nBody\r\n"
    post, problems = one(site, text)
    assert post is not None and post.title == "Hi" and post.tags == ("a", "b")
    assert [p.message for p in problems] == [
        "2 blank line(s) before the front matter: Jekyll does not see it and publishes the page at "
        "https://finews.withounder.com/2021/12/08/hello.html with the title, date and categories of the "
        "file name; the feeds link there and use the front matter for the rest. Delete the blank lines "
        "so that Jekyll reads it"
    ]
    assert "\r" not in post.content_html


def test_blank_lines_link_to_the_page_jekyll_writes(site: Callable[[dict[str, str]], Path]) -> None:
    """Jekyll misses the front matter, so its page has no categories and the file's date: the
    feeds keep the author's title and date but link to the page that exists (#14)."""
    post, problems = one(
        site, "\n---\ntitle: Hi\ndate: 2021-12-08 23:00:00 +0000\ncategories: emnews\n---\nBody\n"
    )
    assert post is not None and (post.title, post.categories) == ("Hi", ("emnews",))
    assert dates.rfc3339(post.date) == "2021-12-08T23:00:00+00:00"
    assert post.url == "https://finews.withounder.com/2021/12/08/hello.html"
    assert (
        "not at https://finews.withounder.com/emnews/2021/12/09/hello.html" in problems[0].message
    )


def test_no_front_matter_is_a_post_as_in_jekyll(site: Callable[[dict[str, str]], Path]) -> None:
    post, problems = one(site, "Just text\n", name="CON/_posts/2021-12-08-no-matter.md")
    assert post is not None and (post.title, post.categories) == ("No Matter", ("CON",))
    assert post.content_html == "<p>Just text</p>\n" and not problems


def test_unclosed_front_matter_is_an_error_with_its_line(
    site: Callable[[dict[str, str]], Path],
) -> None:
    post, problems = one(site, "\n---\ntitle: x\n")
    assert post is None
    assert (problems[-1].level, problems[-1].line) == ("error", 2)
    assert "never closed" in problems[-1].message


# -- rule 3: YAML ---------------------------------------------------------------------------------


def test_yaml_error_reports_the_line_of_the_error(site: Callable[[dict[str, str]], Path]) -> None:
    text = '---\nlayout: post\ntitle: "say "hi" now"\ndate: 2021-12-08\n---\nbody\n'
    post, problems = one(site, text)
    assert post is None
    assert problems == [Problem("_posts/2021-12-08-hello.md", 3, "error", problems[0].message)]
    assert problems[0].message.startswith("bad YAML in front matter")


@pytest.mark.parametrize("fm", ["- a\n- b\n", "just a string\n", "42\n"])
def test_front_matter_must_be_a_mapping(site: Callable[[dict[str, str]], Path], fm: str) -> None:
    post, problems = one(site, f"---\n{fm}---\nbody\n")
    assert post is None and problems[0].level == "error" and "mapping" in problems[0].message


def test_empty_front_matter_uses_the_file_name(site: Callable[[dict[str, str]], Path]) -> None:
    post, _ = one(site, "---\n---\nbody\n")
    assert post is not None and post.title == "Hello"
    assert dates.rfc3339(post.date) == "2021-12-08T00:00:00+08:00"


def test_control_characters_cost_no_post(site: Callable[[dict[str, str]], Path]) -> None:
    post, problems = one(site, '---\ntitle: "a\x0bb\x00c"\n---\nx\x0by\x1f\n')
    assert post is not None and post.title == "abc"
    assert "\x0b" not in post.content_html and "xy" in post.content_html
    assert not [p for p in problems if p.level == "error"]


def test_non_utf8_is_an_error_naming_the_line(site: Callable[[dict[str, str]], Path]) -> None:
    root = site({})
    (root / "_posts" / "2021-12-08-gbk.md").write_bytes("---\ntitle: x\n---\n中文\n".encode("gbk"))
    posts, problems = parse_site(root)
    assert not posts
    assert (
        problems[0].level == "error"
        and problems[0].line == 4
        and "not UTF-8" in problems[0].message
    )


# -- the simple front matter, read without YAML's parser -----------------------------------------


def _yaml(fm_text: str) -> dict[str, Any]:
    """What PyYAML's C loader makes of a front matter, as load_yaml hands it on."""
    data = yaml.load(fm_text, Loader=yaml.CSafeLoader)
    return {} if data is None else {str(k): v for k, v in data.items()}


def _same(a: object, b: object) -> bool:
    """Equal, and of the same types throughout: ``1 == True`` and two datetimes in different
    zones can be equal and still not the same front matter."""
    if type(a) is not type(b):
        return False
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)  # type: ignore[arg-type]
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)  # type: ignore[call-overload]
    if isinstance(a, list):
        return len(a) == len(b) and all(map(_same, a, b))  # type: ignore[arg-type]
    if isinstance(a, datetime):
        return a == b and a.utcoffset() == b.utcoffset()  # type: ignore[attr-defined]
    return a == b


# Scalars on YAML's edges: what resolves to a bool, a number, null or a timestamp, and what
# makes a line something else (": ", " #", indicators, quotes, escapes, other line breaks).
ATOMS = [
    "post", "a", "b c", "贺州电视台新闻", "x:y", "x: y", "x:", " #c", "#c", "a#b", "-", "- ", "-1",
    "1", "0x1f", "1_000", "190:20:30", "1.5", ".inf", ".NaN", "1e3", "+1", "~", "null", "Null",
    "true", "TRUE", "yes", "No", "on", "OFF", "y", "n", "2021-12-01", "2021-12-01 08:26:21",
    "2021-12-01 08:26:21 +0800", "2021-12-01T08:26:21Z", "2021-12-01 08:26:21.5 +08:00",
    "2021-02-30", "2021-02-30 10:00:00", "0000-01-01", '"', "'", "''", "\\", "[", "]", "{", "}",
    ",", ", ", "&a", "*a", "!x", "|", ">", "%", "@", "`", "?", ":", "=", "<<", " ", "  ",
    "\u3000", "\u00a0", "\t", "\r", "\u2028", "\ufeff", "{{ x }}", "(xianggang)", "C#", "it's",
]  # fmt: skip
ATOM = st.sampled_from(ATOMS) | st.text(st.sampled_from("ab1 :#-'\"[],.\u3000\\"), max_size=4)
#: What the scrapers write, so that most front matters are simple but for one odd thing.
NICE = st.lists(
    st.sampled_from(
        ["post", "贺州电视台新闻", "2021-12-01 08:26:21 +0800", "2021-12-01", "false", "3"]
    ),
    min_size=1,
    max_size=3,
).map(" ".join)
SCALAR = NICE | NICE | st.lists(ATOM, max_size=4).map("".join)
QUOTED = SCALAR.map(lambda s: f'"{s}"') | SCALAR.map(lambda s: "'" + s.replace("'", "''") + "'")
VALUE = (
    SCALAR
    | QUOTED
    | st.lists(SCALAR | QUOTED, max_size=4).map(lambda xs: "[" + ", ".join(xs) + "]")
    | st.lists(SCALAR, max_size=4).map(lambda xs: "[" + ",".join(xs) + "]")
)
KEY = st.sampled_from(
    ["title", "date", "tags", "layout", "published", "a_b", "a-b", "on", "Null", "y", "日期", "1a"]
)
ENTRY = st.builds(
    lambda k, sep, v, end: k + sep + v + end,
    KEY,
    st.sampled_from([": "] * 6 + [":", ":  ", " : ", ":\t"]),
    VALUE,
    st.sampled_from([""] * 6 + [" ", "\t", " # c"]),
) | st.builds(
    lambda k, indents, vs: k + ":\n" + "".join(i + "-" + (" " + v if v else "") + "\n" for i, v in zip(indents, vs)),
    KEY,
    st.lists(st.sampled_from(["", "  ", " "]), min_size=4, max_size=4),
    st.lists(VALUE, max_size=4),
)  # fmt: skip
ODD_LINE = st.sampled_from(["", " ", "# c", "  x", "- a", "- - a", "%YAML 1.1", "key:", "? a"])
FRONT_MATTER = st.lists(ENTRY | ENTRY | ENTRY | ENTRY | ODD_LINE, max_size=5).map(
    lambda lines: strip_controls("\n".join(lines) + "\n")  # what decode() leaves of a file
)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(FRONT_MATTER)
def test_simple_front_matter_reads_as_yaml_reads_it(fm_text: str) -> None:
    simple = read_simple(fm_text)
    if simple is not None:
        assert _same(simple, _yaml(fm_text)), simple


@pytest.mark.parametrize(
    ("fm_text", "expected"),
    [
        (
            'title: "a: b # c"\ndate: 2021-12-01 08:26:21\npublished: false\ntags: [a, 1, b c]\n',
            {
                "title": "a: b # c",
                "date": datetime(2021, 12, 1, 8, 26, 21),
                "published": False,
                "tags": ["a", 1, "b c"],
            },
        ),
        ("tags:\n- 贺州\n- 'it''s'\nauthor:\nx: ~\n", {"tags": ["贺州", "it's"], "author": None, "x": None}),
        ("categories: 21shijijingjibaodao  21caijingAPP \n", {"categories": "21shijijingjibaodao  21caijingAPP"}),
        ("title: 中文\u3000\ntags: [ ]\n", {"title": "中文\u3000", "tags": []}),
    ],
)  # fmt: skip
def test_simple_front_matter_is_read_without_yaml(fm_text: str, expected: object) -> None:
    assert _same(read_simple(fm_text), expected)


@pytest.mark.parametrize(
    "fm_text",
    [
        "title: a # comment\n",
        "title: a: b\n",
        "title: a:\n",
        "title: - a\n",
        "tags: [a: b]\n",
        "title: a\u2028b\n",  # a line break to YAML
        "x: =\n",  # YAML's "value" tag, which nothing builds
        'title: "a\\tb"\n',  # an escape
        "title: a\n  b\n",  # a plain scalar over two lines
        "tags: [a, [b]]\n",
        "a: &x 1\nb: *x\n",
        "on: x\n",  # a key that YAML reads as true
        "date: 2021-02-30\n",  # no such day: PyYAML says so, with the line
        "title:\ta\n",
        "tags:\n  - a\n- b\n",
    ],
)
def test_other_front_matter_is_left_to_yaml(fm_text: str) -> None:
    assert read_simple(fm_text) is None


def _front_matters(paths: list[Path]) -> list[str]:
    return [fm_text for fm_text, _ in front_and_body(paths) if fm_text]


def test_every_fixture_and_generated_front_matter_reads_as_yaml(tmp_path: Path) -> None:
    fixtures = Path(__file__).parent / "fixtures"
    real = _front_matters(sorted(fixtures.rglob("_posts/*")) + sorted(fixtures.glob("content/*")))
    site = corpusgen.generate(
        tmp_path,
        300,
        categories=30,
        shape=corpusgen.Shape(images=0.2, unpublished=0.1, blank_lines=0.1, authors=0.3),
    )
    generated = _front_matters(sorted((site.root / "_posts").iterdir()))
    assert len(real) > 200 and len(generated) == 300
    for fm_text in real + generated:
        simple = read_simple(fm_text)
        assert simple is None or _same(simple, _yaml(fm_text)), fm_text
    # The site's own front matter, and all the generator writes, takes the simple path.
    finews = _front_matters(sorted((fixtures / "finews" / "_posts").iterdir()))
    assert all(read_simple(fm_text) is not None for fm_text in finews + generated)


@settings(max_examples=300, deadline=None)
@given(
    st.text(
        st.sampled_from(
            "a中\r\n\t\x00\x08\x0b\x1f\x7f\x80\x85\x9f\xa0\xc2\ufffd\ufffe\uffff\U0001f600"
        )
    )
)
def test_decode_drops_what_strip_controls_drops(text: str) -> None:
    assert decode(text.encode("utf-8")) == strip_controls(text.replace("\r\n", "\n"))
