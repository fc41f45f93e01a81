"""A Jekyll site's own settings: ``_config.yml`` and the ``_data/`` folder, as Jekyll reads them.

A site that already tells Jekyll its URL, title, time zone, permalink and jekyll-feed's ``feed:``
settings should not have to say them again: :func:`settings` maps them onto our config keys,
and ``config.py`` takes each one that ``config.toml`` does not set. :func:`read` gives the whole
mapping, which Liquid sees as ``site``, with ``site.data`` from ``_data/``.

YAML is read with the safe loader; a file that is not a mapping, or not YAML, is a
:class:`~feeds.errors.ConfigError` that names the file and line.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ..errors import ConfigError
from .entries import Filter

try:  # the C loader is ~10x faster; fall back where libyaml is missing
    from yaml import CSafeLoader as SafeLoader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader  # type: ignore[assignment]

#: The file Jekyll reads its settings from, in the site's folder.
CONFIG_FILE = "_config.yml"
#: Largest ``_config.yml`` or ``_data`` file read; a site's settings are a few kilobytes.
_MAX_BYTES = 4 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Setting:
    """One of our config keys as ``_config.yml`` gives it."""

    section: str
    key: str
    #: Converted to what ``config.toml`` would hold (a string, an integer, a list...).
    value: Any
    #: Where in ``_config.yml`` (``feed.posts_limit``), for messages.
    source_key: str


def read(source: Path) -> dict[str, Any]:
    """``_config.yml`` of the site at ``source`` (``{}`` when there is none), with ``data``
    set to the ``_data/`` folder's contents: Liquid's ``site``.

    Raises:
        ConfigError: ``_config.yml`` or a data file cannot be read or is not a mapping.
    """
    path = source / CONFIG_FILE
    site = _load(path) if path.is_file() else {}
    if not isinstance(site, dict):
        raise ConfigError(
            f"{path}: must be a mapping of keys to values, not a {type(site).__name__}"
        )
    site = {str(k): v for k, v in site.items()}
    site["data"] = _data(source / str(site.get("data_dir") or "_data"))
    return site


def _load(path: Path) -> Any:
    """One YAML or JSON file, safely."""
    try:
        with open(path, "rb") as f:
            raw = f.read(_MAX_BYTES + 1)
    except OSError as e:
        raise ConfigError(f"{path}: cannot read: {e.strerror or e}") from e
    if len(raw) > _MAX_BYTES:
        raise ConfigError(f"{path}: larger than {_MAX_BYTES} bytes")
    try:
        text = raw.decode("utf-8-sig")
        if path.suffix == ".json":
            return json.loads(text)
        return yaml.load(text, Loader=SafeLoader)
    except UnicodeDecodeError as e:
        raise ConfigError(f"{path}: not UTF-8") from e
    except json.JSONDecodeError as e:
        raise ConfigError(f"{path}:{e.lineno}: not valid JSON: {e.msg}") from e
    except yaml.MarkedYAMLError as e:
        line = e.problem_mark.line + 1 if e.problem_mark else 1
        raise ConfigError(f"{path}:{line}: not valid YAML: {e.problem or e}") from e
    except (yaml.YAMLError, ValueError, TypeError, OverflowError, RecursionError) as e:
        raise ConfigError(f"{path}: not valid YAML: {e}") from e


def _data(folder: Path) -> dict[str, Any]:
    """``_data/``: each ``.yml``, ``.yaml`` or ``.json`` file by its name without extension,
    sub-folders as nested mappings, as Jekyll's ``site.data`` (CSV is not read)."""
    data: dict[str, Any] = {}
    if not folder.is_dir() or folder.is_symlink():
        return data
    for entry in sorted(folder.iterdir()):
        if entry.name.startswith((".", "_", "#", "~")) or entry.is_symlink():
            continue
        if entry.is_dir():
            data[entry.name] = _data(entry)
        elif entry.suffix in (".yml", ".yaml", ".json"):
            data[entry.stem] = _load(entry)
    return data


