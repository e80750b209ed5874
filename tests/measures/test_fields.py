"""Quantities, periods and list segmentation on small texts."""

import pytest

from monitor.measures.fields import find_periods, find_quantities
from monitor.measures.segment import find_items


@pytest.mark.parametrize(
    ("text", "raw", "value", "unit", "qualifier"),
    [
        ("支持北京近600个项目", "近600个项目", 600, "项目", "nearly"),
        ("财政资金达170多亿元", "170多亿元", 1.7e10, "元", "over"),
        ("与21个部门共同谋划", "21个部门", 21, "部门", None),
        ("实施两个专项行动计划", "两个专项行动计划", 2, "专项行动计划", None),
        ("投入约3.5亿元", "约3.5亿元", 3.5e8, "元", "about"),
        ("新增就业超过1100万人", "超过1100万人", 1.1e7, "人", "over"),
        ("建设二十个示范区", "二十个示范区", 20, "示范区", None),
    ],
)
def test_quantities(text, raw, value, unit, qualifier):
    (quantity,) = find_quantities(text)
    assert (quantity.raw, quantity.value, quantity.unit, quantity.qualifier) == (
        raw,
        value,
        unit,
        qualifier,
    )


@pytest.mark.parametrize("figure", ["9" * 400 + "个项目", "9" * 300 + "万亿元"])
def test_a_figure_no_number_can_hold_is_no_quantity(figure):
    assert find_quantities(f"支持{figure}，投入约3.5亿元") == find_quantities("投入约3.5亿元")


@pytest.mark.parametrize(
    "text",
    ["建立了全国第一个颠覆性技术创新基金", "按照“四个面向”的要求", "培育一批世界一流新型研发机构"],
)
def test_ordinals_slogans_and_articles_are_not_quantities(text):
    assert find_quantities(text) == []


@pytest.mark.parametrize(
    ("text", "raw", "kind", "start", "end"),
    [
        ("“十三五”期间", "十三五", "plan", 2016, 2020),
        ("实施“十四五”行动计划", "十四五", "plan", 2021, 2025),
        ("到2025年基本建成", "2025年", "deadline", 2025, 2025),
        ("2020年开展试点", "2020年", "year", 2020, 2020),
    ],
)
def test_periods(text, raw, kind, start, end):
    (period,) = find_periods(text)
    assert (period.raw, period.kind, period.start, period.end) == (raw, kind, start, end)


def test_year_end_deadline_takes_the_publication_year():
    (period,) = find_periods("年底前完成全部改造", reference_year=2021)
    assert (period.kind, period.start) == ("deadline", 2021)


@pytest.mark.parametrize(
    ("body", "markers"),
    [
        ("一是加强A。二是推进B。三是完善C。", ["一是", "二是", "三是"]),
        ("（一）总体要求\n内容。\n（二）主要任务\n内容。", ["（一）", "（二）"]),
        ("一、加强领导\n二、狠抓落实", ["一、", "二、"]),
        ("1. 加强领导\n2. 狠抓落实\n3. 强化保障", ["1.", "2.", "3."]),
        ("首先，统一思想。其次，明确任务。最后，抓好落实。", ["首先，", "其次，", "最后，"]),
    ],
)
def test_list_families(body, markers):
    assert [item.marker for item in find_items(body)] == markers


def test_a_lone_marker_is_not_a_list():
    assert find_items("他是全国第一个提出这一方案的人。统一是前提，第一，要落实。") == []


@pytest.mark.parametrize(
    ("body", "markers"),
    [
        # after a paragraph's start or a sentence's end, spaces or tabs between
        ("\t 一是加强A；  二是推进B。", ["一是", "二是"]),
        ("第一，加强A。\n  第二，推进B。", ["第一，", "第二，"]),
        ("见下：(1)加强A；(2)推进B。", ["(1)", "(2)"]),
        # inside a word or a number: no marker
        ("统一是前提；二是推进B。", []),
        ("会上第一，加强A。第二，推进B。", []),
        ("材料x(1)y；(2)z。", []),
    ],
)
def test_a_marker_stands_at_a_paragraphs_or_sentences_start(body, markers):
    assert [item.marker for item in find_items(body)] == markers


def test_a_year_or_year_end_after_a_figure_is_no_period():
    assert find_periods("编号12020年度", reference_year=2021) == []
    assert find_periods("编号２2020年", reference_year=2021) == []  # a full-width digit
    assert [p.raw for p in find_periods("五年内建成，年内开工", reference_year=2021)] == ["年内"]
    assert [p.raw for p in find_periods("十四五时期，五年规划")] == ["十四五"]
