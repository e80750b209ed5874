"""What every stage runner shares."""

import gc
import threading

import pytest

from monitor.collector import FEWER_COLLECTIONS
from monitor.run import RunContext, StageResult, pending_batches, split_by_size, stage
from monitor.store.bulk import insert_rows


def test_a_stage_collects_cycles_less_often_and_gives_the_threshold_back():
    before = gc.get_threshold()
    seen = []

    @stage
    def inner(db, context):
        seen.append(gc.get_threshold())
        return StageResult("inner")

    @stage
    def outer(db, context):
        inner(db, context)
        seen.append(gc.get_threshold())
        return StageResult("outer")

    outer(None, RunContext())
    assert seen == [FEWER_COLLECTIONS, FEWER_COLLECTIONS]
    assert gc.get_threshold() == before
    assert outer.__name__ == "outer"


def test_the_threshold_comes_back_when_the_last_of_overlapping_stages_ends():
    before = gc.get_threshold()
    started, release = threading.Event(), threading.Event()

    @stage
    def waiting(db, context):
        started.set()
        release.wait(5)
        return StageResult("waiting")

    thread = threading.Thread(target=waiting, args=(None, RunContext()))
    thread.start()
    started.wait(5)

    @stage
    def failing(db, context):
        raise ValueError("bad page")

    with pytest.raises(ValueError):
        failing(None, RunContext())
    assert gc.get_threshold() == FEWER_COLLECTIONS  # the other stage is still running
    release.set()
    thread.join(5)
    assert gc.get_threshold() == before


def test_the_events_stage_inserts_a_batchs_new_events_in_one_statement(db, monkeypatch):
    from sqlalchemy import event as sa_event
    from sqlalchemy import func, select

    from bench.pages import generate_pages
    from monitor import pipeline
    from monitor.dedup import stage as dedup
    from monitor.store.models import Article, Event, EventArticle

    run_id = pipeline.begin_run(db, "test")
    context = RunContext(run_id=run_id)
    pipeline.store_captures(db, generate_pages(30), run_id)
    for step in pipeline.STAGES[:2]:  # extraction and copies
        step(db, context)
    inserts: list[str] = []  # INSERT statements (SQLite); PostgreSQL's COPY is the driver's
    written: list[int] = []  # rows of each insert_rows of events

    def record(conn, cursor, sql, *args):
        if sql.startswith("INSERT INTO events"):
            inserts.append(sql)

    def counted(session, model, rows):
        if model is Event:
            written.append(len(rows))
        insert_rows(session, model, rows)

    monkeypatch.setattr(dedup, "insert_rows", counted)
    sa_event.listen(db.engine, "before_cursor_execute", record)
    made = dedup.group_events_pending(db, context).counts["events"]
    sa_event.remove(db.engine, "before_cursor_execute", record)
    assert made > 5 and written == [made]  # one batch, one statement
    assert len(inserts) == (1 if db.engine.dialect.name == "sqlite" else 0)
    with db.sessions() as session:
        events = session.execute(select(Event.id, Event.created_at, Event.month_day)).all()
        placed = session.scalar(select(func.count()).select_from(EventArticle))
        done = session.scalar(select(func.count()).where(Article.event_done.is_(True)))
        members = set(session.scalars(select(EventArticle.event_id)))
    assert len(events) == made and all(created for _, created, _ in events)
    assert members == {event_id for event_id, _, _ in events}
    assert placed == done == 30


