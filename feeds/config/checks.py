"""What a declared key accepts, and the checks that span keys or need more than a type.

:func:`convert` turns one TOML (or ``_config.yml``) value into its declared type;
:func:`check` then checks the whole :class:`~feeds.config.sections.Config` (URLs, bounds, paths
our layout keeps, saved queries that must name files) and fills in what follows from other
keys. Every error names the file, the section and the key.
"""

from __future__ import annotations

import types
import typing
import zoneinfo
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from .. import search
from ..errors import ConfigError
from ..jekyll import links, siteconfig
from ..model import FORMATS
from .sections import Config, SearchConfig


def convert(raw: Any, hint: Any, choices: tuple[str, ...], where: str, base: Path) -> Any:
    """One TOML value to its declared type, or a ConfigError that says what was expected."""
    if hint is bool:
        if not isinstance(raw, bool):
            raise ConfigError(f"{where} must be true or false")
        return raw
    if hint is int:
        if isinstance(raw, bool) or not isinstance(raw, int):
            raise ConfigError(f"{where} must be an integer")
        return raw
    if hint is float:
        if isinstance(raw, bool) or not isinstance(raw, (int, float)):
            raise ConfigError(f"{where} must be a number")
        return float(raw)
    if hint is str:
        if not isinstance(raw, str):
            raise ConfigError(f"{where} must be a string")
        if choices and raw not in choices:
            raise ConfigError(f"{where} must be one of {', '.join(choices)}, not {raw!r}")
        return raw
    if hint is Path:
        if not isinstance(raw, str) or not raw:
            raise ConfigError(f"{where} must be a path (a string)")
        p = Path(raw).expanduser()
        return p if p.is_absolute() else base / p
    if hint is zoneinfo.ZoneInfo:
        if not isinstance(raw, str):
            raise ConfigError(f"{where} must be a time zone name (a string)")
        try:
            return zoneinfo.ZoneInfo(raw)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError) as e:
            raise ConfigError(f"{where}: unknown time zone {raw!r}") from e
    if typing.get_origin(hint) is tuple or isinstance(hint, types.GenericAlias):
        if not isinstance(raw, list) or not all(isinstance(v, str) for v in raw):
            raise ConfigError(f"{where} must be a list of strings")
        for v in raw:
            if choices and v not in choices:
                raise ConfigError(f"{where}: {v!r} is not one of {', '.join(choices)}")
        if not raw and choices:
            raise ConfigError(f"{where} must not be empty")
        return tuple(dict.fromkeys(raw))
    raise AssertionError(f"undeclared config type {hint!r}")  # pragma: no cover


