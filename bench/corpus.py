"""Generated corpora for the benchmarks, kept outside the repository and reused."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
GENERATOR = REPO.parent / "shared" / "tools" / "gen_corpus.py"
BENCH_DIR = Path(os.environ.get("FEEDS_BENCH_DIR", "/tmp/feeds-bench"))


def corpus(posts: int, categories: int = 2000) -> Path:
    """A site of ``posts`` generated posts (made once, then reused)."""
    root = BENCH_DIR / f"corpus-{posts}-{categories}"
    done = root / ".complete"
    if not done.exists():
        root.mkdir(parents=True, exist_ok=True)
        print(f"generating {posts} posts into {root} ...", file=sys.stderr)
        subprocess.run([sys.executable, str(GENERATOR), str(root), str(posts), "--categories", str(categories)], check=True)
        done.touch()
    return root
