"""Summaries: plain text cut to a length without breaking what it cuts, and the summary of a
post's sanitized HTML read from its start only.

Apart from :mod:`feeds.content` because a summary is a question of text, not of HTML: where a
grapheme cluster ends, which characters are CJK, what may stand before an ellipsis.
"""

from __future__ import annotations

import re
import unicodedata

from .content import markdown_html, plain_text, sanitize, strip_illegal_xml

__all__ = ["excerpt_summary", "summarize", "summary"]

_ZWJ = "\u200d"  # joins the character after it to the one before it
# White space, and separators that look wrong right before an ellipsis.
_TRAILING = (
    " \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
    "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000,;:，、；："
)


def _extends(char: str) -> bool:
    """True if ``char`` continues the grapheme cluster before it (simplified UAX #29)."""
    code = ord(char)
    return (
        unicodedata.category(char)[0] == "M"  # combining marks, variation selectors
        or code in (0x200C, 0x200D)  # ZWNJ, ZWJ
        or 0x1F3FB <= code <= 0x1F3FF  # emoji skin-tone modifiers
        or 0xE0020 <= code <= 0xE007F  # emoji tag sequences (subdivision flags)
        or 0x1160 <= code <= 0x11FF  # conjoining Hangul vowels and final consonants
    )


def _is_regional(char: str) -> bool:
    return 0x1F1E6 <= ord(char) <= 0x1F1FF


def _is_cjk(char: str) -> bool:
    """True for scripts written without spaces between words, cut anywhere between characters."""
    code = ord(char)
    return (
        0x2E80 <= code <= 0x9FFF  # radicals, CJK punctuation, kana, bopomofo, ideographs
        or 0xF900 <= code <= 0xFAFF  # compatibility ideographs
        or 0xFF00 <= code <= 0xFFEF  # full-width forms
        or 0x20000 <= code <= 0x3FFFF  # ideograph extensions
    )


def _cluster_boundary(text: str, cut: int) -> int:
    """Move ``cut`` back until it does not fall inside a grapheme cluster."""
    while 0 < cut < len(text):
        before, after = text[cut - 1], text[cut]
        if _extends(after) or before == _ZWJ or (before == "\r" and after == "\n"):
            cut -= 1
            continue
        if _is_regional(before) and _is_regional(after):
            run = cut
            while run > 0 and _is_regional(text[run - 1]):
                run -= 1
            if (cut - run) % 2:  # an odd count before the cut: it splits a flag
                cut -= 1
                continue
        break
    return cut


#: A character beyond Latin-1: text holding one is never mojibake (see :func:`summary`); a
#: search for it is ~100 times faster than ``max``.
_BEYOND_LATIN1 = re.compile("[^\x00-\xff]")
#: An end tag an HTML fragment may be cut after (see :func:`summary`).
_BLOCK_END = re.compile(r"</(?:p|div|li|h[1-6]|blockquote)>", re.IGNORECASE)


def summary(html_fragment: str, length: int) -> str:
    """``summarize(plain_text(html_fragment), length)``, reading no more of a long fragment
    than the summary needs: the summary of a 10,000-character post is its first 200.

    A summary depends on its text's first ``length + 1`` characters only, and the text of
    sanitized HTML (:func:`render`) cut after an end tag is a prefix of the whole's text: an
    HTML parser never moves what follows before what it has read, but for foster parenting in
    tables, which a parsed and serialized fragment no longer needs. Mojibake repair looks at the
    whole text, so the cut is used only where it settles it: ASCII, which repair keeps, or a
    character beyond Latin-1, which keeps the whole from being repaired.
    """
    start = length + 2
    while (cut := _BLOCK_END.search(html_fragment, start)) is not None:
        head = plain_text(html_fragment[: cut.end()])
        if len(head) > length + 1:
            if head.isascii() or _BEYOND_LATIN1.search(head):
                return summarize(head, length)
            break
        start = 2 * cut.end()
    return summarize(plain_text(html_fragment), length)


#: Where a table may start: text that follows it can be moved before it (foster parenting).
_TABLE = re.compile(r"<table", re.IGNORECASE)


def excerpt_summary(
    excerpt: str, length: int, *, markdown: bool, page_url: str, controls_free: bool = False
) -> str:
    """``summary(render(excerpt, markdown=markdown, page_url=page_url), length)``, sanitizing
    no more of the excerpt's HTML than the summary needs (``controls_free``: as for
    :func:`~feeds.content.render`).

    The excerpt is most of a post's body, the summary its first 200 characters: rather than
    sanitize the whole of it again, :func:`summary`'s rule is applied to the HTML before
    sanitizing, cut after an end tag. An HTML parser reads its input in order and never moves
    what follows before what it has read, but for foster parenting, which needs a table: so
    the text of a sanitized head without ``<table`` is a prefix of the whole's. A character
    reference cannot straddle the cut (it ends after ``>``), and the head's mojibake repair
    settles the whole's as in :func:`summary`. Anything else reads the whole.
    """
    source = excerpt if controls_free else strip_illegal_xml(excerpt)
    if markdown:
        source = markdown_html(source)
    free = controls_free and "&#" not in excerpt
    start = length + 2
    while (cut := _BLOCK_END.search(source, start)) is not None:
        if _TABLE.search(source, 0, cut.end()):
            break
        head = plain_text(sanitize(source[: cut.end()], page_url=page_url, controls_free=free))
        if len(head) > length + 1:
            if head.isascii() or _BEYOND_LATIN1.search(head):
                return summarize(head, length)
            break
        start = 2 * cut.end()
    return summary(sanitize(source, page_url=page_url, controls_free=free), length)


def summarize(text: str, length: int) -> str:
    """Cut plain text to at most ``length`` code points plus '…', without breaking what it cuts.

    Text not longer than ``length`` comes back unchanged. Otherwise the cut never falls inside a
    grapheme cluster (combining marks, ZWJ emoji, flag pairs); inside a spaced word it backs up
    to the last space if that lies in the last 30% of the cut (CJK text is cut between any two
    characters); white space and ,;: separators before the '…' are dropped. The result without
    its '…' is always a prefix of ``text``, so it may be '…' alone.

    Raises ValueError for a negative ``length``.
    """
    if length < 0:
        raise ValueError(f"summary length must not be negative, not {length}")
    if len(text) <= length:
        return text
    cut = _cluster_boundary(text, length)
    if 0 < cut < len(text):
        before, after = text[cut - 1], text[cut]
        mid_word = not (before.isspace() or after.isspace() or _is_cjk(before) or _is_cjk(after))
        if mid_word:
            space = text.rfind(" ", 0, cut)
            if space > 0 and space * 10 >= cut * 7:
                cut = space
    return text[:cut].rstrip(_TRAILING) + "…"
