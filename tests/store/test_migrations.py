"""The Alembic migrations create exactly the schema the models describe."""

import math

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.exc import IntegrityError

from monitor.store.models import Base, Capture


def test_migrated_schema_matches_the_models(db):
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        assert compare_metadata(context, Base.metadata) == []


def test_migrating_twice_is_harmless(db, database_url):
    from monitor.store import open_database

    open_database(database_url).engine.dispose()
    with db.engine.connect() as connection:
        assert MigrationContext.configure(connection).get_current_revision() is not None


def test_a_capture_is_stored_once_per_content_hash(db):
    row = {
        "sha256": "0" * 64,
        "source": "s",
        "origin": "o",
        "media_type": "text/plain",
        "size": 1,
        "raw": b"x",
    }
    with db.transaction() as session:
        session.add(Capture(**row))
    with pytest.raises(IntegrityError), db.transaction() as session:
        session.add(Capture(**row | {"origin": "elsewhere"}))


def test_json_columns_read_what_the_json_module_writes():
    from monitor.store.db import _json_loads

    assert _json_loads('{"value": 1.5, "unit": "亿元"}') == {"value": 1.5, "unit": "亿元"}
    assert math.isnan(_json_loads("[NaN]")[0])
    assert _json_loads("[Infinity]") == [math.inf]
