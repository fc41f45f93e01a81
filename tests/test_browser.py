"""The pages in a real browser: headless Chromium against the real service on a free port.

The index, a preview page and the keyword search page must load with no console error and ask
for nothing but their own URL and the posts' lead images, the filter box must narrow the list as
one types (Chinese included), the sort must reorder
it, the copy buttons must show, and the autodiscovery links must be in the DOM the browser built.
Each page is photographed at desktop and phone width into ``$FEEDS_SCREENSHOTS`` (default
``tests/.screenshots/``, git-ignored): look at them after a change to the templates. A second
server adds what the first leaves out, and its pages are photographed too: an author's page,
a preview page linking its older posts (archives on), the index listing saved searches.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

from feeds import search
from feeds.jekyll import permalink

from . import browser
from .conftest import FINEWS
from .server_fixture import Server, free_port, site_config

# Read at import: the clean_env fixture removes FEEDS_* variables before each test.
SCREENSHOTS = Path(os.environ.get("FEEDS_SCREENSHOTS") or Path(__file__).parent / ".screenshots")
SITE_URL = "https://finews.withounder.com"
SIZES = {
    "desktop": {"width": 1280, "height": 900},
    "phone": {"width": 390, "height": 844, "mobile": True},
}

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(bool(browser.missing()), reason=browser.missing() or "-"),
]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The real site plus two posts in a category and tag whose names sort first but whose
    counts do not (and 安 sorts before 东 in pinyin, after it in code points)."""
    base = tmp_path_factory.mktemp("browser-server")
    site = base / "site"
    shutil.copytree(FINEWS, site)
    for day in (1, 2):
        (site / f"_posts/2022-06-0{day}-a{day}.md").write_text(
            f"---\ntitle: 第{day}篇\ncategories: aardvark\ntags: 安全\n---\n正文\n",
            encoding="utf-8",
        )
    port = free_port()
    srv = Server(site_config(base, site, port), port, base / "server.log", base)
    try:
        srv.wait_ready()
        yield srv
    finally:
        srv.stop()


#: The author of the posts the fuller site adds, and the searches it saves (canonical).
AUTHOR = "李明"
SAVED = ("汽车 -涨停", "新闻")


