"""The `monitor` command through Typer's runner, on a SQLite database under a temporary home."""

import csv
import io
import json
import os
import pty
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from monitor.cli import EXIT_SOME_FAILED, app
from tests.conftest import SEEDS, SHARED

runner = CliRunner()


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    monkeypatch.delenv("MONITOR_CONFIG", raising=False)
    monkeypatch.setenv("MONITOR_DATABASE_URL", f"sqlite:///{tmp_path / 'var' / 'monitor.db'}")
    return tmp_path


def _invoke(*args: str):
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_ingest_prints_the_summary(home):
    out = _invoke("ingest", str(SEEDS))
    assert "2 captures (2 new), 2 articles, 0 copies, 1 event, 11 measures, 11 NEW" in out
    again = _invoke("ingest", str(SEEDS))
    assert "2 captures (0 new), 0 articles, 0 copies, 0 events, 0 measures, 0 NEW" in again


def test_changes_as_json_list_the_eleven_new_commitments(home):
    _invoke("ingest", str(SEEDS))
    rows = json.loads(_invoke("changes", "--format", "json"))
    assert len(rows) == 11
    assert {row["kind"] for row in rows} == {"NEW"}
    for row in rows:
        assert set(row) >= {
            "kind",
            "detected_at",
            "commitment_id",
            "event_id",
            "text",
            "before",
            "after",
            "sources",
        }
        assert row["text"] and row["sources"][0]["outlet"] in {"光明网", "人民网"}
        assert row["sources"][0]["origin"].endswith(".txt")


def test_events_and_measures_as_csv(home):
    _invoke("ingest", str(SEEDS))
    events = list(csv.DictReader(io.StringIO(_invoke("events", "--format", "csv"))))
    assert len(events) == 1 and events[0]["date"] == "2021-01-20"
    measures = list(csv.DictReader(io.StringIO(_invoke("measures", "--format", "csv"))))
    assert len(measures) == 11


def test_table_output_lists_rows(home):
    _invoke("ingest", str(SEEDS))
    assert "11 rows" in _invoke("measures")


def test_digest_writes_html_text_and_the_email(home):
    from email import message_from_bytes, policy

    _invoke("ingest", str(SEEDS))
    _invoke("digest", "--out", str(home / "out"), "--date", "2021-01-20")
    html = (home / "out" / "digest-2021-01-20.html").read_text(encoding="utf-8")
    text = (home / "out" / "digest-2021-01-20.txt").read_text(encoding="utf-8")
    assert text.startswith("[policy-monitor] 20 Jan 2021: 0 changed, 11 new")
    assert "支持北京科技抗疫" in html and "支持北京科技抗疫" in text
    assert "光明网" in html and "人民网" in html
    eml = (home / "out" / "digest-2021-01-20.eml").read_bytes()
    message = message_from_bytes(eml, policy=policy.SMTP)
    assert message["Subject"] == "[policy-monitor] 20 Jan 2021: 0 changed, 11 new"
    assert message.get_body(("html",)).get_content().replace("\r\n", "\n").strip() == html.strip()


def test_a_preview_shows_what_the_limit_allows_and_names_the_rest(home):
    (home / "config").mkdir()
    (home / "config" / "monitor.toml").write_text("[digest]\nmax_items = 2\n")
    _invoke("ingest", str(SEEDS))
    assert len(json.loads(_invoke("changes", "--pending", "--format", "json"))) == 11
    _invoke("digest", "--out", str(home / "out"), "--date", "2021-01-20")
    text = (home / "out" / "digest-2021-01-20.txt").read_text(encoding="utf-8")
    assert text.startswith("[policy-monitor] 20 Jan 2021: 0 changed, 11 new")
    assert text.count("[NEW]") == 2
    assert "Not shown here: 9 more changes (9 new, 0 changed) in 1 event" in text
    assert "monitor changes --pending" in text  # a preview is no stored digest
    unsent = runner.invoke(app, ["changes", "--digest", "1"])
    assert unsent.exit_code == 1 and "no digest 1 was sent" in unsent.output


