"""What a served feed must be for any reader, checked with what the repository holds: the
independent judges (../shared/tools/judge-feed, scripts/judge-export) are run by hand, not
here, since the tests must pass in a clone with nothing beside it."""

from __future__ import annotations

import json
from pathlib import Path

import feedparser
from lxml import etree
from lxml import html as lxml_html

ATOM_RNG = etree.RelaxNG(etree.parse(str(Path(__file__).parent / "fixtures" / "atom.rng")))
ATOM = "{http://www.w3.org/2005/Atom}"


def assert_valid(data: bytes, fmt: str, self_url: str) -> None:
    """``data`` is a ``fmt`` feed that names itself ``self_url``, feedparser reads it with
    no error, Atom passes RFC 4287's schema, and no text of an entry is blank."""
    if fmt == "json":
        doc = json.loads(data)
        assert doc["version"] == "https://jsonfeed.org/version/1.1" and doc["feed_url"] == self_url
        for item in doc["items"]:
            assert (
                item["id"]
                and item["url"]
                and (item.get("content_html") or item.get("content_text"))
            )
        return
    parsed = feedparser.parse(data)
    assert not parsed.bozo, parsed.get("bozo_exception")
    root = etree.fromstring(data)
    if fmt == "atom":
        assert ATOM_RNG.validate(root), ATOM_RNG.error_log
        links = root.findall(f"{ATOM}link[@rel='self']")
    else:
        links = root.findall(f"channel/{ATOM}link[@rel='self']")
    assert [link.get("href") for link in links] == [self_url]
    for element in root.iter():
        if element.text is not None and element.tag not in (
            "channel",
            "item",
            f"{ATOM}entry",
            f"{ATOM}feed",
        ):
            assert element.text.strip() or len(element), f"blank {element.tag}"


#: Elements no sanitized body may hold: they run code, load things or change the page.
UNSAFE_TAGS = (
    "script",
    "style",
    "iframe",
    "object",
    "embed",
    "svg",
    "math",
    "base",
    "meta",
    "link",
    "form",
)


def assert_safe_fragment(fragment: str, where: object) -> None:
    """An entry's HTML holds no active element, no event handler or inline style, and links
    only to http(s) and mailto: what the sanitizer promises (README, "How posts are read")."""
    if not fragment.strip():
        return
    for element in lxml_html.fragment_fromstring(fragment, create_parent="div").iter():
        assert element.tag not in UNSAFE_TAGS, where
        for name, value in element.attrib.items():
            assert not name.lower().startswith("on"), (where, name)
            assert name.lower() not in ("style", "srcdoc", "formaction"), (where, name)
            if name in ("href", "src", "cite"):
                assert value.split(":", 1)[0].lower() in ("http", "https", "mailto"), (where, value)
