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
