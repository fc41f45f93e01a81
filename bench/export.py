"""Export timings: cold (empty index and folder), warm (nothing changed), and after one new post.

    python bench/export.py [--posts 10000] [--runs 3]

Each run uses a fresh copy of the index state it needs; figures are medians of the runs. Scratch
data lives under $FEEDS_BENCH_DIR (default /tmp/feeds-bench), never in the repository.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
from pathlib import Path

try:
    from . import timed  # type: ignore[import-not-found]
    from .corpus import BENCH_DIR, corpus  # type: ignore[import-not-found]
except ImportError:
    import timed  # type: ignore[import-not-found,no-redef]
    from corpus import BENCH_DIR, corpus  # type: ignore[import-not-found,no-redef]

FEEDS = Path(sys.executable).parent / "feeds"


def export(config: Path, out: Path) -> tuple[float, str, float]:
    """Run ``feeds export`` as a user would; (seconds, its last line, peak RSS in MB)."""
    done = timed.run(
        [str(FEEDS), "--config", str(config), "export", str(out)], config.parent / "export.log"
    )
    return done.seconds, done.output.strip().splitlines()[-1], done.peak_mb


#: The measurements, in the order they are made in each run.
CASES = ("cold", "warm (nothing changed)", "after one new post")


def measure(
    posts: int, runs: int, work: Path | None = None
) -> dict[str, list[tuple[float, str, float]]]:
    """Each case of :data:`CASES` ``runs`` times, in ``work`` (default: BENCH_DIR/export-N);
    case → one (seconds, last line, peak MB) per run."""
    source = corpus(posts)
    work = work or BENCH_DIR / f"export-{posts}"
    shutil.rmtree(work, ignore_errors=True)
    site = work / "site"
    (site / "_posts").mkdir(parents=True)
    for f in os.scandir(source / "_posts"):
        os.link(f.path, site / "_posts" / f.name)  # hard links: a copy in no time, new post private
    config = work / "config.toml"
    config.write_text(
        f'[site]\ntitle = "金融新闻"\nurl = "https://finews.withounder.com"\nsource = "{site}"\n'
        f'timezone = "Asia/Shanghai"\nlang = "zh-CN"\n[feeds]\nfuture = true\n[index]\npath = "{work}/index.sqlite3"\n',
        encoding="utf-8",
    )
    rows: dict[str, list[tuple[float, str, float]]] = {case: [] for case in CASES}
    for run in range(runs):
        out = work / "out"
        shutil.rmtree(out, ignore_errors=True)
        for p in work.glob("index.sqlite3*"):
            p.unlink()
        rows[CASES[0]].append(export(config, out))
        rows[CASES[1]].append(export(config, out))
        new = site / "_posts" / f"2026-11-30-bench{run}.md"
        new.write_text(
            '---\ntitle: "新的一篇"\ndate: 2026-11-30 12:00:00 +0800\ncategories: youjiangribao\ntags: 右江日报新闻\n---\n<p>正文</p>\n',
            encoding="utf-8",
        )
        try:
            rows[CASES[2]].append(export(config, out))
        finally:
            new.unlink()
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--posts", type=int, default=10_000)
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    rows = measure(args.posts, args.runs)
    print(f"feeds export of {args.posts:,} generated posts, median of {args.runs} runs")
    print(f"{'measurement':<26}{'seconds':>9}{'peak MB':>9}  last line")
    for name, results in rows.items():
        med = statistics.median(r[0] for r in results)
        peak = max(r[2] for r in results)
        print(f"{name:<26}{med:>9.2f}{peak:>9.0f}  {results[-1][1]}")


if __name__ == "__main__":
    main()
