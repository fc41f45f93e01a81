"""Which files of a site are posts, and which are skipped with a warning."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from feeds.jekyll import files

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


def test_links_and_special_files_are_skipped_with_a_warning(site: Callable[[dict[str, str]], Path], tmp_path: Path) -> None:
    root = site({"_posts/2021-12-08-a.md": FM.format(extra=""), "elsewhere/2021-12-08-b.md": FM.format(extra="")})
    os.mkfifo(root / "_posts" / "2021-12-08-fifo.md")
    os.symlink(tmp_path / "gone.md", root / "_posts" / "2021-12-08-dangling.md")
    os.symlink(root / "elsewhere", root / "_posts" / "linked")
    found, problems = files.find(root)
    assert [f.path for f in found] == ["_posts/2021-12-08-a.md"]
    assert [str(p) for p in problems] == [
        "_posts/2021-12-08-dangling.md:1: warning: skipped: a symbolic link; feeds reads only regular files, so a post cannot pull in a file from elsewhere",
        "_posts/2021-12-08-fifo.md:1: warning: skipped: not a regular file (a FIFO, socket or device); feeds reads only regular files",
        "_posts/linked:1: warning: skipped: a symbolic link to a folder; feeds does not follow it, so posts cannot come from elsewhere",
    ]
    assert files.stat_post(root, "_posts/linked/2021-12-08-b.md") is None, "a watched change agrees with the scan"
