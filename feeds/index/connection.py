"""Connections to the index file: opening it in WAL mode, starting it afresh, moving to a file
that replaced it, and the one place SQLite's errors become :class:`StorageError`.

The file is a cache of the posts on disk: one that is corrupt, foreign or made under another
fingerprint (schema version and parsing rules) is started afresh. WAL lets several processes
read while one writes. Each thread has its own connections.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TypeVar

from ..errors import StorageError
from . import search
from .schema import SCHEMA

R = TypeVar("R")


def is_failure(e: sqlite3.Error) -> bool:
    """Whether ``e`` says the file or the system failed (locked, full, unreadable, corrupt,
    foreign), which a new file may cure, rather than that our code is wrong.

    A bad binding (ProgrammingError, InterfaceError), a broken constraint (IntegrityError) or
    a misuse (NotSupportedError, DataError) is a bug: rebuilding the index cannot fix it, so it
    surfaces as itself. DatabaseError itself is what SQLite says of a file that is not a
    database or whose pages are malformed.
    """
    return (
        isinstance(e, (sqlite3.OperationalError, sqlite3.InternalError))
        or type(e) is sqlite3.DatabaseError
    )


@contextlib.contextmanager
def wrap_errors(path: Path, doing: str = "") -> Iterator[None]:
    """Re-raise SQLite's failures (see :func:`is_failure`) as :class:`StorageError` naming
    ``path`` and what was being done; let programming errors through."""
    try:
        yield
    except sqlite3.Error as e:
        if not is_failure(e):
            raise
        raise StorageError(f"{path}: {doing + ': ' if doing else ''}{e}") from e


class Store:
    """One index file made under one fingerprint; safe to share between threads."""

    def __init__(self, path: Path, fingerprint: str) -> None:
        self.path = path
        self.fingerprint = fingerprint
        self._local = threading.local()

    def errors(self, doing: str = "") -> contextlib.AbstractContextManager[None]:
        """:func:`wrap_errors` for this file."""
        return wrap_errors(self.path, doing)

    def rows(self, make: Callable[..., R], sql: str, params: Sequence[object] = ()) -> list[R]:
        """``make(*row)`` of each row ``sql`` gives, on this thread's connection."""
        with self.errors():
            return [make(*row) for row in self.db().execute(sql, params)]

    def one(self, make: Callable[..., R], sql: str, params: Sequence[object] = ()) -> R | None:
        """``make(*row)`` of the first row; ``None`` if there is none or it starts with NULL
        (what an aggregate of no rows gives)."""
        with self.errors():
            row = self.db().execute(sql, params).fetchone()
        return None if row is None or row[0] is None else make(*row)

    def db(self) -> sqlite3.Connection:
        """This thread's reading connection, opened (or the file started afresh) on first use.

        Raises:
            StorageError: the file cannot be opened or made.
        """
        db: sqlite3.Connection | None = getattr(self._local, "db", None)
        if db is None:
            db = self._open()
            self._local.db = db
            self._local.inode = _inode(self.path)
        elif not db.in_transaction and _inode(self.path) != self._local.inode:
            db = self._switch(db)
        return db

    def writer(self, wait: bool) -> sqlite3.Connection:
        """A second connection of this thread, for writes while the first holds a read
        snapshot; one that does not ``wait`` gives up on a lock after 50 ms."""
        db: sqlite3.Connection | None = getattr(self._local, "writer", None)
        if db is None:
            self.db()  # make sure the file is ours first
            db = self._connect()
            self._local.writer = db
        db.execute(f"PRAGMA busy_timeout = {30000 if wait else 50}")
        return db

    @contextlib.contextmanager
    def transaction(self, db: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
        """One write transaction on ``db``: committed if the block ends, rolled back if it
        raises. Readers see all of it or nothing."""
        db.execute("BEGIN IMMEDIATE")
        try:
            yield db
            db.execute("COMMIT")
        except BaseException:
            with contextlib.suppress(sqlite3.Error):
                db.execute("ROLLBACK")
            raise

    def _switch(self, old: sqlite3.Connection) -> sqlite3.Connection:
        """The file was replaced or removed under an open connection. Move to the new file once
        it is a filled index of ours; until then keep reading the old one, whose data is still
        there, so requests go on while the refresher rebuilds."""
        inode = _inode(self.path)
        try:
            new = sqlite3.connect(
                f"file:{self.path}?mode=rw",
                uri=True,
                timeout=30,
                isolation_level=None,
                check_same_thread=False,
            )
        except sqlite3.Error:
            return old
        try:
            ready = (
                meta(new, "fingerprint") == self.fingerprint
                and int(meta(new, "generation") or 0) > 0
            )
        except sqlite3.Error as e:
            if not is_failure(e):
                new.close()
                raise
            ready = False
        if not ready:
            new.close()
            return old
        self.close()
        self._local.db, self._local.inode = new, inode
        return new

    def intact(self) -> bool:
        """Whether the file at ``path`` is the one this thread reads: not deleted, replaced by
        something else or made under another fingerprint (then :meth:`recreate`)."""
        try:
            db = self.db()
            with self.errors():
                return (
                    _inode(self.path) == self._local.inode
                    and meta(db, "fingerprint") == self.fingerprint
                )
        except StorageError:
            return False

    def _open(self) -> sqlite3.Connection:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise StorageError(f"{self.path}: cannot open the index: {e}") from e
        try:
            db = self._connect()
            if meta(db, "fingerprint") == self.fingerprint:
                return db
            db.close()
        except sqlite3.Error as e:
            if not is_failure(e):
                raise
            # Corrupt or foreign: it only caches what is on disk, so start afresh.
        self.recreate()
        with self.errors("cannot open the index"):
            return self._connect()

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
        except BaseException:
            db.close()
            raise
        return db

    def recreate(self) -> None:
        """Build an empty index in a temporary file and move it over the old one; this
        thread's connections move to it. Other threads and processes go on reading the old
        one until the new one is filled (see :meth:`_switch`).

        Raises:
            StorageError: the new file cannot be made.
        """
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.{threading.get_ident()}.new")
        try:
            for p in (tmp, Path(f"{tmp}-wal"), Path(f"{tmp}-shm")):
                p.unlink(missing_ok=True)
            with self.errors("cannot make the index"):
                db = sqlite3.connect(tmp, isolation_level=None)
                try:
                    db.executescript(SCHEMA + search.SCHEMA)
                    db.executemany(
                        "INSERT INTO meta VALUES (?, ?)",
                        [
                            ("fingerprint", self.fingerprint),
                            ("generation", "0"),
                            ("identity", secrets.token_hex(8)),
                        ],
                    )
                finally:
                    db.close()
            for suffix in ("-wal", "-shm"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)
            os.replace(tmp, self.path)
        except OSError as e:
            raise StorageError(f"{self.path}: cannot make the index: {e}") from e
        self.close()

    def close(self) -> None:
        """Close this thread's connections (others close when their thread ends)."""
        for name in ("db", "writer"):
            db = getattr(self._local, name, None)
            if db is not None:
                db.close()
                setattr(self._local, name, None)


def meta(db: sqlite3.Connection, key: str) -> str | None:
    """A value of the ``meta`` table; ``None`` if the file has none (a new or foreign file)."""
    try:
        row = db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    except sqlite3.OperationalError:  # no meta table
        return None
    return None if row is None else str(row[0])


def _inode(path: Path) -> int | None:
    try:
        return os.stat(path).st_ino
    except OSError:
        return None
