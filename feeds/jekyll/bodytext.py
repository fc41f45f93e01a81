"""A post body's words for keyword search, read without rendering it or parsing its HTML.

:func:`feeds.content.plain_text` parses HTML as a browser does (html5ever, through nh3), which
costs more than everything else in reading a post. A body as the site's scrapers write it
(paragraphs, spans, links, images, an autolink) needs no tree: dropping its tags, comments and
the content of ``script``, ``style`` and the like, then decoding its character references, gives
the same words. :func:`fast_words` does that with HTML5's tokenizer rules written as one regular
expression, and declines (``None``) whenever the tree builder or the sanitizer could do
something a token stream cannot show: a table (whose stray text moves), ``select``, SVG and
MathML (and any element named like one of theirs, which nh3 drops with its content),
``template``, ``plaintext``, ``listing`` and a script holding ``<!--``. Then
:func:`~feeds.content.plain_text` reads it. tests/test_jekyll_bodytext.py holds the two to the
same words on generated HTML and on every body of the fixtures and the generated corpus.
"""

from __future__ import annotations

import html
import re

from .. import content
from .frontmatter import split_front_matter

_W = "\t\n\f\r "  # HTML's white space (a CR is read as LF)
#: A tag after its name: attributes, where a quote opens a value only right after ``=``, up to
#: the ``>``; a tag the text ends inside runs to the end, and is dropped with it.
_REST = (
    rf"(?:[{_W}/]++|[^{_W}/>][^{_W}/>=]*+(?:[{_W}]*+=[{_W}]*+"
    rf"""(?:"[^"]*+"?|'[^']*+'?|[^{_W}>]*+))?+)*+(?:>|\Z)"""
)
#: Elements read as raw text up to their end tag, and dropped with it by the sanitizer.
_RAW = "script|style|noscript|iframe|noembed|noframes|xmp|textarea|title"
#: Elements whose tags change no text around them, for html5ever's tree builder nor for nh3.
_PLAIN = (
    "a|abbr|address|article|aside|b|bdi|bdo|big|blockquote|br|center|cite|code|dd|del|dfn|div"
    "|dl|dt|em|figcaption|figure|font|footer|h[1-6]|header|hr|i|img|ins|kbd|li|main|mark|nav|ol"
    f"|p|pre|q|rp|rt|ruby|s|samp|section|small|span|strike|strong|sub|sup|time|tt|u|ul|var|wbr|{_RAW}"
)
#: One piece of markup in HTML5's data state: a raw-text element whole (its name in the first
#: group), a comment, a bogus comment or doctype, an end tag, the start of a tag of any element
#: but those above that could be an HTML, SVG or MathML one (its name in the second group; a
#: name such as ``http:`` cannot), a start tag.
_MARKUP = re.compile(
    rf"<(?ai:({_RAW}))(?=[{_W}/>]|\Z){_REST}(?s:.*?)(?:</(?ai:\1)(?=[{_W}/>]|\Z){_REST}|\Z)"
    rf"|<!--(?:-?>|(?s:.*?)(?:--!?>|\Z))"
    rf"|<[!?][^>]*+(?:>|\Z)"
    rf"|</(?:[A-Za-z][^{_W}/>]*+{_REST}|>|[^>]++(?:>|\Z))"
    rf"|<(?!(?ai:{_PLAIN})(?=[{_W}/>]|\Z))([A-Za-z][A-Za-z0-9-]*+)(?=[{_W}/>]|\Z)"
    rf"|<[A-Za-z][^{_W}/>]*+{_REST}"
)
_SCRIPT = re.compile(r"<(?ai:script)")
#: A character reference as :func:`html.unescape` finds it.
_REFERENCE = re.compile(r"&(#[0-9]+;?|#[xX][0-9a-fA-F]+;?|[^\t\n\f <&#;]{1,32};?)")


def body_text(text: str) -> str:
    """The words of the body of a post file's text (:func:`~.frontmatter.decode`): its markup
    (HTML tags, a Markdown link's target) dropped, as :func:`words` drops it; white space runs
    made one space. A file without front matter gives none."""
    split = split_front_matter(text)
    return words(links_cut(split[1])) if split else ""


def links_cut(text: str) -> str:
    """``text`` with each Markdown link or image (``[words](target)``, ``![alt](src)``) made
    its words, as ``re.sub(r"!?\\[([^\\]]*)\\]\\([^)]*\\)", r"\\1", text)`` makes them, but
    found by looking for their brackets: that pattern starts with nothing a regex engine can
    search for, and tried at every character it costs more than the rest of the body's words.
    """
    cut: list[str] = []
    done = pos = 0  # the end of the last link; where to look for the next "["
    while (opening := text.find("[", pos)) >= 0 and (close := text.find("](", opening)) >= 0:
        inner = text.rfind("]", opening, close)
        if inner >= 0:  # no link starts at a "[" before it: the next "]" has no "(" after it
            pos = inner + 1
            continue
        end = text.find(")", close + 2)
        if end < 0:
            break
        start = opening - 1 if opening > done and text[opening - 1] == "!" else opening
        cut += (text[done:start], text[opening + 1 : close])
        done = pos = end + 1
    return "".join(cut) + text[done:] if cut else text


def words(fragment: str) -> str:
    """:func:`feeds.content.plain_text` of ``fragment``, a text without control characters
    (:func:`~.frontmatter.decode` makes them so); cheaply where :func:`fast_words` can."""
    found = fast_words(fragment)
    return content.plain_text(fragment) if found is None else found


def fast_words(fragment: str) -> str | None:
    """:func:`feeds.content.plain_text` of ``fragment`` (without control characters) read by
    tokens alone, or ``None`` if it holds markup that needs an HTML parser (see the module)."""
    source = content._BLOCK_EDGE.sub(" <", fragment)  # the same word breaks as plain_text's
    if "<!--" in source and _SCRIPT.search(source):
        return None
    pieces = _MARKUP.split(source)  # a text, then each match's two groups and the next text
    if any(pieces[2::3]):
        return None
    if "&" in source:
        # Each text by itself, as a reference ends where a tag starts: a form feed, which no
        # decoded file holds, ends one in html.unescape's pattern too.
        text = _REFERENCE.sub(_decoded, "\f".join(pieces[::3])).replace("\f", "")
    else:
        text = "".join(pieces[::3])
    return " ".join(content.repair_mojibake(text).split())


def _decoded(ref: re.Match[str]) -> str:
    """A character reference decoded as HTML5 decodes it in text: as :func:`html.unescape`
    does, but a noncharacter (``&#xFDD0;``) is kept, not dropped, and a number of any length is
    read (past U+10FFFF it is U+FFFD); then without control characters, as plain_text has it."""
    name = ref.group(1)
    if name[0] == "#":
        base = 16 if name[1] in "xX" else 10
        digits = name[1 + (base == 16) :].rstrip(";").lstrip("0")
        if len(digits) > 8:
            return "\ufffd"
        code = int(digits or "0", base)
        if 0xFDD0 <= code <= 0xFDEF or (0x1FFFE <= code <= 0x10FFFF and code & 0xFFFE == 0xFFFE):
            return chr(code)
    return content.strip_controls(html.unescape(ref.group(0)))
