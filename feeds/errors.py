"""The one error hierarchy of feeds: every boundary raises its own kind, and says where."""

from __future__ import annotations


class FeedsError(Exception):
    """Base of every error feeds raises on purpose."""


class ConfigError(FeedsError):
    """A config file is missing, unreadable or holds a bad value; the message names the key."""


class ParseError(FeedsError):
    """A post file cannot be turned into a post.

    ``line`` is the 1-based line in the file the problem was found on (the YAML error's own line,
    not the front matter's start).
    """

    def __init__(self, message: str, line: int = 1) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


class StorageError(FeedsError):
    """The SQLite index failed; the message names the database path."""


class ExportError(FeedsError):
    """An export could not be written; the message names the path."""
