"""What the documents say about the site, from ``[site]``, ``[feeds]``, ``[websub]`` and
``[search]``: the settings every document is built with, and the export's mark records (a
change to them rebuilds an export in full)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, tzinfo

from .config import Config
from .jekyll import permalink
from .model import Scope, ScopeKind
from .templating import Site


@dataclass(frozen=True, slots=True)
class Options:
    """What the documents say about the site; from ``[site]`` and ``[feeds]``."""

    title: str
    description: str
    url: str
    lang: str
    author: str
    formats: tuple[str, ...]
    full_content: bool
    limit: int
    #: ``[feeds] future``: publish posts dated ahead at once.
    future: bool = False
    #: ``[site] timezone``: where the pages show times.
    zone: tzinfo = UTC
    #: ``[feeds] site_path``: where the site's Atom feed is also served.
    site_path: str = "feed.xml"
    #: ``[feeds] icon`` and ``logo``, absolute.
    icon: str = ""
    logo: str = ""
    #: Slugs of ``[feeds] hidden_tags``: tags without documents.
    hidden_tags: frozenset[str] = frozenset()
    #: ``[websub] hubs``: named by every scope's feeds.
    hubs: tuple[str, ...] = ()
    #: ``[feeds] archives`` and ``archive_size``: RFC 5005 archive pages of that many posts.
    archives: bool = False
    archive_size: int = 100
    #: ``[search] saved``, canonical: keyword feeds listed and exported like scopes.
    saved: tuple[str, ...] = ()

    @classmethod
    def from_config(cls, config: Config) -> Options:
        site, feeds = config.site, config.feeds
        return cls(
            site.title,
            site.description,
            site.url,
            site.lang,
            site.author,
            feeds.formats,
            feeds.content == "full",
            feeds.limit,
            feeds.future,
            site.timezone,
            feeds.site_path,
            feeds.icon,
            feeds.logo,
            frozenset(map(permalink.scope_slug, feeds.hidden_tags)),
            hubs=config.websub.hubs,
            archives=feeds.archives,
            archive_size=feeds.archive_size,
            saved=config.search.saved,
        )

    @property
    def depth(self) -> int:
        """How many of each scope's newest posts the documents show: every post with archives."""
        return 2**62 if self.archives else self.limit

    def hidden(self, scope: Scope) -> bool:
        """Whether ``scope`` is a tag the site keeps out of feeds (jekyll-feed's ``tags: except``)."""
        return scope.kind is ScopeKind.TAG and scope.slug in self.hidden_tags

    @property
    def site(self) -> Site:
        """What the pages say about the site."""
        return Site(
            self.title, self.description, self.url, self.lang, self.zone, self.formats, self.saved
        )
