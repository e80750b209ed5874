"""Targets: chapters of a document, five-year horizons, indicators worded two ways."""

import pytest

from monitor import track
from monitor.measures import extract_measures
from monitor.measures.targets import PLAN_KEY, find_sections
from monitor.outcomes import Outcome

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
        ("城乡居民医保财政补助", "居民基本医保人均财政补助", True),  # most of a long name
        ("家庭医生签约服务", "家庭医生签约服务和远程医疗", True),  # one of a list
        ("中央本级支出", "中央本级基础研究支出", False),  # a part of it
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
    assert outcome.kind == Outcome.REAFFIRMED


def _found(sentence: str) -> list[tuple[str, str]]:
    from monitor.measures.targets import find_targets

    return [(t.key, t.quantities[0][0].raw) for t in find_targets(sentence, True)]


def test_listed_indicators_take_their_figures_in_turn_or_one_for_all():
    assert _found("单位国内生产总值用水量、能耗、二氧化碳排放量分别下降23%、15%、18%。") == [
        ("单位国内生产总值用水量", "23%"),
        ("单位国内生产总值能耗", "15%"),  # too short alone: the head of the first part
        ("二氧化碳排放", "18%"),
    ]
    assert _found("化学需氧量、氨氮排放量要下降2%。") == [("化学需氧量", "2%"), ("氨氮排放", "2%")]
    assert _found("广义货币M2和社会融资规模余额预期增长均为12%左右。") == [
        ("广义货币M2", "12%左右"),
        ("社会融资规模余额", "12%左右"),
    ]


def test_words_of_one_indicator_or_verbs_listed_are_not_split():
    assert _found("全年再为企业和个人减税8000多亿元。") == [("企业和个人减税", "8000多亿元")]
    assert _found("中小企业宽带和专线平均资费再降10%。") == [("中小企业宽带和专线平均资费", "10%")]
    assert [key for key, _ in _found("要淘汰、停建、缓建煤电产能5000万千瓦以上。")] == [
        "淘汰、停建、缓建煤电产能"
    ]


def test_a_count_is_of_the_noun_after_it():
    assert _found("推进5万个行政村通光纤。") == [("行政村通光纤", "5万个行政村通光纤")]
    assert _found("再开工20项重大水利工程。") == [("重大水利工程", "20项")]
    assert _found("严守18亿亩耕地红线。") == [("耕地红线", "18亿亩")]


def test_an_indicator_after_the_comparison_and_transfers_to_local_governments():
    assert _found("今年将比改革前减轻企业和个人负担5000多亿元。") == [
        ("减轻企业和个人负担", "5000多亿元")
    ]
    assert _found("比去年预算低0.4个百分点。") == []
    assert _found("对地方一般性转移支付规模增长9.5%。") == [("一般性转移支付", "9.5%")]
    assert _found("中央对地方一般性转移支付增长10.9%。") == [("一般性转移支付", "10.9%")]
    assert _found("与有关方面等21个部门共同谋划。") == []


def test_a_later_clause_that_looks_back_does_not_make_a_sentence_a_report():
    from monitor.measures.targets import is_report

    assert not is_report("对地方一般性转移支付增长7.8%、增幅明显高于去年。")
    assert is_report("去年经济增长2.3%，就业形势总体稳定。")


def test_a_share_of_places_is_of_what_is_done_there():
    assert _found("在60%以上的县开展家庭医生签约服务。") == [("家庭医生签约服务", "60%以上")]
    assert _found("远程医疗服务扩大到90%的县。") == [("远程医疗服务", "90%")]


def test_a_short_indicator_opening_a_clause_measures_the_topic_before_it():
    assert _found("完善城乡居民大病保险制度，财政补助由每人每年20元提高到30元。") == [
        ("城乡居民大病保险财政补助", "30元")
    ]
    # named in full, or after a clause with figures of its own: no topic
    assert _found("深化医药卫生体制改革，基本公共卫生服务经费人均财政补助提高到79元。") == [
        ("基本公共卫生服务经费人均财政补助", "79元")
    ]
    assert _found("财政赤字2.7万亿元，赤字率3%左右。") == [
        ("财政赤字", "2.7万亿元"),
        ("赤字率", "3%左右"),
    ]
