"""The `ingest` and `backfill` flows: store captures, then every stage as batched tasks."""

from __future__ import annotations

import os
from collections.abc import Iterable
from contextlib import ExitStack, suppress
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from prefect import flow, get_run_logger, tags, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.client.schemas.objects import State
from prefect.concurrency.sync import concurrency
from prefect.context import TagsContext
from prefect.states import Completed, Failed
from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner

from monitor import pipeline
from monitor.config import Settings, load_settings
from monitor.errors import ConfigError
from monitor.extract.stage import extract_batch, extraction_batches
from monitor.sources import collect, given_sources
from monitor.sources.stage import known_validators
from monitor.store import Database, open_database
from monitor.store.queries import list_changes, list_failures

# The `ingest-changes` artifact lists at most this many changes of a run (the UI pages a table
# in the browser; 51,657 rows took 18 s to read and send, a seventh of a 10k-capture run); the
# digest and `monitor changes --format json|csv` have them all.
ARTIFACT_CHANGES = 1000
# Runs of one source hold this global concurrency limit, so two never overlap on it.
_LOCK_PREFIX = "monitor-ingest-"
# Extraction batches running at once on the thread runner. Each holds a database connection;
# an unbounded pool (Prefect's default) starts one thread per batch, and past the engine's
# connection pool (5 + 10 overflow) the waiting batches time out. The pages themselves are
# extracted by the process's shared worker processes (monitor.extract.parallel); two batches in
# flight keep them busy while a third commits.
EXTRACT_THREADS = 3


def task_runner() -> TaskRunner[Any]:
    """A Dask cluster's runner when MONITOR_DASK_ADDRESS names its scheduler, else threads.

    Extraction batches are the tasks that spread over the cluster's workers; every worker needs
    the project installed and the same MONITOR_DATABASE_URL.
    """
    address = os.environ.get("MONITOR_DASK_ADDRESS")
    if not address:
        return ThreadPoolTaskRunner(max_workers=EXTRACT_THREADS)
    try:
        from prefect_dask import DaskTaskRunner
    except ImportError as exc:
        raise ConfigError(
            "MONITOR_DASK_ADDRESS names a Dask cluster, but prefect-dask is not installed:"
            " pip install 'policy-monitor[dask]'"
        ) from exc
    return DaskTaskRunner(address=address)


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
    kind: str = "address",
    allow_private: bool = False,
) -> pipeline.StageResult:
    """Read the sources (or the given paths and addresses) and keep every raw capture."""
    if paths:
        sources = given_sources(paths, source, outlet, kind, allow_private)
    else:
        sources = load_settings(Path(config) if config else None).sources
    items = collect(sources, known_validators(_database(url)))
    return pipeline.store_captures(_database(url), items, run_id)


@task(name="extract-batch", cache_policy=NO_CACHE)
def extract(
    url: str, ids: list[int], run_id: int, workers: int | None = None
) -> pipeline.StageResult:
    """Extract one batch of captures; batches run in parallel on the flow's task runner."""
    context = pipeline.RunContext(run_id=run_id, extract_workers=workers)
    return extract_batch(_database(url), ids, context)


@task(name="run-stage", cache_policy=NO_CACHE)
def run_stage(
    url: str, name: str, run_id: int, redis_url: str | None = None
) -> pipeline.StageResult:
    """Run one pipeline stage, by its name, over everything pending."""
    context = pipeline.RunContext(run_id=run_id, redis_url=redis_url)
    return pipeline.run_stage(_database(url), name, context)


def run_name(prefix: str, time_format: str = "%Y-%m-%dT%H:%M") -> str:
    """A flow run's name: what it is and when, in China time (ingest-2021-01-20T08:00)."""
    return f"{prefix}-{datetime.now(ZoneInfo('Asia/Shanghai')).strftime(time_format)}"


@flow(
    name="ingest",
    flow_run_name=lambda: run_name("ingest"),
    log_prints=True,
    task_runner=task_runner(),
)
def ingest(
    config: str | None = None,
    paths: list[str] | None = None,
    source: str = "sources",
    outlet: str | None = None,
    kind: str = "address",
    allow_private: bool = False,
) -> State | dict[str, int]:
    """One pass of the pipeline over the configured sources (or the given paths and web
    addresses, of the given kind: "address" fetches each and looks)."""
    settings = load_settings(Path(config) if config else None)
    with _untagged_tasks(), _locked(_source_names(settings, paths, source)):
        return _pass(settings, config, paths, source, outlet, kind, allow_private)


