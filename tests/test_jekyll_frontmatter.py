"""Front matter: decoding, the ``---`` block, and YAML errors reported at their line."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from feeds import dates
from feeds.model import Problem

from .jekyll_site import one, parse_site

# -- rule 2: front matter ---------------------------------------------------------------------

def test_bom_crlf_and_blank_lines_are_accepted(site: Callable[[dict[str, str]], Path]) -> None:
    text = "\ufeff\r\n  \r\n---\r\ntitle: Hi\r\ntags: [a, b]\r\n---\r\nBody\r\n"
    post, problems = one(site, text)
    assert post is not None and post.title == "Hi" and post.tags == ("a", "b")
    assert [p.message for p in problems] == ["2 blank line(s) before the front matter: Jekyll does not see this front matter; feeds reads it"]
    assert "\r" not in post.content_html


def test_no_front_matter_is_not_a_post(site: Callable[[dict[str, str]], Path]) -> None:
    post, problems = one(site, "Just text\n")
    assert post is None
    assert problems[0].level == "warning" and "no front matter" in problems[0].message


def test_unclosed_front_matter_is_an_error_with_its_line(site: Callable[[dict[str, str]], Path]) -> None:
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
    assert post is not None and post.title == "hello"
    assert dates.rfc3339(post.date) == "2021-12-08T00:00:00+08:00"


def test_control_characters_cost_no_post(site: Callable[[dict[str, str]], Path]) -> None:
    post, problems = one(site, "---\ntitle: \"a\x0bb\x00c\"\n---\nx\x0by\x1f\n")
    assert post is not None and post.title == "abc"
    assert "\x0b" not in post.content_html and "xy" in post.content_html
    assert not [p for p in problems if p.level == "error"]


def test_non_utf8_is_an_error_naming_the_line(site: Callable[[dict[str, str]], Path]) -> None:
    root = site({})
    (root / "_posts" / "2021-12-08-gbk.md").write_bytes("---\ntitle: x\n---\n中文\n".encode("gbk"))
    posts, problems = parse_site(root)
    assert not posts
    assert problems[0].level == "error" and problems[0].line == 4 and "not UTF-8" in problems[0].message
