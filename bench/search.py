"""Keyword, filtered, combined and converted feeds on a generated corpus: what the search index
costs to fill and to keep, and how long an uncached feed takes to build.

    python bench/search.py CORPUS [--runs 20] [--base OTHER_CHECKOUT] [--index FILLED]

CORPUS is a folder ``python -m tests.corpusgen`` made. Printed: the cold fill of the index
(and, with ``--base``, of that checkout's, which has no search tables) with the file's size and
the part of it the search tables take (``--index``: an index of CORPUS already filled, no fill
timed); then, per kind of feed, p50 and p99 of building its Atom document uncached
(``Documents.render`` from the index, on one thread), over ``--runs`` distinct queries of that
kind: first as they come, rendering the content of posts not rendered yet and storing it (as
the service does on a post's first use), then again with every content stored; then cached
requests per second through the Flask test client. The queries are drawn from the corpus's
own titles: common and rare terms of one, two and four characters. The worst cases follow:
filters that keep nothing, each scan stopping at ``feeds.index.search.BUDGET`` posts unless
the index can look the words up. The 1-minute load average is printed with each part: the
machine is shared.
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from feeds import config, filters, search
from feeds.documents import Documents
from feeds.model import SITE, Scope, ScopeKind
from feeds.urls import Target
from feeds.web import create_app

FILL = """
import sys, time
from pathlib import Path
from feeds import config
from feeds.documents import Documents
if __name__ == "__main__":
    docs = Documents.from_config(config.load(sys.argv[1]))
    t = time.perf_counter(); r = docs.index.refresh()
    print(f"{time.perf_counter() - t:.1f} {r.changed} {docs.index.path.stat().st_size}")
"""


def fill(checkout: Path, cfg: Path) -> tuple[float, int, int]:
    """Cold-fill the index ``cfg`` names with the code of ``checkout``: seconds, posts, bytes."""
    out = subprocess.run(
        [sys.executable, "-c", FILL, str(cfg)],
        cwd=checkout,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(checkout)},
    )
    seconds, posts, size = out.stdout.split()
    return float(seconds), int(posts), int(size)


def terms(docs: Documents, now: datetime) -> dict[str, list[str]]:
    """Common and rare one-, two- and four-character terms of the corpus's titles."""
    titles = [s.post.title for s in docs.index.posts(SITE, now, 5000)]
    found: dict[str, list[str]] = {}
    for n in (1, 2, 4):
        counts = Counter(
            t[i : i + n]
            for t in titles
            for i in range(len(t) - n + 1)
            if all("\u4e00" <= c <= "\u9fff" for c in t[i : i + n])
        )
        ranked = [g for g, _ in counts.most_common()]
        found[f"{n} char, common"] = ranked[:50]
        found[f"{n} char, rare"] = ranked[::-1][:50]  # the fewest titles hold these
    return found


def search_bytes(index: Path) -> tuple[int, int]:
    """(bytes of the search tables, bytes of the whole file), from SQLite's ``dbstat``."""
    with sqlite3.connect(index) as db:
        sizes = dict(db.execute("SELECT name, SUM(pgsize) FROM dbstat GROUP BY name").fetchall())
    db.close()
    return sum(n for t, n in sizes.items() if t == "words" or t.startswith("grams")), sum(
        sizes.values()
    )


def load() -> str:
    return f"load {os.getloadavg()[0]:.1f}"


