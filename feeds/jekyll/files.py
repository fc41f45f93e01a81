"""Finding and reading a Jekyll site's post files, and saying which files are skipped and why.

Posts live in ``<source>/_posts/**`` and ``<source>/<dir>/.../_posts/**`` (the folders above
``_posts`` are categories), named ``YYYY-MM-DD-<slug>.<md|markdown|html>``. Which folders and
files count is for Jekyll's ``EntryFilter`` to say (:class:`feeds.jekyll.entries.Filter`). Only
regular files are read, never through a symbolic link, so a post cannot pull in a file from
elsewhere.
"""

from __future__ import annotations

import array
import contextlib
import enum
import errno
import hashlib
import os
import re
import stat
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from ..model import Problem
from .entries import JEKYLL, Filter

POST_NAME = re.compile(r"(\d{4}-\d{2}-\d{2})-(.+)\.(md|markdown|html)")
#: Characters a post's path must not hold: lone surrogates (bytes that are not UTF-8) and controls.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


class SourceFile(NamedTuple):
    """A post file found on disk, with the stat the index compares to see it changed.

    A named tuple, not a dataclass: a first fill makes one for each of 100,000 files and
    sends them to its workers, where a frozen dataclass took four times as long to unpickle.
    """

    #: Relative to the site source, ``/``-separated.
    path: str
    size: int
    mtime_ns: int


def find(root: Path, rules: Filter = JEKYLL) -> tuple[list[SourceFile], list[Problem]]:
    """Every post file under ``root`` that ``rules`` admit, sorted by path, and a warning
    for each misnamed file.

    Raises:
        OSError: ``root`` itself cannot be read.
    """
    files, _, problems = listing(root, rules).changes({})
    return files, problems


class _Odd(enum.Enum):
    """What an entry of a ``_posts`` folder is when it is neither a folder nor a regular file."""

    #: A symbolic link to a file, or to nothing.
    LINK = "link"
    #: A symbolic link to a folder.
    FOLDER_LINK = "folder link"
    #: A FIFO, a socket or a device.
    SPECIAL = "special"


@dataclass(frozen=True, slots=True)
class Listing:
    """Every entry of a site's ``_posts`` folders that rules admit, as a scan listed them:
    each regular file's path, size and mtime, and what each other entry is. Nothing is read.

    Listing comes apart from telling which files changed (:meth:`changes`) so that a scan of
    a site where nothing changed can say so from :meth:`digest` alone: looking up 100,000
    paths among those the index knows, read out of it first, was a third of a warm export.
    """

    paths: list[str]
    sizes: list[int]
    mtimes: list[int]
    #: Entries that are neither folders nor regular files, with what each is.
    odd: list[tuple[str, _Odd]]

    def digest(self) -> str:
        """The same for the same entries with the same sizes and mtimes listed in the same
        order (a folder unchanged lists in the same order), and for nothing else."""
        h = hashlib.blake2b(digest_size=16)
        h.update(len(self.paths).to_bytes(8, "little"))  # where the paths end, unambiguously
        h.update("\0".join(self.paths).encode("utf-8", "surrogatepass"))
        h.update(array.array("q", self.sizes).tobytes())
        h.update(array.array("q", self.mtimes).tobytes())
        h.update(
            "\0".join(f"{rel}\0{kind.value}" for rel, kind in self.odd).encode(
                "utf-8", "surrogatepass"
            )
        )
        return h.hexdigest()

    def changes(
        self, known: Mapping[str, tuple[int, int]]
    ) -> tuple[list[SourceFile], list[str], list[Problem]]:
        """The post files whose (size, mtime) differ from ``known`` (sorted by path), the
        paths of ``known`` not listed as regular files, and a warning for each file skipped.

        A path already known is a post's: it needs a look-up, nothing more. The known paths
        found are counted, not kept: when all are found none is gone, which a warm scan of
        100,000 posts learns without making a set of their paths."""
        changed: list[SourceFile] = []
        problems: list[Problem] = []
        hits = 0
        for rel, size, mtime in zip(self.paths, self.sizes, self.mtimes):
            if (was := known.get(rel)) is not None:
                hits += 1
                if was != (size, mtime):
                    changed.append(SourceFile(rel, size, mtime))
            elif (problem := _skipped(rel, None)) is not None:
                problems.append(problem)
            else:
                changed.append(SourceFile(rel, size, mtime))
        problems += (p for rel, kind in self.odd if (p := _skipped(rel, kind)) is not None)
        changed.sort(key=lambda f: f.path)
        problems.sort(key=lambda p: p.path)
        if hits == len(known):
            return changed, [], problems
        seen = set(self.paths)
        return changed, [p for p in known if p not in seen], problems


