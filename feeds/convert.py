"""Simplified ↔ Traditional Chinese for ``?opencc=``, with OpenCC: what each conversion is
called, the language a converted feed says it is in, and converting a feed's words."""

from __future__ import annotations

import functools
from dataclasses import replace

import opencc

from .model import Post

#: Each conversion offered → the BCP 47 tag of what it writes. OpenCC's own names: ``s2t``
#: Simplified to Traditional, ``s2tw`` to Taiwan's, ``s2twp`` with Taiwan's words too, ``hk``
#: Hong Kong's; the Japanese ones are left out (these feeds are Chinese).
CONVERSIONS: dict[str, str] = {
    "s2t": "zh-Hant",
    "s2tw": "zh-TW",
    "s2twp": "zh-TW",
    "s2hk": "zh-HK",
    "s2hkp": "zh-HK",
    "t2s": "zh-Hans",
    "tw2s": "zh-Hans",
    "tw2sp": "zh-Hans",
    "hk2s": "zh-Hans",
    "hk2sp": "zh-Hans",
    "t2tw": "zh-TW",
    "t2hk": "zh-HK",
    "tw2t": "zh-Hant",
    "hk2t": "zh-Hant",
}


class ConversionError(ValueError):
    """An ``opencc`` value that names no conversion (a 400)."""


def check(name: str) -> str:
    """``name`` if it is a conversion offered.

    Raises:
        ConversionError: it is not; the message names the parameter and the choices.
    """
    if name not in CONVERSIONS:
        raise ConversionError(f"opencc must be one of {', '.join(sorted(CONVERSIONS))}")
    return name


def post(name: str, p: Post) -> Post:
    """``p`` with its title, summary, content and names converted by ``name`` (markup and
    links hold no Chinese that a conversion changes: links are percent-encoded), and its own
    language, if it names one, the conversion's."""
    c = converter(name)
    return replace(
        p,
        title=c(p.title),
        summary=c(p.summary),
        content_html=c(p.content_html),
        categories=tuple(map(c, p.categories)),
        tags=tuple(map(c, p.tags)),
        authors=tuple(replace(a, name=c(a.name)) for a in p.authors),
        lang=CONVERSIONS[name] if p.lang else "",
    )


@functools.cache
def converter(name: str) -> functools.partial[str]:
    """The conversion ``name`` as a function of text; made once per process (loading its
    dictionaries takes milliseconds)."""
    return functools.partial(opencc.OpenCC(f"{check(name)}.json").convert)
