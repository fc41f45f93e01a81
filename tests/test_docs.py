"""The README stays true: its key table and CLI help are generated and compared here.

Run with ``FEEDS_REGEN_DOCS=1`` to rewrite the marked README sections after a change.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import zoneinfo
from dataclasses import MISSING, fields
from pathlib import Path

import pytest
from click.testing import CliRunner

from feeds import config
from feeds.cli import main

from .conftest import REGEN_DOCS, REPO

README = REPO / "README.md"


def _default(value: object) -> str:
    if value is MISSING:
        return "(required)"
    if isinstance(value, zoneinfo.ZoneInfo):
        value = value.key
    if isinstance(value, Path):
        value = str(value)
    if isinstance(value, tuple):
        value = list(value)
    return f"`{json.dumps(value, ensure_ascii=False)}`"


def keys_table() -> str:
    rows = ["| key | default | meaning |", "| --- | --- | --- |"]
    for section, cls in config.SECTIONS.items():
        for f in fields(cls):
            rows.append(
                f"| `[{section}] {f.name}` | {_default(f.default)} | {f.metadata['help']} |"
            )
    return "\n".join(rows)


def cli_help() -> str:
    out = CliRunner().invoke(main, ["--help"], terminal_width=80).stdout
    return f"```\n{out.replace('Usage: main', 'Usage: feeds').rstrip()}\n```"


def _section(text: str, name: str) -> str:
    m = re.search(rf"<!-- {name}:start -->\n(.*?)\n<!-- {name}:end -->", text, re.DOTALL)
    assert m, f"README has no {name} section"
    return m.group(1)


def _check(name: str, expected: str) -> None:
    text = README.read_text(encoding="utf-8")
    if REGEN_DOCS and _section(text, name) != expected:
        text = text.replace(_section(text, name), expected)
        README.write_text(text, encoding="utf-8")
    assert _section(README.read_text(encoding="utf-8"), name) == expected


def test_every_config_key_is_documented_with_its_default() -> None:
    _check("keys", keys_table())


def test_readme_shows_the_real_cli_help() -> None:
    _check("cli", cli_help())


def test_readme_starts_with_the_serve_and_test_commands() -> None:
    blocks = re.findall(r"```sh\n(.*?)\n```", README.read_text(encoding="utf-8"), re.DOTALL)
    assert blocks[0].endswith("feeds serve")
    assert blocks[1] == "scripts/test"
    ci = (README.parent / ".ci" / "run").read_text(encoding="utf-8")
    assert blocks[1] in ci, ".ci/run runs the README's test command"


@pytest.mark.parametrize("variable", ["FEEDS_REGEN_GOLDEN", "FEEDS_REGEN_DOCS"])
def test_regenerating_is_refused_under_ci(variable: str) -> None:
    before = README.read_bytes()
    env = {**os.environ, "CI": "true", variable: "1"}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:randomly",
            "tests/test_docs.py",
            "-k",
            "config_key",
        ],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == pytest.ExitCode.USAGE_ERROR, result.stdout + result.stderr
    assert "refusing while CI is set" in result.stderr
    assert README.read_bytes() == before
