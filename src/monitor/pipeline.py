"""The pipeline: a run stores captures, then runs every stage over everything pending.

Each stage lives beside its logic (sources/stage.py, extract/stage.py, dedup/stage.py,
measures/stage.py, track/stage.py); this module only orders them. Each is idempotent and
resumable: a re-run finds nothing pending, and a crash loses at most the batch in flight, which
the next run redoes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from sqlalchemy import update

from monitor.dedup.stage import find_copies_pending, group_events_pending
from monitor.extract.stage import extract_pending
from monitor.measures.stage import extract_measures_pending
from monitor.run import RunContext, StageResult, counted
from monitor.sources import Item
from monitor.sources.stage import store_captures
from monitor.store import Database
from monitor.store.models import Run, utcnow
from monitor.track.stage import track_pending

__all__ = [
    "STAGES",
    "RunContext",
    "StageResult",
    "run_pipeline",
    "run_stage",
    "stage_name",
    "stage_names",
    "store_captures",
    "summary_line",
]


def begin_run(db: Database, trigger: str) -> int:
    """Record the start of a run and return its id; a run still marked running is one that
    was killed (the caller holds the run lock, Database.exclusive_run): it is marked so."""
    with db.transaction() as session:
        session.execute(update(Run).where(Run.status == "running").values(status="interrupted"))
        run = Run(trigger=trigger)
        session.add(run)
        session.flush()
        return run.id


def finish_run(db: Database, run_id: int, results: Iterable[StageResult]) -> dict[str, int]:
    """Record the end of a run with the counts of every stage; return the counts."""
    counts: dict[str, int] = {}
    for result in results:
        for key, value in result.counts.items():
            counts[key] = counts.get(key, 0) + value
    with db.transaction() as session:
        run = session.get_one(Run, run_id)
        run.finished_at, run.status, run.counts = utcnow(), "completed", counts
    return counts


STAGES: tuple[Callable[[Database, RunContext], StageResult], ...] = (
    extract_pending,
    find_copies_pending,
    group_events_pending,
    extract_measures_pending,
    track_pending,
)


def stage_name(stage: Callable[..., StageResult]) -> str:
    """A stage's name, as tasks and logs call it: find_copies_pending -> find-copies."""
    return stage.__name__.removesuffix("_pending").replace("_", "-")


def stage_names(after: str | None = None) -> list[str]:
    """The stages' names in the order they run; with `after`, those that follow that one."""
    names = [stage_name(stage) for stage in STAGES]
    return names[names.index(after) + 1 :] if after else names


def run_stage(db: Database, name: str, context: RunContext) -> StageResult:
    """Run one stage, named as stage_names names it, over everything pending: what a flow's
    task calls (the stages are read when called, so a wrapper of them is honoured)."""
    return next(stage for stage in STAGES if stage_name(stage) == name)(db, context)


def run_pipeline(
    db: Database,
    items: Iterable[Item],
    trigger: str,
    redis_url: str | None = None,
    extract_workers: int | None = None,
    progress: Callable[[str], None] | None = None,
    advance: Callable[[str, int, int], None] | None = None,
) -> dict[str, int]:
    """One whole pass: store the captures, run every stage, record the run; return its counts.

    Args:
        redis_url: where the shared LSH index lives, if not in this process.
        extract_workers: processes extracting pages at once (default: one per usable core).
        progress: told what the run is doing as it goes, a line at a time.
        advance: told how far each stage has gone (stage, items done, items in all).
    """
    with db.exclusive_run():
        run_id = begin_run(db, trigger)
        context = RunContext(
            run_id=run_id,
            redis_url=redis_url,
            extract_workers=extract_workers,
            progress=progress,
            advance=advance,
        )
        context.report(f"run {run_id}: reading the inputs")
        results = [store_captures(db, items, run_id)]
        stored = results[0].counts
        context.report(
            f"store: {counted(stored.get('captures', 0), 'captures')},"
            f" {counted(stored.get('failures', 0), 'failures')}"
        )
        results += [stage(db, context) for stage in STAGES]
        return finish_run(db, run_id, results) | {"run_id": run_id}


SUMMARY_KEYS = (
    ("captures", "captures"),
    ("captures_new", "new captures"),
    ("unchanged", "unchanged"),
    ("articles", "articles"),
    ("copies", "copies"),
    ("events", "events"),
    ("measures", "measures"),
    ("NEW", "NEW"),
    ("CHANGED", "CHANGED"),
    ("reaffirmed", "reaffirmed"),
    ("failures", "failures"),
)


def summary_line(counts: dict[str, int]) -> str:
    """One line saying what a run did: "2 captures (2 new), 2 articles, 0 copies, 1 event, …"."""
    parts = [f"{counts.get('captures', 0)} captures ({counts.get('captures_new', 0)} new)"]
    if counts.get("unchanged"):
        parts.append(f"{counts['unchanged']} pages unchanged")
    if counts.get("skipped"):
        parts.append(f"{counted(counts['skipped'], 'files')} skipped (not captures)")
    for key, label in SUMMARY_KEYS[3:]:
        parts.append(counted(counts.get(key, 0), label))
    if counts.get("lossy"):
        parts.append(f"{counts['lossy']} read with losses")
    return ", ".join(parts)


def summary_rows(counts: dict[str, int]) -> list[tuple[str, int]]:
    """(label, count) pairs of a run, in pipeline order."""
    return [(label, counts.get(key, 0)) for key, label in SUMMARY_KEYS]


def reprocess_pipeline(
    db: Database,
    trigger: str,
    redis_url: str | None = None,
    extract_workers: int | None = None,
    progress: Callable[[str], None] | None = None,
    advance: Callable[[str, int, int], None] | None = None,
) -> dict[str, int]:
    """Re-extract every stored capture, then run every stage; return the run's counts."""
    from monitor.reprocess import reprocess_captures

    with db.exclusive_run():
        run_id = begin_run(db, trigger)
        context = RunContext(
            run_id=run_id,
            redis_url=redis_url,
            extract_workers=extract_workers,
            progress=progress,
            advance=advance,
        )
        results = [reprocess_captures(db, context)]
        results += [stage(db, context) for stage in STAGES]
        return finish_run(db, run_id, results) | {"run_id": run_id}
