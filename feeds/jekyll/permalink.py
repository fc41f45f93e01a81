"""Jekyll's URL rules: ``slugify`` and permalink templates, so every link reaches a real page.

This follows Jekyll 4 (``Jekyll::Utils.slugify``, ``Jekyll::URL``, ``Drops::UrlDrop``): each
placeholder's value is percent-encoded on its own (``escape_path``), the result is prefixed with
``/``, every ``..`` becomes ``/``, ``./`` is dropped and runs of ``/`` are squeezed. A template
that names an unknown placeholder is an error, as in Jekyll.
"""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata
from collections.abc import Callable
from datetime import datetime
from urllib.parse import quote

from .. import memo
from ..errors import FeedsError

#: Jekyll's built-in permalink styles.
STYLES = {
    "date": "/:categories/:year/:month/:day/:title:output_ext",
    "pretty": "/:categories/:year/:month/:day/:title/",
    "ordinal": "/:categories/:year/:y_day/:title:output_ext",
    "weekdate": "/:categories/:year/W:week/:short_day/:title:output_ext",
    "none": "/:categories/:title:output_ext",
}

_PLACEHOLDER = re.compile(r":([a-z_]+)")
#: ASCII words joined by single hyphens: what slugify gives back as it is, in either mode.
_ALREADY_SLUG = re.compile(r"[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*")
_PRETTY_KEEP = frozenset("._~!$&'()+,;=@")
#: What ``escape_path`` leaves alone besides letters, digits and ``-._~``; but ``&``, which we
#: percent-encode: readers take ``&amp;`` in a link for an HTML entity (feedparser turns
#: ``/a&amp;b/`` into ``/a&b/``), and a server decodes ``%26`` to the same file name.
_PATH_SAFE = "/!$'()*+,;=:@"
#: Longest slug, in UTF-8 bytes, that still leaves room for ``.atom`` in a 255-byte file name.
_MAX_SLUG_BYTES = 200

PLACEHOLDERS = frozenset(
    (
        "year",
        "month",
        "i_month",
        "day",
        "i_day",
        "short_year",
        "hour",
        "minute",
        "second",
        "y_day",
        "short_month",
        "long_month",
        "short_day",
        "long_day",
        "week",
        "w_year",
        "w_day",
        "title",
        "slug",
        "name",
        "categories",
        "slugified_categories",
        "output_ext",
        "collection",
    )
)


class PermalinkError(FeedsError):
    """A permalink template names a placeholder Jekyll does not know."""


def template(style_or_template: str) -> str:
    """The template for a built-in style name, or the template itself.

    Raises:
        PermalinkError: the template uses an unknown placeholder.
    """
    tpl = STYLES.get(style_or_template, style_or_template)
    for name in _PLACEHOLDER.findall(tpl):
        if _match(name) is None:
            raise PermalinkError(f"unknown permalink placeholder :{name} in {tpl!r}")
    return tpl


def _match(name: str) -> str | None:
    """The placeholder a ``:name`` run stands for; Jekyll lets ``:title_`` mean ``:title``."""
    if name in PLACEHOLDERS:
        return name
    if name.endswith("_") and name[:-1] in PLACEHOLDERS:
        return name[:-1]
    return None


def _keep(char: str, pretty: bool) -> bool:
    cat = unicodedata.category(char)
    return cat[0] in "LM" or cat == "Nd" or (pretty and char in _PRETTY_KEEP)


@functools.lru_cache(maxsize=65536)
def jekyll_slugify(text: str, pretty: bool = False, cased: bool = False) -> str:
    """Jekyll's ``slugify`` in ``default`` or ``pretty`` mode; may return ``""`` as Jekyll does."""
    if _ALREADY_SLUG.fullmatch(text):  # most post slugs (202112082207148720): no char to change
        return text if cased else text.lower()
    out: list[str] = []
    hyphen = False
    for char in text:
        if _keep(char, pretty):
            out.append(char)
            hyphen = False
        elif not hyphen:
            out.append("-")
            hyphen = True
    slug = "".join(out)
    slug = slug.removeprefix("-")
    slug = slug.removesuffix("-")
    return slug if cased else slug.lower()


@functools.lru_cache(maxsize=65536)
def scope_slug(name: str) -> str:
    """The URL and file-name key of a category or tag: Jekyll's default ``slugify``.

    Unlike Jekyll's, it is never empty and fits a file name: a name with no letter or digit
    (``!!!``) becomes ``_`` plus a hash of the name, and one over 200 UTF-8 bytes is cut and
    given a hash of the whole name, so distinct names stay distinct. It never holds ``/``,
    ``.`` or a control character.
    """
    slug = jekyll_slugify(name)
    digest = hashlib.sha1(name.encode("utf-8")).hexdigest()[:10]
    if not slug:
        return f"_{digest}"
    if len(slug.encode("utf-8")) > _MAX_SLUG_BYTES:
        cut = slug.encode("utf-8")[: _MAX_SLUG_BYTES - 11].decode("utf-8", "ignore").rstrip("-")
        return f"{cut}-{digest}"
    return slug


