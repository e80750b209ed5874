"""The Alembic migrations create exactly the schema the models describe."""

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
