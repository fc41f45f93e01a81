"""A generated Jekyll site shaped like finews.withounder.com, for tests and benchmarks.

    python -m tests.corpusgen OUT --posts N [--categories C] [--seed S]
                              [--images F] [--future F] [--unpublished F] [--blank-lines F]
                              [--authors F]

Writes ``OUT/_posts/YYYY-MM-DD-<id>.md``, ``OUT/_config.yml`` and ``OUT/categories.txt`` (every
category as ``slug<TAB>name``, the most frequent first, for configs that must list them). The
real site's sample (tests/fixtures/finews) holds two categories; its archive holds about 2,000
and tens of thousands of posts, which is what the benchmarks and the big tests need and what no
fixture can hold. Each post is written as the site's scrapers write it:

* front matter ``layout: post``, a double-quoted Chinese ``title``, a ``date`` with ``+0800``
  (5% naive, in the site's zone), ``categories:`` one pinyin slug and ``tags:`` the source's
  name plus 新闻, both plain strings; 10% carry two to four topic tags more (as a space-separated
  string or a YAML list);
* category sizes follow Zipf's law over C sources; about 3% of slugs are capitalised, 2% carry
  ``(xianggang)``, 2% start with digits and 1% hold a space (Jekyll reads two categories);
* a body of ``<p>`` paragraphs, 500 to 6,000 characters, then the source line, the original
  article's autolink and the return links in one of the scrapers' link styles; 8% start with a
  ``> `` digest, a few carry ``&amp;`` or a bare ``<``;
* dates uniform from 2021-12-01 to 2026-11-30.

Variants, each a fraction of the posts (default in brackets): ``--images`` [0] a ``<center>``
image from the news site's CDN; ``--future`` [0.01] dated in 2100, so it stays in the future
while this code lives; ``--unpublished`` [0.01] ``published: false``; ``--blank-lines`` [0.01]
a blank line before the opening ``---`` (Jekyll misses such front matter; feeds reads it and
warns); ``--authors`` [0] an ``author:`` (one in ten of them ``authors:``, two names) from a
pool of 200 reporters' Chinese names, drawn apart from the rest so the other options give the
same bytes with or without it.

Deterministic: post ``i`` depends only on the seed, ``i``, the category count and the variant
fractions, so the first 1,000 posts of a 10,000-post site are the 1,000 posts of a 1,000-post
site with the same options.
"""

from __future__ import annotations

import argparse
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from itertools import accumulate
from pathlib import Path