def url_path(
    tpl: str,
    *,
    date: datetime,
    slug: str,
    categories: tuple[str, ...],
    output_ext: str = ".html",
) -> str:
    """The percent-encoded path Jekyll gives a post: ``tpl`` filled in and sanitized.

    ``date`` must already be the instant Jekyll uses, in the site's zone (see
    :class:`feeds.dates.PostDate`). ``slug`` is the post's ``slug`` (front matter or file name).
    """
    cats = _lowered(categories)
    filled = []
    for before, name, escape, rest in _pieces(tpl):
        filled.append(before)
        if name:
            value = _VALUES[name](date, slug, cats, output_ext)
            filled.append((_escape(value) if escape else value) + rest)
    path = "/" + "".join(filled)
    if ".." in path:
        path = path.replace("..", "/")
    while "./" in path:
        path = path.replace("./", "")
    if "//" in path:
        path = _SLASHES.sub("/", path)
    # Literal parts of a template are not escaped by Jekyll; a URL must be, so finish the job
    # without touching the %XX escapes already made.
    if _URL_PATH.fullmatch(path):  # what quote() would keep as it is: most paths
        return path
    return quote(path, safe=_PATH_SAFE + "%~")


_SLASHES = re.compile("/{2,}")
#: A path of only what ``quote(path, safe=_PATH_SAFE + "%~")`` keeps.
_URL_PATH = re.compile(r"[A-Za-z0-9_.~/!$'()*+,;=:@%-]*")


@memo.by_names(4096)
def _lowered(categories: tuple[str, ...]) -> tuple[str, ...]:
    """The categories lower-cased, each once: what ``:categories`` joins. A site has a few
    thousand lists of them, repeated over its posts."""
    return tuple(dict.fromkeys(c.lower() for c in categories))


@functools.lru_cache(maxsize=64)
def _pieces(tpl: str) -> tuple[tuple[str, str, bool, str], ...]:
    """``tpl`` cut before each placeholder: the text before it, the placeholder, whether its
    value needs escaping, and what follows it in its run (the ``_`` of ``:title_``); the last
    piece holds the text after the last placeholder and no placeholder. A site has one
    template, so this is done once.

    Raises:
        PermalinkError: the template uses an unknown placeholder.
    """
    pieces = []
    pos = 0
    for m in _PLACEHOLDER.finditer(tpl):
        name = _match(m.group(1))
        if name is None:
            raise PermalinkError(f"unknown permalink placeholder :{m.group(1)} in {tpl!r}")
        escape = name not in _PLAIN_VALUES
        pieces.append((tpl[pos : m.start()], name, escape, m.group(1)[len(name) :]))
        pos = m.end()
    pieces.append((tpl[pos:], "", False, ""))
    return tuple(pieces)


_PLAIN_VALUE = re.compile(r"[a-zA-Z0-9./-]+")


def _escape(value: str) -> str:
    if not value or _PLAIN_VALUE.fullmatch(value):
        return value
    return quote(value, safe=_PATH_SAFE + "~")


_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

#: Each placeholder's value, from the date, the slug, the lower-cased categories and the
#: extension; only those a template names are worked out.
_VALUES: dict[str, Callable[[datetime, str, tuple[str, ...], str], str]] = {
    "year": lambda date, slug, cats, ext: f"{date.year:04d}",
    "month": lambda date, slug, cats, ext: f"{date.month:02d}",
    "i_month": lambda date, slug, cats, ext: str(date.month),
    "day": lambda date, slug, cats, ext: f"{date.day:02d}",
    "i_day": lambda date, slug, cats, ext: str(date.day),
    "short_year": lambda date, slug, cats, ext: f"{date.year % 100:02d}",
    "hour": lambda date, slug, cats, ext: f"{date.hour:02d}",
    "minute": lambda date, slug, cats, ext: f"{date.minute:02d}",
    "second": lambda date, slug, cats, ext: f"{date.second:02d}",
    "y_day": lambda date, slug, cats, ext: f"{date.timetuple().tm_yday:03d}",
    "short_month": lambda date, slug, cats, ext: _MONTHS[date.month - 1][:3],
    "long_month": lambda date, slug, cats, ext: _MONTHS[date.month - 1],
    "short_day": lambda date, slug, cats, ext: _DAYS[date.weekday()][:3],
    "long_day": lambda date, slug, cats, ext: _DAYS[date.weekday()],
    "week": lambda date, slug, cats, ext: f"{date.isocalendar()[1]:02d}",
    "w_year": lambda date, slug, cats, ext: str(date.isocalendar()[0]),
    "w_day": lambda date, slug, cats, ext: str(date.isocalendar()[2]),
    "title": lambda date, slug, cats, ext: jekyll_slugify(slug, True, True),
    "slug": lambda date, slug, cats, ext: jekyll_slugify(slug),
    "name": lambda date, slug, cats, ext: jekyll_slugify(slug),
    "categories": lambda date, slug, cats, ext: "/".join(cats),
    "slugified_categories": lambda date, slug, cats, ext: "/".join(map(jekyll_slugify, cats)),
    "output_ext": lambda date, slug, cats, ext: ext,
    "collection": lambda date, slug, cats, ext: "posts",
}

#: The placeholders whose values are only ASCII letters and digits: nothing to escape.
_PLAIN_VALUES = frozenset(_VALUES) - set(
    ["title", "slug", "name", "categories", "slugified_categories", "output_ext"]
)
