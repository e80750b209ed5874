"""deploy/: prefect.yaml names real flows and valid schedules; systemd units run real commands."""

from pathlib import Path

import pytest
import yaml
from prefect import Flow
from prefect.schedules import Cron

from tests.conftest import ROOT

DEPLOY = ROOT / "deploy"


def _deployments() -> list[dict]:
    return yaml.safe_load((DEPLOY / "prefect.yaml").read_text(encoding="utf-8"))["deployments"]


@pytest.mark.parametrize("deployment", _deployments(), ids=lambda d: d["name"])
def test_each_deployment_names_a_flow_and_valid_schedules(deployment):
    import importlib

    path, _, name = deployment["entrypoint"].partition(":")
    module = importlib.import_module(Path(path).with_suffix("").as_posix().replace("/", "."))
    assert isinstance(getattr(module, name), Flow)
    for schedule in deployment.get("schedules", []):
        Cron(schedule["cron"], timezone=schedule["timezone"])  # raises when invalid
    assert deployment["work_pool"]["name"] == "policy-monitor"


def test_scheduled_deployments_match_the_configured_schedule():
    from monitor.config import load_settings

    schedule = load_settings(ROOT / "config" / "monitor.toml", env={}).schedule
    crons = {d["name"]: d["schedules"][0] for d in _deployments() if d.get("schedules")}
    assert crons["hourly"] == {"cron": schedule.ingest, "timezone": schedule.timezone}
    assert crons["daily"] == {"cron": schedule.digest, "timezone": schedule.timezone}


@pytest.mark.parametrize(
    "unit", sorted((DEPLOY / "systemd").glob("*.service")), ids=lambda p: p.name
)
def test_systemd_units_start_commands_of_the_project(unit):
    text = unit.read_text(encoding="utf-8")
    (start,) = [line for line in text.splitlines() if line.startswith("ExecStart=")]
    program = Path(start.removeprefix("ExecStart=").split()[0]).name
    assert program in {"prefect", "monitor"}
    assert "[Install]" in text and "Restart=on-failure" in text


def test_the_work_pools_deployments_are_written_from_the_configuration(tmp_path):
    """deploy/prefect.yaml is what `monitor deploy` makes of config/monitor.toml; another
    schedule or source in the configuration shows in what it writes."""
    from typer.testing import CliRunner

    from monitor.cli import app

    runner = CliRunner()
    checked = runner.invoke(
        app, ["deploy", "--check", "--config", str(ROOT / "config" / "monitor.toml")]
    )
    assert checked.exit_code == 0, checked.output

    (tmp_path / "config").mkdir()
    config = tmp_path / "config" / "monitor.toml"
    config.write_text(
        '[schedule]\ningest = "*/30 * * * *"\ntimezone = "Asia/Shanghai"\n'
        '[[sources]]\nname = "xinhua"\nkind = "feed"\nurl = "http://www.news.cn/feed.xml"\n',
        encoding="utf-8",
    )
    stale = runner.invoke(app, ["deploy", "--check", "--config", str(config)])
    assert stale.exit_code == 1 and "monitor deploy --write" in stale.output
    assert runner.invoke(app, ["deploy", "--write", "--config", str(config)]).exit_code == 0
    written = yaml.safe_load((tmp_path / "deploy" / "prefect.yaml").read_text(encoding="utf-8"))
    hourly = written["deployments"][0]
    assert hourly["schedules"] == [{"cron": "*/30 * * * *", "timezone": "Asia/Shanghai"}]
    assert hourly["tags"] == ["source:xinhua"]
