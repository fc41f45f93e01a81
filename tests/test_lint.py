"""ruff's lint rules and formatting over the whole project (pyproject.toml, [tool.ruff])."""

from __future__ import annotations

import subprocess
import sys

import pytest

from .conftest import REPO

#: What ruff reads: the package, the tests, the benchmarks and the scripts written in Python.
PATHS = ("feeds", "tests", "bench", "wsgi.py", "scripts/mutate")


@pytest.mark.parametrize("command", [("check",), ("format", "--check")], ids=["lint", "format"])
def test_ruff_is_clean(command: tuple[str, ...]) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "ruff", *command, *PATHS], cwd=REPO, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr


#: A module longer than this holds more than one job (docs/decisions.md): split it by job.
MAX_MODULE_LINES = 400


def test_no_module_holds_more_than_one_jobs_worth_of_lines() -> None:
    long = {
        str(p.relative_to(REPO)): n
        for p in (REPO / "feeds").rglob("*.py")
        if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    assert not long, f"split these by job: {long}"
