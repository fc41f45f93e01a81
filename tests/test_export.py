"""The static export of the real corpus: the layout, the feeds' content, validity, idempotence."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import pty
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

import feedparser
import pytest
from click.testing import CliRunner
from lxml import etree

from feeds import config, export
from feeds.cli import main
from feeds.documents import Document, Documents
from feeds.errors import ExportError
from feeds.index import marks
from feeds.urls import resolve
from feeds.web import create_app

from . import corpusgen
from .conftest import FIXTURES, check_golden

ATOM_RNG = etree.RelaxNG(etree.parse(str(FIXTURES / "atom.rng")))
NOW = datetime(2026, 1, 1, tzinfo=UTC)
REAL = "https://finews.withounder.com/youjiangribao/2022/01/10/202201102241180920.html"


def published(out: Path) -> list[Path]:
    """The files a static host would serve: every file of the folder."""
    return [p for p in out.rglob("*") if p.is_file()]


def run_export(config: Path, out: Path) -> str:
    result = CliRunner().invoke(main, ["--config", str(config), "export", str(out)])
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("export")
    config = base / "config.toml"
    config.write_text(
        f'[site]\nurl = "https://finews.withounder.com"\nsource = "{FIXTURES / "finews"}"\n'
        'timezone = "Asia/Shanghai"\nlang = "zh-CN"\ntitle = "金融消息"\n',
        encoding="utf-8",
    )
    out = base / "out"
    run_export(config, out)
    return out


def test_the_layout_holds_every_url(exported: Path) -> None:
    for rel in [
        "index.html",
        "feeds.opml",
        "feed.atom",
        "feed.rss",
        "feed.json",
        "feed.xml",
        "category/emnews.atom",
        "category/emnews.rss",
        "category/emnews.json",
        "category/youjiangribao.rss",
        "tag/东财滚动新闻.atom",
        "tag/东财滚动新闻.rss",
        "tag/东财滚动新闻.json",
        "feed/emnews.xml",
        "feed/by_tag/东财滚动新闻.xml",
        "category/emnews/index.html",
        "tag/东财滚动新闻/index.html",
    ]:
        assert (exported / rel).is_file(), rel


@pytest.mark.parametrize("fmt", ["atom", "rss"])
def test_the_real_post_in_its_category_feed(exported: Path, fmt: str) -> None:
    d = feedparser.parse((exported / f"category/youjiangribao.{fmt}").read_bytes())
    assert d.bozo == 0
    [e] = d.entries
    assert e.title == "深百协作朝乡村振兴迈进"
    assert e.link == REAL and e.id == REAL
    raw = (exported / f"category/youjiangribao.{fmt}").read_text(encoding="utf-8")
    if fmt == "atom":
        assert "<published>2022-01-10T08:03:44+08:00</published>" in raw
    else:
        assert "<pubDate>Mon, 10 Jan 2022 08:03:44 +0800</pubDate>" in raw
        assert f'<guid isPermaLink="true">{REAL}</guid>' in raw
    html = e.content[0].value
    assert 'href="https://finews.withounder.com/category/youjiangribao.html"' in html
    assert 'href="https://finews.withounder.com/"' in html


def test_naive_dates_read_plus_eight_and_emnews_holds_fifty_newest_first(exported: Path) -> None:
    tree = etree.parse(str(exported / "category/emnews.atom"))
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entries = tree.findall("a:entry", ns)
    assert len(entries) == 50
    published = [e.findtext("a:published", namespaces=ns) for e in entries]
    assert all(p.endswith("+08:00") for p in published)
    assert published == sorted(published, reverse=True)
    ids = [e.findtext("a:id", namespaces=ns) for e in entries]
    assert len(set(ids)) == 50


def test_every_exported_feed_is_valid(exported: Path) -> None:
    feeds = [p for p in exported.rglob("*") if p.suffix in (".atom", ".rss", ".json", ".xml")]
    assert len(feeds) == 28
    for path in feeds:
        data = path.read_bytes()
        if path.suffix == ".json":
            doc = json.loads(data)
            assert (
                doc["version"] == "https://jsonfeed.org/version/1.1"
                and doc["title"]
                and doc["items"]
            )
            for item in doc["items"]:
                assert item["id"] and ("content_html" in item or "content_text" in item)
            continue
        tree = etree.fromstring(data)
        if tree.tag == "{http://www.w3.org/2005/Atom}feed":
            assert ATOM_RNG.validate(tree), (path, ATOM_RNG.error_log)
        d = feedparser.parse(data)
        assert d.bozo == 0, (path, d.get("bozo_exception"))
        assert d.entries


def test_jekyll_feed_paths_are_atom_that_names_its_own_url(exported: Path) -> None:
    d = feedparser.parse((exported / "feed/by_tag/东财滚动新闻.xml").read_bytes())
    assert d.version == "atom10"
    self_link = next(link.href for link in d.feed.links if link.rel == "self")
    assert (
        self_link
        == "https://finews.withounder.com/feed/by_tag/%E4%B8%9C%E8%B4%A2%E6%BB%9A%E5%8A%A8%E6%96%B0%E9%97%BB.xml"
    )


def files(out: Path) -> dict[str, tuple[bytes, int, int]]:
    """Each published file's bytes, mtime and inode: a file rewritten with the same bytes still
    gets a new inode (it is moved into place), and a new mtime."""
    return {
        p.relative_to(out).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns, p.stat().st_ino)
        for p in published(out)
    }


def test_a_second_export_is_identical_and_rewrites_nothing(
    tmp_path: Path, write_config: Callable[..., Path], finews_copy: Path
) -> None:
    config = write_config(source=finews_copy)
    out = tmp_path / "out"
    first = run_export(config, out)
    assert first.strip().startswith("36 written, 0 unchanged, 0 removed")
    snapshot = files(out)
    second = run_export(config, out)
    assert second.strip().startswith("0 written, 36 unchanged, 0 removed")
    assert files(out) == snapshot
    # a full export compares every file, and still leaves each one alone
    full = CliRunner().invoke(main, ["--config", str(config), "export", "--full", str(out)])
    assert full.stdout.startswith("0 written, 36 unchanged, 0 removed"), full.output
    assert files(out) == snapshot
    # and a fresh index gives the same bytes
    other = tmp_path / "other"
    (tmp_path / "feeds-index.sqlite3").unlink()
    run_export(config, other)
    assert {rel: b for rel, (b, _, _) in files(other).items()} == {
        rel: b for rel, (b, _, _) in snapshot.items()
    }


def test_a_full_export_after_an_edit_replaces_only_the_changed_files(
    tmp_path: Path, write_config: Callable[..., Path], finews_copy: Path
) -> None:
    config = write_config(source=finews_copy)
    out = tmp_path / "out"
    run_export(config, out)
    before = files(out)
    post = finews_copy / "_posts/2022-01-10-202201102241180920.md"
    post.write_text(
        post.read_text(encoding="utf-8").replace("深百协作", "深百再协作"), encoding="utf-8"
    )
    full = CliRunner().invoke(main, ["--config", str(config), "export", "--full", str(out)])
    assert full.stdout.startswith("14 written, 22 unchanged, 0 removed"), full.output
    after = files(out)
    assert {rel for rel in after if after[rel] != before[rel]} == {
        *(
            f"{scope}.{fmt}"
            for scope in ("feed", "category/youjiangribao", "tag/右江日报新闻")
            for fmt in ("atom", "rss", "json")
        ),
        "feed.xml",
        "feed/youjiangribao.xml",
        "feed/by_tag/右江日报新闻.xml",
        "category/youjiangribao/index.html",
        "tag/右江日报新闻/index.html",
    }, "only the files whose bytes changed"


def test_a_new_post_rewrites_only_what_changed_and_gone_scopes_are_removed(
    tmp_path: Path, write_config: Callable[..., Path], finews_copy: Path
) -> None:
    config = write_config(source=finews_copy)
    out = tmp_path / "out"
    run_export(config, out)
    (out / "README.txt").write_text("mine", encoding="utf-8")
    (out / "tag/右江日报新闻/notes.txt").write_text("mine", encoding="utf-8")
    (finews_copy / "_posts/2022-01-10-202201102241180920.md").unlink()
    (finews_copy / "_posts/2022-06-01-new.md").write_text(
        "---\ntitle: 新\ncategories: sitenews\n---\nx\n", encoding="utf-8"
    )
    line = run_export(config, out).strip()
    # feed.{atom,rss,json,xml}, sitenews x4 and its page, index.html, feeds.opml: 11 written;
    # youjiangribao category and tag x4 and a page each: 10 removed; emnews and its tag untouched.
    assert line.startswith("11 written, 15 unchanged, 10 removed"), line
    assert not (out / "category/youjiangribao.atom").exists()
    assert not (out / "category/youjiangribao").exists(), (
        "a gone scope's page folder goes with its page"
    )
    assert (out / "category/sitenews/index.html").is_file()
    assert (out / "README.txt").read_text(encoding="utf-8") == "mine", (
        "files outside the layout are left alone"
    )
    assert [p.name for p in (out / "tag/右江日报新闻").iterdir()] == ["notes.txt"], (
        "so is a page folder holding them"
    )


def write(items: list[tuple[str, Document | None]], out: Path) -> tuple[int, int, int]:
    root = export.prepare(out)
    export.check(root, [rel for rel, _ in items])
    return export.apply(root, items)


def test_writing_outside_the_folder_or_twice_is_refused(tmp_path: Path) -> None:
    doc = Document(b"x", "text/plain", None)
    with pytest.raises(ExportError, match="not a path inside"):
        write([("../evil.atom", doc)], tmp_path / "out")
    with pytest.raises(ExportError, match="twice"):
        write([("a.atom", doc), ("a.atom", doc)], tmp_path / "out")
    os.symlink(tmp_path, tmp_path / "out" / "link")
    with pytest.raises(ExportError, match="outside"):
        write([("link/x.atom", doc)], tmp_path / "out")
    assert not (tmp_path / "evil.atom").exists() and not (tmp_path / "x.atom").exists()


def test_a_failed_write_leaves_the_old_file_whole(tmp_path: Path) -> None:
    """A file-size limit makes the write fail for real (root included), as a full disk would."""
    out = tmp_path / "out"
    write([("category/a.atom", Document(b"old", "x", None))], out)
    script = f"""
