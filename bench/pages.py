"""Generated HTML captures that look like real outlet pages.

Each page is a portal template (navigation, headline, 来源/date line, share widget, related
list, footer) around a body written from sentence patterns of policy reporting with their slots
filled at random: regions, ministries, officials, fields, facilities, figures and deadlines.
Pages come in events: a press conference of one day, one ministry and one speaker is written up
by two to four outlets in different words. Commitments recur across events of a region and
field, some with a changed figure or deadline. Every third capture re-captures an earlier page
with new boilerplate (a planted copy).
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import pickle
import random
from concurrent.futures import ProcessPoolExecutor
from functools import cache
from pathlib import Path

from monitor.sources import RawCapture

ROOT = Path(__file__).resolve().parent.parent
_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>{title}_{outlet}</title>
<meta property="og:url" content="https://{host}/{y}-{m:02d}/{d:02d}/content_{n}.htm"></head>
<body><div class="nav"><a href="/">首页</a> <a href="/tech">科技</a> <a href="/eco">经济</a>
<a href="/pol">时政</a></div><div class="main"><h1>{title}</h1>
<div class="info">来源：{outlet} {y}-{m:02d}-{d:02d} 10:{mi:02d} 责编：{editor}</div>
<div class="article-content" id="article">{body}</div>
<div class="share">分享到：微信 微博</div></div>
<div class="related"><h3>相关阅读</h3><ul>{teasers}</ul></div>
<div class="footer">版权所有 {outlet} Copyright {y}</div></body></html>"""


def _split(words: str) -> tuple[str, ...]:
    return tuple(words.split())


