"""feeds.summaries' shortcuts against the long way round, on any text hypothesis finds."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from feeds.content import render, strip_controls
from feeds.summaries import excerpt_summary, summary
from tests.test_content import ANY_CHAR, MARKUP, PAGE

# What the HTML parser might reorder, drop, or read across a cut: tables (foster parenting),
# unclosed comments, raw text and foreign content, misnested formatting, references.
TRICKY = st.sampled_from(
    [
        "<table>",
        "<TABLE><tr>",
        "<td>",
        "</table>",
        "<caption>",
        "<!--",
        "-->",
        "<textarea>",
        "<title>",
        "<plaintext>",
        "<xmp>",
        "<svg><![CDATA[",
        "]]>",
        "<math>",
        "<select><option>",
        "<template>",
        "<b>",
        "</b>",
        "<a href=x>",
        "</a>",
        "<p>",
        "</p>",
        "</P>",
        "</div>",
        "</li>",
        "<li>",
        "&#1;",
        "&#x80;",
        "&#129;",
        "&not",
        "&amp;",
        "é",
        "Ã©",
        "中",
        "\n\n",
        "> ",
        "- ",
        "    ",
        "```\n",
    ]
)
#: Tables alone, where text moves (foster parenting): what the shortcut must stay out of.
TABLES = st.lists(
    st.sampled_from(
        ["<table>", "<tr>", "<td>", "</td>", "</table>", "</p>", "</li>", "ab", "中文字"]
    ),
    max_size=24,
)
WORDS = st.text(st.sampled_from("ab 中é\u0301"), min_size=1, max_size=40)
PIECES = st.lists(
    st.one_of(TRICKY, TRICKY, WORDS, WORDS, MARKUP, st.text(ANY_CHAR, max_size=10)), max_size=24
)


@settings(max_examples=500, deadline=None)
@given(st.one_of(PIECES, TABLES), st.booleans(), st.sampled_from([0, 1, 5, 20]))
def test_an_excerpts_summary_read_from_its_start_is_the_whole_ones(
    parts: list[str], markdown: bool, length: int
) -> None:
    excerpt = "".join(parts)
    whole = summary(render(excerpt, markdown=markdown, page_url=PAGE), length)
    assert excerpt_summary(excerpt, length, markdown=markdown, page_url=PAGE) == whole
    clean = strip_controls(excerpt)
    whole = summary(render(clean, markdown=markdown, page_url=PAGE), length)
    assert (
        excerpt_summary(clean, length, markdown=markdown, page_url=PAGE, controls_free=True)
        == whole
    )


def test_text_a_table_moves_ahead_is_read_whole() -> None:
    # Text inside a table but outside its cells is put before the table: the head's text
    # ("xxxxx aaa...") is then no prefix of the whole's ("xxxxx yyyyy aaa...").
    excerpt = "<table><tr><td>" + "a" * 50 + "</td></tr>xxxxx</p>yyyyy</table>"
    whole = summary(render(excerpt, markdown=False, page_url=PAGE), 20)
    assert whole.startswith("xxxxx yyyyy a")
    assert excerpt_summary(excerpt, 20, markdown=False, page_url=PAGE) == whole
