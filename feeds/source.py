"""Jekyll post files → :class:`~feeds.model.Post`, one file at a time, never raising.

Finding files follows Jekyll: posts live in ``<source>/_posts/**`` and
``<source>/<dir>/.../_posts/**`` (the folders above ``_posts`` are categories), named
``YYYY-MM-DD-<slug>.<md|markdown|html>``; folders and files starting with ``.``, ``_``, ``#``
or ``~`` are ignored, as Jekyll ignores them. Each file's problems come back as
:class:`~feeds.model.Problem` values with the file and line, so one bad post costs only itself.
"""

from __future__ import annotations

import errno
import os
import re
import stat
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, tzinfo
from pathlib import Path
from typing import Any

import yaml

from . import content, dates, permalink
from .config import Config
from .errors import ConfigError, ParseError
from .model import Post, Problem

try:  # the C loader is ~10x faster; fall back where libyaml is missing
    from yaml import CSafeLoader as SafeLoader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader  # type: ignore[assignment]

POST_NAME = re.compile(r"(\d{4}-\d{2}-\d{2})-(.+)\.(md|markdown|html)")
_MARKDOWN = (".md", ".markdown")
_IGNORED_PREFIXES = (".", "_", "#", "~")
_OPENING = re.compile(r"---[ \t]*\n")
_CLOSING = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.MULTILINE)
#: Characters a post's path must not hold: lone surrogates (bytes that are not UTF-8) and controls.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
#: The earliest date a post may have: the Unix epoch, which every feed reader can show.
_EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
#: A front matter with more category or tag names than this is hostile, not a post.
_MAX_NAMES = 1000


@dataclass(frozen=True, slots=True)
class SourceFile:
    """A post file found on disk, with the stat the index compares to see it changed."""

    #: Relative to the site source, ``/``-separated.
    path: str
    size: int
    mtime_ns: int


@dataclass(frozen=True, slots=True)
class Rules:
    """What parsing needs from the config, and nothing else."""

    root: Path
    site_url: str
    zone: tzinfo
    #: A checked permalink template (see :func:`feeds.permalink.template`).
    permalink: str
    max_post_bytes: int
    summary_length: int


@dataclass(frozen=True, slots=True)
class Parsed:
    """What one file gave: a post (``None`` if skipped or unpublished) and its problems.

    The post is not rendered yet: ``content_html`` is empty and ``summary`` holds only what the
    front matter gave. Rendering is most of what a post costs and only posts some feed shows
    need it, so the index renders on first use (:func:`finish`).
    """

    post: Post | None
    problems: tuple[Problem, ...] = ()


def finish(root: Path, post: Post, summary_length: int) -> Post:
    """``post`` with its body, read again from its file, rendered to safe HTML, and a summary
    unless the front matter gave one. A file gone or broken since leaves the content empty:
    the next refresh drops or re-reads the post."""
    try:
        split = split_front_matter(decode(read(root / post.path)))
    except (OSError, ParseError):
        split = None
    if split is None:
        return post
    html = content.render(split[1], markdown=post.path.endswith(_MARKDOWN), page_url=post.url)
    summary = post.summary or content.summarize(content.plain_text(html), summary_length)
    return replace(post, content_html=html, summary=summary)


def find(root: Path) -> tuple[list[SourceFile], list[Problem]]:
    """Every post file under ``root``, sorted by path, and a warning for each misnamed file.

    Raises:
        OSError: ``root`` itself cannot be read.
    """
    files, _, problems = scan(root, {})
    return files, problems


def scan(root: Path, known: Mapping[str, tuple[int, int]]) -> tuple[list[SourceFile], set[str], list[Problem]]:
    """The post files under ``root`` whose (size, mtime) differ from ``known`` (sorted by
    path), every post path seen, and a warning for each file skipped.

    A path already known is a post's: it needs one stat and a look-up, nothing more, so a
    scan of a large site that changed little costs little more than listing it.

    Raises:
        OSError: ``root`` itself cannot be read.
    """
    changed: list[SourceFile] = []
    seen: set[str] = set()
    problems: list[Problem] = []
    for posts_dir in _posts_dirs(root, ""):
        for rel, st in _walk(root, posts_dir):
            if st is not None and rel in known:
                seen.add(rel)
                if known[rel] != (st.st_size, st.st_mtime_ns):
                    changed.append(SourceFile(rel, st.st_size, st.st_mtime_ns))
            elif not _printable(rel):
                shown = os.fsencode(rel).decode("utf-8", "replace")
                problems.append(Problem(shown, 1, "warning", "skipped: the file's path is not valid UTF-8 or holds control characters; rename it"))
            elif not POST_NAME.fullmatch(rel.rsplit("/", 1)[-1]):
                problems.append(Problem(rel, 1, "warning", "not a post: the file name is not YYYY-MM-DD-<slug>.md, .markdown or .html; skipped, as Jekyll skips it"))
            elif st is None:
                problems.append(Problem(rel, 1, "warning", "skipped: a symbolic link; feeds reads only regular files, so a post cannot pull in a file from elsewhere"))
            else:
                seen.add(rel)
                changed.append(SourceFile(rel, st.st_size, st.st_mtime_ns))
    changed.sort(key=lambda f: f.path)
    problems.sort(key=lambda p: p.path)
    return changed, seen, problems


