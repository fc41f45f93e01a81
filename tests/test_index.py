"""The SQLite index on real files: incremental refresh, scopes, queries and recovery."""

from __future__ import annotations

import dataclasses
import os
import shutil
import sqlite3
import threading
import time
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

import feeds.index.queries
import feeds.parallel
from feeds.errors import StorageError
from feeds.index import ExportMark, Index, fingerprint
from feeds.jekyll import permalink
from feeds.jekyll.entries import Filter
from feeds.jekyll.posts import Rules
from feeds.model import SITE, Image, Post, Scope, ScopeKind

NOW = datetime(2026, 1, 1, tzinfo=UTC)
EMNEWS = Scope(ScopeKind.CATEGORY, "emnews", "emnews")


def make_index(root: Path, db: Path) -> Index:
    rules = Rules(
        root=root,
        site_url="https://finews.withounder.com",
        zone=ZoneInfo("Asia/Shanghai"),
        permalink=permalink.template("date"),
        max_post_bytes=10_000_000,
        summary_length=200,
    )
    return Index(db, rules, jobs=1)


@pytest.fixture
def index(finews_copy: Path, tmp_path: Path) -> Index:
    ix = make_index(finews_copy, tmp_path / "index.sqlite3")
    ix.refresh()
    yield ix
    ix.close()


def stored(ix: Index, scope: Scope, now: datetime, limit: int) -> tuple[Post, ...]:
    """The posts as stored, unrendered content empty."""
    return tuple(s.post for s in ix.posts(scope, now, limit))


def post(title: str, date: str, cats: str = "emnews", tags: str = "东财滚动新闻") -> str:
    return f'---\ntitle: "{title}"\ndate: {date}\ncategories: {cats}\ntags: {tags}\n---\nbody of {title}\n'


def test_first_refresh_reads_everything_and_the_next_nothing(
    finews_copy: Path, tmp_path: Path
) -> None:
    ix = make_index(finews_copy, tmp_path / "i.sqlite3")
    first = ix.refresh()
    assert (first.changed, first.removed, first.generation) == (151, 0, 1)
    again = ix.refresh()
    assert (again.changed, again.removed, again.generation) == (0, 0, 1)
    assert ix.count(NOW) == 151
    assert len(ix.problems()) == 15
    ix.close()


def test_only_changed_files_are_reparsed_and_gone_ones_dropped(
    index: Index, finews_copy: Path
) -> None:
    posts = finews_copy / "_posts"
    (posts / "2021-12-08-202112082206710723.md").unlink()
    (posts / "2021-12-09-new.md").write_text(
        post("新的", "2021-12-09 09:00:00 +0800"), encoding="utf-8"
    )
    r = index.refresh()
    assert (r.changed, r.removed, r.generation) == (1, 1, 2)
    newest = stored(index, EMNEWS, NOW, 200)
    assert newest[0].title != "新的" or newest[0].path == "_posts/2021-12-09-new.md"
    assert "_posts/2021-12-08-202112082206710723.md" not in {p.path for p in newest}
    assert "_posts/2021-12-09-new.md" in {p.path for p in newest}


def test_an_edited_file_replaces_its_post(index: Index, finews_copy: Path) -> None:
    path = finews_copy / "_posts" / "2022-01-10-202201102241180920.md"
    path.write_text(
        path.read_text(encoding="utf-8").replace("深百协作", "深百再协作"), encoding="utf-8"
    )
    os.utime(path, ns=(1, 1))
    r = index.refresh()
    assert r.changed == 1 and r.generation == 2
    [p] = stored(index, Scope(ScopeKind.TAG, "右江日报新闻", "右江日报新闻"), NOW, 10)
    assert p.title == "深百再协作朝乡村振兴迈进"


