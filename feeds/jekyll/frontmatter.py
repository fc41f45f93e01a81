"""Front matter as Jekyll reads it: the file decoded, the ``---`` block split from the body, and
its YAML loaded safely, each fault reported at its line.

Nothing here knows what a key means (that is :mod:`feeds.jekyll.posts`); this only turns bytes
into a mapping of keys to values, or a :class:`~feeds.errors.ParseError` with the line to fix.
"""

from __future__ import annotations

import codecs
import functools
import re
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import ScalarNode

from .. import content, memo
from ..errors import ParseError

try:  # the C loader is ~10x faster; fall back where libyaml is missing
    from yaml import CSafeLoader as SafeLoader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader  # type: ignore[assignment]

_OPENING = re.compile(r"---[ \t]*\n")
_CLOSING = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.MULTILINE)
#: The bytes of C0 controls other than tab, LF and CR, and DEL.
_C0_AND_DEL = bytes(b for b in range(0x20) if b not in b"\t\n\r") + b"\x7f"
#: A C1 control in UTF-8 (U+0080-U+009F); \xc2 alone also leads "·" and NBSP, common in news.
_C1 = re.compile(b"\xc2[\x80-\x9f]")


def decode(raw: bytes) -> str:
    """UTF-8 (a BOM allowed) with CRLF made LF and control characters gone (NUL, DEL, C1...:
    :func:`feeds.content.strip_controls`), so a stray one costs nothing but itself."""
    try:
        # What "utf-8-sig" does, without its codec's Python layer (an error's offset, too,
        # counts from after the BOM).
        text = (raw[3:] if raw.startswith(codecs.BOM_UTF8) else raw).decode("utf-8")
    except UnicodeDecodeError as e:
        line = raw.count(b"\n", 0, e.start) + 1
        raise ParseError(
            f"not UTF-8: byte 0x{raw[e.start]:02x} at offset {e.start}; save the file as UTF-8",
            line,
        ) from e
    if b"\r" in raw:
        text = text.replace("\r\n", "\n")
    # What strip_controls drops can only be in UTF-8 as a C0 or DEL byte, a C1 control (\xc2
    # and \x80-\x9f) or U+FFFE/U+FFFF: looking for them costs half what stripping does.
    if (
        len(raw.translate(None, _C0_AND_DEL)) < len(raw)
        or (b"\xc2" in raw and _C1.search(raw))  # the regex scans slower than "in"
        or "\ufffe" in text
        or "\uffff" in text
    ):
        text = content.strip_controls(text)
    return text


def split_front_matter(text: str) -> tuple[str, str, int, int] | None:
    """(front matter, body, line of the front matter's first line, blank lines before it)."""
    found = locate_front_matter(text)
    if found is None:
        return None
    fm_text, body_start, fm_line, blank = found
    return fm_text, text[body_start:], fm_line, blank


def locate_front_matter(text: str) -> tuple[str, int, int, int] | None:
    """:func:`split_front_matter` with the body given by where it starts in ``text``: copying
    the body out, most of a post, costs more than finding the front matter, and parsing a post
    needs only the front matter."""
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
        raise ParseError(
            "front matter is never closed: no '---' line after the opening one", blank + 1
        )
    return text[start : closing.start()], closing.end() + 1, fm_line, blank


def load_yaml(fm_text: str, fm_line: int) -> dict[str, Any]:
    """The front matter as a dict with string keys.

    Aliases are not expanded: PyYAML shares one object among them, so a "billion laughs"
    costs no more than its text, and nothing here walks a value deeper than a list of names.

    Raises:
        ParseError: bad YAML, or not a mapping; at the line of the fault where YAML knows it.
    """
    simple = read_simple(fm_text)
    if simple is not None:
        return simple
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
        raise ParseError(
            f"bad YAML in front matter: {why}", fm_line + fm_text.count("\n", 0, index)
        ) from e
    finally:
        loader.dispose()
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ParseError(
            f"front matter must be a mapping of keys to values, not a {type(data).__name__}",
            fm_line,
        )
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
            except Exception:
                key = str(key_node.value)[:40]
                if isinstance(value_node, yaml.ScalarNode):
                    kind = value_node.tag.rsplit(":", 1)[-1]
                    shown = value_node.value[:40] + ("…" if len(value_node.value) > 40 else "")
                    return (
                        f"{key}: {shown} is not a valid {kind}{reason}",
                        key_node.start_mark.index,
                    )
                return f"{key}: a value YAML cannot build{reason}", key_node.start_mark.index
    return f"a value YAML cannot build{reason}", 0