import resource, signal, sys
from pathlib import Path
from feeds import export
from feeds.documents import Document
from feeds.errors import ExportError
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (100, 100))
try:
    items = [("category/a.atom", Document(b"new" * 1000, "x", None))]
    export.apply(export.prepare(Path({str(out)!r})), items)
except ExportError as e:
    print(e)
    sys.exit(3)
"""
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False
    )
    assert result.returncode == 3, result.stderr
    assert "category/a.atom: cannot write: File too large" in result.stdout
    assert (out / "category/a.atom").read_bytes() == b"old"
    assert sorted(p.name for p in (out / "category").iterdir()) == ["a.atom"], (
        "no temporary file left"
    )


def test_progress_is_drawn_on_a_terminal(tmp_path: Path, write_config: Callable[..., Path]) -> None:
    """``feeds export`` run for real with its stderr on a pseudo-terminal, stdout on a pipe."""
    main_end, term_end = pty.openpty()
    proc = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "feeds"),
            "--config",
            str(write_config()),
            "export",
            str(tmp_path / "o"),
        ],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=term_end,
    )
    os.close(term_end)
    seen = b""
    while True:
        try:
            chunk = os.read(main_end, 4096)
        except OSError:  # EIO: the command closed the terminal
            break
        if not chunk:
            break
        seen += chunk
    os.close(main_end)
    stdout, _ = proc.communicate()
    assert proc.returncode == 0
    assert seen.startswith(b"index: 151 changed, 0 removed in ")
    assert b"\r[" + b"#" * 24 + b"] 36/36 files " in seen, seen
    assert seen.endswith(b"\r\x1b[K"), "the line is cleared at the end"
    assert stdout.startswith(b"36 written, 0 unchanged, 0 removed in ") and b"\r" not in stdout


def test_progress_is_silent_when_piped(tmp_path: Path, write_config: Callable[..., Path]) -> None:
    result = CliRunner().invoke(
        main, ["--config", str(write_config()), "export", str(tmp_path / "o")]
    )
    assert result.stderr.count("\r") == 0
    assert result.stdout.count("\n") == 1


def test_future_posts_are_exported_only_with_future_true(
    tmp_path: Path, write_config: Callable[..., Path], finews_copy: Path
) -> None:
    (finews_copy / "_posts/2999-01-01-later.md").write_text(
        "---\ntitle: later\ncategories: later\n---\nx\n", encoding="utf-8"
    )
    run_export(write_config(source=finews_copy), tmp_path / "a")
    assert not (tmp_path / "a/category/later.atom").exists()
    run_export(write_config("[feeds]\nfuture = true\n", source=finews_copy), tmp_path / "b")
    assert b"<title>later</title>" in (tmp_path / "b/category/later.rss").read_bytes()


def test_an_incremental_export_equals_a_full_one(
    tmp_path: Path, write_config: Callable[..., Path], finews_copy: Path
) -> None:
    config = write_config(source=finews_copy)
    out = tmp_path / "out"
    run_export(config, out)
    posts = finews_copy / "_posts"
    (posts / "2021-12-08-202112082206710723.md").unlink()
    (posts / "2022-06-02-b.md").write_text(
        "---\ntitle: 乙\ncategories: emnews newcat\ntags: 标签\n---\nb\n", encoding="utf-8"
    )
    run_export(config, out)
    full = tmp_path / "full"
    CliRunner().invoke(main, ["--config", str(config), "export", "--full", str(full)])
    assert {p.relative_to(out): p.read_bytes() for p in published(out)} == {
        p.relative_to(full): p.read_bytes() for p in published(full)
    }


def test_full_restores_files_deleted_by_hand(
    tmp_path: Path, write_config: Callable[..., Path]
) -> None:
    config = write_config()
    out = tmp_path / "out"
    run_export(config, out)
    (out / "category/emnews.atom").unlink()
    assert run_export(config, out).startswith("0 written")
    result = CliRunner().invoke(main, ["--config", str(config), "export", "--full", str(out)])
    assert (
        result.stdout.startswith("1 written, 35 unchanged")
        and (out / "category/emnews.atom").exists()
    )


def test_a_rebuilt_index_means_a_full_export(
    tmp_path: Path, write_config: Callable[..., Path], finews_copy: Path
) -> None:
    config = write_config(source=finews_copy)
    out = tmp_path / "out"
    run_export(config, out)
    (tmp_path / "feeds-index.sqlite3").unlink()
    (out / "category/emnews.atom").unlink()
    assert run_export(config, out).startswith("1 written, 35 unchanged")


def test_the_export_keeps_no_state_in_the_published_folder(
    tmp_path: Path, write_config: Callable[..., Path]
) -> None:
    config = write_config()
    out = tmp_path / "out"
    out.mkdir()
    (out / ".feeds-export").write_text(
        '{"identity": "old"}', encoding="utf-8"
    )  # an earlier release's mark
    run_export(config, out)
    assert not (out / ".feeds-export").exists()
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*")}
    assert run_export(config, out).startswith("0 written, 36 unchanged")
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*")} == before, (
        "an export that writes nothing changes nothing"
    )


def test_versions_stay_bounded_and_exports_after_pruning_stay_right(
    tmp_path: Path,
    write_config: Callable[..., Path],
    finews_copy: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Thousands of generations, each retiring a tag: the index keeps what the live folder's
    mark needs, drops the abandoned folder's mark after KEEP_GENERATIONS, and both folders
    then export right (the abandoned one in full)."""
    monkeypatch.setattr(marks, "KEEP_GENERATIONS", 500)
    documents = Documents.from_config(config.load(write_config(source=finews_copy)))
    index = documents.index
    index.refresh()
    live, abandoned = tmp_path / "live", tmp_path / "abandoned"
    export.export(documents, abandoned, NOW)
    export.export(documents, live, NOW)
    db = sqlite3.connect(index.path)
    most = 0
    for i in range(2000):
        new, old = f"_posts/2022-06-01-p{i}.md", f"_posts/2022-06-01-p{i - 1}.md"
        (finews_copy / new).write_text(
            f"---\ntitle: 第{i}篇\ncategories: sitenews\ntags: t{i}\n---\n正文\n", encoding="utf-8"
        )
        (finews_copy / old).unlink(missing_ok=True)
        index.refresh([new, old])
        if i % 100 == 99:
            most = max(most, db.execute("SELECT COUNT(*) FROM versions").fetchone()[0])
        if i % 400 == 199:
            export.export(documents, live, NOW)
    db.close()
    assert index.generation > 2000
    # 8 live scopes, and tags retired since the oldest mark still in force (the abandoned
    # folder's until generation 500, then the live folder's, exported every 400 and last 200 ago)
    assert most <= 8 + 500, most
    assert index.export_mark(live.resolve()) is not None
    assert index.export_mark(abandoned.resolve()) is None
    (live / "category/emnews.atom").unlink()
    (abandoned / "category/emnews.atom").unlink()
    export.export(documents, live, NOW)
    export.export(documents, abandoned, NOW)
    assert not (live / "category/emnews.atom").exists(), "the live folder's export was incremental"
    assert (abandoned / "category/emnews.atom").exists(), "the abandoned folder's export was full"
    full = tmp_path / "full"
    export.export(documents, full, NOW, full=True)
    expected = {p.relative_to(full): p.read_bytes() for p in published(full)}
    assert {p.relative_to(abandoned): p.read_bytes() for p in published(abandoned)} == expected
    del expected[Path("category/emnews.atom")]
    assert {p.relative_to(live): p.read_bytes() for p in published(live)} == expected
    assert sorted(p.name for p in (live / "tag").glob("t*")) == [
        "t1999",
        "t1999.atom",
        "t1999.json",
        "t1999.rss",
    ]
    index.close()


