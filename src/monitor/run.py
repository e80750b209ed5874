"""What every stage of a run shares: the run's context, a stage's counts, batches of what is
pending, and the decorator that times a stage. Each stage picks what the previous one finished,
in batches, and commits each batch's output with the flag that marks it done; the stages live
beside their logic (sources/stage.py, extract/stage.py, dedup/stage.py, measures/stage.py,
track/stage.py) and pipeline.py orders them."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import Select
from sqlalchemy.orm import Session

from monitor.collector import fewer_collections
from monitor.store import Database
from monitor.store.db import refresh_statistics

__all__ = [
    "BATCH_BYTES",
    "BATCH_SIZE",
    "RunContext",
    "StageResult",
    "counted",
    "keep_statistics",
    "pending_batches",
    "sized_batches",
    "split_by_size",
    "stage",
]

# Rows a stage handles per transaction: small enough that a crash costs little, large enough that
# commits do not dominate (each batch is one commit).
BATCH_SIZE = 200
T = TypeVar("T")
# Raw bytes of captures a batch holds at most (one capture over it goes alone): what bounds a
# run's memory, with the 20 MB cap on one capture, whatever the pages' sizes
BATCH_BYTES = 32 * 1024 * 1024


@dataclass(frozen=True)
class RunContext:
    """What every stage of one run shares besides the database."""

    run_id: int | None = None
    # Redis URL of the shared LSH index; None keeps the index in the process.
    redis_url: str | None = None
    # Processes extracting pages at once; None: one per usable core.
    extract_workers: int | None = None
    # Told what the run is doing, a line at a time (the command line prints it as it goes)
    progress: Callable[[str], None] | None = None

    # Told how far a stage has gone: (stage, items done, items in all)
    advance: Callable[[str, int, int], None] | None = None

    def report(self, line: str) -> None:
        """Say what the run is doing, when someone listens."""
        if self.progress is not None:
            self.progress(line)

    def batches(self, stage: str, batches: list[list[T]]) -> Iterator[list[T]]:
        """The batches of a stage, telling `advance` how far it has gone as each is done."""
        total, done = sum(len(batch) for batch in batches), 0
        if self.advance is not None:
            self.advance(stage, 0, total)
        for batch in batches:
            yield batch
            done += len(batch)
            if self.advance is not None:
                self.advance(stage, done, total)


@dataclass
class StageResult:
    """What one stage did in one run."""

    stage: str
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, key: str, amount: int = 1) -> None:
        """Count `amount` more of `key`."""
        self.counts[key] = self.counts.get(key, 0) + amount

    def __add__(self, other: StageResult) -> StageResult:
        total = StageResult(self.stage, dict(self.counts))
        for key, value in other.counts.items():
            total.add(key, value)
        return total


def pending_batches(
    db: Database, query: Select[Any], size: int = BATCH_SIZE
) -> Iterator[list[int]]:
    """The ids the query selects now, in batches of `size`."""
    with db.sessions() as session:
        ids: list[int] = list(session.scalars(query))
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def sized_batches(
    db: Database, query: Select[Any], size: int = BATCH_SIZE, budget: int | None = None
) -> Iterator[list[int]]:
    """The ids the query selects now, with their sizes in bytes (it selects both), in batches
    of at most `size` ids and `budget` bytes (BATCH_BYTES); an id larger than the budget goes
    alone."""
    with db.sessions() as session:
        rows: list[tuple[int, int]] = [(row[0], row[1]) for row in session.execute(query)]
    yield from split_by_size(rows, size, budget)


def split_by_size(
    rows: Iterable[tuple[T, int]], size: int = BATCH_SIZE, budget: int | None = None
) -> Iterator[list[T]]:
    """Items with their sizes in batches of at most `size` items and `budget` bytes
    (BATCH_BYTES)."""
    budget = BATCH_BYTES if budget is None else budget
    batch: list[T] = []
    held = 0
    for item, bytes_ in rows:
        if batch and (len(batch) >= size or held + bytes_ > budget):
            yield batch
            batch, held = [], 0
        batch.append(item)
        held += bytes_
    if batch:
        yield batch


def keep_statistics(session: Session, batch_number: int, tables: tuple[str, ...]) -> None:
    """Have PostgreSQL sample the tables a stage fills and looks up again (refresh_statistics)
    at its batches 1, 2, 4, 8…, as they double: a lookup planned on the counts of an empty
    table scans every row of the full one (the events stage's read of its events' members took
    41 s of 128 at 100k captures, with autovacuum off)."""
    if batch_number & (batch_number - 1) == 0:
        refresh_statistics(session, tables)


# A stage's count of one, in the singular
# Nouns a run counts, in the singular
_SINGULAR = {
    "copies": "copy",
    "captures": "capture",
    "articles": "article",
    "events": "event",
    "measures": "measure",
    "failures": "failure",
    "pages": "page",
    "files": "file",
    "inputs": "input",
    "days": "day",
}


def counted(count: int, noun: str) -> str:
    """A count and its noun, in the singular for one ("1 copy", "2 copies")."""
    return f"{count} {_SINGULAR.get(noun, noun) if count == 1 else noun}"


def stage(
    function: Callable[[Database, RunContext], StageResult],
) -> Callable[[Database, RunContext], StageResult]:
    """A stage runner: it runs with fewer_collections."""

    @functools.wraps(function)
    def run(db: Database, context: RunContext) -> StageResult:
        started = time.monotonic()
        with fewer_collections():
            result = function(db, context)
        counts = ", ".join(counted(value, key) for key, value in result.counts.items())
        context.report(
            f"{result.stage}: {counts or 'nothing to do'} ({time.monotonic() - started:.1f} s)"
        )
        return result

    return run
