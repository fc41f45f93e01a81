"""Requests per second and latency of a cached feed under gunicorn, beside its two bounds.

    python bench/serve.py [--posts N] [--duration S] [--runs R] [--connections C] [--json PATH]

Measures, with wrk (2 threads, no Accept-Encoding), a 200 and a 304 (If-None-Match with the
ETag) of the site's ``/feed.atom`` and a 200 of its busiest category's Atom feed, from:

* ``feeds serve`` with 2 workers under each ``[server] engine`` (``--engines``), the feeds warm
  in its cache;
* nginx sending the exported file of the same URL (gzip off, ETag on, 2 workers), the ceiling
  for any server; also once without keep-alive, which gunicorn's sync workers never do;
* the guide's setup (docs/deploy.md): Debian's nginx with exactly deploy/nginx.conf (only its
  ports and folders replaced, as tests/test_deploy.py does) in front of ``feeds serve`` under
  the default engine, inside the http block of Debian's own nginx.conf settings;
* a bare Flask app under the same gunicorn settings that sends the same bytes and headers from
  memory and answers 304 from a precomputed ETag: the ceiling for Python.

The site is the sample in ``tests/fixtures/finews`` unless ``--posts N`` asks for a generated
corpus (bench/corpus.py). Its config, index and export live under $FEEDS_BENCH_DIR (default
/tmp/feeds-bench), outside the repository, and are reused; the export is redone only when its
files differ from what the service sends. wrk and nginx are Debian's; when missing they are
installed with apt-get (as root). Every server listens on 127.0.0.1 on a free port and is
stopped, with its whole process group, however the run ends. Figures are medians over the runs.
"""

from __future__ import annotations

import argparse
import grp
import http.client
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO
from urllib.parse import unquote

from feeds import config as config_mod
from feeds.documents import Documents
from feeds.model import Scope, ScopeKind
from feeds.urls import feed_href

try:
    from . import timed  # type: ignore[import-not-found]
    from .corpus import BENCH_DIR, REPO, corpus  # type: ignore[import-not-found]
except ImportError:
    import timed  # type: ignore[import-not-found,no-redef,unused-ignore]
    from corpus import BENCH_DIR, REPO, corpus  # type: ignore[import-not-found,no-redef,unused-ignore]

sys.path.insert(0, str(REPO))  # for tests.test_deploy, which templates deploy/nginx.conf
from tests.test_deploy import guide_config

BIN = Path(sys.executable).parent
FIXTURE = REPO / "tests" / "fixtures" / "finews"
THREADS = 2
WORKERS = 2
WARMUP_SECONDS = 2

CONFIG = """\
# Written by bench/serve.py; rewritten on every run.
[site]
title = "金融消息"
url = "https://finews.withounder.com"
description = "金融消息: news from finews.withounder.com"
lang = "zh-CN"
timezone = "Asia/Shanghai"
author = "ZNing"
source = {source}

[feeds]
limit = 50

[index]
path = "index.sqlite3"

[cache]
dir = "cache"
"""

#: Both nginx instances: ``{name}`` keeps their pid, log and temp folders apart in the run folder.
NGINX_MAIN = """\
{user}
worker_processes {workers};
daemon off;
pid {run}/{name}.pid;
error_log {run}/{name}-error.log warn;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {run}/{name}-body;
    proxy_temp_path {run}/{name}-proxy;
    fastcgi_temp_path {run}/{name}-fastcgi;
    uwsgi_temp_path {run}/{name}-uwsgi;
    scgi_temp_path {run}/{name}-scgi;
{http}}}
"""

#: nginx serving the export.
NGINX_STATIC = """\
    types {{ application/atom+xml atom; application/rss+xml rss; application/feed+json json; }}
    default_type application/octet-stream;
    charset utf-8;
    charset_types application/atom+xml application/rss+xml application/feed+json;
    etag on;
    gzip off;
    sendfile on;
    server {{
        listen 127.0.0.1:{port};
        root {root};
    }}
    server {{
        listen 127.0.0.1:{port_close};
        root {root};
        keepalive_timeout 0;
    }}
"""

#: The guide's setup: Debian's /etc/nginx/nginx.conf as it matters here (sendfile, tcp_nopush,
#: gzip on, its mime types), conf.d replaced by the templated deploy/nginx.conf.
GUIDE_HTTP = """\
    sendfile on;
    tcp_nopush on;
    types_hash_max_size 2048;
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    gzip on;
    include {conf};
"""

