"""A real ``redis-server`` for tests: its own instance on a free loopback port, data in a temp
folder, nothing saved to disk; stopped and started again on the same port to make an outage.

Tests that use it skip, saying why, when Debian's redis-server is not installed (scripts/test
installs it).
"""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from tests.server_fixture import free_port, stop_process

BINARY = shutil.which("redis-server") or "/usr/bin/redis-server"


class RedisServer:
    """``redis-server`` on 127.0.0.1:``port`` in ``folder``, started by :meth:`start`."""

    def __init__(self, folder: Path, port: int) -> None:
        self.folder = folder
        self.port = port
        self.url = f"redis://127.0.0.1:{port}/0"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start and wait until it answers PING."""
        log = open(self.folder / "redis.log", "ab")  # noqa: SIM115 - the child holds it
        with log:
            self.proc = subprocess.Popen(
                [
                    BINARY,
                    "--bind",
                    "127.0.0.1",
                    "--port",
                    str(self.port),
                    "--dir",
                    str(self.folder),
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                    "--protected-mode",
                    "no",
                    "--maxmemory",
                    "64mb",
                    "--maxmemory-policy",
                    "allkeys-lru",
                ],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        client = redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=1)
        deadline = time.monotonic() + 10
        try:
            while True:
                try:
                    if client.ping():
                        return
                except redis.ConnectionError:
                    if time.monotonic() > deadline or self.proc.poll() is not None:
                        raise AssertionError(
                            f"redis-server did not start:\n{self.log_text()}"
                        ) from None
                    time.sleep(0.02)
        finally:
            client.close()

    def stop(self) -> None:
        """SIGTERM and wait for it to exit; the port is free afterwards."""
        if self.proc is not None:
            stop_process(self.proc)
        self.proc = None

    def client(self) -> redis.Redis:
        return redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=2)

    def log_text(self) -> str:
        return (self.folder / "redis.log").read_text(errors="replace")


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    if not Path(BINARY).exists():
        pytest.skip(
            "redis-server is not installed (Debian package redis-server; scripts/test installs it)"
        )
    folder = tmp_path / "redis"
    folder.mkdir()
    server = RedisServer(folder, free_port())
    server.start()
    try:
        yield server
    finally:
        server.stop()
