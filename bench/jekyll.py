"""Jekyll with jekyll-feed over the same posts: the incumbent, at 10,000 posts.

The site is a copy of the corpus (hard links, so it costs nothing and Jekyll's files never touch
the corpus) with a ``_config.yml`` that asks jekyll-feed for what the real site wants: the site
feed, a feed for every category (``feed: categories:`` lists them all; jekyll-feed has no
"every category" switch) and one for every tag (``tags: true``), with the 50 newest posts each
(``posts_limit``) and their full content. Debian's ``jekyll`` and ``ruby-jekyll-feed``.

jekyll-feed writes tag feeds only for tags made of ASCII letters, digits and ``_``
(``generate_tag_feed`` in its generator.rb), so for this corpus, whose tags are Chinese, it writes
none: the tag feeds it skips are work feeds does and Jekyll does not.

Debian's Jekyll is 4.3.1, whose ``Site#each_site_file`` checks every file against every file
before it (``Array#include?``, O(n²); jekyll/jekyll#9187, fixed in 4.3.2). At 10,000 posts that
is about 400 of its 480 s, three walks in the cleanup and write phases. The copy carries
``_plugins/each_site_file.rb``, the same walk with a set, so that the figure is Jekyll's and not
that bug's; ``build(..., as_shipped=True)`` leaves it out.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
from pathlib import Path

try:
    from . import timed  # type: ignore[import-not-found]
    from .corpus import BENCH_DIR  # type: ignore[import-not-found]
except ImportError:
    import timed  # type: ignore[import-not-found,no-redef]
    from corpus import BENCH_DIR  # type: ignore[import-not-found,no-redef]

CONFIG = """\
# Written by bench/jekyll.py.
title: 金融新闻
url: https://finews.withounder.com
baseurl: ""
timezone: Asia/Shanghai
lang: zh-CN
future: true
plugins:
  - jekyll-feed
exclude: [categories.txt]
feed:
  posts_limit: 50
  tags: true
  categories: {categories}
"""

PATCH = """\
# Written by bench/jekyll.py. Jekyll 4.3.0 and 4.3.1 check each file against every file before
# it (O(n²), jekyll/jekyll#9187, fixed in 4.3.2); this is the same walk with a set.
require "set"

if Gem::Version.new(Jekyll::VERSION) < Gem::Version.new("4.3.2")
  module Jekyll
    class Site
      def each_site_file
        seen = Set.new.compare_by_identity
        %w(pages static_files_to_write docs_to_write).each do |type|
          send(type).each do |item|
            next if seen.include?(item)

            yield item
            seen << item
          end
        end
      end
    end
  end
end
"""

_CATEGORIES = re.compile(r"^categor(?:y|ies):[ \t]*(.*)$", re.M)


def site(corpus: Path) -> Path:
    """The Jekyll site over ``corpus``: its posts hard-linked, its config written anew."""
    root = BENCH_DIR / f"jekyll-{corpus.name.removeprefix('corpus-')}"
    posts = root / "_posts"
    done = root / ".complete"
    if not done.exists():
        shutil.rmtree(root, ignore_errors=True)
        posts.mkdir(parents=True)
        for entry in os.scandir(corpus / "_posts"):
            os.link(entry.path, posts / entry.name)
        done.touch()
    categories = _categories(posts)
    (root / "_config.yml").write_text(
        CONFIG.format(categories=json.dumps(categories, ensure_ascii=False)), encoding="utf-8"
    )
    return root


def _categories(posts: Path) -> list[str]:
    """Every category a post names, in first-seen order (Jekyll splits a string on spaces)."""
    seen: dict[str, None] = {}
    for entry in sorted(os.scandir(posts), key=lambda e: e.name):
        head = Path(entry.path).read_text(encoding="utf-8")[:2000]
        m = _CATEGORIES.search(head)
        if m:
            for word in m.group(1).strip().strip('"').split():
                seen.setdefault(word, None)
    if not seen:
        sys.exit(f"jekyll: no post in {posts} names a category")
    return list(seen)


def build(root: Path, log: Path, *, clean: bool, as_shipped: bool = False) -> timed.Timed:
    """``jekyll build``; ``clean`` first removes the output and Jekyll's cache (a cold build);
    ``as_shipped`` without the fix for Jekyll 4.3.1's quadratic file walk."""
    out = root.parent / f"{root.name}-site"
    plugin = root / "_plugins" / "each_site_file.rb"
    if as_shipped:
        plugin.unlink(missing_ok=True)
    else:
        plugin.parent.mkdir(exist_ok=True)
        plugin.write_text(PATCH, encoding="utf-8")
    if clean:
        timed.set_aside(out)
        timed.set_aside(root / ".jekyll-cache")
    env = {**os.environ, "JEKYLL_ENV": "production", "LANG": "C.UTF-8"}
    return timed.run(
        ["jekyll", "build", "--source", str(root), "--destination", str(out)],
        log,
        cwd=root,
        env=env,
    )


def feed_count(root: Path) -> int:
    """How many feed files the last build wrote."""
    out = root.parent / f"{root.name}-site"
    return sum(1 for _ in (out / "feed").rglob("*.xml")) + (out / "feed.xml").exists()
