"""Liquid in a post's body, rendered as Jekyll renders it before Markdown.

Jekyll runs every post through Liquid (``site``, ``page``, its filters and tags) and only then
through kramdown; a feed that skips this publishes ``{{ site.url }}`` and ``{% raw %}`` to
readers. We use python-liquid with Jekyll's additions: the filters ``relative_url``,
``absolute_url``, ``date_to_xmlschema`` and the rest of :data:`FILTERS`, and the tags
``post_url``, ``link``, ``highlight`` and Jekyll's ``include`` (``_includes/``, ``key="value"``
parameters under ``include.``).

What cannot be rendered (an unknown tag or filter, a missing include, a syntax error, a loop
over the limits) leaves the body as written and comes back as a warning with its line: a post is
never lost to its Liquid, and nothing here raises. ``render_with_liquid: false`` in the front
matter skips Liquid, as in Jekyll.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import quote, urlsplit

from liquid import BoundTemplate, Environment
from liquid.ast import BlockNode, Node
from liquid.exceptions import LiquidError, LiquidSyntaxError
from liquid.parser import get_parser
from liquid.stream import TokenStream
from liquid.tag import Tag
from liquid.token import TOKEN_EOF, TOKEN_EXPRESSION, TOKEN_TAG, Token

from ..content import markdown_html
from .permalink import jekyll_slugify

#: Liquid's start of a tag or an output: a body without either is returned as it is, at no cost.
_MARKERS = ("{%", "{{")
#: Include names as Jekyll allows them: no ``..``, no absolute path.
_INCLUDE_NAME = re.compile(r"[\w./-]+")
_INCLUDE_PARAM = re.compile(r"""([\w-]+)\s*=\s*("[^"]*"|'[^']*'|[\w.\[\]-]+)""")


@dataclass(frozen=True, slots=True)
class Links:
    """How ``post_url`` and ``link`` find a page's URL: callables from the post reader, which
    knows the permalink rules. Each returns the site-relative path (``/2021/12/08/x.html``) or
    ``None`` for a post or file that does not exist."""

    post: Callable[[str], str | None]
    file: Callable[[str], str | None]


@dataclass(frozen=True, slots=True)
class LiquidWarning:
    """Why a body was left as written: the line in the body (1-based) and the reason."""

    line: int
    message: str


def render(
    body: str,
    *,
    site: Mapping[str, Any],
    page: Mapping[str, Any],
    root: Path,
    base_path: str,
    links: Links,
) -> tuple[str, LiquidWarning | None]:
    """``body`` with its Liquid rendered, or as written with the reason it could not be.

    ``site`` is ``_config.yml`` with ``data`` (Liquid's ``site``), ``page`` the front matter
    with ``url``, ``date`` and the rest Jekyll adds. ``base_path`` is the site's path prefix
    (``/notes`` for ``baseurl: /notes``; empty at the root), which ``relative_url``,
    ``post_url`` and ``link`` put before a path, as Jekyll does.
    """
    if page.get("render_with_liquid") is False or not any(m in body for m in _MARKERS):
        return body, None
    env = _environment(root, site, base_path, links)
    try:
        template = env.from_string(body)
        return template.render(site=site, page=page, jekyll={"environment": "production"}), None
    except LiquidError as e:
        return body, LiquidWarning(_line(e), f"Liquid left as written: {e.message}")
    except RecursionError:
        return body, LiquidWarning(1, "Liquid left as written: nested too deeply")
    except Exception as e:
        return body, LiquidWarning(1, f"Liquid left as written: {type(e).__name__}: {e}")


def _line(error: LiquidError) -> int:
    token = error.token
    if token is None or token.start_index < 0:
        return 1
    return token.source.count("\n", 0, token.start_index) + 1


class _Jekyll(Environment):
    """python-liquid with Jekyll's filters and tags, bounded so a hostile post costs little."""

    loop_iteration_limit = 100_000
    local_namespace_limit = 1_000_000
    output_stream_limit = 10_000_000
    context_depth_limit = 30


def _environment(root: Path, site: Mapping[str, Any], base_path: str, links: Links) -> Environment:
    """One environment per render: tags need the site's root and link finders, and an
    environment is cheap next to the rare post that holds Liquid."""
    env = _Jekyll()
    env.filters.update(FILTERS)
    env.filters["relative_url"] = lambda value: _relative(str(value), base_path)
    env.filters["absolute_url"] = lambda value: _absolute(str(value), site, base_path)
    env.tags["include"] = _IncludeTag(env, root / "_includes")
    env.tags["post_url"] = _LinkTag(env, "post_url", links.post, base_path)
    env.tags["link"] = _LinkTag(env, "link", links.file, base_path)
    env.tags["highlight"] = _HighlightTag(env)
    return env


