"""A copy of the committed repository, with nothing beside it, passes the README's test command.

The team's checkouts have ``../shared`` beside them; a user's clone has not, and tests that
reached for it passed here and failed there. This copies ``git archive HEAD`` into a temporary
folder with no ``shared/`` above it and runs the README's test command there, in a new
virtualenv, on the tests that once needed ``../shared`` (the generated corpus and the fault test
built on it) and the README checks. Running the whole suite again inside itself would double
the run for little more: every other test reads only what is under tests/.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from .conftest import REPO

#: The tests that used ../shared/tools/gen_corpus.py, and the generator's own.
ONCE_NEEDED_SHARED = [
    "tests/test_corpusgen.py",
    "tests/test_faults.py::test_export_killed_at_random_moments_leaves_only_whole_files",
    "tests/test_docs.py",
]


def readme_test_command() -> str:
    blocks = re.findall(
        r"```sh\n(.*?)\n```", (REPO / "README.md").read_text(encoding="utf-8"), re.DOTALL
    )
    command: str = blocks[1]
    return command


@pytest.mark.slow
def test_a_copy_with_nothing_beside_it_passes_the_readme_test_command(tmp_path: Path) -> None:
    if shutil.which("git") is None or not (REPO / ".git").exists():
        pytest.skip("not a git checkout: nothing committed to copy")
    copy = tmp_path / "feeds"
    copy.mkdir()
    archive = subprocess.run(
        ["git", "-C", str(REPO), "archive", "--format=tar", "HEAD"], capture_output=True, check=True
    )
    subprocess.run(["tar", "-x", "-C", str(copy)], input=archive.stdout, check=True)
    assert not [p for p in copy.parents if (p / "shared").exists()], "a shared/ above the copy"
    outer_venv = str(REPO / ".venv" / "bin")
    env = {
        k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME")
    }
    env["PATH"] = os.pathsep.join(
        p for p in env.get("PATH", "").split(os.pathsep) if p != outer_venv
    )
    command = f"{readme_test_command()} -q -p no:randomly -p no:cacheprovider {' '.join(ONCE_NEEDED_SHARED)}"
    run = subprocess.run(
        ["bash", "-c", command], cwd=copy, env=env, capture_output=True, text=True, timeout=900
    )
    errors = "".join(
        line for line in run.stderr.splitlines(keepends=True) if "is ignored" not in line
    )
    assert run.returncode == 0, run.stdout[-4000:] + errors[-2000:]
    assert (copy / ".venv" / "bin" / "python").exists(), "the copy installed its own virtualenv"
    assert re.search(r"^\d+ passed in ", run.stdout, re.M), run.stdout[-3000:]
