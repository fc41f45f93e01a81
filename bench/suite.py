"""Every measurement of issue 5 in one run, side by side with what feeds competes with.

    bench/run [--posts 100000] [--jekyll-posts 10000] [--runs 3] [--quick] [--only PHASES]

Generates or reuses the corpora (bench/corpus.py), installs Debian's hugo, jekyll,
ruby-jekyll-feed, nginx and wrk when missing (as root), runs each measurement ``--runs`` times
(each anchor in the same run, interleaved with feeds) and prints one table of medians:
measurement, feeds, the anchor, their ratio, the target and whether it is met. Scratch data and
logs live under $FEEDS_BENCH_DIR (default /tmp/feeds-bench); every process started is stopped
with its process group however the run ends; servers bind 127.0.0.1 only.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from feeds.config import ServerConfig

try:
    from . import debian, export, hugo, jekyll, service, timed  # type: ignore[import-not-found]
    from .corpus import BENCH_DIR, corpus  # type: ignore[import-not-found]
except ImportError:
    import debian  # type: ignore[import-not-found,no-redef]
    import export  # type: ignore[import-not-found,no-redef]
    import hugo  # type: ignore[import-not-found,no-redef]
    import jekyll  # type: ignore[import-not-found,no-redef]
    import service  # type: ignore[import-not-found,no-redef]
    import timed  # type: ignore[import-not-found,no-redef]
    from corpus import BENCH_DIR, corpus  # type: ignore[import-not-found,no-redef]

HERE = Path(__file__).resolve().parent
#: The phases, in the order they run; ``--only`` picks some.
PHASES = ("hugo", "jekyll", "service", "serving", "archives")
#: A Jekyll build slower than this is not repeated: one run of it stands for the median.
JEKYLL_REPEAT_SECONDS = 120.0


@dataclass(frozen=True, slots=True)
class Row:
    """One line of the table."""

    measurement: str
    feeds: str
    anchor: str = ""
    ratio: str = ""
    target: str = ""
    #: ``True`` met, ``False`` not met, ``None`` no target.
    met: bool | None = None


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument(
        "--posts", type=int, help="posts in the large site (default 100000; 10000 with --quick)"
    )
    ap.add_argument(
        "--jekyll-posts",
        type=int,
        help="posts in the Jekyll comparison (default 10000; 1000 with --quick)",
    )
    ap.add_argument(
        "--categories",
        type=int,
        default=2000,
        help="categories in the generated corpora (default 2000)",
    )
    ap.add_argument(
        "--runs",
        type=int,
        help="runs per measurement; medians are shown (default 3; 1 with --quick)",
    )
    ap.add_argument(
        "--quick", action="store_true", help="a smoke test: smaller sites, one short run of each"
    )
    ap.add_argument(
        "--only",
        metavar="PHASES",
        default=",".join(PHASES),
        help=f"comma-separated phases to run (default: all of {','.join(PHASES)})",
    )
    args = ap.parse_args()
    posts = args.posts or (10_000 if args.quick else 100_000)
    jekyll_posts = args.jekyll_posts or (1_000 if args.quick else 10_000)
    runs = args.runs or (1 if args.quick else 3)

    debian.ensure(list(debian.PACKAGES))
    timed.compile_feeds()
    big, small = corpus(posts, args.categories), corpus(jekyll_posts, args.categories)
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    run = Path(tempfile.mkdtemp(prefix="run-", dir=BENCH_DIR))
    print(
        f"bench: {posts:,} posts (Jekyll {jekyll_posts:,}), {runs} run(s); logs in {run}",
        file=sys.stderr,
        flush=True,
    )
    started = time.monotonic()
    loads: dict[str, float] = {}
    rows: list[Row] = []

    def phase(name: str, fn: Callable[[], list[Row]]) -> None:
        loads[name] = os.getloadavg()[0]
        print(f"bench: {name} ...", file=sys.stderr, flush=True)
        t = time.monotonic()
        new = fn()
        rows.extend(new)
        print(f"bench: {name} done in {time.monotonic() - t:.0f} s", file=sys.stderr, flush=True)
        for r in new:
            print(
                f"bench:   {r.measurement.strip()}: {r.feeds} | {r.anchor} | {r.ratio}",
                file=sys.stderr,
                flush=True,
            )

    only = set(args.only.split(","))
    if unknown := only - set(PHASES):
        ap.error(f"unknown phase {', '.join(sorted(unknown))}; the phases are {', '.join(PHASES)}")
    with timed.trash_emptied():
        if "hugo" in only:
            phase("export and Hugo", lambda: export_vs_hugo(big, posts, runs, run))
        if "jekyll" in only:
            phase("export and Jekyll", lambda: export_vs_jekyll(small, jekyll_posts, runs, run))
        if "service" in only:
            phase("service", lambda: service_rows(big, posts, runs, args.quick, run))
        if "serving" in only:
            phase("serving", lambda: serving_rows(posts, runs, args.quick, run))
        if "archives" in only:
            phase("archives", lambda: archive_rows(posts, runs, run))

    print_table(rows)
    print(
        f"\n{os.cpu_count()} cores; 1-min load average at the start of each phase: "
        + ", ".join(f"{k} {v:.1f}" for k, v in loads.items())
        + f"; whole run {(time.monotonic() - started) / 60:.0f} min; logs in {run}"
    )


def _med(values: list[float]) -> float:
    return statistics.median(values)


def export_vs_hugo(source: Path, posts: int, runs: int, run: Path) -> list[Row]:
    """feeds export cold, warm and after one new post, and Hugo's cold build, interleaved."""
    site = hugo.site(source)
    work = BENCH_DIR / f"run-export-{posts}"
    feeds: dict[str, list[export.Result]] = {case: [] for case in export.CASES}
    hugo_runs = []
    for i in range(runs):
        for case, results in export.measure(posts, 1, work).items():
            feeds[case] += results
        hugo_runs.append(hugo.build(site, run / f"hugo-{i}.log"))
    cold, warm, new = (feeds[c] for c in export.CASES)
    f_cold, h_cold = _med([r[0] for r in cold]), _med([t.seconds for t in hugo_runs])
    f_mem, h_mem = max(r[2] for r in cold), max(t.peak_mb for t in hugo_runs)
    n = f"{posts // 1000}k"
    warm_s, new_s = _med([r[0] for r in warm]), _med([r[0] for r in new])
    new_written = new[-1][1].split(",")[0]
    return [
        Row(
            f"cold export {n} (feeds export; hugo)",
            f"{f_cold:.1f} s",
            f"{h_cold:.1f} s",
            f"{f_cold / h_cold:.2f}",
            "≤ 0.80",
            f_cold <= 0.8 * h_cold,
        ),
        Row(
            "  peak memory of that", f"{f_mem:,.0f} MB", f"{h_mem:,.0f} MB", f"{f_mem / h_mem:.2f}"
        ),
        Row(
            "  each run, in order",
            " ".join(f"{r[0]:.1f}" for r in cold),
            " ".join(f"{t.seconds:.1f}" for t in hugo_runs),
            " ".join(f"{r[0] / t.seconds:.2f}" for r, t in zip(cold, hugo_runs)),
        ),
        Row("  feed files written", cold[-1][1].split(",")[0], f"{hugo.feed_count(site):,} RSS"),
        *_cpu_row([r[3] for r in cold], [t.cpu for t in hugo_runs]),
        Row(f"warm export {n}, nothing changed", f"{warm_s:.2f} s", "", "", "≤ 1 s", warm_s <= 1),
        Row(f"export {n} after one new post", f"{new_s:.2f} s", "", "", "≤ 2 s", new_s <= 2),
        Row("  files rewritten for it", new_written, "", "", "changed only", None),
    ]