# Places (Chinese, pinyin) that name the sources: 右江 + 日报 = 右江日报, youjiangribao.
PLACES = (
    ("右江", "youjiang"),
    ("南宁", "nanning"),
    ("桂林", "guilin"),
    ("柳州", "liuzhou"),
    ("梧州", "wuzhou"),
    ("北海", "beihai"),
    ("钦州", "qinzhou"),
    ("玉林", "yulin"),
    ("百色", "baise"),
    ("贺州", "hezhou"),
    ("河池", "hechi"),
    ("来宾", "laibin"),
    ("崇左", "chongzuo"),
    ("深圳", "shenzhen"),
    ("广州", "guangzhou"),
    ("佛山", "foshan"),
    ("东莞", "dongguan"),
    ("珠海", "zhuhai"),
    ("汕头", "shantou"),
    ("湛江", "zhanjiang"),
    ("长沙", "changsha"),
    ("岳阳", "yueyang"),
    ("常德", "changde"),
    ("武汉", "wuhan"),
    ("宜昌", "yichang"),
    ("襄阳", "xiangyang"),
    ("成都", "chengdu"),
    ("绵阳", "mianyang"),
    ("重庆", "chongqing"),
    ("昆明", "kunming"),
    ("大理", "dali"),
    ("贵阳", "guiyang"),
    ("遵义", "zunyi"),
    ("福州", "fuzhou"),
    ("厦门", "xiamen"),
    ("泉州", "quanzhou"),
    ("杭州", "hangzhou"),
    ("宁波", "ningbo"),
    ("温州", "wenzhou"),
    ("金华", "jinhua"),
    ("台州", "taizhou"),
    ("南京", "nanjing"),
    ("苏州", "suzhou"),
    ("无锡", "wuxi"),
    ("扬州", "yangzhou"),
    ("合肥", "hefei"),
    ("芜湖", "wuhu"),
    ("济南", "jinan"),
    ("青岛", "qingdao"),
    ("烟台", "yantai"),
    ("潍坊", "weifang"),
    ("郑州", "zhengzhou"),
    ("洛阳", "luoyang"),
    ("太原", "taiyuan"),
    ("大同", "datong"),
    ("石家庄", "shijiazhuang"),
    ("保定", "baoding"),
    ("沈阳", "shenyang"),
    ("大连", "dalian"),
    ("长春", "changchun"),
    ("吉林", "jilin"),
    ("哈尔滨", "haerbin"),
    ("西安", "xian"),
    ("宝鸡", "baoji"),
    ("兰州", "lanzhou"),
    ("西宁", "xining"),
    ("银川", "yinchuan"),
    ("乌鲁木齐", "wulumuqi"),
    ("拉萨", "lasa"),
    ("海口", "haikou"),
    ("三亚", "sanya"),
    ("南昌", "nanchang"),
    ("赣州", "ganzhou"),
    ("九江", "jiujiang"),
    ("天津", "tianjin"),
    ("上海", "shanghai"),
)
# Provinces put in front of a place once the plain names run out: 广西右江日报.
PROVINCES = (
    ("广西", "guangxi"),
    ("广东", "guangdong"),
    ("湖南", "hunan"),
    ("湖北", "hubei"),
    ("四川", "sichuan"),
    ("云南", "yunnan"),
    ("贵州", "guizhou"),
    ("福建", "fujian"),
    ("浙江", "zhejiang"),
    ("江苏", "jiangsu"),
    ("安徽", "anhui"),
    ("山东", "shandong"),
    ("河南", "henan"),
    ("山西", "shanxi"),
    ("河北", "hebei"),
    ("辽宁", "liaoning"),
    ("陕西", "shaanxi"),
    ("甘肃", "gansu"),
    ("江西", "jiangxi"),
    ("海南", "hainan"),
)
OUTLETS = (
    ("日报", "ribao"),
    ("晚报", "wanbao"),
    ("都市报", "dushibao"),
    ("商报", "shangbao"),
    ("新闻网", "xinwenwang"),
    ("时报", "shibao"),
    ("早报", "zaobao"),
    ("电视台", "dianshitai"),
    ("财经", "caijing"),
    ("证券", "zhengquan"),
    ("经济报道", "jingjibaodao"),
)
TOPICS = (
    "乡村振兴",
    "宏观经济",
    "科技",
    "教育",
    "医疗",
    "民生",
    "文化",
    "旅游",
    "农业",
    "交通",
    "环境保护",
    "体育",
    "金融",
    "房地产",
    "就业",
    "招商引资",
    "基础设施",
    "数字经济",
    "新能源",
    "社会治理",
    "法治",
    "人才",
    "养老",
    "食品安全",
    "消费",
    "外贸",
    "制造业",
    "物流",
    "电商",
    "生态",
    "水利",
    "气象",
    "安全生产",
    "城市更新",
    "公共服务",
    "A股",
    "港股",
    "债券",
    "期货",
)
# Words the sentences are made of; news Chinese is mostly two-character words.
WORDS = (
    "推进",
    "发展",
    "建设",
    "项目",
    "经济",
    "企业",
    "市场",
    "政策",
    "协作",
    "产业",
    "全面",
    "加快",
    "重点",
    "工作",
    "服务",
    "提升",
    "支持",
    "实施",
    "持续",
    "深化",
    "改革",
    "创新",
    "资金",
    "合作",
    "投资",
    "增长",
    "同比",
    "环比",
    "数据",
    "显示",
    "今年",
    "以来",
    "目前",
    "我市",
    "全区",
    "全省",
    "有关",
    "部门",
    "表示",
    "记者",
    "了解",
    "农村",
    "劳动力",
    "就业",
    "电商",
    "平台",
    "机制",
    "完善",
    "结对",
    "帮扶",
    "基础",
    "设施",
    "乡村",
    "振兴",
    "人才",
    "交流",
    "医疗",
    "教育",
    "科技",
    "质量",
    "高效",
    "稳定",
    "安全",
    "绿色",
    "转型",
    "升级",
    "消费",
    "需求",
    "供给",
    "价格",
    "指数",
    "上涨",
    "下跌",
    "收盘",
    "公司",
    "公告",
    "股份",
    "营收",
    "净利润",
    "亿元",
    "万元",
    "规模",
    "区域",
    "协同",
    "开放",
    "试验区",
    "粤港澳",
    "大湾区",
    "机遇",
    "成果",
    "巩固",
    "拓展",
    "生产",
    "运行",
    "总体",
    "平稳",
    "明显",
    "进一步",
    "积极",
    "推动",
    "落实",
)
QUOTED = ("十四五", "放管服", "一带一路", "专精特新", "双碳", "圳品", "万企兴万村", "菜篮子")
UNITS = ("亿元", "万人", "%", "个", "项")
CLAUSE_END = "，，，，、；：。"
# Hosts of the original articles, as the real autolinks vary them.
HOSTS = ("finance", "stock", "hk", "futures", "forex", "mss")
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚"
#: The reporters ``--authors`` names, a fixed pool: an author feed holds many posts.
REPORTERS = tuple(f"{s}{g}" for s in SURNAMES for g in GIVEN[:10])

