"""Topic words: jieba's TF-IDF keywords, over jieba-rs's segmentation."""

import re

import jieba.analyse
import pytest

from monitor import words
from tests.measures.labelled import all_cases

_CASES = all_cases()


def _jieba_topic_words(title: str, body: str) -> tuple[str, ...]:
    """What jieba.analyse.extract_tags makes of the same text, numbers dropped alike."""
    text = title + "。" + body[: words.TOPIC_LEAD_CHARS]
    found = jieba.analyse.extract_tags(text, topK=words.TOPIC_COUNT)
    return tuple(w for w in found if not re.fullmatch(r"[\d.]+", w))


@pytest.mark.parametrize("case", _CASES, ids=[c.name for c in _CASES])
def test_topic_words_are_jiebas(case):
    title = case.paragraphs[0][:30]
    assert words.topic_words(title, case.text) == _jieba_topic_words(title, case.text)


def test_topic_words_rank_by_weight_and_drop_numbers():
    found = words.topic_words("科技", "发展科技，依靠科技，投入科技，完成2025个项目。")
    assert found[0] == "科技"  # four times, against once for every other word
    assert "2025" not in found


def test_keywords_of_text_without_words():
    assert words.keywords("。，、 ", 5) == []


@pytest.mark.parametrize(
    ("text", "noun"),
    [
        ("部门共同谋划", "部门"),
        ("专精特新企业达到", "专精特新企业"),
        ("国家级创新平台", "国家级创新平台"),
        ("绿色低碳试点城市", "绿色低碳试点城市"),
        ("共同推进", ""),
    ],
)
def test_leading_noun(text, noun):
    assert words.leading_noun(text) == noun