def _cpu_row(ours: list[timed.Cpu | None], theirs: list[timed.Cpu | None]) -> list[Row]:
    """The machine's CPU time during each side's runs, medians by kind, in core-seconds: where
    the wall time went (our own work, the kernel's on our behalf, idle cores, the hypervisor's
    steal), as the kernel's share moves from machine to machine and run to run. No row where
    the machine does not say."""
    sides = [[c for c in cpus if c is not None] for cpus in (ours, theirs)]
    if not all(sides):
        return []
    mine, other = (
        " / ".join(f"{_med([getattr(c, k) for c in side]):.1f}" for k in timed.Cpu._fields)
        for side in sides
    )
    return [Row("  machine CPU, core-s (user / sys / idle / steal)", mine, other)]


def archive_rows(posts: int, runs: int, run: Path) -> list[Row]:
    """The cold export with RFC 5005 archive pages next to without, interleaved."""
    found = export.measure_archives(posts, runs, BENCH_DIR / f"run-archives-{posts}")
    off, on, new = (found[c] for c in export.ARCHIVE_CASES)
    off_s, on_s = _med([r[0] for r in off]), _med([r[0] for r in on])
    n = f"{posts // 1000}k"
    return [
        Row(
            f"cold export {n} with archives (on; off)",
            f"{on_s:.1f} s",
            f"{off_s:.1f} s",
            f"{on_s / off_s:.2f}",
        ),
        Row("  files", f"{on[-1][1]:,}", f"{off[-1][1]:,}", f"{on[-1][1] / off[-1][1]:.2f}"),
        Row(
            "  bytes",
            f"{on[-1][2] / 1e6:,.0f} MB",
            f"{off[-1][2] / 1e6:,.0f} MB",
            f"{on[-1][2] / off[-1][2]:.2f}",
        ),
        Row(f"export {n} with archives after one new post", f"{_med([r[0] for r in new]):.2f} s"),
    ]


