"""A stand-in WebSub hub for tests: a real HTTP server on 127.0.0.1 that records what it is
sent, and on demand answers slowly, fails with a status, or is down (its port closed).

The hub is not ours, so a stand-in is fair: what is tested is what feeds sends it over real
HTTP, and how feeds copes with a hub that misbehaves.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from urllib.parse import parse_qsl


@dataclass(frozen=True)
class Received:
    """One announcement the hub took or refused."""

    #: The form's fields in order, as (name, value) pairs.
    form: tuple[tuple[str, str], ...]
    content_type: str
    #: The status the hub answered.
    status: int
    #: When it arrived (``time.monotonic``).
    at: float

    @property
    def topics(self) -> list[str]:
        """The ``hub.url`` values (the form sends each under ``hub.topic`` as well)."""
        return [v for k, v in self.form if k == "hub.url"]


class _Server(ThreadingHTTPServer):
    #: The port is taken again at once after :meth:`Hub.down`.
    allow_reuse_address = True
    daemon_threads = True


class Hub:
    """Serves on a free port until closed; ``url`` is where to send announcements."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        #: The status to answer: 204 normally, or what a test sets (503, 400…).
        self.status = 204
        #: Seconds to wait before answering.
        self.delay = 0.0
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self.port = 0
        self.up()
        self.url = f"http://127.0.0.1:{self.port}/hub"

    def up(self) -> None:
        """Listen (again, on the same port after :meth:`down`); nothing if listening."""
        if self._server is not None:
            return
        hub = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length).decode("ascii")
                if hub.delay:
                    time.sleep(hub.delay)
                status = hub.status
                with hub._lock:
                    hub.received.append(
                        Received(
                            tuple(parse_qsl(body, keep_blank_values=True)),
                            self.headers.get("Content-Type", ""),
                            status,
                            time.monotonic(),
                        )
                    )
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: object) -> None:
                pass

        server = _Server(("127.0.0.1", self.port), Handler)
        self.port = server.server_address[1]
        self._server = server
        threading.Thread(target=server.serve_forever, daemon=True).start()

    def down(self) -> None:
        """Stop listening: a connection is refused until :meth:`up`."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def taken(self, since: int = 0) -> list[Received]:
        """The announcements answered with a 2xx, in order of arrival, from the ``since``-th
        one received on."""
        with self._lock:
            return [r for r in self.received[since:] if 200 <= r.status < 300]

    def topics(self, since: int = 0) -> list[str]:
        """Every URL announced successfully (from the ``since``-th announcement), in order,
        repeats kept."""
        return [t for r in self.taken(since) for t in r.topics]

    def __enter__(self) -> Hub:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.down()