@pytest.fixture(scope="module")
def fuller(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The real site with what the first server leaves out: posts that name an author, RFC
    5005 archives (pages of 20 posts, so emnews's 152 do not fit its feed) and saved
    searches."""
    base = tmp_path_factory.mktemp("browser-fuller")
    site = base / "site"
    shutil.copytree(FINEWS, site)
    for day in (1, 2, 3):
        (site / f"_posts/2022-06-0{day}-by{day}.md").write_text(
            f"---\ntitle: {AUTHOR}的第{day}篇评论\nauthor: {AUTHOR}\ncategories: emnews\n---\n"
            f"汽车市场第{day}周的观察。\n",
            encoding="utf-8",
        )
    saved = ", ".join(f'"{q}"' for q in SAVED)
    extra = f"[feeds]\narchives = true\narchive_size = 20\n[search]\nsaved = [{saved}]\n"
    port = free_port()
    srv = Server(site_config(base, site, port, extra), port, base / "server.log", base)
    try:
        srv.wait_ready()
        yield srv
    finally:
        srv.stop()


@pytest.fixture(scope="module")
def chromium(
    tmp_path_factory: pytest.TempPathFactory, server: Server, fuller: Server
) -> Iterator[browser.Chromium]:
    """Started after the servers it browses, so stopped before them: a connection Chromium
    opens ahead of need holds a sync worker, which then would not stop."""
    base = tmp_path_factory.mktemp("chromium")
    running = browser.Chromium(base / "profile", base / "chromium.log")
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture
def tab(chromium: browser.Chromium) -> Iterator[browser.Tab]:
    opened = chromium.tab()
    try:
        yield opened
    finally:
        opened.close()


def url(server: Server, path: str) -> str:
    return f"http://127.0.0.1:{server.port}{path}"


def page_errors(tab: browser.Tab) -> list[str]:
    """The console's errors, but a lead image that failed to load: the images are on the news
    sites' hosts, which the test machine may not reach; a page's own error is still one."""
    images = tab.evaluate("[...document.images].map(i => i.src)")
    return [
        e
        for e in tab.console_errors()
        if not (e.startswith("Failed to load resource:") and e.endswith(tuple(images)))
    ]


#: Posts about cars with the word in their title, in Traditional Chinese: the filter and the
#: conversion ride along in the feeds' addresses.
SEARCH = "/search/?q=" + quote("汽车") + "&filter_title=" + quote("汽车") + "&opencc=s2t"
PAGES = {"index": "/", "preview": "/category/emnews/", "search": SEARCH}


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("page", PAGES)
def test_a_page_loads_clean_and_is_photographed(
    server: Server, tab: browser.Tab, page: str, size: str
) -> None:
    images = photograph(tab, url(server, PAGES[page]), page, size)
    assert (page != "index") == bool(images)
    if page != "index":
        assert tab.evaluate("document.querySelectorAll('ol.posts li').length") > 0


def photograph(tab: browser.Tab, address: str, page: str, size: str, at: str = "") -> list[str]:
    """Open ``address`` at ``size``, check what every page must be, and photograph it as
    ``<page>-<size>.png`` (scrolled to the element ``at`` selects, if given); the lead images
    it shows."""
    tab.open(address, **SIZES[size])  # type: ignore[arg-type]
    assert page_errors(tab) == []
    images: list[str] = tab.evaluate("[...document.images].map(i => i.src)")
    assert all(i.startswith("https://") for i in images)
    requests = tab.requests()
    assert requests[0] == address and set(requests[1:]) <= set(images), (
        "the page asks for nothing but its lead images: no font, script or tracker"
    )
    assert tab.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), (
        "no sideways scrolling"
    )
    assert tab.evaluate("[...document.querySelectorAll('button[data-copy]')].every(b => !b.hidden)")
    if at:
        tab.evaluate(
            f"document.querySelector({json.dumps(at)}).scrollIntoView({{block: 'center', behavior: 'instant'}})"
        )
    tab.screenshot(SCREENSHOTS / f"{page}-{size}.png")
    return images


FULLER = {
    "author": "/author/" + quote(permalink.scope_slug(AUTHOR)) + "/",
    "preview-archived": "/category/emnews/",
    "index-saved": "/",
}


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("page", FULLER)
def test_the_pages_of_authors_archives_and_saved_searches_are_photographed(
    fuller: Server, tab: browser.Tab, page: str, size: str
) -> None:
    older_link = 'main a[href*="/archive/"]'
    photograph(tab, url(fuller, FULLER[page]), page, size, older_link if "archived" in page else "")
    titles = "[...document.querySelectorAll('ol.posts li a')].map(a => a.textContent)"
    older = "[...document.querySelectorAll('main p a')].filter(a => a.textContent === '更早的文章')"
    saved = "[...document.querySelectorAll('#search li a')].map(a => [a.textContent, a.href])"
    if page == "author":
        assert tab.evaluate("document.querySelector('h1').textContent") == AUTHOR
        assert sorted(t for t in tab.evaluate(titles) if AUTHOR in t) == [
            f"{AUTHOR}的第{day}篇评论" for day in (1, 2, 3)
        ]
    elif page == "preview-archived":
        assert tab.evaluate(f"{older}.map(a => a.href)") == [
            f"{SITE_URL}/category/emnews/archive/6.atom"  # its newest of six
        ]
    else:
        assert tab.evaluate(saved) == [
            [q, url(fuller, "/search/" + quote(search.parse(q).canonical) + "/")] for q in SAVED
        ]


@pytest.mark.parametrize(
    ("page", "feed"), [("/", "feed"), ("/category/emnews/", "category/emnews")]
)
def test_autodiscovery_links_are_in_the_dom(
    server: Server, tab: browser.Tab, page: str, feed: str
) -> None:
    tab.open(url(server, page))
    assert links(tab) == [
        ["application/atom+xml", f"{SITE_URL}/{feed}.atom"],
        ["application/rss+xml", f"{SITE_URL}/{feed}.rss"],
        ["application/feed+json", f"{SITE_URL}/{feed}.json"],
    ]


def links(tab: browser.Tab) -> list[list[str]]:
    return tab.evaluate(  # type: ignore[no-any-return]
        "[...document.querySelectorAll('link[rel=alternate]')].map(l => [l.type, l.href])"
    )


def test_the_search_box_leads_to_a_page_of_results_and_feeds(
    server: Server, tab: browser.Tab
) -> None:
    """Typing a query into the index's box and sending it opens the search page, which lists
    the matching posts and names each format's feed of the query for autodiscovery."""
    tab.open(url(server, "/"))
    tab.evaluate("document.getElementById('keywords').focus()")
    tab.type("新闻 -滚动")
    tab.events.clear()
    tab.evaluate("document.querySelector('form.search').requestSubmit()")
    tab.wait_for("Page.loadEventFired")
    query = quote("新闻 -滚动", safe="")
    assert tab.evaluate("location.href") == url(server, "/search/?q=" + query.replace("%20", "+"))
    assert tab.evaluate("document.querySelectorAll('ol.posts li').length") > 0
    assert tab.evaluate("document.getElementById('keywords').value") == "新闻 -滚动"
    assert links(tab) == [
        ["application/atom+xml", f"{SITE_URL}/search.atom?q={query}"],
        ["application/rss+xml", f"{SITE_URL}/search.rss?q={query}"],
        ["application/feed+json", f"{SITE_URL}/search.json?q={query}"],
    ]
    assert page_errors(tab) == []


def test_a_hostile_query_shows_as_text_in_the_browser(server: Server, tab: browser.Tab) -> None:
    hostile = '<img src=x onerror="console.error(1)"><script>console.error(2)</script>'
    tab.open(url(server, "/search/?q=" + quote(hostile, safe="")))
    assert (
        tab.evaluate("document.querySelector('h1').textContent") == search.parse(hostile).canonical
    )
    assert tab.evaluate("document.querySelectorAll('img, main script, header script').length") == 0
    assert page_errors(tab) == []


VISIBLE = "[...document.querySelectorAll('.scopes li:not([hidden])')].map(li => li.firstElementChild.textContent)"


def test_the_filter_box_narrows_the_list_as_one_types(server: Server, tab: browser.Tab) -> None:
    tab.open(url(server, "/"))
    everything = tab.evaluate(VISIBLE)
    assert len(everything) == 8 and tab.evaluate("!document.getElementById('find').hidden")
    tab.evaluate("document.getElementById('q').focus()")
    seen = []
    for char in "news":
        tab.type(char)
        seen.append(tab.evaluate(VISIBLE))
    assert seen[-1] == ["emnews", "sitenews"] and all(
        set(a) >= set(b) for a, b in itertools.pairwise(seen)
    )
    assert tab.evaluate("document.getElementById('tag').hidden"), "a group with no match hides"
    tab.evaluate("document.getElementById('q').value = ''")
    tab.type("新闻")
    assert sorted(tab.evaluate(VISIBLE)) == ["东财滚动新闻", "右江日报新闻"]
    tab.type("zz")
    assert tab.evaluate(VISIBLE) == [] and tab.evaluate("!document.getElementById('none').hidden")
    assert page_errors(tab) == []


def order(tab: browser.Tab, how: str) -> None:
    tab.evaluate(
        f"(o => {{ o.value = '{how}'; o.dispatchEvent(new Event('change')); }})(document.getElementById('order'))"
    )


def test_the_sort_order_switches_between_count_and_name(server: Server, tab: browser.Tab) -> None:
    tab.open(url(server, "/"))
    categories = "[...document.querySelectorAll('#category li a')].map(a => a.textContent)"
    tags = "[...document.querySelectorAll('#tag li a')].map(a => a.textContent)"
    assert tab.evaluate(categories) == [
        "emnews",
        "aardvark",
        "sitenews",
        "youjiangribao",
    ]  # 149, 2, 1, 1 posts
    assert tab.evaluate(tags) == ["东财滚动新闻", "安全", "右江日报新闻", "站长消息"]
    order(tab, "name")
    assert tab.evaluate(categories) == ["aardvark", "emnews", "sitenews", "youjiangribao"]
    assert tab.evaluate(tags) == [
        "安全",
        "东财滚动新闻",
        "右江日报新闻",
        "站长消息",
    ]  # pinyin: an, dong, you, zhan
    order(tab, "count")
    assert tab.evaluate(tags) == ["东财滚动新闻", "安全", "右江日报新闻", "站长消息"]
    assert page_errors(tab) == []


def test_a_copy_button_copies_without_an_error(server: Server, tab: browser.Tab) -> None:
    tab.open(url(server, "/tag/" + quote("东财滚动新闻") + "/"))
    tab.evaluate("document.querySelector('button[data-copy]').click()")
    tab.evaluate("new Promise(r => setTimeout(r, 100))")
    assert tab.evaluate("document.querySelector('button[data-copy]').textContent") == "已复制"
    assert page_errors(tab) == []
