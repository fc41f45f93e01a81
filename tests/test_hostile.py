"""Hostile posts, through the whole pipeline: config → index → export.

The site in ``fixtures/hostile/`` (plus a few files only a test can make: a huge front matter and
body, a symbolic link, a FIFO, a file name that is not UTF-8) holds every way a scraped post can
be broken or malicious. Each bad post must be reported with its file and line and skipped, or
cleaned; every other post must be published; every file written must be a valid, safe feed
inside the export folder.
"""

from __future__ import annotations

import html
import json
import os
import shutil
import time
import tracemalloc
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import feedparser
import pytest
from lxml import etree

from feeds import config, content, export
from feeds.documents import Documents
from feeds.jekyll import files as jekyll_files
from feeds.jekyll import permalink, posts
from feeds.model import Problem

from . import feedcheck, html_check
from .conftest import FIXTURES

HOSTILE = FIXTURES / "hostile"
SITE_URL = "https://hostile.example"
NOW = datetime(2026, 1, 1, tzinfo=UTC)
ATOM_RNG = etree.RelaxNG(etree.parse(str(FIXTURES / "atom.rng")))
MAX_POST_BYTES = 1_000_000

#: Every problem the site gives: (path, line, level, a piece of the message). Nothing else.
PROBLEMS = [
    ("_posts/0001-01-01-year-one.md", 3, "error", "before 1970"),
    ("_posts/2021-01-02-unescaped-quote.md", 3, "error", "bad YAML in front matter"),
    ("_posts/2021-01-03-never-closed.md", 1, "error", "never closed"),
    (
        "_posts/2021-01-04-yaml-list.md",
        2,
        "error",
        "must be a mapping of keys to values, not a list",
    ),
    (
        "_posts/2021-01-05-yaml-string.md",
        2,
        "error",
        "must be a mapping of keys to values, not a str",
    ),
    (
        "_posts/2021-01-06-alias-bomb-tags.md",
        13,
        "error",
        "tags must be a string or a list of strings",
    ),
    ("_posts/2021-01-08-gbk.md", 5, "error", "not UTF-8: byte 0xd5"),
    ("_posts/2021-01-09-latin1.md", 5, "error", "not UTF-8: byte 0xe9"),
    ("_posts/2021-01-18-hostile-image.md", 3, "warning", "image 'javascript:alert(1)' is no"),
    ("_posts/2021-01-18-hostile-image.md", 4, "warning", "thumbnail 'data:text/html,<script>"),
    ("_posts/2021-02-02-huge-body.md", 1, "warning", "over [site] max_post_bytes"),
    ("_posts/2021-02-03-symlink.md", 1, "warning", "a symbolic link"),
    ("_posts/2021-02-04-\ufffd.md", 1, "warning", "not valid UTF-8"),
    ("_posts/2021-02-05-fifo.md", 1, "warning", "not a regular file"),
    ("_posts/2021-02-06-dangling.md", 1, "warning", "a symbolic link"),
    ("_posts/2021-02-07-linked-folder", 1, "warning", "a symbolic link to a folder"),
    ("_posts/2021-03-14-dst-gap.md", 3, "warning", "Jekyll reads it as UTC"),
    ("_posts/2021-06-04-nonsense-date.md", 3, "error", "bad date: not a date: 'next tuesday-ish'"),
    (
        "_posts/2021-06-05-impossible-date.md",
        4,
        "error",
        "date: 2021-02-30 is not a valid timestamp",
    ),
    (
        "_posts/2021-06-10-bad-timestamp-tag.md",
        3,
        "error",
        "date: garbage is not a valid timestamp",
    ),
    ("_posts/2021-06-11-huge-integer.md", 2, "error", "is not a valid int"),
    ("_posts/2021-06-16-deep-nesting.md", 3, "error", "exceeded maximum nesting depth"),
    ("_posts/2021-11-07-dst-fold.md", 3, "warning", "Jekyll reads it as UTC"),
    ("_posts/9999-12-31-end-of-time.md", 3, "error", "out of range"),
    ("_posts/notes.txt", 1, "warning", "not a post"),
]
#: The second of two posts with one permalink is warned about (test_same_permalink_posts_keep_distinct_ids).
SAME_PERMALINK = (
    "_posts/2021-06-09-same-permalink-b.md",
    1,
    "warning",
    "same permalink as _posts/2021-06-08-same-permalink-a.md",
)

