"""The plain-text extractor on the two seed captures, as ../shared/seeds/EXPECTED.md says."""

from datetime import datetime

import pytest

from monitor.clock import CHINA_TZ
from monitor.extract import ArticleDraft, extract_article
from monitor.extract.article import CaptureInput
from tests.conftest import GLOBAL_SEED, PEOPLE_SEED


def _extract(path) -> ArticleDraft:
    draft = extract_article(CaptureInput(path.read_bytes(), "text/plain", str(path)))
    assert isinstance(draft, ArticleDraft), draft
    return draft


def test_guangming_metadata():
    draft = _extract(GLOBAL_SEED)
    assert draft.outlet == "光明网"
    assert draft.original_source is None
    assert draft.title == "科技部:多措并举支持北京国际科技创新中心的建设"
    assert not draft.title_derived
    assert draft.published_at == datetime(2021, 1, 20, 13, 38, tzinfo=CHINA_TZ)
    assert draft.reporter == "杨亚楠"
    assert draft.editor == "陶媛"


def test_guangming_body_boundaries():
    body = _extract(GLOBAL_SEED).body
    assert body.startswith("光明网讯(记者 杨亚楠)1月20日")
    assert body.endswith("高端科技交流与合作平台。")


@pytest.mark.parametrize(
    "chrome",
    [
        "微信好友",
        "请使用浏览器分享功能",
        "相关阅读",
        "开心",
        "难过",
        "点赞",
        "飘过",
        "推荐阅读",
        "藏羚羊",
        "氢能",
        "地热",
        "2026",
        "加载更多",
        "[ 责编:陶媛 ]",
        "阅读剩余全文",
        "调查问题",
    ],
)
def test_guangming_body_has_no_chrome(chrome):
    assert chrome not in _extract(GLOBAL_SEED).body


def test_guangming_date_is_the_article_not_the_teasers():
    # the teaser list carries 2026-03 timestamps; the article is of 2021
    assert _extract(GLOBAL_SEED).published.year == 2021


def test_people_metadata():
    draft = _extract(PEOPLE_SEED)
    assert draft.outlet == "人民网"
    assert draft.original_source is None
    assert draft.reporter == "赵竹青"
    assert draft.editor == "赵竹青、章斐然"
    # the dateline gives month and day only; the year comes from the event later
    assert (draft.published.month, draft.published.day, draft.published.year) == (1, 20, None)
    assert draft.published.text == "--01-20"


def test_people_title_is_derived_from_the_story_not_navigation():
    draft = _extract(PEOPLE_SEED)
    assert draft.title_derived
    assert "国务院新闻办公室" in draft.title
    for nav in ("首页", "人民网", "党政", "摄"):
        assert nav not in draft.title


def test_people_body_boundaries():
    body = _extract(PEOPLE_SEED).body
    assert body.startswith("人民网北京1月20日电")
    assert body.endswith("李萌说。")


@pytest.mark.parametrize(
    "chrome",
    [
        "首页",
        "党政",
        "毛主席纪念堂",
        "人民日报报系",
        "微信微博快手",
        "关注人民网",
        "责编",
        "分享让更多人看到",
        "传播正能量",
    ],
)
def test_people_body_has_no_chrome(chrome):
    assert chrome not in _extract(PEOPLE_SEED).body
