"""Generated posts through the whole pipeline: parse, render, build, read back by a client.

Hypothesis writes post files (front matter of random keys and values — dates, lists, nested
maps, any Unicode, control characters, YAML that is sometimes broken — and bodies of Markdown
and HTML fragments with tags, attributes, URLs, entities) and checks what must hold whatever a
post holds: nothing raises, every problem names the file and a line in it, every document is
well-formed XML 1.0 or valid JSON, Atom passes the RELAX NG schema, feedparser reads RSS and
Atom with ``bozo == 0``, titles and names come back as the parser produced them, and no script,
handler or dangerous URL survives.

CI runs a bounded number of examples; ``scripts/fuzz --examples N`` runs many more
(``FEEDS_FUZZ_EXAMPLES``, read at import).
"""

from __future__ import annotations

import json
import os
import tempfile
import unicodedata
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import feedparser
import pytest
import yaml
from hypothesis import HealthCheck, assume, event, given, settings
from hypothesis import strategies as st
from lxml import etree

from feeds import export, writers
from feeds.documents import Documents
from feeds.index import Index
from feeds.jekyll import files as jekyll_files
from feeds.jekyll import permalink, posts, render
from feeds.model import SITE, Feed, Post
from feeds.options import Options

from . import feedcheck
from .conftest import FIXTURES

EXAMPLES = int(os.environ.get("FEEDS_FUZZ_EXAMPLES", "150"))
SITE_URL = "https://fuzz.example"
ATOM_RNG = etree.RelaxNG(etree.parse(str(FIXTURES / "atom.rng")))
XML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
NEW_YORK = ZoneInfo("America/New_York")
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# -- strategies ---------------------------------------------------------------------------------

#: Characters that break things: controls, surrogates, non-characters, YAML and HTML syntax.
NASTY = st.sampled_from(
    [
        "\x00",
        "\x01",
        "\x08",
        "\x0b",
        "\x0c",
        "\x1b",
        "\x1f",
        "\x7f",
        "\x80",
        "\x85",
        "\x9f",
        "\xa0",
        "\ufeff",
        "\ufffd",
        "\ufffe",
        "\uffff",
        "\u2028",
        "\u2029",
        "\u200d",
        "\U0001f600",
        "中",
        "é",
        "e\u0301",
        "<",
        ">",
        "&",
        '"',
        "'",
        "]]>",
        "<!--",
        "-->",
        ":",
        "#",
        "- ",
        "*",
        "!",
        "|",
        "%",
        "{",
        "}",
        "[",
        "]",
        "\\",
        "\t",
        "\n",
        "\r\n",
        " ",
        "---",
        "&amp;",
        "&lt;",
        "&#1;",
        "&#x0;",
    ]
)
TEXT = st.lists(st.one_of(st.characters(codec="utf-8"), NASTY), max_size=30).map("".join)
WORD = st.one_of(
    st.text(st.characters(categories=("L", "N", "P", "S", "Zs")), min_size=1, max_size=12), NASTY
)

TAG_NAMES = [
    "a",
    "p",
    "b",
    "i",
    "img",
    *feedcheck.UNSAFE_TAGS,
    "details",
    "summary",
    "table",
    "td",
    "div",
    "span",
    "template",
    "noscript",
    "textarea",
    "title",
    "xmp",
    "video",
    "blockquote",
    "q",
    "ruby",
]
ATTRIBUTES = [
    "href",
    "src",
    "onerror",
    "onload",
    "onclick",
    "style",
    "srcdoc",
    "http-equiv",
    "content",
    "cite",
    "action",
    "formaction",
    "xlink:href",
    "title",
    "lang",
    "class",
]
URLS = [
    "javascript:alert(1)",
    " JaVaScRiPt:alert(1)",
    "java&#9;script:alert(1)",
    "&#106;avascript:x",
    "data:text/html,<script>alert(1)</script>",
    "data:image/png;base64,AAAA",
    "vbscript:x",
    "//evil.example/x",
    "/abs/path",
    "rel/path",
    "../../up",
    "#frag",
    "?q=1",
    "mailto:a@b.c",
    "https://ok.example/x?a=1&b=2",
    "http://[::1",
    "http://ex ample/",
    "x:y",
    "",
]


