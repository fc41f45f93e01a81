"""A one-line progress display for long commands: on a terminal only, silent when piped."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    """``done/total files, rate/s, time left`` redrawn in place at most ten times a second.

    Draws nothing unless ``stream`` is a terminal, so logs and pipes stay clean.
    """

    def __init__(
        self, total: int = 0, *, unit: str = "files", stream: TextIO | None = None
    ) -> None:
        self.total = total
        self.unit = unit
        self.stream = stream if stream is not None else sys.stderr
        self.active = self.stream.isatty()
        self.done = 0
        self._started = time.monotonic()
        self._drawn = 0.0

    def update(self, done: int, total: int) -> None:
        """``done`` of ``total`` finished."""
        self.done, self.total = done, total
        now = time.monotonic()
        if self.active and (now - self._drawn >= 0.1 or self.done >= self.total):
            self._drawn = now
            self._draw(now)

    def _draw(self, now: float) -> None:
        elapsed = max(now - self._started, 1e-9)
        rate = self.done / elapsed
        left = (self.total - self.done) / rate if rate > 0 else 0.0
        width = 24
        filled = int(width * self.done / self.total) if self.total else width
        bar = "#" * filled + "-" * (width - filled)
        self.stream.write(
            f"\r[{bar}] {self.done}/{self.total} {self.unit}  {rate:,.0f}/s  {left:.0f} s left "
        )
        self.stream.flush()

    def close(self) -> None:
        """Clear the line so the next message starts clean."""
        if self.active:
            self.stream.write("\r\033[K")
            self.stream.flush()
