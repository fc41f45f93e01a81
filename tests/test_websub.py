"""The WebSub publisher against a stand-in hub (a real HTTP server on 127.0.0.1): what one
announcement sends, which URLs a change names, and how a hub that fails, is slow, is down or
refuses is retried (or not), with a clock the test moves, never waited for."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from click.testing import CliRunner

from feeds import config, websub
from feeds.cli import main
from feeds.documents import Documents
from feeds.model import SITE, Scope, ScopeKind

from .hub import Hub

SITE_URL = "https://finews.withounder.com"


@pytest.fixture
def hub() -> Iterator[Hub]:
    with Hub() as h:
        yield h


class Clock:
    """Monotonic seconds that move only when the test says."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def attempts(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.getMessage().startswith("websub: ")]


def test_an_announcement_sends_each_url_as_hub_url_and_hub_topic(hub: Hub) -> None:
    topics = [f"{SITE_URL}/feed.atom", f"{SITE_URL}/tag/{quote('东财滚动新闻')}.json"]
    assert websub.publish(hub.url, topics) is None
    (got,) = hub.received
    assert got.content_type == "application/x-www-form-urlencoded"
    assert got.form == (
        ("hub.mode", "publish"),
        ("hub.url", topics[0]),
        ("hub.topic", topics[0]),
        ("hub.url", topics[1]),
        ("hub.topic", topics[1]),
    )


def test_a_failing_hub_is_retried_with_backoff_and_told_each_change_once(
    hub: Hub, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="feeds")
    clock = Clock()
    queue = websub.HubQueue(hub.url, monotonic=clock)
    hub.status = 503
    queue.add(["a", "b"])
    assert queue.attempt() == 101.0, "first retry after 1 s"
    clock.now = 100.5
    assert queue.attempt() == 101.0 and len(hub.received) == 1, "not before it is due"
    clock.now = 101.0
    assert queue.attempt() == 103.0, "then 2 s"
    queue.add(["b", "c"])  # a change while the hub is failing joins what waits
    clock.now = 103.0
    hub.status = 204
    assert queue.attempt() is None
    assert hub.topics() == ["a", "b", "c"], "one announcement for both changes"
    assert queue.attempt() is None and len(hub.received) == 3, "nothing is sent twice"
    lines = attempts(caplog)
    assert len(lines) == 3, "one line per attempt"
    assert "failed (HTTP 503 Service Unavailable)" in lines[0] and "retrying in 1 s" in lines[0]
    assert "retrying in 2 s" in lines[1]
    assert f"{hub.url} took 3 feed URLs (attempt 3" in lines[2]


def test_the_backoff_doubles_up_to_its_bound(hub: Hub) -> None:
    clock = Clock()
    queue = websub.HubQueue(hub.url, monotonic=clock)
    hub.status = 500
    queue.add(["a"])
    waits = []
    for _ in range(9):
        due = queue.attempt()
        assert due is not None
        waits.append(due - clock.now)
        clock.now = due
    assert waits == [1, 2, 4, 8, 16, 32, 60, 60, 60]


def test_a_slow_hub_times_out_and_is_retried(hub: Hub, caplog: pytest.LogCaptureFixture) -> None:
    clock = Clock()
    queue = websub.HubQueue(hub.url, timeout=0.2, monotonic=clock)
    hub.delay = 1.0
    queue.add(["a"])
    assert queue.attempt() == 101.0
    assert "timed out" in attempts(caplog)[0]
    hub.delay = 0.0
    clock.now = 101.0
    assert queue.attempt() is None
    assert hub.received[-1].topics == ["a"] and hub.received[-1].status == 204


def test_a_hub_that_is_down_is_told_once_it_is_back(hub: Hub) -> None:
    clock = Clock()
    queue = websub.HubQueue(hub.url, monotonic=clock)
    hub.down()
    queue.add(["a"])
    assert queue.attempt() == 101.0
    assert queue.last_failure and not queue.refused, "a refused connection is retried"
    hub.up()
    clock.now = 101.0
    assert queue.attempt() is None
    assert hub.topics() == ["a"]


def test_a_hub_that_refuses_is_not_asked_again(hub: Hub, caplog: pytest.LogCaptureFixture) -> None:
    queue = websub.HubQueue(hub.url, monotonic=Clock())
    hub.status = 400
    queue.add(["a"])
    assert queue.attempt() is None and queue.refused
    assert "HTTP 400 Bad Request for 1 feed URLs (attempt 1): not retried" in attempts(caplog)[0]


