"""Extraction over worker processes: the same articles as in this process, in order, and a page
that breaks the extractor recorded against its capture alone."""

import pytest
from sqlalchemy import delete, select, update

from monitor.extract import parallel
from monitor.extract.article import CaptureInput, Rejection
from monitor.pipeline import run_pipeline
from monitor.sources import RawCapture
from monitor.store.models import Article, Capture, Failure


def _inputs(seed_captures: list[RawCapture], count: int) -> list[CaptureInput]:
    pages = []
    for number in range(count):
        capture = seed_captures[number % len(seed_captures)]
        # each page different, so that order mistakes show
        data = capture.data.replace("国务院".encode(), f"国务院{number}".encode(), 1)
        pages.append(CaptureInput(data, capture.media_type, f"{capture.origin}#{number}"))
    return [*pages, CaptureInput(b"", "text/plain", "empty.txt")]


def test_worker_processes_give_the_articles_of_this_process_in_order(seed_captures):
    inputs = _inputs(seed_captures, parallel.MIN_PARALLEL)
    here = parallel.extract_many(inputs, workers=1)
    try:
        spread = parallel.extract_many(inputs, workers=2)
    finally:
        parallel.shutdown()
    assert spread == here
    assert [type(d).__name__ for d in spread[-2:]] == ["ArticleDraft", "Rejection"]
    assert "国务院31" in spread[-2].body or "国务院31" in spread[-2].title


def test_small_batches_stay_in_this_process(seed_captures, monkeypatch):
    monkeypatch.setattr(parallel, "_shared_pool", pytest.fail)
    drafts = parallel.extract_many(_inputs(seed_captures, 3), workers=4)
    assert len(drafts) == 4


def test_a_page_that_breaks_the_extractor_fails_alone(db, seed_captures, monkeypatch):
    real = parallel.extract_article

    def breaks_on_one(capture: CaptureInput):
        if capture.origin == "broken.html":
            raise IndexError("list index out of range")
        return real(capture)

    monkeypatch.setattr(parallel, "extract_article", breaks_on_one)
    broken = RawCapture("test", "broken.html", b"<html><p>x</p></html>", "text/html")
    counts = run_pipeline(db, [broken, *seed_captures], "test", extract_workers=1)
    assert counts["articles"] == 2
    assert counts["failures"] == 1
    with db.sessions() as session:
        (failure,) = session.scalars(select(Failure))
        assert failure.origin == "broken.html"
        assert failure.reason == "extraction failed: IndexError: list index out of range"
        assert len(session.scalars(select(Article)).all()) == 2


def test_a_dead_worker_pool_is_replaced_then_work_stays_here(seed_captures, monkeypatch):
    from concurrent.futures.process import BrokenProcessPool

    class Broken:
        def map(self, *args, **kwargs):
            raise BrokenProcessPool("a worker was killed")

        def shutdown(self, **kwargs):
            pass

    started = []
    monkeypatch.setattr(parallel, "_shared_pool", lambda workers: started.append(1) or Broken())
    inputs = _inputs(seed_captures, parallel.MIN_PARALLEL)
    drafts = parallel.extract_many(inputs, workers=2)
    assert len(started) == 2
    assert drafts == parallel.extract_many(inputs, workers=1)
    assert not any(isinstance(d, Rejection) and "extraction failed" in d.reason for d in drafts)


def test_a_daemonic_process_extracts_itself(seed_captures, monkeypatch):
    import multiprocessing

    # a Dask worker or a pool's worker may not start processes of its own
    monkeypatch.setitem(multiprocessing.current_process()._config, "daemon", True)
    monkeypatch.setattr(parallel, "_shared_pool", pytest.fail)
    inputs = _inputs(seed_captures, parallel.MIN_PARALLEL)
    assert len(parallel.extract_many(inputs, workers=2)) == len(inputs)


_KILLED_PARENT = """
import os, sys
from monitor.extract import parallel
from monitor.extract.article import CaptureInput

def main():
    pages = [CaptureInput(b"page", "text/plain", str(n)) for n in range(parallel.MIN_PARALLEL)]
    parallel.extract_many(pages, workers=2)
    print(" ".join(str(pid) for pid in parallel._pool._processes), flush=True)
    os.kill(os.getpid(), 9)

if __name__ == "__main__":
    main()
"""


