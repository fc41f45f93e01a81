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