def test_other_templates_mean_a_full_export(
    tmp_path: Path, write_config: Callable[..., Path]
) -> None:
    """An export by a release with other page templates is redone: the pages changed though no
    post did."""
    documents = Documents.from_config(config.load(write_config()))
    documents.index.refresh()
    out = tmp_path / "out"
    export.export(documents, out, NOW)
    root = out.resolve()
    mark = documents.index.export_mark(root)
    assert mark is not None and mark.options == documents.signature and "templates=" in mark.options
    (out / "category/emnews/index.html").unlink()
    export.export(documents, out, NOW)
    assert not (out / "category/emnews/index.html").exists(), "the same templates: incremental"
    older = mark.options.replace("templates=", "templates=0")
    documents.index.save_export_mark(root, dataclasses.replace(mark, options=older))
    export.export(documents, out, NOW)
    assert (out / "category/emnews/index.html").is_file()
    documents.index.close()


def test_the_bundled_example_exports_with_its_one_key_config(tmp_path: Path) -> None:
    """README's example: config.toml names only the site; its _config.yml gives the rest."""
    from .conftest import REPO

    shutil.copy(REPO / "config.toml", tmp_path / "config.toml")
    shutil.copytree(REPO / "example", tmp_path / "example")
    toml = (tmp_path / "config.toml").read_text(encoding="utf-8")
    assert [line for line in toml.splitlines() if "=" in line] == ['source = "example"']
    result = CliRunner().invoke(
        main, ["--config", str(tmp_path / "config.toml"), "export", str(tmp_path / "out")]
    )
    assert result.exit_code == 0, result.output
    atom = (tmp_path / "out" / "feed.atom").read_bytes()
    assert b'xml:lang="zh-CN"' in atom
    feed = feedparser.parse(atom)
    assert (feed.feed.title, feed.feed.subtitle) == (
        "金融消息",
        "金融消息: news from finews.withounder.com",
    )
    assert all(e.link.startswith("https://finews.withounder.com/") for e in feed.entries)
    assert len(feed.entries) == len(list((REPO / "example" / "_posts").iterdir()))


