"""Post body → safe, self-contained HTML, and the plain text a summary is cut from.

Feed readers paste our content into their own pages, far from the site it was written for. So a
body, whatever it holds (Markdown mixed with raw HTML, scraped eastmoney pages with inline styles,
links written relative to the Jekyll page), must come out as HTML a reader can show without
running anything, whose links work from anywhere, and which holds only characters XML 1.0 allows:
one such character makes a whole feed unreadable.

The Markdown parser and the sanitizer are built once, at import: building them costs more than
rendering a short post, and a corpus holds a hundred thousand. Neither keeps state between calls;
the page URL that relative links resolve against reaches the sanitizer's callback through a
ContextVar, so concurrent renders in threads never see each other's URL.
"""

from __future__ import annotations

import functools
import html
import html.entities
import re
from contextvars import ContextVar
from urllib.parse import urljoin, urlsplit

import comrak
import nh3

__all__ = [
    "as_text",
    "first_image",
    "markdown_html",
    "plain_text",
    "render",
    "repair_mojibake",
    "sanitize",
    "strip_controls",
    "strip_illegal_xml",
    "xml_legal",
]

# XML 1.0's Char production above U+009F; the project's statement of which characters XML
# allows. A regex scan is ~15x faster than str.translate here.
_XML_CHARS_ABOVE_C1 = "\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff"
# And of which it forbids: the rest (C0 controls other than tab, LF and CR, lone surrogates,
# U+FFFE/U+FFFF), listed. Written as the negation of the above, each pattern searching for them
# cost the regex compiler 7 ms of every start of the command and of a worker, to tabulate the
# whole BMP, and searched no faster (tests/test_content.py holds the two to each other).
_NOT_XML_CHARS = "\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff"
# Everything outside XML 1.0's Char production.
_ILLEGAL_XML = re.compile(f"[{_NOT_XML_CHARS}]")
# Only what XML 1.0 allows, start to end: matching a whole text runs in half the time of
# searching it for a character outside (an export checks every entry of every feed).
_LEGAL_XML = re.compile(f"[\t\n\r\x20-\x9f{_XML_CHARS_ABOVE_C1}]*")
# The above, plus DEL and the C1 controls: XML 1.0 (section 2.2) asks authors to avoid them, YAML
# refuses them (NEL it takes as a line break), the W3C validator flags them, and in scraped text
# they are only ever mis-decoded bytes.
_CONTROLS = re.compile(f"[{_NOT_XML_CHARS}\x7f-\x9f]")

# Ordinary content markup. Anything else (script, style, iframe, object, embed, form, svg, math,
# base, meta, link...) is unwrapped: its text stays (svg and math content ammonia drops), the tag
# goes. So are details and summary: feedparser (and so reader) drops summary, and a details
# without one hides its text.
# fmt: off
_TAGS = frozenset({
    "a", "abbr", "b", "bdi", "bdo", "big", "blockquote", "br", "caption", "center", "cite", "code",
    "col", "colgroup", "dd", "del", "dfn", "div", "dl", "dt", "em", "figcaption",
    "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "mark",
    "ol", "p", "pre", "q", "rp", "rt", "ruby", "s", "samp", "small", "span", "strike", "strong",
    "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "time", "tr", "tt",
    "u", "ul", "var", "wbr",
})
# Elements whose content is code or unparsed text, never something to show: dropped whole.
_DROP_WITH_CONTENT = frozenset({
    "script", "style", "noscript", "template", "iframe", "noembed", "noframes", "textarea",
    "title", "xmp",
})
# fmt: on
# No style (layout breaks readers, and CSS can exfiltrate), no class/id (they clash with the
# reader's page), no on* handlers, no target. "*" applies to every tag.
_ATTRIBUTES: dict[str, frozenset[str]] = {
    "*": frozenset({"title", "lang", "dir"}),
    "a": frozenset({"href", "hreflang"}),
    "img": frozenset({"src", "alt", "width", "height"}),
    "blockquote": frozenset({"cite"}),
    "q": frozenset({"cite"}),
    "del": frozenset({"cite", "datetime"}),
    "ins": frozenset({"cite", "datetime"}),
    "time": frozenset({"datetime"}),
    "ol": frozenset({"start", "reversed", "type"}),
    "li": frozenset({"value"}),
    "col": frozenset({"span"}),
    "colgroup": frozenset({"span"}),
    "td": frozenset({"colspan", "rowspan", "headers", "align"}),
    "th": frozenset({"colspan", "rowspan", "headers", "scope", "align"}),
}
_URL_ATTRIBUTES = frozenset({"href", "src", "cite"})
_URL_SCHEMES = frozenset({"http", "https", "mailto"})
# What browsers and the WHATWG URL parser trim from either end of a URL.
_URL_TRIM = "".join(map(chr, range(0x21)))