def listing(
    root: Path, rules: Filter = JEKYLL, many: tuple[int, Callable[[], object]] | None = None
) -> Listing:
    """Every entry under ``root``'s ``_posts`` folders that ``rules`` admit (:class:`Listing`).
    ``many`` (a count, a function): the function is called once, as soon as that many regular
    files are listed.

    Raises:
        OSError: ``root`` itself cannot be read.
    """
    found = Listing([], [], [], [])
    paths, sizes, mtimes = found.paths, found.sizes, found.mtimes
    for posts_dir in _posts_dirs(root, "", rules):
        for rel, entry in _walk(root, posts_dir, rules):
            if isinstance(entry, _Odd):
                found.odd.append((rel, entry))
                continue
            paths.append(rel)
            sizes.append(entry.st_size)
            mtimes.append(entry.st_mtime_ns)
            if many is not None and len(paths) == many[0]:
                many[1]()
                many = None
    return found


def _skipped(rel: str, kind: _Odd | None) -> Problem | None:
    """The warning for the entry at ``rel`` (a regular file when ``kind`` is ``None``) if it
    is skipped rather than read as a post."""
    if not _printable(rel):
        rel = os.fsencode(rel).decode("utf-8", "replace")
        why = "skipped: the file's path is not valid UTF-8 or holds control characters; rename it"
    elif kind is _Odd.FOLDER_LINK:
        why = _WHY_ODD[kind]
    elif not POST_NAME.fullmatch(rel.rsplit("/", 1)[-1]):
        why = "not a post: the file name is not YYYY-MM-DD-<slug>.md, .markdown or .html; skipped, as Jekyll skips it"
    elif kind is None:
        return None
    else:
        why = _WHY_ODD[kind]
    return Problem(rel, 1, "warning", why)


#: Why each kind of odd entry is skipped.
_WHY_ODD = {
    _Odd.FOLDER_LINK: "skipped: a symbolic link to a folder; feeds does not follow it, so posts cannot come from elsewhere",
    _Odd.LINK: "skipped: a symbolic link; feeds reads only regular files, so a post cannot pull in a file from elsewhere",
    _Odd.SPECIAL: "skipped: not a regular file (a FIFO, socket or device); feeds reads only regular files",
}


def stat_post(root: Path, rel: str, rules: Filter = JEKYLL) -> SourceFile | None:
    """The post file at ``rel`` as :func:`find` would list it, or ``None`` if there is no
    such post file (gone, misnamed, outside a ``_posts`` folder, filtered out by ``rules``, or
    below a symbolic link to a folder, which :func:`find` does not follow either)."""
    parts = rel.split("/")
    if "_posts" not in parts[:-1] or not POST_NAME.fullmatch(parts[-1]) or not _printable(rel):
        return None
    at = parts.index("_posts")
    if not all(rules.folder("/".join(parts[:i])) for i in range(1, at + 1)):
        return None
    if not rules.post("/".join(parts[: at + 1]), "/".join(parts[at + 1 :])):
        return None
    try:
        folders = (
            os.stat(root.joinpath(*parts[:i]), follow_symlinks=False) for i in range(1, len(parts))
        )
        if not all(stat.S_ISDIR(f.st_mode) for f in folders):
            return None
        st = os.stat(root / rel, follow_symlinks=False)
    except OSError:
        return None
    if not stat.S_ISREG(st.st_mode):
        return None
    return SourceFile(rel, st.st_size, st.st_mtime_ns)


def folder_time(root: Path, rel: str) -> int:
    """The mtime (ns) of the nearest folder above ``rel`` that still exists, ``root`` at the
    latest: the kernel sets it when an entry is unlinked or renamed in it, so it dates the
    removal of the post at ``rel`` (or of a folder that held it).

    Raises:
        OSError: ``root`` itself cannot be read.
    """
    parts = rel.split("/")[:-1]
    while parts:
        try:
            st = os.stat(root.joinpath(*parts), follow_symlinks=False)
        except OSError:
            st = None
        if st is not None and stat.S_ISDIR(st.st_mode):
            return st.st_mtime_ns
        parts.pop()
    return os.stat(root).st_mtime_ns


def newest_folder(root: Path, rules: Filter = JEKYLL) -> int:
    """The newest mtime (ns) of ``root`` and every folder that may hold posts: a bound on the
    time of every removal :func:`folder_time` could date, for a fill that saw none of them.

    Raises:
        OSError: ``root`` itself cannot be read.
    """
    newest = os.stat(root).st_mtime_ns
    folders = [""]
    while folders:
        rel = folders.pop()
        try:
            with os.scandir(root / rel if rel else root) as entries:
                for e in entries:
                    sub = f"{rel}/{e.name}" if rel else e.name
                    in_posts = "_posts" in rel.split("/")
                    if e.is_dir(follow_symlinks=False) and (
                        e.name == "_posts"
                        or (not e.name.startswith(".") if in_posts else rules.folder(sub))
                    ):
                        newest = max(newest, e.stat(follow_symlinks=False).st_mtime_ns)
                        folders.append(sub)
        except OSError:
            continue  # unreadable below the root: the scan reports what it cannot read
    return newest


