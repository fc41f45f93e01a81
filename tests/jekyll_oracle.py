"""Real Jekyll as the oracle: build a fixture site with it and compare, post by post, with ours.

The site is copied to a temporary folder with one page of ours added (:data:`ORACLE_PAGE`), a
Liquid loop that dumps every post Jekyll publishes as JSON: its source path, URL, title, date,
categories, tags, excerpt and rendered content. Our side parses the same copy with the same
settings. :func:`compare` then lists every field that differs; a test asks for none.

Jekyll is Debian's (``apt-get install jekyll ruby-jekyll-feed``, which ``scripts/test``
installs): 4.3.1, whose O(n²) file walk (see ``bench/jekyll.py``) costs nothing at fixture sizes.
It runs offline (no plugin that fetches), without its disk cache, with ``future: true`` so that
posts dated later are built as ours are with ``[feeds] future``.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import lxml.html
import yaml

from feeds.config import Config
from feeds.jekyll import files, posts, render
from feeds.model import Post

JEKYLL = shutil.which("jekyll")

#: Our page: every post as one JSON object per line. ``relative_path`` ties it to the file.
ORACLE_PAGE = """\
---
layout: null
permalink: /feeds-oracle.json
---
[{% for post in site.posts %}{"path": {{ post.relative_path | jsonify }}, \
"url": {{ post.url | jsonify }}, "title": {{ post.title | jsonify }}, \
"date": {{ post.date | date_to_xmlschema | jsonify }}, \
"categories": {{ post.categories | jsonify }}, "tags": {{ post.tags | jsonify }}, \
"excerpt": {{ post.excerpt | strip_html | jsonify }}, "content": {{ post.content | jsonify }}}\
{% unless forloop.last %},
{% endunless %}{% endfor %}]
"""

#: The permalink settings every fixture is built under: Jekyll's styles, and templates that use
#: every kind of placeholder the issue names.
PERMALINKS: tuple[str, ...] = (
    "date",
    "pretty",
    "none",
    "/:categories/:short_year/:i_month/:i_day/:title:output_ext",
    "/archive/:year/:slug/",
)


@dataclass(frozen=True)
class JekyllPost:
    """One post as Jekyll published it."""

    path: str
    #: Site-relative and percent-encoded, as Jekyll's ``post.url`` (baseurl not included).
    url: str
    title: str
    #: ``date_to_xmlschema``: ``2021-12-08T22:06:00+08:00``.
    date: str
    categories: tuple[str, ...]
    tags: tuple[str, ...]
    excerpt: str
    #: Rendered HTML (kramdown for Markdown).
    content: str


@dataclass(frozen=True)
class Build:
    """A site as Jekyll built it: the source copy, its output folder and the posts."""

    source: Path
    out: Path
    posts: dict[str, JekyllPost]
    #: Posts Jekyll logged an error for (bad YAML, bytes not UTF-8...), by path: its message.
    #: Jekyll may still publish such a post, with empty front matter and today's date.
    failed: dict[str, str]


class JekyllFailed(RuntimeError):
    """Jekyll could not build the site; the message holds its output."""


def copy_site(
    fixture: Path, dest: Path, *, drop: tuple[str, ...] = (), config: dict[str, Any] | None = None
) -> Path:
    """``fixture`` copied to ``dest`` without the files in ``drop`` (site-relative paths), with
    ``config`` laid over its ``_config.yml`` and our oracle page added."""
    shutil.copytree(
        fixture, dest, ignore=shutil.ignore_patterns("versions", "MANIFEST.tsv", "VARIANTS.md")
    )
    for rel in drop:
        (dest / rel).unlink()
    cfg_path = dest / "_config.yml"
    data: dict[str, Any] = {}
    if cfg_path.exists():
        data = yaml.safe_load(cfg_path.read_text(encoding="utf-8")) or {}
    # No theme or plugin: a theme gem may be missing, and jekyll-feed's output is not compared.
    data.pop("theme", None)
    data.pop("plugins", None)
    data.setdefault("url", "https://example.com")
    data.update({"future": True, **(config or {})})
    cfg_path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    (dest / "feeds-oracle.json").write_text(ORACLE_PAGE, encoding="utf-8")
    return dest


def build(site: Path) -> Build:
    """Run ``jekyll build`` on ``site`` and read back our page.

    Raises:
        JekyllFailed: Jekyll exited with an error.
    """
    assert JEKYLL is not None, "jekyll is not installed"
    out = site / "_site"
    run = subprocess.run(
        [
            JEKYLL,
            "build",
            "--disable-disk-cache",
            "--quiet",
            "--source",
            str(site),
            "--destination",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    if run.returncode != 0:
        raise JekyllFailed(f"jekyll build failed ({run.returncode}):\n{run.stdout}{run.stderr}")
    # Numbers stay text: a title may be a 5000-digit integer, and our fields are text.
    raw = json.loads(
        (out / "feeds-oracle.json").read_text(encoding="utf-8"), parse_int=str, parse_float=str
    )
    posts = {
        p["path"]: JekyllPost(
            path=p["path"],
            url=p["url"],
            title=p["title"] or "",
            date=p["date"],
            categories=tuple(p["categories"] or ()),
            tags=tuple(p["tags"] or ()),
            excerpt=p["excerpt"] or "",
            content=p["content"] or "",
        )
        for p in raw
    }
    failed: dict[str, str] = {}
    for line in _ANSI.sub("", run.stdout + run.stderr).splitlines():
        m = _LOGGED_ERROR.search(line)
        if m:
            rel = Path(m.group(1)).relative_to(site).as_posix()
            failed.setdefault(rel, m.group(2).strip())
    return Build(source=site, out=out, posts=posts, failed=failed)


_ANSI = re.compile(r"\x1b\[[0-9;]*m")
#: How Jekyll logs a post it could not read and goes on.
_LOGGED_ERROR = re.compile(r"Error: (?:YAML Exception reading|could not read file) (/\S+?):? (.*)")


@dataclass
class Ours:
    """What our parser made of the same site: posts by path, the paths it rejected (with the
    reason), and the paths whose front matter Jekyll does not see (blank lines before it)."""

    posts: dict[str, Post]
    rejected: dict[str, str]
    unseen_front_matter: set[str]


def ours(config: Config) -> Ours:
    """Parse every post of ``config``'s site with our code, rendered as the index renders it."""
    rules = posts.rules_for(config)
    found, _ = files.find(rules.root, rules.entries)
    mine = Ours({}, {}, set())
    for f in found:
        parsed = posts.parse(f, rules)
        errors = [str(p) for p in parsed.problems if p.level == "error"]
        if errors:
            mine.rejected[f.path] = "; ".join(errors)
        if any("blank line(s) before the front matter" in p.message for p in parsed.problems):
            mine.unseen_front_matter.add(f.path)
        if parsed.post is not None:
            mine.posts[f.path] = render.finish(rules, parsed.post)
    return mine


