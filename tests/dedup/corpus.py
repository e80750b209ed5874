"""A labelled evaluation set for copies and events, made from real and generated text.

Copies: every original (the seed articles, the real news pages under ../shared/pages/gne when
present, and generated policy articles) gets planted copies with block edits (a new lead and
footer, a paragraph dropped), with scattered edits (5% of characters replaced at random), and
syndicated copies with another site's boilerplate; distinct articles on the same topic are the
negatives. Events: press conferences written up by two or three outlets in different words,
with unrelated conferences of the same day (some at the same venue) and the same speaker on the
same topic a month later as negatives.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PAGES = ROOT.parent / "shared" / "pages" / "gne"
SEED = 20210120

TOPICS = (
    "北京国际科技创新中心建设",
    "新能源汽车产业发展",
    "国家粮食安全",
    "稳外贸稳外资",
    "5G网络建设",
    "职业教育改革",
    "生态环境保护",
    "医药卫生体制改革",
    "数字经济发展",
    "乡村振兴",
    "碳达峰碳中和",
    "养老服务体系建设",
    "知识产权保护",
    "中小企业纾困",
    "就业优先政策",
    "保障性住房建设",
    "交通强国建设",
    "文化和旅游消费",
    "海南自由贸易港建设",
    "长江经济带发展",
)
SPEAKERS = (
    ("李萌", "副部长", "科技部"),
    ("王受文", "副部长", "商务部"),
    ("连维良", "副主任", "国家发展改革委"),
    ("辛国斌", "副部长", "工业和信息化部"),
    ("翁铁慧", "副部长", "教育部"),
    ("黄润秋", "部长", "生态环境部"),
    ("曾益新", "副主任", "国家卫生健康委"),
    ("章建华", "局长", "国家能源局"),
    ("刘焕鑫", "局长", "国家乡村振兴局"),
    ("申长雨", "局长", "国家知识产权局"),
    ("倪虹", "副部长", "住房城乡建设部"),
    ("李小鹏", "部长", "交通运输部"),
)
VENUES = (("国新办", "国务院新闻办公室"), ("国务院新闻办", "国务院新闻办公室"))
_SUBJECTS = (
    "各地",
    "有关部门",
    "试点城市",
    "重点企业",
    "地方政府",
    "行业协会",
    "科研院所",
    "高校",
    "金融机构",
    "市场主体",
    "基层单位",
    "示范区",
    "龙头企业",
    "园区",
    "社会资本",
    "专家团队",
    "工作专班",
    "监管部门",
)
_VERBS = (
    "加快推进",
    "着力完善",
    "持续深化",
    "积极探索",
    "统筹实施",
    "全面落实",
    "认真谋划",
    "大力发展",
    "稳步推进",
    "不断优化",
    "切实加强",
    "有序开展",
    "重点支持",
    "协同推动",
    "深入实施",
    "系统布局",
)
_OBJECTS = (
    "体制机制创新",
    "基础设施建设",
    "人才队伍建设",
    "资金保障机制",
    "标准体系",
    "监测评估体系",
    "公共服务平台",
    "数据共享机制",
    "示范项目",
    "配套政策",
    "考核评价办法",
    "风险防控体系",
    "产业链供应链",
    "区域协同发展",
    "应用场景",
    "信用体系",
    "财税支持政策",
    "用地保障",
    "审批流程",
    "信息化水平",
    "服务能力",
    "科研攻关",
    "市场准入",
    "国际合作",
    "宣传引导",
    "督查检查",
)
_TAILS = (
    "取得了阶段性成效",
    "形成了可复制的经验",
    "惠及群众{n}万人",
    "带动投资{n}亿元",
    "覆盖{m}个省份",
    "完成年度目标的{m}%",
    "新增项目{n}个",
    "为下一步工作打下基础",
    "群众获得感明显增强",
    "推动相关指标稳中有升",
    "有效降低了企业成本",
    "解决了一批突出问题",
)


@dataclass(frozen=True)
class CopyProbe:
    """A text to check against the originals: a copy of one of them, or of none."""

    text: str
    original: int | None
    kind: str


@dataclass(frozen=True)
class Report:
    """One outlet's write-up of a press conference."""

    title: str
    body: str
    when: tuple[int | None, int, int]
    event: int


def originals(rng: random.Random, generated: int = 60) -> list[str]:
    """Article bodies: the two seeds, the real pages when present, and generated articles."""
    from monitor.extract import ArticleDraft, extract_article
    from monitor.extract.article import CaptureInput

    bodies = []
    files = sorted((ROOT / "seeds").glob("*.txt")) + sorted(PAGES.glob("*.html"))
    for path in files:
        media = "text/html" if path.suffix == ".html" else "text/plain"
        draft = extract_article(CaptureInput(path.read_bytes(), media, str(path)))
        if isinstance(draft, ArticleDraft) and len(draft.body) >= 300:
            bodies.append(draft.body)
    for number in range(generated):
        bodies.append(generated_article(rng, TOPICS[number % len(TOPICS)]))
    return _distinct(bodies)


def _distinct(bodies: list[str]) -> list[str]:
    """Drop a body that is itself a copy of an earlier one (a page saved twice)."""
    from monitor.dedup.signatures import jaccard, shingle_codes

    kept: list[tuple[str, object]] = []
    for body in bodies:
        codes = shingle_codes(body)
        if all(jaccard(codes, other) < 0.5 for _, other in kept):  # type: ignore[arg-type]
            kept.append((body, codes))
    return [body for body, _ in kept]


