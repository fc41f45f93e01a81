"""The refresher on a real index and real files, with a fake clock: which worker refreshes,
when a file still being written is read, and when the safety scan runs.

Each test only relies on what a full scan or a file already waiting finds, never on when the
watcher's events arrive, so the outcome does not depend on timing.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from feeds import config
from feeds.documents import Documents
from feeds.model import SITE
from feeds.refresher import FULL_SCAN_SECONDS, Refresher

from .clock import FakeClock

POST = "---\ntitle: {title}\ndate: 2026-01-01 08:00:00 +0800\ncategories: emnews\n---\n<p>{title}</p>\n"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def refreshers(
    write_config: Callable[..., Path], finews_copy: Path, clock: FakeClock
) -> Iterator[Callable[[], Refresher]]:
    """Makes refreshers over one index file, as each worker of one service has; all stopped
    at the end."""
    cfg = config.load(write_config(source=finews_copy))
    made: list[Refresher] = []

    def make() -> Refresher:
        documents = Documents.from_config(cfg)
        made.append(Refresher(documents.index, 2.0, clock=clock, settle=0.5))
        return made[-1]

    yield make
    for r in made:
        r.stop()


def titles(refresher: Refresher) -> set[str]:
    return {s.post.title for s in refresher.index.posts(SITE, refresher.now(), 1000)}


def write(path: Path, title: str) -> None:
    path.write_text(POST.format(title=title), encoding="utf-8")


def test_one_refresher_holds_the_lock_and_the_others_read(
    refreshers: Callable[[], Refresher], finews_copy: Path, clock: FakeClock
) -> None:
    first, second = refreshers(), refreshers()
    first.tick()
    second.tick()
    filled = first.state(first.now()).generation
    assert filled > 0 and second.state(second.now()).generation == filled, (
        "the reader sees the fill"
    )

    write(finews_copy / "_posts" / "2026-01-01-one.md", "一号")
    clock.sleep(FULL_SCAN_SECONDS + 1)  # settled, and a full scan is due
    second.tick()
    assert second.state(second.now()).generation == filled, "a reader does not refresh"
    first.tick()
    second.tick()
    assert second.state(second.now()).generation > filled and "一号" in titles(second)

    first.stop()  # the kernel drops its lock: the next worker to try takes over
    write(finews_copy / "_posts" / "2026-01-01-two.md", "二号")
    clock.sleep(1)
    second.tick()
    assert "二号" in titles(second), "the reader became the refresher"


def test_a_file_modified_within_the_settle_time_or_its_second_waits_a_round(
    refreshers: Callable[[], Refresher], finews_copy: Path, clock: FakeClock
) -> None:
    refresher = refreshers()
    path = finews_copy / "_posts" / "2026-01-01-fresh.md"
    write(path, "刚写的")
    clock.touch(path)
    clock.sleep(0.4)
    refresher.tick()  # the first fill: a full scan finds the file 0.4 s old
    assert refresher.state(refresher.now()).generation > 0
    assert "刚写的" not in titles(refresher)
    clock.sleep(0.4)
    refresher.tick()  # 0.8 s old, but written in the second that is still going on
    assert "刚写的" not in titles(refresher)
    clock.sleep(0.2)
    refresher.tick()
    assert "刚写的" in titles(refresher), "read once quiet for the settle time, its second over"


def test_the_safety_scan_runs_every_five_minutes_and_only_then(
    refreshers: Callable[[], Refresher], finews_copy: Path, tmp_path: Path, clock: FakeClock
) -> None:
    refresher = refreshers()
    refresher.tick()
    path = finews_copy / "_posts" / "2022-01-10-202201102241180920.md"
    # A change the watcher cannot see: written through a hard link outside the watched folder
    # (inotify reports a write to the folder only through the folder's own entry).
    elsewhere = tmp_path / "elsewhere.md"
    os.link(path, elsewhere)
    text = elsewhere.read_text(encoding="utf-8").replace("深百协作", "深百再协作")
    with elsewhere.open("r+", encoding="utf-8") as f:
        f.write(text)
    os.utime(elsewhere, ns=(1, 1))
    assert path.read_text(encoding="utf-8") == text

    clock.sleep(FULL_SCAN_SECONDS - 1)
    refresher.tick()
    assert "深百再协作朝乡村振兴迈进" not in titles(refresher), "no full scan before it is due"
    clock.sleep(2)
    refresher.tick()
    assert "深百再协作朝乡村振兴迈进" in titles(refresher), (
        "the safety scan found what the watcher missed"
    )


def test_changed_hears_of_the_scopes_a_refresh_changed_and_those_that_fell_due(
    write_config: Callable[..., Path], finews_copy: Path, clock: FakeClock
) -> None:
    documents = Documents.from_config(config.load(write_config(source=finews_copy)))
    heard: list[set[tuple[str, str]]] = []
    refresher = Refresher(
        documents.index,
        2.0,
        clock=clock,
        settle=0.5,
        changed=lambda scopes: heard.append({(s.kind.value, s.slug) for s in scopes}),
    )
    try:
        refresher.tick()
        assert heard == [], "the first fill is no news"
        post = (
            "---\ntitle: 推送\ndate: {date}\ncategories: emnews\ntags: [推送测试]\n---\n<p>x</p>\n"
        )
        folder = finews_copy / "_posts"
        (folder / "2021-01-01-push.md").write_text(
            post.format(date="2021-01-01 08:00:00 +0800"), encoding="utf-8"
        )
        clock.sleep(FULL_SCAN_SECONDS + 1)
        refresher.tick()
        scopes = {("site", ""), ("category", "emnews"), ("tag", "推送测试")}
        assert heard == [scopes]
        clock.sleep(FULL_SCAN_SECONDS + 1)
        refresher.tick()
        assert heard == [scopes], "no change, no news"

        due = refresher.now().timestamp() + FULL_SCAN_SECONDS + 30
        ahead = datetime.fromtimestamp(due, UTC).strftime("%Y-%m-%d %H:%M:%S +0000")
        (folder / "2021-01-02-ahead.md").write_text(
            post.format(date=ahead).replace("推送测试", "定时"), encoding="utf-8"
        )
        clock.sleep(FULL_SCAN_SECONDS + 1)
        refresher.tick()  # written: its scopes' versions rose
        clock.sleep(1)
        refresher.tick()
        assert len(heard) == 2, "not due yet"
        clock.sleep(60)
        refresher.tick()
        assert heard[2] == {("site", ""), ("category", "emnews"), ("tag", "定时")}, "fell due"
        assert len(heard) == 3
    finally:
        refresher.stop()
