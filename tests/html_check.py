"""Checks every HTML page of ours must pass: valid HTML5 and nothing a post brings running as code.

``parse`` is html5lib (the WHATWG parsing algorithm browsers use) in strict mode: any parse error
(a stray ``<``, an unclosed element, a forbidden character) fails. ``check_safe`` then looks at
the tree a browser would build: the only scripts are our own template's, no element has an event
handler or inline style, every link is one of ours, a post's permalink or a feed address, and an
image is a post's lead image: an http(s) URL, percent-encoded, with no other attribute.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from urllib.parse import quote

import html5lib

from feeds.templating import READERS

from .conftest import REPO

#: The one script our pages carry, as the template has it.
OUR_SCRIPT = (REPO / "feeds" / "templates" / "script.js").read_text(encoding="utf-8")
#: The icon link that keeps a browser from asking for ``/favicon.ico``, which is not ours.
NO_ICON = "data:,"


def parse(data: bytes) -> ET.Element:
    """The document's tree; raises html5lib's ParseError at the first parse error."""
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    return parser.parse(data, transport_encoding="utf-8")  # type: ignore[no-any-return]


def text(element: ET.Element) -> str:
    """The text a person sees in ``element``, whitespace runs folded to one space."""
    return " ".join("".join(element.itertext()).split())


def check_safe(tree: ET.Element, site_url: str) -> None:
    """Fail unless the page runs nothing but our script and links only where it may: relative,
    into the site, to a feed app or to a web reader subscribing to one of the site's feeds."""
    allowed = (
        site_url + "/",
        "feed:" + site_url + "/",
        *(prefix + quote(site_url + "/", safe="") for _, prefix in READERS),
    )
    scripts = list(tree.iter("script"))
    assert all(s.attrib == {} and (s.text or "").strip() == OUR_SCRIPT.strip() for s in scripts), (
        "a foreign script"
    )
    for element in tree.iter():
        assert element.tag not in (
            "iframe",
            "object",
            "embed",
            "base",
            "svg",
            "math",
            "meta",
        ) or (element.tag == "meta" and set(element.attrib) <= {"charset", "name", "content"}), (
            element.tag
        )
        if element.tag == "img":  # a lead image: an http(s) picture and nothing more
            assert set(element.attrib) == {"src", "alt", "loading", "referrerpolicy"}, (
                element.attrib
            )
            assert element.attrib["src"].startswith(("https://", "http://")), element.attrib
            assert element.attrib["src"].isascii() and '"' not in element.attrib["src"]
            continue
        for name, value in element.attrib.items():
            assert not name.lower().startswith("on") and name.lower() not in (
                "style",
                "srcdoc",
                "formaction",
            ), (element.tag, name)
            if name in ("href", "src", "action") and (element.tag, value) != ("link", NO_ICON):
                assert value.startswith(allowed) or ":" not in value.split("/")[0], (
                    element.tag,
                    value,
                )