@pytest.mark.parametrize("failing", ["extract", "copies", "measures"])
def test_a_stage_that_fails_leaves_no_session_open(db, seed_captures, monkeypatch, failing):
    """The readers that feed the workers close each batch's session before handing it on: a
    stage that fails with its traceback kept (a task's failure is) leaves no connection in a
    transaction, which on PostgreSQL would hold its locks against a later schema change."""
    from monitor import pipeline
    from monitor.dedup import stage as dedup
    from monitor.extract import stage as capture
    from monitor.measures import stage as measure

    run_id = pipeline.begin_run(db, "test")
    context = RunContext(run_id=run_id, extract_workers=1)
    pipeline.store_captures(db, seed_captures, run_id)
    stages = {  # where each stage's batches are read, and a call of its loop that fails
        "extract": (capture, "extraction_batches", "_settle", pipeline.STAGES[0]),
        "copies": (dedup, "pending_batches", "find_copy", pipeline.STAGES[1]),
        "measures": (measure, "pending_batches", "_store_measures", pipeline.STAGES[3]),
    }
    module, batches, name, failing_stage = stages[failing]
    for runner in pipeline.STAGES[: pipeline.STAGES.index(failing_stage)]:
        runner(db, context)
    # an article a batch: the seeds' two then go through the workers' readers
    if batches == "pending_batches":
        monkeypatch.setattr(module, batches, lambda db, query: pending_batches(db, query, 1))
    else:
        whole = capture.extraction_batches
        monkeypatch.setattr(module, batches, lambda db: [[i] for b in whole(db) for i in b])

    def fail(*args, **kwargs):
        raise RuntimeError("a batch failed")

    monkeypatch.setattr(module, name, fail)
    with pytest.raises(RuntimeError) as failure:
        failing_stage(db, context)
    assert failure.traceback  # kept, with the stage's frames
    assert db.engine.pool.checkedout() == 0


def test_rows_inserted_at_once_read_back_as_the_orm_stores_them(db):
    """insert_rows (COPY on PostgreSQL, an executemany elsewhere) stores what the ORM would:
    aware datetimes, bytes, text with tabs, newlines, quotes and backslashes, JSON (None as JSON
    null), booleans, and the columns' Python-side defaults for what a row leaves out."""
    from datetime import UTC, datetime, timedelta, timezone

    from sqlalchemy import func, select, text

    from monitor.store.models import Article, Capture

    at = datetime(2021, 1, 20, 13, 38, tzinfo=timezone(timedelta(hours=8)))
    common = {"source": "test", "media_type": "text/html", "captured_at": at}
    with db.transaction() as session:
        session.add(Capture(sha256="a" * 64, origin="orm", size=3, raw=b"\x00\xff'", **common))
        session.flush()
        rows = [
            {"sha256": "b" * 64, "origin": "tab\tline\nquote'\\", "size": 3, "raw": b"\x00\xff'"}
            | common,
            {"sha256": "c" * 64, "origin": "通知", "size": 0, "raw": b""} | common,
        ]
        insert_rows(session, Capture, rows)
    with db.transaction() as session:
        captures = {c.origin: c for c in session.scalars(select(Capture))}
        orm = Article(
            capture_id=captures["orm"].id,
            title="t",
            body="b",
            body_sha256="0" * 64,
            extractor="x",
            features=None,
        )
        session.add(orm)
        session.flush()
        article_rows = [
            {
                "capture_id": captures[origin].id,
                "title": "标题",
                "body": "正文",
                "body_sha256": "1" * 64,
                "extractor": "x",
                "published_at": at,
                "features": features,
            }
            for origin, features in (("通知", None), ("tab\tline\nquote'\\", {"topics": ["会议"]}))
        ]
        insert_rows(session, Article, article_rows)
    with db.sessions() as session:
        captures = {c.origin: c for c in session.scalars(select(Capture))}
        articles = {a.capture_id: a for a in session.scalars(select(Article))}
        json_nulls = session.scalar(
            select(func.count()).where(text("features IS NOT NULL")).select_from(Article)
        )
        # the stored datetimes are the ORM's to the character (SQLite keeps them as text)
        stored_at = set(session.scalars(text("SELECT CAST(captured_at AS TEXT) FROM captures")))
    assert set(captures) == {"orm", "tab\tline\nquote'\\", "通知"}
    assert len(stored_at) == 1
    for origin, capture in captures.items():
        assert capture.captured_at == at and capture.captured_at.tzinfo == UTC
        assert capture.status == "new"  # the column's default
        assert abs(capture.stored_at - datetime.now(UTC)) < timedelta(minutes=5)
        assert capture.raw == (b"" if origin == "通知" else b"\x00\xff'")
    assert articles[captures["通知"].id].features is None
    assert articles[captures["tab\tline\nquote'\\"].id].features == {"topics": ["会议"]}
    assert articles[captures["通知"].id].published_at == at
    for article in articles.values():
        assert article.title_derived is False and article.dedup_done is False
        assert article.created_at is not None
    # None went in as the ORM writes it: as JSON null, in every row alike
    assert json_nulls == 3