#: Every post published at NOW, by file, with its title as every format shows it.
PUBLISHED = {
    "CON/_posts/2021-06-15-folder-category.md": "Folder category",
    "_posts/2021-01-01-good.md": "A good post",
    "_posts/2021-01-07-alias-bomb-unused.md": "Billion laughs nobody reads",
    "_posts/2021-01-10-control-characters.md": "Control characters gone",
    "_posts/2021-01-11-markup-title.md": "a < b & c ]]> bold &",
    "_posts/2021-01-12-script-body.md": "Scripts in Markdown",
    "_posts/2021-01-13-script-body.html": "Scripts in HTML",
    "_posts/2021-01-14-hostile-names.md": "Hostile names",
    "_posts/2021-01-15-news-lower.md": "Lower-case news",
    "_posts/2021-01-16-script-title.md": "Script Title",
    "_posts/2021-01-17-mojibake.md": "Café at £5",
    "_posts/2021-01-18-hostile-image.md": "Hostile images",
    "_posts/2021-02-01-huge-front-matter.md": "Huge front matter",
    "_posts/2021-03-14-dst-gap.md": "In the spring-forward gap",
    "_posts/2021-06-01-zulu.md": "Zulu",
    "_posts/2021-06-02-kathmandu.md": "Kathmandu",
    "_posts/2021-06-03-date-only.md": "Date only",
    "_posts/2021-06-06-permalink-dotdot.md": "Dot-dot permalink",
    "_posts/2021-06-07-permalink-url.md": "Full-URL permalink",
    "_posts/2021-06-08-same-permalink-a.md": "Same permalink, first",
    "_posts/2021-06-09-same-permalink-b.md": "Same permalink, second",
    "_posts/2021-06-12-no-front-matter.md": "No Front Matter",
    "_posts/2021-06-13-empty.md": "Empty",
    "_posts/2021-06-14-set-title.md": "Set Title",
    "_posts/2021-11-07-dst-fold.md": "In the fall-back fold",
}
#: Parsed, but dated after NOW: in the index, in no feed.
SCHEDULED = {"_posts/9999-06-01-year-9999.md"}

#: What must never reach any file of the export (the pages have their own meta, style and one
#: script: tests/html_check.py checks those).
NEVER = ("<script", "onerror=", "javascript:", "data:text/html", "<base", "http-equiv")
#: What must never reach a feed, in its markup or in the HTML it carries.
FORBIDDEN = NEVER + (
    "onload=",
    "onclick=",
    "ontoggle=",
    "onmouseover=",
    "<iframe",
    "<svg",
    "<meta",
    "<style",
    "<form",
    "srcdoc",
)


@dataclass(frozen=True)
class Run:
    base: Path
    site: Path
    out: Path
    documents: Documents
    problems: list[Problem]
    #: Every file outside OUT before the export, with its bytes.
    outside: dict[Path, bytes]
    seconds: float


def _build_site(base: Path) -> Path:
    site = base / "site"
    shutil.copytree(HOSTILE, site)
    posts = site / "_posts"
    keys = "".join(f"key{i:05d}: value {i} {'x' * 20}\n" for i in range(20_000))
    (posts / "2021-02-01-huge-front-matter.md").write_text(
        f"---\ntitle: Huge front matter\n{keys}description: {'d' * 100_000}\n---\nA front matter of 20,000 keys.\n",
        encoding="utf-8",
    )
    assert (posts / "2021-02-01-huge-front-matter.md").stat().st_size < MAX_POST_BYTES
    (posts / "2021-02-02-huge-body.md").write_text(
        "---\ntitle: Huge body\n---\n" + "A line of a body far too long.\n" * 40_000,
        encoding="utf-8",
    )
    secret = base / "secret.md"
    secret.write_text("---\ntitle: Secret outside the site\n---\nPrivate.\n", encoding="utf-8")
    os.symlink(secret, posts / "2021-02-03-symlink.md")
    (posts / os.fsdecode(b"2021-02-04-\xff.md")).write_text(
        "---\ntitle: Latin-1 name\n---\nx\n", encoding="utf-8"
    )
    os.mkfifo(posts / "2021-02-05-fifo.md")
    os.symlink(base / "gone.md", posts / "2021-02-06-dangling.md")
    elsewhere = base / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "2021-02-07-secret.md").write_text(
        "---\ntitle: Secret in a linked folder\n---\nPrivate.\n", encoding="utf-8"
    )
    os.symlink(elsewhere, posts / "2021-02-07-linked-folder")
    return site


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    base = tmp_path_factory.mktemp("hostile")
    site = _build_site(base)
    path = base / "config.toml"
    path.write_text(
        f'[site]\nurl = "{SITE_URL}"\nsource = "{site}"\ntitle = "Hostile <site> & co"\n'
        f'timezone = "America/New_York"\nmax_post_bytes = {MAX_POST_BYTES}\n'
        f'[index]\npath = "{base / "index.sqlite3"}"\n',
        encoding="utf-8",
    )
    documents = Documents.from_config(config.load(path))
    started = time.perf_counter()
    documents.index.refresh()
    out = base / "out"
    outside = {
        p: p.read_bytes()
        for p in base.rglob("*")
        if p.is_file() and not p.is_symlink() and "index.sqlite3" not in p.name
    }
    export.export(documents, out, NOW)
    seconds = time.perf_counter() - started
    return Run(base, site, out, documents, documents.index.problems(), outside, seconds)


