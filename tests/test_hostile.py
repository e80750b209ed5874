"""Hostile local input through the command line, on SQLite and PostgreSQL: each bad item is
recorded with its reason, the good items of the same run are stored and tracked, and the next
run works (the README's failure table lists these classes)."""

from __future__ import annotations

import gc
import io
import json
import os
import shutil
import sys
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
    cut = text.index("。".encode(), 8192) + 3  # past the first 8 KB, between two characters
    (pages / "nul.txt").write_bytes(text[:cut] + b"\x00" + text[cut:])
    shutil.copy(PEOPLE_SEED, pages / "people.txt")
    monitor("ingest", str(pages))
    measures = _json(monitor, "measures")
    assert len({m["article_id"] for m in measures}) == 2
    assert len(_json(monitor, "changes")) == 11  # the two reports of one briefing, tracked
    (lost,) = _json(monitor, "failures")  # what reading the page lost, against its capture
    assert lost["stage"] == "decode" and lost["origin"].endswith("nul.txt")
    assert lost["reason"] == "read with losses: 1 NUL or control character dropped"
    monitor("ingest", str(pages))  # and the next run goes on


def test_stray_bytes_are_replaced_and_what_was_lost_is_recorded(tmp_path, monitor):
    pages = tmp_path / "pages"
    pages.mkdir()
    text = GLOBAL_SEED.read_text(encoding="utf-8").encode("gb18030")
    cut = text.index("。".encode("gb18030"), 3000) + 2  # after a character, three bad bytes
    (pages / "stray.txt").write_bytes(text[:cut] + b"\xff\xff\xff" + text[cut:])
    output = monitor("ingest", str(pages))
    assert "1 read with losses" in output
    assert len({m["article_id"] for m in _json(monitor, "measures")}) == 1
    (lost,) = _json(monitor, "failures")
    assert lost["stage"] == "decode"
    assert lost["reason"] == (
        f"read with losses: 3 undecodable bytes replaced with U+FFFD (gb18030),"
        f" the first at byte {cut:,}"
    )


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


def test_prune_drops_only_the_raw_bytes_nothing_cites(tmp_path, monitor):
    pages = tmp_path / "pages"
    pages.mkdir()
    shutil.copy(GLOBAL_SEED, pages / "global.txt")
    shutil.copy(PEOPLE_SEED, pages / "people.txt")
    monitor("ingest", str(pages))
    with (pages / "global.txt").open("a", encoding="utf-8") as page:
        page.write("\n本网站所刊登的信息版权所有\n")  # re-captured: only the furniture changed
    (pages / "empty.txt").write_bytes(b"")
    monitor("ingest", str(pages), status=EXIT_SOME_FAILED)
    pending = _json(monitor, "changes", "--pending")

    assert "of 0 captures" in monitor("prune")  # nothing is 90 days old
    assert monitor("prune", "--older-than", "0", "--dry-run").startswith(
        "would drop the raw bytes of 2 captures"
    )
    output = monitor("prune", "--older-than", "0")
    assert "2 captures" in output and "(1 without an article, 1 re-captured" in output
    assert "of 0 captures" in monitor("prune", "--older-than", "0")  # done once

    assert _json(monitor, "changes", "--pending") == pending  # what they cite stays
    assert "0 retracted" in monitor("reprocess")  # articles of pruned captures are kept
    shutil.copy(GLOBAL_SEED, pages / "global.txt")
    assert "(0 new)" in monitor("ingest", str(pages))  # the same bytes are still known
    assert _json(monitor, "changes", "--pending") == pending


def test_a_folder_reads_its_warc_files_and_counts_what_is_no_capture(tmp_path, monitor):
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    pages = tmp_path / "pages"
    pages.mkdir()
    shutil.copy(PEOPLE_SEED, pages / "people.txt")
    with (pages / "archive.warc.gz").open("wb") as archive:
        writer = WARCWriter(archive, gzip=True)
        lines = GLOBAL_SEED.read_text(encoding="utf-8").splitlines()
        paragraphs = "".join(f"<p>{line}</p>" for line in lines if line.strip())
        html = f"<html><head><title>{lines[0]}</title></head><body>{paragraphs}</body></html>"

        headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")])
        record = writer.create_warc_record(
            "https://www.gmw.cn/2021-01/20/a.html",
            "response",
            payload=io.BytesIO(html.encode()),
            http_headers=headers,
        )
        writer.write_record(record)
    (pages / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(64))
    output = monitor("ingest", str(pages))
    assert "2 captures (2 new), 1 file skipped (not captures), 2 articles" in output
    assert _json(monitor, "failures") == []


def test_a_redis_url_without_the_redis_extra_says_how_to_install_it(tmp_path, monkeypatch):
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    monkeypatch.delenv("MONITOR_DATABASE_URL", raising=False)
    monkeypatch.delenv("MONITOR_REDIS_URL", raising=False)
    monkeypatch.setitem(sys.modules, "redis", None)  # as if the extra were not installed
    config = tmp_path / "monitor.toml"
    config.write_text('[dedup]\nredis_url = "redis://127.0.0.1:6379/15"\n', encoding="utf-8")
    result = runner.invoke(
        app,
        ["ingest", str(PEOPLE_SEED), "--config", str(config)],
        env={"MONITOR_HOME": str(tmp_path / "home")},
    )
    assert result.exit_code == 1
    assert "pip install 'policy-monitor[redis]'" in result.output


def test_a_dask_address_without_the_dask_extra_says_how_to_install_it(monkeypatch):
    from flows.ingest import task_runner

    monkeypatch.setitem(sys.modules, "prefect_dask", None)
    monkeypatch.setenv("MONITOR_DASK_ADDRESS", "tcp://127.0.0.1:8786")
    with pytest.raises(ConfigError, match=r"policy-monitor\[dask\]"):
        task_runner()
