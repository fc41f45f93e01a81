"""Which files of a site are posts, and which are skipped with a warning."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from .jekyll_site import FM, parse_site


def test_posts_in_nested_folders_and_category_folders(site: Callable[[dict[str, str]], Path]) -> None:
    root = site({
        "_posts/2021/2021-12-08-a.md": FM.format(extra=""),
        "news/world/_posts/2021-12-08-b.md": FM.format(extra="categories: extra\n"),
        "_drafts/2021-12-08-draft.md": FM.format(extra=""),
        "_posts/.hidden.md": "x",
        "_posts/notes.txt": "x",
    })
    posts, problems = parse_site(root)
    assert sorted(posts) == ["_posts/2021/2021-12-08-a.md", "news/world/_posts/2021-12-08-b.md"]
    assert posts["news/world/_posts/2021-12-08-b.md"].categories == ("news", "world", "extra")
    assert [str(p) for p in problems] == ["_posts/notes.txt:1: warning: not a post: the file name is not YYYY-MM-DD-<slug>.md, .markdown or .html; skipped, as Jekyll skips it"]