def test_sending_without_recipients_is_a_clear_error(home):
    _invoke("ingest", str(SEEDS))
    result = runner.invoke(app, ["digest"])
    assert result.exit_code == 1, result.output
    assert "no digest recipients are configured" in result.output


def test_failures_lists_bad_input(home):
    (home / "bad").mkdir()
    (home / "bad" / "empty.txt").write_bytes(b"")
    result = runner.invoke(app, ["ingest", str(home / "bad")])
    assert result.exit_code == EXIT_SOME_FAILED, result.output
    rows = json.loads(_invoke("failures", "--format", "json"))
    assert rows[0]["reason"] == "empty capture"


def test_a_monitor_error_is_one_line_and_exit_1(home, monkeypatch):
    monkeypatch.setenv("MONITOR_CONFIG", str(home / "missing.toml"))
    result = runner.invoke(app, ["events"])
    assert result.exit_code == 1, result.output
    assert "MONITOR_CONFIG points at" in result.output


def test_commitments_list_and_one_commitments_history(home):
    _invoke("ingest", str(SEEDS))
    rows = json.loads(_invoke("commitments", "--format", "json"))
    assert len(rows) == 11
    first = next(r for r in rows if r["text"].startswith("第一,"))
    assert first["outlets"] == ["光明网"] and first["versions"] == 1
    detail = json.loads(_invoke("commitment", str(first["id"]), "--format", "json"))
    assert [v["outcome"] for v in detail["history"]] == ["new"]
    assert detail["history"][0]["source"]["outlet"] == "光明网"
    table = _invoke("commitment", str(first["id"]))
    assert "new" in table and "170多亿元" in table


def test_an_unknown_commitment_is_an_error(home):
    _invoke("ingest", str(SEEDS))
    result = runner.invoke(app, ["commitment", "999"])
    assert result.exit_code == 1
    assert "no commitment 999" in result.output


def test_version_and_short_help():
    version = runner.invoke(app, ["--version"])
    assert version.exit_code == 0 and version.stdout.startswith("policy-monitor ")
    short = runner.invoke(app, ["ingest", "-h"])
    assert short.exit_code == 0 and "PATH_OR_URL" in short.stdout