def stat_post(root: Path, rel: str) -> SourceFile | None:
    """The post file at ``rel`` as :func:`find` would list it, or ``None`` if there is no
    such post file (gone, misnamed, or outside a ``_posts`` folder)."""
    parts = rel.split("/")
    if "_posts" not in parts[:-1] or not POST_NAME.fullmatch(parts[-1]) or not _printable(rel):
        return None
    if any(p.startswith(_IGNORED_PREFIXES) and p != "_posts" for p in parts):
        return None
    try:
        st = os.stat(root / rel, follow_symlinks=False)
    except OSError:
        return None
    if not stat.S_ISREG(st.st_mode):
        return None
    return SourceFile(rel, st.st_size, st.st_mtime_ns)


def _posts_dirs(root: Path, rel: str) -> Iterator[str]:
    """``_posts`` folders at any depth below ``root``, skipping folders Jekyll ignores."""
    with os.scandir(root / rel if rel else root) as entries:
        subdirs = sorted(e.name for e in entries if e.is_dir(follow_symlinks=False))
    for name in subdirs:
        sub = f"{rel}/{name}" if rel else name
        if name == "_posts":
            yield sub
        elif not name.startswith(_IGNORED_PREFIXES) and name not in ("node_modules", "vendor"):
            yield from _posts_dirs(root, sub)


def _walk(root: Path, rel: str) -> Iterator[tuple[str, os.stat_result | None]]:
    """Regular files below ``rel``, with their stat; symbolic links to files with ``None``
    (:func:`stat_post` refuses them too, so a full scan and a watched change agree)."""
    with os.scandir(root / rel) as entries:
        for e in entries:
            if e.name.startswith(_IGNORED_PREFIXES):
                continue
            sub = f"{rel}/{e.name}"
            if e.is_dir(follow_symlinks=False):
                yield from _walk(root, sub)
            elif e.is_file(follow_symlinks=False):
                yield sub, e.stat(follow_symlinks=False)
            elif e.is_symlink() and e.is_file():
                yield sub, None


def _printable(rel: str) -> bool:
    """False for a path the index cannot store or a terminal cannot show: bytes that are not
    UTF-8 (decoded as lone surrogates) or control characters."""
    return _UNPRINTABLE.search(rel) is None


def read(path: Path) -> bytes:
    """A post file's bytes, refusing anything but a regular file: a symbolic link or a FIFO
    put in its place since it was listed is neither followed nor waited on.

    Raises:
        OSError: the file cannot be opened or read, or is not a regular file.
    """
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    with open(fd, "rb") as f:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "not a regular file")
        return f.read()


def parse(file: SourceFile, rules: Rules) -> Parsed:
    """Read and parse one post file; every problem is returned, never raised."""
    problems: list[Problem] = []
    if file.size > rules.max_post_bytes:
        return Parsed(None, (Problem(file.path, 1, "warning", f"skipped: {file.size} bytes is over [site] max_post_bytes ({rules.max_post_bytes})"),))
    try:
        raw = read(rules.root / file.path)
        if len(raw) > rules.max_post_bytes:  # it grew since it was listed
            return Parsed(None, (Problem(file.path, 1, "warning", f"skipped: {len(raw)} bytes is over [site] max_post_bytes ({rules.max_post_bytes})"),))
        post = parse_bytes(file.path, raw, rules, problems)
    except ParseError as e:
        problems.append(Problem(file.path, e.line, "error", e.message))
        return Parsed(None, tuple(problems))
    except OSError as e:
        problems.append(Problem(file.path, 1, "error", f"cannot read: {e.strerror or e}"))
        return Parsed(None, tuple(problems))
    except Exception as e:  # noqa: BLE001 - the one broad catch: a post we did not foresee costs only itself
        problems.append(Problem(file.path, 1, "error", f"cannot parse: {type(e).__name__}: {e}"))
        return Parsed(None, tuple(problems))
    return Parsed(post, tuple(problems))