def export_vs_jekyll(source: Path, posts: int, runs: int, run: Path) -> list[Row]:
    """feeds export cold and warm, and Jekyll's full build and rebuild, interleaved."""
    site = jekyll.site(source)
    work = BENCH_DIR / f"run-export-{posts}"
    cold: list[float] = []
    warm: list[float] = []
    builds: list[float] = []
    rebuilds: list[float] = []
    for i in range(runs):
        results = export.measure(posts, 1, work)
        cold.append(results[export.CASES[0]][0][0])
        warm.append(results[export.CASES[1]][0][0])
        if i == 0 or builds[0] < JEKYLL_REPEAT_SECONDS:
            builds.append(jekyll.build(site, run / f"jekyll-{i}.log", clean=True).seconds)
            rebuilds.append(jekyll.build(site, run / f"jekyll-{i}-again.log", clean=False).seconds)
    n = f"{posts // 1000}k" if posts >= 1000 else str(posts)
    f_cold, j_cold, f_warm, j_warm = _med(cold), _med(builds), _med(warm), _med(rebuilds)
    note = f" ({len(builds)} run{'s' if len(builds) > 1 else ''})" if len(builds) < runs else ""
    return [
        Row(
            f"build {n} (feeds export cold; jekyll build)",
            f"{f_cold:.1f} s",
            f"{j_cold:.1f} s{note}",
            f"{f_cold / j_cold:.3f}",
            "≤ 1.00",
            f_cold <= j_cold,
        ),
        Row(
            f"rebuild {n}, nothing changed (warm; again)",
            f"{f_warm:.2f} s",
            f"{j_warm:.1f} s{note}",
            f"{f_warm / j_warm:.3f}",
            "≤ 1.00",
            f_warm <= j_warm,
        ),
        Row("  feeds written (all formats; jekyll-feed)", "", f"{jekyll.feed_count(site):,} Atom"),
    ]


