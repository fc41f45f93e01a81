"""The running service at scale: start-up, memory per worker, idle CPU and freshness.

``feeds serve`` (gunicorn, 2 sync workers, ``[cache] refresh_seconds = 2``) over a private copy
of a generated corpus: hard links, so the copy is instant and the posts written here never reach
the corpus. ``[feeds] future = true``, as the corpus runs to 2026-11-30. The copy, its config and
its index live under $FEEDS_BENCH_DIR and are reused; every server started here listens on
127.0.0.1 and is stopped with its whole process group however the run ends.

* start: from launching ``feeds serve`` over an up-to-date index to its first 200 for
  ``/feed.atom`` (polled every 20 ms);
* memory: VmRSS of each worker after every feed (each scope of the OPML list, in each format)
  was asked for once;
* idle CPU: user + system time of the master and its workers over a quiet spell, as a share of
  one core;
* freshness: from writing a new post file (in an existing category and tag, dated after every
  other post) to the first answer that contains it, for its category, tag and site feeds, each
  polled every 20 ms.
"""

from __future__ import annotations

import os
import random
import re
import signal
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from html import unescape
from pathlib import Path
from typing import IO
from urllib.parse import urlsplit

from feeds.jekyll.permalink import scope_slug
from feeds.model import Scope, ScopeKind
from feeds.urls import feed_href

try:
    from . import timed  # type: ignore[import-not-found]
    from .corpus import BENCH_DIR  # type: ignore[import-not-found]
    from .serve import free_port, get  # type: ignore[import-not-found]
except ImportError:
    import timed  # type: ignore[import-not-found,no-redef]
    from corpus import BENCH_DIR  # type: ignore[import-not-found,no-redef]
    from serve import free_port, get  # type: ignore[import-not-found,no-redef]

WORKERS = 2
POLL = 0.02
#: The formats the config serves (the default: all three).
FORMATS = ("atom", "rss", "json")

CONFIG = """\
# Written by bench/service.py; rewritten on every run.
[site]
title = "金融新闻"
url = "https://finews.withounder.com"
lang = "zh-CN"
timezone = "Asia/Shanghai"
source = "site"

[feeds]
future = true

[cache]
refresh_seconds = 2

[index]
path = "index.sqlite3"
"""

POST = """\
---
title: "{token}"
date: {date} +0800
categories: {category}
tags: {tag}
---
<p>{token}: a post written by bench/service.py.</p>
"""

_FRESH = "bench-fresh-"


@dataclass(frozen=True, slots=True)
class Fresh:
    """How long one new post took to appear, in seconds, per feed."""

    site: float
    category: float
    tag: float

    @property
    def all(self) -> float:
        """Until it was in all three."""
        return max(self.site, self.category, self.tag)


@dataclass(frozen=True, slots=True)
class Results:
    """What :func:`measure` found."""

    start_seconds: list[float]
    #: VmRSS in MB of each worker, after every feed was served once.
    worker_rss_mb: list[float]
    master_rss_mb: float
    #: Feeds asked for to fill the caches, and how long that took.
    feeds_served: int
    fill_seconds: float
    #: Share of one core used by master and workers together while idle, in percent.
    idle_cpu_percent: float
    idle_seconds: float
    fresh: list[Fresh]


def site(corpus: Path) -> Path:
    """The config of a private copy of ``corpus`` (made once, then reused)."""
    work = BENCH_DIR / f"service-{corpus.name.removeprefix('corpus-')}"
    posts = work / "site" / "_posts"
    done = work / ".complete"
    if not done.exists():
        print(
            f"service: hard-linking {corpus}/_posts into {posts} (once) ...",
            file=sys.stderr,
            flush=True,
        )
        subprocess.run(["rm", "-rf", str(work)], check=True)
        posts.mkdir(parents=True)
        for entry in os.scandir(corpus / "_posts"):
            os.link(entry.path, posts / entry.name)
        done.touch()
    for left in posts.glob(f"*{_FRESH}*"):  # from a run that was interrupted
        left.unlink()
    config = work / "config.toml"
    config.write_text(CONFIG, encoding="utf-8")
    return config


