"""Targets: chapters of a document, five-year horizons, indicators worded two ways."""

import pytest

from monitor import track
from monitor.measures import extract_measures
from monitor.measures.targets import PLAN_KEY, find_sections

REPORT = """一、2020年工作回顾

城镇新增就业1186万人，年末全国城镇调查失业率降到5.2%。

二、“十四五”时期主要目标任务

城镇调查失业率控制在5.5%以内，森林覆盖率达到24.1%。

三、2021年重点工作

今年发展主要预期目标是：城镇新增就业1100万人以上，城镇调查失业率5.5%左右。"""


def _targets(body: str, year: int = 2021) -> dict[str, str]:
    found = extract_measures(body, "国务院", year)
    return {m.subject or "": m.quantities[0]["raw"] for m in found if m.kind == "target"}


def test_chapters_say_whether_their_sentences_review_or_plan():
    sections = find_sections(REPORT, 2021)
    assert [(s.forward, s.plan) for s in sections] == [(False, False), (True, True), (True, False)]


def test_a_review_gives_no_target_and_a_plan_period_is_its_own_indicator():
    assert _targets(REPORT) == {
        PLAN_KEY + "城镇调查失业率": "5.5%以内",
        PLAN_KEY + "森林覆盖率": "24.1%",
        "城镇新增就业": "1100万人以上",
        "城镇调查失业率": "5.5%左右",
    }


def test_a_plan_period_named_after_the_figures_leaves_them_the_years():
    sentence = "今年单位国内生产总值能耗降低3%左右，能耗强度目标在“十四五”规划期内统筹考核。"
    assert _targets(sentence) == {"单位国内生产总值能耗": "3%左右"}


def test_a_text_without_chapters_has_none():
    assert find_sections("国家发展改革委将加快推进重大项目。\n第一，…", 2021) == []


@pytest.mark.parametrize(
    ("one", "other", "same"),
    [
        ("铁路投资", "铁路建设投资", True),
        ("地方专项债券", "地方政府专项债券", True),
        ("居民医保人均财政补助标准", "居民基本医保人均财政补助标准", True),
        ("财政赤字", "中央财政赤字", False),  # a word in front: another scope
        ("铁路投资", "公路投资", False),
        ("城镇调查失业率", "城镇登记失业率", False),
        ("国内生产总值", "单位国内生产总值能耗", False),
        ("铁路投资", "铁路投资", False),  # the same identity, not another wording
    ],
)
def test_an_indicator_worded_two_ways(one, other, same):
    def identity(subject: str) -> str:
        return track.identity("target", "国务院", subject) or ""

    assert track.same_indicator(identity(one), identity(other)) is same


def test_a_plan_target_and_the_years_are_not_one_indicator_worded_two_ways():
    plan = track.identity("target", "国务院", PLAN_KEY + "铁路建设投资") or ""
    year = track.identity("target", "国务院", "铁路投资") or ""
    assert not track.same_indicator(plan, year)


def test_an_increment_beside_the_same_value_is_no_change():
    def fields(raw_increment: str, increment: float) -> dict:
        value = {"raw": "2.38万亿元", "value": 2.38e12, "unit": "元", "role": "value"}
        step = {"raw": raw_increment, "value": increment, "unit": "元", "role": "increment"}
        return {"text": "财政赤字", "actor": "国务院", "quantities": [value, step], "periods": []}

    outcome = track.compare(fields("2000亿元", 2e11), fields("0元", 0.0), target=True)
    assert outcome.kind == "reaffirmed"