@st.composite
def html_fragment(draw: st.DrawFn) -> str:
    tag = draw(st.sampled_from(TAG_NAMES))
    attrs = draw(
        st.lists(
            st.tuples(st.sampled_from(ATTRIBUTES), st.one_of(st.sampled_from(URLS), TEXT)),
            max_size=3,
        )
    )
    inner = draw(st.one_of(TEXT, st.sampled_from(URLS)))
    shown = "".join(f' {k}="{v}"' if draw(st.booleans()) else f" {k}={v}" for k, v in attrs)
    close = draw(st.sampled_from([f"</{tag}>", "", f"</{tag}"]))
    return f"<{tag}{shown}>{inner}{close}"


MARKDOWN = st.sampled_from(
    [
        "# ",
        "## ",
        "> ",
        "- ",
        "1. ",
        "```\n",
        "    ",
        "**",
        "_",
        "`",
        "---\n",
        "\n\n",
        "[x](",
        ")",
        "![i](",
        "<",
        ">",
        "\\",
        "&nbsp;",
        "&#xD800;",
        "&foo;",
    ]
)
BODY = st.lists(
    st.one_of(TEXT, html_fragment(), MARKDOWN, st.sampled_from(URLS).map(lambda u: f"[l]({u})")),
    max_size=12,
).map("".join)

DATES = st.one_of(
    st.datetimes(min_value=datetime(1970, 1, 2), max_value=datetime(2040, 1, 1)),
    st.datetimes(
        min_value=datetime(1970, 1, 2),
        max_value=datetime(2040, 1, 1),
        timezones=st.sampled_from(
            [
                UTC,
                NEW_YORK,
                timezone(timedelta(hours=5, minutes=45)),
                timezone(timedelta(hours=-9, minutes=-30)),
            ]
        ),
    ),
    st.dates(min_value=date(1970, 1, 2), max_value=date(2040, 1, 1)),
    st.sampled_from(
        [
            "2021-03-14 02:30:00",
            "2021-11-07 01:30:00",
            "2021-06-01T12:00:00Z",
            "2022-01-10 08:03:44 +0800",
            "2021-02-30",
            "0000-01-01",
            "yesterday",
            "",
            "2021-13-01 10:00",
            "Jan 10 2022 8:03",
            "2021-06-01 12:00 +24:00",
            "10000-01-01",
        ]
    ),
    st.one_of(st.datetimes(), st.dates()),  # year 1 to 9999
)
SCALAR = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), TEXT, DATES)
VALUE = st.recursive(
    SCALAR,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(TEXT, inner, max_size=3)),
    max_leaves=8,
)
NAMES = st.one_of(
    TEXT,
    st.lists(st.one_of(WORD, TEXT, st.integers(), st.none()), max_size=6),
    st.lists(WORD, max_size=6),
    VALUE,
)
KNOWN: dict[str, st.SearchStrategy[Any]] = {
    "title": st.one_of(TEXT, WORD, VALUE),
    "date": DATES,
    "categories": NAMES,
    "category": NAMES,
    "tags": NAMES,
    "tag": NAMES,
    "author": st.one_of(TEXT, st.dictionaries(st.just("name"), TEXT), st.lists(TEXT, max_size=3)),
    "permalink": st.one_of(
        st.sampled_from(
            [
                "/:title/",
                "/:categories/:year/:title.html",
                "/../../etc/passwd",
                "https://evil.example/x",
                "/:nope/",
                "/same/",
                "/",
            ]
        ),
        TEXT,
    ),
    "slug": st.one_of(TEXT, WORD),
    "excerpt": st.one_of(TEXT, BODY),
    "description": TEXT,
    "published": st.one_of(st.booleans(), TEXT),
    "updated": DATES,
    "last_modified_at": DATES,
}
FRONT_MATTER = st.fixed_dictionaries({}, optional={**KNOWN, "layout": TEXT, "extra": VALUE})