@pytest.fixture
def june(write_config: Callable[..., Path], finews_copy: Path) -> Iterator[Documents]:
    """The sample site plus a post due on 1 June 2026 at 08:00 in Shanghai (00:00 UTC), in a
    category of its own; exports are made for instants the test names."""
    (finews_copy / "_posts/2026-06-01-june.md").write_text(
        "---\ntitle: 六月\ndate: 2026-06-01 08:00:00 +0800\ncategories: june\n---\nx\n",
        encoding="utf-8",
    )
    documents = Documents.from_config(config.load(write_config(source=finews_copy)))
    documents.index.refresh()
    yield documents
    documents.index.close()


def test_a_future_post_is_exported_once_it_falls_due(tmp_path: Path, june: Documents) -> None:
    documents = june
    out = tmp_path / "out"
    export.export(documents, out, datetime(2026, 5, 31, 23, 59, 59, tzinfo=UTC))
    assert (
        not (out / "category/june.rss").exists()
        and b"<title>\xe5\x85\xad\xe6\x9c\x88</title>" not in (out / "feed.rss").read_bytes()
    )
    due = datetime(2026, 6, 1, 0, 0, 1, tzinfo=UTC)  # 08:00:01 in Shanghai
    stats = export.export(documents, out, due)
    # the new category's four files and its page, the site feeds, index.html and feeds.opml
    assert (stats.written, stats.removed) == (11, 0)
    assert (out / "category/june/index.html").is_file()
    assert "<title>六月</title>" in (out / "category/june.rss").read_text(encoding="utf-8")
    assert "<title>六月</title>" in (out / "feed.rss").read_text(encoding="utf-8")
    full = tmp_path / "full"
    export.export(documents, full, due, full=True)
    assert {p.relative_to(out): p.read_bytes() for p in published(out)} == {
        p.relative_to(full): p.read_bytes() for p in published(full)
    }


