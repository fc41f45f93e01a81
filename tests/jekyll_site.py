"""A small Jekyll site parsed the way the index parses it, for the tests of :mod:`feeds.jekyll`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from zoneinfo import ZoneInfo

from feeds.errors import ParseError
from feeds.jekyll import files, frontmatter, permalink, posts, render
from feeds.model import Post, Problem

URL = "https://finews.withounder.com"
#: A post's text with ``{extra}`` front matter lines.
FM = "---\ntitle: Hello\ndate: 2021-12-08 10:00:00 +0800\n{extra}---\nBody text.\n"


def rules(
    root: Path,
    *,
    zone: str = "Asia/Shanghai",
    permalink_style: str = "date",
    max_bytes: int = 10 * 1024 * 1024,
) -> posts.Rules:
    return posts.Rules(
        root=root,
        site_url=URL,
        zone=ZoneInfo(zone),
        permalink=permalink.template(permalink_style),
        max_post_bytes=max_bytes,
        summary_length=200,
    )


def parse_site(root: Path, **kw: object) -> tuple[dict[str, Post], list[Problem]]:
    """Every post of the site at ``root``, rendered, by path, and every problem found."""
    r = rules(root, **kw)  # type: ignore[arg-type]
    found, problems = files.find(root)
    done = {}
    for f in found:
        parsed = posts.parse(f, r)
        problems.extend(parsed.problems)
        if parsed.post:
            done[parsed.post.path] = render.finish(r, parsed.post)
    return done, problems


def one(
    site: Callable[[dict[str, str]], Path],
    text: str,
    name: str = "_posts/2021-12-08-hello.md",
    **kw: object,
) -> tuple[Post | None, list[Problem]]:
    """The post a site of one file gives (``None`` if none), and the problems."""
    root = site({name: text})
    done, problems = parse_site(root, **kw)
    return done.get(name), problems


def front_and_body(paths: list[Path]) -> list[tuple[str, str]]:
    """(front matter, body) of each file that has front matter, as the parser splits them;
    files that cannot be split (the hostile fixtures' broken ones) are left out."""
    found = []
    for path in paths:
        try:
            split = frontmatter.split_front_matter(frontmatter.decode(path.read_bytes()))
        except ParseError:
            continue
        if split:
            found.append((split[0], split[1]))
    return found
