"""Serve the `ingest` and `daily_digest` deployments on their schedules (`monitor serve`)."""

from __future__ import annotations

from collections.abc import Coroutine
from pathlib import Path
from typing import Any

from prefect import serve
from prefect.deployments.runner import RunnerDeployment
from prefect.schedules import Cron

from flows.digest import daily_digest
from flows.ingest import backfill, ingest, reprocess
from monitor.config import load_settings


def _made(deployment: RunnerDeployment | Coroutine[Any, Any, RunnerDeployment]) -> RunnerDeployment:
    """What `to_deployment` gives outside an event loop, as here: the deployment itself (it is
    typed for both callers)."""
    assert isinstance(deployment, RunnerDeployment)
    return deployment


def deployments(config: str | None = None) -> list[RunnerDeployment]:
    """The deployments with the schedules of config/monitor.toml ([schedule])."""
    settings = load_settings(Path(config) if config else None)
    schedule = settings.schedule
    parameters = {"config": config} if config else {}
    return [
        _made(
            ingest.to_deployment(
                name="hourly",
                schedule=Cron(schedule.ingest, timezone=schedule.timezone),
                parameters=parameters,
                tags=[f"source:{source.name}" for source in settings.sources],
                # a run that outlasts the hour makes the next one wait, never overlap
                concurrency_limit=1,
                description="Ingest the configured sources and run every stage.",
            )
        ),
        _made(
            daily_digest.to_deployment(
                name="daily",
                schedule=Cron(schedule.digest, timezone=schedule.timezone),
                parameters=parameters,
                tags=["digest"],
                concurrency_limit=1,
                description="Email each subscriber what is new to them.",
            )
        ),
        _made(
            backfill.to_deployment(
                name="backfill",
                tags=["backfill"],
                description="Ingest a folder of old captures (run it with paths=[...]).",
            )
        ),
        _made(
            reprocess.to_deployment(
                name="reprocess",
                parameters=parameters,
                tags=["reprocess"],
                description="Re-extract stored raw captures after the extractors improved.",
            )
        ),
    ]


def serve_deployments(config: str | None = None) -> None:
    """Register the deployments and run their flow runs here until stopped.

    Stopping leaves the schedules active (pause_on_shutdown=False): a restart of this process
    picks them up again, and runs scheduled meanwhile wait for it.
    """
    serve(*deployments(config), pause_on_shutdown=False)