def text(html: str) -> str:
    """The words of an HTML fragment with white space collapsed: Markdown engines differ in
    markup (kramdown's ``<br />`` and new lines between blocks, markdown-it's ``<br>``), never
    in words. A block's end counts as a space. Typographic quotes and dashes are folded, since
    kramdown makes ``"`` into ``“``."""
    if not html.strip():
        return ""
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    for element in root.iter():
        if element.tag in _BLOCKS:
            element.tail = " " + (element.tail or "")
    words = root.text_content()
    words = words.translate(_TYPOGRAPHY)
    return re.sub(r"\s+", " ", words).strip()


_BLOCKS = frozenset(
    {
        "p",
        "div",
        "br",
        "li",
        "blockquote",
        "pre",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "tr",
        "td",
        "th",
        "hr",
        "table",
        "ul",
        "ol",
    }
)
_TYPOGRAPHY = str.maketrans(
    {"“": '"', "”": '"', "‘": "'", "’": "'", "–": "--", "—": "---", "…": "..."}
)


#: Where we differ from Jekyll on purpose (docs/decisions.md), by name: why.
ON_PURPOSE = {
    "naive time": "a naive YAML time is the site zone's for the feeds, UTC for Jekyll; "
    "the link still goes to the page Jekyll dates by UTC",
    "unseen front matter": "front matter after blank lines is what the author meant; Jekyll "
    "does not see it, so only the link follows Jekyll",
    "safe": "feeds drop scripts, styles and event handlers from content, and markup from titles "
    "and names (a reader would run them); Jekyll publishes them as written",
    "mojibake": "feeds repair UTF-8 read as Latin-1 (Ã© is é); Jekyll publishes it as written",
}


@dataclass
class Report:
    """What one comparison looked at, what differed, and what differed on purpose."""

    posts: int = 0
    fields: int = 0
    mismatches: list[str] = field(default_factory=list)
    rejected: dict[str, str] = field(default_factory=dict)
    #: :data:`ON_PURPOSE` name → the fields that differ for that reason.
    on_purpose: dict[str, list[str]] = field(default_factory=dict)

    def add(self, path: str, name: str, jekyll: object, ours_: object, *, unless: str = "") -> None:
        """Compare one field; a difference counts against us unless ``unless`` names the
        :data:`ON_PURPOSE` reason it is allowed for."""
        self.fields += 1
        if jekyll == ours_:
            return
        if unless:
            self.on_purpose.setdefault(unless, []).append(f"{path}: {name}")
        else:
            self.mismatches.append(f"{path}: {name}: Jekyll {jekyll!r}, ours {ours_!r}")

    def summary(self) -> str:
        """The counts, for the test run's output."""
        kept = ", ".join(f"{len(v)} {k}" for k, v in sorted(self.on_purpose.items()))
        return (
            f"{self.posts} posts, {self.fields} fields, {len(self.mismatches)} mismatches, "
            f"{len(self.rejected)} rejected" + (f"; on purpose: {kept}" if kept else "")
        )


