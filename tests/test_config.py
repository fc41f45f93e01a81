from __future__ import annotations

import zoneinfo
from collections.abc import Callable
from pathlib import Path

import pytest

from feeds import config
from feeds.errors import ConfigError


def test_defaults_fill_every_optional_key(write_config: Callable[..., Path]) -> None:
    path = write_config()
    c = config.load(path)
    assert c.feeds.limit == 50
    assert c.feeds.max_limit == 200
    assert c.feeds.formats == ("atom", "rss", "json")
    assert c.feeds.content == "full"
    assert c.cache.refresh_seconds == 2.0
    assert c.cache.max_age == 2, "max_age follows refresh_seconds"
    assert c.server.port == 8000
    assert c.site.timezone == zoneinfo.ZoneInfo("Asia/Shanghai")


def test_relative_paths_resolve_against_the_config_folder(
    write_config: Callable[..., Path], tmp_path: Path
) -> None:
    path = write_config('[index]\npath = "data/index.db"\n', source="site")
    c = config.load(path)
    assert c.site.source == tmp_path / "site"
    assert c.index.path == tmp_path / "data" / "index.db"
    assert c.cache.dir == tmp_path / ".cache" / "feeds"


def test_trailing_slash_of_the_url_is_dropped(write_config: Callable[..., Path]) -> None:
    c = config.load(write_config(url="https://example.com/blog/"))
    assert c.site.url == "https://example.com/blog"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[feeds]\nlimit = "ten"\n', "config.toml: [feeds] limit must be an integer"),
        ("[feeds]\nlimit = true\n", "[feeds] limit must be an integer"),
        ("[feeds]\nfuture = 1\n", "[feeds] future must be true or false"),
        ("[feeds]\nlimti = 5\n", "unknown key [feeds] limti"),
        ("[feedz]\n", "unknown section [feedz]"),
        (
            '[feeds]\nformats = ["atom", "rdf"]\n',
            "[feeds] formats: 'rdf' is not one of atom, rss, json",
        ),
        ('[feeds]\ncontent = "some"\n', "[feeds] content must be one of full, summary"),
        ("[feeds]\nlimit = 300\n", "[feeds] max_limit must be at least limit"),
        (
            '[site]\ntimezone = "Mars/Olympus"\n',
            "[site] timezone: unknown time zone 'Mars/Olympus'",
        ),
        ("[site]\npermalink = 5\n", "[site] permalink must be a string"),
        (
            '[cache]\nbackend = "memcached"\n',
            "[cache] backend must be one of memory, filesystem, redis",
        ),
        ('[cache]\nbackend = "redis"\n', "[cache] url is needed by backend"),
        ('[server]\nengine = "uwsgi"\n', "[server] engine must be one of sync, gthread, granian"),
        ("[server]\nport = 70000\n", "[server] port must be between 1 and 65535"),
        (
            '[feeds]\nsite_path = "../feed.xml"\n',
            "[feeds] site_path must be a path below the site root",
        ),
        (
            '[feeds]\nsite_path = "feed/news.xml"\n',
            "[feeds] site_path 'feed/news.xml' is a path feeds uses",
        ),
        ('[feeds]\nsite_path = "feed.rss"\n', "[feeds] site_path 'feed.rss' is a path feeds uses"),
        (
            '[feeds]\nicon = "javascript:alert(1)"\n',
            "[feeds] icon must be an http(s) URL or a path on the site",
        ),
        ('[feeds]\nhidden_tags = "a"\n', "[feeds] hidden_tags must be a list of strings"),
        ('[search]\nsaved = "蔚来"\n', "[search] saved must be a list of strings"),
        (
            '[search]\nsaved = ["蔚来", "-x"]\n',
            "[search] saved '-x': q must name a word to look for",
        ),
        ('[search]\nsaved = ["a\\u0000b"]\n', "[search] saved 'a\\x00b': q must be text"),
        ('[search]\nsaved = ["a/b"]\n', "[search] saved 'a/b' cannot name a file"),
        ('[search]\nsaved = ["a\\\\b"]\n', "[search] saved 'a\\\\b' cannot name a file"),
        ('[search]\nsaved = [".x"]\n', "[search] saved '.x' cannot name a file"),
        ('[search]\nsaved = ["..  x"]\n', "[search] saved '..  x' cannot name a file"),
        (f'[search]\nsaved = ["{"锂" * 81}"]\n', "is too long to name a file (at most 240 bytes"),
    ],
)
def test_bad_values_name_the_key(
    write_config: Callable[..., Path], text: str, message: str
) -> None:
    path = write_config(text)
    with pytest.raises(ConfigError) as info:
        config.load(path)
    assert message in str(info.value)
    assert str(info.value).startswith(str(path))


def test_saved_searches_are_kept_canonical_once_each(write_config: Callable[..., Path]) -> None:
    path = write_config(
        '[search]\nsaved = ["蔚来", "汽车  新能源", "新能源 汽车", "HFO -x", "锂" ]\n'
    )
    assert config.load(path).search.saved == ("蔚来", "新能源 汽车", "hfo -x", "锂")


def test_a_required_key_is_named(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[site]\nurl = "https://example.com"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"\[site\] source is required"):
        config.load(path)


def test_a_relative_url_is_refused(write_config: Callable[..., Path]) -> None:
    with pytest.raises(ConfigError, match=r"\[site\] url must be an absolute http\(s\) URL"):
        config.load(write_config(url="/blog"))


