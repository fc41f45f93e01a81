"""The bytes on the wire for a built document: conditional GET, gzip and the caching headers.

One pure function answers both paths a request can take (the pre-Flask poll path of
:meth:`feeds.service.Feeds.answer_cached` and the Flask view), so the two cannot disagree.
Headers follow RFC 9110: a strong ETag per content coding, Last-Modified when the document
changed, ``If-None-Match`` before ``If-Modified-Since``, 304 with no body,
``Vary: Accept-Encoding``.
"""

from __future__ import annotations

import functools

from werkzeug.http import parse_accept_header, parse_etags

from . import dates
from .cache import Entry

#: The status lines of :func:`answer`'s codes, as werkzeug writes them.
STATUS = {200: "200 OK", 304: "304 NOT MODIFIED"}
#: Cache-Control of a sealed RFC 5005 archive page: its bytes never change (a year, RFC 8246).
_SEALED = "public, max-age=31536000, immutable"


def answer(
    entry: Entry,
    accept_encoding: str | None,
    if_none_match: str | None,
    if_modified_since: str | None,
    cache_control: str,
    link: str,
) -> tuple[int, list[tuple[str, str]], bytes]:
    """The status, headers and body that answer a request for ``entry`` with those headers
    (absent: ``None``) and ``link``, its ``Link`` header (empty: none); the same on Flask's
    path and on :meth:`feeds.service.Feeds.answer_cached`'s. ``cache_control`` is the feeds';
    a sealed archive page's bytes never change, so it says so instead."""
    gzip = _takes_gzip(accept_encoding)
    etag = entry.gzip_etag if gzip else entry.etag
    control = _SEALED if entry.sealed else cache_control
    headers = [("ETag", etag), ("Cache-Control", control), ("Vary", "Accept-Encoding")]
    if link:
        headers.append(("Link", link))
    if _not_modified(entry, if_none_match, if_modified_since):
        return 304, headers, b""  # no Last-Modified: werkzeug drops it from a 304 too
    if entry.last_modified:
        headers.append(("Last-Modified", entry.last_modified))
    headers.append(("Content-Type", entry.media_type))
    body = entry.body
    if gzip:
        headers.append(("Content-Encoding", "gzip"))
        body = entry.gzipped
    headers.append(("Content-Length", str(len(body))))
    return 200, headers, body


@functools.lru_cache(maxsize=256)
def _takes_gzip(accept_encoding: str | None) -> bool:
    """Whether ``Accept-Encoding`` allows gzip; readers send a handful of distinct values."""
    return parse_accept_header(accept_encoding).quality("gzip") > 0


def _not_modified(entry: Entry, if_none_match: str | None, since: str | None) -> bool:
    """RFC 9110 13.1.2 and 13.1.3: If-None-Match decides when present (weak comparison, either
    coding's tag matches); otherwise If-Modified-Since, ignored unless it is one valid HTTP-date.
    A date in the future is a valid one: the RFC compares it as it is."""
    if if_none_match is not None:
        if if_none_match in (entry.etag, entry.gzip_etag):  # what a reader sends back: no parsing
            return True
        tags = parse_etags(if_none_match)
        return tags.star_tag or any(
            tags.contains_weak(t[1:-1]) for t in (entry.etag, entry.gzip_etag)
        )
    if since is None or entry.last_modified is None:
        return False
    when, modified = dates.parse_http_date(since), dates.parse_http_date(entry.last_modified)
    return when is not None and modified is not None and modified <= when
