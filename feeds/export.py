"""Every document of the layout to a folder, atomically, rewriting only what changed.

Each file is written to a temporary file beside it and moved into place, so a reader (or a
static server) never sees half a file and a crash leaves every file either old or new. A file
whose bytes would not change is left alone (its mtime too), which keeps CDN and rsync uploads
small. Files of the layout that no longer belong to any scope are removed; nothing outside the
output folder, and nothing there that is not part of the layout, is ever written or removed.

Every path is checked before anything is written. On a large site the scopes' files are built
and written on every core, a batch of scopes at a time, each worker reading the index on a
connection of its own; this process writes the two lists and adds up what the workers did.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from . import parallel, rendering, urls, writers
from .archives import History
from .documents import Document, Documents, feed_documents
from .errors import ExportError
from .index import ExportMark, Index
from .jekyll.posts import Rules
from .model import Scope
from .options import Options

#: A file being written is named this, then the ids of the process and thread writing it: each
#: writes one file at a time, so the name is unique without the cost of a random one.
_TEMP_PREFIX = ".feeds-tmp-"
_CREATE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC
#: Where earlier exports kept their mark, in the published folder: removed when seen.
_OLD_MARK = ".feeds-export"
#: Scopes a worker builds and writes at a time.
_BATCH = 16
#: From this many scopes to write, workers build and write them on every core.
_POOL_SCOPES = 256


@dataclass(frozen=True, slots=True)
class Stats:
    """What one export did."""

    written: int
    unchanged: int
    removed: int
    seconds: float
    #: The paths written, relative to the folder, sorted: what a WebSub hub is told of.
    changed: tuple[str, ...] = ()

    def __str__(self) -> str:
        return f"{self.written} written, {self.unchanged} unchanged, {self.removed} removed in {self.seconds:.2f} s"


def export(
    documents: Documents,
    out: Path,
    now: datetime,
    *,
    full: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> Stats:
    """Bring ``out`` up to date with the documents at ``now``.

    After a first, full export, the index keeps a mark of the state ``out`` shows (keyed by its
    resolved path, so nothing in ``out`` changes unless a document does); the next export
    rebuilds only the scopes that changed since (or whose future posts fell due), so an
    unchanged site costs a scan of the posts and nothing more. A new index file, other
    options or a mark the index no longer covers (:mod:`feeds.index.marks`) make it a full
    one. ``full`` rebuilds and compares every file, and restores any that were deleted by
    hand. ``progress`` is called with (files done, files to do).

    Raises:
        ExportError: a path would leave ``out`` or be written twice, or a file cannot be
            written (the files already in place stay whole).
        StorageError: the index fails.
    """
    started = time.perf_counter()
    root = prepare(out)
    index = documents.index
    options = documents.signature
    with index.snapshot() as generation:
        last, scopes = _plan(index, root, full, now, options)
    if scopes is not None and not scopes and last is not None:  # nothing to do, not even lists
        index.save_export_mark(root, ExportMark(generation, now.isoformat(), options, last.size))
        return Stats(0, last.size, 0, time.perf_counter() - started)
    changed: list[str] = []
    # Render before the read snapshot below: a long-lived reader would keep SQLite from folding
    # the rendered content back into the file, and every later read would wade through the WAL.
    rendering.render_missing(index, documents.options.depth, now, scopes)
    with index.snapshot() as generation:
        last, scopes = _plan(index, root, full, now, options)
        layout = documents.layout(now, scopes)
    paths = [rel for scope, _ in layout.scopes for rel in layout.files[scope]]
    check(root, [rel for rel, _ in layout.lists] + paths)
    # What a full export may have to remove is listed before it writes: into a new or empty
    # folder (every cold export) that costs nothing, where a walk of the files just written
    # cost half a second of 100,000 posts' export.
    found = _found(root) if scopes is None else None
    if scopes is None:  # every archive page is rebuilt and compared
        index.forget_archive_pages(root)
    written, unchanged, removed = apply(root, layout.lists, changed)
    if progress:
        progress(len(layout.lists), layout.count)
    job = _Job(index.path, index.rules, documents.options, documents.changed, now, root)
    batches = [layout.scopes[i : i + _BATCH] for i in range(0, len(layout.scopes), _BATCH)]
    done = len(layout.lists)
    for batch, counts in zip(
        batches,
        parallel.map_ordered(
            _write_scopes, batches, job, index.jobs, chunksize=1, threshold=_POOL_SCOPES // _BATCH
        ),
    ):
        written, unchanged, removed = (
            written + counts[0],
            unchanged + counts[1],
            removed + counts[2],
        )
        changed += counts[3]
        done += sum(len(layout.files[scope]) for scope, _ in batch)
        if progress:
            progress(done, layout.count)
    if found is not None:
        removed += _remove_stale(root, found, {rel for rel, _ in layout.lists}.union(paths))
        untouched = 0
    else:
        untouched = layout.size - written - unchanged
    index.save_export_mark(root, ExportMark(generation, now.isoformat(), options, layout.size))
    _unlink(root / _OLD_MARK)
    return Stats(
        written,
        unchanged + untouched,
        removed,
        time.perf_counter() - started,
        tuple(sorted(changed)),
    )


@dataclass(frozen=True, slots=True)
class _Job:
    """What a worker needs to build and write scopes' files: it opens the index itself."""

    index: Path
    rules: Rules
    options: Options
    #: :attr:`Documents.changed`.
    changed: datetime | None
    now: datetime
    #: The export folder, resolved.
    root: Path