def parse_bytes(path: str, raw: bytes, rules: Rules, problems: list[Problem]) -> Post | None:
    """Parse one file's bytes, all but the body's rendering; warnings go to ``problems``.

    Returns ``None`` for a post hidden with ``published: false`` or with no front matter.

    Raises:
        ParseError: the post cannot be published (bad bytes, YAML, date).
    """
    text = decode(raw)
    name = path.rsplit("/", 1)[-1]
    m = POST_NAME.fullmatch(name)
    if m is None:
        raise ParseError("not a post: the file name is not YYYY-MM-DD-<slug>.md, .markdown or .html")
    file_date, file_slug, _ext = m.groups()
    split = split_front_matter(text)
    if split is None:
        problems.append(Problem(path, 1, "warning", "no front matter: Jekyll copies this file as is and does not publish it as a post; skipped"))
        return None
    fm_text, _body, fm_line, blank_lines = split
    if blank_lines:
        problems.append(Problem(path, 1, "warning", f"{blank_lines} blank line(s) before the front matter: Jekyll does not see this front matter; feeds reads it"))
    data = load_yaml(fm_text, fm_line)
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
    if when.meant < _EARLIEST:
        # Year 1 and the like: readers misread them (newsboat shows 0001 as 2001) or overflow.
        raise ParseError(f"bad date: {dates.rfc3339(when.meant)} is before 1970, which feed readers cannot show", line_of(key) if key else 1)

    slug = _text(data.get("slug")) or file_slug
    # "a/b/_posts/x.md": the folders above _posts are categories, as in Jekyll.
    folder_cats = tuple(path.split("/_posts/", 1)[0].split("/")) if "/_posts/" in path else ()
    categories = _names(folder_cats, data, "categories", "category", line_of)
    tags = _names((), data, "tags", "tag", line_of)

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
            problems.append(Problem(path, line_of("permalink"), "warning", "permalink must be a string; the site's is used"))
    # The page's URL comes from the names as Jekyll reads them; the feeds show them as text.
    url = rules.site_url + permalink.url_path(
        tpl, date=when.jekyll.astimezone(rules.zone), slug=slug, categories=categories
    )
    categories, tags = _shown(categories), _shown(tags)
    jekyll_day = when.jekyll.astimezone(rules.zone).date()
    if when.naive and jekyll_day != when.meant.date():
        problems.append(Problem(path, line_of("date"), "warning", (
            f"naive time {raw_date} is {dates.rfc3339(when.meant)} in the site zone, but Jekyll reads it "
            f"as UTC and dates the page {jekyll_day.isoformat()} ({dates.rfc3339(when.jekyll.astimezone(rules.zone))}); "
            "the feeds give the first and link to the page Jekyll publishes"
        )))

    updated = when.meant
    for ukey in ("last_modified_at", "updated"):
        if data.get(ukey) not in (None, ""):
            try:
                updated = dates.parse(data[ukey], rules.zone).meant
            except dates.DateError as e:
                problems.append(Problem(path, line_of(ukey), "warning", f"bad {ukey}, the date is used: {e}"))
            if updated < _EARLIEST:
                problems.append(Problem(path, line_of(ukey), "warning", f"bad {ukey}, the date is used: {dates.rfc3339(updated)} is before 1970"))
                updated = when.meant
            break

    excerpt = _text(data.get("excerpt")) or _text(data.get("description"))
    post = Post(
        path=path,
        slug=file_slug,
        title=content.as_text(_text(data.get("title"))) or file_slug,
        date=when.meant,
        updated=updated,
        categories=categories,
        tags=tags,
        author=_author(data.get("author")),
        url=url,
        content_html="",
        summary=content.summarize(content.plain_text(excerpt), rules.summary_length) if excerpt else "",
    )
    return post


