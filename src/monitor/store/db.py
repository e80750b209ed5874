"""Engines, sessions and migrations: the only place that knows how to reach the database."""

from __future__ import annotations

import fcntl
import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from monitor.errors import RunBusy, StoreError

_MIGRATIONS = Path(__file__).parent / "migrations"
# SQLite folds its write-ahead log into the database at this many pages (80 MiB), not at its
# default 1,000: a tracking batch writes about 950 pages at 10k captures (its rows' random
# hashes land in pages all over their indexes), so nearly every commit checkpointed, with its
# fsyncs. Tracking 100k captures took 140-185 s instead of 213-217 s; 50,000 gained nothing.
WAL_CHECKPOINT_PAGES = 20_000


@dataclass(frozen=True)
class Database:
    """An engine and its session factory."""

    engine: Engine
    sessions: sessionmaker[Session]

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """A session whose work is committed on success and rolled back on any error."""
        with self.sessions.begin() as session:
            yield session

    @contextmanager
    def exclusive_run(self) -> Iterator[None]:
        """Hold the database's run lock for a run: one run at a time, whatever process or
        host starts it (two at once raced on the same new rows). PostgreSQL: an advisory lock
        of the database and schema, which a killed process releases with its connection;
        SQLite: a lock on a file beside the database, which the operating system releases.

        Raises:
            RunBusy: another run holds the lock.
        """
        if self.engine.dialect.name == "postgresql":
            with self.engine.connect() as connection:
                key = connection.scalar(text(_LOCK_KEY))
                if not connection.scalar(text("select pg_try_advisory_lock(:key)"), {"key": key}):
                    raise RunBusy(_BUSY)
                try:
                    yield
                finally:
                    connection.execute(text("select pg_advisory_unlock(:key)"), {"key": key})
                    connection.commit()
            return
        database = self.engine.url.database
        if not database or database == ":memory:":
            yield  # a database of this process alone
            return
        with open(f"{database}.lock", "a+b") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise RunBusy(_BUSY) from None
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)


_LOCK_KEY = (
    "select hashtext('policy-monitor run ' || current_database() || '.' || current_schema())"
)
_BUSY = "another run is in progress on this database; this one did not start (exit status 5)"


def refresh_statistics(session: Session, tables: tuple[str, ...]) -> None:
    """Have PostgreSQL sample the tables again (ANALYZE; a table may name its columns:
    "measures (id, masked_sha256)"), where a stage has just filled them.

    Its planner keeps the row counts it last sampled; a first large ingest fills tables faster
    than autovacuum samples them, and a lookup of 1,000 hashes was then planned as a scan of
    every stored measure and observation (65 ms for the last batch of 10,000 captures,
    growing with the store). SQLite's planner uses its indexes without statistics: nothing to
    do there.
    """
    if session.get_bind().dialect.name == "postgresql":
        for table in tables:
            session.execute(text(f"ANALYZE {table}"))


