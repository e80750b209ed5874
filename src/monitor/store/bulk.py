"""Writing many rows at once: inserts by COPY (PostgreSQL) or one executemany (SQLite), updates
of many rows in one statement, and ids handed out before the rows are inserted. What differs
between the two databases is here, not in the stages."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Update, bindparam, func, select, text, update
from sqlalchemy.orm import Session

from monitor.store.models import Base


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