def generated_article(rng: random.Random, topic: str, paragraphs: int = 5) -> str:
    """A policy article of a few paragraphs on `topic`, of sentences put together at random."""
    lines = []
    for _ in range(paragraphs):
        sentences = []
        for _ in range(3):
            tail = rng.choice(_TAILS).format(n=rng.randint(2, 900), m=rng.randint(2, 60))
            sentences.append(
                f"{rng.choice(_SUBJECTS)}{rng.choice(_VERBS)}{rng.choice(_OBJECTS)}，"
                f"{rng.choice(_SUBJECTS)}{rng.choice(_VERBS)}{rng.choice(_OBJECTS)}，{tail}。"
            )
        lines.append(f"在{topic}方面，" + "".join(sentences))
    return "\n".join(lines)


def copy_probes(rng: random.Random, bodies: list[str]) -> list[CopyProbe]:
    """Planted copies of every original, and same-topic articles that are not copies."""
    probes = []
    for number, body in enumerate(bodies):
        probes.append(CopyProbe(_block_edit(rng, body), number, "block"))
        probes.append(CopyProbe(_scatter(rng, body, 0.05), number, "scattered"))
        probes.append(CopyProbe(_syndicate(rng, body), number, "syndicated"))
    for topic in TOPICS:
        probes.append(CopyProbe(generated_article(rng, topic), None, "same-topic"))
    return probes


def _block_edit(rng: random.Random, body: str) -> str:
    paragraphs = body.split("\n")
    if len(paragraphs) > 4:
        del paragraphs[rng.randrange(1, len(paragraphs) - 1)]
    lead = "（记者 王五）记者从有关部门获悉，相关工作正在有序推进。"
    return "\n".join([lead, *paragraphs, "（完）本文转载自其他媒体，版权归原作者所有。"])


def _scatter(rng: random.Random, body: str, share: float) -> str:
    chars = list(body)
    for index in rng.sample(range(len(chars)), int(len(chars) * share)):
        chars[index] = chr(rng.randint(0x4E00, 0x9FA5))  # a random common-block character
    return "".join(chars)


def _syndicate(rng: random.Random, body: str) -> str:
    site = rng.choice(("中国新闻网", "央视网", "中国经济网", "环球网"))
    return f"来源：{site}\n{body}\n【纠错】 【责任编辑：李四】"


def event_reports(rng: random.Random, events: int = 40) -> list[Report]:
    """Write-ups of press conferences, with same-day and same-speaker-later negatives."""
    reports: list[Report] = []
    for number in range(events):
        month, day = 1 + number % 12, 1 + (number * 7) % 27
        speaker = SPEAKERS[number % len(SPEAKERS)]
        topic = TOPICS[number % len(TOPICS)]
        venue = VENUES[number % len(VENUES)]
        writers = rng.randint(2, 3)
        for writer in range(writers):
            year = None if writer == 1 else 2021  # a dateline with month and day only
            reports.append(_report(rng, writer, speaker, topic, venue, (year, month, day), number))
    base = events
    for number in range(events // 2):
        month, day = 1 + number % 12, 1 + (number * 7) % 27
        # the same day, the same venue, another speaker and topic
        other = SPEAKERS[(number + 5) % len(SPEAKERS)]
        reports.append(
            _report(
                rng,
                0,
                other,
                TOPICS[(number + 7) % len(TOPICS)],
                VENUES[number % len(VENUES)],
                (2021, month, day),
                base + number,
            )
        )
        # the same speaker and topic a month later: a later conference, another event
        later = (2021, 1 + (month % 12), day)
        reports.append(
            _report(
                rng,
                2,
                SPEAKERS[number % len(SPEAKERS)],
                TOPICS[number % len(TOPICS)],
                VENUES[0],
                later,
                base + events // 2 + number,
            )
        )
    return reports


def _report(rng, writer, speaker, topic, venue, when, event) -> Report:  # type: ignore[no-untyped-def]
    name, title, org = speaker
    _, month, day = when
    filler = generated_article(rng, topic, paragraphs=2)
    if writer == 0:
        lead = (
            f"光明网讯(记者 杨亚楠){month}月{day}日,{venue[0]}就{topic}有关情况举行新闻发布会,"
            f"{org}{title}{name}表示,将多措并举推进{topic}。"
        )
        heading = f"{org}:多措并举推进{topic}"
    elif writer == 1:
        lead = (
            f"人民网北京{month}月{day}日电 （赵竹青）{day}日上午，{venue[1]}召开新闻发布会，"
            f"介绍{topic}有关情况并答记者问。{org}{title}{name}介绍，相关工作取得积极进展。"
        )
        heading = f"{venue[1]}召开新闻发布会介绍{topic}情况"
    else:
        lead = (
            f"新华社北京{month}月{day}日电（记者 张三）{org}{title}{name}在{venue[1]}"
            f"新闻发布会上说，{topic}是一项系统工程，需要各方协同发力。"
        )
        heading = f"{name}：{topic}需要各方协同发力"
    return Report(heading, lead + "\n" + filler, when, event)
