"""Run the app under gunicorn, a production WSGI server, from ``feeds serve``.

The master process brings the index up to date first, so workers start warm and none of them
is killed by gunicorn's timeout while a large site is parsed. Each worker then builds its own
app (its own index connections, cache and refresher thread) after the fork.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication

from .config import Config
from .web import create_app

LOG_FORMAT = "%(asctime)s [%(process)d] %(levelname)s %(message)s"


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
    """Serve until interrupted."""
    logging.basicConfig(level=logging.INFO, format=LOG_FORMAT)
    Server(config, {
        "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
        "workers": workers,
        "worker_class": "sync",
        "proc_name": "feeds",
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "info",
        "timeout": 60,
        # gunicorn 27's control socket sits at one path per user: two services would fight.
        "control_socket_disable": True,
    }).run()
