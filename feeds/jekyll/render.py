"""A parsed post's body as Jekyll publishes it: its Liquid rendered, then Markdown or HTML to
safe HTML (:mod:`feeds.content`), and the excerpt Jekyll makes when the front matter gives no
summary.

Apart from parsing (:mod:`feeds.jekyll.posts`) because it is the costly half of a post and runs
later, only for posts some feed shows, on every core of an export, from the file again.
"""

from __future__ import annotations

import re
from dataclasses import replace

from .. import content, summaries
from ..errors import ParseError
from ..model import Post
from . import defaults
from .fields import text as _text
from .files import read
from .frontmatter import decode, load_yaml, split_front_matter
from .posts import Rules, liquid_body, parse_text

_MARKDOWN = (".md", ".markdown")
#: What front matter needs to name a key that rendering reads without Liquid.
_EXCERPT_KEYS = re.compile(r"description|excerpt|\\")


def finish(rules: Rules, post: Post) -> Post:
    """``post`` with its body, read again from its file, its Liquid rendered as Jekyll would,
    then rendered to safe HTML, and a summary unless the front matter gave one. A file gone or
    broken since leaves the post as it was: the next refresh drops or re-reads the post."""
    done = rendered(rules, post.path, post.url, post.summary, post)
    return post if done is None else replace(post, content_html=done[0], summary=done[1])


def rendered(
    rules: Rules, path: str, url: str, summary: str, post: Post | None = None
) -> tuple[str, str] | None:
    """(content, summary) of the parsed post at ``path`` (:func:`finish`), whose page is
    ``url`` and whose front matter gave ``summary`` ('' if none); ``None`` if its file is gone
    or broken.

    All an export's workers need of a post is its path, URL and summary: ``post`` (the parsed
    post, which Liquid's ``page`` reads) may be left out, and is then parsed again from the file
    for the few bodies that hold Liquid.
    """
    try:
        text = decode(read(f"{rules.root}/{path}"))  # a str: pathlib's / costs more than reading
        fm_text, body, fm_line, _ = split_front_matter(text) or ("", text, 1, 0)
        # No Liquid without "{{" or "{%". Without it, only the keys below are read of the front
        # matter: text that cannot name them (no escape spells them otherwise) is not parsed
        # again, which it was, without fault, when the post was made.
        liquid = "{" in body
        own = load_yaml(fm_text, fm_line) if liquid or _EXCERPT_KEYS.search(fm_text) else {}
        data = defaults.apply(rules.site, rules.root, path, own)
        if liquid and post is None:  # the page Liquid sees
            post = parse_text(path, text, rules, [], render_liquid=False)
    except (OSError, ParseError):
        return None
    # decode() left the body no control character; what Liquid puts in it may hold any.
    decoded = not liquid
    if liquid:
        if post is None:  # unpublished since it was parsed: the next refresh drops it
            return None
        body, _ = liquid_body(rules, post, data, body)
    markdown = path.endswith(_MARKDOWN)
    html = content.render(body, markdown=markdown, page_url=url, controls_free=decoded)
    if not summary and not _text(data.get("description")) and data.get("excerpt") is None:
        # Jekyll's excerpt: the body up to excerpt_separator, by default its first paragraph.
        separator = (
            _text(data.get("excerpt_separator"))
            or _text(rules.site.get("excerpt_separator"))
            or "\n\n"
        )
        parts = body.lstrip("\n").split(separator, 1)
        # No separator: the excerpt is the whole body, whose HTML is already there (the blank
        # lines lstrip drops are no text). A generated or scraped post often has none.
        summary = (
            summaries.summary(html, rules.summary_length)
            if len(parts) == 1
            else summaries.excerpt_summary(
                parts[0],
                rules.summary_length,
                markdown=markdown,
                page_url=url,
                controls_free=decoded,
            )
        )
    return html, summary