def _relative(path: str, base_path: str) -> str:
    """Jekyll's ``relative_url``: the site's base path before a site-relative path."""
    if urlsplit(path).scheme:
        return path
    return base_path + "/" + path.lstrip("/") if path or base_path else "/"


def _absolute(path: str, site: Mapping[str, Any], base_path: str) -> str:
    """Jekyll's ``absolute_url``: ``url`` + ``baseurl`` before a site-relative path."""
    if urlsplit(path).scheme:
        return path
    return str(site.get("url") or "").rstrip("/") + _relative(path, base_path)


def _date(value: Any) -> datetime | date | None:
    if isinstance(value, (datetime, date)):
        return value
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def _date_filter(fmt: Callable[[datetime | date], str]) -> Callable[[Any], Any]:
    def apply(value: Any) -> Any:
        when = _date(value)
        return value if when is None else fmt(when)

    return apply


def _xmlschema(when: datetime | date) -> str:
    return when.isoformat() if isinstance(when, datetime) else f"{when.isoformat()}T00:00:00+00:00"


def _rfc822(when: datetime | date) -> str:
    from email.utils import format_datetime

    stamp = when if isinstance(when, datetime) else datetime(when.year, when.month, when.day)
    return format_datetime(stamp)


def _to_string(when: datetime | date) -> str:
    return f"{when.day:02d} {when.strftime('%b')} {when.year}"


def _to_long_string(when: datetime | date) -> str:
    return f"{when.day:02d} {when.strftime('%B')} {when.year}"


def _slugify(value: Any, mode: str = "default") -> str:
    if mode == "none":
        return str(value)
    return jekyll_slugify(str(value), pretty=mode == "pretty")


def _sentence(items: Any, connector: str = "and") -> str:
    words = [str(i) for i in items] if isinstance(items, (list, tuple)) else [str(items)]
    if len(words) < 3:
        return f" {connector} ".join(words)
    return f"{', '.join(words[:-1])}, {connector} {words[-1]}"


def _where(items: Any, key: str, value: Any = None) -> list[Any]:
    rows = list(items.values()) if isinstance(items, dict) else list(items or ())
    return [r for r in rows if isinstance(r, Mapping) and str(r.get(key)) == str(value)]


#: Jekyll's filters that need nothing from the site (``relative_url`` and ``absolute_url`` do).
FILTERS: dict[str, Callable[..., Any]] = {
    "date_to_xmlschema": _date_filter(_xmlschema),
    "date_to_rfc822": _date_filter(_rfc822),
    "date_to_string": _date_filter(_to_string),
    "date_to_long_string": _date_filter(_to_long_string),
    "xml_escape": lambda value: html.escape(str(value if value is not None else "")),
    "cgi_escape": lambda value: quote(str(value), safe="").replace("%20", "+"),
    "uri_escape": lambda value: quote(str(value), safe="/:?#[]@!$&'()*+,;=%-._~"),
    "markdownify": lambda value: markdown_html(str(value if value is not None else "")),
    "smartify": lambda value: str(value if value is not None else ""),
    "slugify": _slugify,
    "jsonify": lambda value: json.dumps(value, default=str, ensure_ascii=False),
    "number_of_words": lambda value: len(str(value).split()),
    "array_to_sentence_string": _sentence,
    "normalize_whitespace": lambda value: re.sub(r"\s+", " ", str(value)).strip(),
    "where": _where,
    "inspect": lambda value: json.dumps(value, default=str, ensure_ascii=False),
}


def _raw_argument(stream: TokenStream) -> tuple[Token, str]:
    """The tag's token and its argument text as written (Jekyll's tags parse it themselves).

    The stream is left on the tag's last token: the parser steps past it.
    """
    token = stream.current
    if stream.peek.kind == TOKEN_EXPRESSION:
        next(stream)
        return token, stream.current.value.strip()
    return token, ""


class _TextNode(Node):
    """A node that writes a string decided when the template was parsed or at render time."""

    __slots__ = ("make",)

    def __init__(self, token: Token, make: Callable[[Any], str]) -> None:
        super().__init__(token)
        self.make = make

    def __str__(self) -> str:
        return self.token.value

    def render_to_output(self, context: Any, buffer: TextIO) -> int:
        return buffer.write(self.make(context))


