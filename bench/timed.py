"""Run a command to its end and measure its wall time, peak memory and the machine's CPU time."""

from __future__ import annotations

import compileall
import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, NamedTuple

try:
    from .corpus import BENCH_DIR  # type: ignore[import-not-found]
except ImportError:
    from corpus import BENCH_DIR  # type: ignore[import-not-found,no-redef]


#: Clock ticks a second, the unit of the kernel's CPU times in /proc.
TICKS = os.sysconf("SC_CLK_TCK")


class Cpu(NamedTuple):
    """The CPU time of the whole machine over a span, in core-seconds, by what ran: the
    kernel's counters (/proc/stat), so that what a command's pool, its kernel work (copying
    what it writes into the page cache, reclaiming memory for it) and the kernel's threads
    spent is counted, which the command's own rusage leaves out (pool workers are not its
    children)."""

    #: In processes (``user`` and ``nice``).
    user: float
    #: In the kernel (``system``, ``irq`` and ``softirq``).
    system: float
    #: Idle, or waiting for the disk (``idle`` and ``iowait``).
    idle: float
    #: Taken by the hypervisor for other guests (``steal``).
    steal: float


def cpu_now() -> Cpu | None:
    """The machine's CPU time since boot (:class:`Cpu`); ``None`` where /proc/stat is not."""
    try:
        with open("/proc/stat", encoding="ascii") as f:
            ticks = [int(t) for t in f.readline().split()[1:9]]
    except OSError:
        return None
    user, nice, system, idle, iowait, irq, softirq, steal = (t / TICKS for t in ticks)
    return Cpu(user + nice, system + irq + softirq, idle + iowait, steal)


def cpu_since(start: Cpu | None) -> Cpu | None:
    """The machine's CPU time since ``start`` (:func:`cpu_now`)."""
    now = cpu_now()
    if start is None or now is None:
        return None
    return Cpu(*(b - a for a, b in zip(start, now)))


@dataclass(frozen=True, slots=True)
class Timed:
    """One finished command."""

    #: Wall-clock seconds from start to exit.
    seconds: float
    #: Peak resident memory in MB of the command's largest process (it and the children it
    #: waited for; the kernel's ru_maxrss from wait4).
    peak_mb: float
    #: Its standard output and error, interleaved.
    output: str
    #: The machine's CPU time while it ran (:class:`Cpu`), or ``None`` where unknown.
    cpu: Cpu | None


def run(
    argv: list[str], log: Path, *, cwd: Path | None = None, env: dict[str, str] | None = None
) -> Timed:
    """Run ``argv`` in its own process group, output to ``log``; exit with the log's end on failure.

    The whole group is killed if we are interrupted, so nothing it started outlives us.
    """
    log.parent.mkdir(parents=True, exist_ok=True)
    # What earlier runs wrote (an export writes 3.5 GB at 100k) is still being written back,
    # and the folders removed before this one still being discarded: settled first, so that
    # neither lands in this run's time.
    os.sync()
    with open(log, "wb") as out:
        started, cpu_at_start = time.perf_counter(), cpu_now()
        proc = spawn(argv, out, cwd=cwd, env=env)
        try:
            os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOWAIT)  # exited, not yet reaped
            seconds, cpu = time.perf_counter() - started, cpu_since(cpu_at_start)
        finally:
            _kill_group(proc.pid)  # anything it left behind; its group lives while it is unreaped
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)  # tell Popen it has been reaped
    output = log.read_text(errors="replace")
    if proc.returncode != 0:
        sys.exit(
            f"bench: {' '.join(argv)} exited with status {proc.returncode}; end of {log}:\n{output[-3000:]}"
        )
    return Timed(seconds, usage.ru_maxrss / 1024, output, cpu)


#: Where :func:`set_aside` moves what a run is to start without; emptied by :func:`trash_emptied`.
TRASH = BENCH_DIR / ".trash"


def set_aside(path: Path) -> None:
    """Move ``path`` (a previous run's output) out of the way, to be removed only after every
    timed run (:func:`trash_emptied`), instead of removing it right before the next one.

    On ext4 without a journal (this machine's root file system, and others'), the inode
    allocator skips each inode freed in the last 60 s, or 360 s if its inode table block is
    still dirty, and scans past them one by one: removing an export's 24,000 files made every
    file created in the next minutes cost 600 µs instead of 20 (measured). That is a cost of
    the bench's own clean-up, charged to whichever tool ran next, the more files it writes
    the more: neither tool pays it when its folder is new. Renaming frees no inode.
    """
    if path.exists() or path.is_symlink():
        TRASH.mkdir(parents=True, exist_ok=True)
        path.rename(TRASH / uuid.uuid4().hex)


@contextlib.contextmanager
def trash_emptied() -> Iterator[None]:
    """Remove what :func:`set_aside` moved once the block ends, nothing timed any more; also
    when the bench is stopped with Ctrl-C or SIGTERM (kill, pkill, a CI timeout). Left
    behind, a run's outputs (19 GB after five 100k runs) stay in the page cache and slow the
    next run's writes, Hugo's most (measured: 108 sys core-s a build instead of 19), so a
    trash that SIGKILL left is named before anything is timed."""
    if TRASH.exists():
        print(
            f"bench: {TRASH} holds the outputs of a run that was killed; this run's figures are "
            "unsteady until it is removed and the disk has settled for a few minutes",
            file=sys.stderr,
            flush=True,
        )
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    try:
        yield
    finally:
        shutil.rmtree(TRASH, ignore_errors=True)


def compile_feeds() -> None:
    """Write the bytecode of every module of the ``feeds`` package these benchmarks run.

    ``pip install .`` compiles an installed package's modules; an editable install, as in
    this repository's ``.venv``, leaves them to be compiled at first import, and where
    ``PYTHONDONTWRITEBYTECODE`` is set (this machine sets it) never kept: each command would
    compile all of them again, 0.2 s of every ``feeds export`` and of its fork server. Done
    once before anything is timed, as an installed package is."""
    import feeds

    compileall.compile_dir(Path(feeds.__file__).parent, quiet=1)


def _kill_group(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def spawn(
    argv: list[str], out: IO[bytes], *, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.Popen[bytes]:
    """Start ``argv`` with no input, its output and errors to ``out``, in its own process group
    so that it and everything it starts can be stopped together."""
    return subprocess.Popen(
        argv,
        stdin=subprocess.DEVNULL,
        stdout=out,
        stderr=subprocess.STDOUT,
        cwd=cwd,
        env=env,
        start_new_session=True,
    )


def serve_argv(config: Path, port: int, workers: int, *more: str) -> list[str]:
    """``feeds serve`` of this venv for ``config`` on 127.0.0.1:``port``."""
    feeds = Path(sys.executable).parent / "feeds"
    return [str(feeds), "--config", str(config), "serve", "--host", "127.0.0.1"] + [
        "--port",
        str(port),
        "--workers",
        str(workers),
        *more,
    ]