def test_content_summary_gives_entries_only_the_summary(
    tmp_path: Path, write_config: Callable[..., Path], finews_copy: Path
) -> None:
    (finews_copy / "_posts/2022-06-01-brief.md").write_text(
        "---\ntitle: 短讯\ncategories: brief\n---\n<p>短讯 <b>正文</b></p>\n", encoding="utf-8"
    )
    out = tmp_path / "out"
    run_export(write_config('[feeds]\ncontent = "summary"\n', source=finews_copy), out)
    atom = (out / "category/brief.atom").read_text(encoding="utf-8")
    assert '<summary type="text">短讯 正文</summary>' in atom and "<content" not in atom
    rss = (out / "category/brief.rss").read_text(encoding="utf-8")
    assert "<description>短讯 正文</description>" in rss and "content:encoded" not in rss
    [item] = json.loads((out / "category/brief.json").read_bytes())["items"]
    assert (item["content_text"], item["summary"]) == (
        "短讯 正文",
        "短讯 正文",
    ) and "content_html" not in item
    for name in ("feed.atom", "feed.rss", "feed.json", "feed.xml", "category/emnews.atom"):
        text = (out / name).read_text(encoding="utf-8")
        assert (
            "<content" not in text and "content:encoded" not in text and "content_html" not in text
        ), name


