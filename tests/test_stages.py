"""What every stage runner shares."""

import gc
import threading

import pytest

from monitor.collector import FEWER_COLLECTIONS
from monitor.stages import RunContext, StageResult, stage


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


def _event(title: str):
    from datetime import UTC, datetime

    from monitor.store.models import Event

    return Event(title=title, month_day="", features={}, created_at=datetime.now(UTC))


def test_new_objects_go_in_one_statement_with_ascending_ids_and_stay_in_the_session(db):
    from sqlalchemy import event as sa_event
    from sqlalchemy import select

    from monitor.stages import insert_objects
    from monitor.store.models import Event

    inserts = []
    sa_event.listen(
        db.engine,
        "before_cursor_execute",
        lambda conn, cursor, sql, *args: inserts.append(sql) if sql.startswith("INSERT") else None,
    )
    with db.transaction() as session:
        session.add(_event("stored before"))
        session.flush()  # the transaction has written, as the stages' do before inserting
        inserts.clear()
        made = [_event(f"new {n}") for n in range(3)]
        session.add_all(made)
        insert_objects(session, Event, made)
        assert len(inserts) == 1
        made[1].title = "changed after"  # a change to a stored object: flushed as an update
    with db.sessions() as session:
        rows = session.execute(select(Event.id, Event.title).order_by(Event.id)).all()
    assert [title for _, title in rows] == ["stored before", "new 0", "changed after", "new 2"]
    assert [event_id for event_id, _ in rows[1:]] == [made[0].id, made[1].id, made[2].id]
    assert made[0].id < made[1].id < made[2].id


def test_a_new_object_that_leaves_a_defaulted_column_unset_is_refused(db):
    from monitor.stages import insert_objects
    from monitor.store.models import Event

    with db.transaction() as session:
        unset = _event("no features")
        unset.features = None
        session.add(unset)
        with pytest.raises(ValueError, match="column with a default"):
            insert_objects(session, Event, [unset])
        session.expunge(unset)