START = datetime(2021, 12, 1)
SPAN = int((datetime(2026, 11, 30, 23, 59, 59) - START).total_seconds())
FUTURE = datetime(2100, 1, 1)
# Well under the 17,556 names PLACES, PROVINCES and OUTLETS make, so drawing stays quick.
MAX_CATEGORIES = 10_000

CONFIG = """\
title: 金融消息
url: https://finews.withounder.com
baseurl: ""
timezone: Asia/Shanghai
lang: zh-CN
author: ZNing
plugins:
  - jekyll-feed
exclude: [categories.txt]
"""


@dataclass(frozen=True)
class Shape:
    """How many posts of each variant a site gets, as fractions of its posts."""

    images: float = 0.0
    future: float = 0.01
    unpublished: float = 0.01
    blank_lines: float = 0.01
    authors: float = 0.0


@dataclass
class Site:
    """What was written, so a test can say what a reader must find."""

    root: Path
    categories: list[tuple[str, str]]
    #: File names (in ``_posts``) of the posts of each variant.
    future: list[str] = field(default_factory=list)
    unpublished: list[str] = field(default_factory=list)
    blank_lines: list[str] = field(default_factory=list)
    images: list[str] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)
    posts: int = 0


def sources(count: int, seed: str) -> list[tuple[str, str]]:
    """``count`` distinct (slug, Chinese name) news sources, most frequent first."""
    if count > MAX_CATEGORIES:
        raise ValueError(f"at most {MAX_CATEGORIES} categories, not {count}")
    rng = random.Random(f"{seed}/sources")
    out: list[tuple[str, str]] = []
    slugs: set[str] = set()
    names: set[str] = set()
    while len(out) < count:
        place, pinyin = rng.choice(PLACES)
        outlet, outlet_pinyin = rng.choice(OUTLETS)
        if len(out) >= len(PLACES) * len(OUTLETS) // 2:
            province, province_pinyin = rng.choice(PROVINCES)
            place, pinyin = province + place, province_pinyin + pinyin
        name, slug = place + outlet, pinyin + outlet_pinyin
        roll = rng.random()
        if roll < 0.03:
            slug = slug.capitalize()
        elif roll < 0.05:
            name, slug = name + "（香港）", slug + "(xianggang)"
        elif roll < 0.07:
            slug = f"{rng.randint(2, 99)}{slug}"
        elif roll < 0.08:
            slug = f"{slug} {pinyin}APP"
        if slug.lower() in slugs or name in names:
            continue
        slugs.add(slug.lower())
        names.add(name)
        out.append((slug, name))
    return out