def open_database(url: str, migrate: bool = True) -> Database:
    """Connect to `url`, creating the SQLite folder and applying migrations when asked.

    Raises:
        StoreError: the database cannot be reached or migrated.
    """
    engine = _create_engine(url)
    if migrate:
        try:
            upgrade(engine)
        except SQLAlchemyError as exc:
            engine.dispose()
            raise StoreError(f"cannot migrate {engine.url.render_as_string()}: {exc}") from exc
    return Database(engine=engine, sessions=sessionmaker(engine, expire_on_commit=False))


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply Alembic migrations up to `revision` on `engine`."""
    _migrate(engine, command.upgrade, revision)


def downgrade(engine: Engine, revision: str) -> None:
    """Undo Alembic migrations on `engine` down to `revision`."""
    _migrate(engine, command.downgrade, revision)


def _migrate(engine: Engine, step: Callable[[Config, str], None], revision: str) -> None:
    """Migrate in one transaction. On SQLite with its foreign keys off: a migration that drops
    a column copies the table (Alembic's batch mode), and SQLite would refuse to drop the old
    table while other tables point at it; the keys are checked before the migrations commit."""
    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    with engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:  # outside the transaction: inside one SQLite ignores it
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.commit()
        try:
            with connection.begin():
                config.attributes["connection"] = connection
                step(config, revision)
                check = "PRAGMA foreign_key_check"
                if sqlite and (row := connection.exec_driver_sql(check).first()) is not None:
                    raise StoreError(f"migrating left a row of {row[0]} pointing at no {row[2]}")
        finally:
            if sqlite:
                connection.exec_driver_sql("PRAGMA foreign_keys=ON")
                connection.commit()


# Values a JSON column takes that orjson writes as json.dumps would, only faster: dicts with keys
# that are not strings (made strings), no datetimes or dataclasses (refused, as json.dumps
# refuses them); what orjson refuses (an integer beyond 64 bits) goes to json.dumps.
_ORJSON = (
    orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
)


def _json_dumps(value: Any) -> str:
    """JSON columns written with orjson: about 3.5x as fast as json.dumps on a change's fields,
    and 0.6x as long, Chinese text kept as UTF-8 rather than escaped (tracking writes three JSON
    values a measure). NaN and infinities, which JSON has not (PostgreSQL refuses them), are
    written as null."""
    try:
        return orjson.dumps(value, option=_ORJSON).decode()
    except orjson.JSONEncodeError:
        return json.dumps(value)


def _json_loads(text: str | bytes) -> Any:
    """JSON columns read with orjson (several times faster); what it refuses and the json module
    reads (NaN, Infinity) is read by the json module."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


def existing_database(url: str) -> Database:
    """A database that holds policy-monitor's schema, for reading: nothing is created where
    there is none (a mistyped path, another application's database), and a schema an older
    version left is brought up to date.

    Raises:
        StoreError: no database there, or none of policy-monitor's.
    """
    parsed = make_url(normalized_url(url))
    file = parsed.database if parsed.get_backend_name() == "sqlite" else None
    if file not in (None, "", ":memory:") and not Path(str(file)).is_file():
        raise StoreError(
            f"no database at {file}: `monitor ingest` or `monitor run` makes it"
            " (or set MONITOR_DATABASE_URL, MONITOR_HOME or --config)"
        )
    engine = _create_engine(url)
    try:
        with engine.connect() as connection:
            ours = inspect(connection).has_table("alembic_version")
    except SQLAlchemyError as exc:
        engine.dispose()
        raise StoreError(f"cannot read {parsed.render_as_string()}: {exc}") from exc
    if not ours:
        engine.dispose()
        raise StoreError(
            f"{parsed.render_as_string()} holds no policy-monitor data: `monitor ingest` or"
            " `monitor run` makes it"
        )
    engine.dispose()
    return open_database(url)


def normalized_url(url: str) -> str:
    """A database URL SQLAlchemy takes: postgres:// and postgresql:// (as other tools write
    them) mean PostgreSQL through psycopg 3, the driver installed."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _create_engine(url: str) -> Engine:
    parsed = make_url(normalized_url(url))
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            parsed,
            connect_args={"timeout": 30},
            json_serializer=_json_dumps,
            json_deserializer=_json_loads,
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return create_engine(
        parsed, pool_pre_ping=True, json_serializer=_json_dumps, json_deserializer=_json_loads
    )


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets the read-only CLI commands run while a pipeline run writes.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA wal_autocheckpoint={WAL_CHECKPOINT_PAGES}")
    cursor.close()


# What a text column cannot hold: NUL (PostgreSQL refuses it in text) and lone surrogates
# (a file name's undecodable bytes, kept by surrogateescape; UTF-8 cannot encode them)
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def storable(text: str) -> str:
    """Text as every database stores it: NUL dropped, a lone surrogate written as its escape
    (\\udc8f); the rest unchanged."""
    if not _UNSTORABLE.search(text):
        return text
    return text.replace("\x00", "").encode("utf-8", "backslashreplace").decode("utf-8")
