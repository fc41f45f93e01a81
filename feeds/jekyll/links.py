"""Where Jekyll's ``{% post_url %}`` and ``{% link %}`` point: a post file by name, a page's URL;
and a URL or path on the site made absolute, as ``absolute_url`` makes it.

A post's own URL needs the post rules (:mod:`feeds.jekyll.posts` passes them in); a page's is
its ``permalink`` or its path, with ``.html`` for Markdown and HTML, as Jekyll writes it.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

from ..errors import ParseError
from .entries import Filter
from .files import POST_NAME, find, read
from .frontmatter import decode, load_yaml, split_front_matter


def find_post(root: Path, name: str, entries: Filter) -> str | None:
    """The post file ``{% post_url name %}`` means (``2013-12-12-x`` or ``folder/2013-12-12-x``),
    relative to ``root``, or ``None`` if there is none. Lists the site's posts: a post that
    links to another costs one listing."""
    if not name or ".." in name.split("/"):
        return None
    folder, _, stem = name.rpartition("/")
    files, _ = find(root, entries)
    for f in files:
        if f.path.rsplit("/", 1)[-1].rsplit(".", 1)[0] != stem:
            continue
        if not folder or f.path.startswith(f"{folder}/") or f"/{folder}/" in f.path:
            return f.path
    return None


def is_post(rel: str) -> bool:
    """Whether ``rel`` names a post file (in a ``_posts`` folder, named as a post)."""
    return (
        "_posts" in rel.split("/")[:-1] and POST_NAME.fullmatch(rel.rsplit("/", 1)[-1]) is not None
    )


def page_url(root: Path, rel: str, site: Mapping[str, Any]) -> str | None:
    """The site-relative URL Jekyll gives the file ``rel`` that is not a post: its front
    matter's ``permalink``; in a collection (``_docs/x.md``) the collection's ``permalink``
    (default ``/:collection/:path:output_ext``); else its path, with ``.html`` for Markdown and
    HTML and ``index.md`` its folder. ``None`` if there is no such file."""
    if not rel or ".." in rel.split("/") or rel.startswith("/") or not (root / rel).is_file():
        return None
    try:
        split = split_front_matter(decode(read(root / rel)))
        own = load_yaml(split[0], split[2]).get("permalink") if split else None
    except (OSError, ParseError):
        own = None
    if isinstance(own, str) and own.startswith("/"):
        return own
    stem, dot, ext = rel.rpartition(".")
    rendered = bool(dot) and ext in ("md", "markdown", "html")
    output_ext = ".html" if rendered else (dot + ext)
    stem = stem if dot else rel
    if rel.startswith("_") and "/" in rel:
        name, _, inner = stem.partition("/")
        collections = site.get("collections")
        config = collections.get(name[1:]) if isinstance(collections, dict) else None
        template = config.get("permalink") if isinstance(config, dict) else None
        url = str(template or "/:collection/:path:output_ext")
        for key, value in (
            ("collection", name[1:]),
            ("path", inner),
            ("name", inner.rsplit("/", 1)[-1]),
            ("title", inner.rsplit("/", 1)[-1]),
            ("output_ext", output_ext),
        ):
            url = url.replace(f":{key}", value)
        return url
    path = "/" + stem + output_ext
    return path[: -len("index.html")] if path.endswith("/index.html") else path


#: What :func:`encoded` leaves as it is: RFC 3986's reserved and unreserved characters and ``%``.
_URL_SAFE = "/:?#[]@!$&'()*+,;=%~"


def absolute_url(value: str, site_url: str) -> str | None:
    """``value``, a URL or a path on the site (``/assets/x.png``), absolute as Jekyll's
    ``absolute_url`` makes it: a path goes below ``site_url`` (``url`` + ``baseurl``), a URL
    stays. ``None`` unless the result is an http(s) URL with a host and no space or control
    character: a ``data:`` or ``javascript:`` URL is no link a feed may carry."""
    try:
        url = value if urlsplit(value).scheme else f"{site_url}/{value.lstrip('/')}"
        parts = urlsplit(url)
    except ValueError:  # "http://[::1" and other unparseable hosts
        return None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return url if url.isprintable() and " " not in url else None


def encoded(url: str) -> str:
    """``url`` percent-encoded where it holds what a URL may not (spaces, CJK, controls), its
    reserved characters and existing escapes kept: ASCII, as feed validators want an attribute
    URL."""
    return quote(url, safe=_URL_SAFE)
