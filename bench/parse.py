"""Posts parsed per second: front matter alone, and whole posts with content.

    python bench/parse.py [--posts 10000] [--runs 5]

Generates (or reuses) a corpus with tests/corpusgen.py (bench/corpus.py) under $FEEDS_BENCH_DIR
(default /tmp/feeds-bench), outside the repository, and prints the median of several runs.
"""

from __future__ import annotations

import argparse
import statistics
import time
from zoneinfo import ZoneInfo

from feeds.jekyll import frontmatter, permalink, posts, render
from feeds.jekyll.files import find

try:
    from .corpus import corpus  # type: ignore[import-not-found]
except ImportError:
    from corpus import corpus  # type: ignore[import-not-found,no-redef]


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--posts", type=int, default=10_000)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    root = corpus(args.posts)
    rules = posts.Rules(
        root=root,
        site_url="https://finews.withounder.com",
        zone=ZoneInfo("Asia/Shanghai"),
        permalink=permalink.template("date"),
        max_post_bytes=10 * 1024 * 1024,
        summary_length=200,
    )
    files, _ = find(root)
    raws = [(f.path, (root / f.path).read_bytes()) for f in files]

    def front_matter_only() -> None:
        for _, raw in raws:
            split = frontmatter.split_front_matter(frontmatter.decode(raw))
            assert split is not None
            frontmatter.load_yaml(split[0], split[2])

    def parsed_posts() -> None:
        for path, raw in raws:
            posts.parse_text(path, frontmatter.decode(raw), rules, [])

    def rendered_posts() -> None:
        # what a post in some feed costs: parsed, then its body read again and rendered
        for path, raw in raws:
            post = posts.parse_text(path, frontmatter.decode(raw), rules, [])
            assert post is not None
            render.finish(rules, post)

    print(
        f"{len(raws)} posts from {root}, median of {args.runs} runs (files already read into memory)"
    )
    print(f"{'measurement':<28}{'posts/s':>12}{'µs/post':>10}  (one core)")
    for name, fn in (
        ("front matter (YAML)", front_matter_only),
        ("parsed (no content)", parsed_posts),
        ("parsed and rendered", rendered_posts),
    ):
        times = []
        for _ in range(args.runs):
            t = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t)
        med = statistics.median(times)
        print(f"{name:<28}{len(raws) / med:>12,.0f}{med / len(raws) * 1e6:>10.0f}")


if __name__ == "__main__":
    main()
