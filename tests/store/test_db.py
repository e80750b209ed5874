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