def _write_scopes(
    batch: Sequence[tuple[Scope, bool]], job: _Job
) -> tuple[int, int, int, list[str]]:
    """Build and write the files of ``batch`` (scopes of a :class:`Layout`), in a worker or
    here, reading the index on a connection of its own; (written, unchanged, removed, the
    paths written).

    A worker may see a newer state of the index than the layout was planned from: the mark
    keeps the older generation, so the next export rebuilds whatever changed since. Archive
    pages are written only where their digest moved, and their new digests recorded once
    written (:mod:`feeds.index.marks`).
    """
    index = Index(job.index, job.rules, jobs=1)
    try:
        documents = Documents(index, job.options, job.changed)
        written: list[str] = []
        recent = writers.Recent()
        with index.snapshot():
            counts = apply(
                job.root,
                (
                    item
                    for scope, present in batch
                    for item in documents.scope_documents(scope, present, job.now, recent)
                ),
                written,
            )
        for scope, present in batch if job.options.archives else ():
            more = _write_archive(index, documents, job.root, scope, present, job.now)
            counts = (counts[0] + more[0], counts[1] + more[1], counts[2] + more[2])
        return (*counts, written)
    finally:
        index.close()


def _write_archive(
    index: Index, documents: Documents, root: Path, scope: Scope, present: bool, now: datetime
) -> tuple[int, int, int]:
    """Write the archive pages of ``scope`` whose digest moved from the one ``root`` holds and
    record the new digests; (written, unchanged, removed)."""
    with index.snapshot():
        held = index.archive_pages(root, scope)
        history = documents.history(scope, now) if present else None
        digests = history.digests() if history else {}
        counts = apply(root, _archive_items(documents, scope, history, held, digests, now))
    if digests != held:
        index.save_archive_pages(root, scope, digests)
    return counts


def _archive_items(
    documents: Documents,
    scope: Scope,
    history: History | None,
    held: Mapping[int, int],
    digests: Mapping[int, int],
    now: datetime,
) -> Iterator[tuple[str, Document | None]]:
    """Each archive page of ``scope`` whose digest moved from the one ``held`` (page → digest),
    in every format, then ``None`` for each page held beyond the last (every one, when the
    scope has no page left). Pages are built one at a time as they are iterated (a site's
    history is gigabytes), inside the caller's snapshot."""
    formats = documents.options.formats
    modified = documents.modified(scope, now) if digests else None
    for page, digest in digests.items():
        feed = history.feed(page) if history and held.get(page) != digest else None
        for fmt, doc in feed_documents(feed, formats, modified).items() if feed else ():
            yield urls.archive_path(scope, page, fmt), doc
    for page in sorted(set(held) - set(digests)):
        for fmt in formats:
            yield urls.archive_path(scope, page, fmt), None


def _plan(
    index: Index, root: Path, full: bool, now: datetime, options: str
) -> tuple[ExportMark | None, set[Scope] | None]:
    """The mark ``root`` has, and the scopes to rebuild (``None``: all of them)."""
    last = None if full else index.export_mark(root)
    if last is None or last.options != options or datetime.fromisoformat(last.at) > now:
        return last, None
    return last, index.changed_scopes(last.generation) | index.due_scopes(
        datetime.fromisoformat(last.at), now
    )


def prepare(out: Path) -> Path:
    """Create ``out`` if needed; its resolved path, which every written path must stay under."""
    try:
        out.mkdir(parents=True, exist_ok=True)
        return out.resolve(strict=True)
    except OSError as e:
        raise ExportError(f"{out}: cannot create the export folder: {e.strerror or e}") from e


def check(root: Path, rels: Iterable[str]) -> None:
    """Refuse, before anything is written, a layout that would leave ``root`` or write a path
    twice."""
    seen: set[str] = set()
    parents: dict[str, Path] = {}
    inside: set[str] = set()
    for rel in rels:
        _inside(root, rel, parents, inside)
        if rel in seen:
            raise ExportError(f"{root / rel}: the export would write this file twice")
        seen.add(rel)


