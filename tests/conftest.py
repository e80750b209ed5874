"""Shared fixtures: a migrated database on SQLite and on PostgreSQL, and the seed captures."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from monitor.sources import RawCapture
from monitor.sources.local import iter_paths, read_file
from monitor.store import Database, open_database

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
GLOBAL_SEED = SEEDS / "000_42e4a6355bcb619a.txt"  # 光明网
PEOPLE_SEED = SEEDS / "001_72ddc1701e8a334b.txt"  # 人民网
# Real documents of the workspace (absent from a clone elsewhere: their tests skip)
SHARED = ROOT.parent / "shared"
GWR = SHARED / "corpora" / "gwr"  # Government Work Reports 2016–2022


def gwr_report(year: int) -> Path:
    """The Government Work Report of a year."""
    return GWR / f"gwr_{year}.txt"


POSTGRES_URL = os.environ.get(
    "MONITOR_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def _postgres_problem() -> str | None:
    try:
        engine = create_engine(POSTGRES_URL, connect_args={"connect_timeout": 3})
        with engine.connect() as connection:
            connection.execute(text("select 1"))
        engine.dispose()
    except Exception as exc:  # any failure to connect means: no PostgreSQL here
        return f"{type(exc).__name__}: {str(exc).splitlines()[0]}"
    return None


@pytest.fixture(scope="session")
def postgres_url() -> str:
    """The PostgreSQL test server's URL; skips (or, under CI, fails) when it is unreachable."""
    problem = _postgres_problem()
    if problem:
        message = (
            f"PostgreSQL tests need a server at {POSTGRES_URL} ({problem}). "
            "Start one or set MONITOR_TEST_POSTGRES_URL."
        )
        if os.environ.get("MONITOR_REQUIRE_POSTGRES"):
            pytest.fail(message)
        pytest.skip(message)
    return POSTGRES_URL


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A URL of an empty database: a SQLite file, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'monitor.db'}"
        return
    base = request.getfixturevalue("postgres_url")
    schema = f"test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(base)
    with admin.begin() as connection:
        connection.execute(text(f'create schema "{schema}"'))
    try:
        url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'drop schema "{schema}" cascade'))
        admin.dispose()


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    """A migrated database on each backend."""
    database = open_database(database_url)
    yield database
    database.engine.dispose()


@pytest.fixture
def seed_captures() -> list[RawCapture]:
    """The two seed captures as read by the folder source."""
    items = [read_file(path, "seeds") for path in iter_paths([SEEDS])]
    assert all(isinstance(item, RawCapture) for item in items)
    return items  # type: ignore[return-value]
