"""The `ingest` flow on the seeds: same result as the core, and a summary artifact."""

import re

import pytest

from tests import prefect_http
from tests.conftest import ROOT

pytestmark = pytest.mark.prefect


def test_ingest_flow_runs_every_stage_and_publishes_its_counts(prefect_api, tmp_path, monkeypatch):
    from flows.ingest import ingest

    monkeypatch.setenv("MONITOR_DATABASE_URL", f"sqlite:///{tmp_path / 'monitor.db'}")
    counts = ingest(config=str(ROOT / "config" / "monitor.toml"))
    assert (counts["captures"], counts["articles"], counts.get("copies", 0)) == (2, 2, 0)
    assert (counts["events"], counts["measures"], counts["NEW"]) == (1, 11, 11)

    artifact = _latest_artifact("ingest-summary")
    assert "| NEW | 11 |" in artifact["data"]
    assert "| events | 1 |" in artifact["data"]
    from prefect.settings import PREFECT_API_URL

    runs = prefect_http.post(
        f"{PREFECT_API_URL.value()}/task_runs/filter",
        json={"flow_runs": {"id": {"any_": [artifact["flow_run_id"]]}}},
    )
    tasks = {run["name"].rsplit("-", 1)[0] for run in runs}  # a task's name, then a number
    assert {"store-captures", "extract-batch", "find-copies", "track", "write-site"} <= tasks
    assert all(re.fullmatch(r"[a-z]+(-[a-z]+)*", task) for task in tasks), tasks

    again = ingest(config=str(ROOT / "config" / "monitor.toml"))
    assert again.get("captures_new", 0) == again.get("NEW", 0) == 0


def test_the_changes_artifact_lists_the_first_changes_and_says_how_many_there_are(
    prefect_api, tmp_path, monkeypatch
):
    import json

    import flows.ingest
    from flows.ingest import ingest

    monkeypatch.setattr(flows.ingest, "ARTIFACT_CHANGES", 4)
    monkeypatch.setenv("MONITOR_DATABASE_URL", f"sqlite:///{tmp_path / 'monitor.db'}")
    counts = ingest(paths=[str(ROOT / "seeds")], source="capped-seeds")
    assert counts["NEW"] == 11

    table = _latest_artifact("ingest-changes")
    rows = json.loads(table["data"]) if isinstance(table["data"], str) else table["data"]
    assert [row["kind"] for row in rows] == ["NEW"] * 4
    assert "(first 4 of 11)" in table["description"]
    assert "the first 4 of 11 changes" in _latest_artifact("ingest-summary")["data"]


def _latest_artifact(key: str) -> dict:
    # Prefect's client sends explicit nulls for unset filters, which its server (with current
    # FastAPI) rejects; the API itself is asked the way the UI asks it.
    from prefect.settings import PREFECT_API_URL

    (artifact,) = prefect_http.post(
        f"{PREFECT_API_URL.value()}/artifacts/filter",
        json={"artifacts": {"key": {"any_": [key]}}, "limit": 1, "sort": "UPDATED_DESC"},
    )
    return artifact


def test_cli_ingest_runs_as_the_flow_when_a_server_is_configured(
    prefect_api, tmp_path, monkeypatch
):
    from prefect.settings import PREFECT_API_URL
    from typer.testing import CliRunner

    from monitor.cli import app

    monkeypatch.setenv("PREFECT_API_URL", PREFECT_API_URL.value())
    monkeypatch.setenv("MONITOR_DATABASE_URL", f"sqlite:///{tmp_path / 'monitor.db'}")
    result = CliRunner().invoke(app, ["ingest", str(ROOT / "seeds"), "--source", "cli-seeds"])
    assert result.exit_code == 0, result.output
    assert "11 NEW" in result.output

    (run,) = prefect_http.post(
        f"{PREFECT_API_URL.value()}/flow_runs/filter",
        json={"flow_runs": {"tags": {"all_": ["source:cli-seeds"]}}, "limit": 5},
    )
    assert run["state_type"] == "COMPLETED"
    assert run["name"].startswith("ingest-20")
    # its task runs carry no tags: each tagged one would ask the server for a concurrency slot
    task_runs = prefect_http.post(
        f"{PREFECT_API_URL.value()}/task_runs/filter",
        json={"flow_runs": {"id": {"any_": [run["id"]]}}, "limit": 50},
    )
    assert len(task_runs) >= 6  # storage, extraction, the stages
    assert all(t["tags"] == [] for t in task_runs)


def test_extraction_threads_stay_within_the_database_connection_pool(tmp_path, monkeypatch):
    from flows.ingest import task_runner
    from monitor.store import open_database

    monkeypatch.delenv("MONITOR_DASK_ADDRESS", raising=False)
    pool = open_database(f"sqlite:///{tmp_path}/pool.db").engine.pool
    capacity = pool.size() + pool._max_overflow  # type: ignore[attr-defined]
    # the threads, plus the flow's own connection, never wait on the pool
    assert task_runner()._max_workers + 1 <= capacity


def test_a_run_with_failures_says_so_in_its_state_and_alerts_the_operators(
    prefect_api, tmp_path, monkeypatch, httpserver
):
    import json

    from werkzeug import Response

    from flows.ingest import ingest

    alerts: list[dict] = []
    httpserver.expect_request("/alert", method="POST").respond_with_handler(
        lambda request: alerts.append(json.loads(request.data)) or Response("ok")
    )
    config = tmp_path / "config" / "monitor.toml"
    config.parent.mkdir()
    config.write_text(
        f'[alerts]\nnotify = ["json://127.0.0.1:{httpserver.port}/alert"]\n', encoding="utf-8"
    )
    monkeypatch.setenv("MONITOR_DATABASE_URL", f"sqlite:///{tmp_path / 'monitor.db'}")
    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / "empty.txt").write_bytes(b"")
    some = ingest(
        config=str(config),
        paths=[str(ROOT / "seeds"), str(tmp_path / "pages")],
        source="mixed",
        return_state=True,
    )
    assert some.is_completed()
    assert some.message == "1 input failed, 3 read; the ingest-summary artifact says why"
    nothing = ingest(
        config=str(config), paths=[str(tmp_path / "nowhere")], source="none", return_state=True
    )
    assert nothing.is_failed() and nothing.message == "nothing could be read: 1 failure"
    assert nothing.result(raise_on_failure=False)["failures"] == 1
    assert [a["title"].split(": ", 1)[1] for a in alerts] == [some.message, nothing.message]


def test_the_changes_artifact_shows_changed_commitments_first_with_their_source(
    prefect_api, tmp_path, monkeypatch
):
    import json

    import flows.ingest
    from flows.ingest import ingest
    from tests.conftest import gwr_report

    if not gwr_report(2016).is_file():
        pytest.skip("the Government Work Reports are not here")
    monkeypatch.setattr(flows.ingest, "ARTIFACT_CHANGES", 5)
    monkeypatch.setenv("MONITOR_DATABASE_URL", f"sqlite:///{tmp_path / 'monitor.db'}")
    counts = ingest(paths=[str(gwr_report(2016)), str(gwr_report(2017))], source="reports")
    assert counts["CHANGED"] > 5 and counts["NEW"] > 5
    table = _latest_artifact("ingest-changes")
    rows = json.loads(table["data"]) if isinstance(table["data"], str) else table["data"]
    assert [row["kind"] for row in rows] == ["CHANGED"] * 5
    assert all(" → " in row["change"] and row["published"] == "2017-03-05" for row in rows)
