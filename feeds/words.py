"""The pages' own words in the site's language: English, Simplified and Traditional Chinese.

The pages are for the site's readers, so they speak ``[site] lang`` (:func:`words_for`); the
names of the site, its categories and tags and its posts stay as written. The templates get a
:class:`Words` and pick what they say from it, nothing is translated in code.
"""

from __future__ import annotations

from dataclasses import dataclass

from .model import ScopeKind


@dataclass(frozen=True, slots=True)
class Words:
    """Everything the index and preview pages say in one language, plain text (the templates
    escape it)."""

    #: The headings of the groups: the site, its categories, its tags, its authors, its saved
    #: searches.
    site: str
    categories: str
    tags: str
    authors: str
    saved: str
    #: What one scope of a kind is called, on its preview page.
    category: str
    tag: str
    author: str
    #: What the site's own feeds are called.
    all_posts: str
    #: A post count, for one post and for any other number (``{n}``: the number).
    one_post: str
    posts: str
    #: The sentence after the link to ``feeds.opml``.
    opml: str
    #: The filter box's label, and what it says when nothing matches.
    find: str
    no_match: str
    #: The keyword search box's label and button: a keyword feed of every post.
    search: str
    search_go: str
    #: The sort control and its two orders.
    sort: str
    by_count: str
    by_name: str
    #: Before a last-updated time.
    updated: str
    #: The heading over a preview page's entries.
    newest: str
    #: The subscribe section: its heading, the line over the feed URLs, the copy button (before
    #: and after copying), the line before the readers' links and the ``feed:`` link's text.
    subscribe: str
    paste: str
    copy: str
    copied: str
    open_in: str
    feed_app: str
    #: The preview page's link back to the index.
    all_feeds: str
    #: The preview page's link to the newest RFC 5005 archive page, under its entries.
    older: str
    #: The keyword search page: its heading with no query, what a keyword feed is called, how
    #: many of the newest matching posts it shows (``{n}``), when none match, and the heading of
    #: a query it refuses (400).
    search_page: str
    keyword: str
    newest_n: str
    no_posts: str
    bad_request: str

    def heading(self, kind: ScopeKind) -> str:
        return {
            ScopeKind.SITE: self.site,
            ScopeKind.CATEGORY: self.categories,
            ScopeKind.TAG: self.tags,
            ScopeKind.AUTHOR: self.authors,
        }[kind]

    def kind(self, kind: ScopeKind) -> str:
        return {
            ScopeKind.SITE: self.site,
            ScopeKind.CATEGORY: self.category,
            ScopeKind.TAG: self.tag,
            ScopeKind.AUTHOR: self.author,
        }[kind]

    def count(self, n: int) -> str:
        return self.one_post if n == 1 else self.posts.format(n=n)

    def newest_count(self, n: int) -> str:
        return self.newest_n.format(n=n)


ENGLISH = Words(
    site="Site",
    categories="Categories",
    tags="Tags",
    authors="Authors",
    saved="Saved searches",
    category="Category",
    tag="Tag",
    author="Author",
    all_posts="All posts",
    one_post="1 post",
    posts="{n} posts",
    opml=": every feed above as OPML, to subscribe to them all in one import.",
    find="Find a feed",
    no_match="No feed matches.",
    search="A feed of every post that mentions",
    search_go="Make the feed",
    sort="Sort by",
    by_count="most posts",
    by_name="name",
    updated="updated",
    newest="Newest posts",
    subscribe="Subscribe",
    paste="Paste one of these addresses into your feed reader:",
    copy="Copy",
    copied="Copied",
    open_in="Or open it in: ",
    feed_app="your feed app",
    all_feeds="All feeds",
    older="Older posts",
    search_page="Search",
    keyword="Keyword feed",
    newest_n="the newest {n} matching posts",
    no_posts="No post matches yet.",
    bad_request="This search cannot be made",
)
SIMPLIFIED_CHINESE = Words(
    site="本站",
    categories="分类",
    tags="标签",
    authors="作者",
    saved="关键词订阅",
    category="分类",
    tag="标签",
    author="作者",
    all_posts="全部文章",
    one_post="1 篇",
    posts="{n} 篇",
    opml="：以上所有订阅源的 OPML 列表，一次导入即可全部订阅。",
    find="查找订阅源",
    no_match="没有匹配的订阅源。",
    search="订阅提及以下关键词的全部文章",
    search_go="生成订阅源",
    sort="排序",
    by_count="文章数",
    by_name="名称",
    updated="更新于",
    newest="最新文章",
    subscribe="订阅",
    paste="将以下任一地址粘贴到阅读器中：",
    copy="复制",
    copied="已复制",
    open_in="或在以下服务中打开：",
    feed_app="阅读器应用",
    all_feeds="全部订阅源",
    older="更早的文章",
    search_page="搜索",
    keyword="关键词订阅",
    newest_n="最新 {n} 篇匹配文章",
    no_posts="暂无匹配的文章。",
    bad_request="无法进行此搜索",
)
TRADITIONAL_CHINESE = Words(
    site="本站",
    categories="分類",
    tags="標籤",
    authors="作者",
    saved="關鍵詞訂閱",
    category="分類",
    tag="標籤",
    author="作者",
    all_posts="全部文章",
    one_post="1 篇",
    posts="{n} 篇",
    opml="：以上所有訂閱源的 OPML 清單，一次匯入即可全部訂閱。",
    find="查找訂閱源",
    no_match="沒有符合的訂閱源。",
    search="訂閱提及以下關鍵詞的全部文章",
    search_go="產生訂閱源",
    sort="排序",
    by_count="文章數",
    by_name="名稱",
    updated="更新於",
    newest="最新文章",
    subscribe="訂閱",
    paste="將以下任一網址貼到閱讀器中：",
    copy="複製",
    copied="已複製",
    open_in="或在以下服務中開啟：",
    feed_app="閱讀器應用",
    all_feeds="全部訂閱源",
    older="更早的文章",
    search_page="搜尋",
    keyword="關鍵詞訂閱",
    newest_n="最新 {n} 篇符合的文章",
    no_posts="暫無符合的文章。",
    bad_request="無法進行此搜尋",
)

#: Regions whose Chinese is written in Traditional characters when the tag names no script.
_TRADITIONAL_REGIONS = frozenset({"tw", "hk", "mo"})


def words_for(lang: str) -> Words:
    """The pages' words for a BCP 47 tag (``[site] lang``), case and ``_`` forgiven.

    Chinese is Traditional for the ``Hant`` script or, with no script, Taiwan, Hong Kong and
    Macau; Simplified otherwise (``zh``, ``zh-CN``, ``zh-Hans``, ``zh-SG``). Any other language
    gets English, which is what the page said before it spoke others.
    """
    subtags = lang.lower().replace("_", "-").split("-")
    if subtags[0] != "zh":
        return ENGLISH
    scripts = [tag for tag in subtags[1:] if tag in ("hans", "hant")]
    if scripts:
        return TRADITIONAL_CHINESE if scripts[0] == "hant" else SIMPLIFIED_CHINESE
    return TRADITIONAL_CHINESE if _TRADITIONAL_REGIONS & set(subtags[1:]) else SIMPLIFIED_CHINESE
