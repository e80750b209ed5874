"""Stage runners: each picks what the previous stage finished, in batches, and commits each
batch's output together with the flag that marks it done."""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, TypeVar

from sqlalchemy import Select, Update, bindparam, func, select, text, update
from sqlalchemy.orm import Session

from monitor.collector import fewer_collections
from monitor.store import Database
from monitor.store.db import refresh_statistics
from monitor.store.models import Base

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


def insert_rows(session: Session, model: type[Base], rows: list[dict[str, Any]]) -> None:
    """Insert many rows of `model`'s table whose ids are not needed back, given as dicts of the
    same columns: on PostgreSQL through COPY, on SQLite as one executemany of the driver's.

    psycopg sends an executemany as one INSERT a row, pipelined, and the server plans and runs
    each: the 77,712 measures of 10k captures took 6.5 s of a 12.5 s stage under py-spy (2.4 s
    by COPY, which streams the rows into the table in one statement). On SQLite the
    executemany through the table built each row's parameters anew: making the values here, as
    for COPY, took the tracking stage of 30k captures from 45.2 s to 41.6 s. Either way the
    values go through the columns' own types, as they would in an INSERT (aware datetimes, JSON
    with None as JSON null), and the columns' Python-side defaults fill what a row leaves out;
    the table's own defaults (its id) the rest.
    """
    if not rows:
        return
    session.flush()  # what the rows point at may still be pending in the session
    dialect = session.get_bind().dialect
    table: Any = model.__table__
    given = list(rows[0])
    defaults = [
        column
        for column in table.columns
        if column.name not in given and column.default is not None and not column.primary_key
    ]
    columns = [table.c[name] for name in given] + defaults
    processors = [column.type.dialect_impl(dialect).bind_processor(dialect) for column in columns]
    # a column without a processor takes its values as they are
    processed = [(i, p) for i, p in enumerate(processors) if p is not None]

    def values(row: dict[str, Any]) -> list[Any]:
        made = [row[name] for name in given] + [_default(column) for column in defaults]
        for i, process in processed:
            made[i] = process(made[i])
        return made

    quote = dialect.identifier_preparer
    into = f"{quote.format_table(table)} ({', '.join(quote.quote(c.name) for c in columns)})"
    if dialect.name != "postgresql":
        marks = ", ".join("?" * len(columns))
        statement = f"INSERT INTO {into} VALUES ({marks})"
        session.connection().exec_driver_sql(statement, [tuple(values(row)) for row in rows])
        return
    connection: Any = session.connection().connection.driver_connection  # psycopg's own
    with (
        connection.cursor() as cursor,
        cursor.copy(f"COPY {into} FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(values(row))


def _default(column: Any) -> Any:
    """A column's Python-side default, as an INSERT that left the column out would take it."""
    default = column.default
    return default.arg(None) if default.is_callable else default.arg


def bulk_update(model: type[Base], *columns: str) -> Update:
    """An UPDATE of `columns` of many rows of `model`'s table, sent as one executemany: rows
    given as dicts of those columns and "row_id", the id of the row to update (a bind named
    "id" would clash with the column)."""
    table: Any = model.__table__
    return (
        update(table)
        .where(table.c.id == bindparam("row_id"))
        .values({name: bindparam(name) for name in columns})
    )


def mark_done(session: Session, statement: Update) -> None:
    """Flag a whole batch done in one statement, not an UPDATE a row through the ORM (the
    flag is not read again in the batch, so the loaded objects need not see it)."""
    session.execute(statement.execution_options(synchronize_session=False))


# Ids a PostgreSQL run takes from a table's sequence at once; those left over serve the next
# batches (a sequence's values are never given twice, whether or not they are used).
ID_BLOCK = 500


class NewIds:
    """Ids for the rows of `model` a stage run makes, given as they are made and ascending, so
    that a batch can refer to its new rows before it inserts them in one statement (the ORM
    inserts them a row a statement on SQLite, which cannot return many ids in order, and a
    row's own INSERT … RETURNING is a round trip on PostgreSQL).

    On PostgreSQL from the table's sequence, ID_BLOCK at a time; on SQLite the next after the
    largest, as SQLite would give them, which needs the batch's transaction to have written
    already: it then holds the write lock, and no other writer can take the same ids before it
    commits."""

    def __init__(self, model: type[Base]) -> None:
        self.name, self.column = model.__tablename__, model.__table__.c.id
        self.top: int | None = None  # SQLite: the largest id given or stored in the batch
        self.free: list[int] = []  # PostgreSQL: values taken from the sequence, descending
        self.postgresql: bool | None = None  # which, known at the first id

    def begin(self) -> None:
        """A new batch: SQLite's largest stored id is read again when the batch needs one."""
        self.top = None

    def take(self, session: Session) -> int:
        if self.postgresql is None:  # asked once: a session's bind costs microseconds an id
            self.postgresql = session.get_bind().dialect.name == "postgresql"
        if self.postgresql:
            if not self.free:
                block = text(
                    f"SELECT nextval(pg_get_serial_sequence('{self.name}', 'id'))"
                    " FROM generate_series(1, :count)"
                )
                self.free = sorted(session.scalars(block, {"count": ID_BLOCK}), reverse=True)
            return self.free.pop()
        if self.top is None:
            self.top = session.scalar(select(func.max(self.column))) or 0
        self.top += 1
        return self.top