BARE_APP = '''\
"""The ceiling for Python: the service's bytes and headers from memory, and nothing else."""
import json
import os

from flask import Flask, Response, request

with open(os.environ["BENCH_RESPONSES"], encoding="utf-8") as f:
    SPEC = json.load(f)
RESPONSES = {}
for path, r in SPEC.items():
    with open(r["body"], "rb") as f:
        RESPONSES[path] = (f.read(), r["headers"], r["not_modified_headers"], r["headers"]["ETag"])

app = Flask("bare")


@app.get("/<path:path>")
def serve(path):
    body, headers, not_modified_headers, etag = RESPONSES["/" + path]
    if request.headers.get("If-None-Match") == etag:
        return Response(status=304, headers=not_modified_headers)
    return Response(body, status=200, headers=headers)
'''

# wrk's own summary rounds; this prints exact microseconds in one parseable line.
WRK_DONE = """\
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "BENCH requests=%.0f duration_us=%.0f p50_us=%.0f p99_us=%.0f " ..
    "connect=%.0f read=%.0f write=%.0f status=%.0f timeout=%.0f\\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect, e.read, e.write, e.status, e.timeout))
end
"""

#: Response headers the server adds on its own, not copied into the bare app.
_SERVER_HEADERS = {"date", "server", "connection", "content-length", "transfer-encoding"}


@dataclass(frozen=True, slots=True)
class Target:
    """One measurement: a server, a URL and its request headers."""

    name: str
    #: Which nginx and bare-Flask rows this row is compared with.
    kind: str
    server: str
    port: int
    path: str
    headers: tuple[tuple[str, str], ...] = ()
    expect: int = 200

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}{self.path}"


@dataclass(frozen=True, slots=True)
class Result:
    """One wrk run."""

    rps: float
    p50_ms: float
    p99_ms: float
    errors: int


# -- tools and processes --------------------------------------------------------------------------


def ensure_tools() -> tuple[str, str]:
    """wrk and nginx, installed from Debian's packages when missing and we are root."""

    def find() -> dict[str, str | None]:
        nginx = shutil.which("nginx") or next(
            (p for p in ("/usr/sbin/nginx",) if os.access(p, os.X_OK)), None
        )
        return {"wrk": shutil.which("wrk"), "nginx": nginx}

    found = find()
    missing = [name for name, path in found.items() if path is None]
    if missing:
        if os.geteuid() != 0:
            sys.exit(
                f"serve.py: {' and '.join(missing)} missing; as root: "
                f"apt-get update && apt-get install -y {' '.join(missing)}"
            )
        for argv in (["apt-get", "update", "-q"], ["apt-get", "install", "-y", "-q", *missing]):
            print(f"{' and '.join(missing)} missing: running {' '.join(argv)}", flush=True)
            subprocess.run(
                argv, check=True, env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
            )
        found = find()
    wrk, nginx = found["wrk"], found["nginx"]
    if wrk is None or nginx is None:
        sys.exit("serve.py: wrk or nginx still missing after apt-get install")
    return wrk, nginx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


class Processes:
    """Servers started in their own process groups, all stopped by :meth:`stop`."""

    def __init__(self, run: Path) -> None:
        self.run = run
        self.started: list[tuple[str, subprocess.Popen[bytes], Path, IO[bytes]]] = []

    def start(
        self,
        name: str,
        argv: list[str],
        *,
        cwd: Path | None = None,
        env: dict[str, str] | None = None,
    ) -> subprocess.Popen[bytes]:
        log = self.run / f"{name}.log"
        out = open(log, "wb")  # noqa: SIM115 - closed by stop()
        proc = timed.spawn(argv, out, cwd=cwd, env=env)
        self.started.append((name, proc, log, out))
        return proc

    def wait_ready(
        self, proc: subprocess.Popen[bytes], port: int, path: str, timeout: float
    ) -> None:
        """Until the server answers ``path``; exits with its log's end if it died."""
        name, _, log, _ = next(s for s in self.started if s[1] is proc)
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                tail = log.read_text(errors="replace")[-3000:]
                sys.exit(
                    f"serve.py: {name} exited with status {proc.returncode}; end of {log}:\n{tail}"
                )
            try:
                get(port, path)
                return
            except OSError:
                if time.monotonic() > deadline:
                    sys.exit(
                        f"serve.py: {name} did not answer on port {port} in {timeout:.0f} s; see {log}"
                    )
                time.sleep(0.1)

    def stop(self) -> None:
        """TERM each process group, then KILL what is left after 10 s."""
        for _, proc, _, _ in reversed(self.started):
            _signal_group(proc, signal.SIGTERM)
        deadline = time.monotonic() + 10
        for _, proc, _, out in reversed(self.started):
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                pass
            _signal_group(proc, signal.SIGKILL)  # stragglers of the group, even if the leader left
            proc.wait()
            out.close()
        self.started.clear()