#: An absolute http(s) URL that resolving against an http(s) page and parsing leave as it is:
#: an ASCII host with no brackets, and nothing a parser drops, moves or normalizes (no ``#``,
#: ``;``, backslash or white space, no empty query; a scheme in lower case).
_PLAIN_URL = re.compile(r"https?://[A-Za-z0-9.\-_~%!$&'()*+,=:@]+(?:/[^\s?#;\\]*)?(?:\?[^\s#\\]+)?")

_page_url: ContextVar[str] = ContextVar("feeds_content_page_url")


def _absolute_url(tag: str, attribute: str, value: str) -> str | None:
    """Resolve a URL attribute against the page being rendered; None drops the attribute.

    ammonia checks URL schemes *before* calling this filter, so the scheme is checked again on the
    result: a value is kept only if it ends up as http, https or mailto.
    """
    if attribute not in _URL_ATTRIBUTES:
        return value
    value = value.strip(_URL_TRIM)
    page = _page_url.get()
    # A scheme-relative link takes the page's scheme, as resolving it would.
    plain = page[: page.index(":")].lower() + ":" + value if value.startswith("//") else value
    if _PLAIN_URL.fullmatch(plain):  # most links: what resolving would give
        return plain
    try:
        url = urljoin(page, value)
        scheme = urlsplit(url).scheme
    except ValueError:  # "//[::1" and other unparseable hosts
        return None
    return url if scheme in _URL_SCHEMES else None


#: CommonMark with raw HTML passed through (the sanitizer below deals with it), no extension.
_RENDER_OPTIONS = comrak.RenderOptions()
_RENDER_OPTIONS.unsafe_ = True


#: The start of a CommonMark HTML block that ends only at a blank line (kind 6 of the spec's
#: seven), at the start of a line; the end of a line that blank lines follow (or the text's
#: end) with them.
_HTML_BLOCK_START = re.compile(
    r"</?(?:p|div|h[1-6]|blockquote|ul|ol|li|table|section|article|figure)(?:[ \t>]|/>|\n)",
    re.IGNORECASE,
)
_BLOCK_END = re.compile(r"\n(?:[ \t]*\n)+|\n[ \t]*$")


def markdown_html(text: str) -> str:
    """``text`` (CommonMark, raw HTML allowed) as HTML, by comrak (Rust, cmark's port).

    Seven times faster than markdown-it-py, which a cold export of a large site feels, and the
    same HTML for every corpus and fixture post but one kind: like kramdown (what Jekyll renders
    with) it keeps the ideographic spaces (U+3000) that indent a Chinese paragraph, which
    markdown-it-py stripped as white space. (cmarkgfm leaks every result it returns;
    markdown-it-pyrs panics on a bracket followed by a backquote.)

    An HTML block that starts the text (a line that starts like ``<p>``, up to a blank line: a
    scraped post's paragraphs, most of its text) is its own HTML, as CommonMark says, and so is
    one after it; comrak gets the rest, which nothing before it changes (raw HTML defines no
    link reference and leaves no block open).
    """
    if "\r" in text:  # a lone CR ends a line too
        return comrak.render_markdown(text, render_options=_RENDER_OPTIONS)
    blocks = []
    start = 0
    while start < len(text) and _HTML_BLOCK_START.match(text, start):
        end = _BLOCK_END.search(text, start)
        blocks.append(text[start : len(text) if end is None else end.start()] + "\n")
        start = len(text) if end is None else end.end()
    return "".join(blocks) + comrak.render_markdown(text[start:], render_options=_RENDER_OPTIONS)


