"""The database helpers."""

from sqlalchemy import insert, text

from monitor.store.db import refresh_statistics
from monitor.store.models import Capture


def test_refresh_statistics_gives_postgresql_the_rows_a_stage_stored(db):
    rows = [
        {
            "sha256": f"{i:064x}",
            "source": "t",
            "origin": f"o{i}",
            "media_type": "text/plain",
            "size": 1,
            "raw": b"x",
        }
        for i in range(500)
    ]
    with db.transaction() as session:
        session.execute(insert(Capture), rows)
        refresh_statistics(session, ("captures (id, sha256)",))  # SQLite: nothing to do
        if session.get_bind().dialect.name == "postgresql":
            estimate = session.scalar(
                text("select reltuples from pg_class where oid = 'captures'::regclass")
            )
            assert estimate == 500  # a table this small is sampled whole


def test_sqlite_checkpoints_its_log_only_after_many_batches(tmp_path):
    """A connection to SQLite writes ahead to a log it folds into the database every
    WAL_CHECKPOINT_PAGES pages, not at every commit of a large batch."""
    from monitor.store import open_database
    from monitor.store.db import WAL_CHECKPOINT_PAGES

    # many batches of about a thousand pages between two checkpoints (SQLite's default: 1,000)
    assert WAL_CHECKPOINT_PAGES >= 10_000

    db = open_database(f"sqlite:///{tmp_path / 'monitor.db'}")
    with db.engine.connect() as connection:
        assert connection.scalar(text("PRAGMA journal_mode")) == "wal"
        assert connection.scalar(text("PRAGMA wal_autocheckpoint")) == WAL_CHECKPOINT_PAGES
        assert connection.scalar(text("PRAGMA synchronous")) == 1  # NORMAL
    db.engine.dispose()
