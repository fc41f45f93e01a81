"""The production setup of docs/deploy.md, run: Debian's nginx with exactly deploy/nginx.conf
(only its ports and paths replaced) in front of the real ``feeds serve``.

Checks what a reader behind it sees: the service's bytes, ETags and headers, 304s, gzip passed
through, jekyll-feed's paths, the static site beside the feeds, and a new post within
``refresh_seconds`` plus the micro-cache time (the service's max-age).
"""

from __future__ import annotations

import gzip
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import FINEWS, REPO
from tests.server_fixture import Server, free_port, site_config, stop_process, wait_until

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
REFRESH_SECONDS = 1.0
#: The service's max-age: refresh_seconds rounded up.
MAX_AGE = 1
#: What a change waits before it is read: the settle time, then the end of its second.
SETTLE_AND_SECOND = 1.5
MARKER = "部署测试新文"

MAIN = """\
user root;
worker_processes 1;
daemon off;
pid {run}/nginx.pid;
error_log {run}/error.log warn;
events {{ worker_connections 256; }}
http {{
    access_log off;
    client_body_temp_path {run}/body;
    proxy_temp_path {run}/proxy;
    fastcgi_temp_path {run}/fastcgi;
    uwsgi_temp_path {run}/uwsgi;
    scgi_temp_path {run}/scgi;
    include {run}/feeds.conf;
}}
"""


def guide_config(run: Path, port: int, service: int, site: Path) -> str:
    """deploy/nginx.conf with its port, upstream and folders replaced, and nothing else."""
    text = (REPO / "deploy" / "nginx.conf").read_text(encoding="utf-8")
    for old, new in (
        ("listen 80;", f"listen 127.0.0.1:{port};"),
        ("server 127.0.0.1:8000;", f"server 127.0.0.1:{service};"),
        ("/var/cache/nginx/feeds", str(run / "cache")),
        ("/var/www/site/_site", str(site)),
    ):
        assert text.count(old) == 1, f"deploy/nginx.conf no longer holds {old!r} once"
        text = text.replace(old, new)
    return text


class Nginx:
    def __init__(self, run: Path, port: int) -> None:
        self.port = port
        self.proc = subprocess.Popen(
            [NGINX, "-p", str(run), "-e", str(run / "error.log"), "-c", str(run / "main.conf")],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.log = run / "error.log"

    def stop(self) -> None:
        stop_process(self.proc)


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, Server, Path]]:
    """(the service, a Server object that talks to nginx, the served source)."""
    if not Path(NGINX).exists():
        pytest.skip("nginx is not installed (Debian package nginx)")
    tmp = tmp_path_factory.mktemp("deploy")
    source = tmp / "finews"
    shutil.copytree(FINEWS, source)
    site = tmp / "_site"
    site.mkdir()
    (site / "index.html").write_text("<!doctype html><title>站点</title>\n", encoding="utf-8")
    home = tmp / "home"
    home.mkdir()
    service_port, nginx_port = free_port(), free_port()
    config = site_config(
        tmp, source, service_port, f"[cache]\nrefresh_seconds = {REFRESH_SECONDS}\n"
    )
    service = Server(config, service_port, tmp / "serve.log", home)
    nginx = None
    try:
        service.wait_ready()
        run = tmp / "nginx"
        run.mkdir()
        (run / "feeds.conf").write_text(
            guide_config(run, nginx_port, service_port, site), encoding="utf-8"
        )
        (run / "main.conf").write_text(MAIN.format(run=run), encoding="utf-8")
        nginx = Nginx(run, nginx_port)
        front = Server.__new__(Server)  # only its request helpers, pointed at nginx
        front.port = nginx_port

        def up() -> bool:
            if nginx.proc.poll() is not None:
                raise AssertionError(f"nginx exited:\n{nginx.log.read_text(errors='replace')}")
            try:
                return front.get("/index.html").status == 200
            except OSError:
                return False

        wait_until(up, time.monotonic(), 10, "nginx answering")
        yield service, front, source
    finally:
        if nginx is not None:
            nginx.stop()
        service.stop()


def test_the_service_bytes_and_headers_come_through(stack: tuple[Server, Server, Path]) -> None:
    service, front, _ = stack
    direct = service.get("/feed.atom")
    first, second = front.get("/feed.atom"), front.get("/feed.atom")
    assert first.body == direct.body and second.body == direct.body
    for r in (first, second):
        assert r.headers["etag"] == direct.headers["etag"]
        assert r.headers["content-type"] == "application/atom+xml; charset=utf-8"
        assert (
            r.headers["cache-control"] == f"public, max-age={MAX_AGE}"
            and r.headers["vary"] == "Accept-Encoding"
        )
        assert r.headers["last-modified"] == direct.headers["last-modified"]
    assert second.headers["x-cache-status"] in ("HIT", "UPDATING", "REVALIDATED"), second.headers


def test_304_and_gzip_pass_through(stack: tuple[Server, Server, Path]) -> None:
    service, front, _ = stack
    plain = front.get("/feed.rss")
    assert front.get("/feed.rss", {"If-None-Match": plain.headers["etag"]}).status == 304
    zipped = front.get("/feed.rss", {"Accept-Encoding": "gzip"})
    assert (
        zipped.headers["content-encoding"] == "gzip"
        and zipped.headers["etag"] == plain.headers["etag"][:-1] + '-gz"'
    )
    assert gzip.decompress(zipped.body) == plain.body
    assert zipped.body == service.get("/feed.rss", {"Accept-Encoding": "gzip"}).body, (
        "not compressed again"
    )
    assert (
        front.get(
            "/feed.rss", {"Accept-Encoding": "gzip", "If-None-Match": zipped.headers["etag"]}
        ).status
        == 304
    )


def test_jekyll_feed_paths_go_to_the_service_and_the_rest_is_the_site(
    stack: tuple[Server, Server, Path],
) -> None:
    service, front, _ = stack
    for path in (
        "/feed.xml",
        "/feed/emnews.xml",
        "/feeds.opml",
        "/feed.json",
        "/category/emnews.atom",
    ):
        r = front.get(path)
        assert r.status == 200 and r.body == service.get(path).body, path
    assert "站点" in front.get("/").body.decode("utf-8")
    assert front.get("/no-such-feed.xml").status == 404


def test_a_new_post_shows_within_refresh_seconds_and_the_micro_cache_time(
    stack: tuple[Server, Server, Path],
) -> None:
    _, front, source = stack
    assert MARKER.encode() not in front.get("/feed.atom").body
    (source / "_posts" / "2026-02-01-deploy.md").write_text(
        f"---\ntitle: {MARKER}\ndate: 2026-02-01 08:00:00 +0800\n---\n正文\n", encoding="utf-8"
    )
    written = time.monotonic()
    # refresh_seconds, the settle time and the end of the second the file is dated in (a change
    # waits for both: README, "URLs and HTTP"), one max-age at most in nginx's cache, and a
    # second for a loaded machine
    wait_until(
        lambda: MARKER.encode() in front.get("/feed.atom").body,
        written,
        REFRESH_SECONDS + SETTLE_AND_SECOND + MAX_AGE + 1.0,
        "the new post through nginx",
    )
