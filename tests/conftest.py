"""Shared fixtures: real sites on disk, a config writer, and a clean environment per test."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"
FINEWS = FIXTURES / "finews"
REPO = Path(__file__).parent.parent

GOLDEN = Path(__file__).parent / "golden"
# Read at import: the clean_env fixture removes FEEDS_* variables before each test.
REGEN_GOLDEN = os.environ.get("FEEDS_REGEN_GOLDEN") == "1"
REGEN_DOCS = os.environ.get("FEEDS_REGEN_DOCS") == "1"


def pytest_configure(config: pytest.Config) -> None:
    """Refuse to regenerate expected files in CI: each test would compare a file with itself
    and pass whatever the code does."""
    if os.environ.get("CI") and (REGEN_GOLDEN or REGEN_DOCS):
        raise pytest.UsageError(
            "FEEDS_REGEN_GOLDEN/FEEDS_REGEN_DOCS rewrite the expected files: "
            "refusing while CI is set (regenerate locally and commit the diff)"
        )


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """In CI nothing skips: a skip there means an engine (jekyll, redis-server, nginx,
    chromium, a locale) that scripts/test should have installed is missing, and the behaviour
    it checks went untested."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if os.environ.get("CI") and skipped and exitstatus == 0:
        reporter.write_line(
            f"CI is set and {len(skipped)} tests skipped: failing the run", red=True
        )
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def check_golden(name: str, data: bytes) -> None:
    """Compare output with its committed golden file; ``FEEDS_REGEN_GOLDEN=1`` rewrites it."""
    path = GOLDEN / name
    if REGEN_GOLDEN:
        path.write_bytes(data)
    assert data == path.read_bytes(), f"{path} differs; FEEDS_REGEN_GOLDEN=1 rewrites it"


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """What the Jekyll oracle compared, so that CI's log shows it (``test_jekyll_oracle``)."""
    from . import jekyll_oracle

    if jekyll_oracle.REPORTS:
        terminalreporter.section("Jekyll oracle")
        for line in jekyll_oracle.summary(jekyll_oracle.REPORTS):
            terminalreporter.write_line(line)


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No FEEDS_* variable leaks into a test or out of it."""
    for name in list(os.environ):
        if name.startswith("FEEDS_"):
            monkeypatch.delenv(name)
    yield


@pytest.fixture
def write_config(tmp_path: Path) -> Callable[..., Path]:
    """Write a config.toml under tmp_path from TOML text; returns its path."""

    def write(
        text: str = "", *, source: Path | str = FINEWS, url: str = "https://finews.withounder.com"
    ) -> Path:
        path = tmp_path / "config.toml"
        keys = {
            "url": url,
            "source": str(source),
            "timezone": "Asia/Shanghai",
            "lang": "zh-CN",
            "title": "金融消息",
        }
        body = text.lstrip()
        if body.startswith("[site]"):
            body = body[len("[site]") :]
            for line in body.splitlines():
                keys.pop(line.split("=")[0].strip(), None)
        else:
            body = "\n" + body
        head = "[site]\n" + "".join(f'{k} = "{v}"\n' for k, v in keys.items())
        path.write_text(head + body, encoding="utf-8")
        return path

    return write


@pytest.fixture
def site(tmp_path: Path) -> Callable[[dict[str, str]], Path]:
    """Make a small Jekyll site: {relative path: file text} → the site folder."""

    def make(files: dict[str, str]) -> Path:
        root = tmp_path / "site"
        (root / "_posts").mkdir(parents=True, exist_ok=True)
        for rel, text in files.items():
            p = root / rel
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_text(text, encoding="utf-8")
        return root

    return make


@pytest.fixture
def finews_copy(tmp_path: Path) -> Path:
    """A writable copy of the real sample site."""
    dest = tmp_path / "finews"
    shutil.copytree(FINEWS, dest)
    return dest