class _LinkTag(Tag):
    """``{% post_url 2013-12-12-name %}`` and ``{% link path/to/file.md %}``: the page's path,
    with the site's base path; a post or file that does not exist is an error, as in Jekyll."""

    block = False

    def __init__(
        self, env: Environment, name: str, find: Callable[[str], str | None], base_path: str
    ) -> None:
        super().__init__(env)
        self.name = name
        self.find = find
        self.base_path = base_path

    def parse(self, stream: TokenStream) -> Node:
        token, argument = _raw_argument(stream)
        found = self.find(argument) if argument else None
        if found is None:
            raise LiquidSyntaxError(f"{self.name}: no post or file {argument!r}", token=token)
        path = _relative(found, self.base_path)
        return _TextNode(token, lambda _context: path)


class _IncludeTag(Tag):
    """Jekyll's ``{% include name.html key="value" other=variable %}`` from ``_includes/``,
    the parameters under ``include.``. Names with ``..`` and symbolic links are refused."""

    block = False

    def __init__(self, env: Environment, folder: Path) -> None:
        super().__init__(env)
        self.name = "include"
        self.folder = folder

    def parse(self, stream: TokenStream) -> Node:
        token, argument = _raw_argument(stream)
        name, _, rest = argument.partition(" ")
        path = self.folder / name
        if (
            not _INCLUDE_NAME.fullmatch(name)
            or ".." in name.split("/")
            or not _inside(path, self.folder)
        ):
            raise LiquidSyntaxError(f"include {name!r} is not a file in _includes/", token=token)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as e:
            raise LiquidSyntaxError(
                f"include {name!r}: cannot read _includes/{name}", token=token
            ) from e
        template = self.env.from_string(text)
        params = _INCLUDE_PARAM.findall(rest)

        def make(context: Any) -> str:
            values: dict[str, object] = {}
            for key, raw in params:
                values[key] = raw[1:-1] if raw[:1] in "\"'" else _lookup(context, raw)
            return _render_inside(template, context, {"include": values})

        return _TextNode(token, make)


def _lookup(context: Any, dotted: str) -> object:
    """A variable like ``site.title`` or ``page.tags`` in the render context; ``None`` if absent."""
    first, *rest = dotted.split(".")
    value: object = context.resolve(first, default=None)
    for part in rest:
        value = value.get(part) if isinstance(value, Mapping) else None
    return value


def _inside(path: Path, folder: Path) -> bool:
    try:
        return (
            not path.is_symlink()
            and path.resolve().is_relative_to(folder.resolve())
            and path.is_file()
        )
    except OSError:
        return False


def _render_inside(template: BoundTemplate, context: Any, namespace: dict[str, object]) -> str:
    from io import StringIO

    buffer = StringIO()
    with context.extend(namespace, template=template):
        template.render_with_context(context, buffer, partial=True)
    return buffer.getvalue()


class _HighlightTag(Tag):
    """``{% highlight lang %}code{% endhighlight %}``: the code, escaped, in ``<pre><code>``
    (Jekyll adds Rouge's colours; the words are the same)."""

    block = True
    end = "endhighlight"

    def __init__(self, env: Environment) -> None:
        super().__init__(env)
        self.name = "highlight"

    def parse(self, stream: TokenStream) -> Node:
        token, argument = _raw_argument(stream)
        lang = (argument.split() or [""])[0]
        next(stream)
        block = get_parser(self.env).parse_block(stream, frozenset(("endhighlight", TOKEN_EOF)))
        stream.expect(TOKEN_TAG, value="endhighlight")
        css = (
            f' class="language-{html.escape(lang)}" data-lang="{html.escape(lang)}"' if lang else ""
        )

        def make(context: Any) -> str:
            from io import StringIO

            buffer = StringIO()
            block.render(context, buffer)
            code = buffer.getvalue().strip("\n")
            return f'<figure class="highlight"><pre><code{css}>{html.escape(code, quote=False)}</code></pre></figure>'

        return _HighlightNode(token, make, block)


class _HighlightNode(_TextNode):
    """A highlight block; it keeps its inner block so python-liquid can walk it."""

    __slots__ = ("block",)

    def __init__(self, token: Token, make: Callable[[Any], str], block: BlockNode) -> None:
        super().__init__(token, make)
        self.block = block