def outputs(run: Run) -> Iterator[Path]:
    return (p for p in sorted(run.out.rglob("*")) if p.is_file() and p.name != ".feeds-export")


def feeds_of(run: Run, fmt: str) -> list[Path]:
    return [
        p for p in outputs(run) if p.suffix == f".{fmt}" or (fmt == "atom" and p.suffix == ".xml")
    ]


# -- problems: each bad post with its file and line --------------------------------------------


def test_every_bad_post_is_reported_with_its_file_and_line(run: Run) -> None:
    got = [(p.path, p.line, p.level) for p in run.problems if p.path != SAME_PERMALINK[0]]
    assert got == [(path, line, level) for path, line, level, _ in PROBLEMS]
    for problem, (_, _, _, piece) in zip(
        (p for p in run.problems if p.path != SAME_PERMALINK[0]), PROBLEMS, strict=True
    ):
        assert piece in problem.message, problem


def test_problems_name_the_file_not_its_bytes(run: Run) -> None:
    # The non-UTF-8 name is shown with U+FFFD; every path stays printable and inside the site.
    for problem in run.problems:
        assert problem.path.isprintable() and ".." not in problem.path.split("/"), problem


def test_the_whole_site_takes_well_under_ten_seconds(run: Run) -> None:
    # The alias bomb, the deep nesting and 20,000 keys included; the FIFO is never waited on.
    assert run.seconds < 10


def test_a_billion_laughs_costs_no_more_than_its_text() -> None:
    rules = posts.Rules(
        root=HOSTILE,
        site_url=SITE_URL,
        zone=ZoneInfo("America/New_York"),
        permalink=permalink.template("date"),
        max_post_bytes=MAX_POST_BYTES,
        summary_length=200,
    )
    for name in ("2021-01-06-alias-bomb-tags.md", "2021-01-07-alias-bomb-unused.md"):
        path = HOSTILE / "_posts" / name
        tracemalloc.start()
        started = time.perf_counter()
        posts.parse(jekyll_files.SourceFile(f"_posts/{name}", path.stat().st_size, 0), rules)
        elapsed = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert elapsed < 0.5 and peak < 5_000_000, (name, elapsed, peak)


# -- publishing: every other post in the feeds -------------------------------------------------


def test_every_good_post_is_published_with_its_title_as_text(run: Run) -> None:
    feed = json.loads((run.out / "feed.json").read_text(encoding="utf-8"))
    assert sorted(item["title"] for item in feed["items"]) == sorted(PUBLISHED.values())
    for fmt in ("atom", "rss"):
        parsed = feedparser.parse((run.out / f"feed.{fmt}").read_bytes())
        assert sorted(e.title for e in parsed.entries) == sorted(PUBLISHED.values()), fmt
        assert all(e.title_detail.type == "text/plain" for e in parsed.entries), fmt
    assert run.documents.index.count(NOW) == len(PUBLISHED)
    assert run.documents.index.count(datetime(9999, 12, 31, tzinfo=UTC)) == len(PUBLISHED) + len(
        SCHEDULED
    )