def timed(docs: Documents, targets: list[Target], now: datetime) -> tuple[float, float]:
    ms = []
    for target in targets:
        t = time.perf_counter()
        docs.render(target, now, 50)
        ms.append((time.perf_counter() - t) * 1000)
    ms.sort()
    return statistics.median(ms), ms[min(len(ms) - 1, int(len(ms) * 0.99))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--base", type=Path, help="another checkout to compare the cold fill with")
    parser.add_argument("--index", type=Path, help="an index of CORPUS already filled: no fill")
    args = parser.parse_args()
    here = Path(__file__).resolve().parent.parent
    with tempfile.TemporaryDirectory() as tmp:
        cfg = Path(tmp) / "config.toml"
        cfg.write_text(
            f'[site]\nsource = "{args.corpus.resolve()}"\nurl = "https://x.example"\n'
            f'[index]\npath = "{args.index or Path(tmp) / "index.sqlite3"}"\n',
            encoding="utf-8",
        )
        if args.base and not args.index:
            base = Path(tmp) / "base.toml"
            base.write_text(
                cfg.read_text(encoding="utf-8").replace("index.sqlite3", "base.sqlite3"),
                encoding="utf-8",
            )
            seconds, posts, size = fill(args.base, base)
            print(
                f"cold fill without search ({args.base}): {seconds:.1f} s, {posts} posts, {size / 1e6:.0f} MB"
            )
        if not args.index:
            print(load())
            seconds, posts, size = fill(here, cfg)
            print(f"cold fill with search: {seconds:.1f} s, {posts} posts, {size / 1e6:.0f} MB")
        docs = Documents.from_config(config.load(cfg))
        searched, whole = search_bytes(docs.index.path)
        print(
            f"search tables: {searched / 1e6:.0f} MB of {whole / 1e6:.0f} MB ({searched / whole:.0%})"
        )
        now = datetime.now(UTC)
        rng = random.Random(1)
        sized = sorted(
            ((n, s) for s, n in docs.index.scopes(now) if s.kind is ScopeKind.CATEGORY),
            key=lambda ns: -ns[0],
        )
        categories = [s for _, s in sized]
        kinds: dict[str, list[Target]] = {}
        for name, found in terms(docs, now).items():
            kinds[f"keyword, {name}"] = [
                Target("atom", search=True, query=search.parse(q).canonical)
                for q in rng.sample(found, min(args.runs, len(found)))
            ]
        big = categories[: max(1, len(categories) // 20)]
        kinds["filtered site feed (filter_title)"] = [
            Target("atom", SITE, filters=filters.parse({"filter_title": [t.query]}))
            for t in kinds["keyword, 2 char, common"]
        ]
        kinds["filtered category (filterout_description)"] = [
            Target(
                "atom",
                Scope(ScopeKind.CATEGORY, c.slug),
                filters=filters.parse({"filterout_description": [t.query]}),
            )
            for c, t in zip(
                rng.sample(big, min(args.runs, len(big))), kinds["keyword, 1 char, common"]
            )
        ]
        kinds["combined (3 categories)"] = (
            [
                Target("atom", SITE, within=(tuple(rng.sample(categories, 3)),))
                for _ in range(args.runs)
            ]
            if len(categories) >= 3
            else []
        )
        kinds["converted (opencc=s2t, site)"] = [
            Target("atom", SITE, opencc="s2t", filters=filters.parse({"brief": [str(100 + i)]}))
            for i in range(args.runs)
        ]
        nothing = "不存在的词zz"
        kinds["worst: filter=<word no post has> (site, looked up)"] = [
            Target("atom", SITE, filters=filters.parse({"filter": [f"{nothing}{i}"]}))
            for i in range(args.runs)
        ]
        kinds["worst: filter=<regex nothing matches> (site, budget)"] = [
            Target("atom", SITE, filters=filters.parse({"filter": [f"{nothing}.{i}"]}))
            for i in range(args.runs)
        ]
        kinds["worst: filterout_description=. (site, budget)"] = [
            Target("atom", SITE, filters=filters.parse({"filterout_description": ["." * (i + 1)]}))
            for i in range(args.runs)
        ]
        print(load())
        for name, targets in kinds.items():
            if not targets:
                print(f"{name}: no such term")
                continue
            p50, p99 = timed(docs, targets, now)
            again50, again99 = timed(docs, targets, now)
            print(
                f"{name}: p50 {p50:.0f} ms, p99 {p99:.0f} ms; posts' content stored: "
                f"p50 {again50:.0f} ms, p99 {again99:.0f} ms ({len(targets)} feeds)"
            )
        print(load())
        again = kinds["keyword, 2 char, common"][:5]  # all fit the query feeds' cache
        app = create_app(config.load(cfg))
        client = app.test_client()
        for t in again:
            client.get(f"/search.atom?q={t.query}")
        started, n = time.perf_counter(), 0
        while time.perf_counter() - started < 5:
            for t in again:
                client.get(f"/search.atom?q={t.query}")
                n += 1
        print(
            f"cached keyword feeds: {n / (time.perf_counter() - started):.0f} req/s (test client, one thread)"
        )
        app.extensions["feeds"].close()


if __name__ == "__main__":
    main()