def _posts_dirs(root: Path, rel: str, rules: Filter) -> Iterator[str]:
    """``_posts`` folders at any depth below ``root``, skipping folders Jekyll ignores."""
    with os.scandir(root / rel if rel else root) as entries:
        subdirs = sorted(e.name for e in entries if e.is_dir(follow_symlinks=False))
    for name in subdirs:
        sub = f"{rel}/{name}" if rel else name
        if name == "_posts":
            yield sub
        elif rules.folder(sub):
            yield from _posts_dirs(root, sub, rules)


def _walk(
    root: Path, rel: str, rules: Filter, posts_dir: str = ""
) -> Iterator[tuple[str, os.stat_result | _Odd]]:
    """Every entry below the ``_posts`` folder ``rel`` that ``rules`` admit, but the folders
    walked into: regular files with their stat, anything else with what it is, so each gets
    its warning. None of those is read (:func:`stat_post` refuses them too, so a full scan and
    a watched change agree)."""
    posts_dir = posts_dir or rel
    plain = rel == posts_dir and rules.dated_names_plain(posts_dir)
    # Listed through a descriptor of the folder, each entry's stat is an fstatat of its bare
    # name rather than a walk of its whole path from the root: a third less of a warm scan.
    folder = os.open(root / rel, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
    try:
        with os.scandir(folder) as entries:
            for e in entries:
                name = e.name
                # A dated name where no exclude/include pattern can match one (the common case,
                # and a regular file the commonest: taken first, it costs half as much).
                dated = plain and name[:1].isdigit() and name.isascii()
                if dated and e.is_file(follow_symlinks=False):
                    if not name.endswith("~"):
                        yield f"{rel}/{name}", e.stat(follow_symlinks=False)
                    continue
                sub = f"{rel}/{name}"
                if e.is_dir(follow_symlinks=False):
                    if not name.startswith("."):
                        yield from _walk(root, sub, rules, posts_dir)
                    continue
                if dated:
                    if name.endswith("~"):
                        continue
                elif not rules.post(posts_dir, sub[len(posts_dir) + 1 :]):
                    continue
                if e.is_file(follow_symlinks=False):
                    yield sub, e.stat(follow_symlinks=False)
                elif e.is_symlink():
                    yield sub, _Odd.FOLDER_LINK if e.is_dir() else _Odd.LINK
                else:
                    yield sub, _Odd.SPECIAL
    finally:
        os.close(folder)


def _printable(rel: str) -> bool:
    """False for a path the index cannot store or a terminal cannot show: bytes that are not
    UTF-8 (decoded as lone surrogates) or control characters."""
    return _UNPRINTABLE.search(rel) is None


def read(path: str | os.PathLike[str]) -> bytes:
    """A post file's bytes, refusing anything but a regular file: a symbolic link or a FIFO
    put in its place since it was listed is neither followed nor waited on.

    Read with bare system calls, the first asking for one byte more than the file holds (so
    a file that grew since is read on to its end): a buffered file object costs more than the
    read itself, and a fill reads every post.

    Raises:
        OSError: the file cannot be opened or read, or is not a regular file.
    """
    fd = os.open(path, _READ)
    try:
        return _read_open(fd)
    finally:
        os.close(fd)


def read_all(paths: Sequence[str]) -> list[bytes | OSError]:
    """:func:`read` of each of ``paths``, or the error it raised, the disk asked for every
    file before the first is read: files not read for a minute or so are often no longer in
    memory, and reading them one at a time waits on the disk for each (a cold fill of 100,000
    posts read for 30 s where it took 17 s this way). A file in memory costs one system call
    more."""
    opened: list[int | OSError] = []
    try:
        for path in paths:
            try:
                fd = os.open(path, _READ)
            except OSError as e:
                opened.append(e)
                continue
            opened.append(fd)
            with contextlib.suppress(OSError):  # a hint: a FIFO or a folder is refused below
                os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_WILLNEED)
        found: list[bytes | OSError] = []
        for item in opened:
            if isinstance(item, OSError):
                found.append(item)
                continue
            try:
                found.append(_read_open(item))
            except OSError as e:
                found.append(e)
        return found
    finally:
        for item in opened:
            if not isinstance(item, OSError):
                os.close(item)


#: How a post file is opened: never through a symbolic link, never waiting on a FIFO.
_READ = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC


def _read_open(fd: int) -> bytes:
    """The bytes of the file open at ``fd`` (see :func:`read`)."""
    st = os.fstat(fd)
    if not stat.S_ISREG(st.st_mode):
        raise OSError(errno.EINVAL, "not a regular file")
    parts = [os.read(fd, st.st_size + 1)]
    while parts[-1]:
        parts.append(os.read(fd, 1 << 16))
    return parts[0] if len(parts) == 2 else b"".join(parts)
