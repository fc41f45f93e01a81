"""What the front matter keys the feeds read mean: text as Jekyll prints it, category and tag
names, authors, the lead image and the language, each checked so that a hostile value costs
only itself.

:mod:`feeds.jekyll.posts` applies these to a post's front matter; nothing here knows files,
dates or URLs of pages.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from .. import content, memo
from ..errors import ParseError
from ..model import Author, Image, Problem
from . import links

_LANG = re.compile(r"[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*")
_WEB = re.compile(r"https?://[^\s]+\Z")
#: A front matter with more category or tag names than this is hostile, not a post.
_MAX_NAMES = 1000


def text(value: object) -> str:
    """A scalar as Jekyll would print it; anything else (lists, maps, sets, binary) counts as
    absent: a set prints in no fixed order, so it could not give the same bytes twice."""
    if value is None or isinstance(value, (list, dict, tuple, set, bytes)):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime | date):
        return value.isoformat()
    # The file was cleaned of control characters, but YAML escapes ("\0", "\x1f") make new ones.
    return content.strip_controls(str(value)).strip()


def names(
    first: tuple[str, ...], data: dict[str, Any], plural: str, singular: str, line_of: Any
) -> tuple[str, ...]:
    """Categories or tags: a string splits on white space, a list is taken item by item (an
    item with spaces is one name), as Jekyll reads them."""
    value = data.get(plural)
    key = plural
    if value is None:
        value, key = data.get(singular), singular
    if isinstance(value, str):  # most posts: "a b c"
        return tuple(dict.fromkeys(n for n in (*first, *_split(value)) if n))
    items: list[object] = list(value) if isinstance(value, list) else [value]
    found: list[str] = list(first)
    for item in items:
        if isinstance(item, str):
            found.append(_clean(item))
        elif isinstance(item, (int, float, bool, date)):
            found.append(text(item))
        elif item is not None:
            raise ParseError(f"{key} must be a string or a list of strings", line_of(key))
        if len(found) > _MAX_NAMES:
            raise ParseError(f"{key}: more than {_MAX_NAMES} names", line_of(key))
    return tuple(dict.fromkeys(n for n in found if n))


def titleize(slug: str) -> str:
    """The title Jekyll gives a post without one: ``dec-the-second`` is ``Dec The Second``
    (``Utils.titleize_slug``: each hyphen-separated word capitalized)."""
    return " ".join(word.capitalize() for word in slug.split("-"))


def shown(names: tuple[str, ...]) -> tuple[str, ...]:
    """Names as the feeds show them: text, never HTML (:func:`feeds.content.as_text`)."""
    return tuple(dict.fromkeys(n for n in map(_as_text, names) if n))


# A site has a few thousand category and tag names, repeated over its posts: each is cleaned
# and made text once.
_as_text = memo.by_text(16384)(content.as_text)


@memo.by_text(16384)
def _split(value: str) -> tuple[str, ...]:
    """The names in a string of them, split on white space."""
    return tuple(content.strip_controls(value).split())


@memo.by_text(16384)
def _clean(item: str) -> str:
    """A name given as a list item."""
    return content.strip_controls(item).strip()


def authors(data: dict[str, Any], site: dict[str, Any]) -> tuple[Author, ...]:
    """``authors`` (a list), else ``author``, as jekyll-feed reads them: each a name, a mapping
    with ``name``, ``email`` and ``uri`` (or ``url``), or a key into ``_data/authors.yml``."""
    value = data.get("authors") or data.get("author")
    if value is None:  # most posts: the site's author
        return ()
    known = site.get("data", {}).get("authors") if isinstance(site.get("data"), dict) else None
    found: list[Author] = []
    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, str) and isinstance(known, dict) and isinstance(known.get(item), dict):
            item = {"name": item, **known[item]}
        if isinstance(item, dict):
            name, email, uri = (text(item.get(k)) for k in ("name", "email", "uri"))
            uri = uri or text(item.get("url"))
        else:
            name, email, uri = text(item), "", ""
        name = content.as_text(name)
        if name:
            found.append(
                Author(name, email if "@" in email else "", uri if _WEB.match(uri) else "")
            )
    return tuple(dict.fromkeys(found))


#: The front matter keys that name a lead image, in the order they are tried.
_IMAGE_KEYS = ("image", "thumbnail", "cover")
_MEDIA_TYPE = re.compile(r"[A-Za-z0-9][\w.+-]*/[A-Za-z0-9][\w.+-]*")


def image(
    data: dict[str, Any], site_url: str, path: str, problems: list[Problem], line_of: Any
) -> Image | None:
    """The lead image the front matter names: ``image`` (a URL or path, or a mapping with
    ``path`` and, optionally, ``length`` in bytes and ``type``, as jekyll-seo-tag reads it),
    else ``thumbnail``, else ``cover``; made absolute as ``absolute_url`` makes it. One that is
    no http(s) URL or path (``data:``, ``javascript:``, a list) is skipped with a warning and
    the next key tried; with none, the content's first image stands in when feeds are written.
    """
    for key in _IMAGE_KEYS:
        value = data.get(key)
        if value is None or value == "":
            continue
        stated = value if isinstance(value, dict) else {"path": value}
        given = stated.get("path", stated.get("url"))
        url = (
            links.absolute_url(links.encoded(given.strip()), site_url)
            if isinstance(given, str) and given.strip()
            else None
        )
        if url is None:
            written = given if isinstance(given, str) else value
            problems.append(
                Problem(
                    path,
                    line_of(key),
                    "warning",
                    f"{key} {str(written)[:80]!r} is no http(s) URL or path on the site: "
                    "it is not the post's lead image",
                )
            )
            continue
        length = stated.get("length")
        media_type = stated.get("type")
        return Image(
            url,
            length if type(length) is int and 0 < length < 2**63 else 0,
            media_type if isinstance(media_type, str) and _MEDIA_TYPE.fullmatch(media_type) else "",
        )
    return None


def lang(value: object) -> str:
    """A post's ``lang`` if it looks like a BCP 47 tag (``fr-FR``), else empty."""
    found = text(value)
    return found if _LANG.fullmatch(found) else ""
