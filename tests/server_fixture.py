"""The real service for tests: ``feeds serve`` under gunicorn on a free port, and ways to talk to it.

``Server`` starts the command a user would type, as a subprocess in its own session, and always
stops it (SIGTERM, then SIGKILL). Requests go over fresh connections with ``Connection: close``,
through ``http.client``; ``raw()`` reads the bytes off the socket where ``http.client`` would hide
a body that must not be there (HEAD, 304).

Which worker answers a request is up to the kernel, so ``on_each_worker()`` decides it: a sync
worker that has accepted a connection whose request is still incomplete can serve nothing else,
so while one worker is held that way every request goes to the other. Who holds a connection is
seen in ``/proc/<pid>/fd`` (Linux only): the worker with a socket the master lacks.

``site_config()`` writes the config of a site to serve, ``exchange()`` sends bytes that need not
be a valid request at all, and ``Server.rss()`` reads each worker's resident memory.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

FEEDS = Path(sys.executable).parent / "feeds"
#: The ``[server] engine`` served: ``FEEDS_TEST_ENGINE`` (read at import), else ``sync``. The
#: helpers that pick a worker (``hold``, ``on_each_worker``) need ``sync``'s one connection per
#: worker; under another engine ``on_each_worker`` asks every worker's share of many requests.
ENGINE = os.environ.get("FEEDS_TEST_ENGINE", "sync")
#: A worker's start line: gunicorn's or granian's.
BOOTED = re.compile(r"(?:Booting worker with pid:|Spawning worker-\d+ with PID:) (\d+)")


def site_config(folder: Path, site: Path, port: int, extra: str = "") -> Path:
    """Write ``folder/config.toml`` serving ``site`` (finews's settings) on ``port``, its index
    in ``folder``; ``extra`` is TOML appended as it is (say a ``[cache]`` table)."""
    config = folder / "config.toml"
    config.write_text(
        "[site]\n"
        'url = "https://finews.withounder.com"\n'
        f"source = {json.dumps(str(site), ensure_ascii=False)}\n"
        'timezone = "Asia/Shanghai"\n'
        'lang = "zh-CN"\n'
        'title = "金融消息"\n'
        "[index]\n"
        f"path = {json.dumps(str(folder / 'index.sqlite3'), ensure_ascii=False)}\n"
        "[server]\n"
        f"port = {port}\n" + extra,
        encoding="utf-8",
    )
    return config


def stop_process(proc: subprocess.Popen[bytes], *, group: bool = False) -> None:
    """SIGTERM ``proc`` (its whole process group with ``group``), SIGKILL after 10 s, and reap
    it: the servers the tests start (redis-server, nginx, chromium) all stop this way."""
    if proc.poll() is not None:
        return
    if group:
        os.killpg(proc.pid, signal.SIGTERM)
    else:
        proc.terminate()
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        if group:
            os.killpg(proc.pid, signal.SIGKILL)
        else:
            proc.kill()
        proc.wait(5)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass(frozen=True)
class Reply:
    status: int
    #: Header names in lower case.
    headers: Mapping[str, str]
    body: bytes


def wait_until(
    check: Callable[[], bool], since: float, seconds: float, what: str, every: float = 0.05
) -> float:
    """Poll ``check`` until it holds; the seconds from ``since`` (a monotonic time) until it did."""
    deadline = since + seconds
    while True:
        if check():
            return time.monotonic() - since
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not within {seconds} s")
        time.sleep(every)


@contextmanager
def running(config: Path, port: int) -> Iterator[Server]:
    """``feeds serve`` of ``config`` on ``port``, ready; its log and home beside the config.
    Stopped after, when no traceback may be in its log."""
    home = config.parent / "home"
    home.mkdir()
    s = Server(config, port, config.parent / "serve.log", home)
    try:
        s.wait_ready()
        yield s
    finally:
        s.stop()
    assert "Traceback" not in s.log_text(), s.log_text()


class Held:
    """A connection with half a request on it: the worker that accepted it waits for the rest."""

    def __init__(self, sock: socket.socket, pid: int) -> None:
        self.sock = sock
        self.pid = pid

    def release(self) -> int:
        """Finish the request; the worker answers and is free again. Returns the status."""
        self.sock.sendall(b"\r\n")
        data = _read_all(self.sock)
        self.sock.close()
        return int(data.split(b" ", 2)[1])

    def close(self) -> None:
        self.sock.close()


class Server:
    """``feeds --config <config> serve --workers 2 --port <port>`` as a subprocess."""

    def __init__(self, config: Path, port: int, log: Path, home: Path) -> None:
        self.config = config
        self.port = port
        self.log = log
        env = {k: v for k, v in os.environ.items() if not k.startswith("FEEDS_")}
        # gunicorn puts a control socket under $XDG_RUNTIME_DIR or ~/.gunicorn: keep ours apart
        env.pop("XDG_RUNTIME_DIR", None)
        env["HOME"] = str(home)
        with open(log, "wb") as err:
            self.proc = subprocess.Popen(
                [
                    str(FEEDS),
                    "--config",
                    str(config),
                    "serve",
                    "--workers",
                    "2",
                    "--port",
                    str(port),
                    "--engine",
                    ENGINE,
                ],
                stdin=subprocess.DEVNULL,
                stdout=err,
                stderr=subprocess.STDOUT,
                env=env,
                cwd=config.parent,
                start_new_session=True,
            )
        self.seen_pids: set[int] = set()

    # -- life -------------------------------------------------------------------------------

    def wait_ready(self, seconds: float = 20.0) -> None:
        """Until both workers have booted and each answers."""
        start = time.monotonic()

        def up() -> bool:
            if self.proc.poll() is not None:
                raise AssertionError(
                    f"feeds serve exited with {self.proc.returncode}:\n{self.log_text()}"
                )
            if len(self.workers()) < 2:
                return False
            try:
                return self.get("/").status == 200
            except OSError:
                return False

        wait_until(
            up,
            start,
            seconds,
            f"feeds serve answering on port {self.port}\n{self.log_text()}",
            every=0.1,
        )
        left = max(1.0, seconds - (time.monotonic() - start))
        statuses = self.on_each_worker(lambda: self.get("/").status, seconds=left)
        assert set(statuses.values()) == {200}, statuses

    def stop(self) -> None:
        """SIGTERM, SIGKILL to the whole session after 10 s; then no worker may be left."""
        self.seen_pids |= set(self.workers())
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(5)
                raise AssertionError(
                    f"feeds serve ignored SIGTERM for 10 s:\n{self.log_text()}"
                ) from None
        deadline = time.monotonic() + 5
        while (alive := [p for p in self.seen_pids if _alive(p)]) and time.monotonic() < deadline:
            time.sleep(0.05)
        if alive:
            for pid in alive:
                os.kill(pid, signal.SIGKILL)
            raise AssertionError(f"workers {alive} outlived their master:\n{self.log_text()}")

    # -- what it says -----------------------------------------------------------------------

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")

    def booted(self) -> list[int]:
        """Worker pids in gunicorn's "Booting worker" lines, in order."""
        return [int(p) for p in BOOTED.findall(self.log_text())]

    def workers(self) -> list[int]:
        """The master's live child processes."""
        pids = []
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                stat = _stat(int(entry))
                if stat is not None and stat[1] == self.proc.pid and stat[0] != "Z":
                    pids.append(int(entry))
        self.seen_pids |= set(pids)
        return sorted(pids)

    def rss(self) -> dict[int, int]:
        """Resident memory of each live worker, in bytes (VmRSS of ``/proc/<pid>/status``)."""
        return {pid: rss for pid in self.workers() if (rss := rss_bytes(pid)) is not None}

    # -- requests ---------------------------------------------------------------------------

    def get(
        self,
        path: str,
        headers: Mapping[str, str] | None = None,
        method: str = "GET",
        body: bytes | None = None,
    ) -> Reply:
        """One request on a fresh connection, through http.client."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=15)
        try:
            conn.request(
                method, path, body=body, headers={"Connection": "close", **(headers or {})}
            )
            r = conn.getresponse()
            data = r.read()
            return Reply(r.status, {k.lower(): v for k, v in r.getheaders()}, data)
        finally:
            conn.close()

    def raw(
        self, path: str, headers: Mapping[str, str] | None = None, method: str = "GET"
    ) -> Reply:
        """One request, the answer read to the end of the connection: the body is every byte
        after the header block, whatever the headers claim."""
        lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{self.port}", "Connection: close"]
        lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
        with socket.create_connection(("127.0.0.1", self.port), timeout=15) as s:
            s.sendall(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"))
            data = _read_all(s)
        return _reply(data)

    def send(self, data: bytes) -> Reply:
        """``exchange()`` with this server."""
        return exchange(self.port, data)

    # -- choosing the worker ----------------------------------------------------------------

    def hold(self, seconds: float = 10.0, held: tuple[Held, ...] = ()) -> Held:
        """Hold a free worker with an unfinished request; wait until it has accepted it.
        ``held``: our connections other workers already hold."""
        holders = {h.pid for h in held}
        deadline = time.monotonic() + seconds

        def idle() -> bool:  # then the worker that takes our connection is the one that has one
            return not any(
                socks for pid, socks in self._connections().items() if pid not in holders
            )

        while not idle():
            if time.monotonic() > deadline:
                raise AssertionError(
                    f"a worker is still busy after {seconds} s: {self._connections()}"
                )
            time.sleep(0.005)
        sock = socket.create_connection(("127.0.0.1", self.port), timeout=15)
        try:
            sock.sendall(
                f"GET / HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\nConnection: close\r\n".encode()
            )
            while time.monotonic() < deadline:
                for pid, socks in self._connections().items():
                    if socks and pid not in holders:
                        return Held(sock, pid)
                time.sleep(0.005)
        except BaseException:
            sock.close()
            raise
        sock.close()
        raise AssertionError(
            f"no worker accepted a connection within {seconds} s:\n{self.log_text()}"
        )

    def on_each_worker(self, run: Callable[[], T], seconds: float = 10.0) -> dict[int, T]:
        """Call ``run`` once per worker, every request it makes answered by that worker alone;
        the results by worker pid."""
        if ENGINE != "sync":  # no way to pick the worker: enough runs that each gets some
            return {n: run() for n in range(8)}
        first = self.hold(seconds)
        second = None
        try:
            on_other = run()  # the only free worker is the one not holding `first`
            second = self.hold(seconds, (first,))  # so that one takes this, and both are busy
            assert first.release() == 200
            on_first = run()
            assert second.release() == 200
        finally:
            first.close()
            if second is not None:
                second.close()
        return {second.pid: on_other, first.pid: on_first}

    def _connections(self) -> dict[int, set[str]]:
        """Per worker, the sockets it has open beyond those it shares with the master (the
        listener): the connections it is serving."""
        shared = _sockets(self.proc.pid)
        return {pid: _sockets(pid) - shared for pid in self.workers()}


def request(
    target: bytes | str,
    *headers: tuple[str, str | bytes],
    method: str = "GET",
    version: str = "HTTP/1.1",
    body: bytes = b"",
) -> bytes:
    """The bytes of one request, as they are: nothing is checked or encoded beyond latin-1
    for ``str`` parts. ``Host`` and ``Connection: close`` come first."""

    def raw(v: bytes | str) -> bytes:
        return v if isinstance(v, bytes) else v.encode("latin-1")

    lines = [
        raw(method) + b" " + raw(target) + b" " + raw(version),
        b"Host: 127.0.0.1",
        b"Connection: close",
    ]
    lines += [raw(k) + b": " + raw(v) for k, v in headers]
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


def exchange(port: int, data: bytes, timeout: float = 15.0) -> Reply:
    """Send ``data`` on a fresh connection and read the answer to the end of the connection.

    A server that answers before reading the whole request (a 414 for a 100 KB line) may reset
    the connection: whatever arrived before the reset is the answer. ``status`` is 0 and
    ``body`` empty when nothing arrived at all."""
    chunks: list[bytes] = []
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        try:
            s.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass
        try:
            while chunk := s.recv(65536):
                chunks.append(chunk)
        except ConnectionResetError:
            pass
    return _reply(b"".join(chunks))


def _reply(data: bytes) -> Reply:
    """A raw HTTP answer: the body is every byte after the header block, whatever the headers
    claim; no header block at all (the server hung up) is status 0."""
    head, _, rest = data.partition(b"\r\n\r\n")
    if not head:
        return Reply(0, {}, b"")
    status_line, *fields = head.decode("latin-1").split("\r\n")
    parsed = {}
    for f in fields:
        name, _, value = f.partition(":")
        parsed[name.strip().lower()] = value.strip()
    return Reply(int(status_line.split(" ", 2)[1]), parsed, rest)


def rss_bytes(pid: int) -> int | None:
    """VmRSS of a process in bytes, or ``None`` if it is gone."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return None


def _sockets(pid: int) -> set[str]:
    found: set[str] = set()
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return found
    for fd in fds:
        try:
            link = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        if link.startswith("socket:"):
            found.add(link)
    return found


def _read_all(sock: socket.socket) -> bytes:
    chunks = []
    while chunk := sock.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)


def _stat(pid: int) -> tuple[str, int] | None:
    """(state, parent pid) of a process, or ``None`` if there is none."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text.rsplit(")", 1)[1].split()
    return fields[0], int(fields[1])


def _alive(pid: int) -> bool:
    stat = _stat(pid)
    return stat is not None and stat[0] != "Z"