def test_workers_exit_when_their_parent_is_killed(tmp_path):
    import os
    import subprocess
    import sys
    import time

    script = tmp_path / "killed.py"
    script.write_text(_KILLED_PARENT)
    # orphaned workers would hold the output pipe open, so the run would end by its timeout
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=60)
    assert done.returncode == -9
    workers = [int(pid) for pid in done.stdout.split()]
    assert len(workers) == 2

    def alive(pid: int) -> bool:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        return True

    deadline = time.monotonic() + 20
    while any(alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not any(alive(pid) for pid in workers)


def test_work_sent_to_the_workers_comes_back_in_order_as_it_is_taken():
    from monitor.measures import measures_of_many

    pieces = [[(n, f"一是到{2020 + n}年建成{n + 5}个项目。", "科技部", 2021)] for n in range(12)]
    read = []

    def source():  # pieces are read as they are sent, a few ahead of what is taken
        for piece in pieces:
            read.append(piece)
            yield piece

    try:
        results = parallel.in_workers(measures_of_many, source(), len(pieces), workers=2)
        first = next(results)
        assert len(read) == 5  # two workers, two pieces each, and one sent as one is taken
        spread = [first, *results]
    finally:
        parallel.shutdown()
    assert spread == [measures_of_many(piece) for piece in pieces]
    assert spread[3][3][2][0].quantities[0]["value"] == 8


def test_work_a_dead_worker_left_is_done_here(monkeypatch):
    from concurrent.futures.process import BrokenProcessPool

    class Broken:
        def submit(self, *args, **kwargs):
            raise BrokenProcessPool("a worker was killed")

        def shutdown(self, **kwargs):
            pass

    monkeypatch.setattr(parallel, "_shared_pool", lambda workers: Broken())
    assert list(parallel.in_workers(abs, [-1, -2, 3], 3, workers=2)) == [1, 2, 3]
    monkeypatch.setattr(parallel, "_shared_pool", pytest.fail)  # nothing is started
    assert list(parallel.in_workers(abs, [-4, 5], 2, workers=1)) == [4, 5]  # one core
    assert list(parallel.in_workers(abs, [-6], 1, workers=2)) == [6]  # one piece


def _articles(db) -> list[tuple]:
    with db.sessions() as session:
        rows = session.execute(
            select(Article.capture_id, Article.title, Article.body, Article.outlet).order_by(
                Article.capture_id
            )
        )
        return [tuple(row) for row in rows]


def _store(db, seed_captures) -> list[int]:
    from monitor.pipeline import begin_run, store_captures

    pages = [
        RawCapture("test", c.origin, c.data, c.media_type)
        for c in _inputs(seed_captures, 8)  # pages (some the same) and an empty one
    ]
    store_captures(db, pages, begin_run(db, "test"))
    with db.sessions() as session:
        return list(session.scalars(select(Capture.id).order_by(Capture.id)))


def test_batches_extracted_ahead_in_workers_store_what_one_batch_here_stores(
    db, seed_captures, monkeypatch
):
    from monitor.extract import stage as capture
    from monitor.run import RunContext

    ids = _store(db, seed_captures)
    here = capture.extract_pending(db, RunContext(run_id=None, extract_workers=1))
    expected = _articles(db)
    with db.transaction() as session:  # extract them again, in batches of two
        session.execute(delete(Article))
        session.execute(delete(Failure))
        session.execute(update(Capture).values(status="new", error=None))
    batches = [ids[i : i + 2] for i in range(0, len(ids), 2)]
    monkeypatch.setattr(capture, "extraction_batches", lambda db: batches)
    try:
        spread = capture.extract_pending(db, RunContext(run_id=None, extract_workers=2))
    finally:
        parallel.shutdown()
    assert len(batches) > 2
    assert spread.counts == here.counts == {"articles": len(ids) - 1, "failures": 1}
    assert _articles(db) == expected


def test_a_capture_the_workers_were_not_given_is_extracted_when_its_batch_is_stored(
    db, seed_captures, monkeypatch
):
    from monitor.extract import stage as capture
    from monitor.run import RunContext

    ids = _store(db, seed_captures)
    read = capture._capture_inputs

    def without_the_first(db, batches):  # as if it became new after its batch was read
        for inputs in read(db, batches):
            yield [(i, c) for i, c in inputs if i != ids[0]]

    monkeypatch.setattr(capture, "_capture_inputs", without_the_first)
    monkeypatch.setattr(capture, "extraction_batches", lambda db: [ids[:3], ids[3:]])
    result = capture.extract_pending(db, RunContext(run_id=None, extract_workers=1))
    assert result.counts == {"articles": len(ids) - 1, "failures": 1}
    assert ids[0] in {row[0] for row in _articles(db)}