@st.composite
def post_file(draw: st.DrawFn) -> tuple[str, bytes]:
    """A post file's name and bytes: usually valid YAML, sometimes hand-written lines that are not."""
    data = draw(FRONT_MATTER)
    if draw(st.sampled_from([True] * 4 + [False])):
        try:
            fm = yaml.safe_dump(
                data, allow_unicode=draw(st.booleans()), default_flow_style=draw(st.booleans())
            )
        except yaml.YAMLError:  # a value YAML cannot write (a key it cannot represent)
            fm = ""
    else:  # what a careless scraper writes: `key: "` + value + `"`, nothing escaped
        fm = "".join(
            f'{k}: "{v}"\n' if isinstance(v, str) else f"{k}: {v}\n" for k, v in data.items()
        )
    body = draw(BODY)
    ext = draw(st.sampled_from(["md", "markdown", "html"]))
    crlf = draw(st.booleans())
    text = f"---\n{fm}---\n{body}\n"
    if crlf:
        text = text.replace("\n", "\r\n")
    raw = text.encode("utf-8", "surrogatepass")
    if draw(st.sampled_from([False] * 9 + [True])):  # a byte that is not UTF-8, somewhere
        at = draw(st.integers(0, len(raw)))
        raw = raw[:at] + draw(st.sampled_from([b"\xff", b"\xc3", b"\xe9", b"\xd6\xd0"])) + raw[at:]
    day = draw(st.dates(min_value=date(1970, 1, 2), max_value=date(2030, 12, 31)))
    return f"{day.isoformat()}-{draw(st.sampled_from(['post', 'a-b', '中文', 'x.y']))}.{ext}", raw


# -- what must hold -------------------------------------------------------------------------------


def rules(root: Path) -> posts.Rules:
    return posts.Rules(
        root=root,
        site_url=SITE_URL,
        zone=NEW_YORK,
        permalink=permalink.template("date"),
        max_post_bytes=1_000_000,
        summary_length=50,
    )


def visible(text: str) -> bool:
    """No control character, line break, lone surrogate or U+FFFE/U+FFFF: text for one line."""
    return all(
        unicodedata.category(c) not in ("Cc", "Cs", "Zl", "Zp") and c not in "\ufffe\uffff"
        for c in text
    )


def check_problems(parsed: posts.Parsed, path: str, raw: bytes) -> None:
    lines = raw.count(b"\n") + 1
    for problem in parsed.problems:
        assert (
            problem.path == path
            and 1 <= problem.line <= lines
            and problem.level in ("error", "warning")
        ), problem
        assert problem.message and visible(problem.message), problem
    if any(p.level == "error" for p in parsed.problems):
        assert parsed.post is None


def check_post(post: Post) -> None:
    """What the model promises of every post, whatever its file held."""
    for text in (
        post.title,
        post.summary,
        *(a.name for a in post.authors),
        *post.categories,
        *post.tags,
    ):
        assert text == text.strip() and visible(text), repr(text)
    assert post.title
    assert post.url.startswith(SITE_URL + "/") and " " not in post.url
    assert post.date.utcoffset() is not None and post.date.utcoffset().seconds % 60 == 0  # type: ignore[union-attr]
    assert post.date.year >= 1970
    for name in (*post.categories, *post.tags):
        slug = permalink.scope_slug(name)
        assert slug and "/" not in slug and ".." not in slug and len(slug.encode()) <= 200, (
            name,
            slug,
        )


def terms(post: Post) -> list[str]:
    """What the feeds must list as a post's terms: its categories, then its tags, each name
    once (spelled out here, not taken from the writers)."""
    names: list[str] = []
    for name in (*post.categories, *post.tags):
        if name not in names:
            names.append(name)
    return names


def check_documents(feed: Feed) -> None:
    [post] = feed.posts
    for fmt in ("atom", "rss"):
        body = writers.render(feed, fmt)
        tree = etree.fromstring(body, XML_PARSER)  # well-formed XML 1.0, or this raises
        if fmt == "atom":
            assert ATOM_RNG.validate(tree), ATOM_RNG.error_log
        parsed = feedparser.parse(body)
        assert parsed.bozo == 0, parsed.get("bozo_exception")
        [entry] = parsed.entries
        assert entry.title == post.title, (fmt, entry.title, post.title)
        assert [t.term for t in entry.get("tags", [])] == terms(post), fmt
        assert entry.link == post.url and entry.id == post.url
        assert entry.published_parsed[:6] == post.date.astimezone(UTC).timetuple()[:6], fmt
        if fmt == "atom":
            if post.summary:  # without one, feedparser gives the content as the summary
                assert entry.summary == post.summary
            assert [a.get("name") for a in entry.get("authors", []) if a] == [
                a.name for a in post.authors
            ]
    doc = json.loads(writers.render(feed, "json").decode("utf-8"))
    [item] = doc["items"]
    assert item["title"] == post.title and item["id"] == post.url
    assert item.get("tags", []) == terms(post)
    feedcheck.assert_safe_fragment(item.get("content_html", ""), item)


