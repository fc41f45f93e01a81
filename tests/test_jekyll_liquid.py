"""Liquid in posts as Jekyll renders it, and what is left as written (with a warning) when not."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from feeds.jekyll import files, liquid, permalink, posts
from feeds.jekyll import render as jekyll_render

SITE = {
    "url": "https://orchard.example",
    "baseurl": "/notes",
    "title": "Orchard <Notes>",
    "repository": "orchard/notes",
    "data": {"authors": {"robin": {"name": "Robin"}}},
}
URL = "https://orchard.example/notes"
FM = "---\ntitle: T\ntags: [a]\n---\n"


def rules(root: Path) -> posts.Rules:
    return posts.Rules(
        root=root,
        site_url=URL,
        zone=ZoneInfo("UTC"),
        permalink=permalink.template("date"),
        max_post_bytes=1_000_000,
        summary_length=200,
        site=SITE,
    )


def render(
    body: str, root: Path = Path("/nonexistent"), **page: object
) -> tuple[str, liquid.LiquidWarning | None]:
    links = liquid.Links(
        post=lambda name: "/2013/12/12/x.html" if name == "2013-12-12-x" else None,
        file=lambda rel: None,
    )
    return liquid.render(
        body,
        site=SITE,
        page={"title": "Pg", "date": datetime(2015, 2, 12, 8, 30, tzinfo=UTC), **page},
        root=root,
        base_path="/notes",
        links=links,
    )


@pytest.mark.parametrize(
    ("body", "out"),
    [
        ("{{ site.title }} {{ page.title | downcase }}", "Orchard <Notes> pg"),
        ("{{ site.data.authors.robin.name }}", "Robin"),
        ("{% capture g %}Hi {{ site.repository }}{% endcapture %}{{ g }}!", "Hi orchard/notes!"),
        ("{% raw %}{{ kept }}{% endraw %}", "{{ kept }}"),
        ("{{ page.date | date_to_xmlschema }}", "2015-02-12T08:30:00+00:00"),
        (
            "{{ '/a b/' | relative_url }} {{ 'x.html' | absolute_url }}",
            "/notes/a b/ https://orchard.example/notes/x.html",
        ),
        ("{{ site.title | xml_escape }}", "Orchard &lt;Notes&gt;"),
        (
            "{{ 'Hello, World!' | slugify }} {{ 'Hello, World!' | slugify: 'pretty' }}",
            "hello-world hello,-world!",
        ),
        ("{{ '*x*' | markdownify }}", "<p><em>x</em></p>\n"),
        (
            "{{ 'a  b' | number_of_words }} {{ site.data.authors | jsonify }}",
            '2 {"robin": {"name": "Robin"}}',
        ),
        ("[x]({% post_url 2013-12-12-x %})", "[x](/notes/2013/12/12/x.html)"),
        (
            "{% highlight ruby %}\nputs '<b>'\n{% endhighlight %}",
            '<figure class="highlight"><pre><code class="language-ruby" data-lang="ruby">puts \'&lt;b&gt;\'</code></pre></figure>',
        ),
        ("no markers at all {", "no markers at all {"),
    ],
)
def test_jekyll_filters_and_tags(body: str, out: str) -> None:
    assert render(body) == (out, None)


def test_render_with_liquid_false_leaves_the_body_alone() -> None:
    assert render("{{ site.title }}", render_with_liquid=False) == ("{{ site.title }}", None)


@pytest.mark.parametrize(
    ("body", "line", "why"),
    [
        ("one\ntwo {% nosuch %}", 2, "unexpected tag 'nosuch'"),
        ("one\n\n{{ x | nofilter }}", 3, "unknown filter 'nofilter'"),
        ("{% include missing.html %}", 1, "include 'missing.html' is not a file in _includes/"),
        ("{% include ../../etc/passwd %}", 1, "is not a file in _includes/"),
        ("x\n{% post_url 2099-01-01-nope %}", 2, "post_url: no post or file '2099-01-01-nope'"),
        ("{% for i in (1..1000000000) %}x{% endfor %}", 1, "loop iteration limit reached"),
        ("{{ unclosed", 1, "expected '}}'"),
    ],
)
def test_what_cannot_be_rendered_is_left_as_written(body: str, line: int, why: str) -> None:
    text, warning = render(body)
    assert text == body
    assert warning is not None and warning.line == line and why in warning.message


def test_include_takes_jekyll_parameters(tmp_path: Path) -> None:
    (tmp_path / "_includes").mkdir()
    (tmp_path / "_includes" / "sig.html").write_text(
        "by {{ include.who }} of {{ include.site_name }}", encoding="utf-8"
    )
    assert render('{% include sig.html who="Robin" site_name=site.title %}', tmp_path) == (
        "by Robin of Orchard <Notes>",
        None,
    )


def test_posts_render_their_liquid_and_check_names_the_line(
    site: Callable[[dict[str, str]], Path],
) -> None:
    root = site(
        {
            "_posts/2013-12-12-first.md": FM + "First.\n",
            "_posts/2015-02-12-links.md": FM
            + "See [it]({% post_url 2013-12-12-first %}) at {{ site.url }}.\n",
            "_posts/2015-02-13-broken.md": FM
            + "Fine line.\n\nBad {% unknown_tag %} here, {{ site.title }}.\n",
            "about.md": "---\npermalink: /about-us/\n---\nAbout\n",
            "_posts/2015-02-14-link.md": FM
            + "[about]({% link about.md %}) [post]({% link _posts/2013-12-12-first.md %})\n",
        }
    )
    r = rules(root)
    found, _ = files.find(root)
    parsed = {f.path: posts.parse(f, r) for f in found}
    links = jekyll_render.finish(r, parsed["_posts/2015-02-12-links.md"].post)  # type: ignore[arg-type]
    assert 'href="https://orchard.example/notes/2013/12/12/first.html"' in links.content_html
    assert "at https://orchard.example." in links.content_html
    link = jekyll_render.finish(r, parsed["_posts/2015-02-14-link.md"].post)  # type: ignore[arg-type]
    assert 'href="https://orchard.example/notes/about-us/"' in link.content_html
    assert 'href="https://orchard.example/notes/2013/12/12/first.html"' in link.content_html
    broken = parsed["_posts/2015-02-13-broken.md"]
    assert [str(p) for p in broken.problems] == [
        "_posts/2015-02-13-broken.md:7: warning: Liquid left as written: unexpected tag 'unknown_tag'"
    ]
    done = jekyll_render.finish(r, broken.post)  # type: ignore[arg-type]
    assert "Bad {% unknown_tag %} here, {{ site.title }}." in done.content_html
    assert done.title == "T"


def test_posts_that_link_to_each_other_end(site: Callable[[dict[str, str]], Path]) -> None:
    root = site(
        {
            "_posts/2015-01-01-a.md": FM + "{% post_url 2015-01-02-b %}\n",
            "_posts/2015-01-02-b.md": FM + "{% post_url 2015-01-01-a %}\n",
        }
    )
    r = rules(root)
    found, _ = files.find(root)
    done = [jekyll_render.finish(r, posts.parse(f, r).post) for f in found]  # type: ignore[arg-type]
    assert "/notes/2015/01/02/b.html" in done[0].content_html
    assert "/notes/2015/01/01/a.html" in done[1].content_html


def test_link_follows_a_collections_permalink(site: Callable[[dict[str, str]], Path]) -> None:
    root = site(
        {
            "_docs/config/defaults.md": "---\ntitle: D\n---\nx\n",
            "_posts/2015-02-14-link.md": FM
            + "[d]({% link _docs/config/defaults.md %}) [p]({% link pages/team.md %})\n",
            "pages/team.md": "---\npermalink: /team/\n---\nTeam\n",
        }
    )
    r = dataclasses.replace(
        rules(root), site={**SITE, "collections": {"docs": {"permalink": "/:collection/:path/"}}}
    )
    [f], _ = files.find(root)
    done = jekyll_render.finish(r, posts.parse(f, r).post)  # type: ignore[arg-type]
    assert 'href="https://orchard.example/notes/docs/config/defaults/"' in done.content_html
    assert 'href="https://orchard.example/notes/team/"' in done.content_html