def test_a_file_put_back_after_a_watched_change_is_read_again(
    index: Index, finews_copy: Path
) -> None:
    """A full scan that lists the files as the last one did has nothing to do, but only while
    the index holds them as listed: a watched change since (a refresh of named paths) means
    it may not, so a file edited, seen by the watcher, then put back as it was (its bytes and
    its times) is read again."""
    path = finews_copy / "_posts" / "2022-01-10-202201102241180920.md"
    rel = "_posts/2022-01-10-202201102241180920.md"
    tag = Scope(ScopeKind.TAG, "右江日报新闻", "右江日报新闻")
    before, st = path.read_bytes(), path.stat()
    path.write_bytes(before.replace("深百协作".encode(), "深百再协作".encode()))
    assert index.refresh([rel]).changed == 1
    assert stored(index, tag, NOW, 10)[0].title == "深百再协作朝乡村振兴迈进"
    path.write_bytes(before)
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert index.refresh().changed == 1
    assert stored(index, tag, NOW, 10)[0].title == "深百协作朝乡村振兴迈进"


def test_a_file_left_for_later_by_a_full_scan_is_read_by_the_next(
    index: Index, finews_copy: Path
) -> None:
    """A full scan that leaves a file still being written for later lists it all the same:
    the next scan, which lists the same, must still read that file."""
    path = finews_copy / "_posts" / "2021-12-09-writing.md"
    path.write_text(post("half", "2021-12-09"), encoding="utf-8")
    written = path.stat().st_mtime_ns
    r = index.refresh(settle=5.0, now_ns=written + 1_000_000_000)
    assert r.unsettled == ("_posts/2021-12-09-writing.md",) and r.changed == 0
    r = index.refresh(settle=5.0, now_ns=written + 10_000_000_000)
    assert r.changed == 1 and "half" in {p.title for p in stored(index, SITE, NOW, 200)}


def test_posts_newest_first_with_ties_by_path_and_a_limit(index: Index) -> None:
    newest = stored(index, EMNEWS, NOW, 50)
    assert len(newest) == 50
    keys = [(-p.date.timestamp(), p.path) for p in newest]
    assert keys == sorted(keys)
    tied = [
        p.path
        for p in stored(index, SITE, NOW, 200)
        if p.date == datetime(2021, 12, 8, 13, 49, 41, tzinfo=timezone(timedelta(hours=8)))
    ]
    assert tied == sorted(tied) and len(tied) == 2


def test_a_snapshot_reads_a_post_once_and_gives_the_same_feeds(
    index: Index, monkeypatch: pytest.MonkeyPatch
) -> None:
    # In a snapshot, the posts read last are kept and only the others read whole: a scope
    # showing posts another showed gets them without reading them again, and every feed is
    # what it is outside a snapshot, for feeds longer than what is kept too.
    monkeypatch.setattr(feeds.index.queries, "_KEPT", 3)
    scopes = [s for s, _ in index.scopes(NOW)]
    limits = (1, 2, 5, 200)
    plain = {(s, n): index.posts(s, NOW, n) for s in scopes for n in limits}
    with index.snapshot():
        for s in scopes:
            for n in limits:
                assert index.posts(s, NOW, n) == plain[s, n], (s, n)
        category = index.posts(EMNEWS, NOW, 2)
        tag = index.posts(Scope(ScopeKind.TAG, "东财滚动新闻"), NOW, 2)
        assert all(a is b for a, b in zip(category, tag, strict=True)), "read once, kept"
    again = index.posts(EMNEWS, NOW, 2)
    assert again == category and again[0] is not category[0], "nothing kept past the snapshot"


def test_a_post_round_trips_through_the_index(index: Index) -> None:
    [p] = stored(index, Scope(ScopeKind.CATEGORY, "youjiangribao", "youjiangribao"), NOW, 5)
    assert p.title == "深百协作朝乡村振兴迈进"
    assert p.date.isoformat() == "2022-01-10T08:03:44+08:00"
    assert p.categories == ("youjiangribao",) and p.tags == ("右江日报新闻",)
    assert p.content_html == "", "the index stores content only once rendered (feeds.rendering)"


def test_scopes_with_counts(index: Index) -> None:
    scopes = {(s.kind.value, s.slug): n for s, n in index.scopes(NOW)}
    assert scopes == {
        ("site", ""): 151,
        ("category", "emnews"): 149,
        ("category", "sitenews"): 1,
        ("category", "youjiangribao"): 1,
        ("tag", "东财滚动新闻"): 149,
        ("tag", "右江日报新闻"): 1,
        ("tag", "站长消息"): 1,
    }
    found = index.scope(ScopeKind.TAG, "东财滚动新闻", NOW)
    assert found == Scope(ScopeKind.TAG, "东财滚动新闻") and found.name == "东财滚动新闻"
    assert index.scope(ScopeKind.TAG, "nope", NOW) is None


