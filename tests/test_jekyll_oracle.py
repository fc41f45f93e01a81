"""Real Jekyll builds each fixture site under several permalink settings; ours must agree.

Per post: the same URL, title, instant, categories, tags and text, and our link a page Jekyll
wrote. The counts compared are printed at the end of the run (see ``conftest.py``). Needs
Debian's ``jekyll`` (``scripts/test`` installs it); skipped, saying so, where it is missing.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from feeds import config

from . import jekyll_oracle as oracle
from .conftest import FIXTURES

pytestmark = pytest.mark.skipif(
    oracle.JEKYLL is None,
    reason="jekyll is not installed (apt-get install jekyll ruby-jekyll-feed)",
)

#: Files Jekyll cannot build a site with, by fixture: each stops the whole build, so it is
#: left out of that fixture's comparison (and only of that one).
JEKYLL_FAILS: dict[str, dict[str, str]] = {
    "hostile": {
        "_posts/2021-06-04-nonsense-date.md": "Jekyll stops: Invalid date 'next tuesday-ish'",
        "_posts/2021-06-10-bad-timestamp-tag.md": "Jekyll stops: Invalid date 'garbage'",
        "_posts/2021-01-06-alias-bomb-tags.md": "Jekyll expands YAML aliases: gigabytes of memory",
        "_posts/2021-01-07-alias-bomb-unused.md": "Jekyll expands YAML aliases: gigabytes of memory",
        "_posts/2021-06-16-deep-nesting.md": "Jekyll stops: stack level too deep in Psych",
        "_posts/2021-01-14-hostile-names.md": "Jekyll stops: a category makes a file name too long",
    },
}

#: Fields of the hostile fixture that differ on purpose: (path, field) → ON_PURPOSE reason.
ALLOWED: dict[str, dict[tuple[str, str], str]] = {
    "hostile": {
        ("_posts/2021-01-11-markup-title.md", "title"): "safe",
        ("_posts/2021-01-11-markup-title.md", "categories"): "safe",
        ("_posts/2021-01-12-script-body.md", "text"): "safe",
        ("_posts/2021-01-13-script-body.html", "text"): "safe",
        ("_posts/2021-01-16-script-title.md", "title"): "safe",
        ("_posts/2021-01-17-mojibake.md", "title"): "mojibake",
        ("_posts/2021-01-17-mojibake.md", "tags"): "mojibake",
        ("_posts/2021-01-17-mojibake.md", "text"): "mojibake",
    },
}

SITES = ("finews", "hostile", "jekyllfeed")


@pytest.mark.parametrize("permalink", oracle.PERMALINKS)
@pytest.mark.parametrize("name", SITES)
def test_agrees_with_jekyll(name: str, permalink: str, tmp_path: Path) -> None:
    fixture = FIXTURES / name
    drop = JEKYLL_FAILS.get(name, {})
    site = oracle.copy_site(
        fixture, tmp_path / "site", drop=tuple(drop), config={"permalink": permalink}
    )
    built = oracle.build(site)
    # Ours reads the same _config.yml: url, baseurl, timezone, permalink, future.
    settings = config.from_dict({"site": {"source": str(site)}}, tmp_path / "config.toml")
    ours = oracle.ours(settings)
    report = oracle.compare(built, ours, settings.site.url, ALLOWED.get(name))
    oracle.REPORTS.append(oracle.Run(f"{name} permalink={permalink}", report, built.failed, drop))
    assert built.posts, "Jekyll published nothing: the oracle page is broken"
    assert not report.mismatches, "\n".join(report.mismatches)


def test_ideographic_spaces_that_indent_a_paragraph_stay_as_jekyll_keeps_them(
    tmp_path: Path,
) -> None:
    """Chinese posts indent paragraphs with two U+3000; kramdown keeps them, so must we (the
    comparison above folds all white space, so it cannot see them)."""
    fixture = tmp_path / "fixture"
    (fixture / "_posts").mkdir(parents=True)
    (fixture / "_posts" / "2022-01-10-indented.md").write_text(
        "---\ntitle: 缩进\ndate: 2022-01-10 08:03:44 +0800\n---\n"
        "\u3000\u3000第一段。\u3000\n\n\u3000\u3000第二段，*强调*。\n",
        encoding="utf-8",
    )
    site = oracle.copy_site(fixture, tmp_path / "site")
    built = oracle.build(site)
    settings = config.from_dict({"site": {"source": str(site)}}, tmp_path / "config.toml")
    ours = oracle.ours(settings)
    theirs = next(iter(built.posts.values())).content
    mine = next(iter(ours.posts.values())).content_html
    for paragraph in ("\u3000\u3000第一段。\u3000", "\u3000\u3000第二段，"):
        assert paragraph in theirs, theirs
        assert paragraph in mine, mine