def test_markup_in_titles_and_names_is_text_everywhere(run: Run) -> None:
    atom = (run.out / "feed.atom").read_text(encoding="utf-8")
    assert '<title type="text">a &lt; b &amp; c ]]&gt; bold &amp;</title>' in atom
    assert "<name>Mallory &amp; co</name>" in atom
    rss = (run.out / "feed.rss").read_text(encoding="utf-8")
    assert "<title>a &#x3C; b &#x26; c ]]&#x3E; bold &#x26;</title>" in rss
    assert (run.out / "category/cat.atom").is_file() and not (run.out / "tag/script.rss").exists()


def test_mojibake_is_repaired_everywhere(run: Run) -> None:
    [item] = json.loads((run.out / "tag/naïve.json").read_text(encoding="utf-8"))["items"]
    assert (item["title"], item["tags"]) == ("Café at £5", ["naïve"])
    assert "été" in item["content_html"] and "été" in item["summary"]


def test_control_characters_are_cleaned_and_the_post_kept(run: Run) -> None:
    feed = json.loads((run.out / "tag/ctltag.json").read_text(encoding="utf-8"))
    [item] = feed["items"]
    assert item["title"] == "Control characters gone" and item["tags"] == ["ctltag"]
    text = item["content_html"]
    assert "NUL, bell, escape[31m, vertical tab, DEL and C1 controls." in text
    assert all(
        c in "\t\n\r" or 0x20 <= ord(c) < 0x7F or ord(c) >= 0xA0
        for c in json.dumps(feed, ensure_ascii=False)
    )


def test_dates_keep_their_offsets_dst_included(run: Run) -> None:
    atom = (run.out / "feed.atom").read_text(encoding="utf-8")
    for published in (
        "2021-03-14T03:30:00-04:00",  # 02:30 does not exist: the offset before the gap
        "2021-11-07T01:30:00-04:00",  # 01:30 happens twice: the first
        "2021-06-01T12:00:00+00:00",
        "2021-06-02T12:00:00+05:45",
        "2021-06-03T00:00:00-04:00",
    ):
        assert f"<published>{published}</published>" in atom
    rss = (run.out / "feed.rss").read_text(encoding="utf-8")
    assert (
        "<pubDate>Wed, 02 Jun 2021 06:15:00 +0000</pubDate>" in rss
    )  # +0545 in UTC: see dates.rfc822
    assert "9999" not in atom  # scheduled, not published


def test_hostile_names_get_safe_slugs_and_news_shares_a_feed(run: Run) -> None:
    categories = {
        s.slug: s.name for s, _ in run.documents.index.scopes(NOW) if s.kind.value == "category"
    }
    assert {"etc-passwd", "a-b", "con", "news", "good", "cat", "x-y"} <= categories.keys()
    assert categories["news"] == "News" and categories["con"] == "CON"
    # A slug is part of a subscribed URL: written out here, so a change to how it is made shows.
    assert categories["_9a7b006d20"] == "!!!" and categories["_c20dbb2b07"] == "🎉"
    assert categories["x" * 189 + "-dc31b173a0"] == "x" * 500
    news = json.loads((run.out / "category/news.json").read_text(encoding="utf-8"))
    assert sorted(i["title"] for i in news["items"]) == ["Hostile names", "Lower-case news"]
    tags = {s.slug for s, _ in run.documents.index.scopes(NOW) if s.kind.value == "tag"}
    assert {
        "etc-passwd",
        "a-b",
        "nul",
        "news",
    } <= tags and "script" not in tags  # "<script>" is no name
    assert "" not in categories and "" not in tags


def test_every_link_stays_on_the_site(run: Run) -> None:
    for path in feeds_of(run, "json"):
        for item in json.loads(path.read_text(encoding="utf-8"))["items"]:
            assert item["url"].startswith(SITE_URL + "/") and item["id"].startswith(
                SITE_URL + "/"
            ), item["url"]
    urls = {
        i["title"]: i["url"]
        for i in json.loads((run.out / "feed.json").read_text(encoding="utf-8"))["items"]
    }
    assert urls["Dot-dot permalink"] == f"{SITE_URL}/etc/passwd"
    assert urls["Full-URL permalink"] == f"{SITE_URL}/https:/evil.example/phish"