def test_names_sharing_a_slug_share_a_scope(site: object, tmp_path: Path) -> None:
    root = tmp_path / "s"
    (root / "_posts").mkdir(parents=True)
    (root / "_posts" / "2021-01-01-a.md").write_text(
        post("a", "2021-01-01", cats="News"), encoding="utf-8"
    )
    (root / "_posts" / "2021-01-02-b.md").write_text(
        post("b", "2021-01-02", cats="news NEWS"), encoding="utf-8"
    )
    ix = make_index(root, tmp_path / "i.sqlite3")
    ix.refresh()
    news = ix.scope(ScopeKind.CATEGORY, "news", NOW)
    assert news == Scope(ScopeKind.CATEGORY, "news") and news.name == "News", "the first name seen"
    assert [p.title for p in stored(ix, news, NOW, 10)] == ["b", "a"]
    ix.close()


def test_each_named_author_is_a_scope_and_the_lead_image_is_kept(tmp_path: Path) -> None:
    root = tmp_path / "s"
    (root / "_posts").mkdir(parents=True)
    head = "---\ntitle: {0}\ndate: 2021-01-0{1}\n{2}---\nbody\n"
    for name, extra in {
        "a": "authors: [张三, Robin P]\nimage: {path: /a.png, length: 9, type: image/png}\n",
        "b": "author: 張三\n",  # another name, another slug: CJK kept as written
        "c": "author: {name: robin p, email: r@p.example}\n",
        "d": "",
    }.items():
        (root / "_posts" / f"2021-01-0{ord(name) - 96}-{name}.md").write_text(
            head.format(name, ord(name) - 96, extra), encoding="utf-8"
        )
    ix = make_index(root, tmp_path / "i.sqlite3")
    ix.refresh()
    authors = {s.slug: (s.name, n) for s, n in ix.scopes(NOW) if s.kind is ScopeKind.AUTHOR}
    assert authors == {"张三": ("张三", 1), "張三": ("張三", 1), "robin-p": ("Robin P", 2)}
    assert [s.kind for s, _ in ix.scopes(NOW)][-1] is ScopeKind.AUTHOR, "authors come last"
    robin = ix.scope(ScopeKind.AUTHOR, "robin-p", NOW)
    assert robin is not None and [p.title for p in stored(ix, robin, NOW, 5)] == ["c", "a"]
    [a] = [p for p in stored(ix, SITE, NOW, 5) if p.title == "a"]
    assert a.image == Image("https://finews.withounder.com/a.png", 9, "image/png")
    assert all(p.image is None for p in stored(ix, SITE, NOW, 5) if p.title != "a")
    ix.close()


def test_future_posts_wait_for_their_time(index: Index, finews_copy: Path) -> None:
    (finews_copy / "_posts" / "2030-01-01-later.md").write_text(
        post("later", "2030-01-01 08:00:00 +0800", cats="future"), encoding="utf-8"
    )
    index.refresh()
    assert index.scope(ScopeKind.CATEGORY, "future", NOW) is None
    due = index.next_due(NOW)
    assert due == datetime(2030, 1, 1, tzinfo=UTC)
    assert stored(index, SITE, due, 1)[0].title == "later"
    assert index.scope(ScopeKind.CATEGORY, "future", due) is not None


