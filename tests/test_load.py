"""A short load: ``scripts/load`` for 10 s, as CI runs it; the full run is 60 s by hand.

The script serves a copy of the sample site with ``feeds serve`` (two gunicorn workers), loads
it over every feed while a writer adds, edits and deletes posts every 100 ms, and samples the
bodies. Here it uses its own Python load generator rather than wrk, so that the suite needs
nothing but Python (README: "a machine with only python3 is enough").
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

SCRIPT = REPO / "scripts" / "load"


@pytest.mark.slow
def test_ten_seconds_of_load_while_posts_change(tmp_path: Path) -> None:
    figures = tmp_path / "load.json"
    run = subprocess.run(
        [
            sys.executable,
            str(SCRIPT),
            "--seconds",
            "10",
            "--connections",
            "20",
            "--client",
            "python",
            "--json",
            str(figures),
        ],
        capture_output=True,
        text=True,
        timeout=180,
        env={**os.environ, "TMPDIR": str(tmp_path)},
    )
    print(run.stdout)
    assert run.returncode == 0, run.stdout + run.stderr
    r = json.loads(figures.read_text(encoding="utf-8"))

    assert r["failed"] == 0 and r["socket_errors"] == 0, r["statuses"]
    assert set(r["statuses"]) <= {"200", "304"} and r["statuses"].get("304", 0) > 0
    assert r["requests"] >= 300, "the load held for 10 s"
    assert r["bodies_invalid"] == 0, r["invalid_examples"]
    assert r["bodies_checked"] >= 50
    assert {"atom", "rss", "json", "xml"} <= set(r["bodies_checked_by_kind"])
    assert r["restarts"] == 0 and r["workers_start"] == r["workers_end"]
    assert r["writer"]["added"] >= 30 and r["writer"]["edited"] >= 20 and not r["writer_errors"]
    assert r["last_post_visible_s"] is not None, "the last post reached every worker"
    assert not r["log_problems"]
