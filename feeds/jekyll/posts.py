"""Jekyll's post rules: one post file and the site's rules give a :class:`~feeds.model.Post` or
the problems that kept it out, never an exception.

Each file's problems come back as :class:`~feeds.model.Problem` values with the file and line,
so one bad post costs only itself. Dates, names, permalinks and the front matter keys that
Jekyll and its plugins read (``published``, ``slug``, ``last_modified_at``...) follow Jekyll.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from .. import content, dates, summaries
from ..config import Config
from ..errors import ConfigError, ParseError
from ..model import Post, Problem
from . import defaults, fields, links, permalink, siteconfig
from .bodytext import body_text
from .entries import JEKYLL, Filter
from .files import POST_NAME, SourceFile, read
from .frontmatter import decode, load_yaml, locate_front_matter

if TYPE_CHECKING:
    from . import liquid


@dataclass(frozen=True, slots=True)
class Rules:
    """What parsing needs from the config, and nothing else."""

    root: Path
    site_url: str
    zone: tzinfo
    #: A checked permalink template (see :func:`feeds.jekyll.permalink.template`).
    permalink: str
    max_post_bytes: int
    summary_length: int
    #: The site's ``_config.yml`` with ``data``: Liquid's ``site`` (see :attr:`Config.jekyll`).
    site: dict[str, Any] = field(default_factory=dict)
    #: Which folders and files Jekyll reads as posts (``exclude``/``include``).
    entries: Filter = JEKYLL


@dataclass(frozen=True, slots=True)
class Parsed:
    """What one file gave: a post (``None`` if skipped or unpublished) and its problems.

    The post is not rendered yet: ``content_html`` is empty and ``summary`` holds only what the
    front matter gave. Rendering is most of what a post costs and only posts some feed shows
    need it, so the index renders on first use (:func:`feeds.jekyll.render.finish`).
    """

    post: Post | None
    problems: tuple[Problem, ...] = ()
    #: The body's words as plain text, without rendering it: what keyword search looks through;
    #: folded (each white space run one space, none at either end), as search.searchable folds.
    text: str = ""


def liquid_body(
    rules: Rules, post: Post, data: dict[str, Any], body: str
) -> tuple[str, liquid.LiquidWarning | None]:
    """The body with its Liquid rendered (:func:`feeds.jekyll.liquid.render`), ``page`` being
    the front matter with what Jekyll adds to it."""
    from . import liquid  # a quarter second to import: only when a body holds Liquid

    page = {
        **data,
        "url": post.url[len(rules.site_url) :],
        "date": post.date,
        "title": post.title,
        "slug": post.slug,
        "categories": list(post.categories),
        "tags": list(post.tags),
        "path": post.path,
    }
    finder = liquid.Links(
        post=lambda name: _url_of(rules, links.find_post(rules.root, name, rules.entries)),
        file=lambda rel: (
            _url_of(rules, rel)
            if links.is_post(rel)
            else links.page_url(rules.root, rel, rules.site)
        ),
    )
    base_path = urlsplit(rules.site_url).path
    return liquid.render(
        body, site=rules.site, page=page, root=rules.root, base_path=base_path, links=finder
    )


def _url_of(rules: Rules, rel: str | None) -> str | None:
    """The site-relative URL of the post file ``rel``, read without its Liquid (so posts that
    link to each other end); ``None`` if it is not a post that is published."""
    if rel is None or not links.is_post(rel):
        return None
    try:
        post = parse_text(rel, decode(read(rules.root / rel)), rules, [], render_liquid=False)
    except (OSError, ParseError):
        return None
    return post.url[len(rules.site_url) :] if post else None


def parse(
    file: SourceFile, rules: Rules, *, words: bool = True, raw: bytes | OSError | None = None
) -> Parsed:
    """Read and parse one post file; every problem is returned, never raised. ``words``: also
    take the body's words (:attr:`Parsed.text`), a third of the cost, for keyword search.
    ``raw``: the file's bytes, or the error reading them raised, when the caller read it
    (:func:`~feeds.jekyll.files.read_all`)."""
    problems: list[Problem] = []
    if file.size > rules.max_post_bytes:
        return Parsed(
            None,
            (
                Problem(
                    file.path,
                    1,
                    "warning",
                    f"skipped: {file.size} bytes is over [site] max_post_bytes ({rules.max_post_bytes})",
                ),
            ),
        )
    try:
        if raw is None:
            raw = read(f"{rules.root}/{file.path}")  # a str: pathlib's / costs more than reading
        elif isinstance(raw, OSError):
            raise raw
        if len(raw) > rules.max_post_bytes:  # it grew since it was listed
            return Parsed(
                None,
                (
                    Problem(
                        file.path,
                        1,
                        "warning",
                        f"skipped: {len(raw)} bytes is over [site] max_post_bytes ({rules.max_post_bytes})",
                    ),
                ),
            )
        decoded = decode(raw)
        post = parse_text(file.path, decoded, rules, problems)
        text = body_text(decoded) if post is not None and words else ""
    except ParseError as e:
        problems.append(Problem(file.path, e.line, "error", e.message))
        return Parsed(None, tuple(problems))
    except OSError as e:
        problems.append(Problem(file.path, 1, "error", f"cannot read: {e.strerror or e}"))
        return Parsed(None, tuple(problems))
    except Exception as e:
        problems.append(Problem(file.path, 1, "error", f"cannot parse: {type(e).__name__}: {e}"))
        return Parsed(None, tuple(problems))
    return Parsed(post, tuple(problems), text)


def parse_text(
    path: str, text: str, rules: Rules, problems: list[Problem], *, render_liquid: bool = True
) -> Post | None:
    """Parse one file's text (:func:`decode`), all but the body's rendering; warnings go to
    ``problems``.

    With ``render_liquid``, the body's Liquid is tried so that what cannot be rendered is a
    warning now (the body is rendered for good by :func:`feeds.jekyll.render.finish`).

    Returns ``None`` for a post hidden with ``published: false`` or with no front matter.

    Raises:
        ParseError: the post cannot be published (bad YAML or date).
    """
    name = path.rsplit("/", 1)[-1]
    m = POST_NAME.fullmatch(name)
    if m is None:
        raise ParseError(
            "not a post: the file name is not YYYY-MM-DD-<slug>.md, .markdown or .html"
        )
    file_date, file_slug, _ext = m.groups()
    split = locate_front_matter(text)
    if split is None:
        # Jekyll publishes a file in _posts without front matter too: name and folders say all.
        split = ("", 0, 1, 0)
    fm_text, body_start, fm_line, blank_lines = split
    data = defaults.apply(
        rules.site, rules.root, path, load_yaml(fm_text, fm_line) if fm_text else {}
    )
    if data.get("published", True) is False:
        return None

    def line_of(key: str) -> int:
        found = re.search(rf"^{re.escape(key)}[ \t]*:", fm_text, re.MULTILINE)
        return fm_line + fm_text.count("\n", 0, found.start()) if found else fm_line

    raw_date = data.get("date")
    key = "date"
    if raw_date is None or raw_date == "":
        raw_date, key = file_date, ""
    try:
        when = dates.parse(raw_date, rules.zone)
    except dates.DateError as e:
        raise ParseError(f"bad date: {e}", line_of(key) if key else 1) from e
    if when.meant < dates.EPOCH:
        # Year 1 and the like: readers misread them (newsboat shows 0001 as 2001) or overflow.
        raise ParseError(
            f"bad date: {dates.rfc3339(when.meant)} is before 1970, which feed readers cannot show",
            line_of(key) if key else 1,
        )

    slug = fields.text(data.get("slug")) or file_slug
    # "a/b/_posts/x.md": the folders above _posts are categories, as in Jekyll.
    folder_cats = tuple(path.split("/_posts/", 1)[0].split("/")) if "/_posts/" in path else ()
    categories = fields.names(folder_cats, data, "categories", "category", line_of)
    tags = fields.names((), data, "tags", "tag", line_of)

    tpl = rules.permalink
    own = data.get("permalink")
    if own is not None:
        own = content.strip_controls(own).strip() if isinstance(own, str) else own
        if isinstance(own, str) and own:
            try:
                tpl = permalink.template(own)
            except permalink.PermalinkError as e:
                raise ParseError(str(e), line_of("permalink")) from e
        else:
            problems.append(
                Problem(
                    path,
                    line_of("permalink"),
                    "warning",
                    "permalink must be a string; the site's is used",
                )
            )
    # The page's URL comes from the names as Jekyll reads them; the feeds show them as text.
    jekyll_time = when.jekyll.astimezone(rules.zone)
    url = rules.site_url + permalink.url_path(
        tpl, date=jekyll_time, slug=slug, categories=categories
    )
    if blank_lines:
        # Jekyll does not see this front matter: its page is where the file name alone puts it.
        seen = dates.parse(file_date, rules.zone).jekyll.astimezone(rules.zone)
        jekyll_url = rules.site_url + permalink.url_path(
            rules.permalink, date=seen, slug=file_slug, categories=folder_cats
        )
        where = f"at {jekyll_url}" + (f", not at {url}," if jekyll_url != url else "")
        problems.append(
            Problem(
                path,
                1,
                "warning",
                (
                    f"{blank_lines} blank line(s) before the front matter: Jekyll does not see it and publishes "
                    f"the page {where} with the title, date and categories of the file name; the feeds link "
                    "there and use the front matter for the rest. Delete the blank lines so that Jekyll reads it"
                ),
            )
        )
        url = jekyll_url
    categories, tags = fields.shown(categories), fields.shown(tags)
    jekyll_day = jekyll_time.date()
    if when.naive and jekyll_day != when.meant.date():
        problems.append(
            Problem(
                path,
                line_of("date"),
                "warning",
                (
                    f"naive time {raw_date} is {dates.rfc3339(when.meant)} in the site zone, but Jekyll reads it "
                    f"as UTC and dates the page {jekyll_day.isoformat()} ({dates.rfc3339(jekyll_time)}); "
                    "the feeds give the first and link to the page Jekyll publishes"
                ),
            )
        )

    updated = when.meant
    for ukey in ("last_modified_at", "updated"):
        if data.get(ukey) not in (None, ""):
            try:
                updated = dates.parse(data[ukey], rules.zone).meant
            except dates.DateError as e:
                problems.append(
                    Problem(path, line_of(ukey), "warning", f"bad {ukey}, the date is used: {e}")
                )
            if updated < dates.EPOCH:
                problems.append(
                    Problem(
                        path,
                        line_of(ukey),
                        "warning",
                        f"bad {ukey}, the date is used: {dates.rfc3339(updated)} is before 1970",
                    )
                )
                updated = when.meant
            break

    # jekyll-feed's summary: description, else excerpt ("" is none), else Jekyll's excerpt,
    # which needs the body and is made by render.finish().
    excerpt = fields.text(data.get("description")) or fields.text(data.get("excerpt"))
    post = Post(
        path=path,
        slug=file_slug,
        title=content.as_text(fields.text(data.get("title"))) or fields.titleize(file_slug),
        date=when.meant,
        updated=updated,
        categories=categories,
        tags=tags,
        authors=fields.authors(data, rules.site),
        url=url,
        content_html="",
        summary=summaries.summarize(content.plain_text(excerpt), rules.summary_length)
        if excerpt
        else "",
        lang=fields.lang(data.get("lang")),
        excerpt_only=isinstance(data.get("feed"), dict)
        and data["feed"].get("excerpt_only") is True,
        image=fields.image(data, rules.site_url, path, problems, line_of),
    )
    # No Liquid without "{{" or "{%": no need to try.
    if render_liquid and text.find("{", body_start) != -1:
        _, warning = liquid_body(rules, post, data, text[body_start:])
        if warning is not None:
            body_line = fm_line + fm_text.count("\n") + 1
            problems.append(Problem(path, body_line + warning.line - 1, "warning", warning.message))
    return post


def rules_for(config: Config) -> Rules:
    """The parsing rules a config sets.

    Raises:
        ConfigError: ``[site] permalink`` names an unknown placeholder, or ``_config.yml``'s
            ``exclude`` or ``include`` is not a list.
    """
    try:
        tpl = permalink.template(config.site.permalink)
    except permalink.PermalinkError as e:
        raise ConfigError(f"{config.path}: [site] permalink: {e}") from e
    return Rules(
        root=config.site.source,
        site_url=config.site.url,
        zone=config.site.timezone,
        permalink=tpl,
        max_post_bytes=config.site.max_post_bytes,
        summary_length=config.feeds.summary_length,
        site=config.jekyll,
        entries=siteconfig.entry_filter(config.jekyll, config.site.source / siteconfig.CONFIG_FILE),
    )
