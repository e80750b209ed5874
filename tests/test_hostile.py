"""Hostile local input through the command line, on SQLite and PostgreSQL: each bad item is
recorded with its reason, the good items of the same run are stored and tracked, and the next
run works (the README's failure table lists these classes)."""

from __future__ import annotations

import gc
import json
import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from monitor.cli import EXIT_NOTHING_READ, EXIT_SOME_FAILED, app
from monitor.config import load_settings
from monitor.errors import ConfigError
from tests.conftest import GLOBAL_SEED, PEOPLE_SEED

runner = CliRunner()
# the commands leave their engine to the end of the process, which a test is not
pytestmark = [
    pytest.mark.filterwarnings("ignore:<psycopg.Connection:ResourceWarning"),
    pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),
]


@pytest.fixture
def monitor(tmp_path, database_url, monkeypatch):
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    monkeypatch.delenv("MONITOR_CONFIG", raising=False)
    env = {"MONITOR_HOME": str(tmp_path / "home"), "MONITOR_DATABASE_URL": database_url}

    def run(*args: str, status: int | None = 0) -> str:
        result = runner.invoke(app, list(args), env=env | {"COLUMNS": "400"})
        if status is not None:
            assert result.exit_code == status, result.output
        return result.stdout

    yield run
    # the commands' connections end here, under this module's filters, not in a later test
    gc.collect()


def _json(monitor, *args: str) -> list[dict]:
    return json.loads(monitor(*args, "-f", "json"))


def test_a_nul_byte_deep_in_a_page_is_dropped_and_the_rest_kept(tmp_path, monitor):
    pages = tmp_path / "pages"
    pages.mkdir()
    text = GLOBAL_SEED.read_bytes()
    (pages / "nul.txt").write_bytes(text[:9000] + b"\x00" + text[9000:])
    shutil.copy(PEOPLE_SEED, pages / "people.txt")
    monitor("ingest", str(pages))
    measures = _json(monitor, "measures")
    assert len({m["article_id"] for m in measures}) == 2
    assert len(_json(monitor, "changes")) == 11  # the two reports of one briefing, tracked
    monitor("ingest", str(pages))  # and the next run goes on


def test_names_links_devices_and_pipes(tmp_path, monitor):
    pages = tmp_path / "pages"
    pages.mkdir()
    shutil.copy(GLOBAL_SEED, pages / "good.txt")
    odd = os.fsencode(pages) + b"/\xff\xfe-name.txt"  # a name that is not UTF-8
    with open(odd, "wb") as handle:
        handle.write(PEOPLE_SEED.read_bytes())
    (pages / "passwd.txt").symlink_to("/etc/passwd")
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    monitor("ingest", str(pages), str(fifo), "/dev/zero", status=EXIT_SOME_FAILED)
    reasons = {Path(f["origin"]).name: f["reason"] for f in _json(monitor, "failures")}
    assert reasons["passwd.txt"] == "a link to outside the source's folder: not read"
    assert reasons["pipe.txt"].startswith("not a regular file")
    assert reasons["zero"].startswith("not a regular file")
    events = _json(monitor, "events")
    origins = {Path(a["origin"]).name for e in events for a in e["articles"]}
    assert origins == {"good.txt", "\\udcff\\udcfe-name.txt"}
    monitor("ingest", str(pages / "good.txt"))


def test_text_that_looks_like_markup_is_printed_as_it_is(tmp_path, monitor, capsys):
    from monitor.cli import _table

    _table([{"title": "科技部[/b]支持北京[red]建设"}], ["title"])
    assert "科技部[/b]支持北京[red]建设" in capsys.readouterr().out
    monitor("ingest", str(GLOBAL_SEED))
    assert "1 row\n" in monitor("events") and "rows" in monitor("changes")


def test_nothing_at_all_is_exit_4(tmp_path, monitor):
    monitor("ingest", str(tmp_path / "missing"), status=EXIT_NOTHING_READ)


def test_a_password_is_never_sent_in_clear(tmp_path):
    config = tmp_path / "monitor.toml"
    config.write_text('[smtp]\nhost = "mail.example.org"\nusername = "monitor"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match="sends the password in clear"):
        load_settings(config, env={})
    config.write_text(
        '[smtp]\nhost = "localhost"\nusername = "monitor"\nallow_plain_login = true\n',
        encoding="utf-8",
    )
    assert load_settings(config, env={}).smtp.username == "monitor"


def test_one_run_at_a_time_and_a_killed_run_is_marked_interrupted(database_url, monitor):
    from sqlalchemy import select

    from monitor.store import open_database
    from monitor.store.models import Run

    db = open_database(database_url)
    try:
        with db.transaction() as session:
            session.add(Run(trigger="killed"))  # a run whose process died: still "running"
        with db.exclusive_run():
            busy = runner.invoke(
                app, ["ingest", str(GLOBAL_SEED)], env={"MONITOR_DATABASE_URL": database_url}
            )
        assert busy.exit_code == 5, busy.output
        assert "another run is in progress" in busy.output
        monitor("ingest", str(GLOBAL_SEED))
        with db.sessions() as session:
            statuses = dict(list(session.execute(select(Run.trigger, Run.status)).tuples()))
        assert statuses == {"killed": "interrupted", "cli": "completed"}
    finally:
        db.engine.dispose()


def test_raw_pages_are_stored_compressed_and_read_back_as_received(db, seed_captures):
    from sqlalchemy import select, text

    from monitor.pipeline import store_captures
    from monitor.store.models import Capture

    store_captures(db, seed_captures, None)
    with db.transaction() as session:  # a page stored before pages were compressed
        session.execute(
            text(
                "insert into captures (sha256, source, origin, media_type, size, raw, status,"
                " stored_at) values ('legacy', 'old', 'old.txt', 'text/plain', 3, :raw, 'new',"
                " :now)"
            ),
            {"raw": b"old", "now": "2021-01-20 00:00:00"},
        )
    with db.sessions() as session:
        stored = {c.origin: c.raw for c in session.scalars(select(Capture))}
        on_disk = session.execute(text("select raw from captures where sha256 != 'legacy'"))
        sizes = [len(bytes(row[0])) for row in on_disk]
    assert {c.origin: c.data for c in seed_captures} | {"old.txt": b"old"} == stored
    if db.engine.dialect.name == "sqlite":  # PostgreSQL compresses long values itself
        assert sum(sizes) < 0.7 * sum(len(c.data) for c in seed_captures)
