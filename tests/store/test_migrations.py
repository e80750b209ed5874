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


def test_json_columns_are_written_as_utf_8_and_read_back_the_same(db):
    from sqlalchemy import select, text

    from monitor.store.db import _json_dumps
    from monitor.store.models import Run

    counts = {"近600个项目": 1, "ratio": 0.5, "none": None, "nested": [{"亿元": 170.0}], 3: "key"}
    with db.transaction() as session:
        session.add(Run(trigger="test", counts=counts))
    with db.sessions() as session:
        stored = session.scalar(text("SELECT CAST(counts AS TEXT) FROM runs"))
        read = session.scalar(select(Run.counts))
    assert "近600个项目" in stored and "\\u" not in stored  # not escaped
    assert read == {**{k: v for k, v in counts.items() if k != 3}, "3": "key"}  # as json keys
    assert _json_dumps(2**70) == str(2**70)  # beyond orjson, through the json module
    assert _json_dumps(float("nan")) == "null"  # JSON has no NaN


def test_measures_left_untracked_stay_pending_across_the_flags_migration(database_url):
    """0006 turns the measures' tracked flags into pending rows, and its downgrade back."""
    from sqlalchemy import text

    from monitor.store import open_database
    from monitor.store.db import downgrade, upgrade

    db = open_database(database_url, migrate=False)
    upgrade(db.engine, "0005")
    capture = (
        "INSERT INTO captures (id, sha256, source, origin, media_type, stored_at, size, raw,"
        " status) VALUES (1, :sha, 's', 'o', 'text/plain', :at, 1, :raw, 'extracted')"
    )
    article = (
        "INSERT INTO articles (id, capture_id, title, title_derived, body, body_sha256,"
        " extractor, dedup_done, event_done, measures_done, created_at)"
        " VALUES (1, 1, 't', false, 'b', :sha, 'x', true, true, true, :at)"
    )
    measure = (
        "INSERT INTO measures (id, article_id, ordinal, marker, text, masked_sha256,"
        " quantities, periods, kind, tracked)"
        " VALUES (:id, 1, :id, 'm', :text, :sha, '[]', '[]', 'commitment', :tracked)"
    )
    at = "2026-12-01 00:00:00"
    with db.engine.begin() as connection:
        connection.execute(text(capture), {"sha": "0" * 64, "at": at, "raw": b"x"})
        connection.execute(text(article), {"sha": "0" * 64, "at": at})
        for number, tracked in ((1, True), (2, False), (3, True), (4, False)):
            row = {"id": number, "text": f"m{number}", "sha": "1" * 64, "tracked": tracked}
            connection.execute(text(measure), row)
        # rows that point at the measures, which SQLite's copy of the table must keep valid
        connection.execute(
            text(
                "INSERT INTO commitments (id, masked_sha256, text, fields, latest_measure_id)"
                " VALUES (1, :sha, 'm1', '{}', 3)"
            ),
            {"sha": "1" * 64},
        )
        connection.execute(
            text(
                "INSERT INTO observations (id, commitment_id, measure_id, outcome)"
                " VALUES (1, 1, 1, 'new'), (2, 1, 3, 'reaffirmed')"
            )
        )
    upgrade(db.engine)
    with db.engine.connect() as connection:
        pending = connection.scalars(text("SELECT measure_id FROM pending_measures ORDER BY 1"))
        assert list(pending) == [2, 4]
        observed = connection.scalars(text("SELECT measure_id FROM observations ORDER BY 1"))
        assert list(observed) == [1, 3]
    downgrade(db.engine, "0005")
    with db.engine.connect() as connection:
        rows = connection.execute(text("SELECT id, tracked FROM measures ORDER BY id"))
        assert [(i, bool(t)) for i, t in rows] == [(1, True), (2, False), (3, True), (4, False)]
    db.engine.dispose()


def test_a_migration_leaving_a_row_that_points_nowhere_is_undone_on_sqlite(tmp_path):
    """SQLite migrates with its foreign keys off, and checks them before committing."""
    from sqlalchemy import text

    from monitor.errors import StoreError
    from monitor.store import open_database
    from monitor.store.db import _migrate

    db = open_database(f"sqlite:///{tmp_path / 'monitor.db'}")

    def dangling(config, revision):
        config.attributes["connection"].exec_driver_sql(
            "INSERT INTO observations (id, commitment_id, measure_id, outcome)"
            " VALUES (1, 99, 99, 'new')"
        )

    with pytest.raises(StoreError, match="observations"):
        _migrate(db.engine, dangling, "head")
    with db.engine.connect() as connection:
        assert connection.scalar(text("SELECT count(*) FROM observations")) == 0
        assert connection.scalar(text("PRAGMA foreign_keys")) == 1
    db.engine.dispose()
