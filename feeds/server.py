"""Run the app under a production WSGI server from ``feeds serve``: gunicorn or granian.

The master process brings the index up to date first, so workers start warm and none of them
is killed by a timeout while a large site is parsed. Each worker then builds its own app (its
own index connections, cache and refresher thread) after it starts.

``[server] engine`` picks the server; each was measured on this app (bench/serve.py,
docs/decisions.md): ``sync`` is gunicorn with one request per worker at a time and no
keep-alive; ``gthread`` is gunicorn with a few threads per worker and keep-alive; ``granian``
is granian's WSGI mode (a Rust HTTP stack calling the app from a pool of threads).
"""

from __future__ import annotations

import ctypes
import logging
import os
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication

from .config import ENV_VAR as CONFIG_ENV_VAR
from .config import Config
from .web import create_app

LOG_FORMAT = "%(asctime)s [%(process)d] %(levelname)s %(message)s"
#: Threads per worker for ``gthread`` and ``granian``: enough to overlap the socket writes of
#: a few clients, few enough that the GIL is not fought over.
THREADS = 4
#: Seconds an idle keep-alive connection stays open (gunicorn ``gthread``).
KEEPALIVE = 5
#: Blocks from this size up are mapped on their own and given back to the system when freed
#: (glibc's starting value, held fixed by :func:`return_freed_memory`).
MMAP_THRESHOLD = 128 * 1024
#: ``mallopt``'s parameter number for it (glibc's ``malloc.h``).
_M_MMAP_THRESHOLD = -3


class Server(BaseApplication):  # type: ignore[misc]  # gunicorn has no type hints
    """gunicorn with its options set from here rather than from its command line."""

    def __init__(self, config: Config, options: dict[str, Any]) -> None:
        self.config = config
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for name, value in self.options.items():
            self.cfg.set(name, value)

    def load(self) -> Flask:
        return create_app(self.config)


def run(config: Config, host: str, port: int, workers: int) -> None:
    """Serve with ``[server] engine`` until interrupted."""
    logging.basicConfig(level=logging.INFO, format=LOG_FORMAT)
    return_freed_memory()  # before gunicorn forks: its workers inherit the setting
    if config.server.engine == "granian":
        _granian(config, host, port, workers)
        return
    threaded = config.server.engine == "gthread"
    Server(
        config,
        {
            "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
            "workers": workers,
            "worker_class": config.server.engine,
            "threads": THREADS if threaded else 1,
            "keepalive": KEEPALIVE,
            "proc_name": "feeds",
            "accesslog": None,
            "errorlog": "-",
            "loglevel": "info",
            "timeout": 60,
            # gunicorn 27's control socket sits at one path per user: two services would fight.
            "control_socket_disable": True,
        },
    ).run()


def return_freed_memory() -> None:
    """Keep a worker's memory at its cache's bound plus a constant, not creeping up.

    A cached feed is tens to hundreds of KB. glibc maps such a block on its own, but each time
    one is freed it raises its threshold to that size, after which they come from the threads'
    heaps, where the holes left by evicted feeds fragment: measured under a post changing every
    100 ms (scripts/load), a worker grew 20 MB past its cache's bound and kept on growing.
    Setting the threshold fixes it where it starts. Nothing happens on a C library without
    ``mallopt``.
    """
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):
        return
    mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD)


def _granian(config: Config, host: str, port: int, workers: int) -> None:
    """granian's workers are fresh interpreters: each finds the config through the same
    variable ``wsgi.py`` reads and builds its app with :func:`granian_app`."""
    from granian.constants import Interfaces
    from granian.server import Server as Granian

    os.environ[CONFIG_ENV_VAR] = str(config.path.resolve())
    Granian(
        "feeds.server:granian_app",
        address=host,
        port=port,
        interface=Interfaces.WSGI,
        workers=workers,
        blocking_threads=THREADS,
        factory=True,
        log_access=False,
        respawn_failed_workers=True,
        websockets=False,
    ).serve()


def granian_app() -> Flask:
    """The app of one granian worker, logging as gunicorn's do."""
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format=LOG_FORMAT)
    return_freed_memory()  # a fresh interpreter: the master's setting is not inherited
    return create_app()