def run_ingest(
    config: str | None = None,
    paths: list[str] | None = None,
    source: str = "sources",
    outlet: str | None = None,
    kind: str = "address",
    allow_private: bool = False,
) -> dict[str, int]:
    """Run `ingest` now, its flow run tagged with the sources (tags are set where a run starts)."""
    settings = load_settings(Path(config) if config else None)
    with tags(*(f"source:{name}" for name in _source_names(settings, paths, source))):
        state = ingest(
            config=config,
            paths=paths,
            source=source,
            outlet=outlet,
            kind=kind,
            allow_private=allow_private,
            return_state=True,
        )
    # a run that read nothing ends Failed, with its counts all the same
    counts = state.result(raise_on_failure=False)
    if not isinstance(counts, dict):
        raise counts if isinstance(counts, BaseException) else RuntimeError(str(state.message))
    return counts


def _source_names(settings: Settings, paths: list[str] | None, source: str) -> list[str]:
    # given paths are one ad hoc source; otherwise the configured ones
    return [source] if paths else [s.name for s in settings.sources] or [source]


@flow(
    name="backfill",
    flow_run_name=lambda: run_name("backfill"),
    log_prints=True,
    task_runner=task_runner(),
)
def backfill(
    paths: list[str], config: str | None = None, source: str = "backfill"
) -> State | dict[str, int]:
    """Ingest a folder of old captures; older versions become history, not news."""
    settings = load_settings(Path(config) if config else None)
    with _untagged_tasks(), _locked([source]):
        return _pass(settings, config, paths, source, None)


@task(name="reprocess-captures", cache_policy=NO_CACHE)
def reprocess_captures(url: str, run_id: int, workers: int | None = None) -> pipeline.StageResult:
    """Extract every stored capture again; changed articles go through the stages anew."""
    from monitor.reprocess import reprocess_captures as reprocess_all

    context = pipeline.RunContext(run_id=run_id, extract_workers=workers)
    return reprocess_all(_database(url), context)


@flow(name="reprocess", flow_run_name=lambda: run_name("reprocess"), log_prints=True)
def reprocess(config: str | None = None) -> dict[str, int]:
    """Re-extract stored raw captures after the extractors improved; nothing is refetched."""
    settings = load_settings(Path(config) if config else None)
    url = settings.database_url
    db = _database(url)
    with db.exclusive_run():
        run_id = pipeline.begin_run(db, "flow")
        results = [reprocess_captures(url, run_id, settings.extract_workers)]
        for name in pipeline.stage_names():
            run = run_stage.with_options(name=name)
            results.append(run(url, name, run_id, settings.redis_url))
        counts = pipeline.finish_run(db, run_id, results) | {"run_id": run_id}
    _publish(db, run_id, counts)
    print(pipeline.summary_line(counts))
    return counts


def _pass(
    settings: Settings,
    config: str | None,
    paths: list[str] | None,
    source: str,
    outlet: str | None,
    kind: str = "address",
    allow_private: bool = False,
) -> State | dict[str, int]:
    url = settings.database_url
    db = _database(url)
    with db.exclusive_run():
        return _locked_pass(settings, db, config, paths, source, outlet, kind, allow_private)


def _locked_pass(
    settings: Settings,
    db: Database,
    config: str | None,
    paths: list[str] | None,
    source: str,
    outlet: str | None,
    kind: str,
    allow_private: bool,
) -> State | dict[str, int]:
    url = settings.database_url
    run_id = pipeline.begin_run(db, "flow")
    results = [store_captures(url, config, paths, source, outlet, run_id, kind, allow_private)]
    batches = extraction_batches(db)
    results += [
        future.result() for future in extract.map(url, batches, run_id, settings.extract_workers)
    ]
    for name in pipeline.stage_names(after="extract"):  # extraction ran as batches above
        run = run_stage.with_options(name=name)
        results.append(run(url, name, run_id, settings.redis_url))
    counts = pipeline.finish_run(db, run_id, results) | {"run_id": run_id}
    _publish(db, run_id, counts)
    write_site_task(url, str(settings.site_dir), settings.site_base_url)
    print(pipeline.summary_line(counts))
    return _ended(settings, run_id, counts)


@task(name="write-site", cache_policy=NO_CACHE)
def write_site_task(url: str, out: str, base_url: str | None) -> int:
    """Write the commitment pages, and link them from the run as an artifact."""
    from prefect.artifacts import create_link_artifact

    from monitor.site import write_site

    pages = write_site(_database(url), Path(out))
    if base_url:
        create_link_artifact(
            key="commitment-pages", link=base_url, description=f"{pages} pages, written {out}"
        )
    return pages


