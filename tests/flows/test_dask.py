"""Extraction on a real local Dask cluster (two worker processes on loopback) gives the same
results as the default task runner."""

import pytest

from tests.conftest import ROOT
from tests.test_tracking import _state

pytestmark = [pytest.mark.prefect, pytest.mark.slow]


def _folder(tmp_path):
    from bench.pages import generate_pages

    folder = tmp_path / "captures"
    folder.mkdir()
    for number, capture in enumerate(generate_pages(450)):  # three extraction batches of 200
        (folder / f"{number:04d}.html").write_bytes(capture.data)
    for seed in (ROOT / "seeds").glob("*.txt"):
        (folder / seed.name).write_bytes(seed.read_bytes())
    return folder


def test_extraction_on_a_dask_cluster_matches_the_default_runner(
    prefect_api, tmp_path, monkeypatch
):
    from prefect_dask import DaskTaskRunner

    from flows.ingest import ingest
    from monitor.store import open_database

    folder = _folder(tmp_path)
    results = {}
    for name, runner in (
        ("default", None),
        (
            "dask",
            DaskTaskRunner(
                cluster_kwargs={
                    "n_workers": 2,
                    "threads_per_worker": 1,
                    "processes": True,
                    "host": "127.0.0.1",
                    "dashboard_address": None,
                }
            ),
        ),
    ):
        url = f"sqlite:///{tmp_path / f'{name}.db'}"
        monkeypatch.setenv("MONITOR_DATABASE_URL", url)
        flow = ingest.with_options(task_runner=runner) if runner else ingest
        counts = flow(paths=[str(folder)], source="dask-test")
        assert counts["captures"] == 452
        db = open_database(url)
        results[name] = _state(db)
        db.engine.dispose()
    assert results["dask"] == results["default"]
