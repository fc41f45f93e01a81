"""Read and check ``config.toml``, over the site's ``_config.yml``, into one frozen settings object.

Each key is declared once, below, as a dataclass field with its type, default and help; the
loader, the checks and the README's key table all come from these declarations. Errors name the
file, the section and the key (``config.toml: [feeds] limit must be an integer``).

Only ``[site] source`` is required: the site's ``_config.yml`` gives ``url``, ``title``,
``timezone`` and the rest as Jekyll reads them (:mod:`feeds.jekyll.siteconfig`). A key set in
``config.toml`` wins; where the two differ, :attr:`Config.origins` says so for ``feeds check``.
"""

from __future__ import annotations

import os
import tomllib
import types
import typing
import zoneinfo
from dataclasses import MISSING, dataclass, field, fields, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from . import search
from .errors import ConfigError
from .jekyll import links, siteconfig
from .model import FORMATS

#: Where the config is looked for when neither ``--config`` nor ``FEEDS_CONFIG`` names one.
DEFAULT_PATH = Path("config.toml")
ENV_VAR = "FEEDS_CONFIG"
#: ``[server] engine``: the WSGI servers ``feeds serve`` runs (:mod:`feeds.server`).
ENGINES = ("sync", "gthread", "granian")


def key(default: Any = MISSING, *, help: str, choices: tuple[str, ...] = ()) -> Any:
    """Declare one config key: its default (none: required), its help and allowed values."""
    return field(default=default, metadata={"help": help, "choices": choices})


@dataclass(frozen=True, slots=True)
class SiteConfig:
    """``[site]``: the Jekyll site read and the identity of its feeds."""

    source: Path = key(
        help="The Jekyll site folder, holding `_posts/` and `_config.yml`; relative to the config file."
    )
    url: str = key(
        "",
        help="The site's absolute URL (`https://example.com/blog`); every link is made absolute against it. Default: `_config.yml`'s `url` + `baseurl`; required if that has none.",
    )
    title: str = key("", help="The site's name: the feeds' title.")
    description: str = key("", help="The feeds' description or subtitle.")
    lang: str = key("en", help="BCP 47 language of the feeds (`zh-CN`).")
    timezone: zoneinfo.ZoneInfo = key(
        zoneinfo.ZoneInfo("UTC"),
        help="IANA zone name; a naive date or a date alone in a post is in this zone.",
    )
    author: str = key("", help="The author of posts that name none.")
    permalink: str = key(
        "date",
        help="Jekyll permalink style (`date`, `pretty`, `ordinal`, `weekdate`, `none`) or template.",
    )
    max_post_bytes: int = key(
        10 * 1024 * 1024, help="A post file larger than this is skipped with a warning."
    )


@dataclass(frozen=True, slots=True)
class FeedsConfig:
    """``[feeds]``: what every feed holds."""

    limit: int = key(50, help="Entries in a feed.")
    max_limit: int = key(200, help="The largest `?limit=` a client may ask for.")
    formats: tuple[str, ...] = key(
        FORMATS, help="The formats served and exported.", choices=FORMATS
    )
    content: str = key(
        "full",
        help="`full`: entries carry the whole HTML; `summary`: only the summary.",
        choices=("full", "summary"),
    )
    summary_length: int = key(
        200, help="Characters in a summary cut from the content (CJK characters count one each)."
    )
    future: bool = key(
        False, help="Publish posts dated in the future at once instead of at their time."
    )
    site_path: str = key(
        "feed.xml",
        help="Where the site's Atom feed is also served and exported, as jekyll-feed's "
        "`feed: path`; relative to the site root.",
    )
    icon: str = key(
        "",
        help="A small square image (a URL, or a path on the site): Atom `<icon>`, JSON Feed `favicon`. "
        "Default: `_config.yml`'s `feed: icon`.",
    )
    logo: str = key(
        "",
        help="A larger image (a URL, or a path on the site): Atom `<logo>`, RSS `<image>`, JSON Feed "
        "`icon`; the icon stands in when empty. Default: `_config.yml`'s `feed: logo`.",
    )
    categories: tuple[str, ...] = key(
        (),
        help="Categories jekyll-feed is told to publish (`feed: categories`): "
        "`feeds check` warns for each that has no post. Every category has feeds anyway.",
    )
    archives: bool = key(
        False,
        help="RFC 5005 full history: each feed says it is complete, or links archive pages "
        "holding every older post (`<feed>/archive/<n>.<fmt>`). Off by default: every post's "
        "content is then written once more per scope it is in.",
    )
    archive_size: int = key(
        100,
        help="Posts on an archive page. Changing it re-pages every archive (URLs clients were "
        "told never change).",
    )
    hidden_tags: tuple[str, ...] = key(
        (),
        help="Tags with no feed and no page at all, in any format or path "
        "(`feed: tags: except`). Their posts keep the tags.",
    )