def test_reading_where_there_is_no_database_creates_none(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("MONITOR_DATABASE_URL", raising=False)
    monkeypatch.delenv("MONITOR_CONFIG", raising=False)
    monkeypatch.delenv("MONITOR_HOME", raising=False)
    result = runner.invoke(app, ["events"])
    assert result.exit_code == 1 and "no database at" in result.output
    assert not (tmp_path / "var").exists()


def test_a_database_of_another_application_is_left_alone(database_url, monkeypatch):
    from sqlalchemy import create_engine, inspect, text

    engine = create_engine(database_url)
    with engine.begin() as connection:
        connection.execute(text("create table other (id integer)"))
    monkeypatch.setenv("MONITOR_DATABASE_URL", database_url)
    result = runner.invoke(app, ["commitments"])
    assert result.exit_code == 1 and "holds no policy-monitor data" in result.output
    assert inspect(engine).get_table_names() == ["other"]  # no schema was made in it
    engine.dispose()


def test_postgres_urls_as_other_tools_write_them():
    from monitor.store.db import normalized_url

    assert normalized_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalized_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalized_url("sqlite:///var/m.db") == "sqlite:///var/m.db"


def test_a_configuration_outside_a_config_folder_keeps_state_beside_it(tmp_path, monkeypatch):
    from monitor.config import load_settings

    config = tmp_path / "x" / "y" / "digest.toml"
    config.parent.mkdir(parents=True)
    config.write_text("", encoding="utf-8")
    assert load_settings(config, env={}).home == tmp_path / "x" / "y" / "var"


def test_one_commitments_history_as_csv(home):
    _invoke("ingest", str(SEEDS))
    (first, *_) = json.loads(_invoke("commitments", "--format", "json"))
    rows = list(csv.DictReader(io.StringIO(_invoke("commitment", str(first["id"]), "-f", "csv"))))
    assert [r["outcome"] for r in rows] == ["new"] and rows[0]["outlet"]


def _pages() -> Path:
    """Real pages to ingest: the 52 of ../shared/pages/gne when they are here, else the seeds."""
    gne = SHARED / "pages" / "gne"
    return gne if gne.is_dir() else SEEDS


@pytest.mark.slow
def test_ingest_shows_bars_with_counts_and_time_left_on_a_terminal(home):
    """Standard error a terminal (a pty): a bar a stage with N/M and the time left, and a line
    as each stage ends; the summary on standard output as ever."""
    leader, follower = pty.openpty()
    env = os.environ | {"COLUMNS": "120", "TERM": "xterm"}
    process = subprocess.Popen(
        [sys.executable, "-m", "monitor", "ingest", str(_pages())],
        stdout=subprocess.PIPE,
        stderr=follower,
        env=env,
        text=True,
    )
    os.close(follower)
    shown = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal's other end closed: the process is done with it
            break
        if not chunk:
            break
        shown += chunk
    stdout, _ = process.communicate(timeout=300)
    os.close(leader)
    assert process.returncode in (0, EXIT_SOME_FAILED), stdout
    assert stdout.startswith("run 1: ")
    terminal = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", shown.decode("utf-8", "replace"))
    assert "━" in terminal and "ETA" in terminal  # the bars, with the time left
    assert re.search(r"extract\s.*\b(\d+)/\1\b", terminal)  # done of all, at the end
    assert "... track: " in terminal and "... site: " in terminal  # a line a stage


def test_ingest_says_nothing_extra_in_a_pipe(home):
    process = subprocess.run(
        [sys.executable, "-m", "monitor", "ingest", str(SEEDS)],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    assert process.stdout.startswith("run 1: 2 captures (2 new), 2 articles, 0 copies, 1 event,")
    assert process.stderr == ""


def test_at_80_columns_a_changed_row_keeps_its_kind_date_and_before_after(home, tmp_path):
    from tests.conftest import GLOBAL_SEED

    _invoke("ingest", str(SEEDS))
    corrected = tmp_path / GLOBAL_SEED.name
    corrected.write_text(
        GLOBAL_SEED.read_text(encoding="utf-8").replace("170多亿元", "190多亿元"), encoding="utf-8"
    )
    _invoke("ingest", str(corrected))
    table = runner.invoke(app, ["changes"], env={"COLUMNS": "80"}).stdout
    assert max(len(line) for line in table.splitlines()) <= 80
    (row,) = [line for line in table.splitlines() if "CHANGED" in line]
    assert "2021-01-20" in row and "170多亿元 → 190多亿元" in row


def test_listings_take_since_and_limit(home, tmp_path):
    from tests.conftest import GLOBAL_SEED

    _invoke("ingest", str(SEEDS))
    later = tmp_path / GLOBAL_SEED.name
    later.write_text(
        GLOBAL_SEED.read_text(encoding="utf-8")
        .replace("2021-01-20", "2021-02-03")
        .replace("170多亿元", "190多亿元"),
        encoding="utf-8",
    )
    _invoke("ingest", str(later))
    every = json.loads(_invoke("changes", "--format", "json"))
    recent = json.loads(_invoke("changes", "--since", "2021-02-01", "--format", "json"))
    assert 0 < len(recent) < len(every)
    assert all(c["published_at"] >= "2021-02-01" for c in recent)
    (newest,) = json.loads(_invoke("changes", "--limit", "1", "--format", "json"))
    assert newest["published_at"] == max(c["published_at"] for c in every)
    for command in ("events", "measures", "commitments", "failures"):
        assert runner.invoke(app, [command, "--since", "2021-01-01", "--limit", "2"]).exit_code == 0
    bad = runner.invoke(app, ["changes", "--since", "yesterday"])
    assert bad.exit_code == 2
