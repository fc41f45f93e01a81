"""Export timings: cold (empty index and folder), warm (nothing changed), and after one new post;
with ``--archives``, the cold export with RFC 5005 archive pages next to without (files, bytes).

    python bench/export.py [--posts 10000] [--runs 3] [--archives]

Each run uses a fresh copy of the index state it needs; figures are medians of the runs. Scratch
data lives under $FEEDS_BENCH_DIR (default /tmp/feeds-bench), never in the repository.
"""

from __future__ import annotations

import argparse
import os
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


#: One ``feeds export``: seconds, its last line, peak RSS in MB, the machine's CPU time meanwhile.
Result = tuple[float, str, float, timed.Cpu | None]


def export(config: Path, out: Path) -> Result:
    """Run ``feeds export`` as a user would (:data:`Result`)."""
    done = timed.run(
        [str(FEEDS), "--config", str(config), "export", str(out)], config.parent / "export.log"
    )
    return done.seconds, done.output.strip().splitlines()[-1], done.peak_mb, done.cpu


#: The measurements, in the order they are made in each run.
CASES = ("cold", "warm (nothing changed)", "after one new post")


def footprint(out: Path) -> tuple[int, int]:
    """(files, bytes) of an export folder."""
    sizes = [p.stat().st_size for p in out.rglob("*") if p.is_file()]
    return len(sizes), sum(sizes)


#: The archive measurements, in the order they are made in each run.
ARCHIVE_CASES = ("cold, archives off", "cold, archives on", "archives on, after one new post")


def measure_archives(
    posts: int, runs: int, work: Path | None = None
) -> dict[str, list[tuple[float, int, int]]]:
    """Each case of :data:`ARCHIVE_CASES` ``runs`` times, off and on interleaved; case → one
    (seconds, files, bytes) per run."""
    rows: dict[str, list[tuple[float, int, int]]] = {case: [] for case in ARCHIVE_CASES}
    base = work or BENCH_DIR / f"archives-{posts}"
    for _ in range(runs):
        for archives, case in ((False, ARCHIVE_CASES[0]), (True, ARCHIVE_CASES[1])):
            folder = base / ("on" if archives else "off")
            results = measure(posts, 1, folder, archives=archives, cases=2 if archives else 1)
            rows[case].append((results[CASES[0]][0][0], *footprint(folder / "out")))
            if archives:
                rows[ARCHIVE_CASES[2]].append((results[CASES[2]][0][0], 0, 0))
    return rows


def measure(
    posts: int,
    runs: int,
    work: Path | None = None,
    *,
    archives: bool = False,
    cases: int = 3,
) -> dict[str, list[Result]]:
    """The first ``cases`` of :data:`CASES` ``runs`` times, in ``work`` (default:
    BENCH_DIR/export-N), with or without ``archives``; case → one :data:`Result` per run (the
    new post is measured when ``cases`` is 2 or more, without the warm one)."""
    source = corpus(posts)
    work = work or BENCH_DIR / f"export-{posts}"
    timed.set_aside(work)
    site = work / "site"
    (site / "_posts").mkdir(parents=True)
    for f in os.scandir(source / "_posts"):
        os.link(f.path, site / "_posts" / f.name)  # hard links: a copy in no time, new post private
    config = work / "config.toml"
    config.write_text(
        f'[site]\ntitle = "金融新闻"\nurl = "https://finews.withounder.com"\nsource = "{site}"\n'
        f'timezone = "Asia/Shanghai"\nlang = "zh-CN"\n[feeds]\nfuture = true\n'
        f"archives = {str(archives).lower()}\n"
        f'[index]\npath = "{work}/index.sqlite3"\n',
        encoding="utf-8",
    )
    rows: dict[str, list[Result]] = {case: [] for case in CASES}
    for run in range(runs):
        out = work / "out"
        timed.set_aside(out)
        for p in work.glob("index.sqlite3*"):
            timed.set_aside(p)
        rows[CASES[0]].append(export(config, out))
        if cases == 1:
            continue
        if cases > 2:
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
    ap.add_argument("--archives", action="store_true", help="cold export with archives vs without")
    args = ap.parse_args()
    timed.compile_feeds()
    with timed.trash_emptied():
        report(args)


def report(args: argparse.Namespace) -> None:
    """Make and print the measurements ``args`` asks for."""
    if args.archives:
        found = measure_archives(args.posts, args.runs)
        print(f"feeds export of {args.posts:,} generated posts, median of {args.runs} runs")
        print(f"{'measurement':<34}{'seconds':>9}{'files':>9}{'MB':>9}")
        for name, results in found.items():
            med = statistics.median(r[0] for r in results)
            print(f"{name:<34}{med:>9.2f}{results[-1][1]:>9,}{results[-1][2] / 1e6:>9.0f}")
        return
    rows = measure(args.posts, args.runs)
    print(f"feeds export of {args.posts:,} generated posts, median of {args.runs} runs")
    print(f"{'measurement':<26}{'seconds':>9}{'peak MB':>9}  last line")
    for name, results in rows.items():
        med = statistics.median(r[0] for r in results)
        peak = max(r[2] for r in results)
        print(f"{name:<26}{med:>9.2f}{peak:>9.0f}  {results[-1][1]}")


if __name__ == "__main__":
    main()