# The front matter the site's scrapers write, read without YAML's parser, which costs more than
# the rest of a post's fields: lines of ``key: value`` at the margin, a value being a quoted
# string without escapes, a plain scalar on its line, a ``[a, b]`` list of plain scalars, or
# nothing and then ``- item`` lines. Plain scalars are resolved by PyYAML's own resolvers and
# constructors, so ``false``, ``2021-12-01 08:26:21`` and ``3`` are what YAML makes of them.
# Anything else (a comment, a tab, an escape, an anchor, a value over two lines...) is left to
# PyYAML: tests/test_jekyll_frontmatter.py holds the two to the same result.
_KEY = re.compile(r"([A-Za-z_][A-Za-z0-9_-]*):(?: (.*))?")
_ITEM = re.compile(r"( *)-(?: (.*))?")
_QUOTED = re.compile(r""""([^"\\]*)"|'((?:[^']|'')*)'""")
#: What a simple front matter never holds: tabs, CR, YAML's other line breaks, a BOM, controls
#: (listed: the negation of what it may hold took the regex compiler 7 ms of every start).
_UNSIMPLE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff\ufeff\ufffe\uffff]")
#: Characters a plain scalar may not start with (YAML's indicators), and, in a ``[...]`` list,
#: may not hold.
_INDICATORS = frozenset("-?:,[]{}#&*!|>'\"%@`")
_FLOW_UNSAFE = re.compile(r"[\[\]{}#:'\"]")
_SCALAR_TAGS = frozenset(
    f"tag:yaml.org,2002:{kind}" for kind in ("bool", "int", "float", "null", "timestamp")
)
_CONSTRUCTOR = SafeConstructor()


class _NotSimple(Exception):
    """The front matter is not of the simple kind: PyYAML reads it."""


def read_simple(fm_text: str) -> dict[str, Any] | None:
    """What :func:`load_yaml` gives for ``fm_text``, read without YAML's parser; ``None`` if it
    is not of the simple kind (see above): then PyYAML must read it, and says what is wrong."""
    if _UNSIMPLE.search(fm_text):
        return None
    data: dict[str, Any] = {}
    listed = ""  # the last key, if it had no value: ``- item`` lines are its list
    indent = -1  # the indentation of that list's items, once one is seen
    for line in fm_text.split("\n"):
        if not line.strip(" "):
            continue
        read = _line(line)
        if read is None:
            return None
        kind, name, value = read
        if kind is _KEYED:
            data[name] = list(value) if type(value) is tuple else value
            listed, indent = "", -1
        elif kind is _OPEN:
            data[name] = None
            listed, indent = name, -1
        else:
            if not listed or indent not in (-1, name):
                return None
            if indent == -1:
                data[listed] = []
            indent = name
            data[listed].append(value)
    return data


#: What :func:`_line` says a line is: ``key: value``, ``key:`` (a list may follow), ``- item``.
_KEYED, _OPEN, _ITEM_LINE = "keyed", "open", "item"


@memo.by_text(16384)
def _line(line: str) -> tuple[str, Any, Any] | None:
    """One line of a simple front matter, not blank: (:data:`_KEYED`, key, value),
    (:data:`_OPEN`, key, None) or (:data:`_ITEM_LINE`, indentation, value); ``None`` if it is
    not simple. Cached by its text, as a site writes the same lines over and over (``layout:
    post``, a category's): a ``[a, b]`` list is a tuple, which read_simple copies.
    """
    try:
        key = _KEY.fullmatch(line)
        if key is not None:
            name = _plain(key.group(1))
            if not isinstance(name, str):
                return None
            value = (key.group(2) or "").strip(" ")
            if not value:
                return _OPEN, name, None
            return _KEYED, name, tuple(_flow(value)) if value.startswith("[") else _scalar(value)
        item = _ITEM.fullmatch(line)
        if item is None:
            return None
        value = (item.group(2) or "").strip(" ")
        return _ITEM_LINE, len(item.group(1)), _scalar(value) if value else None
    except (_NotSimple, ValueError, TypeError, OverflowError):
        return None


def _scalar(text: str) -> Any:
    """A value on its line: quoted (no escapes) or plain, in a block."""
    quoted = _QUOTED.fullmatch(text)
    if quoted is not None:
        double, single = quoted.groups()
        return double if double is not None else single.replace("''", "'")
    if text[0] in _INDICATORS or ": " in text or text.endswith(":") or " #" in text:
        raise _NotSimple
    return _plain(text)


def _flow(text: str) -> list[Any]:
    """A ``[a, b]`` list of plain scalars on one line."""
    if not text.endswith("]") or _FLOW_UNSAFE.search(text, 1, len(text) - 1):
        raise _NotSimple
    inner = text[1:-1]
    if not inner.strip(" "):
        return []
    values = [item.strip(" ") for item in inner.split(",")]
    if any(not v or v[0] in _INDICATORS for v in values):
        raise _NotSimple
    return [_plain(v) for v in values]


#: YAML's implicit resolvers by a plain scalar's first character (PyYAML's lookup, done once).
_RESOLVERS = {
    first: tuple(SafeLoader.yaml_implicit_resolvers.get(first, ()))
    + tuple(SafeLoader.yaml_implicit_resolvers.get(None, ()))
    for first in SafeLoader.yaml_implicit_resolvers
    if first is not None
}
_NO_RESOLVERS = tuple(SafeLoader.yaml_implicit_resolvers.get(None, ()))


@functools.lru_cache(maxsize=4096)
def _plain(text: str) -> Any:
    """A plain scalar as PyYAML resolves and builds it: a string, or a bool, number, null or
    timestamp by YAML 1.1's rules."""
    found = None
    for tag, pattern in _RESOLVERS.get(text[0], _NO_RESOLVERS):
        if pattern.match(text):
            found = tag
            break
    if found is None:
        return text
    if found not in _SCALAR_TAGS:
        raise _NotSimple
    return _CONSTRUCTOR.yaml_constructors[found](_CONSTRUCTOR, ScalarNode(found, text))