def compare(
    built: Build, mine: Ours, site_url: str, allowed: dict[tuple[str, str], str] | None = None
) -> Report:
    """Every post Jekyll published against ours: URL, title, instant, categories, tags, text,
    and that our link is a page Jekyll wrote. ``site_url`` is ``url`` + ``baseurl``.

    Posts Jekyll failed on are left out. ``allowed`` names (path, field) pairs that differ on
    purpose, with the :data:`ON_PURPOSE` reason.
    """
    allowed = allowed or {}
    report = Report(rejected=dict(mine.rejected))
    for path in sorted((set(built.posts) | set(mine.posts)) - set(built.failed)):
        j, o = built.posts.get(path), mine.posts.get(path)
        if j is None:
            report.mismatches.append(f"{path}: we publish it, Jekyll does not")
            continue
        if o is None:
            if path not in mine.rejected:
                report.mismatches.append(f"{path}: Jekyll publishes it at {j.url}, we do not")
            continue
        report.posts += 1
        unseen = "unseen front matter" if path in mine.unseen_front_matter else ""
        when = datetime.fromisoformat(j.date)
        naive = "naive time" if when == o.date.replace(tzinfo=UTC) else ""
        report.add(path, "url", site_url + unquote(j.url), unquote(o.url))
        report.add(path, "page written", True, _written(built, o.url, site_url))
        report.add(
            path,
            "title",
            text(j.title),
            text(o.title),
            unless=unseen or allowed.get((path, "title"), ""),
        )
        report.add(path, "date", when, o.date, unless=unseen or naive)
        for name, theirs, mine_ in (
            ("categories", j.categories, o.categories),
            ("tags", j.tags, o.tags),
        ):
            report.add(path, name, theirs, mine_, unless=unseen or allowed.get((path, name), ""))
        report.add(
            path,
            "text",
            text(j.content),
            text(o.content_html),
            unless=unseen or allowed.get((path, "text"), ""),
        )
    return report


def _written(built: Build, url: str, site_url: str) -> bool:
    """Whether ``url`` is a page in Jekyll's output folder."""
    if not url.startswith(site_url + "/"):
        return False
    rel = unquote(urlsplit(url).path)[len(urlsplit(site_url).path) + 1 :]
    target = built.out / rel
    if rel.endswith("/") or target.is_dir():
        return (target / "index.html").is_file()
    # Jekyll writes /etc/passwd as etc/passwd.html; servers (GitHub Pages) serve it there.
    return target.is_file() or target.with_name(target.name + ".html").is_file()


@dataclass(frozen=True)
class Run:
    """One fixture under one setting, for the summary at the end of the test run."""

    name: str
    report: Report
    #: Posts Jekyll logged an error for, left out: path → Jekyll's message.
    jekyll_failed: dict[str, str]
    #: Files left out because Jekyll cannot build the site with them: path → why.
    dropped: dict[str, str]


#: Every run of this test session, in order; ``conftest.py`` prints them.
REPORTS: list[Run] = []


def summary(runs: list[Run]) -> list[str]:
    """Lines for the end of the test run: counts per run and in all, what was left out, why."""
    lines = [f"{r.name}: {r.report.summary()}" for r in runs]
    settings = {r.name.split(" ", 1)[1] for r in runs}
    lines.append(
        f"in all: {sum(r.report.posts for r in runs)} posts, {sum(r.report.fields for r in runs)} fields, "
        f"{len(settings)} permalink settings, {sum(len(r.report.mismatches) for r in runs)} mismatches"
    )
    seen: set[str] = set()
    for r in runs:
        fixture = r.name.split(" ", 1)[0]
        for kind, items in (
            ("Jekyll fails on", r.dropped),
            ("Jekyll errs on", r.jekyll_failed),
            ("we reject", r.report.rejected),
        ):
            for path, why in sorted(items.items()):
                line = f"{fixture}: {kind} {path}: {why}"
                if line not in seen:
                    seen.add(line)
                    lines.append(line)
    for reason, why in ON_PURPOSE.items():
        lines.append(f"on purpose, {reason}: {why}")
    return lines