def test_exported_files_are_readable_by_everyone(
    tmp_path: Path, write_config: Callable[..., Path]
) -> None:
    """A static server runs as another user: files are 0644, not a temporary file's 0600,
    whatever the umask of the user who exports (a hardened server's 077 too)."""
    old = os.umask(0o077)
    try:
        run_export(write_config(), tmp_path / "out")
    finally:
        os.umask(old)
    modes = {p.stat().st_mode & 0o777 for p in published(tmp_path / "out")}
    assert modes == {0o644}


def test_an_export_for_an_earlier_instant_redoes_everything(
    tmp_path: Path, june: Documents
) -> None:
    """A clock set back: a post exported as due is taken back out again."""
    documents = june
    out = tmp_path / "out"
    export.export(documents, out, datetime(2026, 6, 2, tzinfo=UTC))
    assert (out / "category/june.rss").exists()
    stats = export.export(documents, out, datetime(2026, 5, 31, tzinfo=UTC))
    # june.{atom,rss,json}, feed/june.xml and the category's page
    assert stats.removed == 5 and not (out / "category/june.rss").exists()
    assert "六月" not in (out / "feed.rss").read_text(encoding="utf-8")


def test_changed_options_rewrite_every_feed(
    tmp_path: Path, write_config: Callable[..., Path], finews_copy: Path
) -> None:
    out = tmp_path / "out"
    run_export(write_config(source=finews_copy), out)
    assert "<content" in (out / "category/emnews.atom").read_text(encoding="utf-8")
    line = run_export(write_config('[feeds]\ncontent = "summary"\n', source=finews_copy), out)
    assert line.startswith("28 written, 8 unchanged, 0 removed"), (
        line
    )  # the HTML pages and feeds.opml keep their bytes
    assert "<content" not in (out / "category/emnews.atom").read_text(encoding="utf-8")


def test_a_full_export_sweeps_what_a_killed_one_left(
    tmp_path: Path, write_config: Callable[..., Path]
) -> None:
    config = write_config()
    out = tmp_path / "out"
    run_export(config, out)
    left = [out / "category/.feeds-tmp-k1ll3d", out / ".feeds-tmp-x"]
    for path in left:
        path.write_bytes(b"half a fi")
    (out / "category/.notes").write_text("mine", encoding="utf-8")
    result = CliRunner().invoke(main, ["--config", str(config), "export", "--full", str(out)])
    assert result.stdout.startswith("0 written, 36 unchanged, 0 removed"), result.output
    assert not any(p.exists() for p in left)
    assert (out / "category/.notes").read_text(encoding="utf-8") == "mine", (
        "only the export's own temporaries"
    )


