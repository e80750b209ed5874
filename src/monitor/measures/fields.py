"""Fields of a measure: quantities with units and qualifiers, plan periods and deadlines, and who
does what to what."""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass

from monitor import orgs, words
from monitor.measures.numerals import parse_number

_QUALIFIERS = {
    "近": "nearly",
    "将近": "nearly",
    "接近": "nearly",
    "约": "about",
    "大约": "about",
    "超过": "over",
    "逾": "over",
    "超": "over",
    "多达": "over",
    "不超过": "at_most",
    "不少于": "at_least",
    "不低于": "at_least",
    "至少": "at_least",
}
_MULTIPLIERS = {
    "千": 1e3,
    "万": 1e4,
    "十万": 1e5,
    "百万": 1e6,
    "千万": 1e7,
    "亿": 1e8,
    "万亿": 1e12,
}
_CLASSIFIERS = "个|项|家|所|座|条|批|名|位|支|台|辆|件|篇|户|种|类|次|套|间"
# percentage points before 个 (a classifier), 平方公里 before 公里, 千瓦时 before 千瓦
_MEASURE_UNITS = (
    "个百分点|百分点|美元|元|人次|人|倍|%|％|吨|平方公里|公里|千米|平方米|立方米|千瓦时|千瓦|"
    "公斤|千克|斤|亩|公顷|标准箱|年|岁|天"
)
_UNIT_NAMES = {"个百分点": "百分点", "％": "%", "千克": "公斤", "千米": "公里"}
_POST_QUALIFIERS = {"以上": "at_least", "左右": "about", "以内": "at_most", "以下": "at_most"}
_QUANTITY = re.compile(
    # 至少/不少于/超过 may stand a verb away from the number (至少建成1家); 近 and 约 may not
    # (最近新建10个 is not "nearly 10").
    r"(?:(?P<far>至少|不少于|不低于|超过)(?=[\u4e00-\u9fa5]{1,2}?[\d零〇一二两三四五六七八九十])"
    r"(?P<verb>[\u4e00-\u9fa5]{1,2}?)(?=[\d零〇一二两三四五六七八九十]))?"
    r"(?P<pre>将近|接近|大约|不少于|不低于|不超过|至少|超过|多达|近|约|逾|超)?"
    r"(?P<num>\d+(?:\.\d+)?|[零〇一二两三四五六七八九十百千]+)"
    r"(?P<post>多|余)?"
    rf"(?P<mult>万亿|千万|百万|十万|亿|万|千)?"
    # a count in 万 or 亿 may stand without a unit (农村贫困人口减少1000万以上)
    rf"(?:(?P<unit>{_MEASURE_UNITS}|{_CLASSIFIERS})|(?<=[万亿])(?=以上|以下|左右|以内|[，,；;。、）)]))"
)
# The upper end of a range (6.5%－7%, 6%-6.5%): the same unit again, or none
_RANGE_END = re.compile(r"\s*[－\-—~～至到]\s*(?P<num>\d+(?:\.\d+)?)(?P<unit>%|％)?")
_POST_QUALIFIER = re.compile("|".join(_POST_QUALIFIERS))
_NOUN_AFTER = re.compile(r"[\u4e00-\u9fa5]{1,8}")
_NOUN_STOP = re.compile(r"[的和与及、共同在中为是]")
# Five-year plans: the N-th runs from 1966 + 5 * (N - 3) (the third began in 1966).
_PLAN = re.compile(
    r"“?(?P<label>十[一二三四五六七八九]五|[一二三四五六七八九]五)”?(?:规划|时期|期间)?"
)
# 年底前 and 2020年 not after a figure (五年内, 12020年): checked in code, not by a lookbehind, so
# that the search looks only where 年 or a year's first digit is (a pattern that begins with an
# assertion is tried at every character: three quarters of find_periods' time)
_YEAR_END = re.compile(r"年底前|年内")
_YEAR_END_NOT_AFTER = "一二三四五六七八九十"
_YEAR = re.compile(r"(?P<year>(?:19|20)\d{2})年")
_HEAD_CLAUSE = re.compile(r"^[^，,。；;：:]+")
_VERBS = (
    "联合实施|共同实施|实施|支持|推动|推进|加快|深化|打造|建设|建立|构建|开展|加强|完善|探索|培育|"
    "布局|设立|发展|提升|促进|落实|参与|牵头|组织|启动|出台|制定|发布|投入|引进|优化|扩大|保障"
)
_VERB = re.compile(_VERBS)
VERB_PATTERN = _VERBS
_MEANS_VERB = re.compile(rf"^以(?P<means>.+?)(?P<verb>{_VERBS})(?P<object>.+)$")
_ACTOR_FOLLOW = re.compile(
    r"^(?:会同|将|要|已|正在|全力|积极|联合|牵头|继续|也|还|就|提出|表示|支持|推动)"
)


@dataclass(frozen=True)
class Quantity:
    """A number with its unit and qualifier, as written and as a value; `upper` ends a range
    (6.5%－7%: 6.5 to 7)."""

    raw: str
    value: float
    unit: str
    qualifier: str | None
    upper: float | None = None


@dataclass(frozen=True)
class Period:
    """A plan period, a deadline or a year a measure names."""

    raw: str
    kind: str  # plan | deadline | year
    start: int
    end: int


@dataclass(frozen=True)
class Clause:
    """Who does what to what in an item's head clause."""

    actor: str | None
    action: str | None
    object: str | None