def _ended(settings: Settings, run_id: int, counts: dict[str, int]) -> State | dict[str, int]:
    """How a run ends: Completed; Completed with a message counting the inputs that failed;
    Failed when nothing could be read. The operators' alert URLs hear of the last two."""
    failed = counts.get("failures", 0)
    if not failed:
        return counts
    read = counts.get("captures", 0) + counts.get("unchanged", 0)
    plural = "" if failed == 1 else "s"
    message = (
        f"nothing could be read: {failed} failure{plural}"
        if not read
        else f"{failed} input{plural} failed, {read} read; the ingest-summary artifact says why"
    )
    if settings.alerts:
        from flows.secrets import read_secret
        from monitor.notify import NotifyError, notify

        body = f"{pipeline.summary_line(counts)}\n`monitor failures --run {run_id}` lists them."
        try:
            notify(
                settings.alerts,
                f"[policy-monitor] ingest run {run_id}: {message}",
                body,
                read_secret,
            )
        except NotifyError as exc:
            get_run_logger().warning("the alert was not sent: %s", exc)
    return (
        Failed(message=message, data=counts)
        if not read
        else Completed(message=message, data=counts)
    )


def _untagged_tasks() -> TagsContext:
    """Task runs without the tags the flow run was started under (its sources; the flow run
    keeps them). Prefect asks the server for a concurrency slot for each tagged task run, and
    on a busy server those requests took up to 2 s between consecutive stages."""
    return TagsContext(current_tags=set())


def _locked(names: Iterable[str]) -> ExitStack:
    """Hold each source's concurrency slot for the run, creating the limits on first use."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.actions import GlobalConcurrencyLimitCreate
    from prefect.exceptions import ObjectAlreadyExists, ObjectNotFound

    limits = [f"{_LOCK_PREFIX}{name}" for name in names]
    with get_client(sync_client=True) as client:
        for limit in limits:
            try:
                client.read_global_concurrency_limit_by_name(limit)
            except ObjectNotFound:
                with suppress(ObjectAlreadyExists):  # another run created it meanwhile
                    client.create_global_concurrency_limit(
                        GlobalConcurrencyLimitCreate(name=limit, limit=1)
                    )
    stack = ExitStack()
    stack.enter_context(concurrency(limits, occupy=1, strict=True))
    return stack


def _publish(db: Database, run_id: int, counts: dict[str, int]) -> None:
    """The run's summary (counts and failures with reasons) and its changes, as artifacts."""
    with db.sessions() as session:
        failures = list_failures(session, run_id=run_id)
        # changed commitments first: a figure or deadline that moved is what an analyst looks
        # for, and a run's first thousand NEW ones must not hide it
        changes = list_changes(session, run_id=run_id, limit=ARTIFACT_CHANGES, kind="CHANGED")
        changes += list_changes(
            session, run_id=run_id, limit=ARTIFACT_CHANGES - len(changes), kind="NEW"
        )
    rows = "\n".join(f"| {label} | {value} |" for label, value in pipeline.summary_rows(counts))
    markdown = f"# Ingest run {run_id}\n\n| stage | count |\n|---|---:|\n{rows}\n"
    if failures:
        markdown += "\n## Failures\n\n| stage | origin | reason |\n|---|---|---|\n"
        markdown += "\n".join(f"| {f['stage']} | {f['origin']} | {f['reason']} |" for f in failures)
    detected = counts.get("NEW", 0) + counts.get("CHANGED", 0)
    if detected > len(changes):
        markdown += (
            f"\n\n`ingest-changes` lists the first {len(changes):,} of {detected:,} changes;"
            " the digest and `monitor changes --format csv` have them all.\n"
        )
    create_markdown_artifact(key="ingest-summary", markdown=markdown, description="Run counts")
    create_table_artifact(
        key="ingest-changes",
        table=[
            {
                "kind": c["kind"],
                "change": _short_change(c),
                "published": (c["published_at"] or "")[:10],
                "outlet": c["sources"][0]["outlet"] if c["sources"] else "",
                "title": (c["sources"][0]["title"] or "")[:60] if c["sources"] else "",
                "link": (c["sources"][0]["url"] or "") if c["sources"] else "",
                "actor": c["actor"] or "",
                "text": c["text"][:120],
                "commitment": c["commitment_id"],
            }
            for c in changes
        ],
        description=f"NEW and CHANGED commitments of run {run_id}"
        + (f" (first {len(changes):,} of {detected:,})" if detected > len(changes) else ""),
    )


def _short_change(change: dict) -> str:
    """A change in one short cell, before → after first, where the table shows it."""
    if change["kind"] != "CHANGED":
        return _short(change["after"])[:120]
    pairs = [
        f"{key}: {_raw(change['before'].get(key))} → {_raw(value)}"
        for key, value in change["after"].items()
    ]
    return "; ".join(pairs)[:200]


def _raw(value: object) -> str:
    return str(value.get("raw", value)) if isinstance(value, dict) else str(value)


def _short(fields: dict | None) -> str:
    if not fields:
        return ""
    return "; ".join(
        f"{key}: {value.get('raw', value) if isinstance(value, dict) else value}"
        for key, value in fields.items()
    )[:200]
