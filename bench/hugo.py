"""Hugo's build of the same posts: the anchor for a cold export.

The Jekyll corpus is converted once into a minimal Hugo site (kept under $FEEDS_BENCH_DIR and
reused; the conversion is setup, not timed) that renders what ``feeds export`` renders:

* every post in ``content/posts/``, its date in RFC 3339 (Hugo cannot read Jekyll's
  ``2022-01-10 08:03:44 +0800``; a naive date is in the site's zone, Asia/Shanghai, as in feeds),
  its categories and tags as Hugo taxonomies, split on white space as Jekyll splits them;
* RSS only, for the home page, the section, each taxonomy and each term, with the 50 newest
  posts and their full content (``layouts/_default/rss.xml`` is Hugo's own RSS template with
  ``.Content`` in place of ``.Summary``);
* no HTML: pages get their links and content (what the feeds show) but are never written
  (``_build.render = "link"``), and there is no sitemap, robots.txt or 404 page.

Markdown is Goldmark with raw HTML passed through, as feeds passes it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
from pathlib import Path

import yaml

try:
    from . import timed  # type: ignore[import-not-found]
    from .corpus import BENCH_DIR  # type: ignore[import-not-found]
except ImportError:
    import timed  # type: ignore[import-not-found,no-redef]
    from corpus import BENCH_DIR  # type: ignore[import-not-found,no-redef]

CONFIG = """\
# Written by bench/hugo.py: RSS feeds (50 newest posts, full content) for the home page, the
# section, each taxonomy and each term; no HTML.
baseURL = "https://finews.withounder.com/"
languageCode = "zh-CN"
title = "金融新闻"
timeZone = "Asia/Shanghai"
rssLimit = 50
disableKinds = ["sitemap", "robotsTXT", "404"]

[services.rss]
limit = 50

[taxonomies]
category = "categories"
tag = "tags"

[outputs]
home = ["RSS"]
section = ["RSS"]
taxonomy = ["RSS"]
term = ["RSS"]
page = ["HTML"]

[[cascade]]
[cascade._build]
render = "link"
list = "always"
[cascade._target]
kind = "page"

[markup.goldmark.renderer]
unsafe = true
"""

# Hugo 0.111's built-in RSS template (tpl/tplimpl/embedded/templates/_default/rss.xml) with the
# full content instead of the summary.
RSS = """\
{{- $pctx := . -}}
{{- if .IsHome -}}{{ $pctx = .Site }}{{- end -}}
{{- $pages := slice -}}
{{- if or $.IsHome $.IsSection -}}
{{- $pages = $pctx.RegularPages -}}
{{- else -}}
{{- $pages = $pctx.Pages -}}
{{- end -}}
{{- $limit := .Site.Config.Services.RSS.Limit -}}
{{- if ge $limit 1 -}}
{{- $pages = $pages | first $limit -}}
{{- end -}}
{{- printf "<?xml version=\\"1.0\\" encoding=\\"utf-8\\" standalone=\\"yes\\"?>" | safeHTML }}
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">
  <channel>
    <title>{{ if eq  .Title  .Site.Title }}{{ .Site.Title }}{{ else }}{{ with .Title }}{{.}} on {{ end }}{{ .Site.Title }}{{ end }}</title>
    <link>{{ .Permalink }}</link>
    <description>Recent content {{ if ne  .Title  .Site.Title }}{{ with .Title }}in {{.}} {{ end }}{{ end }}on {{ .Site.Title }}</description>
    <generator>Hugo -- gohugo.io</generator>{{ with .Site.LanguageCode }}
    <language>{{.}}</language>{{end}}{{ if not .Date.IsZero }}
    <lastBuildDate>{{ .Date.Format "Mon, 02 Jan 2006 15:04:05 -0700" | safeHTML }}</lastBuildDate>{{ end }}
    {{- with .OutputFormats.Get "RSS" -}}
    {{ printf "<atom:link href=%q rel=\\"self\\" type=%q />" .Permalink .MediaType | safeHTML }}
    {{- end -}}
    {{ range $pages }}
    <item>
      <title>{{ .Title }}</title>
      <link>{{ .Permalink }}</link>
      <pubDate>{{ .Date.Format "Mon, 02 Jan 2006 15:04:05 -0700" | safeHTML }}</pubDate>
      <guid>{{ .Permalink }}</guid>
      <description>{{ .Content | html }}</description>
    </item>
    {{ end }}
  </channel>