def test_broken_toml_and_missing_file_say_so(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[site\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid TOML"):
        config.load(bad)
    with pytest.raises(ConfigError, match="cannot read config"):
        config.load(tmp_path / "missing.toml")


def test_env_var_then_default(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert config.find_path("x.toml") == Path("x.toml")
    assert config.find_path() == Path("config.toml")
    monkeypatch.setenv("FEEDS_CONFIG", str(tmp_path / "other.toml"))
    assert config.find_path() == tmp_path / "other.toml"
    assert config.find_path("x.toml") == Path("x.toml"), "--config wins over the variable"


def _one_key(tmp_path: Path, site: Path, more: str = "") -> Path:
    path = tmp_path / "config.toml"
    path.write_text(f'[site]\nsource = "{site}"\n{more}', encoding="utf-8")
    return path


def test_the_sites_config_yml_fills_what_config_toml_leaves_out(tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "_data").mkdir(parents=True)
    (site / "_config.yml").write_text(
        "url: https://orchard.example/\nbaseurl: /notes\ntitle: 果园\ndescription: Notes\nlang: zh-CN\n"
        "timezone: Asia/Shanghai\nauthor:\n  name: Pat\npermalink: pretty\nfuture: true\n"
        "feed:\n  posts_limit: 20\n  excerpt_only: true\n",
        encoding="utf-8",
    )
    (site / "_data" / "authors.yml").write_text("pat:\n  name: Pat Gardener\n", encoding="utf-8")
    c = config.load(_one_key(tmp_path, site))
    assert c.site.url == "https://orchard.example/notes"
    assert (c.site.title, c.site.description, c.site.lang, c.site.author) == (
        "果园",
        "Notes",
        "zh-CN",
        "Pat",
    )
    assert c.site.timezone == zoneinfo.ZoneInfo("Asia/Shanghai")
    assert c.site.permalink == "pretty"
    assert (c.feeds.future, c.feeds.limit, c.feeds.content) == (True, 20, "summary")
    assert c.jekyll["data"] == {"authors": {"pat": {"name": "Pat Gardener"}}}
    assert c.origins == ()


def test_config_toml_wins_and_says_so(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "_config.yml").write_text(
        "url: https://a.example\ntitle: Jekyll's\nlang: en\n", encoding="utf-8"
    )
    c = config.load(_one_key(tmp_path, site, 'title = "Ours"\nlang = "en"\n'))
    assert c.site.title == "Ours" and c.site.url == "https://a.example"
    assert c.origins == (
        f"[site] title = 'Ours' from {tmp_path / 'config.toml'} is used; _config.yml title says \"Jekyll's\"",
    )


@pytest.mark.parametrize(
    ("yml", "message"),
    [
        (
            "timezone: Mars/Olympus\nurl: https://a.example\n",
            "_config.yml: timezone: unknown time zone 'Mars/Olympus'",
        ),
        (
            "url: https://a.example\nfeed:\n  posts_limit: many\n",
            "_config.yml: feed.posts_limit must be an integer",
        ),
        ("title: [a\n", "_config.yml:2: not valid YAML"),
        ("- a list\n", "_config.yml: must be a mapping"),
        ("title: no url\n", "[site] url is required: set it, or url in the site's _config.yml"),
        (
            "url: https://a.example\nfeed:\n  categories: news\n",
            "_config.yml: feed.categories must be a list of names",
        ),
        ("url: https://a.example\nfeed:\n  icon: [a]\n", "_config.yml: feed.icon must be a string"),
        (
            "url: https://a.example\nfeed:\n  path: /category/x.atom\n",
            "[feeds] site_path '/category/x.atom' is a path feeds uses",
        ),
    ],
)
def test_a_bad_config_yml_names_the_file_and_key(tmp_path: Path, yml: str, message: str) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "_config.yml").write_text(yml, encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        config.load(_one_key(tmp_path, site))
    assert message in str(info.value)


def test_the_posts_collection_permalink_wins(tmp_path: Path) -> None:
    """jekyllrb.com sets its posts' permalink under collections, as Jekyll allows."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "_config.yml").write_text(
        "url: https://a.example\npermalink: pretty\ncollections:\n  posts:\n    permalink: /news/:year/:title/\n",
        encoding="utf-8",
    )
    assert config.load(_one_key(tmp_path, site)).site.permalink == "/news/:year/:title/"


def test_jekyll_feed_keys_fill_feeds_keys(tmp_path: Path) -> None:
    """``feed: path``, ``icon``, ``logo``, ``categories`` and ``tags: except``; images made
    absolute below ``url`` + ``baseurl`` as Jekyll's ``absolute_url``; config.toml wins."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "_config.yml").write_text(
        "url: https://a.example\nbaseurl: /blog\nfeed:\n  path: /atom.xml\n  icon: /i.png\n  logo: logo.png\n"
        "  categories: [news, 2021]\n  tags:\n    only: [a]\n    except: [b, 草稿]\n",
        encoding="utf-8",
    )
    c = config.load(_one_key(tmp_path, site))
    assert (c.feeds.site_path, c.feeds.icon, c.feeds.logo) == (
        "atom.xml",
        "https://a.example/blog/i.png",
        "https://a.example/blog/logo.png",
    )
    assert (c.feeds.categories, c.feeds.hidden_tags) == (("news", "2021"), ("b", "草稿"))
    c = config.load(
        _one_key(
            tmp_path, site, '[feeds]\nicon = "https://cdn.example/i.png"\nsite_path = "feed.xml"\n'
        )
    )
    assert (c.feeds.site_path, c.feeds.icon) == ("feed.xml", "https://cdn.example/i.png")