def test_same_permalink_posts_keep_distinct_ids(run: Run) -> None:
    items = json.loads((run.out / "feed.json").read_text(encoding="utf-8"))["items"]
    ids = {i["title"]: i["id"] for i in items}
    assert ids["Same permalink, first"] == f"{SITE_URL}/same/"
    assert (
        ids["Same permalink, second"] == f"{SITE_URL}/same/#_posts/2021-06-09-same-permalink-b.md"
    )
    assert any(p.path == SAME_PERMALINK[0] and SAME_PERMALINK[3] in p.message for p in run.problems)


# -- the files: inside OUT, valid, safe -------------------------------------------------------


def test_nothing_is_written_outside_the_export_folder(run: Run) -> None:
    after = {
        p: p.read_bytes()
        for p in run.base.rglob("*")
        if p.is_file()
        and not p.is_symlink()
        and "index.sqlite3" not in p.name
        and not p.is_relative_to(run.out)
    }
    assert after == run.outside
    root = run.out.resolve()
    for path in run.out.rglob("*"):
        assert not path.is_symlink() and path.resolve().is_relative_to(root), path
        assert ".." not in path.relative_to(run.out).parts


def test_every_feed_is_well_formed_valid_and_read_without_complaint(run: Run) -> None:
    xml_files = feeds_of(run, "atom") + feeds_of(run, "rss") + [run.out / "feeds.opml"]
    assert len(xml_files) > 60
    for path in xml_files:
        tree = etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True))
        if path.suffix in (".atom", ".xml"):
            assert ATOM_RNG.validate(tree), (path, ATOM_RNG.error_log)
        if path.suffix != ".opml":
            parsed = feedparser.parse(path.read_bytes())
            assert parsed.bozo == 0, (path, parsed.get("bozo_exception"))
    for path in feeds_of(run, "json"):
        feed = json.loads(path.read_bytes().decode("utf-8"))
        assert feed["version"] == "https://jsonfeed.org/version/1.1" and feed["items"], path
    pages = [p for p in outputs(run) if p.suffix == ".html"]
    assert len(pages) > 20
    for path in pages:
        html_check.parse(path.read_bytes())  # strict: the first parse error fails


def test_markup_in_titles_and_names_is_text_on_every_page(run: Run) -> None:
    title = "a < b & c ]]> bold &"
    page = html_check.parse((run.out / "category/cat/index.html").read_bytes())
    assert title in [html_check.text(a) for a in page.iter("a")]
    assert html_check.text(page.find("body/header/h1")) == "cat"  # type: ignore[arg-type]
    index = html_check.parse((run.out / "index.html").read_bytes())
    names = {html_check.text(a) for a in index.iter("a")}
    assert {"../../etc/passwd", "a/b", "!!!", "🎉", "x]]>y", '""', "?#%"} <= names
    for path in (p for p in outputs(run) if p.name == "index.html" and p.parent != run.out):
        texts = [html_check.text(h) for h in html_check.parse(path.read_bytes()).iter("h3")]
        assert texts and all("<" not in t or t.startswith("a < b") for t in texts), (path, texts)


#: The hostile post's ``cover``, the first of its images that is a URL, percent-encoded.
HOSTILE_IMAGE = "https://img.example/a%22%3E%3Cscript%3Ealert(1)%3C/script%3E%20%E5%9B%BE.png"


def test_hostile_lead_images_and_authors_are_text_everywhere(run: Run) -> None:
    [item] = json.loads((run.out / "author/eve.json").read_text(encoding="utf-8"))["items"]
    assert item["image"] == HOSTILE_IMAGE
    assert item["authors"] == [{"name": '">Eve'}, {"name": "a/../b & c"}]
    authors = {
        s.slug: s.name for s, _ in run.documents.index.scopes(NOW) if s.kind.value == "author"
    }
    assert authors == {"eve": '">Eve', "a-b-c": "a/../b & c", "mallory-co": "Mallory & co"}
    for fmt in ("atom", "rss"):
        [entry] = feedparser.parse((run.out / f"author/a-b-c.{fmt}").read_bytes()).entries
        assert entry.media_thumbnail == [{"url": HOSTILE_IMAGE}], fmt
    page = html_check.parse((run.out / "author/eve/index.html").read_bytes())
    assert html_check.text(page.find("body/header/h1")) == '">Eve'  # type: ignore[arg-type]
    assert [i.get("src") for i in page.iter("img")] == [HOSTILE_IMAGE]
    index = html_check.parse((run.out / "index.html").read_bytes())
    assert {'">Eve', "a/../b & c"} <= {html_check.text(a) for a in index.iter("a")}


