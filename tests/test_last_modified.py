"""Last-Modified that tells the truth (#15), through the app and over real gunicorn.

A reader that sends only ``If-Modified-Since`` must get ``200`` after any change of a document's
bytes, and Last-Modified never moves backwards: across edits, deletions, posts falling due,
config changes, index rebuilds and hosts (two indexes over one source). File and folder times
are set with ``os.utime`` to instants in the past, so every change is settled at once and every
Last-Modified is known in advance; the app's clock is driven by hand.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from urllib.parse import quote

import pytest
from flask import Flask
from flask.testing import FlaskClient

from feeds import config
from feeds.web import create_app
from tests.conftest import FINEWS
from tests.server_fixture import Server, free_port, site_config, wait_until

#: Every file and folder of the site and the config is dated this (a whole second, a day ago).
T0 = int(time.time()) // 60 * 60 - 86400
NEWEST = "2022-05-26-202205262391921712.md"  # emnews, tag 东财滚动新闻
OTHER = "/category/youjiangribao.atom"  # no post of it is touched here
PATHS = [
    "/",
    "/feeds.opml",
    "/feed.atom",
    "/feed.rss",
    "/feed.json",
    "/feed.xml",
    "/category/emnews.rss",
    "/feed/emnews.xml",
    "/tag/" + quote("东财滚动新闻") + ".json",
    "/feed/by_tag/" + quote("东财滚动新闻") + ".xml",
]


def http(seconds: int) -> str:
    return format_datetime(datetime.fromtimestamp(seconds, UTC), usegmt=True)


def date_all(root: Path, when: int) -> None:
    """Set the times of ``root`` and of every file and folder below it."""
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            os.utime(Path(folder) / name, (when, when))
    os.utime(root, (when, when))


def write_post(path: Path, text: str, when: int) -> None:
    """Put a post in place whole (written beside, renamed in), its mtime ``when``."""
    tmp = path.parent.parent / f".{path.name}.tmp"
    tmp.write_text(text, encoding="utf-8")
    os.utime(tmp, (when, when))
    os.replace(tmp, path)


def delete_post(path: Path, when: int) -> None:
    """Remove a post; its folder's mtime, which the unlink set to now, becomes ``when``."""
    path.unlink()
    os.utime(path.parent, (when, when))


def wait_for(check: Callable[[], bool], seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("not within the time allowed")
        time.sleep(0.02)


class Site:
    """A copy of finews with everything dated T0, and apps serving it, each with its own
    config and index (as hosts sharing one source folder would)."""

    def __init__(self, tmp: Path) -> None:
        self.tmp = tmp
        self.root = tmp / "finews"
        shutil.copytree(FINEWS, self.root)
        date_all(self.root, T0)
        self.posts = self.root / "_posts"
        self.apps: list[Flask] = []
        #: The app's clock, in whole seconds (the instant whose posts are published).
        self.now = T0 + 10_000

    def app(self, name: str = "a", title: str = "金融消息", config_time: int = T0) -> Flask:
        folder = self.tmp / name
        folder.mkdir(exist_ok=True)
        path = site_config(folder, self.root, free_port(), "[cache]\nrefresh_seconds = 0.4\n")
        path.write_text(
            path.read_text(encoding="utf-8").replace(
                '"金融消息"', json.dumps(title, ensure_ascii=False)
            ),
            encoding="utf-8",
        )
        os.utime(path, (config_time, config_time))
        app = create_app(config.load(path))
        app.extensions["feeds"].live.published_at = lambda _now: datetime.fromtimestamp(
            self.now, UTC
        )
        self.apps.append(app)
        return app

    def close(self, app: Flask) -> None:
        app.extensions["feeds"].close()
        self.apps.remove(app)


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Site]:
    s = Site(tmp_path)
    yield s
    for app in list(s.apps):
        s.close(app)


def seen(client: FlaskClient) -> dict[str, str]:
    """Last-Modified of every path (each answered 200)."""
    found = {}
    for path in PATHS + [OTHER]:
        r = client.get(path)
        assert r.status_code == 200, path
        found[path] = r.headers["Last-Modified"]
    return found


