"""Digest summaries and alerts through Apprise, to a loopback endpoint (json://)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from monitor.cli import app
from monitor.config import load_settings
from monitor.errors import ConfigError
from monitor.notify import NotifyError, expand, masked, notify
from tests.conftest import SEEDS

runner = CliRunner()


def _endpoint(httpserver) -> tuple[str, list[dict]]:
    received: list[dict] = []

    def handler(request):
        from werkzeug import Response

        received.append(json.loads(request.data))
        return Response("ok")

    httpserver.expect_request("/hook", method="POST").respond_with_handler(handler)
    return f"json://127.0.0.1:{httpserver.port}/hook", received


def test_a_chat_subscriber_gets_the_digest_summary_through_the_configuration(
    tmp_path, httpserver, monkeypatch
):
    _, received = _endpoint(httpserver)
    monkeypatch.setenv("HOOK_PORT", str(httpserver.port))
    config = tmp_path / "config" / "monitor.toml"
    config.parent.mkdir()
    config.write_text(
        "[digest]\nrecipients = [\n"
        '    { address = "energy-desk", notify = ["json://127.0.0.1:${HOOK_PORT}/hook"] },\n'
        "]\n",
        encoding="utf-8",
    )
    env = {"MONITOR_HOME": str(tmp_path / "home"), "MONITOR_CONFIG": str(config)}
    assert runner.invoke(app, ["ingest", str(SEEDS)], env=env).exit_code == 0
    sent = runner.invoke(app, ["digest", "--date", "2021-01-20"], env=env)
    assert sent.exit_code == 0, sent.output
    (message,) = received
    assert "11" in message["title"] and "第一" in message["message"]
    # the next day's quiet digest does not tell the same changes again
    again = runner.invoke(app, ["digest", "--date", "2021-01-21"], env=env)
    assert again.exit_code == 0 and len(received) == 2
    assert "第一" not in received[1]["message"]


def test_a_service_that_refuses_fails_the_delivery_and_names_no_secret(httpserver):
    httpserver.expect_request("/hook", method="POST").respond_with_data("no", status=500)
    with pytest.raises(NotifyError) as error:
        notify([f"json://user:s3cret@127.0.0.1:{httpserver.port}/hook"], "t", "b")
    assert "s3cret" not in str(error.value) and "json://127.0.0.1" in str(error.value)


def test_secrets_come_from_the_environment_or_a_secret_reader(monkeypatch):
    monkeypatch.setenv("DINGTALK_TOKEN", "abc123")
    assert expand("dingtalk://${DINGTALK_TOKEN}/") == "dingtalk://abc123/"
    assert expand("tgram://${secret:tg}/42", {"tg": "bot:x"}.__getitem__) == "tgram://bot:x/42"
    with pytest.raises(NotifyError, match=r"names \$\{UNSET_TOKEN\}, which is not set"):
        expand("slack://${UNSET_TOKEN}/")
    with pytest.raises(NotifyError, match="only the flows read"):
        expand("tgram://${secret:tg}/42")
    assert masked("slack://T000/B000/XXXX") == "slack://T000/…"


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('recipients = [{ address = "desk" }]', "is no email address and has no notify URLs"),
        ('recipients = [{ address = "a@b.c", notify = "nope" }]', "use a list of Apprise URLs"),
        ('recipients = [{ address = "a@b.c", topic = ["x"] }]', "unknown key 'topic'"),
    ],
)
def test_recipients_are_checked(tmp_path, toml, message):
    config = tmp_path / "monitor.toml"
    config.write_text(f"[digest]\n{toml}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        load_settings(config, env={})


def test_alerts_are_read_from_the_configuration(tmp_path):
    config = tmp_path / "monitor.toml"
    config.write_text('[alerts]\nnotify = ["wecom://${WECOM_KEY}"]\n', encoding="utf-8")
    assert load_settings(config, env={}).alerts == ("wecom://${WECOM_KEY}",)
