"""The `ingest` flow: store captures, then every pipeline stage as one batched task each."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from prefect import flow, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE

from monitor import pipeline
from monitor.config import load_settings
from monitor.sources import collect
from monitor.sources.local import iter_paths, read_file
from monitor.store import Database, open_database


@cache
def _database(url: str) -> Database:
    # One engine per worker process, shared by the tasks it runs.
    return open_database(url)


@task(name="store-captures", cache_policy=NO_CACHE)
def store_captures(
    url: str,
    config: str | None,
    paths: list[str] | None,
    source: str,
    outlet: str | None,
    run_id: int,
) -> pipeline.StageResult:
    """Read the sources (or the given paths) and keep every raw capture."""
    if paths:
        items = (read_file(p, source, outlet) for p in iter_paths(Path(p) for p in paths))
    else:
        items = collect(load_settings(Path(config) if config else None).sources)
    return pipeline.store_captures(_database(url), items, run_id)


@task(name="run-stage", cache_policy=NO_CACHE)
def run_stage(
    url: str, name: str, run_id: int, redis_url: str | None = None
) -> pipeline.StageResult:
    """Run one pipeline stage over everything pending."""
    stage = next(s for s in pipeline.STAGES if s.__name__ == name)
    return stage(_database(url), pipeline.RunContext(run_id=run_id, redis_url=redis_url))


@flow(name="ingest", flow_run_name="ingest-{source}", log_prints=True)
def ingest(
    config: str | None = None,
    paths: list[str] | None = None,
    source: str = "sources",
    outlet: str | None = None,
) -> dict[str, int]:
    """One pass of the pipeline; publishes a markdown artifact with the run's counts."""
    settings = load_settings(Path(config) if config else None)
    url = settings.database_url
    db = _database(url)
    run_id = pipeline.begin_run(db, "flow")
    results = [store_captures(url, config, paths, source, outlet, run_id)]
    for stage in pipeline.STAGES:
        run = run_stage.with_options(name=stage.__name__)
        results.append(run(url, stage.__name__, run_id, settings.redis_url))
    counts = pipeline.finish_run(db, run_id, results) | {"run_id": run_id}
    create_markdown_artifact(
        key="ingest-summary", markdown=_summary_markdown(run_id, counts), description="Run counts"
    )
    print(pipeline.summary_line(counts))
    return counts


def _summary_markdown(run_id: int, counts: dict[str, int]) -> str:
    rows = "\n".join(f"| {label} | {value} |" for label, value in pipeline.summary_rows(counts))
    return f"# Ingest run {run_id}\n\n| stage | count |\n|---|---:|\n{rows}\n"
