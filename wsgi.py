"""The WSGI entry point for gunicorn or any WSGI server: ``gunicorn wsgi:app``.

Reads ``$FEEDS_CONFIG``, else ``./config.toml``. The only module that does work at import.
"""

import logging

from feeds.server import LOG_FORMAT
from feeds.web import create_app

if not logging.getLogger().handlers:
    logging.basicConfig(level=logging.INFO, format=LOG_FORMAT)

app = create_app()
