"""feeds.jekyll.fields: what the front matter keys the feeds read mean, value by value (the
posts they end up in: tests/test_jekyll_posts.py)."""

from __future__ import annotations

from datetime import date

import pytest

from feeds.errors import ParseError
from feeds.jekyll import fields
from feeds.model import Author, Image, Problem

SITE = "https://finews.withounder.com"


def no_line(key: str) -> int:
    return 7


@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, ""), (True, "true"), (date(2021, 12, 8), "2021-12-08"), ([1], ""), (" a\x00b ", "ab"), (3, "3")],
)  # fmt: skip
def test_text_is_what_jekyll_prints(value: object, expected: str) -> None:
    assert fields.text(value) == expected


def test_names_split_strings_and_keep_list_items_whole() -> None:
    data = {"categories": "emnews  Wind emnews", "tag": ["东财 滚动", 3, None]}
    assert fields.names(("a",), data, "categories", "category", no_line) == ("a", "emnews", "Wind")
    assert fields.names((), data, "tags", "tag", no_line) == ("东财 滚动", "3")


def test_hostile_names_are_errors_at_their_line() -> None:
    with pytest.raises(ParseError, match="tags must be a string") as bad:
        fields.names((), {"tags": [{"a": 1}]}, "tags", "tag", no_line)
    assert bad.value.line == 7
    with pytest.raises(ParseError, match="more than 1000 names"):
        fields.names((), {"tags": [str(i) for i in range(1001)]}, "tags", "tag", no_line)


def test_shown_names_are_text_once_each() -> None:
    assert fields.shown(("<b>x</b>", "x", "AT&amp;T", "")) == ("x", "AT&T")


def test_authors_by_name_mapping_or_data_key() -> None:
    site = {
        "data": {"authors": {"lin": {"email": "lin@example.com", "uri": "https://lin.example"}}}
    }
    data = {"authors": ["lin", {"name": "王", "email": "no-at", "url": "javascript:x"}, "王"]}
    assert fields.authors(data, site) == (
        Author("lin", "lin@example.com", "https://lin.example"),
        Author("王", "", ""),
    )


def test_an_image_that_is_no_url_is_skipped_with_a_warning() -> None:
    problems: list[Problem] = []
    data = {
        "image": "javascript:alert(1)",
        "cover": {"path": "/a b.png", "length": 5, "type": "image/png"},
    }
    assert fields.image(data, SITE, "p.md", problems, no_line) == Image(
        f"{SITE}/a%20b.png", 5, "image/png"
    )
    assert [(p.line, p.level) for p in problems] == [(7, "warning")]


@pytest.mark.parametrize(("value", "expected"), [("fr-FR", "fr-FR"), ("zh_CN", ""), (5, "")])
def test_lang_is_a_bcp47_tag_or_nothing(value: object, expected: str) -> None:
    assert fields.lang(value) == expected