def test_statistics_are_refreshed_as_a_stages_tables_double(monkeypatch):
    from monitor import run as stages

    refreshed: list[tuple[str, ...]] = []
    monkeypatch.setattr(
        stages, "refresh_statistics", lambda session, tables: refreshed.append(tables)
    )
    for number in range(1, 10):
        stages.keep_statistics(None, number, (f"t{number}",))  # type: ignore[arg-type]
    assert refreshed == [("t1",), ("t2",), ("t4",), ("t8",)]


def test_the_stages_leave_postgresql_statistics_of_what_they_look_up(db):
    from sqlalchemy import text

    from bench.pages import generate_pages
    from monitor import pipeline

    run_id = pipeline.begin_run(db, "test")
    context = RunContext(run_id=run_id)
    pipeline.store_captures(db, generate_pages(30), run_id)
    for step in pipeline.STAGES:
        step(db, context)
    if db.engine.dialect.name != "postgresql":
        return  # SQLite's planner needs none
    with db.sessions() as session:
        estimates = dict(
            session.execute(
                text(
                    "select relname, reltuples from pg_class where relname in "
                    "('copies', 'event_articles', 'events', 'measures', 'commitments')"
                )
            ).all()
        )
    # -1: never sampled, which the planner takes for an empty table
    assert len(estimates) == 5 and all(rows >= 0 for rows in estimates.values())


def test_batches_hold_a_bounded_number_of_bytes_and_a_big_item_goes_alone():
    sized = [("a", 10), ("b", 30), ("c", 5), ("d", 100), ("e", 1), ("f", 1), ("g", 1)]
    assert list(split_by_size(sized, size=2, budget=32)) == [
        ["a"],
        ["b"],
        ["c"],
        ["d"],  # over the budget alone
        ["e", "f"],
        ["g"],
    ]


def test_big_captures_are_stored_and_extracted_in_batches_within_the_byte_budget(db, monkeypatch):
    from monitor import run as stages
    from monitor.extract import stage as capture
    from monitor.pipeline import run_pipeline
    from monitor.sources import RawCapture
    from monitor.sources import stage as storage

    monkeypatch.setattr(stages, "BATCH_BYTES", 20_000)
    page = "<html><body><p>" + "国务院新闻办公室举行新闻发布会。" * 400 + "</p></body></html>"
    items = [
        RawCapture("test", f"https://example.org/{n}.html", f"{n}{page}".encode(), "text/html")
        for n in range(6)
    ]
    stored: list[int] = []
    store_batch = storage._store_batch

    def counting(db, batch, run_id, result):
        stored.append(sum(len(item.data) for item in batch))
        store_batch(db, batch, run_id, result)

    monkeypatch.setattr(storage, "_store_batch", counting)
    batches: list[list[int]] = []
    extraction_batches = capture.extraction_batches
    monkeypatch.setattr(
        capture, "extraction_batches", lambda db: batches.extend(extraction_batches(db)) or batches
    )
    counts = run_pipeline(db, items, "test")
    assert counts["captures"] == 6
    assert len(stored) == len(batches) == 6 and max(stored) <= 20_000  # 19 KB each: one a batch