@dataclass(frozen=True, slots=True)
class CacheConfig:
    """``[cache]``: where built feeds are kept and how fresh they stay."""

    backend: str = key(
        "memory",
        help="`memory` (per worker), `filesystem` (shared by the workers of one host) or `redis` "
        "(shared by every host, with `memory` in front).",
        choices=("memory", "filesystem", "redis"),
    )
    url: str = key(
        "", help="The `redis` backend's server: `redis://host:6379/0` (or `unix:///path?db=0`)."
    )
    ttl: int = key(
        86400,
        help="Seconds an entry stays in Redis; bound Redis's memory with `maxmemory` and an LRU policy.",
    )
    dir: Path = key(
        Path(".cache/feeds"), help="The `filesystem` backend's folder; relative to the config file."
    )
    max_bytes: int = key(
        64 * 1024 * 1024,
        help="The bound of `memory` (per worker, also in front of `redis`) or of the folder; least recently used feeds go first.",
    )
    refresh_seconds: float = key(
        2.0,
        help="How often the service looks for changed posts; a change is served within this time.",
    )
    max_age: int = key(
        -1, help="`Cache-Control: max-age` in seconds; -1 means refresh_seconds rounded up."
    )


@dataclass(frozen=True, slots=True)
class IndexConfig:
    """``[index]``: the SQLite file that holds every parsed post."""

    path: Path = key(
        Path("feeds-index.sqlite3"),
        help="The index file; relative to the config file. Safe to delete: it is rebuilt.",
    )


@dataclass(frozen=True, slots=True)
class ServerConfig:
    """``[server]``: how `feeds serve` runs."""

    host: str = key("127.0.0.1", help="The address to listen on.")
    port: int = key(8000, help="The port to listen on.")
    workers: int = key(2, help="Worker processes.")
    engine: str = key(
        "gthread",
        help="The WSGI server: `sync` (gunicorn, one request at a time per worker), "
        "`gthread` (gunicorn, threads and keep-alive) or `granian`.",
        choices=ENGINES,
    )


@dataclass(frozen=True, slots=True)
class WebSubConfig:
    """``[websub]``: the hubs told when feeds change (WebSub publisher)."""

    hubs: tuple[str, ...] = key(
        (),
        help="WebSub hubs (`https://pubsubhubbub.appspot.com/`): every feed names them, and each "
        "is told which feeds changed after every refresh (and by `feeds export --ping`). "
        "Empty: feeds name no hub and none is told.",
    )


@dataclass(frozen=True, slots=True)
class SearchConfig:
    """``[search]``: keyword feeds the site lists as its own."""

    saved: tuple[str, ...] = key(
        (),
        help="Keyword queries (`蔚来`, `宁德时代 -涨停`) listed in the OPML and on the index page "
        "and exported like scopes: `search/<query>.<fmt>` and the page `search/<query>/`, the "
        "query written canonically (lower case, words sorted, exclusions last).",
    )


@dataclass(frozen=True, slots=True)
class Config:
    """The whole configuration, checked; ``path`` is the file it came from."""

    site: SiteConfig
    feeds: FeedsConfig = FeedsConfig()
    cache: CacheConfig = CacheConfig()
    index: IndexConfig = IndexConfig()
    server: ServerConfig = ServerConfig()
    websub: WebSubConfig = WebSubConfig()
    search: SearchConfig = SearchConfig()
    path: Path = Path("config.toml")
    #: The site's ``_config.yml`` with ``data`` from ``_data/``: what Liquid sees as ``site``.
    #: Empty when the site has neither.
    jekyll: dict[str, Any] = field(default_factory=dict)
    #: One line per key set in both files with different values: which one is used, from where.
    origins: tuple[str, ...] = ()


