"""One tier of the stage benchmark: every stage over `count` generated HTML captures on one
database, timed, with the process's peak memory after each stage.

Run as `python -m bench.stages --captures N --database sqlite|postgresql`, one process a tier
so each tier's memory is its own; prints the result as JSON.
"""

from __future__ import annotations

import argparse
import functools
import json
import resource
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

from bench.pages import cached_pages
from monitor import pipeline
from monitor.store import Database, open_database

POSTGRES_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
# trafilatura alone is timed on this many of the same pages, before the tier's stages and again
# after tracking (before the digest, which at 100k holds a 570 MB digest in memory); the faster
# of the two is the baseline. This machine's speed drifts by a fifth within minutes, and one
# timing of 3 s moved the ratio as much (296 against 368 pages/s in two tiers a minute apart);
# the faster timing lets drift count only against the pipeline.
_BASELINE_SAMPLE = 1000


def peak_mib() -> float:
    """The process's peak resident memory so far."""
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


@contextmanager
def fresh_database(kind: str, server: str = POSTGRES_SERVER) -> Iterator[str]:
    """The URL of an empty database of that kind, dropped afterwards."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory() as folder:
            yield f"sqlite:///{folder}/bench.db"
        return
    import psycopg

    name = f"bench_{uuid.uuid4().hex[:10]}"
    admin = server.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f"CREATE DATABASE {name}")
    try:
        yield server.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with psycopg.connect(admin, autocommit=True) as connection:
            connection.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def trafilatura_rate(pages: list[bytes]) -> float:
    """Pages per second of trafilatura alone (body and metadata) on the same pages."""
    from tests.extract.gne import trafilatura_alone

    started = time.perf_counter()
    for page in pages:
        trafilatura_alone(page, "")
    return len(pages) / (time.perf_counter() - started)


def measure_tier(count: int, kind: str) -> dict:
    """Every stage over `count` captures on a fresh database of that kind."""
    captures = cached_pages(count)
    sample = [c.data for c in captures[:_BASELINE_SAMPLE]]
    baselines = [trafilatura_rate(sample)]
    rows: list[dict[str, Any]] = []
    with fresh_database(kind) as url:
        db = open_database(url)
        run_id = pipeline.begin_run(db, "bench")
        context = pipeline.RunContext(run_id=run_id)
        steps: list[tuple[str, Callable[[], dict[str, int]]]] = [
            ("storage", lambda: pipeline.store_captures(db, captures, run_id).counts)
        ]
        names = {
            "extract_pending": "extraction",
            "find_copies_pending": "copies (signatures, LSH, verify)",
            "group_events_pending": "events",
            "extract_measures_pending": "measures",
            "track_pending": "tracking",
        }
        steps += [
            (names.get(s.__name__, s.__name__), functools.partial(_run_stage, s, db, context))
            for s in pipeline.STAGES
        ]
        steps.append(("digest", lambda: _digest(db)))
        for name, step in steps:
            if name == "digest":
                baselines.append(trafilatura_rate(sample))
            started = time.perf_counter()
            counts = step()
            seconds = time.perf_counter() - started
            rows.append(
                {
                    "stage": name,
                    "seconds": round(seconds, 3),
                    "docs_per_second": round(count / seconds, 1),
                    "peak_rss_mib": peak_mib(),
                    "counts": counts,
                }
            )
        db.engine.dispose()
    baseline = max(baselines)
    pipeline_seconds = sum(r["seconds"] for r in rows if r["stage"] != "digest")
    end_to_end = count / pipeline_seconds
    return {
        "captures": count,
        "database": kind,
        "stages": rows,
        "end_to_end_docs_per_second": round(end_to_end, 1),
        "trafilatura_alone_docs_per_second": round(baseline, 1),
        "trafilatura_alone_before_after": [round(rate, 1) for rate in baselines],
        "end_to_end_vs_trafilatura": round(end_to_end / baseline, 3),
    }


def _run_stage(
    stage: Callable[[Database, pipeline.RunContext], pipeline.StageResult],
    db: Database,
    context: pipeline.RunContext,
) -> dict[str, int]:
    return stage(db, context).counts


def _digest(db: Database) -> dict[str, int]:
    """The daily digest's reads (monitor.digest.outbox.digest_contents) and rendering over
    everything undelivered."""
    from monitor.digest.outbox import digest_contents
    from monitor.digest.render import render_digest

    with db.sessions() as session:
        changes, events, health = digest_contents(session, None, None)
    digest = render_digest(date.today(), changes, events, health)
    return {"changes": len(changes), "html_bytes": len(digest.html)}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.stages", description=__doc__)
    parser.add_argument("--captures", type=int, required=True)
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    args = parser.parse_args()
    print(json.dumps(measure_tier(args.captures, args.database), ensure_ascii=False))


if __name__ == "__main__":
    main()
