"""The deployments, from config/monitor.toml: served by `monitor serve`, or written out as
deploy/prefect.yaml for a work pool (`monitor deploy --write`). Both are made from one list, so
schedules, timezones and tags are said once, in the configuration."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from prefect import Flow, serve
from prefect.deployments.runner import RunnerDeployment
from prefect.schedules import Cron

from flows.digest import daily_digest
from flows.ingest import backfill, ingest, reprocess
from monitor.config import Settings, load_settings

# Where workers keep their checkout, and the work pool they take runs from (deploy/README.md)
WORKER_DIRECTORY = "/opt/policy-monitor"
WORK_POOL = "policy-monitor"


@dataclass(frozen=True)
class _Deployment:
    """One deployment of a flow, as both ways of running it need it."""

    flow: Flow[..., Any]
    entrypoint: str
    name: str
    description: str
    tags: Callable[[Settings], list[str]]
    cron: Callable[[Settings], str | None]  # its schedule, if it has one
    configured: bool  # whether its runs take the configuration file as a parameter
    concurrency_limit: int | None = None


_DEPLOYMENTS = (
    _Deployment(
        ingest,
        "flows/ingest.py:ingest",
        "hourly",
        "Ingest the configured sources and run every stage.",
        lambda settings: [f"source:{source.name}" for source in settings.sources],
        lambda settings: settings.schedule.ingest,
        configured=True,
        # a run that outlasts the hour makes the next one wait, never overlap
        concurrency_limit=1,
    ),
    _Deployment(
        daily_digest,
        "flows/digest.py:daily_digest",
        "daily",
        "Email each subscriber what is new to them.",
        lambda settings: ["digest"],
        lambda settings: settings.schedule.digest,
        configured=True,
        concurrency_limit=1,
    ),
    _Deployment(
        backfill,
        "flows/ingest.py:backfill",
        "backfill",
        "Ingest a folder of old captures (run it with paths=[...]).",
        lambda settings: ["backfill"],
        lambda settings: None,
        configured=False,
    ),
    _Deployment(
        reprocess,
        "flows/ingest.py:reprocess",
        "reprocess",
        "Re-extract stored raw captures after the extractors improved.",
        lambda settings: ["reprocess"],
        lambda settings: None,
        configured=True,
    ),
)


def _made(deployment: RunnerDeployment | Coroutine[Any, Any, RunnerDeployment]) -> RunnerDeployment:
    """What `to_deployment` gives outside an event loop, as here: the deployment itself (it is
    typed for both callers)."""
    assert isinstance(deployment, RunnerDeployment)
    return deployment


def deployments(config: str | None = None) -> list[RunnerDeployment]:
    """The deployments with the schedules of config/monitor.toml ([schedule])."""
    settings = load_settings(Path(config) if config else None)
    parameters = {"config": config} if config else {}
    made = []
    for spec in _DEPLOYMENTS:
        cron = spec.cron(settings)
        made.append(
            _made(
                spec.flow.to_deployment(
                    name=spec.name,
                    schedule=Cron(cron, timezone=settings.schedule.timezone) if cron else None,
                    parameters=parameters if spec.configured else {},
                    tags=spec.tags(settings),
                    concurrency_limit=spec.concurrency_limit,
                    description=spec.description,
                )
            )
        )
    return made


def serve_deployments(config: str | None = None) -> None:
    """Register the deployments and run their flow runs here until stopped.

    Stopping leaves the schedules active (pause_on_shutdown=False): a restart of this process
    picks them up again, and runs scheduled meanwhile wait for it.
    """
    serve(*deployments(config), pause_on_shutdown=False)


_HEADER = """\
# Deployments of policy-monitor for a Prefect *process* work pool. Written by
# `monitor deploy --write` from config/monitor.toml ([schedule], [[sources]]): change the
# configuration and write it again, do not edit it (a test checks that the two agree).
#
#   prefect work-pool create {pool} --type process
#   prefect deploy --all --prefect-file deploy/prefect.yaml      (from the project root)
#   prefect worker start --pool {pool}                   (on each worker host)
#
# Alternatively `monitor serve` serves the same flows from one process without a work pool.
"""


def prefect_yaml(config: str | None = None) -> str:
    """deploy/prefect.yaml as the configuration makes it."""
    import prefect
    import yaml

    settings = load_settings(Path(config) if config else None)
    entries = []
    for spec in _DEPLOYMENTS:
        entry: dict[str, Any] = {
            "name": spec.name,
            "entrypoint": spec.entrypoint,
            "description": spec.description,
            "tags": spec.tags(settings),
            "parameters": {},
        }
        if spec.concurrency_limit is not None:
            entry["concurrency_limit"] = spec.concurrency_limit
        cron = spec.cron(settings)
        if cron:
            entry["schedules"] = [{"cron": cron, "timezone": settings.schedule.timezone}]
        environment = {"env": {"MONITOR_CONFIG": f"{WORKER_DIRECTORY}/config/monitor.toml"}}
        entry["work_pool"] = {"name": WORK_POOL, "job_variables": environment}
        entries.append(entry)
    document = {
        "name": "policy-monitor",
        "prefect-version": ".".join(prefect.__version__.split(".")[:2]),
        # workers run the flows from their own checkout of the project, installed in .venv
        "pull": [
            {"prefect.deployments.steps.set_working_directory": {"directory": WORKER_DIRECTORY}}
        ],
        "deployments": entries,
    }
    body = yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)
    return _HEADER.format(pool=WORK_POOL) + body
