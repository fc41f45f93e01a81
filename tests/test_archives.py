"""RFC 5005 full history: the page layout, and a reader following ``prev-archive`` over HTTP
and through an export, collecting every post of a scope exactly once."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import unquote

import feedparser
import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient

from feeds import config
from feeds.archives import Pages, digest
from feeds.cli import main
from feeds.web import create_app

SITE = "https://finews.withounder.com/"
#: A small feed and small pages, so the sample site's 151 posts fill many.
HISTORY = "[feeds]\narchives = true\nlimit = 5\narchive_size = 7\n"
#: The site, a category and a tag with pages, and a category whose posts all fit in its feed.
SCOPES = ("feed", "category/emnews", "tag/东财滚动新闻", "category/youjiangribao")


def test_pages_cover_every_archived_post_once_and_seal_all_but_the_newest() -> None:
    for total in range(0, 40):
        pages = Pages(total, 5, 7)
        ordinals = [i for page in range(1, pages.count + 1) for i in pages.span(page)]
        assert ordinals == list(range(total - pages.in_feed))
        # No lone page: the feed shows every post until the older ones need two pages.
        assert pages.count != 1
        assert pages.in_feed == (5 if total > 5 + 7 else total)
        assert [pages.sealed(p) for p in range(1, pages.count + 1)] == [
            p < pages.count for p in range(1, pages.count + 1)
        ]
        assert all(len(pages.span(p)) == 7 for p in range(1, pages.count))


def test_a_new_post_changes_no_sealed_page() -> None:
    for total in range(6, 60):
        before, after = Pages(total, 5, 7), Pages(total + 1, 5, 7)
        for page in range(1, before.count):
            assert after.span(page) == before.span(page) and after.sealed(page)


def test_a_page_digest_follows_its_posts_its_seal_and_its_scope_name() -> None:
    base = digest("emnews", 3, True, [1, 2, 3])
    assert base == digest("emnews", 3, True, [1, 2, 3])
    others = [
        digest("emnews", 3, True, [1, 2, 4]),
        digest("emnews", 3, False, [1, 2, 3]),
        digest("emnews", 4, True, [1, 2, 3]),
        digest("EMNEWS", 3, True, [1, 2, 3]),
    ]
    assert base not in others


@pytest.fixture
def app(write_config: Callable[..., Path], finews_copy: Path) -> Iterator[Flask]:
    made = create_app(
        config.load(write_config("[cache]\nrefresh_seconds = 0.4\n" + HISTORY, source=finews_copy))
    )
    yield made
    made.extensions["feeds"].close()


def _over_http(client: FlaskClient) -> Callable[[str], bytes]:
    def get(url: str) -> bytes:
        response = client.get(url.removeprefix(SITE.rstrip("/")))
        assert response.status_code == 200, url
        return response.data

    return get


def _follow(get: Callable[[str], bytes], url: str) -> tuple[list[str], int]:
    """The entry ids a reader collects from ``url`` following ``prev-archive`` (RFC 5005 4.2),
    checking each archive page says what it is; and how many pages it read."""
    ids: list[str] = []
    pages = 0
    while url:
        data = get(url)
        parsed = feedparser.parse(data)
        assert not parsed.bozo, (url, parsed.bozo_exception)
        ids += [e.id for e in parsed.entries]
        rels = {link.rel: link.href for link in parsed.feed.get("links", [])}
        if pages:
            assert b"<fh:archive/>" in data, url  # feedparser keeps no empty element
            assert rels["current"].endswith((".atom", ".rss"))
        url = rels.get("prev-archive", "")
        pages += 1
    return ids, pages


def _follow_json(get: Callable[[str], bytes], url: str) -> list[str]:
    ids: list[str] = []
    while url:
        doc = json.loads(get(url))
        ids += [item["id"] for item in doc["items"]]
        url = doc.get("next_url", "")
    return ids


@pytest.mark.parametrize("stem", SCOPES)
def test_a_reader_following_prev_archive_over_http_gets_every_post_once(
    app: Flask, stem: str
) -> None:
    client = app.test_client()
    get = _over_http(client)
    everything = json.loads(get(f"{SITE}{stem}.json?limit=200"))["items"]
    assert 0 < len(everything) < 200
    expected = sorted(item["id"] for item in everything)
    for fmt in ("atom", "rss"):
        ids, pages = _follow(get, f"{SITE}{stem}.{fmt}")
        assert sorted(ids) == expected, fmt
        assert pages == 1 + Pages(len(expected), 5, 7).count
    assert sorted(_follow_json(get, f"{SITE}{stem}.json")) == expected


def test_a_scope_that_fits_in_its_feed_says_it_is_complete_and_links_no_page(app: Flask) -> None:
    client = app.test_client()
    small = client.get("/category/youjiangribao.atom").data
    assert b"<fh:complete/>" in small and b"prev-archive" not in small
    large = client.get("/feed.rss").data
    assert b"<fh:complete/>" not in large and b'rel="prev-archive"' in large
    # A feed asked for with another limit links no archive: its pages would miss or repeat.
    assert b"prev-archive" not in client.get("/feed.atom?limit=6").data
    # The preview page links what its feed links, the small scope's nothing.
    newest = feedparser.parse(client.get("/category/emnews.atom").data).feed.links[-1].href
    assert newest.endswith(".atom") and newest.encode() in client.get("/category/emnews/").data
    assert b"/archive/" not in client.get("/category/youjiangribao/").data


def test_no_scope_has_a_lone_page(write_config: Callable[..., Path], finews_copy: Path) -> None:
    """A lone page would be the oldest and the newest, linking neither way, which the W3C
    validator flags (ArchiveIncomplete): its posts stay in the feed, which is complete."""
    history = "[feeds]\narchives = true\nlimit = 100\narchive_size = 60\n"
    made = create_app(config.load(write_config(history, source=finews_copy)))
    client = made.test_client()
    try:
        # The site's 151 posts: 100 in the feed would leave 51 for one page, so the feed has all.
        site = client.get("/feed.atom").data
        assert b"<fh:complete/>" in site and b"prev-archive" not in site
        assert len(feedparser.parse(site).entries) == 151
        assert len(json.loads(client.get("/feed.json").data)["items"]) == 151
        assert client.get("/feed/archive/1.atom").status_code == 404
        # Another limit is what it asks for, still complete only if it holds every post.
        assert b"<fh:complete/>" not in client.get("/feed.atom?limit=150").data
        assert b"<fh:complete/>" in client.get("/feed.atom?limit=151").data
    finally:
        made.extensions["feeds"].close()


def test_sealed_pages_are_served_immutable_and_the_newest_is_not(app: Flask) -> None:
    client = app.test_client()
    newest = int(
        feedparser.parse(client.get("/feed.atom").data)
        .feed.links[-1]
        .href.rsplit("/", 1)[1]
        .split(".")[0]
    )
    sealed = client.get("/feed/archive/1.atom")
    assert sealed.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    # Asked again, it comes from the cache (before Flask) and says the same.
    again = client.get("/feed/archive/1.atom", headers={"If-None-Match": sealed.headers["ETag"]})
    assert again.status_code == 304
    assert again.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert b'rel="next-archive"' in sealed.data
    open_page = client.get(f"/feed/archive/{newest}.atom")
    assert "immutable" not in open_page.headers["Cache-Control"]
    assert b"next-archive" not in open_page.data and b"<fh:archive/>" in open_page.data
    assert "immutable" not in client.get("/feed.atom").headers["Cache-Control"]
    for missing in (
        f"/feed/archive/{newest + 1}.atom",
        "/feed/archive/0.atom",
        "/feed/archive/01.atom",
    ):
        assert client.get(missing).status_code == 404


def test_archives_off_serve_no_pages(write_config: Callable[..., Path], finews_copy: Path) -> None:
    made = create_app(
        config.load(write_config("[cache]\nrefresh_seconds = 0.4\n", source=finews_copy))
    )
    try:
        client = made.test_client()
        assert client.get("/feed/archive/1.atom").status_code == 404
        assert b"fh:" not in client.get("/feed.atom").data
    finally:
        made.extensions["feeds"].close()


def _export(config_path: Path, out: Path) -> str:
    result = CliRunner().invoke(main, ["--config", str(config_path), "export", str(out)])
    assert result.exit_code == 0, result.output
    return result.stdout


def _files(out: Path) -> Callable[[str], bytes]:
    def get(url: str) -> bytes:
        return (out / unquote(url.removeprefix(SITE))).read_bytes()

    return get


@pytest.fixture
def exported(
    write_config: Callable[..., Path], finews_copy: Path, tmp_path: Path
) -> tuple[Path, Path]:
    """The sample site exported with small archive pages: its config and the folder."""
    config_path = write_config(HISTORY, source=finews_copy)
    out = tmp_path / "out"
    _export(config_path, out)
    return config_path, out


def _state(out: Path) -> dict[str, tuple[bytes, int]]:
    return {
        p.relative_to(out).as_posix(): (p.read_bytes(), p.stat().st_ino)
        for p in out.rglob("*")
        if p.is_file()
    }


def test_the_export_holds_every_post_once_and_rebuilds_only_the_pages_an_edit_touches(
    write_config: Callable[..., Path], finews_copy: Path, exported: tuple[Path, Path]
) -> None:
    config_path, out = exported
    get = _files(out)
    site_ids, pages = _follow(get, f"{SITE}feed.atom")
    assert len(site_ids) == len(set(site_ids)) == 151 and pages == 1 + 21
    for stem in SCOPES[1:]:
        ids, _ = _follow(get, f"{SITE}{stem}.rss")
        assert len(ids) == len(set(ids)) and sorted(
            _follow_json(get, f"{SITE}{stem}.json")
        ) == sorted(ids)

    # A new post: the site's newest page takes the feed's oldest post; no sealed page changes,
    # nor is one built again (one spoiled by hand stays spoiled until a full export).
    spoiled = out / "feed" / "archive" / "3.rss"
    kept = spoiled.read_bytes()
    spoiled.write_bytes(b"spoiled")
    before = _state(out)
    (finews_copy / "_posts" / "2022-06-01-new.md").write_text(
        "---\ntitle: 新的一篇\ndate: 2022-06-01 08:00:00 +0800\ncategories: emnews\n---\n正文\n",
        encoding="utf-8",
    )
    _export(config_path, out)
    after = _state(out)
    changed = {p for p in after if before.get(p) != after[p]}
    site_pages = {p for p in changed if p.startswith("feed/archive/")}
    assert site_pages == {f"feed/archive/21.{fmt}" for fmt in ("atom", "rss", "json")}
    assert not any(p.startswith("tag/") for p in changed)
    assert spoiled.read_bytes() == b"spoiled"
    spoiled.write_bytes(kept)
    after = _state(out)

    # An old post edited in place: its pages alone, in each scope it is in.
    oldest = sorted((finews_copy / "_posts").glob("2021-12-01-*"))[0]
    before = after
    oldest.write_text(oldest.read_text(encoding="utf-8") + "\n补充。\n", encoding="utf-8")
    _export(config_path, out)
    after = _state(out)
    changed = {p for p in after if before.get(p) != after[p]}
    assert {p for p in changed if p.startswith("feed/archive/")} == {
        f"feed/archive/1.{fmt}" for fmt in ("atom", "rss", "json")
    }

    # A post removed: the pages from its own on move along, and the last goes when emptied.
    before = after
    oldest.unlink()
    _export(config_path, out)
    after = _state(out)
    changed = {p for p in after if before.get(p) != after[p]}
    assert {p for p in changed if p.startswith("feed/archive/")} == {
        f"feed/archive/{n}.{fmt}" for n in range(1, 22) for fmt in ("atom", "rss", "json")
    }
    ids, pages = _follow(get, f"{SITE}feed.atom")
    assert len(ids) == len(set(ids)) == 151 and pages == 1 + 21

    # Archives off: a full export takes every page away.
    _export(write_config("[feeds]\nlimit = 5\n", source=finews_copy), out)
    assert not list(out.rglob("archive"))
    assert b"fh:" not in (out / "feed.atom").read_bytes()


def test_a_full_export_restores_a_page_deleted_by_hand(exported: tuple[Path, Path]) -> None:
    config_path, out = exported
    page = out / "category" / "emnews" / "archive" / "1.atom"
    kept = page.read_bytes()
    page.unlink()
    result = CliRunner().invoke(main, ["--config", str(config_path), "export", "--full", str(out)])
    assert result.exit_code == 0, result.output
    assert page.read_bytes() == kept
    shutil.rmtree(out)


def test_archive_pages_name_no_hub(write_config: Callable[..., Path], finews_copy: Path) -> None:
    """Hubs hear only of the scopes' feeds: a subscription to a page would never be told."""
    hubs = '[websub]\nhubs = ["http://127.0.0.1:9/hub"]\n'
    made = create_app(config.load(write_config(hubs + HISTORY, source=finews_copy)))
    try:
        client = made.test_client()
        feed = client.get("/feed.atom")
        assert b'rel="hub"' in feed.data and 'rel="hub"' in feed.headers["Link"]
        for page in ("/feed/archive/1.atom", "/feed/archive/1.rss", "/feed/archive/1.json"):
            answer = client.get(page)
            assert answer.status_code == 200 and "Link" not in answer.headers, page
            assert b"hub" not in answer.data, page
    finally:
        made.extensions["feeds"].close()