_OUTLETS = (
    ("光明网", "tech.gmw.cn"),
    ("人民网", "finance.people.com.cn"),
    ("新华网", "www.news.cn"),
    ("中国新闻网", "www.chinanews.com.cn"),
    ("央视网", "news.cctv.com"),
)
_REGIONS = _split(
    "北京 天津 上海 重庆 河北 山西 辽宁 吉林 黑龙江 江苏 浙江 安徽 福建 江西 山东 河南 湖北 "
    "湖南 广东 海南 四川 贵州 云南 陕西 甘肃 青海 内蒙古 广西 宁夏 新疆 雄安新区 粤港澳大湾区 "
    "长三角 成渝地区"
)
_MINISTRIES = _split(
    "科技部 工业和信息化部 国家发展改革委 财政部 商务部 生态环境部 交通运输部 农业农村部 水利部 "
    "教育部 人力资源社会保障部 住房城乡建设部 国家卫生健康委 自然资源部 国家能源局 国家知识产权局"
)
_TITLES = ("副部长", "部长", "司长", "副主任", "新闻发言人", "总工程师")
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘"
_GIVEN = "明华伟芳军磊洋勇艳杰涛强平刚英丽敏静霞萍斌鹏宇浩凯俊峰林岩东晓志国建文"
_FIELDS = _split(
    "科技创新 数字经济 绿色低碳 乡村振兴 先进制造 新能源汽车 集成电路 生物医药 人工智能 现代物流 "
    "智慧城市 清洁能源 海洋经济 文化旅游 职业教育 养老服务 水利设施 高标准农田 工业互联网 新型储能 "
    "氢能产业 卫星互联网 种业振兴 城市更新 生态修复 跨境电商 知识产权保护 基础研究 量子信息 "
    "低空经济"
)
_FACILITIES = _split(
    "重点实验室 产业园区 创新平台 示范区 公共服务平台 孵化器 重大项目 研发中心 产业基金 试点城市 "
    "中试基地 数据中心 实训基地 产业集群 技术创新中心 先导区 综合体 服务站"
)
_ACTIONS = _split("支持 推动 加快 完善 深化 建设 培育 布局 实施 优化 统筹 壮大 提升 落实 健全 拓展")
# Characters of the made-up names of companies, institutes and projects each story is about:
# what keeps two unrelated stories apart, as in real reporting.
_NAME_CHARS = (
    "安邦宝北滨博昌成诚川创达大德鼎东都发丰福富光广海航和恒宏华汇佳嘉建江金锦京晶景聚凯康"
    "科蓝力立联隆龙茂美民明南鹏平齐启谦强庆瑞润盛顺泰天通同万威维伟文祥鑫新信星兴旭亚扬耀"
    "益逸银英永友宇远源跃云泽长正智中众卓紫元弘晟昊睿铭骏朗峻岚澜沐楠琪钧尧翰霖"
)
_ORG_KINDS = ("集团", "科技公司", "研究院", "大学", "实验室", "工程", "项目", "基金", "产业园")
_ORDINALS = ("一", "二", "三", "四", "五", "六")
# Sentence patterns: slots in braces; each page fills them its own way.
_PATTERNS = (
    "{region}将依托{org}{action}{field}{facility}建设，到{deadline}年建成{n}个{facility}。",
    "{past}年以来，{region}累计投入财政资金{m}多亿元，支持{field}领域近{n}个项目。",
    "{ministry}{title}{name}表示，要{action}{field}发展，{action2}{facility}，{action3}{field2}。",
    "到{deadline}年，{region}{field}产业规模力争达到{m}亿元，{facility}数量超过{n}个。",
    "“十四五”期间，{ministry}将{action}{region}{field}{facility}布局，形成一批{field2}{facility2}。",
    "{name}介绍，{region}{org}等已建成{facility}{n}家，带动{field}相关就业{k}万人。",
    "下一步，{region}将{action}{field}政策体系，{action2}{field2}与{field}融合发展。",
    "据统计，{region}{field}企业已达{n}家，{org}{past}年营业收入同比增长{pct}%。",
    "{region}计划新增{field}{facility}{n}个，{org}等总投资约{m}亿元，{deadline}年底前全部开工。",
    "{ministry}会同{region}{action}{field}专项行动，重点{action2}{facility2}和{field2}。",
    "在{field}方面，{region}{action}了{n}项改革举措，其中{k}项已在全国推广。",
    "目前，{region}{field}{facility}已覆盖{k}个区县，服务企业超过{n}家。",
    "{name}指出，{field}是{region}高质量发展的重要支撑，必须坚持{action}与{action2}并重。",
    "记者了解到，{region}首批{k}个{field}{facility}已投入运行，年内还将新增{n}个。",
    "针对{field2}短板，{ministry}提出{k}条具体措施，涉及资金、用地、人才等方面。",
    "{region}{field}综合指数连续{k}年位居前列，{facility2}引进高层次人才{n}名。",
    "{org}与{org2}签署合作协议，共建{field}{facility}，首期投资{m}亿元。",
    "{org}牵头承担的{field}攻关任务已取得阶段性成果，{org2}等{k}家单位参与。",
    "{region}{org}年产{n}万台（套）{field}装备项目投产，{org2}配套项目同步开工。",
    "{org}{field}{facility}入选国家级名单，{org2}获批建设{facility2}。",
)
# A page draws its sentences from a few patterns of its own, as one writer's turns of phrase
# recur within an article, not from all of them: distinct pages then share few patterns.
_PAGE_PATTERNS = 5


@cache
def _names() -> tuple[str, ...]:
    return tuple(s + g1 + g2 for s in _SURNAMES for g1 in _GIVEN[:12] for g2 in ("", *_GIVEN))


@cache
def _vocabulary() -> tuple[tuple[str, ...], list[float]]:
    """Made-up two-character words with Zipf-like frequencies: a few common, most rare, so
    that two unrelated stories share as few character triples as real ones do (a Jaccard of
    about 0.003 between the real pages of tests/extract; templates alone gave 0.08)."""
    chars = _NAME_CHARS + _GIVEN + _SURNAMES
    words = tuple(a + b for a in chars for b in chars if a != b)
    order = random.Random(11).sample(range(len(words)), len(words))
    weights = [(1 + rank) ** -0.6 for rank in order]
    total, cumulative = 0.0, []
    for weight in weights:
        total += weight
        cumulative.append(total)
    return words, cumulative


