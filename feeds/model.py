"""The plain data every stage passes on: posts, the scopes that group them, and feeds.

Everything here is frozen and holds tuples; every datetime is timezone-aware. Changes are made by
functions that return new values, never by adding attributes.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit

from .dates import EPOCH


@dataclass(frozen=True, slots=True)
class Author:
    """A person a post credits, as jekyll-feed reads ``author``/``authors`` (a name, a mapping,
    or a key into ``_data/authors.yml``)."""

    #: Plain text; never empty.
    name: str
    #: An e-mail address as written, or empty.
    email: str = ""
    #: The author's page (``uri``, else ``url``), or empty.
    uri: str = ""


@dataclass(frozen=True, slots=True)
class Image:
    """A post's lead image, as its front matter names it (``image``, ``thumbnail``, ``cover``):
    what readers show beside the entry."""

    #: An absolute http(s) URL, percent-encoded (ASCII only).
    url: str
    #: Its size in bytes as the post states it (``image: {path, length}``); 0: not stated.
    length: int = 0
    #: Its media type as the post states it (``image/png``), or empty.
    type: str = ""


@dataclass(frozen=True, slots=True)
class Post:
    """One published-or-scheduled post, normalized from its Jekyll file."""

    #: The file, relative to the site source, with ``/`` separators (``_posts/2022-01-10-x.md``).
    path: str
    #: The file name's slug: the part after ``YYYY-MM-DD-`` and before the extension.
    slug: str
    #: Plain text (never markup); defaults to the slug.
    title: str
    #: When the post is published, aware; a written offset is kept as written, a naive time is
    #: in the site's zone. Entries are ordered by this instant.
    date: datetime
    #: When the post last changed, aware: ``last_modified_at``/``updated``, else ``date``.
    updated: datetime
    #: Category names as written, folders above ``_posts`` first; no duplicates, order kept.
    categories: tuple[str, ...]
    #: Tag names as written; no duplicates, order kept.
    tags: tuple[str, ...]
    #: The post's authors in order, each once; empty to fall back to the site's author.
    authors: tuple[Author, ...]
    #: The absolute, percent-encoded permalink: the page Jekyll publishes. Also the entry id.
    url: str
    #: Sanitized HTML with absolute links and only XML 1.0 characters.
    content_html: str
    #: Plain text, at most ``summary_length`` characters plus ``…``.
    summary: str
    #: The entry id when it cannot be the permalink (another post, first by path, has the same
    #: one): the permalink with the file's path as fragment. Empty: the id is :attr:`url`.
    guid: str = ""
    #: The post's BCP 47 language (front matter ``lang``); empty: the feed's.
    lang: str = ""
    #: Only the summary in feeds, never the content (front matter ``feed: excerpt_only``).
    excerpt_only: bool = False
    #: The lead image the front matter names; ``None``: the content's first http(s) ``<img>``
    #: stands in, if there is one (:func:`feeds.writers.fields.lead_image`).
    image: Image | None = None

    @property
    def entry_id(self) -> str:
        """The id feeds give this post: stable across builds, restarts and hosts."""
        return self.guid or self.url


class ScopeKind(enum.Enum):
    """What a feed covers: the whole site, one category, one tag or one author."""

    SITE = "site"
    CATEGORY = "category"
    TAG = "tag"
    #: The posts that name one author (``author``/``authors``); the slug is made from the
    #: author's name as a category's is (docs/decisions.md).
    AUTHOR = "author"


@dataclass(frozen=True, slots=True)
class Scope:
    """A set of posts that gets its own feeds. Names sharing a slug share a scope.

    A scope is its kind and slug: two scopes that differ only in the name shown are equal and
    hash alike, so a scope parsed from a URL finds the one the index named.
    """

    kind: ScopeKind
    #: URL-safe key (Jekyll's ``slugify``); empty for the site scope.
    slug: str = ""
    #: Display name: the first name seen for this slug; empty for the site scope.
    name: str = field(default="", compare=False)


SITE = Scope(ScopeKind.SITE)


@dataclass(frozen=True, slots=True)
class Problem:
    """Something wrong with one file, as ``feeds check`` reports it."""

    #: The file, relative to the site source, with ``/`` separators.
    path: str
    #: 1-based line in the file.
    line: int
    #: ``"error"`` (the post was skipped) or ``"warning"`` (it was kept or the file ignored).
    level: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.level}: {self.message}"


def site_name(title: str, site_url: str) -> str:
    """What the site is called: its title, else its host. Feeds, lists and authors all need
    something to call the site, and an untitled one must be called the same everywhere."""
    return title or urlsplit(site_url).netloc


#: The feed formats, as used in URL extensions and ``[feeds] formats``.
FORMATS: tuple[str, ...] = ("atom", "rss", "json")


@dataclass(frozen=True, slots=True)
class Feed:
    """Everything one feed document says, whatever its format; built output depends on nothing else."""

    scope: Scope
    #: The site's title, or ``<site> · <scope name>``.
    title: str
    description: str
    #: The site's URL without a trailing slash (``https://finews.withounder.com``).
    site_url: str
    #: BCP 47 language tag (``zh-CN``).
    lang: str
    #: The site's author, used where a post names none; may be empty.
    author: str
    #: Newest first by instant (ties by path), at most the limit asked for.
    posts: tuple[Post, ...]
    #: Whether entries carry the full HTML (``[feeds] content = "full"``) or only the summary.
    full_content: bool = True
    #: Where this document is served when not at the scope's own path: jekyll-feed's
    #: ``feed/emnews.xml`` is Atom that names itself there. Relative to the site root.
    location: str = ""
    #: Absolute URLs of a small square image and of a larger one; empty when the site has none.
    icon: str = ""
    logo: str = ""
    #: The query string of its URL, percent-encoded, for a feed made by a query (``q=%E9%94%82``).
    query: str = ""
    #: WebSub hubs (absolute URLs) the feed names, each told when it changes; empty: none.
    hubs: tuple[str, ...] = ()
    #: RFC 5005: the feed holds every post of its scope (``fh:complete``).
    complete: bool = False
    #: The RFC 5005 archive page this document is, from 1 (the scope's oldest posts); 0: the
    #: scope's subscription feed or a feed chosen by a query.
    archive: int = 0
    #: The archive pages before and after this document (``prev-archive``, ``next-archive``);
    #: 0: none.
    prev_archive: int = 0
    next_archive: int = 0
    #: The feed's date while it holds no post (with posts: the newest one's ``updated``). A
    #: feed a query chose that found nothing says the site's newest post's: validators take
    #: the epoch for a mistake (docs/decisions.md).
    empty_updated: datetime = EPOCH

    @property
    def sealed(self) -> bool:
        """An archive page with one after it: it holds the same posts for good
        (:mod:`feeds.archives`)."""
        return self.next_archive > 0

    @property
    def home_url(self) -> str:
        """The site's home page, the feeds' ``alternate`` link."""
        return self.site_url + "/"
