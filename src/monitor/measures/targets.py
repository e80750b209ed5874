"""Quantified targets: the figures a sentence sets, each with the indicator it measures.

A sentence that sets targets (今年发展主要预期目标是：国内生产总值增长5.5%左右；城镇新增就业1100万人
以上，城镇调查失业率全年控制在5.5%以内；…) holds one target per figure. A target's indicator is
the phrase its figure measures, read from the text before the figure in its clause, stripped of
time words, modal words and the verb that carries the figure (拟安排, 保持在, 控制在, 按…安排):
国内生产总值增长, 城镇新增就业, 城镇调查失业率, 地方政府专项债券. A figure compared with last year
(比上年增加1000亿元) is an increment of the target before it, not a target of its own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from monitor import words
from monitor.measures.fields import Period, Quantity, find_periods, find_quantities
from monitor.measures.kinds import FUTURE_SENTENCE

# Words that make a sentence look forward (a plan, a budget, a target) or report what was done.
# A strong forward word (拟, 目标, 今年, 力争) outweighs a report's; a weak one (the modal words
# of kinds.FUTURE_SENTENCE, and these) does not.
_STRONG_FORWARD = re.compile(r"拟|预期目标|目标是|目标为|今年|力争|明年")
_MORE_FORWARD = re.compile(r"计划|确保|继续|年内")
_REPORT = re.compile(
    r"过去|(?<![比于])去年|(?<![比于])上年|已经|已(?!有)|累计|一年来|五年来|多年来|(?<![为除])了"
)
_CLAUSE = re.compile(r"[^，,；;：:。！？!?]+")
# What may stand before an indicator in its clause and is not part of it: time, modal and list
# words, and the verbs that introduce a budget line or a target.
_LEAD = re.compile(
    r"^(?:今年|全年|明年|年内|同时|其中|并且|并|还|也|要|将|拟|力争|争取|确保|继续|再|进一步|努力|坚决|、"
    r"|全面|主要|预期目标是|预期目标|目标是|目标|是|为|安排|完成|实现|新开工|开工|我们"
    r"|十[一二三四五六七八九]五(?:时期|期间|末)?|(?:今后|未来)五年|到20\d{2}年)+"
)
# The verb or preposition that carries the figure, at the indicator's end: 拟按 (3%) 安排,
# 保持在, 控制在, 达到, 提高到.
_TAIL = re.compile(
    r"(?:拟|要|将|力争|争取|全年|今年|年内|再|进一步|分别|平均|均|预期)*(?:按|安排|达到|高达|达|保持在|控制在|稳定在|"
    r"提高到|提高至|降至|降到|增至|增加到|为|在|约为|约|至少|不低于|不少于|不超过|超过"
    r"|(?:扩大|扩展|推广|延长|缩短|缩小)[到至])*$"
)
# Direction words that end an indicator (增长, 下降): the same indicator whichever is used
_DIRECTION = re.compile(r"(?:增长|下降|降低|减少|提高|增加|上涨|上升|压减|扩大|降)$")
_LEADING_DIRECTION = re.compile(
    r"^(?:再)?(?:减少|压减|降低|提高|增加|扩大|开工建设|新开工|开工|完成|推进|实施|建设|新建|新增|实现"
    r"|落实好|落实|全国|严守|守住|坚守)"
)
_TIME_WORDS = re.compile(r"今年|全年|明年|年内|年均")
# 二氧化碳排放量 and 二氧化碳排放 are one indicator
_EMISSION = re.compile(r"排放量$")
# 中央对地方一般性转移支付, 一般性转移支付规模: one indicator (transfers go to local
# governments; 规模 is the amount of what it follows, 任务 the task of it, 标准 its level)
_TOWARDS = re.compile(r"^(?:中央)?对地方")
_AMOUNT = re.compile(r"(?<=[\u4e00-\u9fff]{3})(?:规模|任务|标准)$")
# A comparison with an earlier figure: what follows is an increment (比去年增加…); 比 alone is
# no comparison (比例, 比重)
_COMPARED = re.compile(r"比(?:上年|去年|前一年|上一年|2\d{3}年|年初|改革前)")
_COMPARATIVE = re.compile(r"[高低多少]$")
# After a figure: the portion of a base it bounds (100万元至300万元部分, 不到100万元的部分)
_PORTION = re.compile(r"(?:至\d+(?:\.\d+)?[万亿]?元)?的?部分")
# After a figure: the thing it measures now and the verb of its target (现行16%的税率降至13%)
_CURRENT = re.compile(
    r"的(?P<noun>[\u4e00-\u9fff]{1,6}?)(?:降至|降到|降为|下调至|下调到|提高到|提高至|上调至|上调到"
    r"|调整为|调整到)(?=\d)"
)
# After a figure: the rate by which a verb acts on a noun (按不低于5%的幅度压减一般性支出)
_BY = re.compile(r"按[^，；]{0,4}$")
_BY_RATE = re.compile(
    r"的(?:幅度|比例)(?:压减|削减|降低|减少|下调|提高|增加|上调)(?P<noun>[\u4e00-\u9fff]{3,10})"
)
_INCREMENT_VERB = re.compile(r"(?:再|又|分别)?(?:增加|提高|多|减少|降低|下降)$")
# An indicator names what is measured in at least this many characters: 赤字率, 财政赤字; a
# shorter phrase before a figure is a verb (增长11.3%, 严守18亿亩), the noun after it
_MIN_INDICATOR_CJK = 3
_DIGIT = re.compile(r"\d")
# 与…等21个部门共同谋划: a count of partners, not a target; a rate or a sum is measured of
# what follows 对 (对地方一般性转移支付增长9.5%)
_PARTNER = re.compile(r"[与和同跟向对在的]")
_MEASURED = ("%", "元", "美元", "百分点")
# 从8.7万元提高到12万元, 由420元提高到450元: the first figure is where the target starts from
_FROM = re.compile(r"[从由][^，；、]{0,8}$")
# Verbs of a count whose noun follows the figure, and the noun (up to the clause's end)
_COUNT_VERB = re.compile(
    r"(?:再)?(?:开工建设|新开工|开工|建设|新建|改造|推进|完成|实施|支持|培育|建成|新增|严守|守住|坚守)"
)
# What may stand before the verb of a count: time and modal words
_COUNT_LEAD = re.compile(r"^(?:今年|全年|年内|要|将|力争|争取|确保|继续|进一步|坚决|努力)+")
_NOUN_AFTER = re.compile(r"[\u4e00-\u9fffA-Za-z]{2,12}")
# A share of places where something is done (在70%左右的地市开展分级诊疗试点): what is done
# is the indicator, as when the share is stated after it (分级诊疗试点扩大到85%以上地市)
_PLACES_DOING = re.compile(
    r"的?[\u4e00-\u9fff]{1,4}?(?:开展|实施|推行|推广|建立|设立|实现)(?P<noun>[\u4e00-\u9fffA-Za-z]{2,16})"
)
# 经济增长预期目标6.5%－7%, 就业预期目标比去年多100万人: an explanation restating a target
_RESTATED = re.compile(r"目标")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_SEPARATORS = " 、，,"
# An indicator of at most this many characters opening a clause may measure the topic of the
# clause before (财政补助 of 城乡居民基本医保制度)
_OF_TOPIC_CJK = 4
# The system a topic names is the thing itself (城乡居民基本医保制度的财政补助: 医保的)
_INSTITUTION = re.compile(r"(?<=[\u4e00-\u9fff]{2})(?:制度|体系|机制)$")
# Figures listed one after another (23%、15%、18%; 5%和8%), and the words that pair a list of
# indicators with them or give them one figure
_LISTED = re.compile(r"\s*[、和及与]\s*")
_EACH = re.compile(r"分别|均(?=为|超过|达到|不低于|在|要|增长|提高|下降|降低)")
_JOIN = re.compile(r"、")
_EACH_JOIN = re.compile(r"[、和及与]")
_WORDY = re.compile(r"[\u4e00-\u9fffA-Za-z0-9]")
# A chapter heading of a document (一、2015年工作回顾; 三、2016年重点工作): a short line of its own
_HEADING = re.compile(r"^[ \t]*[一二三四五六七八九十]{1,3}、(?P<title>[^\n。；;！？]{2,40})$", re.M)
# What a chapter holds: a review of what was done, or the plans and targets ahead
_REVIEW_HEADING = re.compile(r"回顾|成就|总结")
_PLAN_HEADING = re.compile(r"目标|任务|重点工作|部署|建议|要求|取向|计划|规划|安排")
# A five-year plan's horizon: its targets are other indicators than the year's (十三五 能耗下降
# 15% beside this year's 3.4%), compared with the next plan's
_PLAN_PERIOD = re.compile(r"十[一二三四五六七八九]五|(?:今后|未来)五年|五年规划")
PLAN_KEY = "五年规划·"


@dataclass(frozen=True)
class Section:
    """A chapter of a document and what its sentences do by default."""

    start: int
    end: int
    forward: bool | None  # True: plans (a sentence looks forward unless it reports); False: a
    # review (nothing in it is a target); None: the sentence's own words decide
    plan: bool  # the chapter sets a five-year plan's targets
    horizon: Period | None = None  # the plan it names (十四五: 2021–2025), its targets' deadline


def find_sections(body: str, published_year: int | None) -> list[Section]:
    """The chapters of a document, from headings on lines of their own; none in most news."""
    headings = list(_HEADING.finditer(body))
    if not headings:
        return []
    sections = []
    ends = [heading.start() for heading in headings[1:]] + [len(body)]
    for heading, end in zip(headings, ends, strict=True):
        title = heading.group("title")
        years = [int(y) for y in re.findall(r"(20\d{2})年", title)]
        past = bool(published_year and years and max(years) < published_year)
        if _PLAN_HEADING.search(title) and not past:
            forward: bool | None = True
        elif _REVIEW_HEADING.search(title) or past:
            forward = False
        else:
            forward = None
        plans = [period for period in find_periods(title, published_year) if period.kind == "plan"]
        horizon = plans[-1] if plans else None  # 十三五 achievements and 十四五 targets: the later
        plan = horizon is not None or bool(_PLAN_PERIOD.search(title))
        sections.append(Section(heading.start(), end, forward, plan, horizon))
    return sections


@dataclass(frozen=True)
class Target:
    """A figure a sentence sets and the indicator it measures."""

    start: int  # of the target's clause in the sentence
    text: str  # the clause, with the increments that follow it
    key: str  # the indicator, normalised to recognise it when restated (国内生产总值)
    quantities: tuple[tuple[Quantity, str], ...]  # (quantity, role: value or increment)
    horizon: Period | None = None  # the five-year plan whose target it is, when its chapter says


def is_forward(sentence: str) -> bool:
    """Whether a sentence looks forward (sets targets, plans, budgets) rather than reports."""
    if _STRONG_FORWARD.search(sentence):
        return True
    forward = FUTURE_SENTENCE.search(sentence) or _MORE_FORWARD.search(sentence)
    return bool(forward) and not _REPORT.search(sentence)


def is_report(sentence: str) -> bool:
    """Whether a sentence reports what was done (过去一年…, 已…, 累计…): its first clause
    says so. A later clause may look back (…增长7.8%、增幅明显高于去年) in a sentence that
    sets figures; such a clause is no target of its own (find_targets)."""
    first = _CLAUSE.search(sentence)
    return first is not None and bool(_REPORT.search(first.group()))


def find_targets(
    sentence: str, forward: bool | None = None, plan: bool = False, horizon: Period | None = None
) -> list[Target]:
    """The quantified targets a forward-looking sentence sets, in order.

    Args:
        forward: whether the sentence looks forward, when its paragraph says so (其中，中央财政
            赤字1.55万亿元 after 今年拟安排财政赤字…); else the sentence's own words decide.
        plan: whether the sentence stands in a five-year plan's chapter; a sentence naming the
            plan period before a figure (今后五年，…) sets the plan's targets anywhere.
        horizon: the plan the chapter names, the deadline of its targets.
    """
    if not (is_forward(sentence) if forward is None else forward):
        return []
    targets: list[Target] = []
    before = ""  # the clause before, whose topic a short indicator may belong to
    for clause in _CLAUSE.finditer(sentence):
        text = clause.group()
        after, before = before, text
        if _REPORT.search(text):
            continue  # 去年经济增长2.3%: what was, beside what is to be
        taken = 0
        baseline: str | None = None  # the indicator of 从X提高到Y, waiting for Y
        found = _placed(text)
        index = 0
        while index < len(found):
            quantity, at = found[index]
            index += 1
            segment_start, prefix = taken, text[taken:at]
            taken = at + len(quantity.raw)
            if not _DIGIT.search(quantity.raw):
                continue  # 两个积极性, 八个方面: counts in words are not targets
            if _FROM.search(prefix):
                named = _FROM.split(prefix)[0]
                baseline = _indicator(named)
                if baseline is not None and segment_start == 0:
                    baseline = _of_topic(after, baseline, named)
                continue
            following = text[taken:]
            if _PORTION.match(following):
                continue  # 100万元至300万元部分: the part of a tax base a policy applies to
            current = _CURRENT.match(following)
            if current is not None:  # 现行16%的税率降至13%: where the target starts from
                baseline = _indicator(prefix + current.group("noun"), quantity)
                continue
            by = _BY_RATE.match(following)  # 按不低于5%的幅度压减一般性支出
            where = _PLACES_DOING.match(following) if _is_where(prefix) else None
            increment = _is_increment(prefix, quantity)
            indicator = (
                (by.group("noun") if by is not None and _BY.search(prefix) else None)
                or (where.group("noun") if where is not None else None)
                or baseline
                or _indicator(prefix, quantity)
                or _indicator_after(prefix, quantity, text, taken)
            )
            if indicator is not None and segment_start == 0 and by is None:
                indicator = _of_topic(after, indicator, prefix)
            baseline = None
            if indicator is not None and _is_population(indicator, quantity):
                continue  # 今年高校毕业生820多万人: how many there are, not a target
            if indicator is None or _RESTATED.search(indicator):
                if increment and targets and targets[-1].start < clause.start():
                    previous = targets[-1]  # 比去年增加2000亿元 after 财政赤字2.38万亿元
                    targets[-1] = replace(
                        previous,
                        text=sentence[previous.start : clause.end()].strip(),
                        quantities=(*previous.quantities, (quantity, "increment")),
                    )
                continue
            start = clause.start() + segment_start
            # a plan period named before the figure (今后五年，…分别下降23%) makes it the plan's
            planned = plan or bool(_PLAN_PERIOD.search(sentence, 0, clause.start() + at))
            if targets and targets[-1].start >= clause.start():  # another in the same clause
                previous = targets[-1]
                text_before = sentence[previous.start : start].strip(_SEPARATORS)
                targets[-1] = replace(previous, text=text_before)
            # 化学需氧量、氨氮排放量要分别下降2%; 用水量、能耗、二氧化碳排放量分别下降23%、15%、18%
            listed = [quantity]
            while index < len(found) and _LISTED.fullmatch(text[taken : found[index][1]]):
                listed.append(found[index][0])
                taken = found[index][1] + len(found[index][0].raw)
                index += 1
            parts = _parts(indicator, bool(_EACH.search(text)))
            if len(parts) < 2 or len(listed) not in (1, len(parts)):
                parts = [indicator]
            role = "increment" if increment else "value"
            for number, part in enumerate(parts):
                figure = listed[number] if len(listed) == len(parts) else listed[0]
                targets.append(
                    Target(
                        start,
                        sentence[start : clause.end()].strip(_SEPARATORS),
                        (PLAN_KEY if planned else "") + indicator_key(part),
                        ((figure, role),),
                        horizon if plan else None,
                    )
                )
    return targets


def indicator_key(indicator: str) -> str:
    """An indicator as it is recognised when restated: without time words and the direction
    word at its end (单位国内生产总值能耗下降 and …降低 are one indicator)."""
    key = _TIME_WORDS.sub("", indicator)
    stripped = _TAIL.sub("", _LEADING_DIRECTION.sub("", _DIRECTION.sub("", key)))
    stripped = _EMISSION.sub("排放", _AMOUNT.sub("", _TOWARDS.sub("", stripped)))
    return stripped if len(_CJK.findall(stripped)) >= _MIN_INDICATOR_CJK else key


def _placed(clause: str) -> list[tuple[Quantity, int]]:
    """The quantities of a clause with where each stands."""
    placed, taken = [], 0
    for quantity in find_quantities(clause):
        at = clause.find(quantity.raw, taken)
        placed.append((quantity, at))
        taken = at + len(quantity.raw)
    return placed


def _parts(indicator: str, each: bool) -> list[str]:
    """The indicators a listing names (化学需氧量、氨氮排放量; with 分别 or 均, also 能耗和二氧化碳
    排放), each of at least two characters; a part too short to name what it measures (能耗)
    takes the words before the first part's last word (单位国内生产总值).

    Without 分别 or 均, 和 joins the words of one indicator (企业和个人减税), and a list ending
    in 等 gives examples of one (交通运输业、建筑业等行业).
    """
    if "等" in indicator and not each:
        return [indicator]  # 交通运输业、建筑业等行业: examples of one category
    parts = [p for p in (_EACH_JOIN if each else _JOIN).split(indicator) if p]
    if len(parts) < 2 or any(not _names_a_thing(part) for part in parts):
        return [indicator]  # 淘汰、停建、缓建煤电产能: verbs listed, one indicator
    head = "".join(words.cut(parts[0])[:-1])
    return [head + part if len(_CJK.findall(part)) < _MIN_INDICATOR_CJK else part for part in parts]


def _is_population(indicator: str, quantity: Quantity) -> bool:
    """Whether a count of people is of a population (高校毕业生) rather than of what is done
    (城镇新增就业, 易地扶贫搬迁, 减少农村贫困人口): its indicator names no action."""
    return quantity.unit in ("人", "人次") and not words.has_verb(indicator)


def _names_a_thing(part: str) -> bool:
    """Whether a listed part names what is measured: two characters or more, not a verb alone
    (淘汰、停建)."""
    return len(_WORDY.findall(part)) >= 2 and not words.is_verb(part)


def _indicator(prefix: str, quantity: Quantity | None = None) -> str | None:
    """The indicator in the text before a figure, or None when it names none: before the
    comparison if it names one (财政赤字比去年增加…), else after it (比改革前减轻企业负担…)."""
    count = quantity is None or quantity.unit not in _MEASURED
    before, *after = _COMPARED.split(prefix, maxsplit=1)
    if after and _COMPARATIVE.search(after[0]):
        after = []  # 比去年预算低0.4个百分点: how it compares, not what it measures
    return _named(before, count) or (_named(after[0], count) if after else None)


def _named(text: str, count: bool) -> str | None:
    text = re.sub(r"[\s“”\"'《》（）()]", "", text)
    for _ in range(3):  # lead and tail words may alternate (今年拟安排…)
        text = _TAIL.sub("", _LEAD.sub("", text))
    if len(_CJK.findall(text)) < _MIN_INDICATOR_CJK or (count and _PARTNER.match(text)):
        return None
    if text.endswith("的"):
        return None  # 不达标的30万千瓦以下煤电机组: the figure describes what follows
    return text


def _indicator_after(prefix: str, quantity: Quantity, clause: str, end: int) -> str | None:
    """The indicator of a count whose noun follows it (再开工20项重大水利工程, 推进5万个行政村
    通光纤, 严守18亿亩耕地红线): the verb before the figure with what the count names."""
    verb = _COUNT_LEAD.sub("", prefix.strip())
    if not verb or not _COUNT_VERB.fullmatch(verb):
        return None
    if len(_CJK.findall(quantity.unit)) >= 2 and quantity.raw.endswith(quantity.unit):
        return verb + quantity.unit  # the count took its noun as its unit (5万个行政村通光纤)
    after = _NOUN_AFTER.match(clause, end)
    if after is None:
        return None
    # what is counted is the noun phrase right after the figure (1000万以上农村贫困人口脱贫任务)
    return verb + (words.leading_noun(after.group()) or after.group())


def _is_increment(prefix: str, quantity: Quantity) -> bool:
    """Whether a figure is a change against an earlier one (比上年增加1000亿元, 再提高30元)
    rather than the target's value; a growth rate (增长6%) is a value."""
    if _COMPARED.search(prefix):
        return quantity.unit != "%" or prefix.rstrip().endswith(("提高", "降低", "增加", "减少"))
    return bool(re.search(r"(?:再|又)(?:增加|提高|降低|减少)$", prefix)) or (
        quantity.unit in ("元", "百分点") and bool(_INCREMENT_VERB.search(prefix))
    )


def _is_where(prefix: str) -> bool:
    """Whether a figure follows 在 alone (在70%左右的地市…): a share of places."""
    return _COUNT_LEAD.sub("", prefix.strip()) == "在"


def _topic(clause: str) -> str | None:
    """What a clause without a figure acts on (整合城乡居民基本医保制度: 城乡居民基本医保制度),
    the topic a short indicator in the next clause belongs to; None if it has a figure or is
    not a verb and its object."""
    if _DIGIT.search(clause):
        return None
    tokens = words.cut(_COUNT_LEAD.sub("", clause.strip()))
    if len(tokens) < 2 or not words.is_verb(tokens[0]):
        return None
    rest = "".join(tokens[1:])
    return rest if words.leading_noun(rest) == rest else None


def _of_topic(before: str, indicator: str, prefix: str) -> str:
    """A short indicator that opens its clause (财政补助由…提高到420元 after 整合城乡居民基本
    医保制度) measures something of the topic of the clause before, if that has one (the
    clause is cut into words only then)."""
    if not before or len(_CJK.findall(indicator)) > _OF_TOPIC_CJK or not _named(prefix, False):
        return indicator
    topic = _topic(before)
    return indicator if topic is None else _INSTITUTION.sub("", topic) + indicator