def _filler(rng: random.Random) -> str:
    """A clause of the story's own detail."""
    words, cumulative = _vocabulary()
    return "".join(rng.choices(words, cum_weights=cumulative, k=rng.randint(10, 20)))


def _org(rng: random.Random) -> str:
    return "".join(rng.choices(_NAME_CHARS, k=rng.randint(2, 4))) + rng.choice(_ORG_KINDS)


def _sentence(
    rng: random.Random,
    slots: dict[str, str],
    patterns: tuple[str, ...] = _PATTERNS,
    topic: dict[str, tuple[str, ...]] | None = None,
) -> str:
    """One sentence; `topic` narrows regions, fields and facilities to the story's own."""
    vocabulary = {"region": _REGIONS, "field": _FIELDS, "facility": _FACILITIES} | (topic or {})
    pattern = rng.choice(patterns)
    values = {
        "region": rng.choice(vocabulary["region"]),
        "field": rng.choice(vocabulary["field"]),
        "field2": rng.choice(vocabulary["field"]),
        "facility": rng.choice(vocabulary["facility"]),
        "facility2": rng.choice(vocabulary["facility"]),
        "action": rng.choice(_ACTIONS),
        "action2": rng.choice(_ACTIONS),
        "action3": rng.choice(_ACTIONS),
        "n": str(rng.randint(3, 2000)),
        "m": str(rng.randint(2, 900)),
        "k": str(rng.randint(2, 90)),
        "pct": f"{rng.randint(3, 60)}.{rng.randint(0, 9)}",
        "past": str(rng.randint(2016, 2020)),
        "deadline": str(rng.randint(2022, 2035)),
        "ministry": rng.choice(_MINISTRIES),
        "title": rng.choice(_TITLES),
        "name": rng.choice(_names()),
        "org": _org(rng),
        "org2": _org(rng),
        **slots,
    }
    return pattern.format(**values)[:-1] + "，" + _filler(rng) + "。"


def _commitment(key: int, version: int) -> str:
    """A commitment that recurs across events: the same region, field and facility; some
    versions change the figure or the deadline."""
    rng = random.Random(key)
    region, field, facility = rng.choice(_REGIONS), rng.choice(_FIELDS), rng.choice(_FACILITIES)
    count, deadline = rng.randint(5, 300), rng.randint(2023, 2030)
    if version % 3 == 1:
        count += 10 * version  # the figure changed
    elif version % 5 == 2:
        deadline += 1  # the deadline moved
    action = rng.choice(_ACTIONS)
    return f"{region}将{action}{field}{facility}，到{deadline}年建成{count}个{facility}。"