_SANITIZER = nh3.Cleaner(
    tags=_TAGS,
    clean_content_tags=_DROP_WITH_CONTENT,
    attributes=_ATTRIBUTES,
    attribute_filter=_absolute_url,
    strip_comments=True,
    link_rel=None,
    url_schemes=_URL_SCHEMES,
)
_TEXT_ONLY = nh3.Cleaner(tags=frozenset(), clean_content_tags=_DROP_WITH_CONTENT)
# Where a block starts or ends, or a line breaks, text on either side is two words.
_BLOCK_EDGE = re.compile(
    r"<(?=/?(?:address|article|blockquote|br|center|dd|div|dl|dt|figcaption|figure|footer|h[1-6]"
    r"|header|hr|li|ol|p|pre|section|table|td|th|tr|ul)\b)",
    re.IGNORECASE,
)


def strip_illegal_xml(text: str) -> str:
    """Remove every character XML 1.0 forbids, so any text can go into a feed.

    Keeps tab, LF, CR, U+0020–U+D7FF, U+E000–U+FFFD and U+10000–U+10FFFF; drops C0 controls,
    lone surrogates and U+FFFE/U+FFFF. Cheap enough to run on every whole post file.
    """
    return _ILLEGAL_XML.sub("", text)


def xml_legal(text: str) -> bool:
    """Whether every character of ``text`` may stand in an XML 1.0 document (see
    :func:`strip_illegal_xml`)."""
    return _LEGAL_XML.fullmatch(text) is not None


def strip_controls(text: str) -> str:
    """:func:`strip_illegal_xml`, and also drop DEL and the C1 controls (U+007F–U+009F): what a
    post file is cleaned of before it is parsed."""
    return _CONTROLS.sub("", text)


def render(body: str, *, markdown: bool, page_url: str, controls_free: bool = False) -> str:
    """Turn a post body into an HTML fragment safe to embed in any feed reader.

    ``markdown=True`` renders CommonMark with raw HTML passed through (real bodies mix both);
    ``markdown=False`` (.html posts) takes the body as HTML. The result keeps only content tags
    and harmless attributes (no scripts, handlers, styles, frames, forms), and every
    href/src/cite is absolute: resolved against ``page_url`` by RFC 3986, so ``//host/x`` takes
    its scheme. A URL that is not http, https or mailto afterwards is dropped, the element kept.
    Links get no ``rel``: the same body always gives the same bytes.

    ``controls_free``: the caller knows ``body`` holds nothing :func:`strip_controls` removes
    (a body as :func:`feeds.jekyll.frontmatter.decode` leaves it), which spares two passes over
    the text: the result is the same.

    Raises ValueError if ``page_url`` is not an absolute http(s) URL: relative links could not
    be resolved, and would all be dropped.
    """
    source = body if controls_free else strip_illegal_xml(body)
    if markdown:
        source = markdown_html(source)
    # Character references such as &#1; and &#128; decode to characters XML forbids or shuns
    # (no named one does): without "&#", what is clean of them stays so.
    return sanitize(source, page_url=page_url, controls_free=controls_free and "&#" not in body)


@functools.lru_cache(maxsize=64)
def _http_page(url: str) -> bool:
    """Whether ``url`` is http(s): asked once per post, however many pieces of it are
    sanitized (:func:`feeds.summaries.excerpt_summary`)."""
    return urlsplit(url).scheme in ("http", "https")


def sanitize(source: str, *, page_url: str, controls_free: bool = False) -> str:
    """:func:`render`'s second half: HTML (Markdown's output, or a .html body) made safe.

    ``controls_free``: ``source`` neither holds nor makes (by a ``&#`` reference) anything
    :func:`strip_controls` removes.

    Raises ValueError if ``page_url`` is not an absolute http(s) URL (see :func:`render`).
    """
    if not _http_page(page_url):
        raise ValueError(f"page_url must be an absolute http(s) URL, not {page_url!r}")
    token = _page_url.set(page_url)
    try:
        cleaned = _SANITIZER.clean(source)
    finally:
        _page_url.reset(token)
    if not (controls_free and "&#" not in source):
        cleaned = strip_controls(cleaned)
    return repair_mojibake(cleaned)


