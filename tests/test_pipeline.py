"""The whole pipeline on the seeds, on SQLite and PostgreSQL: counts, idempotence, copies,
changes, and bad input."""

from dataclasses import replace
from datetime import date, datetime

from sqlalchemy import func, select

from monitor.clock import CHINA_TZ
from monitor.pipeline import run_pipeline
from monitor.sources import RawCapture, SourceFailure
from monitor.store.models import Article, Capture, Change, Commitment, Event, Failure, Measure
from monitor.store.queries import list_changes, list_events


def _count(db, model) -> int:
    with db.sessions() as session:
        return session.scalar(select(func.count()).select_from(model))


def _variant(capture: RawCapture, old: str, new: str, name: str) -> RawCapture:
    text = capture.data.decode("utf-8")
    assert old in text
    return RawCapture(
        capture.source, name, text.replace(old, new).encode("utf-8"), capture.media_type
    )


def test_seeds_give_two_articles_one_event_eleven_new(db, seed_captures):
    counts = run_pipeline(db, seed_captures, "test")
    assert {
        k: counts.get(k, 0)
        for k in (
            "captures",
            "captures_new",
            "articles",
            "copies",
            "events",
            "measures",
            "NEW",
            "CHANGED",
            "failures",
        )
    } == {
        "captures": 2,
        "captures_new": 2,
        "articles": 2,
        "copies": 0,
        "events": 1,
        "measures": 11,
        "NEW": 11,
        "CHANGED": 0,
        "failures": 0,
    }
    with db.sessions() as session:
        (event,) = list_events(session)
    assert event["date"] == "2021-01-20"
    assert {a["outlet"] for a in event["articles"]} == {"光明网", "人民网"}


def test_the_event_gives_the_year_to_the_undated_report(db, seed_captures):
    run_pipeline(db, seed_captures, "test")
    with db.sessions() as session:
        people = session.scalars(select(Article).where(Article.outlet == "人民网")).one()
        event = session.scalars(select(Event)).one()
    assert people.date_source == "event"
    assert people.published_at == datetime(2021, 1, 20, tzinfo=CHINA_TZ)
    assert event.day == date(2021, 1, 20)
    assert people.date_text == "--01-20"


def test_an_event_a_copy_leaves_takes_the_headline_of_the_members_it_keeps(db, seed_captures):
    guangming, people = seed_captures
    # both write-ups republished on 5 March: one event of that day, headed by the first one
    republished = _variant(guangming, "2021-01-20 13:38", "2021-03-05 09:00", "march-gm.txt")
    republished = _variant(republished, "1月20日,", "3月5日,", "march-gm.txt")
    march_people = _variant(people, "1月20日电", "3月5日电", "march-people.txt")
    march_people = _variant(march_people, "20日上午", "5日上午", "march-people.txt")
    run_pipeline(db, [republished, march_people], "test")
    # the January original arrives: the republished copy follows it into its own event
    counts = run_pipeline(db, [guangming], "test")
    assert counts["copies"] == 1
    with db.sessions() as session:
        events = {e["date"]: e for e in list_events(session)}
        people_title = session.scalars(
            select(Article.title).where(Article.outlet == "人民网")
        ).one()
    assert set(events) == {"2021-01-20", "2021-03-05"}
    assert {a["origin"] for a in events["2021-01-20"]["articles"]} == {
        guangming.origin,
        "march-gm.txt",
    }
    assert [a["origin"] for a in events["2021-03-05"]["articles"]] == ["march-people.txt"]
    assert events["2021-03-05"]["title"] == people_title


def test_running_again_changes_nothing(db, seed_captures):
    run_pipeline(db, seed_captures, "test")
    before = {m: _count(db, m) for m in (Capture, Article, Event, Measure, Commitment, Change)}
    counts = run_pipeline(db, seed_captures, "test")
    assert counts.get("captures_new", 0) == 0
    assert counts.get("NEW", 0) == counts.get("CHANGED", 0) == 0
    assert {m: _count(db, m) for m in before} == before


def test_the_same_page_twice_in_one_batch_and_again_later_is_stored_once(db, seed_captures):
    from monitor.sources.stage import store_captures

    first, second = seed_captures
    again = replace(first, origin="elsewhere.txt")  # the same bytes from another address
    counts = store_captures(db, [first, again, second, first], None).counts
    assert (counts["captures"], counts["captures_new"]) == (4, 2)
    counts = store_captures(db, [second, again], None).counts
    assert (counts["captures"], counts.get("captures_new", 0)) == (2, 0)
    assert _count(db, Capture) == 2
    with db.sessions() as session:
        stored = session.execute(select(Capture.origin, Capture.status, Capture.stored_at)).all()
    assert {origin for origin, _, _ in stored} == {first.origin, second.origin}
    assert all(status == "new" and at.tzinfo is not None for _, status, at in stored)


def test_recapture_with_other_boilerplate_is_a_copy_and_flags_nothing(db, seed_captures):
    run_pipeline(db, seed_captures, "test")
    guangming = next(c for c in seed_captures if c.origin.endswith("000_42e4a6355bcb619a.txt"))
    recapture = _variant(guangming, "视觉焦点", "热点专题\n今日要闻", "recapture.txt")
    counts = run_pipeline(db, [recapture], "test")
    assert counts["captures_new"] == 1
    assert counts["copies"] == 1
    assert counts.get("NEW", 0) == counts.get("CHANGED", 0) == 0
    assert _count(db, Commitment) == 11


