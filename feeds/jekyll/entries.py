"""Which folders and files of a site Jekyll reads: its ``EntryFilter``, with the site's
``exclude`` and ``include`` patterns.

Names starting with ``.``, ``_``, ``#`` or ``~`` are ignored, and so is whatever ``exclude``
matches, unless ``include`` re-admits it. Kept apart from the walk over the disk
(:mod:`feeds.jekyll.files`) because ``_config.yml`` makes a filter and the walk only asks it.
"""

from __future__ import annotations

import fnmatch
import functools
import re
from dataclasses import dataclass

_IGNORED_PREFIXES = (".", "_", "#", "~")
#: What makes a pattern a glob rather than a path (``fnmatch``'s wildcards).
_WILDCARDS = "*?["
#: What Jekyll 4 always adds to a site's ``exclude``.
DEFAULT_EXCLUDES = (
    ".sass-cache",
    ".jekyll-cache",
    "gemfiles",
    "Gemfile",
    "Gemfile.lock",
    "node_modules",
    "vendor/bundle/",
    "vendor/cache/",
    "vendor/gems/",
    "vendor/ruby/",
)
#: Jekyll's default ``include``.
DEFAULT_INCLUDES = (".htaccess",)


@dataclass(frozen=True, slots=True)
class Filter:
    """Which folders and post files Jekyll reads: its ``EntryFilter`` with the site's
    ``exclude`` and ``include`` patterns (paths or globs relative to the source, matched as
    Ruby's ``File.fnmatch?`` or as a prefix, as Jekyll matches them).

    Jekyll walks the site folder by folder, judging each folder by its name and its path; in a
    ``_posts`` folder it judges every file by its path below ``_posts`` (so ``_posts/a/_b/x.md``
    is read and ``_posts/_b/x.md`` is not) and never sees a dot-folder's files. Both are kept.
    """

    #: ``exclude`` less ``include``, with :data:`DEFAULT_EXCLUDES`.
    exclude: tuple[str, ...] = DEFAULT_EXCLUDES
    include: tuple[str, ...] = DEFAULT_INCLUDES

    @classmethod
    def of(cls, exclude: tuple[str, ...], include: tuple[str, ...]) -> Filter:
        """The filter a ``_config.yml`` sets: Jekyll adds its defaults to ``exclude``, and a
        pattern in both lists counts as included."""
        return cls(
            tuple(p for p in dict.fromkeys((*exclude, *DEFAULT_EXCLUDES)) if p not in include),
            include,
        )

    def folder(self, rel: str) -> bool:
        """Whether Jekyll walks into the folder at ``rel`` (relative to the source) looking
        for ``_posts``."""
        name = rel.rsplit("/", 1)[-1]
        return self._kept(rel, name, is_dir=True)

    def post(self, posts_dir: str, entry: str) -> bool:
        """Whether Jekyll reads the file ``entry`` (relative to the ``_posts`` folder at
        ``posts_dir``) as a post, by name and patterns."""
        if any(part.startswith(".") for part in entry.split("/")):
            return False  # Ruby's Dir["**/*"] lists no dot-file and enters no dot-folder
        return self._kept(f"{posts_dir}/{entry}", entry, is_dir=False)

    def dated_names_plain(self, posts_dir: str) -> bool:
        """Whether no pattern can match a file directly in ``posts_dir`` whose name starts
        with a digit (every post's does): then such a file is read unless its name ends with
        ``~``, and a scan of 100,000 posts need not match each against the patterns."""
        anchored = ("/" + p.lstrip("/") for p in (*self.include, *self.exclude))
        folder = f"/{posts_dir}/"
        return not any(
            any(c in a for c in _WILDCARDS)
            or folder.startswith(a)
            or a.startswith(folder)
            or a[1:2].isdigit()
            for a in anchored
        )

    def _kept(self, rel: str, entry: str, *, is_dir: bool) -> bool:
        """Jekyll's ``EntryFilter#filter`` for one entry (``entry`` is relative to the folder
        it was listed from, ``rel`` to the source); symbolic links are ours to refuse."""
        base = entry.rsplit("/", 1)[-1]
        included = _matches(self.include, entry, is_dir) or (
            base != entry and _matches(self.include, base, is_dir)
        )
        if _matches(self.exclude, rel, is_dir) and not included:
            return False
        return included or not (
            entry.startswith(_IGNORED_PREFIXES)
            or base.startswith(_IGNORED_PREFIXES)
            or entry.endswith("~")
        )


#: What a post folder is judged by when no ``_config.yml`` says otherwise.
JEKYLL = Filter()


def _matches(patterns: tuple[str, ...], rel: str, is_dir: bool) -> bool:
    """Jekyll's ``glob_include?``: ``rel`` matches a pattern as a glob (``*`` crosses ``/``,
    as in ``File.fnmatch?`` without flags), as a prefix of the path, or names the folder."""
    path = "/" + rel
    globs, prefixes, folders = _compiled(patterns)
    return (
        bool(globs and globs.match(path))
        or path.startswith(prefixes)
        or (is_dir and path + "/" in folders)
    )


@functools.lru_cache(maxsize=32)
def _compiled(
    patterns: tuple[str, ...],
) -> tuple[re.Pattern[str] | None, tuple[str, ...], frozenset[str]]:
    """``patterns`` as one regular expression of their globs, their prefixes and their folder
    names: a scan judges every post file, 100,000 of them on a big site, against them all."""
    anchored = tuple("/" + pattern.lstrip("/") for pattern in patterns)
    # A pattern without a wildcard matches as a glob only the path it names, which the prefix
    # test finds too: the regular expression, run on every file, holds only the others.
    wild = [g for g in anchored if any(c in g for c in _WILDCARDS)]
    globs = re.compile("|".join(f"(?:{fnmatch.translate(g)})" for g in wild)) if wild else None
    return globs, anchored, frozenset(anchored)