#: An ``<img>`` with an http(s) ``src`` as the sanitizer writes it (attributes double-quoted).
_IMG = re.compile(r'<img\s[^>]*?\bsrc="(https?://[^"]+)"', re.IGNORECASE)


def first_image(html_fragment: str) -> str:
    """The source of the first ``<img>`` with an http(s) URL in sanitized HTML (from
    :func:`render`, so absolute), its character references decoded; empty if none."""
    if "<img" not in html_fragment:
        return ""
    found = _IMG.search(html_fragment)
    return html.unescape(found.group(1)) if found else ""


def plain_text(html_fragment: str) -> str:
    """The words of an HTML fragment, for summaries and excerpts that contain markup.

    Tags go (script and style with their content), entities are decoded, block edges and line
    breaks count as spaces, and every run of white space (NBSP and the ideographic space too)
    becomes one ASCII space; the result is stripped and holds only XML-legal characters.
    """
    text = html.unescape(_TEXT_ONLY.clean(_BLOCK_EDGE.sub(" <", html_fragment)))
    return " ".join(repair_mojibake(strip_controls(text)).split())


# What makes feed readers (feedparser's lookslikehtml) and the W3C validator take text for HTML:
# an end tag, or an entity or character reference; and, for readers that paste a title into
# their page, the start tag of an element that does something.
_END_TAG = re.compile(r"</\w+>")
_REFERENCE = re.compile(r"&(#?\w+)")
_START_TAG = re.compile(r"<(\w+)[\s/>]")
_ACTIVE = (
    _TAGS
    | _DROP_WITH_CONTENT
    | frozenset(
        {
            "applet",
            "audio",
            "base",
            "body",
            "button",
            "embed",
            "form",
            "frame",
            "frameset",
            "head",
            "html",
            "input",
            "link",
            "marquee",
            "math",
            "meta",
            "object",
            "select",
            "source",
            "svg",
            "video",
        }
    )
)
#: Rounds of :func:`as_text` on text escaped over and over (``&amp;amp;lt;b&gt;``).
_AS_TEXT_ROUNDS = 4


def looks_like_html(text: str) -> bool:
    """True if a feed reader could take ``text`` for HTML: it holds an end tag (``</b>``), a
    reference (``&amp;``, ``&#38;``) or an HTML element's start tag (``<img src=x>``);
    ``a < b``, ``List<T>`` and ``R&D`` are text."""
    if "<" not in text and "&" not in text:  # most titles and names: no need to look further
        return False
    if _END_TAG.search(text):
        return True
    if any(m.group(1).lower() in _ACTIVE for m in _START_TAG.finditer(text)):
        return True
    return any(
        m.group(1)[0] == "#" or m.group(1) in html.entities.name2codepoint
        for m in _REFERENCE.finditer(text)
    )


def as_text(value: str) -> str:
    """A title or a name as plain text that no feed reader mistakes for HTML.

    Titles are text (RSS Board: "titles should not contain HTML"), but readers guess: given an
    end tag or an entity they render the title as HTML, so ``<b>x</b>`` shows bold in one reader
    and tags in another. Text that looks like HTML (:func:`looks_like_html`) is therefore read
    as HTML, as jekyll-feed reads titles: markup dropped, references decoded (``AT&amp;T`` →
    ``AT&T``), again if that still looks like HTML. Other text is kept as it is. White space
    is collapsed either way.
    """
    for _ in range(_AS_TEXT_ROUNDS):
        if not looks_like_html(value):
            break
        value = plain_text(value)
    return " ".join(repair_mojibake(value).split())


def repair_mojibake(text: str) -> str:
    """Text that is UTF-8 read as Latin-1 (``cafÃ©``), read as UTF-8 (``café``); any other
    text as it is.

    This is feedparser's rule, applied to every text it reads, and the W3C validator's warning
    (BadCharacters): a text whose every character is Latin-1 and whose Latin-1 bytes are valid
    UTF-8 is mojibake. Repairing it here means every reader shows what we do.
    """
    if text.isascii():
        return text
    try:
        return strip_controls(text.encode("latin-1").decode("utf-8"))
    except UnicodeError:
        return text
