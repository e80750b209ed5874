"""Settings from the configuration file and the environment."""

import re

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
        ("[[sources]]\nname = 'x'\n", "of kind 'folder' lacks 'path'"),
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


# A commented line of config/monitor.toml that is an example: a key, a table, or a line of a
# multi-line array; prose comments are none of these.
_EXAMPLE = re.compile(r"^# ((?:[A-Za-z_][\w.]*) = .*|\[\[?[\w.]+\]\]?|\s{4}\{.*\},?|\])$")


def test_every_commented_example_of_the_project_config_parses(tmp_path):
    lines = (ROOT / "config" / "monitor.toml").read_text(encoding="utf-8").splitlines()
    examples = [_EXAMPLE.sub(r"\1", line) for line in lines]
    assert sum(a != b for a, b in zip(lines, examples, strict=True)) > 30
    (tmp_path / "config").mkdir()
    config = tmp_path / "config" / "monitor.toml"
    config.write_text("\n".join(examples), encoding="utf-8")
    settings = load_settings(config, env={})
    kinds = {source.name: source.kind for source in settings.sources}
    assert kinds == {
        "xinhua-politics": "feed",
        "gov-policies": "sitemap",
        "watch-list": "urls",
        "intranet-mirror": "urls",
        "archive": "warc",
        "seeds": "folder",
    }
    feed, sitemap, listed, mirror = settings.sources[:4]
    assert (feed.max_pages, feed.exclude) == (200, ("*/video/*",))
    assert (sitemap.delay, sitemap.include) == (2.0, ("*/zhengce/*",))
    assert (listed.timeout, listed.retries) == (30.0, 2)
    assert listed.path == tmp_path / "config" / "watch-list.txt"
    assert mirror.allow_private and mirror.urls == ("http://10.0.0.5/press/2021-01-20.html",)
    assert len(settings.recipients) == 3 and settings.smtp.password_block == "smtp-password"
    assert settings.recipients[2].notify == ("dingtalk://${DINGTALK_TOKEN}/",)
    assert len(settings.alerts) == 2


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ("kind = 'feed'", "source 'x' of kind 'feed' lacks 'url'"),
        ("kind = 'urls'", "source 'x' of kind 'urls' lacks 'path' or 'urls'"),
        ("kind = 'feed'\nurl = 'http://a/f'\npath = 'f'", "unknown key 'path' for kind 'feed'"),
        ("path = 'seeds'\nmax_pages = 3", "unknown key 'max_pages' for kind 'folder'"),
        ("kind = 'feed'\nurl = 'http://a/f'\nallow_privat = true", "unknown key 'allow_privat'"),
        ("kind = 'feed'\nurl = 'ftp://a/f'", "url 'ftp://a/f' is not an http(s) address"),
        ("kind = 'urls'\nurls = ['http://a', 'b']", "urls 'b' is not an http(s) address"),
        ("kind = 'feed'\nurl = 'http://a/f'\nallow_private = 'yes'", "allow_private is 'yes'"),
        ("kind = 'feed'\nurl = 'http://a/f'\nmax_pages = 0", "max_pages is 0"),
        ("kind = 'feed'\nurl = 'http://a/f'\nretries = 1.5", "retries is 1.5"),
        ("kind = 'feed'\nurl = 'http://a/f'\ndelay = -1", "delay is -1"),
        ("kind = 'feed'\nurl = 'http://a/f'\nexclude = 3", "exclude is 3"),
    ],
)
def test_a_source_entry_is_checked_key_by_key(tmp_path, entry, message):
    config = tmp_path / "monitor.toml"
    config.write_text(f"[[sources]]\nname = 'x'\n{entry}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=re.escape(message)) as error:
        load_settings(config, env={})
    assert "\n" not in str(error.value)


def test_web_source_options_reach_the_fetcher(tmp_path):
    from monitor.sources.web import fetch_options

    config = tmp_path / "monitor.toml"
    config.write_text(
        "[[sources]]\nname = 'mirror'\nkind = 'urls'\nurls = ['http://127.0.0.1:9/a']\n"
        "allow_private = true\ndelay = 0\ntimeout = 5\nretries = 0\nuser_agent = 'ua/1'\n",
        encoding="utf-8",
    )
    (source,) = load_settings(config, env={}).sources
    options = fetch_options(source)
    assert (options.allow_private, options.min_interval, options.timeout) == (True, 0.0, 5.0)
    assert (options.retries, options.user_agent) == (0, "ua/1")