@FUZZ
@given(post_file(), st.booleans())
def test_any_post_parses_renders_builds_and_reads_back(post: tuple[str, bytes], full: bool) -> None:
    name, raw = post
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "_posts").mkdir()
        (root / "_posts" / name).write_bytes(raw)
        [file], misnamed = jekyll_files.find(root)
        assert not misnamed
        parsed = posts.parse(file, rules(root))
        check_problems(parsed, file.path, raw)
        errors = [p.message.split(":")[0] for p in parsed.problems if p.level == "error"]
        event("published" if parsed.post else f"error: {errors[0]}" if errors else "skipped")
        if parsed.post is None:
            return
        done = render.finish(rules(root), parsed.post)
        check_post(done)
        feedcheck.assert_safe_fragment(done.content_html, done.path)
        feed = Feed(
            scope=SITE,
            title="Fuzz <site> & co",
            description="",
            site_url=SITE_URL,
            lang="en",
            author="",
            posts=(done,),
            full_content=full,
        )
        check_documents(feed)


@FUZZ
@given(st.lists(st.one_of(WORD, TEXT), min_size=1, max_size=5))
def test_any_names_give_safe_slugs(names: list[str]) -> None:
    slugs = {permalink.scope_slug(n) for n in names}
    for slug in slugs:
        assert slug and "/" not in slug and slug not in (".", "..") and len(slug.encode()) <= 200
        assert visible(slug)


@st.composite
def site_files(draw: st.DrawFn) -> dict[str, bytes]:
    files = draw(st.lists(post_file(), min_size=1, max_size=6, unique_by=lambda f: f[0]))
    return {f"_posts/{name}": raw for name, raw in files}


@settings(
    max_examples=max(10, EXAMPLES // 10),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(site_files())
def test_any_site_indexes_and_exports_valid_files_inside_out(files: dict[str, bytes]) -> None:
    """The same posts through SQLite and the export: every file inside OUT, every feed valid."""
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        for rel, raw in files.items():
            (base / "site" / rel).parent.mkdir(parents=True, exist_ok=True)
            (base / "site" / rel).write_bytes(raw)
        index = Index(base / "index.sqlite3", rules(base / "site"), jobs=1)
        try:
            index.refresh()
            options = Options(
                "Fuzz", "", SITE_URL, "en", "", ("atom", "rss", "json"), True, 50, future=True
            )
            documents = Documents(index, options)
            now = datetime(2030, 1, 1, tzinfo=UTC)
            export.export(documents, base / "out", now)
            assume(index.count(now))
            check_export(base / "out", index.problems(), files)
        finally:
            index.close()


def check_export(out: Path, problems: list[Any], files: dict[str, bytes]) -> None:
    assert {p.path for p in problems} <= set(files)
    written = list(_files(out))
    assert written
    for path in written:
        assert path.resolve().is_relative_to(out.resolve())
        data = path.read_bytes()
        if path.suffix == ".json":
            json.loads(data.decode("utf-8"))
        elif path.suffix in (".atom", ".rss", ".xml", ".opml"):
            tree = etree.fromstring(data, XML_PARSER)
            if path.suffix in (".atom", ".xml"):
                assert ATOM_RNG.validate(tree), (path, ATOM_RNG.error_log)
            if path.suffix != ".opml":
                assert feedparser.parse(data).bozo == 0, path


def _files(out: Path) -> Iterator[Path]:
    return (p for p in out.rglob("*") if p.is_file() and p.name != ".feeds-export")


@pytest.mark.parametrize(
    "text",
    [
        'title: "\\x1f\\0\\x85"\ntags: ["a\\x1fb", "\\0"]\n',
        'title: "<b>x</b>\\u2028"\nauthor: "&amp;\\t"\n',
    ],
)
def test_yaml_escapes_cannot_put_controls_back(tmp_path: Path, text: str) -> None:
    (tmp_path / "_posts").mkdir()
    (tmp_path / "_posts" / "2021-01-01-x.md").write_text(
        f"---\n{text}---\nbody\n", encoding="utf-8"
    )
    [file], _ = jekyll_files.find(tmp_path)
    parsed = posts.parse(file, rules(tmp_path))
    assert parsed.post is not None
    check_post(parsed.post)
    assert "\x1f" not in "".join(parsed.post.tags)