def test_many_urls_go_in_batches(hub: Hub) -> None:
    queue = websub.HubQueue(hub.url, monotonic=Clock())
    queue.add([str(i) for i in range(websub.BATCH + 5)])
    assert queue.attempt() == 100.0, "the rest is due at once"
    assert queue.attempt() is None
    assert [len(r.topics) for r in hub.received] == [websub.BATCH, 5]


@pytest.fixture
def documents(write_config: Callable[..., Path]) -> Iterator[Documents]:
    docs = Documents.from_config(
        config.load(write_config('[feeds]\nhidden_tags = ["隐藏"]\nsite_path = "atom.xml"\n'))
    )
    yield docs
    docs.index.close()


def test_a_changed_scope_is_announced_at_each_of_its_urls(documents: Documents) -> None:
    tag = "东财滚动新闻"
    scopes = [
        SITE,
        Scope(ScopeKind.CATEGORY, "emnews"),
        Scope(ScopeKind.TAG, tag),
        Scope(ScopeKind.TAG, "隐藏"),
    ]
    assert websub.topics(documents, scopes) == sorted(
        f"{SITE_URL}/{quote(p)}"
        for p in [
            *(f"feed.{f}" for f in ("atom", "rss", "json")),
            "feed.xml",
            "atom.xml",
            *(f"category/emnews.{f}" for f in ("atom", "rss", "json")),
            "feed/emnews.xml",
            *(f"tag/{tag}.{f}" for f in ("atom", "rss", "json")),
            f"feed/by_tag/{tag}.xml",
        ]
    )


def test_only_the_feeds_an_export_wrote_are_announced(documents: Documents) -> None:
    written = ["index.html", "feeds.opml", "category/emnews/index.html", "feed.json", "atom.xml"]
    assert websub.written(documents, written) == [f"{SITE_URL}/atom.xml", f"{SITE_URL}/feed.json"]


def test_publish_now_retries_then_says_which_hub_was_not_told(hub: Hub) -> None:
    clock = Clock()
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        clock.now += seconds

    hub.status = 503
    failed = websub.publish_now([hub.url], ["a"], sleep=sleep, monotonic=clock)
    assert slept == [0, 1, 2, 4, 8] and len(hub.received) == 5
    assert failed == [f"{hub.url}: not told of 1 feed URLs: HTTP 503 Service Unavailable"]
    hub.status = 204
    assert websub.publish_now([hub.url], ["a"], sleep=sleep, monotonic=clock) == []


def test_export_ping_announces_what_the_export_changed(
    hub: Hub, write_config: Callable[..., Path], finews_copy: Path, tmp_path: Path
) -> None:
    cfg = write_config(f'[websub]\nhubs = ["{hub.url}"]\n', source=finews_copy)
    out = tmp_path / "out"
    runner = CliRunner()
    first = runner.invoke(main, ["--config", str(cfg), "export", str(out), "--ping"])
    assert first.exit_code == 0, first.output
    feeds = sorted(
        f"{SITE_URL}/{quote(p.relative_to(out).as_posix())}"
        for p in out.rglob("*")
        if p.is_file() and p.suffix in (".atom", ".rss", ".json", ".xml")
    )
    assert sorted(hub.topics()) == feeds and len(hub.received) == 1
    assert f"websub: {hub.url} took {len(feeds)} feed URLs (attempt 1" in first.output
    assert 'rel="hub"' in (out / "feed.atom").read_text(encoding="utf-8")

    again = runner.invoke(main, ["--config", str(cfg), "export", str(out), "--ping"])
    assert again.exit_code == 0 and len(hub.received) == 1, "nothing changed: nothing announced"

    post = finews_copy / "_posts" / "2022-05-26-202205262391921712.md"
    post.write_text(post.read_text(encoding="utf-8") + "\n更正\n", encoding="utf-8")
    hub.status = 400
    edited = runner.invoke(main, ["--config", str(cfg), "export", str(out), "--ping"])
    assert edited.exit_code == 1
    assert f"{hub.url}: not told of" in edited.output and "HTTP 400" in edited.output
    (told,) = hub.received[1:]
    tag = quote("东财滚动新闻")
    assert set(told.topics) == {
        f"{SITE_URL}/{p}"
        for stem in ("feed", "category/emnews", f"tag/{tag}")
        for p in (f"{stem}.atom", f"{stem}.rss", f"{stem}.json")
    } | {f"{SITE_URL}/feed.xml", f"{SITE_URL}/feed/by_tag/{tag}.xml", f"{SITE_URL}/feed/emnews.xml"}


def test_export_ping_needs_a_hub(write_config: Callable[..., Path], tmp_path: Path) -> None:
    r = CliRunner().invoke(
        main, ["--config", str(write_config()), "export", str(tmp_path), "--ping"]
    )
    assert r.exit_code == 2 and "--ping needs [websub] hubs" in r.output