def assert_changed(
    client: FlaskClient, before: dict[str, str], after: str, paths: list[str] = PATHS
) -> dict[str, str]:
    """Each of ``paths`` now says ``after`` and gives 200 to its previous Last-Modified (and no
    If-None-Match), 304 to the new one; Last-Modified did not decrease anywhere."""
    now = seen(client)
    for path in paths:
        assert now[path] == after, path
        assert client.get(path, headers={"If-Modified-Since": before[path]}).status_code == 200, (
            path
        )
        assert client.get(path, headers={"If-Modified-Since": after}).status_code == 304, path
    for path, value in now.items():
        assert _seconds(value) >= _seconds(before[path]), (
            f"{path} went back from {before[path]} to {value}"
        )
    return now


def _seconds(value: str) -> datetime:
    return datetime.strptime(value, "%a, %d %b %Y %H:%M:%S GMT")


def test_every_change_of_the_bytes_gives_200_to_the_last_value(site: Site) -> None:
    client = site.app().test_client()
    before = seen(client)
    assert set(before.values()) == {http(T0)}, "a fill dates every document by the disk"

    # An edit of the newest post's body: its scopes change, the others answer 304 as before.
    body_before = client.get("/feed.atom").data
    newest = site.posts / NEWEST
    write_post(
        newest,
        newest.read_text(encoding="utf-8").replace("据霍尼韦尔官网消息", "据霍尼韦尔官网的消息"),
        T0 + 100,
    )
    wait_for(lambda: client.get("/feed.atom").data != body_before)
    before = assert_changed(client, before, http(T0 + 100))
    assert before[OTHER] == http(T0)
    assert client.get(OTHER, headers={"If-Modified-Since": http(T0)}).status_code == 304, (
        "unchanged: still 304"
    )

    # An edit whose mtime was set back (cp -p, rsync -t) still moves Last-Modified on, by a second.
    write_post(
        newest,
        newest.read_text(encoding="utf-8").replace("霍尼韦尔官网的消息", "霍尼韦尔的消息"),
        T0 + 50,
    )
    wait_for(lambda: "霍尼韦尔的消息" in client.get("/feed.atom").get_data(as_text=True))
    before = assert_changed(client, before, http(T0 + 101))

    # Deleting the newest post: Last-Modified goes on, not back to the post that is newest now.
    delete_post(newest, T0 + 200)
    wait_for(lambda: b"202205262391921712" not in client.get("/feed.atom").data)
    before = assert_changed(client, before, http(T0 + 200))

    # A post dated ahead is indexed (its scopes' stamps rise) but shown only when it falls due.
    due = site.now + 60
    text = f"---\ntitle: lmtest-due\ndate: {datetime.fromtimestamp(due, UTC):%Y-%m-%d %H:%M:%S} +0000\ncategories: emnews\ntags: 东财滚动新闻\n---\n稍后\n"
    write_post(site.posts / f"{datetime.fromtimestamp(due, UTC):%Y-%m-%d}-due.md", text, T0 + 300)
    wait_for(lambda: client.get("/feed.atom").headers["Last-Modified"] == http(T0 + 300))
    before = assert_changed(client, before, http(T0 + 300))
    assert "lmtest-due" not in client.get("/feed.atom").get_data(as_text=True)
    site.now = due - 1
    assert (
        client.get("/feed.atom", headers={"If-Modified-Since": before["/feed.atom"]}).status_code
        == 304
    )
    site.now = due
    assert "lmtest-due" in client.get("/feed.atom").get_data(as_text=True)
    assert_changed(client, before, http(due))


def test_a_changed_config_gives_200_to_the_last_value(site: Site) -> None:
    app = site.app()
    before = seen(app.test_client())
    site.close(app)
    client = site.app(title="金融消息·新", config_time=T0 + 50).test_client()
    assert "金融消息·新" in client.get("/feed.atom").get_data(as_text=True)
    assert_changed(client, before, http(T0 + 50), PATHS + [OTHER])


def test_a_rebuilt_index_never_moves_last_modified_back(site: Site, tmp_path: Path) -> None:
    client = site.app().test_client()
    write_post(
        site.posts / NEWEST,
        (site.posts / NEWEST).read_text(encoding="utf-8") + "\n补充\n",
        T0 + 100,
    )
    wait_for(lambda: client.get("/feed.atom").headers["Last-Modified"] == http(T0 + 100))
    delete_post(site.posts / "2021-12-08-202112082207168450.md", T0 + 200)  # an older emnews post
    wait_for(lambda: client.get("/category/emnews.rss").headers["Last-Modified"] == http(T0 + 200))
    before = {
        path: (r.headers["Last-Modified"], r.data)
        for path in PATHS + [OTHER]
        for r in [client.get(path)]
    }
    site.close(client.application)

    (tmp_path / "a" / "index.sqlite3").unlink()
    again = site.app().test_client()
    for path, (modified, body) in before.items():
        r = again.get(path)
        assert r.data == body, path
        assert _seconds(r.headers["Last-Modified"]) >= _seconds(modified), path
        assert again.get(path, headers={"If-Modified-Since": modified}).status_code in (200, 304)


