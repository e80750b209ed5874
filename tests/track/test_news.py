"""Revisions, copies and re-captures of news pages, through the command line."""

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from monitor.cli import EXIT_SOME_FAILED, app
from tests.conftest import GLOBAL_SEED, SEEDS


@pytest.fixture
def monitor(tmp_path):
    """Run a `monitor` command against a fresh home; its output, the exit code checked."""
    runner = CliRunner()
    env = {"MONITOR_HOME": str(tmp_path / "home")}

    def run(*args: str, status: int = 0) -> str:
        result = runner.invoke(app, list(args), env=env)
        assert result.exit_code == status, result.output
        return result.stdout

    return run


def _pending(monitor) -> list[dict]:
    return json.loads(monitor("changes", "--pending", "-f", "json"))


def _variant(tmp_path: Path, name: str, *edits: tuple[str, str], extra: str = "") -> str:
    text = GLOBAL_SEED.read_text(encoding="utf-8")
    for old, new in edits:
        assert old in text
        text = text.replace(old, new)
    path = tmp_path / name
    path.write_text(text + extra, encoding="utf-8")
    return str(path)


def test_an_outlets_corrected_recapture_is_changed_and_pending(monitor, tmp_path):
    monitor("ingest", str(SEEDS))
    corrected = _variant(
        tmp_path, "corrected.txt", ("170多亿元", "190多亿元"), ("1980个项目", "2080个项目")
    )
    monitor("ingest", corrected)
    pending = _pending(monitor)
    (changed,) = [c for c in pending if c["kind"] == "CHANGED"]
    assert changed["before"]["quantities[1]"]["raw"] == "170多亿元"
    assert changed["after"]["quantities[1]"]["raw"] == "190多亿元"
    assert changed["after"]["quantities[2]"]["raw"] == "2080个项目"
    assert len([c for c in pending if c["kind"] == "NEW"]) == 11


def test_another_outlets_copy_of_the_older_text_flags_nothing(monitor, tmp_path):
    monitor("ingest", str(SEEDS))
    monitor("ingest", _variant(tmp_path, "corrected.txt", ("170多亿元", "190多亿元")))
    before = _pending(monitor)
    older = _variant(
        tmp_path,
        "copy.txt",
        ("来源:光明网2021-01-20 13:38", "来源:中国网2021-01-21 09:00"),
        ("光明网讯", "中国网讯"),
    )
    summary = monitor("ingest", older, "--outlet", "中国网")
    assert "0 NEW, 0 CHANGED" in summary

    def flags(changes):
        return [(c["id"], c["kind"], c["before"], c["after"]) for c in changes]

    after = _pending(monitor)
    assert flags(after) == flags(before)  # the copy only adds a source
    outlets = {s["outlet"] for c in after for s in c["sources"]}
    assert "中国网" in outlets


def test_hourly_recaptures_with_other_furniture_leave_pending_changes_alone(monitor, tmp_path):
    monitor("ingest", str(SEEDS))
    assert len(_pending(monitor)) == 11
    for hour, counter in enumerate(("12345", "12399", "12467")):
        folder = tmp_path / f"hour{hour}"
        folder.mkdir()
        for seed in SEEDS.glob("*.txt"):
            text = seed.read_text(encoding="utf-8") + f"\n本页访问量：{counter}\n网站地图\n"
            (folder / seed.name).write_text(text, encoding="utf-8")
        summary = monitor("ingest", str(folder))
        assert "0 NEW, 0 CHANGED" in summary
    pending = _pending(monitor)
    assert len(pending) == 11 and {c["kind"] for c in pending} == {"NEW"}


def test_pages_that_name_no_public_actor_give_no_commitments(monitor):
    from tests.extract.gne import pages_dir

    if not pages_dir().is_dir():
        pytest.skip(f"the real pages are not here: {pages_dir()}")
    # one of the pages holds no article: read, but not understood
    monitor("ingest", str(pages_dir()), status=EXIT_SOME_FAILED)
    measures = json.loads(monitor("measures", "-f", "json"))
    events = json.loads(monitor("events", "-f", "json"))
    origin = {a["article_id"]: Path(a["origin"]).name for e in events for a in e["articles"]}
    with_measures = {origin[m["article_id"]] for m in measures}
    # a State Council briefing and a market digest quoting the finance ministry; company,
    # product, sports and society news (a phone launch, a developer's debts) give none
    assert with_measures <= {"163_8.html", "xds_1.html"}, with_measures
    assert all(m["actor"] for m in measures)
