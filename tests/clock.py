"""A clock for the refresher that moves only when a test says, so no test waits on time."""

from __future__ import annotations

import os
import time
from pathlib import Path


class FakeClock:
    """Monotonic and wall time that advance together, only by :meth:`sleep`. The wall time
    starts at the real one's last whole second, so files on disk from before the test are older
    than it and a test knows where each second ends (a change must be in a second that is over
    to settle)."""

    def __init__(self) -> None:
        self._monotonic = 1_000.0
        self._wall_ns = time.time_ns() // 1_000_000_000 * 1_000_000_000

    def monotonic(self) -> float:
        return self._monotonic

    def wall_ns(self) -> int:
        return self._wall_ns

    def sleep(self, seconds: float) -> None:
        self._monotonic += seconds
        self._wall_ns += int(seconds * 1e9)

    def touch(self, path: Path) -> None:
        """Give ``path`` the mtime a write at this clock's time leaves."""
        os.utime(path, ns=(self._wall_ns, self._wall_ns))
