from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from urllib.parse import quote, unquote, urlsplit

import pytest
from hypothesis import given
from hypothesis import strategies as st

from feeds.jekyll import permalink

CST = timezone(timedelta(hours=8))
WHEN = datetime(2022, 1, 10, 8, 3, 44, tzinfo=CST)


def path(
    style: str,
    slug: str = "202201102241180920",
    cats: tuple[str, ...] = ("youjiangribao",),
    when: datetime = WHEN,
) -> str:
    return permalink.url_path(permalink.template(style), date=when, slug=slug, categories=cats)


@pytest.mark.parametrize(
    ("style", "expected"),
    [
        ("date", "/youjiangribao/2022/01/10/202201102241180920.html"),
        ("pretty", "/youjiangribao/2022/01/10/202201102241180920/"),
        ("ordinal", "/youjiangribao/2022/010/202201102241180920.html"),
        ("weekdate", "/youjiangribao/2022/W02/Mon/202201102241180920.html"),
        ("none", "/youjiangribao/202201102241180920.html"),
        (
            "/:year/:i_month/:i_day/:short_year/:hour:minute:second/:slug:output_ext",
            "/2022/1/10/22/080344/202201102241180920.html",
        ),
        (
            "/:short_month-:long_month/:long_day/:w_year-:w_day/:y_day/:title_",
            "/Jan-January/Monday/2022-1/010/202201102241180920_",
        ),
        ("/blog/:categories/:title/", "/blog/youjiangribao/202201102241180920/"),
    ],
)
def test_styles_and_placeholders(style: str, expected: str) -> None:
    assert path(style) == expected


def test_categories_are_lower_cased_joined_and_escaped() -> None:
    assert path("date", cats=("Wind", "ABS")) == "/wind/abs/2022/01/10/202201102241180920.html"
    assert path("date", cats=()) == "/2022/01/10/202201102241180920.html"
    assert path("none", cats=("东财",)) == "/%E4%B8%9C%E8%B4%A2/202201102241180920.html"
    assert path("none", cats=("a(b)",)) == "/a(b)/202201102241180920.html"


def test_title_keeps_case_and_pretty_punctuation_and_encodes_the_rest() -> None:
    assert path("none", slug="Hello World!", cats=()) == "/Hello-World!.html"
    assert path("none", slug="深百 协作", cats=()) == "/%E6%B7%B1%E7%99%BE-%E5%8D%8F%E4%BD%9C.html"


def test_dot_dot_and_full_urls_cannot_leave_the_site() -> None:
    assert path("/../../etc/:title", cats=()) == "/etc/202201102241180920"
    assert path("http://evil.example/:title", cats=()) == "/http:/evil.example/202201102241180920"
    assert path("date", cats=("../../etc",)) == "/etc/2022/01/10/202201102241180920.html"


def test_unknown_placeholder_is_an_error() -> None:
    with pytest.raises(permalink.PermalinkError, match=":nope"):
        permalink.template("/:nope/:title")


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("东财滚动新闻", "东财滚动新闻"),
        ("Wind", "wind"),
        ("anxinguojizhengquan(xianggang)", "anxinguojizhengquan-xianggang"),
        ("21shijijingjibaodao  nancailicaitong", "21shijijingjibaodao-nancailicaitong"),
        ("Career In touxingPEVC", "career-in-touxingpevc"),
        ("../../etc/passwd", "etc-passwd"),
        ("a/b", "a-b"),
        ("CON", "con"),
        ("café", "café"),
        ("e\u0301t\u00e9", "e\u0301té"),
    ],
)
def test_scope_slug_follows_jekyll(name: str, slug: str) -> None:
    assert permalink.scope_slug(name) == slug


def test_scope_slug_is_never_empty_and_fits_a_file_name() -> None:
    # Slugs are in subscribed URLs: the hashed ones are pinned, so they never change unseen.
    assert permalink.scope_slug("!!!") == "_9a7b006d20"
    assert permalink.scope_slug("x" * 500) == "x" * 189 + "-dc31b173a0"
    assert permalink.scope_slug("!!!") != permalink.scope_slug("???")
    long = permalink.scope_slug("新" * 500)
    assert len(long.encode()) <= 200
    assert long != permalink.scope_slug("新" * 499)


@given(st.text(max_size=300))
def test_scope_slug_is_always_safe(name: str) -> None:
    slug = permalink.scope_slug(name)
    assert slug and "/" not in slug and "." not in slug and "\\" not in slug
    assert all(c.isprintable() for c in slug)
    assert len(slug.encode()) <= 200
    assert permalink.scope_slug(slug) == slug or slug.startswith("_"), "a slug is its own slug"


@given(
    st.text(max_size=60),
    st.lists(st.text(max_size=20), max_size=4),
    st.sampled_from(sorted(permalink.STYLES)),
)
def test_url_path_is_always_a_clean_absolute_path(slug: str, cats: list[str], style: str) -> None:
    p = path(style, slug=slug, cats=tuple(cats))
    assert p.startswith("/") and "//" not in p
    assert "/../" not in unquote(p) and not unquote(p).endswith("/..")
    assert all(33 <= ord(c) < 127 for c in p), "only printable ASCII: percent-encoded"
    parts = urlsplit("https://example.com" + p)
    assert parts.netloc == "example.com" and not parts.query and not parts.fragment


def test_every_placeholder_has_a_value() -> None:
    for name in permalink.PLACEHOLDERS:
        assert path(f"/x/:{name}", cats=("A",)).startswith("/x/")


@given(st.text(st.sampled_from("aZ09-_. 中é"), max_size=12), st.booleans(), st.booleans())
def test_slugify_by_its_rule_on_any_text(text: str, pretty: bool, cased: bool) -> None:
    """The slug of each character by Jekyll's rule: letters, marks and digits stay, (in pretty
    mode) so does some punctuation, any run of the rest is one hyphen, none at the ends."""
    kept = [c if c.isalnum() or (pretty and c in "._~!$&'()+,;=@") else "-" for c in text]
    expected = re.sub("-+", "-", "".join(kept)).strip("-")
    assert permalink.jekyll_slugify(text, pretty, cased) == (
        expected if cased else expected.lower()
    )


@given(st.text(st.sampled_from("aZ09-._~/!$&'()*+,;=:@%# ?\"<>[]\\^`{|}\x7f中é\u3000")))
def test_a_path_quote_would_keep_is_kept_without_quoting(text: str) -> None:
    # url_path skips quote() for a path that _URL_PATH matches: exactly those quote keeps.
    kept = quote(text, safe=permalink._PATH_SAFE + "%~") == text
    assert bool(permalink._URL_PATH.fullmatch(text)) == kept


@given(st.datetimes(timezones=st.just(CST)))
def test_date_placeholders_need_no_escaping(when: datetime) -> None:
    # url_path escapes only the values that can need it (the slug's, the categories'...).
    assert "year" in permalink._PLAIN_VALUES and "title" not in permalink._PLAIN_VALUES
    for name in permalink._PLAIN_VALUES:
        value = permalink._VALUES[name](when, "a b", ("c d",), ".h t")
        assert permalink._escape(value) == value != ""