</rss>
"""

_FRONT = re.compile(r"\A---\r?\n(.*?)\r?\n---\r?\n", re.S)
_DATE = re.compile(r"(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(?:\s*([+-]\d{2}):?(\d{2}))?\s*\Z")
_SITE_OFFSET = "+08:00"  # Asia/Shanghai has had no daylight saving since 1991


def site(corpus: Path) -> Path:
    """The Hugo site converted from ``corpus`` (made once, then reused)."""
    root = BENCH_DIR / f"hugo-{corpus.name.removeprefix('corpus-')}"
    done = root / ".complete"
    if done.exists():
        return root
    shutil.rmtree(root, ignore_errors=True)
    posts = root / "content" / "posts"
    posts.mkdir(parents=True)
    (root / "layouts" / "_default").mkdir(parents=True)
    (root / "layouts" / "_default" / "rss.xml").write_text(RSS, encoding="utf-8")
    (root / "config.toml").write_text(CONFIG, encoding="utf-8")
    entries = sorted(os.scandir(corpus / "_posts"), key=lambda e: e.name)
    print(
        f"hugo: converting {len(entries):,} posts of {corpus} into {posts} (once) ...",
        file=sys.stderr,
        flush=True,
    )
    for entry in entries:
        (posts / entry.name).write_text(
            convert(Path(entry.path).read_text(encoding="utf-8"), entry.name), encoding="utf-8"
        )
    done.touch()
    return root


def convert(text: str, name: str) -> str:
    """One Jekyll post as a Hugo page: the same title, date, taxonomies and body."""
    m = _FRONT.match(text)
    if m is None:
        sys.exit(f"hugo: {name}: no front matter")
    front = yaml.load(m.group(1), Loader=yaml.CBaseLoader)  # every value a string, as written
    d = _DATE.match(front["date"])
    if d is None:
        sys.exit(f"hugo: {name}: unreadable date {front['date']!r}")
    offset = f"{d.group(3)}:{d.group(4)}" if d.group(3) else _SITE_OFFSET
    fields = {
        "title": front.get("title", ""),
        "date": f"{d.group(1)}T{d.group(2)}{offset}",
        "categories": _words(front.get("categories", front.get("category"))),
        "tags": _words(front.get("tags", front.get("tag"))),
    }
    head = "".join(f"{k}: {json.dumps(v, ensure_ascii=False)}\n" for k, v in fields.items())
    return f"---\n{head}---\n{text[m.end() :]}"


def _words(value: object) -> list[str]:
    """Jekyll's reading of categories and tags: a string splits on white space."""
    if value is None:
        return []
    if isinstance(value, str):
        return value.split()
    if isinstance(value, list):
        return [str(v) for v in value]
    return [str(value)]


def build(root: Path, log: Path) -> timed.Timed:
    """``hugo --quiet`` into an empty folder, as a cold build."""
    public = root / "public"
    timed.set_aside(public)
    timed.set_aside(root / "resources")
    argv = [
        "hugo",
        "--quiet",
        "--source",
        str(root),
        "--destination",
        str(public),
        "--cacheDir",
        str(root / ".hugo-cache"),
    ]
    timed.set_aside(root / ".hugo-cache")
    return timed.run(argv, log)


def feed_count(root: Path) -> int:
    """How many RSS files the last build wrote."""
    return sum(1 for _ in (root / "public").rglob("*.xml"))