def sentence(rng: random.Random, length: int) -> str:
    """About ``length`` characters of news Chinese ending in 。, with full-width punctuation."""
    parts: list[str] = []
    size = clause = 0
    pause = rng.randint(8, 24)
    for word in rng.choices(WORDS, k=length):  # words are two characters or more: enough
        if size >= length - 1:
            break
        roll = rng.random()
        if roll < 0.04:
            word = f"“{rng.choice(QUOTED)}”"
        elif roll < 0.08:
            word = f"{rng.randint(2, 980)}{rng.choice(UNITS)}"
        parts.append(word)
        size += len(word)
        clause += len(word)
        if clause > pause:
            parts.append(rng.choice(CLAUSE_END))
            size += 1
            clause, pause = 0, rng.randint(8, 24)
    return "".join(parts).rstrip(CLAUSE_END) + "。"


def body(rng: random.Random, chars: int) -> str:
    """``<p>`` paragraphs of about ``chars`` characters; a few carry an entity or a bare ``<``."""
    paragraphs: list[str] = []
    left = chars
    while left > 0:
        size = min(left, rng.randint(80, 400))
        text = sentence(rng, size)
        roll = rng.random()
        if roll < 0.03:
            text = text.replace("，", "，研发&amp;生产", 1)
        elif roll < 0.04:
            text = text.replace("，", "，精度满足<1%，", 1)
        paragraphs.append(f"<p>{text}</p>")
        left -= size
    return "\n".join(paragraphs)


def trailer(rng: random.Random, post_id: str, slug: str, name: str) -> str:
    """The original article's autolink and the return links, in one of the scrapers' styles."""
    style = rng.random()
    if style < 0.5:
        link = f"http://finews.zning.xyz/html_News/NewsShare.html?infoCode=NW{post_id}"
        back = f"[返回{name}新闻](//finews.withounder.com/category/{slug}.html)"
        return f"<{link}>\n\n{back}｜[返回首页](//finews.withounder.com/)"
    link = f"http://{rng.choice(HOSTS)}.eastmoney.com/news/{rng.randint(1100, 1400)},{post_id}.html"
    if style < 0.7:
        return f"<{link}>\n\n[返回{name}新闻](//finews.withounder.com/{slug}/)\n[返回首页](//finews.withounder.com/)"
    if style < 0.8:
        return f"<{link}>\n\n[返回{name}新闻](./{slug}/)\n[返回首页](./)"
    if style < 0.9:
        return f"<{link}>\n\n[返回{name}新闻](../{slug}/)\n[返回首页](../)"
    return (
        f"<{link}>\n\n[返回{name}新闻](//finews.zning.me/{slug}/)｜[返回首页](//finews.zning.me/)"
    )


def image(rng: random.Random) -> str:
    """An image as the news site's article HTML carries one."""
    key = "".join(rng.choice("0123456789ABCDEF") for _ in range(32))
    return (
        f'<center><img src="https://np-newspic.dfcfw.com/download/D{key}_w640h400.jpg" '
        f'style="max-width:100%" alt=""></center>'
    )


