"""Front matter defaults of ``_config.yml``, applied as Jekyll 4.3 applies them."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

from feeds.jekyll import defaults, files, posts, siteconfig

from .jekyll_site import FM, rules

CONFIG = """\
defaults:
  - values: {author: everyone, feed: {excerpt_only: true}}
  - scope: {path: news, type: post}
    values: {author: desk, layout: news}
  - scope: {path: news}
    values: {author: untyped}
  - scope: {path: "news/_posts"}
    values: {layout: longer, feed: {lang: x}}
  - scope: {type: pages}
    values: {author: never}
  - scope: {path: "*/_posts"}
    values: {tags: [globbed]}
  - not a set
  - {scope: {path: news}}
"""


def test_sets_merge_by_precedence_and_deeply(site: Callable[[dict[str, str]], Path]) -> None:
    root = site({"_config.yml": CONFIG, "news/_posts/2021-12-08-a.md": FM.format(extra="")})
    config = siteconfig.read(root)
    got = defaults.defaults(config, root, "news/_posts/2021-12-08-a.md")
    assert got == {
        "author": "desk",
        "layout": "longer",
        "feed": {"excerpt_only": True, "lang": "x"},
        "tags": ["globbed"],
    }
    assert defaults.defaults(config, root, "_posts/2021-12-08-b.md") == {
        "author": "everyone",
        "feed": {"excerpt_only": True},
    }
    assert defaults.defaults({}, root, "_posts/2021-12-08-b.md") == {}


def test_a_posts_own_front_matter_wins(site: Callable[[dict[str, str]], Path]) -> None:
    root = site(
        {
            "_config.yml": CONFIG,
            "news/_posts/2021-12-08-a.md": FM.format(extra="author: Pat\n"),
            "news/_posts/2021-12-09-b.md": FM.format(extra="").replace("2021-12-08", "2021-12-09"),
        }
    )
    r = dataclasses.replace(rules(root), site=siteconfig.read(root))
    parsed = {
        f: posts.parse(files.SourceFile(f, 1, 1), r).post
        for f in ("news/_posts/2021-12-08-a.md", "news/_posts/2021-12-09-b.md")
    }
    a, b = parsed.values()
    assert a is not None and b is not None
    assert [x.name for x in a.authors] == ["Pat"] and [x.name for x in b.authors] == ["desk"]
    assert a.tags == b.tags == ("globbed",) and a.excerpt_only and b.excerpt_only
