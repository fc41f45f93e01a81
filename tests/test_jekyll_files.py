"""Which files of a site are posts, and which are skipped with a warning."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from feeds.errors import ConfigError
from feeds.jekyll import entries, files, siteconfig

from .jekyll_site import FM, parse_site


def test_posts_in_nested_folders_and_category_folders(
    site: Callable[[dict[str, str]], Path],
) -> None:
    root = site(
        {
            "_posts/2021/2021-12-08-a.md": FM.format(extra=""),
            "news/world/_posts/2021-12-08-b.md": FM.format(extra="categories: extra\n"),
            "_drafts/2021-12-08-draft.md": FM.format(extra=""),
            "_posts/.hidden.md": "x",
            "_posts/notes.txt": "x",
        }
    )
    posts, problems = parse_site(root)
    assert sorted(posts) == ["_posts/2021/2021-12-08-a.md", "news/world/_posts/2021-12-08-b.md"]
    assert posts["news/world/_posts/2021-12-08-b.md"].categories == ("news", "world", "extra")
    assert [str(p) for p in problems] == [
        "_posts/notes.txt:1: warning: not a post: the file name is not YYYY-MM-DD-<slug>.md, .markdown or .html; skipped, as Jekyll skips it"
    ]


def test_links_and_special_files_are_skipped_with_a_warning(
    site: Callable[[dict[str, str]], Path], tmp_path: Path
) -> None:
    root = site(
        {
            "_posts/2021-12-08-a.md": FM.format(extra=""),
            "elsewhere/2021-12-08-b.md": FM.format(extra=""),
        }
    )
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
    assert files.stat_post(root, "_posts/linked/2021-12-08-b.md") is None, (
        "a watched change agrees with the scan"
    )


def test_exclude_and_include_choose_posts_as_jekyll_does(
    site: Callable[[dict[str, str]], Path],
) -> None:
    """Jekyll's EntryFilter: exclude by path, glob or prefix, its defaults too; include
    re-admits an underscore folder; in ``_posts`` a file is judged by its path below it.
    The expected lists are what Jekyll 4.3 builds from this site."""
    post = FM.format(extra="")
    root = site(
        {
            "_config.yml": "exclude: [old, '_posts/2020*', 'drafts/*/_posts/*']\ninclude: [_kept]\n",
            "_posts/2021-12-08-a.md": post,
            "_posts/2020-01-01-gone.md": post,
            "old/_posts/2021-12-08-old.md": post,
            "drafts/x/_posts/2021-12-08-draft.md": post,
            "_kept/_posts/2021-12-08-kept.md": post,
            "_other/_posts/2021-12-08-other.md": post,
            "node_modules/_posts/2021-12-08-module.md": post,
            "_posts/a/_b/2021-12-08-deep.md": post,
            "_posts/_b/2021-12-08-top.md": post,
            "_posts/a/2021-12-08-backup.md~": post,
        }
    )
    rules = siteconfig.entry_filter(siteconfig.read(root), root / "_config.yml")
    found, problems = files.find(root, rules)
    assert [f.path for f in found] == [
        "_kept/_posts/2021-12-08-kept.md",
        "_posts/2021-12-08-a.md",
        "_posts/a/_b/2021-12-08-deep.md",
    ]
    assert problems == []
    for rel in (
        "_posts/2020-01-01-gone.md",
        "old/_posts/2021-12-08-old.md",
        "_other/_posts/2021-12-08-other.md",
        "node_modules/_posts/2021-12-08-module.md",
        "_posts/_b/2021-12-08-top.md",
        "drafts/x/_posts/2021-12-08-draft.md",
    ):
        assert files.stat_post(root, rel, rules) is None, (
            f"a watched change agrees with the scan: {rel}"
        )
    assert [files.stat_post(root, f.path, rules) for f in found] == found
    assert [f.path for f in files.find(root)[0]] == [
        "_posts/2020-01-01-gone.md",
        "_posts/2021-12-08-a.md",
        "_posts/a/_b/2021-12-08-deep.md",
        "drafts/x/_posts/2021-12-08-draft.md",
        "old/_posts/2021-12-08-old.md",
    ]


def test_exclude_must_be_a_list(site: Callable[[dict[str, str]], Path]) -> None:
    root = site({"_config.yml": "exclude: old\n"})
    with pytest.raises(ConfigError, match=r"_config\.yml: exclude must be a list"):
        siteconfig.entry_filter(siteconfig.read(root), root / "_config.yml")


NAMES = st.lists(
    st.sampled_from(
        [
            "2021-01-01-a.md",
            "2021-12-08-b.md~",
            "2020-05-05-c.html",
            "2021-01-01-中文.md",
            "_2021-01-01-d.md",
            "#2021-01-01-e.md",
            "٢٠٢١-01-01-f.md",
        ]
    ),
    unique=True,
    max_size=7,
)
PATTERNS = st.lists(
    st.sampled_from(
        [
            "_posts/2021-01-01-a.md",
            "_posts/2021*",
            "_po",
            "/",
            "",
            "2021-01-01-a.md",
            "*.md",
            "_posts/",
            "_posts",
            "2",
            "x",
            "_posts/2020-05-05-c.html",
        ]
    ),
    max_size=3,
)


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(names=NAMES, exclude=PATTERNS, include=PATTERNS)
def test_a_scan_reads_exactly_the_files_the_filter_admits(
    tmp_path: Path, names: list[str], exclude: list[str], include: list[str]
) -> None:
    """A scan skips matching each dated post name against the patterns when none can match
    it: it must read what judging each file would."""
    root = Path(tempfile.mkdtemp(dir=tmp_path))
    (root / "_posts").mkdir()
    for name in names:
        (root / "_posts" / name).write_text(FM.format(extra=""), encoding="utf-8")
    rules = entries.Filter.of(tuple(exclude), tuple(include))
    found, problems = files.find(root, rules)
    admitted = {n for n in names if rules.post("_posts", n)}
    assert {f.path for f in found} == {
        f"_posts/{n}" for n in admitted if files.POST_NAME.fullmatch(n)
    }
    # An admitted file that is not named as a post is skipped with a warning, never silently.
    assert {p.path for p in problems} == {
        f"_posts/{n}" for n in admitted if not files.POST_NAME.fullmatch(n)
    }


def test_read_takes_the_whole_file_even_past_its_stated_size(tmp_path: Path) -> None:
    # read() asks for one byte more than fstat says and reads on: a file that grew since it was
    # stated is read to its end. /proc's files state 0 bytes and hold more, so they are one.
    big = tmp_path / "big.md"
    big.write_bytes(bytes(range(256)) * 1000)
    assert files.read(big) == big.read_bytes() and files.read(str(big)) == big.read_bytes()
    assert os.stat("/proc/self/cmdline").st_size == 0
    with open("/proc/self/cmdline", "rb") as f:
        assert files.read("/proc/self/cmdline") == f.read() != b""
    empty = tmp_path / "empty.md"
    empty.write_bytes(b"")
    assert files.read(empty) == b""


def test_a_listing_says_once_when_it_has_found_many_files(tmp_path: Path) -> None:
    """A first fill starts its pool's fork server as soon as the scan has listed enough files
    to parse to need one: once, at that count, whatever it lists after."""
    (tmp_path / "_posts").mkdir()
    for day in range(1, 8):
        (tmp_path / "_posts" / f"2024-01-0{day}-p.md").write_text(FM.format(extra=""), "utf-8")
    seen: list[int] = []
    listed = files.listing(tmp_path, many=(3, lambda: seen.append(len(seen))))
    assert len(listed.paths) == 7 and seen == [0]
    files.listing(tmp_path, many=(7, lambda: seen.append(len(seen))))
    assert seen == [0, 1]
    files.listing(tmp_path, many=(8, lambda: seen.append(len(seen))))
    assert seen == [0, 1], "seven files are not eight"


def test_reading_files_together_refuses_and_reports_each_as_read_does(tmp_path: Path) -> None:
    """A fill reads a batch of files together, the disk asked for all of them first: each
    comes back as read() gives it, or with the error read() raises, in order, and no file is
    left open. A FIFO is not waited on, a symbolic link not followed."""
    post = tmp_path / "2024-01-01-a.md"
    post.write_bytes("---\ntitle: 甲\n---\n正文\n".encode() * 3000)
    os.mkfifo(tmp_path / "2024-01-02-fifo.md")
    (tmp_path / "2024-01-03-link.md").symlink_to(post)
    (tmp_path / "2024-01-04-folder.md").mkdir()
    names = ["2024-01-01-a.md", "gone.md", "2024-01-02-fifo.md", "2024-01-03-link.md"]
    names += ["2024-01-04-folder.md", "2024-01-01-a.md"]
    open_before = len(os.listdir("/proc/self/fd"))
    found = files.read_all([str(tmp_path / n) for n in names])
    assert len(os.listdir("/proc/self/fd")) == open_before
    assert found[0] == found[5] == post.read_bytes()
    for item, name in zip(found[1:5], names[1:5], strict=True):
        assert isinstance(item, OSError), name
        with pytest.raises(OSError) as raised:
            files.read(tmp_path / name)
        assert (raised.value.errno, type(raised.value)) == (item.errno, type(item)), name