def test_jekyll_feed_settings_of_config_yml_shape_the_export(tmp_path: Path) -> None:
    """jekyll-feed's `feed:` keys of the fixture's `_config.yml`, with a one-key config.toml:
    the site Atom also at `path`, icon and logo made absolute in every format, no document
    for a tag of `tags: except`, and a note for a listed category without a post."""
    toml = tmp_path / "config.toml"
    toml.write_text(f'[site]\nsource = "{FIXTURES / "jekyllfeed"}"\n', encoding="utf-8")
    out = tmp_path / "out"
    run_export(toml, out)
    site = "https://orchard.example/notes"
    icon, logo = f"{site}/assets/icon.png", "https://cdn.orchard.example/logo.png"
    for rel in ("atom.xml", "feed.xml", "feed.atom", "feed.rss"):
        data = (out / rel).read_bytes()
        d = feedparser.parse(data)
        assert d.bozo == 0 and d.entries, rel
        if rel != "feed.rss":
            assert ATOM_RNG.validate(etree.fromstring(data)), (rel, ATOM_RNG.error_log)
            assert (d.feed.icon, d.feed.logo) == (icon, logo), rel
        else:
            assert (d.feed.image.href, d.feed.image.title, d.feed.image.link) == (
                logo,
                "Orchard Notes",
                f"{site}/",
            )
    atom_xml = feedparser.parse((out / "atom.xml").read_bytes())
    assert atom_xml.feed.id == f"{site}/atom.xml"
    assert (
        next(link.href for link in atom_xml.feed.links if link.rel == "self") == f"{site}/atom.xml"
    )
    assert "late winter" in {t.term for e in atom_xml.entries for t in e.get("tags", [])}, (
        "posts keep the tag"
    )
    doc = json.loads((out / "feed.json").read_bytes())
    assert (doc["icon"], doc["favicon"]) == (logo, icon)
    assert (out / "tag/pruning.atom").is_file() and (out / "feed/by_tag/pruning.xml").is_file()
    hidden = [p.relative_to(out).as_posix() for p in published(out) if "late" in p.as_posix()]
    assert hidden == []
    assert "late-winter" not in (out / "index.html").read_text(encoding="utf-8") + (
        out / "feeds.opml"
    ).read_text(encoding="utf-8")
    check = CliRunner().invoke(main, ["--config", str(toml), "check"])
    assert "[feeds] categories names 'recipes', which has no post: feed/recipes.xml" in check.stdout
    assert "'news'" not in check.stdout


def test_workers_write_what_the_service_serves(
    tmp_path: Path, write_config: Callable[..., Path]
) -> None:
    """A site with more scopes than export._POOL_SCOPES is built and written by the pool's
    workers, each with its own index connection: every file holds the bytes the service sends,
    and the bytes pinned in a golden list (path and SHA-256 of each file), so that a change
    made for speed cannot change what is published."""
    site = tmp_path / "site"
    corpusgen.generate(site, 400, categories=300)
    cfg = write_config(
        f'[index]\npath = "{tmp_path}/index.sqlite3"\n[feeds]\nfuture = true', source=site
    )
    run_export(cfg, tmp_path / "out")
    files = {
        p.relative_to(tmp_path / "out").as_posix(): p.read_bytes()
        for p in published(tmp_path / "out")
    }
    assert len(files) >= 4 * export._POOL_SCOPES + 2, "too few scopes to use the pool"
    check_golden(
        "export-400.sha256",
        "".join(
            f"{hashlib.sha256(body).hexdigest()}  {rel}\n" for rel, body in sorted(files.items())
        ).encode(),
    )
    documents = Documents.from_config(config.load(cfg))
    try:
        now = documents.published_at(datetime.now(UTC))
        for rel, body in files.items():
            target = resolve(rel, ("atom", "rss", "json"))
            assert target is not None, rel
            doc = documents.render(target, now)
            assert doc is not None and doc.body == body, rel
    finally:
        documents.index.close()


