"""Every document of the layout to a folder, atomically, rewriting only what changed.

Each file is written to a temporary file beside it and moved into place, so a reader (or a
static server) never sees half a file and a crash leaves every file either old or new. A file
whose bytes would not change is left alone (its mtime too), which keeps CDN and rsync uploads
small. Files of the layout that no longer belong to any scope are removed; nothing outside the
output folder, and nothing there that is not part of the layout, is ever written or removed.
"""

from __future__ import annotations

import os
import re
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from .documents import Document
from .errors import ExportError

#: Files the layout owns: the export may remove these when their scope is gone.
_OWNED = re.compile(
    r"(index\.html|feeds\.opml|feed\.(atom|rss|json|xml)"
    r"|(category|tag)/[^/]+\.(atom|rss|json)|feed/(by_tag/)?[^/]+\.xml)"
)
_TEMP_PREFIX = ".feeds-tmp-"


@dataclass(frozen=True, slots=True)
class Stats:
    """What one export did."""

    written: int
    unchanged: int
    removed: int
    seconds: float

    def __str__(self) -> str:
        return f"{self.written} written, {self.unchanged} unchanged, {self.removed} removed in {self.seconds:.2f} s"


def export(
    documents: Iterable[tuple[str, Document]],
    out: Path,
    *,
    total: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> Stats:
    """Write ``documents`` (relative path, document) under ``out``.

    ``progress`` is called with the number of files handled since its last call.

    Raises:
        ExportError: a path would leave ``out`` or be written twice, or a file cannot be
            written (the files already in place stay whole).
    """
    started = time.perf_counter()
    try:
        out.mkdir(parents=True, exist_ok=True)
        root = out.resolve(strict=True)
    except OSError as e:
        raise ExportError(f"{out}: cannot create the export folder: {e.strerror or e}") from e
    seen: set[str] = set()
    written = unchanged = 0
    for rel, doc in documents:
        target = _inside(root, rel)
        if rel in seen:
            raise ExportError(f"{target}: the export would write this file twice")
        seen.add(rel)
        if _write(target, doc.body):
            written += 1
        else:
            unchanged += 1
        if progress:
            progress(1)
    removed = _remove_stale(root, seen)
    return Stats(written, unchanged, removed, time.perf_counter() - started)


def _inside(root: Path, rel: str) -> Path:
    """``root / rel``, refused unless it stays inside ``root`` (symbolic links included)."""
    target = root.joinpath(rel)
    parts = Path(rel).parts
    if not rel or Path(rel).is_absolute() or ".." in parts or "\x00" in rel:
        raise ExportError(f"{root}: refusing to write {rel!r}: not a path inside the export folder")
    if not target.parent.resolve().is_relative_to(root):
        raise ExportError(f"{target}: refusing to write outside {root}")
    return target


def _write(target: Path, body: bytes) -> bool:
    """Write ``body`` to ``target`` atomically unless it already holds it; True if written."""
    try:
        if target.stat().st_size == len(body) and target.read_bytes() == body:
            return False
    except FileNotFoundError:
        pass
    except OSError as e:
        raise ExportError(f"{target}: cannot read: {e.strerror or e}") from e
    tmp = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=_TEMP_PREFIX, dir=target.parent)
        with os.fdopen(fd, "wb") as f:
            f.write(body)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except OSError as e:
        if tmp:
            Path(tmp).unlink(missing_ok=True)
        raise ExportError(f"{target}: cannot write: {e.strerror or e}") from e
    return True


def _remove_stale(root: Path, keep: set[str]) -> int:
    """Remove layout files not in ``keep`` and temporary files a killed export left behind."""
    removed = 0
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            path = Path(dirpath, name)
            rel = path.relative_to(root).as_posix()
            stale = name.startswith(_TEMP_PREFIX) or (_OWNED.fullmatch(rel) is not None and rel not in keep)
            if stale:
                try:
                    path.unlink()
                except OSError as e:
                    raise ExportError(f"{path}: cannot remove: {e.strerror or e}") from e
                removed += not name.startswith(_TEMP_PREFIX)
    return removed