def _body(rng: random.Random, event: dict[str, str], number: int) -> str:
    speaker = {k: event[k] for k in ("ministry", "title", "name")}
    lead = (
        f"{event['outlet']}北京{event['m']}月{event['d']}日电 国务院新闻办公室{event['d']}日举行"
        f"新闻发布会，{event['ministry']}{event['title']}{event['name']}介绍"
        f"{event['region']}{event['field']}有关情况。"
    )
    paragraphs = [lead]
    patterns = tuple(rng.sample(_PATTERNS, _PAGE_PATTERNS))
    # a story is about a region or two, a field or two and their facilities
    topic = {
        "region": (event["region"], rng.choice(_REGIONS)),
        "field": (event["field"], rng.choice(_FIELDS)),
        "facility": tuple(rng.sample(_FACILITIES, 2)),
    }
    items = [_commitment(number % 400, number // 400)]
    items += [_sentence(rng, speaker, patterns, topic) for _ in range(rng.randint(2, 4))]
    enumerated = "".join(f"{o}是{s}" for o, s in zip(_ORDINALS, items, strict=False))
    for _ in range(rng.randint(4, 6)):
        paragraphs.append(
            "".join(_sentence(rng, speaker, patterns, topic) for _ in range(rng.randint(2, 4)))
        )
    paragraphs.insert(2, enumerated)
    return "".join(f"<p>{p}</p>" for p in paragraphs)


# Pages are made in runs of this many, each from a generator of its own whose re-captures copy
# pages of the run: a corpus of several runs is made on every core (100k pages: 100 s in one
# process), and the first run of any corpus is the same pages.
_RUN = 1000


def generate_pages(count: int, seed: int = 7, start: int = 0) -> list[RawCapture]:
    """`count` HTML captures numbered from `start`: two thirds distinct pages, one third
    re-captures of earlier ones (of the same run of _RUN) with new boilerplate."""
    runs = [
        (min(_RUN, start + count - first), seed, first)
        for first in range(start, start + count, _RUN)
    ]
    if len(runs) < 4 or (os.cpu_count() or 1) < 2:
        return [page for run in runs for page in _generate_run(*run)]
    context = multiprocessing.get_context("forkserver")  # no copy of a caller's threads
    with ProcessPoolExecutor(os.cpu_count(), mp_context=context) as pool:
        made = pool.map(_generate_run, *zip(*runs, strict=True), chunksize=4)
        return [page for pages in made for page in pages]


def _generate_run(count: int, seed: int, start: int) -> list[RawCapture]:
    """One run of `count` captures numbered from `start`, from its own generator."""
    rng = random.Random(seed + start)
    names = _names()
    captures: list[RawCapture] = []
    for number in range(start, start + count):
        if number % 3 == 2 and captures:
            original = rng.choice(captures).data.decode("utf-8")
            html = original.replace("相关阅读", f"相关阅读 {number}").replace(
                "分享到", f"热点{number} 分享到"
            )
        else:
            # an event every three captures: its two distinct write-ups share day and speaker
            key = number // 3
            event_rng = random.Random(seed * 1_000_003 + key)
            outlet, host = _OUTLETS[number % len(_OUTLETS)]
            event = {
                "outlet": outlet,
                "ministry": event_rng.choice(_MINISTRIES),
                "title": event_rng.choice(_TITLES),
                "name": event_rng.choice(names),
                "region": event_rng.choice(_REGIONS),
                "field": event_rng.choice(_FIELDS),
                "y": str(2019 + key // 3000 % 6),
                "m": str(1 + key // 250 % 12),
                "d": str(1 + key // 9 % 28),
            }
            teasers = "".join(
                f'<li><a href="/n/{number}/{k}">{_sentence(rng, {})[:24]}</a>'
                f" <span>2021-03-{k + 1:02d}</span></li>"
                for k in range(8)
            )
            html = _PAGE.format(
                title=f"{event['ministry']}：{event['region']}{event['field']}"
                f"{rng.choice(_ACTIONS)}{rng.choice(_FACILITIES)}建设（{number}）",
                outlet=outlet,
                host=host,
                y=event["y"],
                m=int(event["m"]),
                d=int(event["d"]),
                n=number,
                mi=number % 60,
                editor=rng.choice(names),
                body=_body(rng, event, number),
                teasers=teasers,
            )
        captures.append(
            RawCapture("bench", f"bench/{number}.html", html.encode("utf-8"), "text/html")
        )
    return captures


# A folder where generated pages are kept for the rest of a benchmark run (set by `make bench`):
# the SQLite and PostgreSQL tiers of one size, each its own process, then share one generation,
# which takes about a millisecond a page (100 s at 100k in one process).
PAGES_CACHE = "MONITOR_BENCH_PAGES"


def cached_pages(count: int, seed: int = 7, start: int = 0) -> list[RawCapture]:
    """generate_pages, read from the run's cache folder when another process of the run made
    the same pages (the same arguments and the same generator), else made and kept there."""
    folder = os.environ.get(PAGES_CACHE)
    if not folder:
        return generate_pages(count, seed, start)
    source = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:12]
    path = Path(folder) / f"pages-{count}-{seed}-{start}-{source}.pickle"
    if path.exists():
        with path.open("rb") as file:
            return pickle.load(file)
    pages = generate_pages(count, seed, start)
    partial = path.with_suffix(f".{os.getpid()}.part")
    with partial.open("wb") as file:
        pickle.dump(pages, file, protocol=pickle.HIGHEST_PROTOCOL)
    partial.replace(path)  # whole or absent, whoever reads it
    return pages