def service_rows(source: Path, posts: int, runs: int, quick: bool, run: Path) -> list[Row]:
    r = service.measure(
        source,
        starts=max(runs, 3) if not quick else 1,
        idle_seconds=10 if quick else 30,
        fresh_posts=3 if quick else 7,
        run=run,
    )
    print(service.summary(r), file=sys.stderr, flush=True)
    (run / "service.json").write_text(
        json.dumps(
            {
                "summary": service.summary(r),
                "start": r.start_seconds,
                "fresh": [f.__repr__() for f in r.fresh],
            }
        )
    )
    n = f"{posts // 1000}k"
    fresh_all = _med([f.all for f in r.fresh])
    per = ", ".join(
        f"{k} {_med([getattr(f, k) for f in r.fresh]):.2f}" for k in ("category", "tag", "site")
    )
    start = _med(r.start_seconds)
    rss = max(r.worker_rss_mb)
    return [
        Row(
            f"freshness {n}: write → in 3 feeds",
            f"{fresh_all:.2f} s",
            "refresh 2 s",
            f"{fresh_all / 2:.2f}",
            "≤ 2 s",
            fresh_all <= 2,
        ),
        Row("  per feed (category, tag, site)", per),
        Row(f"service start {n}, warm index", f"{start:.2f} s", "", "", "≤ 2 s", start <= 2),
        Row(
            f"RSS per worker {n}, all {r.feeds_served:,} feeds served",
            f"{rss:.0f} MB",
            "",
            "",
            "≤ 300 MB",
            rss <= 300,
        ),
        Row(
            f"idle CPU {n} over {r.idle_seconds:.0f} s (all processes)",
            f"{r.idle_cpu_percent:.2f} %",
            "",
            "",
            "< 2 %",
            r.idle_cpu_percent < 2,
        ),
    ]


def serving_rows(posts: int, runs: int, quick: bool, run: Path) -> list[Row]:
    """bench/serve.py over the same corpus; its medians against bare Flask and nginx."""
    out = run / "serve.json"
    argv = [
        sys.executable,
        str(HERE / "serve.py"),
        "--posts",
        str(posts),
        "--runs",
        str(runs),
        "--duration",
        "3" if quick else "10",
        "--json",
        str(out),
    ]
    with open(run / "serve.log", "wb") as log:
        # In our process group, so that ^C reaches it too; its own finally stops its servers.
        proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT)
        try:
            status = proc.wait()
        finally:
            if proc.poll() is None:
                proc.send_signal(signal.SIGINT)
                try:
                    proc.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
    if status != 0:
        sys.exit(f"bench: serve.py failed (status {status}); see {run / 'serve.log'}")
    data = json.loads(out.read_text(encoding="utf-8"))
    by = {(r["server"], r["kind"]): r for r in data["rows"]}
    served = f"feeds-{ServerConfig().engine}"  # the engine `feeds serve` runs by default

    def cell(r: dict[str, float]) -> str:
        return f"{r['rps']:,.0f}/s p99 {r['p99_ms']:.1f} ms"

    rows = []
    for kind, label in (
        ("200 site", "200 /feed.atom"),
        ("200 category", "200 busiest category"),
        ("304 site", "304 /feed.atom"),
    ):
        f, bare, nginx = by[(served, kind)], by[("bare", kind)], by[("nginx", kind)]
        ratio = f["rps"] / bare["rps"]
        rows.append(
            Row(
                f"serve {label} vs bare Flask",
                cell(f),
                cell(bare),
                f"{ratio:.3f}",
                "≥ 0.90",
                ratio >= 0.9,
            )
        )
        rows.append(
            Row("  … vs nginx (keep-alive)", "", cell(nginx), f"{f['rps'] / nginx['rps']:.2f}")
        )
    close = by.get(("nginx-close", "200 site"))
    if close:
        f = by[(served, "200 site")]
        rows.append(
            Row(
                "  … 200 /feed.atom vs nginx, no keep-alive",
                "",
                cell(close),
                f"{f['rps'] / close['rps']:.2f}",
            )
        )
    return rows


def print_table(rows: list[Row]) -> None:
    head = Row("measurement", "feeds", "anchor", "ratio", "target")
    widths = [
        max(len(getattr(r, f)) for r in [head, *rows])
        for f in ("measurement", "feeds", "anchor", "ratio", "target")
    ]
    print()
    for r in [head, *rows]:
        cells = [
            r.measurement.ljust(widths[0]),
            r.feeds.rjust(widths[1]),
            r.anchor.rjust(widths[2]),
            r.ratio.rjust(widths[3]),
            r.target.ljust(widths[4]),
        ]
        met = "met" if r is head else {True: "yes", False: "NO", None: ""}[r.met]
        print(" | ".join(cells) + " | " + met)
        if r is head:
            print("-+-".join("-" * w for w in widths) + "-+----")


if __name__ == "__main__":
    main()