def apply(
    root: Path, items: Iterable[tuple[str, Document | None]], written: list[str] | None = None
) -> tuple[int, int, int]:
    """Write or remove each (path, document or ``None``) under ``root`` (from :func:`prepare`),
    each atomically; (files written, files unchanged, files removed). The paths written are
    added to ``written``, when given."""
    count = unchanged = removed = 0
    parents: dict[str, Path] = {}
    inside: set[str] = set()
    for rel, doc in items:
        _inside(root, rel, parents, inside)
        target = root / rel
        if doc is None:
            removed += _unlink(target, root)
        elif _write(target, doc.body):
            count += 1
            if written is not None:
                written.append(rel)
        else:
            unchanged += 1
    return count, unchanged, removed


def _inside(root: Path, rel: str, parents: dict[str, Path], inside: set[str]) -> None:
    """Refuse ``rel`` unless ``root / rel`` stays inside ``root`` (symbolic links included).
    ``parents`` keeps the folders resolved so far (:func:`_resolved`), ``inside`` those found
    inside ``root``: checked as text, each folder once."""
    if not rel or rel.startswith("/") or "\x00" in rel or ".." in rel.split("/"):
        raise ExportError(f"{root}: refusing to write {rel!r}: not a path inside the export folder")
    folder = rel.rpartition("/")[0]
    if folder not in inside:
        if not _resolved(root, folder, parents).is_relative_to(root):
            raise ExportError(f"{root / rel}: refusing to write outside {root}")
        inside.add(folder)


def _resolved(root: Path, folder: str, parents: dict[str, Path]) -> Path:
    """``root / folder`` with its symbolic links resolved, from its parent's, kept in
    ``parents``: each folder costs one ``lstat``, where resolving it whole walks every folder
    above it (an export has a folder for each of thousands of preview pages)."""
    found = parents.get(folder)
    if found is None:
        head, _, name = folder.rpartition("/")
        path = (_resolved(root, head, parents) if head else root) / name
        found = parents[folder] = path.resolve() if path.is_symlink() else path
    return found


def _write(target: Path, body: bytes) -> bool:
    """Write ``body`` to ``target`` atomically unless it already holds it; True if written."""
    try:
        if target.stat().st_size == len(body) and target.read_bytes() == body:
            return False
    except FileNotFoundError:
        pass
    except OSError as e:
        raise ExportError(f"{target}: cannot read: {e.strerror or e}") from e
    tmp = target.with_name(f"{_TEMP_PREFIX}{os.getpid()}-{threading.get_ident()}")
    try:
        try:
            fd = os.open(tmp, _CREATE, 0o644)
        except FileNotFoundError:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(tmp, _CREATE, 0o644)
        except FileExistsError:  # left by a killed process that had our ids
            tmp.unlink()
            fd = os.open(tmp, _CREATE, 0o644)
        with open(fd, "wb") as f:
            os.fchmod(fd, 0o644)  # whatever the umask: a static host serves these
            f.write(body)
        os.replace(tmp, target)
    except OSError as e:
        tmp.unlink(missing_ok=True)
        raise ExportError(f"{target}: cannot write: {e.strerror or e}") from e
    return True


def _found(root: Path) -> tuple[list[str], list[str]]:
    """The files under ``root`` that an export may remove, relative to it: the layout's
    (:func:`urls.owned`), and the temporary files a killed export left behind."""
    owned, temporary = [], []
    for dirpath, _dirs, files in os.walk(root):
        folder = os.path.relpath(dirpath, root).replace(os.sep, "/")
        for name in files:
            rel = name if folder == "." else f"{folder}/{name}"
            if name.startswith(_TEMP_PREFIX):
                temporary.append(rel)
            elif urls.owned(rel):
                owned.append(rel)
    return owned, temporary


def _remove_stale(root: Path, found: tuple[list[str], list[str]], keep: set[str]) -> int:
    """Remove the temporary files and the layout's files not in ``keep`` that :func:`_found`
    found; how many layout files went."""
    owned, temporary = found
    for rel in temporary:
        _unlink(root / rel)
    return sum(_unlink(root / rel, root) for rel in owned if rel not in keep)


def _unlink(path: Path, root: Path | None = None) -> int:
    """Remove ``path`` if it is there; 1 if it was. A preview page's folder (under ``root``)
    that this leaves empty goes too, so a static host stops answering its URL, and so does an
    emptied folder of archive pages."""
    try:
        path.unlink()
    except FileNotFoundError:
        return 0
    except OSError as e:
        raise ExportError(f"{path}: cannot remove: {e.strerror or e}") from e
    if (
        root is not None
        and path.parent != root
        and (path.name == urls.INDEX_PAGE or path.parent.name == urls.ARCHIVE_FOLDER)
    ):
        with contextlib.suppress(OSError):  # not empty: someone else's files are there too
            path.parent.rmdir()
    return 1
