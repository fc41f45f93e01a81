"""The settings, declared: one frozen dataclass per ``config.toml`` section, one field per key.

Each key is declared once, here, with its type, default and help (:func:`key`); the loader
(:mod:`feeds.config`), its checks (:mod:`feeds.config.checks`) and the README's key table all
come from these declarations. Nothing here reads a file.
"""

from __future__ import annotations

import zoneinfo
from dataclasses import MISSING, dataclass, field
from pathlib import Path
from typing import Any

from ..model import FORMATS

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
