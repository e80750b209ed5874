"""Killing an ingest run at any point and running again ends in the state of an uninterrupted
run: no duplicate, no lost capture, no change flagged twice or missed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from monitor.store import open_database
from monitor.store.models import Article, Capture, Change, EventArticle, Measure, Run
from tests.conftest import ROOT
from tests.test_tracking import _state

pytestmark = pytest.mark.slow


def _write_captures(folder: Path, count: int) -> None:
    from bench.pages import generate_pages

    folder.mkdir()
    for number, capture in enumerate(generate_pages(count)):
        (folder / f"{number:04d}.html").write_bytes(capture.data)
    for seed in (ROOT / "seeds").glob("*.txt"):
        (folder / seed.name).write_bytes(seed.read_bytes())


def _ingest(folder: Path, url: str) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "MONITOR_"))}
    env["MONITOR_DATABASE_URL"] = url
    with (folder.parent / "ingest.log").open("ab") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "monitor", "ingest", str(folder), "--source", "crash"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )


def _count(url: str, model) -> int:  # type: ignore[no-untyped-def]
    db = open_database(url)
    try:
        with db.sessions() as session:
            return session.scalar(select(func.count()).select_from(model)) or 0
    finally:
        db.engine.dispose()


@pytest.mark.parametrize(
    ("stage", "model"),
    [("extraction", Article), ("events", EventArticle), ("measures", Measure)],
)
def test_a_killed_run_rerun_equals_an_uninterrupted_run(tmp_path, stage, model):
    folder = tmp_path / "captures"
    _write_captures(folder, 400)

    reference = f"sqlite:///{tmp_path / 'reference.db'}"
    assert _ingest(folder, reference).wait(300) == 0

    crashed = f"sqlite:///{tmp_path / 'crashed.db'}"
    process = _ingest(folder, crashed)
    deadline = time.monotonic() + 120
    while _count(crashed, model) == 0:  # wait until the stage is under way
        assert process.poll() is None, "the run finished before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.02)
    process.send_signal(signal.SIGKILL)
    process.wait(30)
    unfinished = _count(crashed, Run)
    assert unfinished == 1
    assert _ingest(folder, crashed).wait(300) == 0

    db_crashed, db_reference = open_database(crashed), open_database(reference)
    try:
        assert _state(db_crashed) == _state(db_reference)
        for table in (Capture, Article, Measure, Change):
            assert _count(crashed, table) == _count(reference, table), table.__name__
    finally:
        db_crashed.engine.dispose()
        db_reference.engine.dispose()