class Service:
    """One ``feeds serve`` in its own process group."""

    def __init__(self, config: Path, log: Path) -> None:
        self.config = config
        self.port = free_port()
        self._log: IO[bytes] = open(log, "ab")  # noqa: SIM115 - closed by stop()
        self.started = time.perf_counter()
        self.proc = timed.spawn(timed.serve_argv(config, self.port, WORKERS), self._log)

    def wait_ok(self, path: str, timeout: float) -> float:
        """Seconds from launch to the first 200 for ``path``; exits if the service dies."""
        deadline = time.perf_counter() + timeout
        while True:
            if self.proc.poll() is not None:
                sys.exit(
                    f"service: feeds serve exited with status {self.proc.returncode}; see {self._log.name}"
                )
            try:
                status, _, _ = get(self.port, path)
                if status == 200:
                    return time.perf_counter() - self.started
            except OSError:
                pass
            if time.perf_counter() > deadline:
                sys.exit(f"service: no 200 for {path} within {timeout:.0f} s; see {self._log.name}")
            time.sleep(POLL)

    def children(self) -> list[int]:
        """The master's child processes: gunicorn's workers, and any helper it started."""
        found = []
        for entry in os.scandir("/proc"):
            if entry.name.isdigit():
                try:
                    fields = Path(entry.path, "stat").read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                if int(fields[1]) == self.proc.pid:
                    found.append(int(entry.name))
        return sorted(found)

    def workers(self) -> list[int]:
        """gunicorn's workers: the children that are forks of the master (same command line),
        not a helper such as multiprocessing's resource tracker."""
        master = Path(f"/proc/{self.proc.pid}/cmdline").read_bytes()
        found = []
        for pid in self.children():
            try:
                if Path(f"/proc/{pid}/cmdline").read_bytes() == master:
                    found.append(pid)
            except OSError:
                continue
        return found

    def stop(self) -> None:
        """TERM the group, KILL what is left after 10 s."""
        _signal_group(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pass
        _signal_group(self.proc.pid, signal.SIGKILL)
        self.proc.wait()
        self._log.close()


def _signal_group(pgid: int, sig: signal.Signals) -> None:
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def cpu_ticks(pid: int) -> int:
    """utime + stime of one process, in clock ticks."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return int(fields[11]) + int(fields[12])


def every_feed(service: Service) -> list[str]:
    """The path of every feed: each scope the OPML list names, in each of the formats."""
    status, _, body = get(service.port, "/feeds.opml")
    if status != 200:
        sys.exit(f"service: /feeds.opml answered {status}")
    urls = [unescape(u) for u in re.findall(r'xmlUrl="([^"]+)"', body.decode("utf-8"))]
    if not urls:
        sys.exit("service: /feeds.opml names no feed")
    stems = dict.fromkeys(urlsplit(u).path.rpartition(".")[0] for u in urls)
    return [f"{stem}.{fmt}" for stem in stems for fmt in FORMATS]


def fill(service: Service, paths: list[str]) -> float:
    """Ask for every path once, with as many clients as workers; seconds taken."""
    queue = list(paths)
    lock = threading.Lock()
    failed: list[str] = []

    def client() -> None:
        while True:
            with lock:
                if not queue:
                    return
                path = queue.pop()
            status, _, _ = get(service.port, path)
            if status != 200:
                failed.append(f"{path}: {status}")

    started = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(WORKERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if failed:
        sys.exit(f"service: {len(failed)} feeds failed, e.g. {failed[0]}")
    return time.perf_counter() - started


def idle_cpu(service: Service, seconds: float) -> float:
    """Percent of one core the master and workers used over ``seconds`` with nothing to do."""
    pids = [service.proc.pid, *service.children()]
    before = sum(cpu_ticks(p) for p in pids)
    t = time.perf_counter()
    time.sleep(seconds)
    used = sum(cpu_ticks(p) for p in pids) - before
    return used / timed.TICKS / (time.perf_counter() - t) * 100


def busiest_category(corpus: Path) -> tuple[str, str]:
    """The corpus's first category (Zipf's largest) and its tag."""
    first = (corpus / "categories.txt").read_text(encoding="utf-8").splitlines()[0]
    slug, name = first.split("\t")
    return slug, f"{name}新闻"


def freshness(
    service: Service, posts_dir: Path, category: str, tag: str, count: int
) -> list[Fresh]:
    """Write ``count`` posts one after another; how long each took to reach its three feeds."""
    paths = {
        "site": "/feed.atom",
        "category": "/" + feed_href(Scope(ScopeKind.CATEGORY, scope_slug(category)), "atom"),
        "tag": "/" + feed_href(Scope(ScopeKind.TAG, scope_slug(tag)), "atom"),
    }
    for url in paths.values():
        status, _, _ = get(service.port, url)
        if status != 200:
            sys.exit(f"service: {url} answered {status}")
    rng = random.Random(5)
    results = []
    for k in range(count):
        time.sleep(rng.uniform(0.5, 2.5))  # land at different points of the refresh cycle
        token = f"{_FRESH}{os.getpid()}-{k}"
        post = posts_dir / f"2026-12-01-{token}.md"
        text = POST.format(
            token=token,
            date=f"2026-12-01 {k // 60:02d}:{k % 60:02d}:00",
            category=category,
            tag=tag,
        )
        found: dict[str, float] = {}
        written = time.perf_counter()
        post.write_text(text, encoding="utf-8")
        threads = [
            threading.Thread(
                target=_poll, args=(service, kind, url, token.encode(), written, found)
            )
            for kind, url in paths.items()
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        results.append(Fresh(found["site"], found["category"], found["tag"]))
    return results


def _poll(
    service: Service, kind: str, path: str, token: bytes, written: float, found: dict[str, float]
) -> None:
    deadline = written + 60
    while time.perf_counter() < deadline:
        try:
            status, _, body = get(service.port, path)
        except OSError:
            status, body = 0, b""
        if status == 200 and token in body:
            found[kind] = time.perf_counter() - written
            return
        time.sleep(POLL)
    found[kind] = float("inf")


def measure(
    corpus: Path, *, starts: int, idle_seconds: float, fresh_posts: int, run: Path
) -> Results:
    """Everything in this module's docstring, over a private copy of ``corpus``."""
    config = site(corpus)
    posts_dir = config.parent / "site" / "_posts"
    log = run / "service.log"
    services: list[Service] = []
    try:
        # Bring the index up to date (a first start over a new copy builds it); not measured.
        services.append(Service(config, log))
        services[-1].wait_ok("/feed.atom", timeout=3600)
        services.pop().stop()
        start_seconds = []
        for i in range(starts):
            services.append(Service(config, log))
            start_seconds.append(services[-1].wait_ok("/feed.atom", timeout=600))
            if i < starts - 1:
                services.pop().stop()
        service = services[-1]
        paths = every_feed(service)
        fill_seconds = fill(service, paths)
        workers = service.workers()
        worker_rss = [rss_mb(p) for p in workers]
        master_rss = rss_mb(service.proc.pid)
        time.sleep(5)  # let the fill's last writes settle
        idle = idle_cpu(service, idle_seconds)
        slug, tag = busiest_category(corpus)
        fresh = freshness(service, posts_dir, slug, tag, fresh_posts)
    finally:
        for s in services:
            s.stop()
        for left in posts_dir.glob(f"*{_FRESH}*"):
            left.unlink()
    return Results(
        start_seconds, worker_rss, master_rss, len(paths), fill_seconds, idle, idle_seconds, fresh
    )


def summary(r: Results) -> str:
    med = statistics.median
    fresh = ", ".join(
        f"{k} {med(getattr(f, k) for f in r.fresh):.2f} s" for k in ("site", "category", "tag")
    )
    return (
        f"service: start {', '.join(f'{s:.2f}' for s in r.start_seconds)} s; "
        f"{r.feeds_served} feeds served once in {r.fill_seconds:.0f} s; workers {', '.join(f'{m:.0f}' for m in r.worker_rss_mb)} MB "
        f"(master {r.master_rss_mb:.0f} MB); idle {r.idle_cpu_percent:.2f} % of a core over {r.idle_seconds:.0f} s; "
        f"freshness medians {fresh}; all: {', '.join(f'{f.all:.2f}' for f in r.fresh)} s"
    )
