"""parallel.py: a pool's processes end with the process that started it, however it ends.

A killed ``feeds export`` used to leave its fork server, its workers and the resource tracker
running for good: the workers waited for work that would never come, and the fork server
lived as long as they did. The export here runs in a session of its own, so every process it
started stays findable after it is gone (an orphan keeps its session), and each is awaited
through a pidfd, which becomes readable the moment that process ends.
"""

from __future__ import annotations

import contextlib
import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from . import corpusgen

FEEDS = Path(sys.executable).parent / "feeds"
#: How long the processes of a killed export may take to end (they end within milliseconds).
_GRACE = 20.0


def _stat(pid: int) -> tuple[str, int, int] | None:
    """(state, parent pid, session id) of ``pid``; ``None`` once it is gone."""
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8", errors="replace") as f:
            text = f.read()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2 :].split()  # the name in parentheses may hold spaces
    return fields[0], int(fields[1]), int(fields[3])


def _session(sid: int) -> dict[int, int]:
    """The live processes of session ``sid``: pid → parent pid (zombies count as ended)."""
    found = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit() and (stat := _stat(int(entry))) and stat[2] == sid and stat[0] != "Z":
            found[int(entry)] = stat[1]
    return found


def _command(pid: int) -> str:
    with contextlib.suppress(OSError):
        return (
            Path(f"/proc/{pid}/cmdline")
            .read_bytes()
            .replace(b"\0", b" ")[:100]
            .decode(errors="replace")
        )
    return "(ended)"


def _await_ends(pids: list[int], seconds: float) -> list[int]:
    """Wait up to ``seconds`` for each of ``pids`` to end; those still running after it."""
    fds = {}
    for pid in pids:
        try:
            fds[pid] = os.pidfd_open(pid)
        except ProcessLookupError:
            pass  # already gone
    deadline = time.monotonic() + seconds
    try:
        for fd in fds.values():
            select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
        return [pid for pid, fd in fds.items() if not select.select([fd], [], [], 0)[0]]
    finally:
        for fd in fds.values():
            os.close(fd)


@pytest.fixture(scope="module")
def pooled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A config whose export writes its scopes on a pool (more than 256 scopes)."""
    root = tmp_path_factory.mktemp("pooled")
    corpusgen.generate(root / "site", 400, categories=400)
    path = root / "config.toml"
    path.write_text(
        f'[site]\nurl = "https://finews.withounder.com"\nsource = "{root / "site"}"\n'
        f'timezone = "Asia/Shanghai"\n[feeds]\nfuture = true\n'
        f'[index]\npath = "{root / "index.sqlite3"}"\n',
        encoding="utf-8",
    )
    return path


@pytest.mark.skipif(not hasattr(os, "pidfd_open"), reason="needs Linux pidfds")
@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="one CPU: exports use no pool")
def test_a_killed_export_leaves_no_process_behind(pooled: Path, tmp_path: Path) -> None:
    export = subprocess.Popen(
        [str(FEEDS), "--config", str(pooled), "export", str(tmp_path / "out")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        # The pool is up once a worker (a child of the fork server, a child of the export) is.
        while export.poll() is None:
            tree = _session(export.pid)
            if any(tree.get(parent) == export.pid for parent in tree.values()):
                break
            time.sleep(0.01)
        else:
            pytest.fail("the export ended before its pool started: make the site bigger")
        started = set(tree) - {export.pid}
        assert len(started) >= 3, f"a fork server, a resource tracker and a worker: {tree}"
        export.send_signal(signal.SIGKILL)
        assert export.wait() == -signal.SIGKILL
        running = _await_ends(sorted(started | set(_session(export.pid))), _GRACE)
        names = {pid: _command(pid) for pid in running}
        assert not running, f"still running {_GRACE:.0f} s after the export was killed: {names}"
    finally:
        for pid in _session(export.pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        export.wait()
