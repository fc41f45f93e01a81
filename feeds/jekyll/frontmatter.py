"""Front matter as Jekyll reads it: the file decoded, the ``---`` block split from the body, and
its YAML loaded safely, each fault reported at its line.

Nothing here knows what a key means (that is :mod:`feeds.jekyll.posts`); this only turns bytes
into a mapping of keys to values, or a :class:`~feeds.errors.ParseError` with the line to fix.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from .. import content
from ..errors import ParseError

try:  # the C loader is ~10x faster; fall back where libyaml is missing
    from yaml import CSafeLoader as SafeLoader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader  # type: ignore[assignment]

_OPENING = re.compile(r"---[ \t]*\n")
_CLOSING = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.MULTILINE)


def decode(raw: bytes) -> str:
    """UTF-8 (a BOM allowed) with CRLF made LF and control characters gone (NUL, DEL, C1...:
    :func:`feeds.content.strip_controls`), so a stray one costs nothing but itself."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw.count(b"\n", 0, e.start) + 1
        raise ParseError(
            f"not UTF-8: byte 0x{raw[e.start]:02x} at offset {e.start}; save the file as UTF-8",
            line,
        ) from e
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
        raise ParseError(
            "front matter is never closed: no '---' line after the opening one", blank + 1
        )
    body = text[closing.end() + 1 :]
    return text[start : closing.start()], body, fm_line, blank


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
