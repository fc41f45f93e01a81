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