def test_copy_with_a_few_characters_changed_outside_measures_flags_nothing(db, seed_captures):
    run_pipeline(db, seed_captures, "test")
    people = next(c for c in seed_captures if c.origin.endswith("001_72ddc1701e8a334b.txt"))
    edited = _variant(
        people, "在实现科技自立自强中承担重要使命", "在实现科技自立自强中担负重要使命", "edited.txt"
    )
    counts = run_pipeline(db, [edited], "test")
    assert counts["copies"] == 1
    assert counts.get("NEW", 0) == counts.get("CHANGED", 0) == 0


def test_a_changed_figure_flags_that_commitment_changed(db, seed_captures):
    run_pipeline(db, seed_captures, "test")
    guangming = next(c for c in seed_captures if c.origin.endswith("000_42e4a6355bcb619a.txt"))
    changed = _variant(guangming, "170多亿元", "190多亿元", "later.txt")
    counts = run_pipeline(db, [changed], "test")
    assert counts.get("CHANGED") == 1
    assert counts.get("NEW", 0) == 0
    with db.sessions() as session:
        (change,) = [c for c in list_changes(session) if c["kind"] == "CHANGED"]
    assert change["before"] == {
        "quantities[1]": {
            "raw": "170多亿元",
            "value": 1.7e10,
            "unit": "元",
            "qualifier": "over",
            "upper": None,
            "role": None,
        }
    }
    assert change["after"]["quantities[1]"]["raw"] == "190多亿元"
    assert change["after"]["quantities[1]"]["value"] == 1.9e10
    assert change["text"].startswith("第一,")
    assert len(change["sources"]) == 2


def test_a_figure_too_large_for_a_number_is_no_quantity_and_the_run_goes_on(db, seed_captures):
    """float() of a 400-digit figure is infinite, which JSON cannot hold (PostgreSQL refused
    the whole batch of measures)."""
    guangming = next(c for c in seed_captures if c.origin.endswith("000_42e4a6355bcb619a.txt"))
    huge = _variant(guangming, "近600个项目", "近" + "6" * 400 + "个项目", "huge.txt")
    counts = run_pipeline(db, [huge], "test")
    assert counts["measures"] == 6
    with db.sessions() as session:
        (first,) = session.scalars(select(Measure).where(Measure.text.startswith("第一,")))
    assert [q["raw"] for q in first.quantities] == ["170多亿元", "1980个项目", "400多亿元"]


def test_bad_input_is_recorded_and_the_run_goes_on(db, seed_captures):
    bad = [
        RawCapture("test", "empty.txt", b"", "text/plain"),
        RawCapture("test", "image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00", "text/plain"),
        SourceFailure("test", "missing.txt", "cannot read file: No such file or directory"),
    ]
    counts = run_pipeline(db, [*bad, *seed_captures], "test")
    assert counts["articles"] == 2
    assert counts["NEW"] == 11
    assert counts["failures"] == 3
    with db.sessions() as session:
        reasons = {f.origin: f.reason for f in session.scalars(select(Failure))}
    assert reasons["empty.txt"] == "empty capture"
    assert reasons["image.txt"].startswith("binary content")
    assert "No such file" in reasons["missing.txt"]


def test_raw_bytes_are_kept_unchanged_and_content_addressed(db, seed_captures):
    twice = [*seed_captures, replace(seed_captures[0])]
    run_pipeline(db, twice, "test")
    with db.sessions() as session:
        stored = {c.sha256: c.raw for c in session.scalars(select(Capture))}
    assert stored == {c.sha256: c.data for c in seed_captures}


def test_copies_are_found_through_a_redis_index_across_runs(db, seed_captures):
    import redis

    from tests.dedup.test_copies import REDIS_URL

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        import pytest

        pytest.skip(f"Redis not reachable at {REDIS_URL}: {exc}")
    run_pipeline(db, seed_captures, "test", redis_url=REDIS_URL)
    guangming = next(c for c in seed_captures if c.origin.endswith("000_42e4a6355bcb619a.txt"))
    recapture = _variant(guangming, "视觉焦点", "热点专题", "recapture.txt")
    counts = run_pipeline(db, [recapture], "test", redis_url=REDIS_URL)
    assert counts["copies"] == 1
    assert counts.get("NEW", 0) == 0


def test_digest_reads_in_chunks_of_ids_give_what_one_read_gives(db, seed_captures, monkeypatch):
    from monitor.store import queries

    guangming = next(c for c in seed_captures if c.origin.endswith("000_42e4a6355bcb619a.txt"))
    march = _variant(guangming, "2021-01-20 13:38", "2021-03-05 09:00", "march.txt")
    march = _variant(march, "170多亿元", "190多亿元", "march.txt")
    run_pipeline(db, seed_captures, "test")
    run_pipeline(db, [march], "test")
    with db.sessions() as session:
        changes = list_changes(session, undelivered_only=True)
        events = list_events(session)
        monkeypatch.setattr(queries, "_IN_CHUNK", 2)  # eleven commitments: six reads each
        assert list_changes(session, undelivered_only=True) == changes
        assert list_events(session, {c["event_id"] for c in changes} | {None}) == [
            e for e in events if e["id"] in {c["event_id"] for c in changes}
        ]
    assert any(c["kind"] == "CHANGED" and c["before_published_at"] for c in changes)
    assert len({c["commitment_id"] for c in changes}) > 2
