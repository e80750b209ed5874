"""Event features and scoring."""

from monitor.dedup import events as ev
from monitor.extract import extract_article
from monitor.extract.article import CaptureInput
from tests.conftest import GLOBAL_SEED, PEOPLE_SEED


def _features(path):
    draft = extract_article(CaptureInput(path.read_bytes(), "text/plain", str(path)))
    when = (draft.published.year, draft.published.month, draft.published.day)
    return ev.event_features(draft.title, draft.body, when)


def test_seed_features_name_speaker_venue_and_date():
    features = _features(GLOBAL_SEED)
    assert ev.Speaker("李萌", "副部长", "科技部") in features.speakers
    assert features.venues == ("国务院新闻办公室",)
    assert (features.year, features.month, features.day) == (2021, 1, 20)
    assert features.speaker_org == "科技部"


def test_venue_short_forms_are_one_venue():
    # 光明网 writes 国新办, 人民网 国务院新闻办公室
    assert _features(GLOBAL_SEED).venues == _features(PEOPLE_SEED).venues


def test_the_two_seeds_are_one_event():
    assert ev.score(_features(GLOBAL_SEED), _features(PEOPLE_SEED)) >= ev.JOIN_SCORE


def test_same_speaker_and_topic_a_month_later_is_another_event():
    later = _features(GLOBAL_SEED)
    later = ev.EventFeatures(2, 25, 2021, later.speakers, later.venues, later.topics)
    assert ev.score(_features(PEOPLE_SEED), later) == 0.0


def test_unrelated_article_of_the_same_day_is_another_event():
    other = ev.event_features(
        "国家能源局发布1月全社会用电量",
        "新华社北京1月20日电 国家能源局20日发布数据，1月全社会用电量同比增长，"
        "其中第二产业用电量增长较快。",
        (2021, 1, 20),
    )
    assert ev.score(_features(GLOBAL_SEED), other) < ev.JOIN_SCORE


def test_merge_keeps_the_earliest_full_date():
    merged = ev.merge(_features(PEOPLE_SEED), _features(GLOBAL_SEED))
    assert (merged.year, merged.month, merged.day) == (2021, 1, 20)
