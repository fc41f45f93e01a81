"""Front matter defaults: ``_config.yml``'s ``defaults:`` sets, applied to a post as Jekyll 4.3's
``FrontmatterDefaults`` applies them, before the post's own front matter.

A site that says every post under ``news/`` has ``author: desk`` or a ``layout`` once, in
``_config.yml``, gets the same posts from us as from Jekyll: the author, ``published``,
``permalink``, ``categories`` and the rest come from the default when the file says nothing.

A set applies when its ``scope`` has no ``type`` or ``type: posts`` (``post`` is read as
``posts``, as Jekyll does), and no ``path``, or a ``path`` the post's path starts with (a glob
with ``*`` is expanded against the site's files first). More specific sets win: a longer path,
then one with a type. A set that is not a mapping with a ``values`` mapping is ignored, as
Jekyll ignores it (with a warning in its log).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

#: The collection label Jekyll gives posts, matched by a scope's ``type``.
POSTS = "posts"


def apply(site: Mapping[str, Any], root: Path, rel: str, data: dict[str, Any]) -> dict[str, Any]:
    """``data`` (a post's front matter) over the defaults for the post at ``rel`` (relative to
    ``root``, ``/``-separated); ``data`` itself when ``site`` has none that apply."""
    found = defaults(site, root, rel)
    return _deep_merge(found, data) if found else data


def defaults(site: Mapping[str, Any], root: Path, rel: str) -> dict[str, Any]:
    """Jekyll's ``FrontmatterDefaults#all(rel, :posts)``: every set that applies, merged in
    order of precedence, later sets over earlier ones."""
    merged: dict[str, Any] = {}
    old: Mapping[str, Any] | None = None
    for scope, values in _matching(site, root, rel):
        if old is None or _precedes(scope, old):
            merged = _deep_merge(merged, values)
            old = scope
        else:
            merged = _deep_merge(values, merged)
    return merged


def _matching(
    site: Mapping[str, Any], root: Path, rel: str
) -> list[tuple[Mapping[str, Any], dict[str, Any]]]:
    sets = site.get("defaults")
    if not isinstance(sets, list):
        return []
    found: list[tuple[Mapping[str, Any], dict[str, Any]]] = []
    for s in sets:
        if not isinstance(s, dict) or not isinstance(s.get("values"), dict):
            continue
        scope = s.get("scope")
        scope = scope if isinstance(scope, dict) else {}
        if _applies_type(scope) and _applies_path(scope, root, rel):
            found.append((scope, s["values"]))
    return found


def _applies_type(scope: Mapping[str, Any]) -> bool:
    if "type" not in scope:
        return True
    kind = str(scope["type"])
    return (POSTS if kind == "post" else kind) == POSTS


def _applies_path(scope: Mapping[str, Any], root: Path, rel: str) -> bool:
    path = scope.get("path")
    if not isinstance(path, str) or not path:
        return True
    if "*" not in path:
        return rel.startswith(_sanitized(path))
    # Jekyll expands the glob against the files there are (Ruby's Dir.glob), then compares.
    try:
        matches = [p.relative_to(root).as_posix() for p in root.glob(path.lstrip("/"))]
    except (ValueError, OSError):
        return False
    return any(rel.startswith(m) for m in matches)


def _precedes(new: Mapping[str, Any], old: Mapping[str, Any]) -> bool:
    """Jekyll's ``has_precedence?``: a longer path wins; at equal length, one with a type."""
    new_path, old_path = _sanitized(new.get("path")), _sanitized(old.get("path"))
    if len(new_path) != len(old_path):
        return len(new_path) >= len(old_path)
    return "type" in new or "type" not in old


def _sanitized(path: object) -> str:
    """A scope path as Jekyll compares it: without a leading ``/``."""
    if not isinstance(path, str):
        return ""
    return path.removeprefix("/")


def _deep_merge(master: dict[str, Any], other: Mapping[str, Any]) -> dict[str, Any]:
    """Jekyll's ``Utils.deep_merge_hashes``: ``other`` over ``master``, mappings merged key by key."""
    merged = dict(master)
    for key, value in other.items():
        old = merged.get(key)
        merged[key] = (
            _deep_merge(old, value) if isinstance(old, dict) and isinstance(value, dict) else value
        )
    return merged
