"""Web sources from the configuration file, run as a user runs them: `monitor run` in its own
process against the test Prefect server."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from monitor.cli import EXIT_SOME_FAILED
from tests.sources.test_front_door import Site

pytestmark = pytest.mark.prefect


def _monitor(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "monitor", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )


def test_a_configured_feed_sitemap_and_url_list_run_from_the_toml_file(
    prefect_api, tmp_path, httpserver
):
    """Each page stored once, a second run asks conditionally and stores nothing new,
    robots.txt honoured, a private address refused with its reason."""
    from prefect.settings import PREFECT_API_URL

    site = Site(httpserver)
    listed = tmp_path / "watch-list.txt"
    listed.write_text(f"# pages to watch\n{site.url('/news/a.html')}\n", encoding="utf-8")
    config = _config(tmp_path, site, listed)
    env = {
        **os.environ,
        "PREFECT_API_URL": str(PREFECT_API_URL.value()),
        "MONITOR_DATABASE_URL": f"sqlite:///{tmp_path / 'monitor.db'}",
        "MONITOR_HOME": str(tmp_path / "var"),
    }
    first = _monitor("run", "--config", str(config), env=env)
    assert first.returncode == EXIT_SOME_FAILED, first.stdout + first.stderr
    # a and b are listed by two sources each: five fetched, three stored
    assert "5 captures (3 new)" in first.stdout
    assert set(site.fetched) == {"/news/a.html", "/news/b.html", "/news/c.html"}
    failures = _monitor("failures", "--config", str(config), "-f", "json", env=env)
    reasons = sorted(f["reason"] for f in json.loads(failures.stdout))
    assert reasons[0] == "disallowed by robots.txt"
    assert "private" in reasons[1] or "loopback" in reasons[1]

    site.fetched.clear()
    second = _monitor("run", "--config", str(config), env=env)
    assert "0 captures (0 new), 5 pages unchanged" in second.stdout, second.stdout + second.stderr
    assert sorted(site.conditional) == sorted(site.fetched) and len(site.fetched) == 5


def _config(home: Path, site: Site, listed: Path) -> Path:
    (home / "config").mkdir(exist_ok=True)
    config = home / "config" / "monitor.toml"
    web = "allow_private = true\ndelay = 0\nretries = 0\ntimeout = 5\n"
    config.write_text(
        f"""
[[sources]]
name = "feed"
kind = "feed"
url = "{site.url("/feed.xml")}"
{web}
[[sources]]
name = "sitemap"
kind = "sitemap"
url = "{site.url("/sitemap.xml")}"
{web}
[[sources]]
name = "list"
kind = "urls"
path = "{listed}"
{web}
[[sources]]
name = "refused"
kind = "urls"
urls = ["{site.url("/news/c.html")}"]
delay = 0
""",
        encoding="utf-8",
    )
    return config