def check(config: Config) -> Config:
    """Checks that span keys or need more than a type."""
    path = config.path
    if not config.site.url:
        raise ConfigError(
            f"{path}: [site] url is required: set it, or url in the site's {siteconfig.CONFIG_FILE}"
        )
    parts = urlsplit(config.site.url)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ConfigError(
            f"{path}: [site] url must be an absolute http(s) URL, not {config.site.url!r}"
        )
    site = replace(config.site, url=config.site.url.rstrip("/"))
    feeds = config.feeds
    for name in ("limit", "max_limit", "summary_length", "archive_size"):
        if getattr(feeds, name) < 1:
            raise ConfigError(f"{path}: [feeds] {name} must be at least 1")
    if feeds.max_limit < feeds.limit:
        raise ConfigError(f"{path}: [feeds] max_limit must be at least limit ({feeds.limit})")
    feeds = replace(
        feeds,
        site_path=_site_path(feeds.site_path, path),
        icon=_image_url(feeds.icon, site.url, path, "icon"),
        logo=_image_url(feeds.logo, site.url, path, "logo"),
    )
    if config.site.max_post_bytes < 1:
        raise ConfigError(f"{path}: [site] max_post_bytes must be at least 1")
    cache = config.cache
    if cache.refresh_seconds <= 0:
        raise ConfigError(f"{path}: [cache] refresh_seconds must be more than 0")
    if cache.max_age < -1:
        raise ConfigError(f"{path}: [cache] max_age must be -1 (follow refresh_seconds) or more")
    if cache.backend == "redis" and not cache.url:
        raise ConfigError(
            f'{path}: [cache] url is needed by backend = "redis" (redis://host:6379/0)'
        )
    if cache.ttl < 1:
        raise ConfigError(f"{path}: [cache] ttl must be at least 1")
    if cache.max_age == -1:
        cache = replace(cache, max_age=max(1, -int(-cache.refresh_seconds // 1)))
    if not 0 < config.server.port < 65536:
        raise ConfigError(f"{path}: [server] port must be between 1 and 65535")
    if config.server.workers < 1:
        raise ConfigError(f"{path}: [server] workers must be at least 1")
    for hub in config.websub.hubs:
        parts = urlsplit(hub)
        bad = not hub.isascii() or not hub.isprintable() or any(c in hub for c in ' <>"')
        if parts.scheme not in ("http", "https") or not parts.netloc or bad:
            raise ConfigError(
                f"{path}: [websub] hubs must be absolute http(s) URLs, percent-encoded, not {hub!r}"
            )
    saved = SearchConfig(tuple(dict.fromkeys(_saved(q, path) for q in config.search.saved)))
    return replace(config, site=site, feeds=feeds, cache=cache, search=saved)


#: Endings of the paths our own layout uses (``feeds.urls``): ``[feeds] site_path`` must not
#: take one of them.
_OWN_ENDINGS = (*(f".{fmt}" for fmt in FORMATS), ".opml", ".html", "/")


def _site_path(value: str, path: Path) -> str:
    """``[feeds] site_path`` without its leading ``/`` (jekyll-feed allows one), checked to
    stay below the site root and clear of the paths our layout uses."""
    rel = value.lstrip("/")
    parts = rel.split("/")
    if not rel or any(p in ("", ".", "..") for p in parts) or "\\" in rel or not rel.isprintable():
        raise ConfigError(
            f"{path}: [feeds] site_path must be a path below the site root (feed.xml), not {value!r}"
        )
    if (
        rel.endswith(_OWN_ENDINGS)
        or parts[0] in ("category", "tag", "author")
        or (parts[0] == "feed" and len(parts) > 1)
    ):
        raise ConfigError(
            f"{path}: [feeds] site_path {value!r} is a path feeds uses for another document"
        )
    return rel


#: The longest saved query, in UTF-8 bytes: its file name (``<query>.json``) must fit in the
#: 255 bytes most file systems allow.
_SAVED_BYTES = 240


def _saved(query: str, path: Path) -> str:
    """A ``[search] saved`` query, canonical: it names the files the export writes, so it must
    be one path segment a static host can serve."""
    try:
        canonical = search.parse(query).canonical
    except search.QueryError as e:
        raise ConfigError(f"{path}: [search] saved {query!r}: {e}") from e
    if "/" in canonical or "\\" in canonical or canonical.startswith("."):
        raise ConfigError(
            f"{path}: [search] saved {query!r} cannot name a file: no / or \\, no leading ."
        )
    if len(canonical.encode("utf-8")) > _SAVED_BYTES:
        raise ConfigError(
            f"{path}: [search] saved {query!r} is too long to name a file "
            f"(at most {_SAVED_BYTES} bytes of UTF-8)"
        )
    return canonical


def _image_url(value: str, site_url: str, path: Path, name: str) -> str:
    """An image given as a URL or as a path on the site (``/assets/icon.png``), absolute, as
    Jekyll's ``absolute_url`` makes it (the path goes below ``url`` + ``baseurl``)."""
    if not value:
        return ""
    url = links.absolute_url(value, site_url)
    if url is None:
        raise ConfigError(
            f"{path}: [feeds] {name} must be an http(s) URL or a path on the site, not {value!r}"
        )
    return url