#: Section name → its settings class, in the order the README documents them.
SECTIONS: dict[str, type] = {
    "site": SiteConfig,
    "feeds": FeedsConfig,
    "cache": CacheConfig,
    "index": IndexConfig,
    "server": ServerConfig,
    "websub": WebSubConfig,
    "search": SearchConfig,
}


def find_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The config file to read: ``--config``, else ``$FEEDS_CONFIG``, else ``./config.toml``."""
    if explicit:
        return Path(explicit)
    env = os.environ.get(ENV_VAR)
    return Path(env) if env else DEFAULT_PATH


def load(path: str | os.PathLike[str] | None = None) -> Config:
    """Read and check a config file.

    Raises:
        ConfigError: the file is missing or not TOML, or a key is unknown, missing or wrong;
            the message starts with the file's path and names the key.
    """
    path = find_path(path)
    try:
        with open(path, "rb") as f:
            data = tomllib.load(f)
    except OSError as e:
        raise ConfigError(f"{path}: cannot read config: {e.strerror or e}") from e
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{path}: not valid TOML: {e}") from e
    return from_dict(data, path)


def from_dict(data: dict[str, Any], path: Path = DEFAULT_PATH) -> Config:
    """Check a parsed TOML mapping; relative paths resolve against ``path``'s folder.

    Raises:
        ConfigError: as :func:`load`.
    """
    base = path.parent.resolve() if str(path.parent) else Path.cwd()
    for name in data:
        if name not in SECTIONS:
            raise ConfigError(f"{path}: unknown section [{name}]")
    tables: dict[str, dict[str, Any]] = {}
    for name in SECTIONS:
        table = data.get(name, {})
        if not isinstance(table, dict):
            raise ConfigError(f"{path}: [{name}] must be a table")
        tables[name] = dict(table)
    if "source" not in tables["site"]:
        raise ConfigError(f"{path}: [site] source is required")
    source = _convert(tables["site"]["source"], Path, (), f"{path}: [site] source", base)
    jekyll = siteconfig.read(source)
    yml = source / siteconfig.CONFIG_FILE
    origins: list[str] = []
    #: (section, key) → where a value taken from _config.yml came from, for error messages.
    taken: dict[tuple[str, str], str] = {}
    for s in siteconfig.settings(jekyll, yml):
        table = tables[s.section]
        if s.key not in table:
            table[s.key] = s.value
            taken[s.section, s.key] = f"{yml}: {s.source_key}"
        elif str(table[s.key]).rstrip("/") != str(s.value).rstrip("/"):
            origins.append(
                f"[{s.section}] {s.key} = {table[s.key]!r} from {path} is used; "
                f"{yml.name} {s.source_key} says {s.value!r}"
            )
    sections = {
        name: _section(cls, name, tables[name], path, base, taken) for name, cls in SECTIONS.items()
    }
    config = Config(path=path, jekyll=jekyll, origins=tuple(origins), **sections)
    return _check(config)


def _section(
    cls: type,
    section: str,
    table: dict[str, Any],
    path: Path,
    base: Path,
    taken: dict[tuple[str, str], str],
) -> Any:
    declared = {f.name: f for f in fields(cls)}
    for name in table:
        if name not in declared:
            raise ConfigError(f"{path}: unknown key [{section}] {name}")
    values: dict[str, Any] = {}
    hints = typing.get_type_hints(cls)
    for name, f in declared.items():
        where = taken.get((section, name)) or f"{path}: [{section}] {name}"
        if name not in table:
            if f.default is MISSING:
                raise ConfigError(f"{where} is required")
            value = f.default
            if isinstance(value, Path) and not value.is_absolute():
                value = base / value
            values[name] = value
            continue
        values[name] = _convert(table[name], hints[name], f.metadata["choices"], where, base)
    return cls(**values)


def _convert(raw: Any, hint: Any, choices: tuple[str, ...], where: str, base: Path) -> Any:
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


def _check(config: Config) -> Config:
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