def post(
    i: int, seed: str, cum_weights: list[float], cats: list[tuple[str, str]], shape: Shape
) -> tuple[str, str, set[str]]:
    """Post ``i``: its file name, its text and the variants it is (``future``, ``images``...)."""
    rng = random.Random(f"{seed}/post/{i}")
    slug, name = rng.choices(cats, cum_weights=cum_weights)[0]
    variants = {
        v
        for v in ("future", "unpublished", "blank_lines", "images")
        if rng.random() < getattr(shape, v)
    }
    when = START + timedelta(seconds=rng.randrange(SPAN))
    if "future" in variants:
        when = FUTURE + timedelta(seconds=rng.randrange(SPAN // 5))
    post_id = f"{when:%Y%m%d}{2200000000 + i:010d}"
    title = sentence(rng, rng.randint(8, 26)).rstrip("。")
    date = f"{when:%Y-%m-%d %H:%M:%S}" + ("" if rng.random() < 0.05 else " +0800")
    tags: str = f"{name}新闻"
    if rng.random() < 0.10:
        extra = rng.sample(TOPICS, rng.randint(2, 4))
        tags = (
            " ".join([tags, *extra])
            if rng.random() < 0.5
            else "[" + ", ".join([tags, *extra]) + "]"
        )
    lines = [
        "---",
        "layout: post",
        f'title: "{title}"',
        f"date: {date}",
        f"categories: {slug}",
        f"tags: {tags}",
    ]
    if "unpublished" in variants:
        lines.append("published: false")
    byline = random.Random(f"{seed}/author/{i}")  # its own draws: other variants keep their bytes
    if shape.authors and byline.random() < shape.authors:
        variants.add("authors")
        names = byline.sample(REPORTERS, 2 if byline.random() < 0.1 else 1)
        lines.append(f"authors: [{', '.join(names)}]" if len(names) > 1 else f"author: {names[0]}")
    text = body(rng, rng.randint(500, 6000))
    if "images" in variants:
        text = image(rng) + "\n" + text
    if rng.random() < 0.08:
        text = f"> {sentence(rng, rng.randint(30, 120))}\n\n{text}"
    head = "\n" if "blank_lines" in variants else ""
    ending = "\n" if rng.random() < 0.1 else ""  # most of the real files end without one
    document = (
        f"{head}"
        + "\n".join(lines)
        + f'\n---\n{text}\n<p class="em_media">（文章来源：{name}）</p>\n\n'
        + trailer(rng, post_id, slug, name)
        + ending
    )
    return f"{when:%Y-%m-%d}-{post_id}.md", document, variants


def generate(
    root: Path, posts: int, *, categories: int = 2000, seed: str = "1", shape: Shape = Shape()
) -> Site:
    """Write a site of ``posts`` posts over ``categories`` sources under ``root``."""
    cats = sources(categories, seed)
    cum_weights = list(accumulate(1.0 / rank for rank in range(1, len(cats) + 1)))
    folder = root / "_posts"
    folder.mkdir(parents=True, exist_ok=True)
    (root / "_config.yml").write_text(CONFIG, encoding="utf-8")
    (root / "categories.txt").write_text("".join(f"{s}\t{n}\n" for s, n in cats), encoding="utf-8")
    site = Site(root, cats, posts=posts)
    for i in range(posts):
        name, text, variants = post(i, seed, cum_weights, cats, shape)
        (folder / name).write_text(text, encoding="utf-8")
        for variant in variants:
            getattr(site, variant).append(name)
    return site


def main(argv: list[str] | None = None) -> None:
    """The command line of the module docstring."""
    ap = argparse.ArgumentParser(
        prog="python -m tests.corpusgen",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ap.add_argument("out", type=Path)
    ap.add_argument("--posts", type=int, required=True)
    ap.add_argument("--categories", type=int, default=2000)
    ap.add_argument("--seed", default="1")
    defaults = Shape()
    for variant in ("images", "future", "unpublished", "blank_lines", "authors"):
        ap.add_argument(
            "--" + variant.replace("_", "-"),
            type=float,
            default=getattr(defaults, variant),
            metavar="F",
            help=f"fraction of posts (default {getattr(defaults, variant)})",
        )
    args = ap.parse_args(argv)
    shape = Shape(
        images=args.images,
        future=args.future,
        unpublished=args.unpublished,
        blank_lines=args.blank_lines,
        authors=args.authors,
    )
    generate(args.out, args.posts, categories=args.categories, seed=args.seed, shape=shape)


if __name__ == "__main__":
    main()
