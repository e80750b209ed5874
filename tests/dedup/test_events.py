"""Event features and scoring."""

import random
import re

from monitor import orgs
from monitor.dedup import events as ev
from monitor.extract import extract_article
from monitor.extract.article import CaptureInput
from tests.conftest import GLOBAL_SEED, PEOPLE_SEED
from tests.dedup import corpus


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


# What _speaker_mentions must find: this regex's matches (it is slow on long bodies).
_SPEAKER = re.compile(
    rf"(?P<prefix>[\u4e00-\u9fa5]{{0,12}}?)(?P<title>{orgs.OFFICIAL_TITLES})"
    r"(?P<name>[\u4e00-\u9fa5]{2,3}?)(?=表示|介绍|说|指出|强调|称|透露|回答|答|在)"
)


def test_speakers_are_what_the_speaker_regex_finds():
    rng = random.Random(corpus.SEED)
    bodies = [r.body for r in corpus.event_reports(rng)]
    for path in (GLOBAL_SEED, PEOPLE_SEED):
        bodies.append(extract_article(CaptureInput(path.read_bytes(), "text/plain", "")).body)
    bodies += [
        "科技部副部长李萌表示,国家发展改革委副主任宁吉喆介绍。",  # one after another
        "中华人民共和国科学技术部党组书记部长王志刚说",  # more than 12 characters before
        "2021年部长王志刚说,ABC副市长张三表示",  # a run that is not Chinese
        "局长局长王五说副部长副部长赵六在",  # titles in the prefix
        "据新闻发言人发言人陈七称,负责人周八答",
    ]
    pieces = ["部长", "副", "王志刚", "说", "科技部", "表示", "市", "长", "张", "在", ",", "A"]
    bodies += ["".join(rng.choices(pieces, k=40)) for _ in range(300)]
    for body in bodies:
        expected = [m.group("prefix", "title", "name") for m in _SPEAKER.finditer(body)]
        assert list(ev._speaker_mentions(body)) == expected, body


def _report(year, month, day):
    speaker = ev.Speaker("王志刚", "部长", "科技部")
    return ev.EventFeatures(month, day, year, (speaker,), ("国务院新闻办公室",), ("科技", "创新"))


def test_events_days_apart_across_a_new_year_or_29_february_are_found():
    for event, report in [
        (_report(2020, 12, 31), _report(2021, 1, 1)),
        (_report(2021, 3, 2), _report(2021, 2, 28)),  # two days apart, three in a leap year
        (_report(2024, 2, 29), _report(2024, 3, 2)),
        (_report(None, 12, 29), _report(2021, 12, 31)),  # a missing year: month and day
    ]:
        index = ev.EventIndex()
        index.put(7, event)
        assert index.best(report) == (7, 1.0)
    index = ev.EventIndex()
    index.put(7, _report(2021, 3, 4))
    assert index.best(_report(2021, 2, 28)) is None  # four days apart


def test_a_dated_report_is_scored_against_its_own_years_events_and_yearless_ones():
    index = ev.EventIndex()
    for event_id, year in enumerate((2019, 2020, 2021, None)):
        index.put(event_id, _report(year, 1, 20))
    assert index._near(_report(2020, 1, 21)) == {1, 3}
    assert index._near(_report(None, 1, 21)) == {0, 1, 2, 3}  # a year-less date: any year's
    assert index._near(_report(2023, 2, 29)) == set()  # no such day


def test_every_event_whose_date_is_close_to_a_report_is_among_those_scored():
    rng = random.Random(20)

    def draw():
        year = rng.choice((None, 2019, 2020, 2021))
        return _report(year, rng.choice((1, 2, 3, 12)), rng.choice((1, 2, 27, 28, 29, 30, 31)))

    index, stored = ev.EventIndex(), {}
    for event_id in range(400):
        features = draw()
        stored[event_id] = features
        index.put(event_id, features)
    for event_id in range(0, 400, 3):  # moved, as a merge moves an event to an earlier date
        stored[event_id] = draw()
        index.put(event_id, stored[event_id])
    for event_id in range(1, 400, 7):
        index.drop(event_id)
        del stored[event_id]
    for _ in range(400):
        report = draw()
        close = {i for i, features in stored.items() if ev.dates_close(report, features)}
        near = index._near(report)
        assert close <= near
        if report.year is not None:  # and no event of another year is scored
            assert all(
                stored[i].year in (None, report.year - 1, report.year, report.year + 1)
                for i in near
            )


def test_the_best_event_is_the_best_scoring_of_all_known_ones():
    rng = random.Random(21)
    names, venues = ("王志刚", "李萌", "宁吉喆", "张三"), ("国务院新闻办公室", "外交部", "商务部")
    topics = ("科技", "创新", "农业", "能源", "数字", "制造", "投资", "改革")

    def draw():
        speakers = tuple(ev.Speaker(n, "部长", None) for n in rng.sample(names, rng.randint(0, 2)))
        return ev.EventFeatures(
            rng.choice((1, 2)),
            rng.choice((1, 2, 3, 28)),
            rng.choice((None, 2020, 2021)),
            speakers,
            tuple(rng.sample(venues, rng.randint(0, 1))),
            tuple(rng.sample(topics, rng.randint(0, 6))),
        )

    # topic words alone cannot reach the join score: only events sharing a speaker or a venue
    # are scored
    assert ev._WEIGHTS["topics"] < ev.JOIN_SCORE
    index, stored = ev.EventIndex(), {}
    for event_id in range(300):
        stored[event_id] = draw()
        index.put(event_id, stored[event_id])
    joined = 0
    for _ in range(500):
        report = draw()
        best = max((ev.score(report, f), i) for i, f in stored.items())
        expected = (best[1], best[0]) if best[0] >= ev.JOIN_SCORE else None
        assert index.best(report) == expected
        joined += expected is not None
    assert joined > 50
