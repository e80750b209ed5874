"""The 11 measures of the seeds with the fields EXPECTED.md gives."""

from itertools import pairwise

import pytest

from monitor.extract import extract_article
from monitor.extract.article import CaptureInput
from monitor.measures import MeasureDraft, extract_measures
from tests.conftest import GLOBAL_SEED, PEOPLE_SEED


def _measures(path) -> list[MeasureDraft]:
    draft = extract_article(CaptureInput(path.read_bytes(), "text/plain", str(path)))
    return extract_measures(draft.body, "科技部", 2021)


def test_guangming_has_six_measures_first_to_sixth():
    measures = _measures(GLOBAL_SEED)
    assert [m.marker.rstrip(",，") for m in measures] == [
        "第一",
        "第二",
        "第三",
        "第四",
        "第五",
        "第六",
    ]
    assert measures[0].text.startswith("第一,支持北京打造以国家实验室为龙头的战略科技力量")
    assert measures[1].text.startswith("第二,支持北京深化科技体制改革")
    assert measures[2].text.startswith("第三,支持北京科技抗疫")
    assert measures[3].text.startswith("第四,支持北京建设国际人才引进的平台")
    assert measures[4].text.startswith("第五,与北京市联合实施两个专项行动计划")
    assert measures[5].text.startswith(
        "第六,和北京市一起继续推动中关村论坛往高端化、国际化和前沿化方向发展"
    )


@pytest.mark.parametrize("path", [GLOBAL_SEED, PEOPLE_SEED])
def test_an_item_ends_where_the_next_begins(path):
    measures = _measures(path)
    for measure, following in pairwise(measures):
        assert following.marker not in measure.text
        assert measure.text.endswith("。")


def test_guangming_first_measure_figures_are_thirteenth_plan_achievements():
    first = _measures(GLOBAL_SEED)[0]
    figures = {q["raw"]: q for q in first.quantities}
    assert set(figures) == {"近600个项目", "170多亿元", "1980个项目", "400多亿元"}
    assert (figures["近600个项目"]["value"], figures["近600个项目"]["qualifier"]) == (600, "nearly")
    assert (figures["170多亿元"]["value"], figures["170多亿元"]["qualifier"]) == (1.7e10, "over")
    assert figures["170多亿元"]["unit"] == "元"
    assert (figures["1980个项目"]["value"], figures["1980个项目"]["unit"]) == (1980, "项目")
    assert (figures["400多亿元"]["value"], figures["400多亿元"]["qualifier"]) == (4e10, "over")
    assert {q["kind"] for q in first.quantities} == {"achievement"}
    assert [(p["raw"], p["start"], p["end"]) for p in first.periods] == [("十三五", 2016, 2020)]
    assert first.kind == "commitment"


def test_guangming_fields():
    measures = _measures(GLOBAL_SEED)
    assert all(m.actor == "科技部" for m in measures)
    assert [q["value"] for q in measures[4].quantities] == [2]
    assert measures[4].action == "联合实施"
    assert any(p["raw"] == "2020年" for p in measures[1].periods)


def test_people_has_five_measures_each_building_a_force():
    measures = _measures(PEOPLE_SEED)
    assert [m.marker for m in measures] == ["一是", "二是", "三是", "四是", "五是"]
    assert [m.object for m in measures] == ["牵引力", "原创力", "新动力", "吸引力", "影响力"]
    assert {m.action for m in measures} == {"构建"}
    assert "国家实验室" in measures[0].text
    assert all(word in measures[1].text for word in ("量子信息", "人工智能", "区块链", "生命健康"))
    assert measures[4].text.endswith("全球性问题联合研究。")
    assert {m.kind for m in measures} == {"commitment"}


@pytest.mark.parametrize("path", [GLOBAL_SEED, PEOPLE_SEED])
def test_masked_hashes_are_distinct_within_an_article(path):
    measures = _measures(path)
    assert len({m.masked_sha256 for m in measures}) == len(measures)
