"""Against a real Prefect server: deployments served by `monitor serve`, a run triggered through
the API, its artifacts and changes, the schedules, and a restart of the serve process."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from tests import prefect_http
from tests.conftest import ROOT
from tests.digest.conftest import free_port

pytestmark = [pytest.mark.prefect, pytest.mark.slow]


def _wait(what: str, check, timeout: float = 120.0, every: float = 1.0):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            value = check()
        except httpx.HTTPError:
            value = None
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"timed out waiting for {what}")


def _environment(tmp: Path, api: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "MONITOR_"))}
    env.update(
        PREFECT_HOME=str(tmp / "prefect-home"),
        PREFECT_SERVER_ANALYTICS_ENABLED="false",
        PREFECT_SERVER_DATABASE_CONNECTION_URL=f"sqlite+aiosqlite:///{tmp / 'prefect.db'}",
        PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS="2",
        PREFECT_RUNNER_POLL_FREQUENCY="2",
        MONITOR_DATABASE_URL=f"sqlite:///{tmp / 'monitor.db'}",
        MONITOR_CONFIG=str(ROOT / "config" / "monitor.toml"),
    )
    if api:
        env["PREFECT_API_URL"] = api
    return env


@pytest.fixture(scope="module")
def prefect_server(tmp_path_factory) -> Iterator[tuple[str, Path]]:
    """A Prefect server on a free loopback port, with its own database."""
    tmp = tmp_path_factory.mktemp("prefect-server")
    port = free_port()
    log = (tmp / "server.log").open("w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "prefect",
            "server",
            "start",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        env=_environment(tmp, None),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    api = f"http://127.0.0.1:{port}/api"
    try:
        _wait("the Prefect server", lambda: httpx.get(f"{api}/health").status_code == 200)
        yield api, tmp
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def _deployment(api: str, flow_name: str, name: str) -> dict | None:
    found = prefect_http.post(
        f"{api}/deployments/filter",
        json={"deployments": {"name": {"any_": [name]}}, "flows": {"name": {"any_": [flow_name]}}},
    )
    return found[0] if found else None


def _scheduled(api: str, deployment_id: str) -> list[datetime]:
    runs = prefect_http.post(
        f"{api}/flow_runs/filter",
        json={
            "flow_runs": {
                "deployment_id": {"any_": [deployment_id]},
                "state": {"type": {"any_": ["SCHEDULED"]}},
            },
            "sort": "EXPECTED_START_TIME_ASC",
            "limit": 3,
        },
    )
    return [datetime.fromisoformat(run["expected_start_time"]) for run in runs]


def test_served_deployments_run_on_demand_and_keep_their_schedules(prefect_server):
    api, tmp = prefect_server
    log = (tmp / "serve.log").open("w")
    serve = subprocess.Popen(
        [sys.executable, "-m", "monitor", "serve"],
        cwd=ROOT,
        env=_environment(tmp, api),
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        ingest = _wait("the ingest deployment", lambda: _deployment(api, "ingest", "hourly"))
        digest = _wait("the digest deployment", lambda: _deployment(api, "daily_digest", "daily"))
        assert "source:seeds" in ingest["tags"]

        # the schedules: ingest on the hour, the 08:00 Asia/Shanghai digest at 00:00 UTC
        ingest_runs = _wait("scheduled ingest runs", lambda: _scheduled(api, ingest["id"]))
        digest_runs = _wait("scheduled digest runs", lambda: _scheduled(api, digest["id"]))
        assert all((t.minute, t.second) == (0, 0) for t in ingest_runs)
        assert all((t.astimezone(UTC).hour, t.minute, t.second) == (0, 0, 0) for t in digest_runs)

        created = prefect_http.post(f"{api}/deployments/{ingest['id']}/create_flow_run", json={})
        run_id = created["id"]

        def finished() -> str | None:
            state = prefect_http.get(f"{api}/flow_runs/{run_id}")["state"]["type"]
            return state if state in ("COMPLETED", "FAILED", "CRASHED", "CANCELLED") else None

        assert _wait("the triggered ingest run", finished, timeout=180) == "COMPLETED"
        artifacts = prefect_http.post(
            f"{api}/artifacts/filter",
            json={"artifacts": {"key": {"any_": ["ingest-summary"]}}, "limit": 1},
        )
        assert "| NEW | 11 |" in artifacts[0]["data"]

        from monitor.store import open_database
        from monitor.store.queries import list_changes

        db = open_database(f"sqlite:///{tmp / 'monitor.db'}")
        with db.sessions() as session:
            assert [c["kind"] for c in list_changes(session)] == ["NEW"] * 11
        db.engine.dispose()
    finally:
        _stop(serve)
        log.close()
    # the project's configuration names no recipient: serve says where the digest goes
    assert "no digest recipients are configured" in (tmp / "serve.log").read_text()
    # stopping the serve process leaves the schedules active for its restart
    for deployment in (ingest, digest):
        current = prefect_http.get(f"{api}/deployments/{deployment['id']}")
        assert current["paused"] is False
        assert [s["active"] for s in current["schedules"]] == [True]


def _stop(serve: subprocess.Popen) -> None:
    """Stop the serve process as Ctrl-C does; SIGTERM if it does not stop within a minute.

    Prefect's runner sometimes ignores SIGINT once its cancellation observer's websocket has
    connected (seen once in a full test run; PrefectHQ/prefect#13868 is the server's form of
    it). It handles SIGTERM with a graceful shutdown that leaves the schedules as they are.
    """
    serve.send_signal(signal.SIGINT)
    try:
        serve.wait(60)
    except subprocess.TimeoutExpired:
        serve.terminate()
        try:
            serve.wait(30)
        except subprocess.TimeoutExpired:
            serve.kill()
            serve.wait(10)


@pytest.mark.parametrize("command", ["deployment ls", "flow-run ls", "work-pool ls"])
def test_prefects_own_commands_work_against_the_server(prefect_server, command):
    api, tmp = prefect_server
    result = subprocess.run(
        [sys.executable, "-m", "prefect", *command.split()],
        env=_environment(tmp, api),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_monitor_server_serves_a_ui_that_calls_its_own_api(tmp_path):
    """Whatever PREFECT_API_URL the shell exports (another server's), the UI of `monitor
    server --port N` calls the API on N."""
    port = free_port()
    env = _environment(tmp_path, "http://127.0.0.1:4200/api")
    log = (tmp_path / "server.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "monitor", "server", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        settings = _wait(
            "the UI settings",
            lambda: httpx.get(f"http://127.0.0.1:{port}/ui-settings").json(),
        )
        assert settings["api_url"] == f"http://127.0.0.1:{port}/api"
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
    printed = (tmp_path / "server.log").read_text()
    assert f"Prefect UI: http://127.0.0.1:{port}" in printed


def test_web_sources_of_the_configuration_run_as_a_served_deployment(
    prefect_server, tmp_path, httpserver
):
    """A feed, a sitemap and a URL list from a TOML file, run by the `ingest/hourly`
    deployment that `monitor serve` serves: pages stored once, robots.txt honoured, a private
    address refused, the run Completed with a message counting the failures."""
    from tests.flows.test_web_sources import _config
    from tests.sources.test_front_door import Site

    api, _ = prefect_server
    site = Site(httpserver)
    listed = tmp_path / "watch-list.txt"
    listed.write_text(f"{site.url('/news/a.html')}\n", encoding="utf-8")
    config = _config(tmp_path, site, listed)
    env = _environment(tmp_path, api) | {"MONITOR_CONFIG": str(config)}
    log = (tmp_path / "serve.log").open("w")
    serve = subprocess.Popen(
        [sys.executable, "-m", "monitor", "serve"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        ingest = _wait(
            "the ingest deployment with the web sources",
            lambda: (
                (d := _deployment(api, "ingest", "hourly")) and "source:feed" in d["tags"] and d
            ),
        )
        created = prefect_http.post(f"{api}/deployments/{ingest['id']}/create_flow_run", json={})

        def finished() -> dict | None:
            run = prefect_http.get(f"{api}/flow_runs/{created['id']}")
            return run if run["state"]["type"] in ("COMPLETED", "FAILED", "CRASHED") else None

        run = _wait("the web ingest run", finished, timeout=180)
        assert run["state"]["type"] == "COMPLETED", run["state"]
        assert run["state"]["message"].startswith("2 inputs failed, 5 read")
    finally:
        _stop(serve)
        log.close()
    assert set(site.fetched) == {"/news/a.html", "/news/b.html", "/news/c.html"}