def test_the_file_can_be_deleted_or_corrupted(finews_copy: Path, tmp_path: Path) -> None:
    db = tmp_path / "i.sqlite3"
    ix = make_index(finews_copy, db)
    ix.refresh()
    ix.close()
    db.write_bytes(b"this is not a database" * 100)
    for suffix in ("-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    ix = make_index(finews_copy, db)
    assert ix.refresh().changed == 151
    ix.close()
    db.unlink()
    ix = make_index(finews_copy, db)
    assert ix.refresh().changed == 151
    ix.close()


def test_other_rules_rebuild_the_index(finews_copy: Path, tmp_path: Path) -> None:
    db = tmp_path / "i.sqlite3"
    make_index(finews_copy, db).refresh()
    rules = Rules(
        root=finews_copy,
        site_url="https://example.com",
        zone=ZoneInfo("UTC"),
        permalink=permalink.template("pretty"),
        max_post_bytes=10_000_000,
        summary_length=200,
    )
    ix = Index(db, rules, jobs=1)
    assert ix.refresh().changed == 151
    assert stored(ix, SITE, NOW, 1)[0].url.startswith("https://example.com/")
    ix.close()


def test_readers_see_a_consistent_index_while_one_refreshes(
    index: Index, finews_copy: Path
) -> None:
    errors: list[BaseException] = []
    stop = threading.Event()

    def read() -> None:
        reader = make_index(finews_copy, index.path)
        try:
            while not stop.is_set():
                n = len(stored(reader, SITE, NOW, 500))
                assert n in (151, 152)
        except BaseException as e:
            errors.append(e)
        finally:
            reader.close()

    t = threading.Thread(target=read)
    t.start()
    try:
        for i in range(5):
            (finews_copy / "_posts" / "2021-12-09-x.md").write_text(
                post(f"x{i}", "2021-12-09"), encoding="utf-8"
            )
            index.refresh()
            (finews_copy / "_posts" / "2021-12-09-x.md").unlink()
            index.refresh()
    finally:
        stop.set()
        t.join()
    assert not errors


def test_parallel_parse_gives_the_same_posts(
    finews_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(feeds.parallel, "THRESHOLD", 10)
    serial = make_index(finews_copy, tmp_path / "a.sqlite3")
    serial.refresh()
    rules = serial.rules
    parallel = Index(tmp_path / "b.sqlite3", rules, jobs=2)
    assert parallel.refresh().changed == 151
    assert stored(parallel, SITE, NOW, 200) == stored(serial, SITE, NOW, 200)
    assert parallel.problems() == serial.problems()
    serial.close()
    parallel.close()


def test_the_index_is_only_a_cache_of_the_disk(index: Index) -> None:
    with sqlite3.connect(index.path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    shutil.rmtree(index.rules.root / "_posts")
    (index.rules.root / "_posts").mkdir()
    r = index.refresh()
    assert r.removed == 151 and index.count(NOW) == 0


def test_files_still_being_written_wait_for_the_next_refresh(
    index: Index, finews_copy: Path
) -> None:
    path = finews_copy / "_posts" / "2021-12-09-writing.md"
    path.write_text(post("half", "2021-12-09"), encoding="utf-8")
    r = index.refresh(["_posts/2021-12-09-writing.md"], settle=5.0)
    assert r.unsettled == ("_posts/2021-12-09-writing.md",) and r.changed == 0
    assert "half" not in {p.title for p in stored(index, SITE, NOW, 200)}
    old = time.time() - 10
    os.utime(path, (old, old))
    r = index.refresh(["_posts/2021-12-09-writing.md"], settle=5.0)
    assert r.changed == 1 and "half" in {p.title for p in stored(index, SITE, NOW, 200)}


def test_a_refresh_of_named_paths_ignores_the_rest(index: Index, finews_copy: Path) -> None:
    (finews_copy / "_posts" / "2021-12-09-a.md").write_text(
        post("a", "2021-12-09"), encoding="utf-8"
    )
    (finews_copy / "_posts" / "2021-12-09-b.md").write_text(
        post("b", "2021-12-09"), encoding="utf-8"
    )
    (finews_copy / "_posts" / "2021-12-08-202112082206710723.md").unlink()
    r = index.refresh(
        [
            "_posts/2021-12-09-a.md",
            "_posts/2021-12-08-202112082206710723.md",
            "_posts/notes.txt",
            "_drafts/2021-01-01-x.md",
        ]
    )
    assert (r.changed, r.removed) == (1, 1)
    titles = {p.title for p in stored(index, SITE, NOW, 200)}
    assert "a" in titles and "b" not in titles


def test_changes_name_the_scopes_touched(index: Index, finews_copy: Path, tmp_path: Path) -> None:
    g = index.generation
    assert index.changed_scopes(g) == set()
    # an export mark at g keeps the scopes that vanish after g listed as changed
    index.save_export_mark(tmp_path, ExportMark(g, NOW.isoformat(), "", 0))
    (finews_copy / "_posts" / "2021-12-09-x.md").write_text(
        post("x", "2021-12-09", cats="a", tags="b"), encoding="utf-8"
    )
    index.refresh()
    assert index.changed_scopes(g) == {
        SITE,
        Scope(ScopeKind.CATEGORY, "a"),
        Scope(ScopeKind.TAG, "b"),
    }
    (finews_copy / "_posts" / "2021-12-09-x.md").unlink()
    index.refresh()
    assert index.changed_scopes(g + 1) == {
        SITE,
        Scope(ScopeKind.CATEGORY, "a"),
        Scope(ScopeKind.TAG, "b"),
    }
    assert index.due_scopes(NOW - timedelta(days=1), NOW) == set()


def test_posts_sharing_a_permalink_follow_each_other(index: Index, finews_copy: Path) -> None:
    same = "---\ntitle: {t}\ndate: 2021-12-09\ncategories: {c}\npermalink: /same/\n---\nx\n"
    (finews_copy / "_posts" / "2021-12-09-a.md").write_text(
        same.format(t="a", c="one"), encoding="utf-8"
    )
    (finews_copy / "_posts" / "2021-12-09-b.md").write_text(
        same.format(t="b", c="two"), encoding="utf-8"
    )
    index.refresh()
    ids = {p.title: p.entry_id for p in stored(index, SITE, NOW, 200)}
    assert ids["a"] == "https://finews.withounder.com/same/"
    assert ids["b"] == "https://finews.withounder.com/same/#_posts/2021-12-09-b.md"
    assert any(
        p.path == "_posts/2021-12-09-b.md"
        and "same permalink as _posts/2021-12-09-a.md" in p.message
        for p in index.problems()
    )
    g = index.generation
    (finews_copy / "_posts" / "2021-12-09-a.md").unlink()
    index.refresh()
    [b] = stored(index, Scope(ScopeKind.CATEGORY, "two"), NOW, 5)
    assert b.entry_id == b.url, "alone again, it takes its permalink as id"
    assert Scope(ScopeKind.CATEGORY, "two") in index.changed_scopes(g), "so its feeds are rebuilt"
    assert not any("same permalink" in p.message for p in index.problems())


def test_a_programming_error_surfaces_as_itself(index: Index) -> None:
    """A bug is not a broken file: rebuilding cannot cure it, so it must not look like one."""
    with pytest.raises(sqlite3.ProgrammingError):
        index.store.rows(str, "SELECT path FROM files WHERE path = ?", ("a", "b"))
    db = index.store.writer(wait=True)
    with pytest.raises(sqlite3.IntegrityError), index.store.errors(), index.store.transaction(db):
        db.execute("INSERT INTO files SELECT * FROM files LIMIT 1")
    assert index.intact() and index.count(NOW) == 151, "the transaction was rolled back"


def test_a_corrupt_file_is_a_storage_error_and_a_rebuild_cures_it(index: Index) -> None:
    """What the refresher rebuilds on: a failing file reads as StorageError naming it."""
    with sqlite3.connect(index.path) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        pages = db.execute("PRAGMA page_count").fetchone()[0]
        size = db.execute("PRAGMA page_size").fetchone()[0]
        meta = db.execute("SELECT rootpage FROM sqlite_master WHERE name = 'meta'").fetchone()[0]
    db.close()
    index.close()
    with open(index.path, "r+b") as f:  # every page but the header's and meta's: the file opens
        for page in range(2, pages + 1):
            if page != meta:
                f.seek((page - 1) * size)
                f.write(b"\xa5" * size)
    with pytest.raises(StorageError, match=str(index.path)):
        index.count(NOW)
    assert index.rebuild().changed == 151
    assert index.intact() and index.count(NOW) == 151


def test_every_rule_takes_part_in_the_fingerprint(index: Index) -> None:
    changed = {
        "root": Path("/elsewhere"),
        "site_url": "https://example.com",
        "zone": ZoneInfo("UTC"),
        "permalink": permalink.template("pretty"),
        "max_post_bytes": 1,
        "summary_length": 1,
        "site": {"title": "another"},
        "entries": Filter.of(("drafts",), ()),
    }
    assert set(changed) == {f.name for f in dataclasses.fields(Rules)}, "a new rule: add it here"
    for name, value in changed.items():
        assert fingerprint(dataclasses.replace(index.rules, **{name: value})) != fingerprint(
            index.rules
        ), name


def test_a_first_fill_marks_posts_sharing_a_permalink_as_a_refresh_does(
    finews_copy: Path, tmp_path: Path
) -> None:
    """A first fill marks its posts as if none shared a permalink and then fixes those that do:
    its digests are those of an index that saw the same posts come one refresh at a time, and
    a later post's entry id, which the mark stands for, is its own."""
    same = "---\ntitle: {t}\ndate: 2021-12-09\ncategories: {c}\npermalink: /same/\n---\nx\n"
    gradual = make_index(finews_copy, tmp_path / "gradual.sqlite3")
    try:
        gradual.refresh()
        for t, c in (("a", "one"), ("b", "two"), ("c", "two")):
            (finews_copy / "_posts" / f"2021-12-09-{t}.md").write_text(
                same.format(t=t, c=c), encoding="utf-8"
            )
            gradual.refresh()
        fill = make_index(finews_copy, tmp_path / "fill.sqlite3")
        fill.refresh(search=False)
        assert fill.digests() == gradual.digests()
        fill.close()
    finally:
        gradual.close()


def test_a_first_fill_ends_with_the_schema_of_a_new_file(finews_copy: Path, tmp_path: Path) -> None:
    """A first fill makes the secondary indexes after its rows: the file ends with the same
    tables and indexes, made by the same statements, as a new one, and they are used."""
    ix = make_index(finews_copy, tmp_path / "index.sqlite3")
    try:
        ix.refresh(search=False)
        ix.store.recreate()
        fresh = _schema(ix.path)
        ix.refresh(search=False)
        filled = _schema(ix.path)
        assert filled == fresh and any(t == "index" and sql for t, _, _, sql in fresh)
        with sqlite3.connect(ix.path) as db:
            plan = db.execute("EXPLAIN QUERY PLAN SELECT 1 FROM posts WHERE url = 'x'").fetchall()
            assert "posts_url" in str(plan)
            assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    finally:
        ix.close()


def _schema(path: Path) -> list[tuple[str, str, str, str]]:
    with sqlite3.connect(path) as db:
        return sorted(db.execute("SELECT type, name, tbl_name, sql FROM sqlite_master"))


def test_digests_are_the_same_on_every_index_over_the_same_files(
    finews_copy: Path, tmp_path: Path
) -> None:
    """Two hosts, an index each, one source: the digests (what cache keys are made of) agree
    however each index got there, and change only for the scopes a change touched."""
    one, two = (
        make_index(finews_copy, tmp_path / "one.sqlite3"),
        make_index(finews_copy, tmp_path / "two.sqlite3"),
    )
    try:
        one.refresh()
        two.refresh()
        start = one.digests()
        assert start == two.digests() and start[("site", "")] != 0
        posts = finews_copy / "_posts"
        (posts / "2026-03-01-a.md").write_text(
            "---\ntitle: 甲\ncategories: emnews\n---\n正文\n", encoding="utf-8"
        )
        one.refresh()  # one sees the first post alone, two only both at once
        (posts / "2026-03-02-b.md").write_text(
            "---\ntitle: 乙\ntags: [摘要标签]\n---\n正文\n", encoding="utf-8"
        )
        one.refresh()
        two.refresh()
        changed = one.digests()
        fresh = make_index(finews_copy, tmp_path / "fresh.sqlite3")
        fresh.refresh()
        assert changed == two.digests() == fresh.digests()
        fresh.close()
        moved = {k for k in changed if changed[k] != start.get(k)}
        assert moved == {("site", ""), ("category", "emnews"), ("tag", "摘要标签")}
        (posts / "2026-03-01-a.md").unlink()
        (posts / "2026-03-02-b.md").unlink()
        one.refresh()
        two.refresh()
        assert one.digests() == two.digests() == start, (
            "back to the same files, back to the same digests"
        )
        assert one.generation != two.generation, "while the generations differ"
    finally:
        one.close()
        two.close()
