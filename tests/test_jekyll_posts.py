"""Jekyll's post rules, on the real sample site and on small sites of our own."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import timedelta, timezone
from pathlib import Path

import pytest
from lxml import html as lxml_html

from feeds import dates
from feeds.jekyll import files, posts, render
from feeds.model import Author, Image, Post, Problem

from .conftest import FINEWS
from .jekyll_site import FM, URL, one, parse_site, rules

# -- the real corpus ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def finews() -> tuple[dict[str, Post], list[Problem]]:
    return parse_site(FINEWS)


def test_corpus_gives_151_posts_no_error_and_15_warnings(
    finews: tuple[dict[str, Post], list[Problem]],
) -> None:
    found, problems = finews
    assert len(found) == 151
    assert not [p for p in problems if p.level == "error"]
    names = [p for p in problems if "not a post" in p.message]
    blanks = [p for p in problems if "blank line" in p.message]
    assert [p.path for p in names] == ["_posts/-202205262391921712.md"]
    assert len(blanks) == 14
    assert len(problems) == 15


def test_the_real_example_post(finews: tuple[dict[str, Post], list[Problem]]) -> None:
    post = finews[0]["_posts/2022-01-10-202201102241180920.md"]
    assert post.title == "深百协作朝乡村振兴迈进"
    assert dates.rfc3339(post.date) == "2022-01-10T08:03:44+08:00"
    assert post.categories == ("youjiangribao",)
    assert post.tags == ("右江日报新闻",)
    assert (
        post.url == "https://finews.withounder.com/youjiangribao/2022/01/10/202201102241180920.html"
    )
    links = lxml_html.fragment_fromstring(post.content_html, create_parent="div").xpath("//a/@href")
    assert "https://finews.withounder.com/category/youjiangribao.html" in links
    assert "https://finews.withounder.com/" in links
    assert post.summary.startswith("2016年以来，深圳市持续深化组织领导")
    assert post.summary.endswith("…") and len(post.summary) <= 201


def test_naive_real_post_is_beijing_time(finews: tuple[dict[str, Post], list[Problem]]) -> None:
    # The issue names 710723 for 10:46:18; that time is in 672930 (the file with a blank line
    # first), and 710723 is written 10:21:26. Both are naive and both read as Beijing time.
    post = finews[0]["_posts/2021-12-08-202112082206710723.md"]
    assert dates.rfc3339(post.date) == "2021-12-08T10:21:26+08:00"
    post = finews[0]["_posts/2021-12-08-202112082206672930.md"]
    assert dates.rfc3339(post.date) == "2021-12-08T10:46:18+08:00"


def test_blank_line_before_front_matter_is_read(
    finews: tuple[dict[str, Post], list[Problem]],
) -> None:
    post = finews[0]["_posts/2021-12-08-202112082206672930.md"]
    assert post.categories == ("emnews",) and post.tags == ("东财滚动新闻",)
    assert post.title != post.slug


def test_every_link_in_the_corpus_is_absolute(
    finews: tuple[dict[str, Post], list[Problem]],
) -> None:
    for post in finews[0].values():
        if not post.content_html:
            continue
        tree = lxml_html.fragment_fromstring(post.content_html, create_parent="div")
        for link in tree.xpath("//@href | //@src"):
            assert link.startswith(("https://", "http://")), (post.path, link)


def test_relative_and_protocol_relative_links(
    finews: tuple[dict[str, Post], list[Problem]],
) -> None:
    rel = finews[0]["_posts/2021-12-08-202112082206748961.md"]
    assert 'href="https://finews.withounder.com/emnews/2021/12/08/emnews/"' in rel.content_html
    old = finews[0]["_posts/2021-12-08-202112082206779752.md"]
    assert 'href="https://finews.zning.me/emnews/"' in old.content_html


# -- rule 4: dates -------------------------------------------------------------------------------


def test_front_matter_date_wins_over_the_file_name(site: Callable[[dict[str, str]], Path]) -> None:
    post, _ = one(site, FM.format(extra=""), name="_posts/2020-01-01-hello.md")
    assert post is not None and dates.rfc3339(post.date) == "2021-12-08T10:00:00+08:00"
    assert "/2021/12/08/" in post.url


def test_naive_evening_time_links_to_the_page_jekyll_publishes(
    site: Callable[[dict[str, str]], Path],
) -> None:
    text = "---\ntitle: late\ndate: 2021-12-08 20:00:00\ncategories: emnews\n---\nbody\n"
    post, problems = one(site, text, name="_posts/2021-12-08-late-news.md")
    assert post is not None
    assert dates.rfc3339(post.date) == "2021-12-08T20:00:00+08:00"
    assert post.url == "https://finews.withounder.com/emnews/2021/12/09/late-news.html"
    [warning] = problems
    assert warning.line == 3 and warning.level == "warning"
    assert "2021-12-08T20:00:00+08:00" in warning.message and "2021-12-09" in warning.message


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("date: 2022-05-06 08:00:00 +05:45", "2022-05-06T08:00:00+05:45"),
        ("date: 2022-05-06", "2022-05-06T00:00:00+08:00"),
        ("date: '2022-05-06 08:00:00 Z'", "2022-05-06T08:00:00+00:00"),
        ("date: 2022-01-10 08:03:44 +0800", "2022-01-10T08:03:44+08:00"),
    ],
)
def test_date_shapes_in_front_matter(
    site: Callable[[dict[str, str]], Path], line: str, expected: str
) -> None:
    post, _ = one(site, f"---\n{line}\n---\nx\n")
    assert post is not None and dates.rfc3339(post.date) == expected


def test_unparseable_date_is_an_error_on_its_line(site: Callable[[dict[str, str]], Path]) -> None:
    post, problems = one(site, '---\ntitle: x\ndate: "+0800"\n---\nx\n')
    assert post is None and problems[0].line == 3 and problems[0].level == "error"


def test_naive_date_in_a_dst_zone(site: Callable[[dict[str, str]], Path]) -> None:
    post, _ = one(site, "---\ndate: 2021-03-14 02:30:00\n---\nx\n", zone="America/New_York")
    assert post is not None and dates.rfc3339(post.date) == "2021-03-14T03:30:00-04:00"


# -- rule 5: categories and tags ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("extra", "cats", "tags"),
    [
        ("categories: a b  a\ntags: x\n", ("a", "b"), ("x",)),
        ("category: solo\ntag: [1, 2.5, true, two]\n", ("solo",), ("1", "2.5", "true", "two")),
        ("categories: [A, a, 'b c']\n", ("A", "a", "b c"), ()),
        ("categories:\n", (), ()),
    ],
)
def test_names_split_dedupe_and_keep_order(
    site: Callable[[dict[str, str]], Path], extra: str, cats: tuple[str, ...], tags: tuple[str, ...]
) -> None:
    post, _ = one(site, FM.format(extra=extra))
    assert post is not None and (post.categories, post.tags) == (cats, tags)


# -- rules 6, 7, 9, 10 -------------------------------------------------------------------------------


def test_published_false_hides_the_post_quietly(site: Callable[[dict[str, str]], Path]) -> None:
    post, problems = one(site, FM.format(extra="published: false\n"))
    assert post is None and problems == []


def test_title_defaults_to_the_slug(site: Callable[[dict[str, str]], Path]) -> None:
    post, _ = one(site, '---\ntitle: ""\n---\nx\n')
    assert post is not None and post.title == "Hello"
    post, _ = one(site, "---\n---\nx\n", name="_posts/2013-12-12-dec-the-SECOND.md")
    assert post is not None and post.title == "Dec The Second", "Jekyll's titleize_slug"


def test_site_and_post_permalinks(site: Callable[[dict[str, str]], Path]) -> None:
    post, _ = one(site, FM.format(extra="categories: News\n"), permalink_style="pretty")
    assert post is not None and post.url == f"{URL}/news/2021/12/08/hello/"
    post, _ = one(site, FM.format(extra="permalink: /:year/:title/\n"))
    assert post is not None and post.url == f"{URL}/2021/hello/"
    post, _ = one(site, FM.format(extra="permalink: /../../x/\n"))
    assert post is not None and post.url == f"{URL}/x/"


def test_summary_from_excerpt_or_content(site: Callable[[dict[str, str]], Path]) -> None:
    post, _ = one(site, FM.format(extra="excerpt: '<b>Short</b> one'\n"))
    assert post is not None and post.summary == "Short one"
    post, _ = one(site, "---\n---\n" + "字" * 300)
    assert post is not None and post.summary == "字" * 200 + "…"


def test_updated_from_front_matter_else_the_date(site: Callable[[dict[str, str]], Path]) -> None:
    post, _ = one(site, FM.format(extra="last_modified_at: 2021-12-09 10:00:00 +0800\n"))
    assert post is not None and post.updated - post.date == timedelta(days=1)
    post, _ = one(site, FM.format(extra=""))
    assert post is not None and post.updated == post.date


def test_markdown_renders_and_html_is_taken_as_is(site: Callable[[dict[str, str]], Path]) -> None:
    post, _ = one(site, "---\n---\n*hi* <b>x</b>\n")
    assert (
        post is not None and "<em>hi</em>" in post.content_html and "<b>x</b>" in post.content_html
    )
    post, _ = one(site, "---\n---\n*hi* <b>x</b>\n", name="_posts/2021-12-08-page.html")
    assert post is not None and "<em>" not in post.content_html and "*hi*" in post.content_html


def test_author_forms(site: Callable[[dict[str, str]], Path]) -> None:
    post, _ = one(
        site,
        FM.format(extra="author: {name: 张三, email: z@example.com, uri: 'https://z.example/'}\n"),
    )
    assert post is not None and post.authors == (
        Author("张三", "z@example.com", "https://z.example/"),
    )
    post, _ = one(site, FM.format(extra="author: 李四\n"))
    assert post is not None and post.authors == (Author("李四"),)
    post, _ = one(
        site, FM.format(extra="authors: [a, {name: b, url: 'http://b.example'}, a, {email: x@y}]\n")
    )
    assert post is not None and post.authors == (
        Author("a"),
        Author("b", "", "http://b.example"),
    ), "once each, nameless dropped"
    post, _ = one(
        site,
        FM.format(extra="author: {name: c, email: not-an-address, uri: 'javascript:alert(1)'}\n"),
    )
    assert post is not None and post.authors == (Author("c"),)
    post, _ = one(site, FM.format(extra=""))
    assert post is not None and post.authors == ()


def test_lead_image_forms_as_jekyll_seo_tag_reads_them(
    site: Callable[[dict[str, str]], Path],
) -> None:
    cases = {
        "image: https://img.example/a.png\n": Image("https://img.example/a.png"),
        "image: /assets/a.png\n": Image(f"{URL}/assets/a.png"),
        "image: assets/新 图.jpg\n": Image(f"{URL}/assets/%E6%96%B0%20%E5%9B%BE.jpg"),
        "image: {path: /a.jpg, length: 1234, type: image/jpeg}\n": Image(
            f"{URL}/a.jpg", 1234, "image/jpeg"
        ),
        "image: {path: /a.jpg, length: -1, type: '<b>'}\n": Image(f"{URL}/a.jpg"),
        "thumbnail: http://t.example/t.gif\n": Image("http://t.example/t.gif"),
        "cover: /c.webp\nthumbnail: /t.webp\n": Image(f"{URL}/t.webp"),
        "": None,
    }
    for extra, image in cases.items():
        post, problems = one(site, FM.format(extra=extra))
        assert post is not None and post.image == image and not problems, extra


def test_a_lead_image_that_is_no_url_is_skipped_with_a_warning(
    site: Callable[[dict[str, str]], Path],
) -> None:
    post, problems = one(
        site,
        FM.format(
            extra="image: 'javascript:alert(1)'\nthumbnail: [a, b]\n"
            "cover: 'data:image/png;base64,AAAA'\n"
        ),
    )
    assert post is not None and post.image is None
    assert [(p.line, p.level) for p in problems] == [(4, "warning"), (5, "warning"), (6, "warning")]
    assert "image 'javascript:alert(1)' is no http(s) URL" in problems[0].message
    post, problems = one(site, FM.format(extra="image: 'data:x'\ncover: /c.png\n"))
    assert post is not None and post.image == Image(f"{URL}/c.png"), "the next key is tried"
    assert len(problems) == 1


def test_authors_from_the_sites_data(site: Callable[[dict[str, str]], Path]) -> None:
    root = site({"_posts/2021-12-08-hello.md": FM.format(extra="authors: [robin, stranger]\n")})
    r = dataclasses.replace(
        rules(root),
        site={"data": {"authors": {"robin": {"name": "Robin P", "email": "r@o.example"}}}},
    )
    [f], _ = files.find(root)
    post = posts.parse(f, r).post
    assert post is not None and post.authors == (
        Author("Robin P", "r@o.example"),
        Author("stranger"),
    )


def test_summary_lang_and_excerpt_only_as_jekyll_feed_has_them(
    site: Callable[[dict[str, str]], Path],
) -> None:
    def summary(extra: str, body: str = "First para.\n\nSecond para.\n") -> str:
        post, _ = one(site, FM.format(extra=extra).replace("Body text.\n", body))
        assert post is not None
        return post.summary

    assert summary("description: Desc\nexcerpt: Ex\n") == "Desc"
    assert summary("excerpt: Ex\n") == "Ex"
    assert summary('excerpt: ""\n') == "", "an empty excerpt means none"
    assert summary("") == "First para.", "Jekyll's excerpt: the first paragraph"
    assert (
        summary("excerpt_separator: <!--more-->\n", "One\n\ntwo <!--more--> three\n") == "One two"
    )
    post, _ = one(site, FM.format(extra="lang: fr-FR\nfeed:\n  excerpt_only: true\n"))
    assert post is not None and (post.lang, post.excerpt_only) == ("fr-FR", True)
    post, _ = one(site, FM.format(extra='lang: "<x>"\n'))
    assert post is not None and (post.lang, post.excerpt_only) == ("", False)


def test_huge_file_is_skipped_with_a_warning(site: Callable[[dict[str, str]], Path]) -> None:
    post, problems = one(site, FM.format(extra="") + "x" * 2000, max_bytes=1000)
    assert (
        post is None and problems[0].level == "warning" and "max_post_bytes" in problems[0].message
    )


def test_offsets_are_fixed_timezones(finews: tuple[dict[str, Post], list[Problem]]) -> None:
    for post in finews[0].values():
        assert post.date.utcoffset() == timedelta(hours=8)
        assert isinstance(post.date.tzinfo, timezone)


def test_parsing_leaves_rendering_for_later(site: Callable[[dict[str, str]], Path]) -> None:
    root = site({"_posts/2021-12-08-hello.md": FM.format(extra="") + "*hi*\n"})
    [f], _ = files.find(root)
    post = posts.parse(f, rules(root)).post
    assert post is not None and post.content_html == "" and post.summary == ""
    done = render.finish(rules(root), post)
    assert "<em>hi</em>" in done.content_html and done.summary == "Body text. hi"
    (root / f.path).unlink()
    assert render.finish(rules(root), post) == post, "a file gone since leaves the post as it was"


def test_rendering_from_path_url_and_summary_is_finishing(
    site: Callable[[dict[str, str]], Path],
) -> None:
    # What an export's workers get of a post; Liquid's page and the front matter's keys
    # that stop an excerpt (however they are spelled) come from the file again.
    root = site(
        {
            "_posts/2021-12-08-liquid.md": FM.format(extra="")
            + "In {{ page.title }} of {{ page.date | date: '%Y' }}.\n\nMore.\n",
            "_posts/2021-12-08-empty.md": FM.format(extra="description: <b></b>\n"),
            "_posts/2021-12-08-escaped.md": FM.format(extra='"descr\\u0069ption": <b></b>\n'),
            "_posts/2021-12-08-none.md": FM.format(extra="excerpt: ''\n"),
            "_posts/2021-12-08-more.md": FM.format(extra="excerpt_separator: <!--more-->\n")
            + "One\n\nTwo<!--more-->Three\n",
        }
    )
    r = rules(root)
    found, _ = files.find(root)
    done = {}
    for f in found:
        post = posts.parse(f, r).post
        assert post is not None
        finished = render.finish(r, post)
        done[f.path.split("-")[-1]] = render.rendered(r, post.path, post.url, post.summary)
        assert done[f.path.split("-")[-1]] == (finished.content_html, finished.summary)
    assert done["liquid.md"] == (
        "<p>Body text.\nIn Hello of 2021.</p>\n<p>More.</p>\n",
        "Body text. In Hello of 2021.",
    )
    assert [done[k][1] for k in ("empty.md", "escaped.md", "none.md")] == ["", "", ""]
    assert done["more.md"][1] == "Body text. One Two"
