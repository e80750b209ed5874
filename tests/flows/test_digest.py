"""The `daily_digest` flow: password from a Prefect Secret block, delivery, artifact."""

import pytest

from tests.conftest import ROOT
from tests.flows.test_ingest import _latest_artifact

pytestmark = pytest.mark.prefect


def test_daily_digest_sends_with_the_secret_block_password(
    prefect_api, tmp_path, monkeypatch, starttls_server
):
    from prefect.blocks.system import Secret

    from flows.digest import daily_digest
    from flows.ingest import ingest

    Secret(value="s3cret-pass").save("test-smtp-password", overwrite=True)
    config = tmp_path / "config" / "monitor.toml"
    config.parent.mkdir()
    config.write_text(
        (ROOT / "config" / "monitor.toml")
        .read_text(encoding="utf-8")
        .replace('path = "seeds"', f'path = "{ROOT / "seeds"}"')
        .replace(
            "[smtp]\n",
            '[smtp]\nhost = "127.0.0.1"\n'
            f'port = {starttls_server.port}\nsecurity = "starttls"\nusername = "monitor"\n'
            f'ca_file = "{starttls_server.ca_file}"\npassword_block = "test-smtp-password"\n',
        )
        .replace(
            'quiet_day = "send"\n', 'quiet_day = "send"\nrecipients = ["analyst@example.org"]\n'
        ),
        encoding="utf-8",
    )
    monkeypatch.delenv("MONITOR_SMTP_PASSWORD", raising=False)
    monkeypatch.setenv("MONITOR_DATABASE_URL", f"sqlite:///{tmp_path / 'monitor.db'}")
    ingest(config=str(config))
    from datetime import date

    deliveries = daily_digest(config=str(config), day=date(2021, 1, 20))
    assert [(d["recipient"], d["status"], d["changes"]) for d in deliveries] == [
        ("analyst@example.org", "sent", 11)
    ]
    (message,) = starttls_server.inbox.messages
    assert message["Subject"] == "[policy-monitor] 20 Jan 2021: 0 changed, 11 new"
    artifact = _latest_artifact("daily-digest")
    assert "| analyst@example.org | sent | 11 |" in artifact["data"]


def test_without_recipients_the_digest_is_written_to_files_and_the_run_named_by_its_day(
    prefect_api, tmp_path, monkeypatch
):
    from datetime import date

    from prefect.client.orchestration import get_client

    from flows.digest import daily_digest

    monkeypatch.setenv("MONITOR_DATABASE_URL", f"sqlite:///{tmp_path / 'monitor.db'}")
    monkeypatch.setenv("MONITOR_HOME", str(tmp_path / "home"))
    state = daily_digest(
        config=str(ROOT / "config" / "monitor.toml"), day=date(2021, 1, 20), return_state=True
    )
    assert state.is_completed(), state.message
    written = sorted(p.name for p in (tmp_path / "home" / "digest").iterdir())
    assert written == ["digest-2021-01-20.eml", "digest-2021-01-20.html", "digest-2021-01-20.txt"]
    with get_client(sync_client=True) as client:
        run = client.read_flow_run(state.state_details.flow_run_id)
    assert run.name == "digest-2021-01-20"
    link = _latest_artifact("daily-digest-file")  # the UI links to what was written
    assert link["data"].endswith("digest-2021-01-20.html)")
    assert link["data"].startswith("[[policy-monitor] 20 Jan 2021:")
