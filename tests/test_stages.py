"""What every stage runner shares."""

import gc
import threading

import pytest

from monitor.collector import FEWER_COLLECTIONS
from monitor.stages import RunContext, StageResult, pending_batches, stage


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


def test_the_events_stage_inserts_a_batchs_new_events_in_one_statement(db):
    from sqlalchemy import event as sa_event
    from sqlalchemy import func, select

    from bench.pages import generate_pages
    from monitor import pipeline
    from monitor.stages.dedup import group_events_pending
    from monitor.store.models import Article, Event, EventArticle

    run_id = pipeline.begin_run(db, "test")
    context = RunContext(run_id=run_id)
    pipeline.store_captures(db, generate_pages(30), run_id)
    for step in pipeline.STAGES[:2]:  # extraction and copies
        step(db, context)
    inserts: list[str] = []

    def record(conn, cursor, sql, *args):
        if sql.startswith("INSERT INTO events"):
            inserts.append(sql)

    sa_event.listen(db.engine, "before_cursor_execute", record)
    made = group_events_pending(db, context).counts["events"]
    sa_event.remove(db.engine, "before_cursor_execute", record)
    assert made > 5 and len(inserts) == 1  # one batch
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
    from monitor.stages import capture, dedup, measure

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