def settings(site: dict[str, Any], path: Path) -> list[Setting]:
    """What ``site`` (from :func:`read`) says about our config keys: ``url`` + ``baseurl``,
    ``title``, ``description``, ``lang``, ``timezone``, ``author`` (a name or a mapping with
    one), ``permalink`` (``collections.posts.permalink`` first), ``future``, and jekyll-feed's
    ``feed.posts_limit``, ``feed.excerpt_only``, ``feed.path``, ``feed.icon``, ``feed.logo``,
    ``feed.categories`` and ``feed.tags.except``.

    Raises:
        ConfigError: a value has the wrong shape (``feed`` not a mapping, and the like),
            naming ``path`` and the key.
    """
    found: list[Setting] = []

    def put(section: str, key: str, value: Any, source_key: str) -> None:
        found.append(Setting(section, key, value, source_key))

    if site.get("url"):
        put(
            "site",
            "url",
            f"{_str(site['url'], path, 'url').rstrip('/')}{_str(site.get('baseurl') or '', path, 'baseurl').rstrip('/')}",
            "url + baseurl",
        )
    for key in ("title", "description", "lang", "timezone", "permalink"):
        if site.get(key) not in (None, ""):
            put("site", key, _str(site[key], path, key), key)
    # Posts are a collection too: its own permalink wins over the site's, as in Jekyll.
    collections = site.get("collections")
    posts = collections.get("posts") if isinstance(collections, dict) else None
    if isinstance(posts, dict) and posts.get("permalink"):
        found = [f for f in found if f.key != "permalink"]
        put(
            "site",
            "permalink",
            _str(posts["permalink"], path, "collections.posts.permalink"),
            "collections.posts.permalink",
        )
    author = site.get("author")
    if isinstance(author, dict):
        author = author.get("name")
    if author not in (None, ""):
        put("site", "author", _str(author, path, "author"), "author")
    if isinstance(site.get("future"), bool):
        put("feeds", "future", site["future"], "future")
    feed = site.get("feed")
    if feed is None:
        return found
    if not isinstance(feed, dict):
        raise ConfigError(f"{path}: feed must be a mapping")
    if feed.get("posts_limit") is not None:
        limit = feed["posts_limit"]
        if isinstance(limit, bool) or not isinstance(limit, int):
            raise ConfigError(f"{path}: feed.posts_limit must be an integer")
        put("feeds", "limit", limit, "feed.posts_limit")
    if isinstance(feed.get("excerpt_only"), bool):
        put("feeds", "content", "summary" if feed["excerpt_only"] else "full", "feed.excerpt_only")
    for key, ours in (("path", "site_path"), ("icon", "icon"), ("logo", "logo")):
        if feed.get(key) not in (None, ""):
            put("feeds", ours, _str(feed[key], path, f"feed.{key}"), f"feed.{key}")
    if feed.get("categories"):
        put(
            "feeds",
            "categories",
            _names(feed["categories"], path, "feed.categories"),
            "feed.categories",
        )
    tags = feed.get("tags")
    if isinstance(tags, dict) and tags.get("except"):
        put(
            "feeds",
            "hidden_tags",
            _names(tags["except"], path, "feed.tags.except"),
            "feed.tags.except",
        )
    return found


def _names(value: Any, path: Path, key: str) -> list[str]:
    """A list of category or tag names; Jekyll's YAML may give numbers (``2021``)."""
    if not isinstance(value, list) or any(isinstance(v, (dict, list)) or v is None for v in value):
        raise ConfigError(f"{path}: {key} must be a list of names")
    return [str(v) for v in value]


def entry_filter(site: dict[str, Any], path: Path) -> Filter:
    """Which folders and post files Jekyll reads, by ``site``'s ``exclude`` and ``include``
    (Jekyll's defaults added). Items that are not strings match nothing, as in Jekyll.

    Raises:
        ConfigError: ``exclude`` or ``include`` is set and not a list, which Jekyll refuses too.
    """
    lists: list[tuple[str, ...]] = []
    for key in ("exclude", "include"):
        value = site.get(key)
        if value is not None and not isinstance(value, list):
            raise ConfigError(f"{path}: {key} must be a list of paths or globs, as Jekyll requires")
        lists.append(tuple(str(v) for v in value or () if isinstance(v, str)))
    exclude, include = lists
    return Filter.of(exclude, include if "include" in site else Filter().include)


def _str(value: Any, path: Path, key: str) -> str:
    if isinstance(value, (dict, list, bool)) or value is None:
        raise ConfigError(f"{path}: {key} must be a string")
    return str(value).strip()