def decode(raw: bytes) -> str:
    """UTF-8 (a BOM allowed) with CRLF made LF and control characters gone (NUL, DEL, C1...:
    :func:`feeds.content.strip_controls`), so a stray one costs nothing but itself."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw.count(b"\n", 0, e.start) + 1
        raise ParseError(f"not UTF-8: byte 0x{raw[e.start]:02x} at offset {e.start}; save the file as UTF-8", line) from e
    return content.strip_controls(text.replace("\r\n", "\n"))


def split_front_matter(text: str) -> tuple[str, str, int, int] | None:
    """(front matter, body, line of the front matter's first line, blank lines before it)."""
    blank = 0
    pos = 0
    while True:
        end = text.find("\n", pos)
        if end == -1 or text[pos:end].strip():
            break
        blank += 1
        pos = end + 1
    opening = _OPENING.match(text, pos)
    if opening is None:
        return None
    start = opening.end()
    fm_line = blank + 2
    closing = _CLOSING.search(text, start)
    if closing is None:
        raise ParseError("front matter is never closed: no '---' line after the opening one", blank + 1)
    body = text[closing.end() + 1:]
    return text[start:closing.start()], body, fm_line, blank


def load_yaml(fm_text: str, fm_line: int) -> dict[str, Any]:
    """The front matter as a dict with string keys.

    Aliases are not expanded: PyYAML shares one object among them, so a "billion laughs"
    costs no more than its text, and nothing here walks a value deeper than a list of names.

    Raises:
        ParseError: bad YAML, or not a mapping; at the line of the fault where YAML knows it.
    """
    loader = SafeLoader(fm_text)
    node = None
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        # Count lines as we do: YAML also breaks lines at NEL, U+2028 and U+2029.
        line = fm_line + (fm_text.count("\n", 0, mark.index) if mark else 0)
        raise ParseError(f"bad YAML in front matter: {e.problem or e}", line) from e
    except yaml.YAMLError as e:
        raise ParseError(f"bad YAML in front matter: {e}", fm_line) from e
    except (ValueError, TypeError, AttributeError, OverflowError, RecursionError) as e:
        # PyYAML's constructors let these through: 2021-02-30, "!!timestamp x", a 5000-digit int.
        why, index = _unreadable(node, e)
        raise ParseError(f"bad YAML in front matter: {why}", fm_line + fm_text.count("\n", 0, index)) from e
    finally:
        loader.dispose()
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ParseError(f"front matter must be a mapping of keys to values, not a {type(data).__name__}", fm_line)
    return {str(k): v for k, v in data.items()}


def _unreadable(node: yaml.Node | None, error: Exception) -> tuple[str, int]:
    """Why YAML could not build the front matter, and where (a character index) the key at fault is:
    ``date: 2021-02-30 is not a valid timestamp (day is out of range for month)``."""
    # A ValueError says why (a day out of range); PyYAML's other errors here say nothing useful.
    reason = f" ({str(error).split(':')[0]})" if isinstance(error, ValueError) else ""
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            try:
                yaml.constructor.SafeConstructor().construct_object(value_node, deep=True)
            except Exception:  # noqa: BLE001 - looking for the value that failed, whatever the error
                key = str(key_node.value)[:40]
                if isinstance(value_node, yaml.ScalarNode):
                    kind = value_node.tag.rsplit(":", 1)[-1]
                    shown = value_node.value[:40] + ("…" if len(value_node.value) > 40 else "")
                    return f"{key}: {shown} is not a valid {kind}{reason}", key_node.start_mark.index
                return f"{key}: a value YAML cannot build{reason}", key_node.start_mark.index
    return f"a value YAML cannot build{reason}", 0


def _text(value: object) -> str:
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


def _names(first: tuple[str, ...], data: dict[str, Any], plural: str, singular: str, line_of: Any) -> tuple[str, ...]:
    """Categories or tags: a string splits on white space, a list is taken item by item."""
    value = data.get(plural)
    key = plural
    if value is None:
        value, key = data.get(singular), singular
    items: list[object] = list(value) if isinstance(value, list) else [value]
    names: list[str] = list(first)
    for item in items:
        if isinstance(item, str):
            names.extend(content.strip_controls(item).split())
        elif isinstance(item, (int, float, bool, date)):
            names.append(_text(item))
        elif item is not None:
            raise ParseError(f"{key} must be a string or a list of strings", line_of(key))
        if len(names) > _MAX_NAMES:
            raise ParseError(f"{key}: more than {_MAX_NAMES} names", line_of(key))
    return tuple(dict.fromkeys(n for n in names if n))


def _shown(names: tuple[str, ...]) -> tuple[str, ...]:
    """Names as the feeds show them: text, never HTML (:func:`feeds.content.as_text`)."""
    return tuple(dict.fromkeys(n for n in map(content.as_text, names) if n))


def _author(value: object) -> str | None:
    if isinstance(value, dict):
        value = value.get("name")
    if isinstance(value, list):
        value = ", ".join(_text(v) for v in value if _text(v))
    return content.as_text(_text(value)) or None


def rules_for(config: Config) -> Rules:
    """The parsing rules a config sets.

    Raises:
        ConfigError: ``[site] permalink`` names an unknown placeholder.
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
    )