def test_two_hosts_over_one_source_agree(site: Site) -> None:
    one, two = site.app("one").test_client(), site.app("two").test_client()
    for path in PATHS:
        a, b = one.get(path), two.get(path)
        assert (a.data, a.headers["ETag"]) == (b.data, b.headers["ETag"]), path
    before = {"one": seen(one), "two": seen(two)}

    newest = site.posts / NEWEST
    write_post(
        newest, newest.read_text(encoding="utf-8").replace("上海证券报", "上海證券報"), T0 + 100
    )
    for client in (one, two):
        wait_for(lambda c=client: "上海證券報" in c.get("/feed.atom").get_data(as_text=True))
    for path in PATHS:
        a, b = one.get(path), two.get(path)
        assert (a.data, a.headers["ETag"]) == (b.data, b.headers["ETag"]), path
        for client in (one, two):
            for host in ("one", "two"):
                r = client.get(path, headers={"If-Modified-Since": before[host][path]})
                assert r.status_code == 200, (path, host)


# -- over real gunicorn ---------------------------------------------------------------------


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[Server, Path]]:
    root = tmp_path / "finews"
    shutil.copytree(FINEWS, root)
    date_all(root, T0)
    port = free_port()
    path = site_config(tmp_path, root, port, "[cache]\nrefresh_seconds = 1.0\n")
    os.utime(path, (T0, T0))
    home = tmp_path / "home"
    home.mkdir()
    s = Server(path, port, tmp_path / "serve.log", home)
    try:
        s.wait_ready()
        yield s, root / "_posts"
    finally:
        s.stop()
    assert "Traceback" not in s.log_text(), s.log_text()


def test_every_worker_answers_200_to_the_last_value_after_each_change(
    server: tuple[Server, Path],
) -> None:
    srv, posts = server
    paths = [
        "/feed.atom",
        "/feeds.opml",
        "/category/emnews.rss",
        "/feed/by_tag/" + quote("东财滚动新闻") + ".xml",
    ]
    history: list[str] = []

    def step(expected: str) -> None:
        """Wait until every worker says ``expected``; then each gives 200 to the last value,
        304 to the new one, and no value ever seen was later."""
        last = history[-1] if history else None

        def check() -> None:
            wait_until(
                lambda: all(srv.get(p).headers["last-modified"] == expected for p in paths),
                time.monotonic(),
                10,
                expected,
            )
            for p in paths:
                if last is not None:
                    assert srv.raw(p, {"If-Modified-Since": last}).status == 200, (p, last)
                assert srv.raw(p, {"If-Modified-Since": expected}).status == 304, (p, expected)

        srv.on_each_worker(check)
        assert last is None or _seconds(expected) > _seconds(last)
        history.append(expected)

    step(http(T0))
    newest = posts / NEWEST
    write_post(
        newest,
        newest.read_text(encoding="utf-8").replace("据霍尼韦尔官网消息", "据官网消息"),
        T0 + 100,
    )
    step(http(T0 + 100))
    delete_post(newest, T0 + 200)
    step(http(T0 + 200))
    # A post due in 4 to 5 s, dated T0 + 300 on disk: indexed first, then shown when due.
    due = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=5)
    text = f"---\ntitle: srv-due\ndate: {due:%Y-%m-%d %H:%M:%S} +0000\ncategories: emnews\ntags: 东财滚动新闻\n---\n稍后\n"
    write_post(posts / f"{due:%Y-%m-%d}-srv-due.md", text, T0 + 300)
    step(http(T0 + 300))
    assert datetime.now(UTC) < due, "too slow to see the post before it fell due"
    assert b"srv-due" not in srv.get("/feed.atom").body
    step(http(int(due.timestamp())))
    assert b"srv-due" in srv.get("/feed.atom").body
