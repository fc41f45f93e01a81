"""Entries shared through a real Redis: once built across hosts, the same ETags everywhere,
a lock whose holder died, and an outage that only costs local builds.

Each "host" is a :class:`Cache` (or a whole app) of its own over one ``redis-server`` that the
test starts on a free port (tests/redis_fixture.py).
"""

from __future__ import annotations

import logging
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask import Flask

from feeds import config
from feeds.cache import Cache, MemoryStore
from feeds.documents import Document
from feeds.sharing import RedisShare
from feeds.web import create_app
from tests.conftest import FINEWS
from tests.redis_fixture import RedisServer, redis_server  # noqa: F401 - a fixture
from tests.server_fixture import wait_until

REFRESH_SECONDS = 0.5


class Clock:
    """Monotonic seconds that move only when a test says."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def document(text: str) -> Document:
    return Document(
        f"<feed>{text}</feed>".encode(),
        "application/atom+xml; charset=utf-8",
        datetime(2024, 1, 1, tzinfo=UTC),
    )


@pytest.fixture
def hosts(redis_server: RedisServer) -> Iterator[Callable[..., Cache]]:
    made: list[Cache] = []

    def host(**options: float) -> Cache:
        cache = Cache(MemoryStore(1 << 20), RedisShare(redis_server.url, 60, **options))  # type: ignore[arg-type]
        made.append(cache)
        return cache

    yield host
    for cache in made:
        cache.close()


def test_one_build_serves_every_host_with_the_same_etag(hosts: Callable[..., Cache]) -> None:
    one, two = hosts(), hosts()
    a = one.get("k", lambda: document("一"))
    b = two.get("k", lambda: document("二"))
    assert (one.builds, two.builds) == (1, 0)
    assert a == b and a is not None and a.body == "<feed>一</feed>".encode()


def test_others_wait_for_the_build_in_progress(
    hosts: Callable[..., Cache], redis_server: RedisServer
) -> None:
    one, two = hosts(), hosts()
    building, release = threading.Event(), threading.Event()
    got: dict[str, object] = {}

    def slow() -> Document:
        building.set()
        assert release.wait(10)
        return document("slow")

    first = threading.Thread(target=lambda: got.update(one=one.get("k", slow)))
    first.start()
    assert building.wait(10)
    second = threading.Thread(
        target=lambda: got.update(two=two.get("k", lambda: document("other")))
    )
    second.start()
    client = redis_server.client()
    try:  # the second host is waiting: polling Redis, not building
        wait_until(
            lambda: client.info("stats")["total_commands_processed"] > 20,
            time.monotonic(),
            10,
            "second host polls",
        )
    finally:
        client.close()
    release.set()
    first.join(10)
    second.join(10)
    assert (one.builds, two.builds) == (1, 0)
    assert got["one"] == got["two"]


def test_a_lock_whose_holder_died_expires_and_another_builds(
    hosts: Callable[..., Cache], redis_server: RedisServer
) -> None:
    one, two = hosts(), hosts()

    def dies() -> Document:
        raise RuntimeError("the holder failed")

    with pytest.raises(RuntimeError):
        one.get("k", dies)
    assert two.get("k", lambda: document("x")) is not None and two.builds == 1, (
        "the failed holder's lock was let go"
    )
    # a holder killed outright never lets go: its lock expires after lock_seconds
    client = redis_server.client()
    try:
        (name,) = client.keys("feeds:*")
        client.delete(name)
        client.set(name + b":lock", "a killed holder's", px=300)
        three = hosts()
        assert three.get("k", lambda: document("x")) is not None and three.builds == 1
        assert client.get(name) is not None, "stored by the host that took the expired lock"
    finally:
        client.close()


def test_a_redis_outage_builds_locally_logs_once_and_sharing_resumes(
    redis_server: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    clock = Clock()
    one = Cache(
        MemoryStore(1 << 20), RedisShare(redis_server.url, 60, retry_seconds=1.0, clock=clock)
    )
    two = Cache(
        MemoryStore(1 << 20), RedisShare(redis_server.url, 60, retry_seconds=1.0, clock=clock)
    )
    try:
        caplog.set_level(logging.INFO, logger="feeds")
        redis_server.stop()
        for n in range(3):
            assert one.get(f"down{n}", lambda: document("x")) is not None
            clock.now += 2  # past the retry interval: Redis is tried again, and is still down
        assert one.builds == 3
        warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
        assert len(warnings) == 1 and "unavailable" in warnings[0].getMessage(), caplog.text
        assert one.get("down0", lambda: document("x")) is not None and one.builds == 3, (
            "memory in front"
        )

        redis_server.start()
        assert one.get("up", lambda: document("up")) is not None and one.builds == 4
        assert "sharing built feeds again" in caplog.text
        assert two.get("up", lambda: document("other")) is not None and two.builds == 0, (
            "shared again"
        )
        assert len([r for r in caplog.records if r.levelno == logging.WARNING]) == 1
    finally:
        one.close()
        two.close()


# -- two hosts: an app each, its own index file, one source, one Redis --------------------------


@pytest.fixture
def two_hosts(tmp_path: Path, redis_server: RedisServer) -> Iterator[tuple[Flask, Flask, Path]]:
    source = tmp_path / "finews"
    shutil.copytree(FINEWS, source)
    apps = []
    for name in ("one", "two"):
        folder = tmp_path / name
        folder.mkdir()
        path = folder / "config.toml"
        path.write_text(
            f'[site]\nurl = "https://finews.withounder.com"\nsource = "{source}"\ntimezone = "Asia/Shanghai"\n'
            f'[cache]\nbackend = "redis"\nurl = "{redis_server.url}"\nrefresh_seconds = {REFRESH_SECONDS}\n'
            f'[index]\npath = "{folder / "index.sqlite3"}"\n',
            encoding="utf-8",
        )
        apps.append(create_app(config.load(path)))
    try:
        yield apps[0], apps[1], source
    finally:
        for app in apps:
            app.extensions["feeds"].close()


def test_two_hosts_share_builds_and_etags_and_both_show_a_new_post(
    two_hosts: tuple[Flask, Flask, Path],
) -> None:
    one, two, source = two_hosts
    builds = lambda app: app.extensions["feeds"].cache.builds  # noqa: E731
    a = one.test_client().get("/feed.atom")
    b = two.test_client().get("/feed.atom")
    assert a.status_code == b.status_code == 200
    assert a.data == b.data and a.headers["ETag"] == b.headers["ETag"]
    assert (builds(one), builds(two)) == (1, 0), "the second host served the first host's build"

    (source / "_posts" / "2026-01-01-both.md").write_text(
        "---\ntitle: 双机标记\ndate: 2026-01-01 08:00:00 +0800\ncategories: emnews\n---\n正文\n",
        encoding="utf-8",
    )
    written = time.monotonic()
    for app in (one, two):
        wait_until(
            lambda: (
                "双机标记" in app.test_client().get("/category/emnews.atom").get_data(as_text=True)  # noqa: B023 - called at once
            ),
            written,
            REFRESH_SECONDS + 1.5,
            "the new post on every host",
        )
    before = builds(one), builds(two)
    a, b = one.test_client().get("/feed.atom"), two.test_client().get("/feed.atom")
    assert (
        "双机标记" in a.get_data(as_text=True)
        and a.data == b.data
        and a.headers["ETag"] == b.headers["ETag"]
    )
    assert builds(one) + builds(two) == sum(before) + 1, "one build across both hosts"
