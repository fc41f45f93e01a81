"""The corpus generator: sites that feeds reads whole, the same every time from a seed.

The big tests and every benchmark stand on tests/corpusgen.py, so what it promises is checked
here with the real reader: every post is read without error, the variants it says it wrote are
the posts feeds holds back or warns about, and a seed always gives the same bytes.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from click.testing import CliRunner

from feeds import config, export
from feeds.cli import main
from feeds.documents import Documents

from . import corpusgen
from .conftest import REPO

NOW = datetime(2030, 1, 1, tzinfo=UTC)
VARIANTS = corpusgen.Shape(images=0.1, future=0.05, unpublished=0.05, blank_lines=0.05, authors=0.2)


def files(root: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in (root / "_posts").iterdir()}


def check(config: Path) -> dict[str, object]:
    result = CliRunner().invoke(main, ["--config", str(config), "check", "--json"])
    assert result.exit_code == 0, result.output
    data: dict[str, object] = json.loads(result.stdout)
    return data


def test_feeds_reads_every_post_and_sees_each_variant(
    tmp_path: Path, write_config: Callable[..., Path]
) -> None:
    site = corpusgen.generate(tmp_path / "site", 400, categories=60, shape=VARIANTS)
    assert site.future and site.unpublished and site.blank_lines and site.images and site.authors
    data = check(write_config(source=site.root))
    problems = data["problems"]
    assert isinstance(problems, list)
    assert [p for p in problems if p["level"] == "error"] == []
    assert data["posts"] == 400 - len(set(site.future) | set(site.unpublished))
    warned = {p["path"].removeprefix("_posts/") for p in problems if "blank line" in p["message"]}
    assert warned == set(site.blank_lines)
    data = check(write_config("[feeds]\nfuture = true\n", source=site.root))
    assert data["posts"] == 400 - len(site.unpublished)
    with_image = (site.root / "_posts" / site.images[0]).read_text(encoding="utf-8")
    assert '<img src="https://np-newspic.dfcfw.com/' in with_image


def test_images_are_lead_images_and_authors_get_feeds(
    tmp_path: Path, write_config: Callable[..., Path]
) -> None:
    site = corpusgen.generate(tmp_path / "site", 300, categories=30, shape=VARIANTS)
    docs = Documents.from_config(
        config.load(write_config("[feeds]\nlimit = 300\nmax_limit = 300\n", source=site.root))
    )
    docs.index.refresh()
    export.export(docs, tmp_path / "out", NOW)
    docs.index.close()
    items = json.loads((tmp_path / "out" / "feed.json").read_text(encoding="utf-8"))["items"]
    by_file = {i["url"].rsplit("/", 1)[-1].removesuffix(".html"): i for i in items}
    shown = [n for n in site.images if n.removesuffix(".md").split("-", 3)[3] in by_file]
    assert shown and all(
        by_file[n.removesuffix(".md").split("-", 3)[3]]["image"].startswith(
            "https://np-newspic.dfcfw.com/download/D"
        )
        for n in shown
    )
    assert sum("image" in i for i in items) == len(shown), "only those posts have an image"
    named = {
        a["name"] for i in items for a in i.get("authors", ()) if a["name"] in corpusgen.REPORTERS
    }
    assert len(named) > 10
    for name in named:
        feed = json.loads(
            (tmp_path / "out" / "author" / f"{name}.json").read_text(encoding="utf-8")
        )
        assert feed["items"] and all(
            name in [a["name"] for a in i["authors"]] for i in feed["items"]
        )
        assert (tmp_path / "out" / "author" / name / "index.html").is_file()


def test_front_matter_is_written_as_the_real_site_writes_it(tmp_path: Path) -> None:
    site = corpusgen.generate(
        tmp_path, 200, categories=40, shape=corpusgen.Shape(future=0, unpublished=0, blank_lines=0)
    )
    texts = [p.read_text(encoding="utf-8") for p in (tmp_path / "_posts").iterdir()]
    heads = [t.split("---\n")[1].splitlines() for t in texts]
    assert all(
        h[0] == "layout: post" and h[1].startswith('title: "') and h[1].endswith('"') for h in heads
    )
    dates = [h[2] for h in heads]
    assert any(d.endswith(" +0800") for d in dates) and any(
        len(d) == len("date: 2022-01-10 08:03:44") for d in dates
    )
    assert {h[3] for h in heads} <= {f"categories: {slug}" for slug, _ in site.categories}
    assert all(h[4].startswith("tags: ") and "新闻" in h[4] for h in heads)


def test_category_slugs_have_the_real_sites_oddities() -> None:
    slugs = [slug for slug, _ in corpusgen.sources(500, "1")]
    assert len({s.lower() for s in slugs}) == 500
    assert any(s[0].isupper() for s in slugs) and any(s[0].isdigit() for s in slugs)
    assert any(s.endswith("(xianggang)") for s in slugs) and any(" " in s for s in slugs)


def test_a_seed_gives_the_same_site_and_a_longer_one_extends_it(tmp_path: Path) -> None:
    corpusgen.generate(tmp_path / "a", 60, categories=30, seed="7", shape=VARIANTS)
    corpusgen.generate(tmp_path / "b", 120, categories=30, seed="7", shape=VARIANTS)
    corpusgen.generate(tmp_path / "c", 60, categories=30, seed="8", shape=VARIANTS)
    a, b, c = files(tmp_path / "a"), files(tmp_path / "b"), files(tmp_path / "c")
    assert len(a) == 60 and len(b) == 120
    assert all(b[name] == data for name, data in a.items())
    assert not set(a.items()) & set(c.items())


def test_command_line_writes_the_site_and_its_category_list(tmp_path: Path) -> None:
    out = tmp_path / "out"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "tests.corpusgen",
            str(out),
            "--posts",
            "30",
            "--categories",
            "12",
            "--future",
            "0",
        ],
        cwd=REPO,
        check=True,
    )
    assert len(list((out / "_posts").iterdir())) == 30
    lines = (out / "categories.txt").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 12 and all(len(line.split("\t")) == 2 for line in lines)
    assert "timezone: Asia/Shanghai" in (out / "_config.yml").read_text(encoding="utf-8")
