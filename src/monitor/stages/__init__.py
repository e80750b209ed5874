"""Stage runners: each picks what the previous stage finished, in batches, and commits each
batch's output together with the flag that marks it done."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Insert, Select, Update, func, insert, inspect, select, text
from sqlalchemy.orm import Session, make_transient_to_detached

from monitor.collector import fewer_collections
from monitor.store import Database
from monitor.store.models import Base

# Rows a stage handles per transaction: small enough that a crash costs little, large enough that
# commits do not dominate (each batch is one commit).
BATCH_SIZE = 200


@dataclass(frozen=True)
class RunContext:
    """What every stage of one run shares besides the database."""

    run_id: int | None = None
    # Redis URL of the shared LSH index; None keeps the index in the process.
    redis_url: str | None = None
    # Processes extracting pages at once; None: one per usable core.
    extract_workers: int | None = None


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


def stage(
    function: Callable[[Database, RunContext], StageResult],
) -> Callable[[Database, RunContext], StageResult]:
    """A stage runner: it runs with fewer_collections."""

    @functools.wraps(function)
    def run(db: Database, context: RunContext) -> StageResult:
        with fewer_collections():
            return function(db, context)

    return run


def bulk_insert(model: type[Base]) -> Insert:
    """An INSERT of many rows of `model`, sent as one executemany: for rows whose ids are not
    needed back (the ORM would insert them a row at a time on SQLite, whose dialect cannot
    return the ids of many rows in order).

    NULLs are sent as values: SQLAlchemy otherwise leaves a row's None values out and batches
    only consecutive rows with the same columns, so measures whose actor is known in every other
    row went in a few rows a statement (2,887 statements for 7,699 measures on PostgreSQL). What
    is stored is the same either way, JSON's None included (stored as JSON null)."""
    return insert(model).execution_options(render_nulls=True)


def mark_done(session: Session, statement: Update) -> None:
    """Flag a whole batch done in one statement, not an UPDATE a row through the ORM (the
    flag is not read again in the batch, so the loaded objects need not see it)."""
    session.execute(statement.execution_options(synchronize_session=False))


def insert_objects(session: Session, model: type[Base], objects: list[Any]) -> None:
    """Insert new objects of `model`, added to the session, in one executemany, and keep them
    in the session as stored: later changes to them are flushed as updates.

    The ORM's flush would insert them a few rows a statement: it leaves a row's None values
    out and batches only consecutive rows with the same columns, and on SQLite, which cannot
    return the ids of many inserted rows in order, one row a statement (450,078 commitments at
    100k took 87 s of tracking's 377 s under the profiler). Their ids are given first: on
    PostgreSQL from the table's sequence; on SQLite the next after the largest, as SQLite
    would give them, which needs the transaction to have written already (it then holds the
    write lock, and no other writer can take the same ids before it commits).
    """
    objects = [o for o in objects if inspect(o).pending]  # not inserted by an autoflush
    if not objects:
        return
    table = model.__table__
    name = model.__tablename__
    with session.no_autoflush:  # an autoflush would insert them the ORM's way first
        if session.get_bind().dialect.name == "postgresql":
            sequence = text(
                f"SELECT nextval(pg_get_serial_sequence('{name}', 'id'))"
                " FROM generate_series(1, :count)"
            )
            # ascending, as the objects were made: the first one made has the least id
            ids = sorted(session.scalars(sequence, {"count": len(objects)}))
        else:
            top = session.scalar(select(func.max(table.c.id))) or 0
            ids = list(range(top + 1, top + 1 + len(objects)))
    columns = [column.key for column in table.columns]
    defaulted = [column.key for column in table.columns if column.default is not None]
    rows = []
    for instance, new_id in zip(objects, ids, strict=True):
        instance.id = new_id
        row = {key: getattr(instance, key) for key in columns}
        if any(row[key] is None for key in defaulted):  # NULL would be stored, not the default
            raise ValueError(f"a new {name} row leaves a column with a default unset")
        rows.append(row)
        session.expunge(instance)
    session.execute(bulk_insert(model), rows)
    for instance in objects:
        make_transient_to_detached(instance)  # as if read from the database
        session.add(instance)