def _signal_group(proc: subprocess.Popen[bytes], sig: signal.Signals) -> None:
    try:
        os.killpg(proc.pid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def get(
    port: int, path: str, headers: tuple[tuple[str, str], ...] = ()
) -> tuple[int, dict[str, str], bytes]:
    """One GET without Accept-Encoding, as wrk sends it: status, headers, body."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.putrequest("GET", path, skip_accept_encoding=True)
        for k, v in headers:
            conn.putheader(k, v)
        conn.endheaders()
        r = conn.getresponse()
        return r.status, dict(r.getheaders()), r.read()
    finally:
        conn.close()


# -- the site ---------------------------------------------------------------------------------------


def site(posts: int | None) -> tuple[Path, Path]:
    """The config file and the export folder of the site measured, under BENCH_DIR."""
    source = corpus(posts) if posts else FIXTURE
    work = BENCH_DIR / (f"serve-posts-{posts}" if posts else "serve-finews")
    work.mkdir(parents=True, exist_ok=True)
    config = work / "config.toml"
    config.write_text(
        CONFIG.format(source=json.dumps(str(source), ensure_ascii=False)), encoding="utf-8"
    )
    return config, work / "export"


def busiest_category(config: Path) -> tuple[Scope, int]:
    """The category with the most posts (the service has already brought the index up to date)."""
    documents = Documents.from_config(config_mod.load(config))
    try:
        scopes = documents.index.scopes(datetime.now(UTC))
    finally:
        documents.index.close()
    categories = [(s, n) for s, n in scopes if s.kind is ScopeKind.CATEGORY]
    if not categories:
        sys.exit(f"serve.py: the site of {config} has no category")
    return max(categories, key=lambda sn: (sn[1], sn[0].slug))


def ensure_export(config: Path, out: Path, expected: dict[str, bytes]) -> None:
    """Export unless every file of ``expected`` (URL path → bytes) already holds those bytes."""

    def stale() -> list[str]:
        return [
            p
            for p, body in expected.items()
            if not (out / unquote(p).lstrip("/")).is_file()
            or (out / unquote(p).lstrip("/")).read_bytes() != body
        ]

    if not stale():
        print(f"export: reusing {out} (its files equal the service's bytes)")
        return
    argv = [str(BIN / "feeds"), "--config", str(config), "export", str(out)]
    print(f"export: running {' '.join(argv)}", flush=True)
    subprocess.run(argv, check=True)
    if left := stale():
        print(f"note: the export differs from what the service sends for {', '.join(left)}")


# -- wrk ----------------------------------------------------------------------------------------------


def wrk(binary: str, script: Path, target: Target, seconds: float, connections: int) -> Result:
    argv = [
        binary,
        f"-t{THREADS}",
        f"-c{connections}",
        f"-d{seconds:g}s",
        "--latency",
        "-s",
        str(script),
    ]
    for name, value in target.headers:
        argv += ["-H", f"{name}: {value}"]
    out = subprocess.run([*argv, target.url], check=True, capture_output=True, text=True).stdout
    line = next((ln for ln in out.splitlines() if ln.startswith("BENCH ")), None)
    if line is None:
        sys.exit(f"serve.py: no BENCH line from wrk for {target.name}:\n{out}")
    v = {k: float(x) for k, x in (f.split("=") for f in line.split()[1:])}
    errors = int(sum(v[k] for k in ("connect", "read", "write", "status", "timeout")))
    return Result(
        v["requests"] / (v["duration_us"] / 1e6), v["p50_us"] / 1000, v["p99_us"] / 1000, errors
    )


def check(target: Target, body: bytes | None) -> dict[str, str]:
    """The target answers with the status it is meant to, and a 200 with ``body``'s bytes."""
    status, headers, got = get(target.port, target.path, target.headers)
    if status != target.expect:
        sys.exit(f"serve.py: {target.name}: status {status}, expected {target.expect}")
    if body is not None and target.expect == 200 and got != body:
        print(f"note: {target.name} sends other bytes ({len(got)}) than the service ({len(body)})")
    return headers


# -- main -------------------------------------------------------------------------------------------


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument(
        "--posts",
        type=int,
        default=0,
        help="a generated corpus of N posts (default: tests/fixtures/finews)",
    )
    ap.add_argument("--duration", type=float, default=10, help="seconds per wrk run (default 10)")
    ap.add_argument(
        "--runs", type=int, default=3, help="runs per measurement; medians are shown (default 3)"
    )
    ap.add_argument("--connections", type=int, default=16, help="wrk connections (default 16)")
    ap.add_argument(
        "--engines",
        default="sync,gthread,granian",
        help="[server] engines to measure, comma-separated (default sync,gthread,granian)",
    )
    ap.add_argument(
        "--json", metavar="PATH", help="also write the medians to PATH as JSON (for bench/run)"
    )
    args = ap.parse_args()
    args.engines = args.engines.split(",")

    wrk_bin, nginx_bin = ensure_tools()
    config, export_dir = site(args.posts or None)
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    run = Path(tempfile.mkdtemp(prefix="serve-run-", dir=BENCH_DIR))
    run.chmod(0o755)  # nginx's workers run as nobody when we are root
    procs = Processes(run)
    ok = False
    try:
        ok = measure(args, wrk_bin, nginx_bin, config, export_dir, run, procs)
    finally:
        procs.stop()
        if ok:
            shutil.rmtree(run, ignore_errors=True)
        else:
            print(f"serve.py: logs kept in {run}", file=sys.stderr)


def measure(
    args: argparse.Namespace,
    wrk_bin: str,
    nginx_bin: str,
    config: Path,
    export_dir: Path,
    run: Path,
    procs: Processes,
) -> bool:
    ports: dict[str, int] = {}
    for engine in args.engines:
        ports[engine] = port = free_port()
        print(
            f"feeds: starting {BIN / 'feeds'} serve --engine {engine} on 127.0.0.1:{port} ({WORKERS} workers)",
            flush=True,
        )
        proc = procs.start(
            f"feeds-{engine}",
            timed.serve_argv(config, port, WORKERS, "--engine", engine),
        )
        procs.wait_ready(proc, port, "/feeds.opml", timeout=3600)
    feeds_port = ports[args.engines[0]]
    default_engine = config_mod.load(config).server.engine
    if default_engine not in ports:
        sys.exit(
            f"serve.py: the guide's setup runs the default engine, {default_engine}: measure it too"
        )

    category, count = busiest_category(config)
    paths = {"site": "/feed.atom", "category": "/" + feed_href(category, "atom")}
    bodies: dict[str, bytes] = {}
    responses: dict[str, dict[str, object]] = {}
    for kind, path in paths.items():
        status, headers, body = get(feeds_port, path)
        if status != 200:
            sys.exit(f"serve.py: feeds answered {status} for {path}")
        status, nm_headers, _ = get(feeds_port, path, (("If-None-Match", headers["ETag"]),))
        if status != 304:
            sys.exit(f"serve.py: feeds answered {status}, not 304, for {path} with its ETag")
        bodies[path] = body
        body_file = run / f"{kind}.body"
        body_file.write_bytes(body)
        responses[unquote(path)] = {
            "body": str(body_file),
            "headers": {k: v for k, v in headers.items() if k.lower() not in _SERVER_HEADERS},
            "not_modified_headers": {
                k: v for k, v in nm_headers.items() if k.lower() not in _SERVER_HEADERS
            },
        }
    site_etag = str(responses[paths["site"]]["headers"]["ETag"])  # type: ignore[index]
    ensure_export(config, export_dir, bodies)

    nginx_port, nginx_close_port = free_port(), free_port()
    user = ""
    if os.geteuid() == 0:
        group = "nogroup" if _group_exists("nogroup") else "nobody"
        user = f"user nobody {group};"
    conf = run / "nginx.conf"
    static = NGINX_STATIC.format(
        port=nginx_port, port_close=nginx_close_port, root=export_dir.resolve()
    )
    conf.write_text(
        NGINX_MAIN.format(user=user, workers=WORKERS, run=run, name="nginx", http=static)
    )
    print(
        f"nginx: starting {nginx_bin} on 127.0.0.1:{nginx_port} (and :{nginx_close_port} without "
        f"keep-alive), root {export_dir}",
        flush=True,
    )
    nginx = procs.start(
        "nginx", [nginx_bin, "-p", str(run), "-e", str(run / "nginx-error.log"), "-c", str(conf)]
    )
    procs.wait_ready(nginx, nginx_port, paths["site"], timeout=30)
    _, nginx_headers, _ = get(nginx_port, paths["site"])
    nginx_etag = nginx_headers["ETag"]

    guide_port = free_port()
    guide_site = run / "guide-site"
    guide_site.mkdir()
    (run / "guide-feeds.conf").write_text(
        guide_config(run, guide_port, ports[default_engine], guide_site), encoding="utf-8"
    )
    guide_conf = run / "guide.conf"
    guide_conf.write_text(
        NGINX_MAIN.format(
            user=user,
            workers=WORKERS,
            run=run,
            name="guide",
            http=GUIDE_HTTP.format(conf=run / "guide-feeds.conf"),
        )
    )
    print(
        f"guide: starting {nginx_bin} with deploy/nginx.conf on 127.0.0.1:{guide_port} in front of "
        f"feeds serve --engine {default_engine}",
        flush=True,
    )
    guide = procs.start(
        "guide",
        [nginx_bin, "-p", str(run), "-e", str(run / "guide-error.log"), "-c", str(guide_conf)],
    )
    procs.wait_ready(guide, guide_port, paths["site"], timeout=30)

    bare_port = free_port()
    (run / "bare_app.py").write_text(BARE_APP)
    (run / "responses.json").write_text(json.dumps(responses, ensure_ascii=False))
    gunicorn_argv = [
        str(BIN / "gunicorn"),
        "--bind",
        f"127.0.0.1:{bare_port}",
        "--workers",
        str(WORKERS),
        "--worker-class",
        "sync",
        "--name",
        "feeds-bare",
        "--error-logfile",
        "-",
        "--log-level",
        "info",
        "--timeout",
        "60",
        "--chdir",
        str(run),
        "bare_app:app",
    ]
    print(f"bare Flask: starting {' '.join(gunicorn_argv)}", flush=True)
    bare = procs.start(
        "bare", gunicorn_argv, env={**os.environ, "BENCH_RESPONSES": str(run / "responses.json")}
    )
    procs.wait_ready(bare, bare_port, paths["site"], timeout=60)

    site_p, cat_p = paths["site"], paths["category"]
    targets = [
        t
        for engine, port in ports.items()
        for t in (
            Target(f"feeds {engine} 200 {site_p}", "200 site", f"feeds-{engine}", port, site_p),
            Target(f"feeds {engine} 200 {cat_p}", "200 category", f"feeds-{engine}", port, cat_p),
            Target(
                f"feeds {engine} 304 {site_p}",
                "304 site",
                f"feeds-{engine}",
                port,
                site_p,
                (("If-None-Match", site_etag),),
                304,
            ),
        )
    ] + [
        Target(f"nginx 200 {site_p}", "200 site", "nginx", nginx_port, site_p),
        Target(
            f"nginx 200 {site_p} no keep-alive", "200 site", "nginx-close", nginx_close_port, site_p
        ),
        Target(f"nginx 200 {cat_p}", "200 category", "nginx", nginx_port, cat_p),
        Target(
            f"nginx 304 {site_p}",
            "304 site",
            "nginx",
            nginx_port,
            site_p,
            (("If-None-Match", nginx_etag),),
            304,
        ),
        Target(
            f"guide nginx+{default_engine} 200 {site_p}", "200 site", "guide", guide_port, site_p
        ),
        Target(
            f"guide nginx+{default_engine} 200 {cat_p}", "200 category", "guide", guide_port, cat_p
        ),
        Target(
            f"guide nginx+{default_engine} 304 {site_p}",
            "304 site",
            "guide",
            guide_port,
            site_p,
            (("If-None-Match", site_etag),),
            304,
        ),
        Target(f"bare Flask 200 {site_p}", "200 site", "bare", bare_port, site_p),
        Target(f"bare Flask 200 {cat_p}", "200 category", "bare", bare_port, cat_p),
        Target(
            f"bare Flask 304 {site_p}",
            "304 site",
            "bare",
            bare_port,
            site_p,
            (("If-None-Match", site_etag),),
            304,
        ),
    ]
    for t in targets:
        check(t, bodies[t.path] if t.expect == 200 else None)

    script = run / "done.lua"
    script.write_text(WRK_DONE)
    load_before = os.getloadavg()[0]
    print(f"warming up ({WARMUP_SECONDS} s per measurement) ...", flush=True)
    for t in targets:
        wrk(wrk_bin, script, t, WARMUP_SECONDS, args.connections)
    results: dict[str, list[Result]] = {t.name: [] for t in targets}
    for i in range(args.runs):
        print(f"run {i + 1} of {args.runs} ({len(targets)} × {args.duration:g} s) ...", flush=True)
        for t in targets:
            results[t.name].append(wrk(wrk_bin, script, t, args.duration, args.connections))

    report(args, targets, results, bodies, paths, category, count, config, load_before)
    return True


def _group_exists(name: str) -> bool:
    try:
        grp.getgrnam(name)
        return True
    except KeyError:
        return False


def report(
    args: argparse.Namespace,
    targets: list[Target],
    results: dict[str, list[Result]],
    bodies: dict[str, bytes],
    paths: dict[str, str],
    category: Scope,
    count: int,
    config: Path,
    load: float,
) -> None:
    medians = {
        name: (
            statistics.median(r.rps for r in rs),
            statistics.median(r.p50_ms for r in rs),
            statistics.median(r.p99_ms for r in rs),
        )
        for name, rs in results.items()
    }
    by = {(t.server, t.kind): medians[t.name][0] for t in targets}
    site_body, cat_body = bodies[paths["site"]], bodies[paths["category"]]
    print()
    print(
        f"site: {config.parent.name} ({config}); {paths['site']}: {site_body.count(b'<entry>')} entries, "
        f"{len(site_body):,} bytes; {paths['category']} ({category.name}, {count} posts): "
        f"{cat_body.count(b'<entry>')} entries, {len(cat_body):,} bytes"
    )
    print(
        f"load: wrk -t{THREADS} -c{args.connections} -d{args.duration:g}s, no Accept-Encoding; median of "
        f"{args.runs} runs. wrk and the servers share this machine's {os.cpu_count()} cores "
        f"(1-min load average before the runs: {load:.1f}; spread = (max - min) / median req/s)."
    )
    print(
        f"servers: feeds serve with {WORKERS} workers per engine (sync: one request per connection, no "
        f"keep-alive; gthread: gunicorn threads with keep-alive; granian: WSGI, keep-alive); "
        f"nginx {WORKERS} workers, sendfile, gzip off, keep-alive unless noted; guide: deploy/nginx.conf "
        f"({WORKERS} nginx workers, micro-cache revalidating every max-age) in front of feeds serve"
    )
    print()
    width = max(len(t.name) for t in targets) + 2
    print(
        f"{'measurement':<{width}}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'÷nginx':>9}{'÷Flask':>9}{'spread':>8}"
    )
    for t in targets:
        rps, p50, p99 = medians[t.name]
        nginx_rps, bare_rps = by.get(("nginx", t.kind)), by.get(("bare", t.kind))
        ratio_nginx = f"{rps / nginx_rps:.2f}" if nginx_rps else "-"
        ratio_bare = f"{rps / bare_rps:.2f}" if bare_rps else "-"
        runs = [r.rps for r in results[t.name]]
        spread = (max(runs) - min(runs)) / rps if rps else 0
        print(
            f"{t.name:<{width}}{rps:>9,.0f}{p50:>9.2f}{p99:>9.2f}{ratio_nginx:>9}{ratio_bare:>9}{spread:>8.0%}"
        )
    if args.json:
        Path(args.json).write_text(
            json.dumps(
                {
                    "load": load,
                    "site_bytes": len(site_body),
                    "category_bytes": len(cat_body),
                    "category": category.name,
                    "rows": [
                        {
                            "name": t.name,
                            "server": t.server,
                            "kind": t.kind,
                            "rps": medians[t.name][0],
                            "p50_ms": medians[t.name][1],
                            "p99_ms": medians[t.name][2],
                            "errors": sum(r.errors for r in results[t.name]),
                        }
                        for t in targets
                    ],
                },
                ensure_ascii=False,
                indent=1,
            ),
            encoding="utf-8",
        )
    errors = {t.name: sum(r.errors for r in results[t.name]) for t in targets}
    for name, n in errors.items():
        if n:
            print(
                f"note: {name}: {n} wrk errors (connect/read/write/timeout or non-2xx/3xx) over the runs"
            )


if __name__ == "__main__":
    main()