def test_an_export_without_saved_searches_leaves_words_for_the_service(
    tmp_path: Path, write_config: Callable[..., Path], finews_copy: Path
) -> None:
    """An export with no saved search reads no post's words; the service started on its
    index reads them before it answers, and a keyword finds the post whose body holds it, as
    does the next export that saves a search for it."""
    (finews_copy / "_posts/2025-06-01-kunpeng.md").write_text(
        "---\ntitle: 新车\ndate: 2025-06-01 08:00:00 +0800\n---\n正文里有鲲鹏二字\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    cfg = write_config(source=finews_copy)
    run_export(cfg, out)
    with sqlite3.connect(config.load(cfg).index.path) as db:
        assert db.execute("SELECT COUNT(*) FROM words").fetchone()[0] == 0
    app = create_app(config.load(cfg))
    try:
        found = json.loads(app.test_client().get("/search.json?q=鲲鹏").data)
        assert [i["title"] for i in found["items"]] == ["新车"]
    finally:
        app.extensions["feeds"].close()
    index = config.load(cfg).index.path
    for p in index.parent.glob(index.name + "*"):
        p.unlink()
    run_export(cfg, out)
    run_export(write_config('[search]\nsaved = ["鲲鹏"]\n', source=finews_copy), out)
    feed = json.loads((out / "search/鲲鹏.json").read_bytes())
    assert [i["title"] for i in feed["items"]] == ["新车"]


def test_saved_searches_export_at_the_urls_the_service_answers(
    tmp_path: Path, write_config: Callable[..., Path], finews_copy: Path
) -> None:
    """Each saved search's feeds and page are written where the service serves them, with its
    bytes; a new post that matches rewrites them; dropping one from the config removes its files."""
    out = tmp_path / "out"
    saved = '[search]\nsaved = ["蔚来", "新能源  -汽车", "a?b#c%d"]\n'
    cfg = write_config(saved, source=finews_copy)
    run_export(cfg, out)
    # Their posts come from the grams (every post has them), not a budgeted read of texts.
    with sqlite3.connect(config.load(cfg).index.path) as db:
        (mark,) = db.execute("SELECT value FROM meta WHERE key = 'grams'").fetchone()
        assert int(mark) >= db.execute("SELECT max(id) FROM posts").fetchone()[0]
    paths = {
        p.relative_to(out).as_posix() for p in published(out) if p.parts[len(out.parts)] == "search"
    }
    assert paths == {
        f"search/{q}{end}"
        for q in ("蔚来", "新能源 -汽车", "a?b#c%d")
        for end in (".atom", ".rss", ".json", "/index.html")
    }
    app = create_app(config.load(cfg))
    client = app.test_client()
    try:
        for rel in sorted(paths):
            served = client.get("/" + quote(rel.removesuffix("index.html")))
            assert served.status_code == 200 and served.data == (out / rel).read_bytes(), rel
        feed = json.loads((out / "search/蔚来.json").read_bytes())
        assert feed["feed_url"] == "https://finews.withounder.com/search/%E8%94%9A%E6%9D%A5.json"
        assert feed["items"] and all("蔚来" in i["content_html"] for i in feed["items"])
    finally:
        app.extensions["feeds"].close()
    (finews_copy / "_posts/2030-01-01-nio.md").write_text(
        "---\ntitle: 蔚来新车\ndate: 2025-06-01 08:00:00 +0800\n---\n正文\n", encoding="utf-8"
    )
    run_export(cfg, out)
    assert "蔚来新车" in (out / "search/蔚来.atom").read_text(encoding="utf-8")
    run_export(write_config('[search]\nsaved = ["蔚来"]\n', source=finews_copy), out)
    assert not (out / "search/a?b#c%d.atom").exists() and not (out / "search/a?b#c%d").exists()
    assert (out / "search/蔚来.atom").exists()


def test_a_link_anywhere_below_the_folder_is_followed_before_writing(tmp_path: Path) -> None:
    """Folders are checked one at a time, each from its parent: a link deep down that leaves
    the folder is refused, one that stays inside it is written through, and a path below an
    outside link is refused even once a path through it was."""
    doc = Document(b"x", "text/plain", None)
    out = tmp_path / "out"
    (out / "category" / "real").mkdir(parents=True)
    os.symlink(tmp_path, out / "category" / "away")
    os.symlink(out / "category" / "real", out / "category" / "here")
    assert write([("category/here/x.atom", doc)], out) == (1, 0, 0)
    assert (out / "category" / "real" / "x.atom").read_bytes() == b"x"
    for rel in ("category/away/x.atom", "category/away/deeper/x.atom"):
        with pytest.raises(ExportError, match="outside"):
            write([("category/here/y.atom", doc), (rel, doc)], out)
    assert not (tmp_path / "x.atom").exists() and not (tmp_path / "deeper").exists()
