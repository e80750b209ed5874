"""Settings from the configuration file and the environment."""

import pytest

from monitor.config import load_settings
from monitor.errors import ConfigError
from tests.conftest import ROOT


def test_project_config_points_at_the_seeds_and_keeps_state_under_var():
    settings = load_settings(ROOT / "config" / "monitor.toml", env={})
    (source,) = settings.sources
    assert source.path == ROOT / "seeds"
    assert settings.home == ROOT / "var"
    assert settings.database_url == f"sqlite:///{ROOT / 'var' / 'monitor.db'}"


def test_environment_overrides_database_and_home(tmp_path):
    env = {"MONITOR_DATABASE_URL": "postgresql+psycopg://db/monitor", "MONITOR_HOME": str(tmp_path)}
    settings = load_settings(ROOT / "config" / "monitor.toml", env=env)
    assert settings.database_url == "postgresql+psycopg://db/monitor"
    assert settings.digest_dir == tmp_path / "digest"


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("[[sources]]\nname = 'x'\n", "lacks 'path'"),
        ("[[sources]]\nname = 'x'\npath = 'y'\nkind = 'ftp'\n", "kind 'ftp'"),
        ("not toml [", "cannot read configuration"),
        ("[smtp]\npassword = 'hunter2'\n", "does not belong in the configuration file"),
        ("[smtp]\nsecurity = 'tls'\n", "smtp.security is 'tls'"),
        ("[digest]\nquiet_day = 'never'\n", "digest.quiet_day"),
        ("[digest]\nmax_items = 0\n", "digest.max_items is 0"),
        ("[digest]\nmax_items = 'all'\n", "digest.max_items is 'all'"),
        ("[extract]\nworkers = 0\n", "extract workers is 0"),
        ("[extract]\nworkers = 'many'\n", "extract workers is 'many'"),
    ],
)
def test_invalid_configuration_is_a_config_error(tmp_path, toml, message):
    path = tmp_path / "config" / "monitor.toml"
    path.parent.mkdir()
    path.write_text(toml)
    with pytest.raises(ConfigError, match=message):
        load_settings(path, env={})


def test_extraction_workers_from_file_or_environment(tmp_path):
    path = tmp_path / "config" / "monitor.toml"
    path.parent.mkdir()
    path.write_text("[extract]\nworkers = 3\n")
    assert load_settings(path, env={}).extract_workers == 3
    assert load_settings(path, env={"MONITOR_EXTRACT_WORKERS": "1"}).extract_workers == 1
    assert load_settings(ROOT / "config" / "monitor.toml", env={}).extract_workers is None


def test_smtp_settings_from_file_and_environment():
    path = ROOT / "config" / "monitor.toml"
    env = {"MONITOR_SMTP_HOST": "mail.example.org", "MONITOR_SMTP_PASSWORD": "pw-from-env"}
    settings = load_settings(path, env=env)
    assert (settings.smtp.host, settings.smtp.port, settings.smtp.security) == (
        "mail.example.org",
        25,
        "plain",
    )
    assert settings.smtp.password == "pw-from-env"
    assert "pw-from-env" not in repr(settings)
