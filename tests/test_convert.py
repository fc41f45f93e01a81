"""``?opencc=``: Simplified ↔ Traditional Chinese over the service, checked against OpenCC run
on a plain scan of the posts."""

from __future__ import annotations

import json
from pathlib import Path

import opencc
import pytest
from flask.testing import FlaskClient

from feeds import convert

from . import feedcheck
from .test_filters import LIMIT, all_posts
from .test_search import client  # noqa: F401 - the fixture: the service of the sample site


def test_s2t_converts_titles_and_content(client: FlaskClient, finews_copy: Path) -> None:
    doc = json.loads(client.get("/category/emnews.json?opencc=s2t").data)
    s2t = opencc.OpenCC("s2t.json").convert
    expected = [s2t(p.title) for p, _ in all_posts(finews_copy) if "emnews" in p.categories][:LIMIT]
    assert [i["title"] for i in doc["items"]] == expected
    assert doc["language"] == "zh-Hant"
    assert doc["feed_url"] == "https://finews.withounder.com/category/emnews.json?opencc=s2t"
    body = "".join(i["content_html"] for i in doc["items"])
    assert "國內" in body and "国内" not in body


def test_t2s_undoes_it(client: FlaskClient) -> None:
    plain = json.loads(client.get("/feed.json?limit=5").data)
    there_and_back = json.loads(client.get("/feed.json?limit=5&opencc=t2s").data)
    assert there_and_back["language"] == "zh-Hans"
    assert [i["title"] for i in there_and_back["items"]] == [
        convert.converter("t2s")(i["title"]) for i in plain["items"]
    ]


@pytest.mark.parametrize(
    ("name", "lang"), [("s2tw", "zh-TW"), ("s2hk", "zh-HK"), ("s2twp", "zh-TW")]
)
def test_the_language_says_which(client: FlaskClient, name: str, lang: str) -> None:
    assert json.loads(client.get(f"/feed.json?opencc={name}&limit=1").data)["language"] == lang


@pytest.mark.parametrize(
    "query", ["opencc=x2y", "opencc=", "opencc=s2t&opencc=t2s", "opencc=S2T", "opencc=../s2t"]
)
def test_an_unknown_conversion_is_a_400(client: FlaskClient, query: str) -> None:
    r = client.get(f"/feed.atom?{query}")
    assert r.status_code == 400
    assert r.data.startswith(b"opencc ")


@pytest.mark.parametrize("fmt", ["atom", "rss", "json"])
def test_converted_feeds_are_valid(client: FlaskClient, fmt: str) -> None:
    data = client.get(f"/search.{fmt}?q=国内&opencc=s2twp").data
    base = f"https://finews.withounder.com/search.{fmt}?q=%E5%9B%BD%E5%86%85&opencc=s2twp"
    feedcheck.assert_valid(data, fmt, base)
