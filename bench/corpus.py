"""Generated corpora for the benchmarks, kept outside the repository and reused."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
GENERATOR = REPO / "tests" / "corpusgen.py"
BENCH_DIR = Path(os.environ.get("FEEDS_BENCH_DIR", "/tmp/feeds-bench"))


def corpus(posts: int, categories: int = 2000) -> Path:
    """A site of ``posts`` generated posts (made once, then reused).

    The folder is named after the generator's hash too, so a corpus made by another version of
    it is never taken for this one. No future, unpublished or blank-line posts, so that feeds and
    the anchors build the same posts: Hugo skips future posts, hugo.py's conversion keeps no
    ``published`` and stops at a blank line before the front matter, which Jekyll misses.
    """
    version = hashlib.sha256(GENERATOR.read_bytes()).hexdigest()[:8]
    root = BENCH_DIR / f"corpus-{posts}-{categories}-{version}"
    done = root / ".complete"
    if not done.exists():
        root.mkdir(parents=True, exist_ok=True)
        print(f"generating {posts} posts into {root} ...", file=sys.stderr)
        subprocess.run(
            [
                sys.executable,
                "-m",
                "tests.corpusgen",
                str(root),
                "--posts",
                str(posts),
                "--categories",
                str(categories),
                "--future",
                "0",
                "--unpublished",
                "0",
                "--blank-lines",
                "0",
            ],
            cwd=REPO,
            check=True,
        )
        done.touch()
    return root