def find_quantities(text: str) -> list[Quantity]:
    """Quantities in `text`: 近600个项目, 170多亿元, 两个专项行动计划, 21个部门."""
    found: list[Quantity] = []
    taken = 0  # where the last quantity, its range and qualifier included, ended
    for match in _QUANTITY.finditer(text):
        if match.start() < taken:
            continue  # the upper end of a range
        num, unit = match.group("num"), match.group("unit") or ""
        before = text[: match.start("num") - len(match.group("pre") or "")]
        if before.endswith(("第", "“")) or (num == "一" and unit not in _MEASURE_UNITS.split("|")):
            continue  # 第一个 is an ordinal, “四个面向” a slogan, 一批 an article
        if (unit == "年" and "." not in num) or (
            not num.isdigit() and len(num) == 1 and unit == "天"
        ):
            continue  # years are periods (10.8年 of schooling is not); 五天 is a span of time
        value = parse_number(num)
        if value is None:
            continue
        value *= _MULTIPLIERS.get(match.group("mult") or "", 1.0)
        if not math.isfinite(value):
            continue  # a figure of hundreds of digits: no number holds it, nor JSON
        end = match.end()
        upper = None
        if unit in ("%", "％"):
            upper_match = _RANGE_END.match(text, end)
            if upper_match and upper_match.group("unit"):
                upper, end = float(upper_match.group("num")), upper_match.end()
        elif not unit and match.group("mult"):
            unit = "个"  # a count
        if re.fullmatch(_CLASSIFIERS, unit):
            noun = _noun_after(text[end:])
            unit, end = (noun, end + len(noun)) if noun else (unit, end)
        qualifier = _QUALIFIERS.get(match.group("pre") or match.group("far") or "") or (
            "over" if match.group("post") else None
        )
        post = _POST_QUALIFIER.match(text, end)
        if post and qualifier is None:
            qualifier, end = _POST_QUALIFIERS[post.group()], post.end()
        unit = _UNIT_NAMES.get(unit, unit)
        found.append(Quantity(text[match.start() : end], value, unit, qualifier, upper))
        taken = end
    return found


def find_periods(text: str, reference_year: int | None = None) -> list[Period]:
    """Plan periods (十三五), deadlines (到2025年, 年底前) and years (2020年) named in `text`.

    Args:
        reference_year: the year of publication, which 年底前 (by the end of the year) means.
    """
    periods: list[Period] = []
    for match in _PLAN.finditer(text) if "五" in text else ():
        number = _plan_number(match.group("label"))
        start = 1966 + 5 * (number - 3)
        periods.append(Period(match.group("label"), "plan", start, start + 4))
    for match in _YEAR.finditer(text):
        if _after_digit(text, match.start()):
            continue
        year = int(match.group("year"))
        context = text[max(0, match.start() - 1) : match.end() + 3]
        kind = "deadline" if re.search(r"^到|^至|年(?:底|末|前)", context) else "year"
        periods.append(Period(match.group(), kind, year, year))
    if reference_year is not None:
        for match in _YEAR_END.finditer(text):
            if _after_digit(text, match.start(), _YEAR_END_NOT_AFTER):
                continue
            periods.append(Period(match.group(), "deadline", reference_year, reference_year))
    return periods


def _after_digit(text: str, position: int, numerals: str = "") -> bool:
    """Whether a digit (what \\d matches), or one of `numerals`, stands just before `position`."""
    return position > 0 and (text[position - 1].isdecimal() or text[position - 1] in numerals)


def find_clause(text: str, speaker_org: str | None) -> Clause:
    """Actor, action and object of an item's head clause; the speaker's body acts by default."""
    head_match = _HEAD_CLAUSE.search(text)
    head = head_match.group() if head_match else text
    means = _MEANS_VERB.match(head)
    if means:
        action, obj = means.group("verb"), means.group("object")
    else:
        verb = _VERB.search(head)
        action = verb.group() if verb else None
        obj = head[verb.end() :] if verb else None
    return Clause(_actor(text, speaker_org), action, obj.strip() if obj else None)


def named_actor(text: str) -> str | None:
    """The organisation `text` names as the one acting (科技部会同…, 国家发展改革委将…), if any."""
    for position, name in orgs.find_orgs(text):
        rest = text[position:]
        after = rest[len(name) :] if rest.startswith(name) else rest[rest.find(name) + len(name) :]
        before = text[max(0, position - 2) : position]
        if _ACTOR_FOLLOW.match(after) and not re.search(r"[与和同按照]$", before):
            return name
    return None


def _actor(text: str, speaker_org: str | None) -> str | None:
    # An item that names no one is the speaker's body's, and so is "我们".
    return named_actor(text) or speaker_org


def _noun_after(text: str) -> str:
    match = _NOUN_AFTER.match(text)
    if not match:
        return ""
    word = match.group()
    stop = _NOUN_STOP.search(word, 1)
    word = word[: stop.start()] if stop else word
    return words.leading_noun(word)


def _plan_number(label: str) -> int:
    numeral = label[:-1]
    if numeral.startswith("十"):
        return 10 + int(parse_number(numeral[1:]) or 0) if len(numeral) > 1 else 10
    return int(parse_number(numeral) or 0)


def as_json(values: list[Quantity] | list[Period]) -> list[dict]:
    """Dataclasses as plain dicts, for storage."""
    return [asdict(value) for value in values]