def _html_fields(path: Path) -> Iterator[str]:
    """Every piece of HTML a reader renders from ``path``: content, RSS descriptions."""
    if path.suffix == ".json":
        for item in json.loads(path.read_text(encoding="utf-8"))["items"]:
            yield item.get("content_html", "")
        return
    tree = etree.parse(str(path))
    for element in tree.iter():
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag.endswith(
            ("}content", "}summary", "description", "}encoded", "}title", "title", "}name")
        ):
            yield element.text or ""


def test_no_script_handler_or_dangerous_url_reaches_any_file(run: Run) -> None:
    for path in outputs(run):
        raw = path.read_text(encoding="utf-8").lower()
        if path.suffix == ".html":
            html_check.check_safe(html_check.parse(path.read_bytes()), SITE_URL)
            raw = raw.replace(html_check.OUR_SCRIPT.lower(), "").replace("<script>", "", 1)
        if path.suffix != ".json":  # in JSON, text fields are text; their HTML is checked below
            for bad in NEVER if path.suffix == ".html" else FORBIDDEN:
                assert bad not in raw, (path, bad)
        if path.suffix in (".atom", ".rss", ".json", ".xml"):
            for fragment in _html_fields(path):
                lowered = (
                    html.unescape(fragment).lower() if path.suffix == ".json" else fragment.lower()
                )
                for bad in FORBIDDEN:
                    assert bad not in lowered, (path, bad, fragment[:200])
                if fragment.strip():
                    feedcheck.assert_safe_fragment(fragment, path)


def test_sanitized_bodies_keep_their_safe_text(run: Run) -> None:
    items = {
        i["title"]: i
        for i in json.loads((run.out / "feed.json").read_text(encoding="utf-8"))["items"]
    }
    for title in ("Scripts in Markdown", "Scripts in HTML"):
        body = items[title]["content_html"]
        assert "Safe text before." in body and "Safe text after." in body
        assert f'href="{SITE_URL}/2021/01/1' in body  # the relative link, made absolute


def test_a_second_export_writes_nothing(run: Run) -> None:
    stats = export.export(run.documents, run.out, NOW, full=True)
    assert stats.written == 0 and stats.removed == 0


# -- the rules behind the cases above, one at a time -------------------------------------------


def test_a_symlink_is_refused_by_a_full_scan_and_by_a_watched_change_alike(run: Run) -> None:
    files, _ = jekyll_files.find(run.site)
    assert "_posts/2021-02-03-symlink.md" not in {f.path for f in files}
    assert jekyll_files.stat_post(run.site, "_posts/2021-02-03-symlink.md") is None
    assert jekyll_files.stat_post(run.site, "_posts/2021-02-05-fifo.md") is None
    assert jekyll_files.stat_post(run.site, "_posts/2021-02-06-dangling.md") is None
    assert (
        jekyll_files.stat_post(run.site, "_posts/2021-02-07-linked-folder/2021-02-07-secret.md")
        is None
    )
    feed = (run.out / "feed.json").read_text(encoding="utf-8")
    assert "Secret outside the site" not in feed and "Secret in a linked folder" not in feed


@pytest.mark.parametrize(
    ("title", "shown"),
    [
        ("a < b & c", "a < b & c"),  # text: no reader takes it for HTML
        ("List<T> and Vector<int>", "List<T> and Vector<int>"),
        ("R&D", "R&D"),
        ("AT&amp;T", "AT&T"),  # an entity: readers decode it, so do we
        ("<b>Breaking</b>  news", "Breaking news"),
        ("<img src=x onerror=alert(1)>", ""),  # nothing but markup: the slug stands in
        ("&lt;/b&gt;x", "x"),  # escaped twice, read twice
        ("CafÃ© at Â£5", "Café at £5"),  # UTF-8 read as Latin-1, as feedparser repairs it
        ("Ã and ©", "Ã and ©"),  # Latin-1 that is not such a misreading
    ],
)
def test_titles_that_look_like_html_are_read_as_html(title: str, shown: str) -> None:
    assert content.as_text(title) == shown
