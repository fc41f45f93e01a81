"""Faults: a killed export, half-written posts, a vanishing source, a lost index, a full disk.

Each test injects the fault for real (a signal, a renamed folder, a deleted or overwritten file,
a tiny tmpfs) and checks what a user would see: whole files, answers that keep coming, and
recovery once the fault is gone.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from flask import Flask

from feeds import config
from feeds.documents import Documents
from feeds.model import Scope, ScopeKind
from feeds.refresher import Refresher
from feeds.urls import Target
from feeds.web import create_app

from . import corpusgen
from .clock import FakeClock

FEEDS = Path(sys.executable).parent / "feeds"


def post(title: str, cats: str = "emnews") -> str:
    return f"---\ntitle: {title}\ndate: 2026-01-01 08:00:00 +0800\ncategories: {cats}\n---\n<p>{title} body</p>\n"


def wait_for(check: Callable[[], bool], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("not within the time allowed")
        time.sleep(0.05)


@pytest.fixture
def app(write_config: Callable[..., Path], finews_copy: Path) -> Iterator[Flask]:
    app = create_app(
        config.load(write_config("[cache]\nrefresh_seconds = 0.4\n", source=finews_copy))
    )
    yield app
    app.extensions["feeds"].close()


class Poller:
    """Requests a few feeds without pause in a thread; records every status seen."""

    def __init__(self, app: Flask, paths: list[str]) -> None:
        self.client = app.test_client()
        self.paths = paths
        self.statuses: list[int] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run)

    def _run(self) -> None:
        while not self._stop.is_set():
            for path in self.paths:
                self.statuses.append(self.client.get(path).status_code)
            time.sleep(0.01)

    def __enter__(self) -> Poller:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


FEEDS_TO_POLL = ["/feed.atom", "/category/emnews.rss", "/category/youjiangribao.json", "/"]


@pytest.mark.parametrize("fault", ["delete", "corrupt"])
def test_index_deleted_or_corrupted_while_serving(
    app: Flask, finews_copy: Path, fault: str
) -> None:
    index = app.extensions["feeds"].documents.index.path
    client = app.test_client()
    for path in FEEDS_TO_POLL:
        assert client.get(path).status_code == 200
    with Poller(app, FEEDS_TO_POLL) as poller:
        time.sleep(0.3)
        if fault == "delete":
            index.unlink()
        else:
            index.write_bytes(b"\0garbage, not a database\0" * 4096)
        time.sleep(0.3)
        # a post written after the fault is served once the index is rebuilt
        (finews_copy / "_posts" / "2026-01-01-after.md").write_text(
            post("after-the-fault"), encoding="utf-8"
        )
        wait_for(lambda: b"after-the-fault" in client.get("/category/emnews.rss").data, 8.0)
    assert poller.statuses and set(poller.statuses) == {200}, (
        f"answers during the fault: {sorted(set(poller.statuses))}"
    )
    assert index.exists()


def test_source_folder_vanishing_and_coming_back(
    app: Flask, finews_copy: Path, caplog: pytest.LogCaptureFixture
) -> None:
    client = app.test_client()
    before = client.get("/category/emnews.atom").data
    away = finews_copy.with_name("away")
    with Poller(app, FEEDS_TO_POLL) as poller:
        finews_copy.rename(away)
        time.sleep(1.5)
        assert client.get("/category/emnews.atom").data == before, "the last good feeds are served"
        away.rename(finews_copy)
        (finews_copy / "_posts" / "2026-01-01-back.md").write_text(
            post("came-back"), encoding="utf-8"
        )
        wait_for(lambda: b"came-back" in client.get("/category/emnews.atom").data, 8.0)
    assert set(poller.statuses) == {200}
    assert any(
        "refresh failed, still serving the last good feeds" in r.message for r in caplog.records
    )


def test_half_written_posts_are_never_served(
    write_config: Callable[..., Path], finews_copy: Path
) -> None:
    # Driven by a fake clock: each chunk is written "now", the refresh runs before the settle
    # time has passed, and only once the writer has been quiet that long is the post read.
    documents = Documents.from_config(config.load(write_config(source=finews_copy)))
    clock = FakeClock()
    refresher = Refresher(
        documents.index, 0.4, published_at=documents.published_at, clock=clock, settle=0.2
    )
    target = Target("rss", Scope(ScopeKind.CATEGORY, "slow"))

    def served() -> bytes:
        doc = documents.render(target, refresher.now())
        return doc.body if doc else b""

    try:
        text = post("slowly-written", cats="slow") + "<p>" + "长" * 3000 + "</p>\n<p>THE END</p>\n"
        path = finews_copy / "_posts" / "2026-01-01-slow.md"
        seen: list[bytes] = []
        with path.open("w", encoding="utf-8") as f:
            for i in range(0, len(text), len(text) // 8):
                f.write(text[i : i + len(text) // 8])
                f.flush()
                clock.touch(path)
                clock.sleep(0.15)  # less than the settle time since the last write
                # The first round is the first fill, whose full scan finds the file; from then
                # on it waits as unsettled, whatever the watcher reports meanwhile.
                refresher.tick()
                seen.append(served())
        assert len(seen) >= 8 and all(body == b"" for body in seen), (
            "nothing served while the file was written"
        )
        clock.sleep(1)  # quiet for the settle time, and the second of the last write is over
        refresher.tick()
        assert b"THE END" in served(), "read once the writer was quiet for the settle time"
    finally:
        refresher.stop()


@pytest.fixture(scope="module")
def big_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("big")
    corpusgen.generate(root, 1500, categories=300)
    return root


def test_export_killed_at_random_moments_leaves_only_whole_files(
    big_site: Path, tmp_path: Path
) -> None:
    def write_config(name: str, title: str) -> Path:
        path = tmp_path / f"{name}.toml"
        path.write_text(
            f'[site]\ntitle = "{title}"\nurl = "https://finews.withounder.com"\nsource = "{big_site}"\n'
            f'timezone = "Asia/Shanghai"\n[feeds]\nfuture = true\n[index]\npath = "{tmp_path}/{name}.sqlite3"\n',
            encoding="utf-8",
        )
        return path

    old, new = write_config("old", "旧"), write_config("new", "新")
    out, reference = tmp_path / "out", tmp_path / "reference"
    subprocess.run(
        [str(FEEDS), "--config", str(old), "export", str(out)], check=True, capture_output=True
    )
    subprocess.run(
        [str(FEEDS), "--config", str(new), "export", str(reference)],
        check=True,
        capture_output=True,
    )
    old_files = {
        p.relative_to(out): p.read_bytes()
        for p in out.rglob("*")
        if p.is_file() and p.name != ".feeds-export"
    }
    new_files = {
        p.relative_to(reference): p.read_bytes()
        for p in reference.rglob("*")
        if p.is_file() and p.name != ".feeds-export"
    }
    rng = random.Random(7)
    kills = 0
    for _ in range(3):
        proc = subprocess.Popen(
            [str(FEEDS), "--config", str(new), "export", "--full", str(out)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(rng.uniform(0.4, 2.0))
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.wait()
        for path in out.rglob("*"):
            if path.is_file() and path.name != ".feeds-export":
                rel = path.relative_to(out)
                if path.name.startswith(".feeds-tmp-"):
                    continue  # a killed export's temporary: never at a served name, swept next time
                data = path.read_bytes()
                assert data in (old_files.get(rel), new_files.get(rel)), (
                    f"{rel} is neither old nor new"
                )
    assert kills >= 1, "no export was still running when killed: make the site bigger"
    subprocess.run(
        [str(FEEDS), "--config", str(new), "export", str(out)], check=True, capture_output=True
    )
    final = {
        p.relative_to(out): p.read_bytes()
        for p in out.rglob("*")
        if p.is_file() and p.name != ".feeds-export"
    }
    assert final == new_files, "a later export finishes the job and sweeps the temporaries"


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    mount = tmp_path / "disk"
    mount.mkdir()
    if (
        os.geteuid() != 0
        or subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(mount)], capture_output=True
        ).returncode
    ):
        pytest.skip(
            "needs root to mount a small tmpfs (the RLIMIT_FSIZE test in test_export covers the error path)"
        )
    yield mount
    subprocess.run(["umount", str(mount)], check=False)


def test_no_space_left_is_a_clear_error_and_old_files_stay(
    tiny_disk: Path, write_config: Callable[..., Path], finews_copy: Path
) -> None:
    out = tiny_disk / "out"
    cfg = write_config(source=finews_copy)
    first = subprocess.run(
        [str(FEEDS), "--config", str(cfg), "export", str(out)], capture_output=True, text=True
    )
    assert first.returncode == 0, first.stderr
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    filler = tiny_disk / "filler"
    with filler.open("wb", buffering=0) as f:  # fill the disk
        try:
            while True:
                f.write(b"x" * 4096)
        except OSError:
            pass
    (finews_copy / "_posts" / "2026-01-01-more.md").write_text(post("more"), encoding="utf-8")
    second = subprocess.run(
        [str(FEEDS), "--config", str(cfg), "export", str(out)], capture_output=True, text=True
    )
    assert second.returncode == 1
    assert "No space left on device" in second.stderr and "Traceback" not in second.stderr
    for p, data in before.items():
        if p.name != ".feeds-export":
            assert p.read_bytes() == data, f"{p} changed"
    assert not [p for p in out.rglob(".feeds-tmp-*")], "no temporary file left behind"
