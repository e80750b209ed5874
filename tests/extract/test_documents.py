"""Plain-text dumps of documents: reports and speeches with a title, dateline and speaker line,
and wiki-style dumps that break sentences over lines."""

from datetime import datetime

import pytest

from monitor.clock import CHINA_TZ
from monitor.extract import ArticleDraft, extract_article
from monitor.extract.article import CaptureInput
from monitor.extract.text import split_lines
from tests.conftest import GWR, gwr_report

DOCUMENT = (
    "2031年某市政府工作报告\n"
    "2031年1月8日\n"
    "\n"
    "——2031年1月8日在某市第十六届人民代表大会第五次会议上\n"
    "杭州市市长 王小明\n"
    "\n"
    "各位代表：\n"
    "\n"
    "现在，我代表市人民政府，向大会报告工作，请予审议。\n"
    "\n"
    "过去一年，全市地区生产总值增长5.1%，城镇新增就业12万人。\n"
    "{gap}\n"
    "今年主要预期目标是：地区生产总值增长5%左右；城镇新增就业11万人以上。\n"
    "\n"
    "我们要坚持稳中求进工作总基调，扎实做好各项工作。\n"
)


def _extract(data: str, origin: str = "report.txt") -> ArticleDraft:
    draft = extract_article(CaptureInput(data.encode(), "text/plain", origin))
    assert isinstance(draft, ArticleDraft), draft
    return draft


@pytest.mark.parametrize(
    "gap", ["", "\u200b", "\u2003", "\u3000\u3000", "\xa0", "\u200b\u2003 \t", "\ufeff"]
)
def test_a_line_of_spaces_of_any_kind_does_not_end_the_body(gap):
    draft = _extract(DOCUMENT.format(gap=gap))
    assert draft.body.startswith("现在，我代表市人民政府")
    assert draft.body.endswith("扎实做好各项工作。")


def test_a_document_dump_gives_its_title_date_and_speaker():
    draft = _extract(DOCUMENT.format(gap=""))
    assert draft.title == "2031年某市政府工作报告"
    assert not draft.title_derived
    assert draft.published_at == datetime(2031, 1, 8, tzinfo=CHINA_TZ)
    assert draft.speaker == ("王小明", "市长", "杭州市")


@pytest.mark.parametrize(
    ("lines", "joined"),
    [
        # a linked word on its own line, inside a sentence
        (
            "稳步发展。党的全会\n正式明确\n推进改革，取得成效。",
            "稳步发展。党的全会正式明确推进改革，取得成效。",
        ),
        # a subscript
        ("细颗粒物（PM\n2.5\n）浓度下降。", "细颗粒物（PM2.5）浓度下降。"),
        # a quoted term
        ("圆满完成，“\n十三五\n”实现了良好开局。", "圆满完成，“十三五”实现了良好开局。"),
        # a zero-width line where an inline element stood
        ("总值达到74.4\n\u200b\n万亿元。", "总值达到74.4万亿元。"),
    ],
)
def test_a_sentence_broken_over_lines_is_joined(lines, joined):
    assert split_lines(lines) == [joined]


@pytest.mark.parametrize(
    "lines",
    [
        "一、总体要求\n各地区要抓好落实。",  # a heading above its paragraph
        "推荐阅读\n藏羚羊的故事。\n2026-03-19 10:11\n通知明确试点工作。",  # a teaser list
        "首页\n党政\n社会\n国际",  # navigation
        "第一段说完了。\n\n第二段开始。",  # paragraphs
    ],
)
def test_lines_that_are_not_one_sentence_stay_apart(lines):
    assert len([line for line in split_lines(lines) if line]) == len(
        [line for line in lines.split("\n") if line]
    )


@pytest.mark.skipif(not GWR.is_dir(), reason=f"the reports are not here: {GWR}")
@pytest.mark.parametrize("year", [2016, 2017, 2018, 2019, 2021, 2022])
def test_government_work_reports_are_read_whole(year):
    draft = _extract(gwr_report(year).read_text(), f"gwr_{year}.txt")
    assert draft.title == f"{year}年政府工作报告"
    assert draft.published_at == datetime(year, 3, 5, tzinfo=CHINA_TZ)
    assert draft.speaker == ("李克强", "总理", "国务院")
    assert draft.body.startswith("现在，我代表国务院")
    # the whole report, its closing words included: nothing after a stray line is lost
    assert "主要预期目标是" in draft.body
    assert len(draft.body) > 15_000
