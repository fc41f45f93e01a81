"""The WSGI entry point, imported as gunicorn imports it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from .conftest import REPO

SCRIPT = """
import json, wsgi
client = wsgi.app.test_client()
print(json.dumps(client.get("/feed.json").get_json()["title"], ensure_ascii=True))
wsgi.app.extensions["feeds"].close()
"""


def test_wsgi_reads_the_config_that_feeds_config_names(
    tmp_path: Path, write_config: Callable[..., Path]
) -> None:
    named = write_config('[site]\ntitle = "由环境变量指定"\n')
    here = tmp_path / "cwd"
    here.mkdir()
    # a config in the working folder too, which $FEEDS_CONFIG must win over
    (here / "config.toml").write_text(
        named.read_text(encoding="utf-8").replace("由环境变量指定", "工作目录"), encoding="utf-8"
    )
    env = {**os.environ, "FEEDS_CONFIG": str(named), "PYTHONPATH": str(REPO)}
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT],
        cwd=here,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == "由环境变量指定"
