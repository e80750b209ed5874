"""Web sources from the configuration file, run as a user runs them: `monitor run` in its own
process against the test Prefect server."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from monitor.cli import EXIT_SOME_FAILED
from tests.sources.test_front_door import BODY, Site

pytestmark = [pytest.mark.prefect, pytest.mark.slow]


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


def test_hostile_servers_fail_alone_and_the_good_page_is_tracked(
    prefect_api, tmp_path, httpserver, database_url
):
    """From the configuration, on SQLite and PostgreSQL: a dripping server, a 429 asking for an
    hour, a gzip bomb, a redirect loop, a 404 and a malformed address each become a failure
    with its reason within the source's deadline; the good page of the same run is stored and
    tracked, and the next run on good input works."""
    from prefect.settings import PREFECT_API_URL

    site = Site(httpserver)
    _hostile(httpserver)
    bad = ["/drip", "/busy", "/bomb", "/loop", "/missing"]
    # good: a page, one behind credentials in its address, a GBK page that says it is latin-1
    secret = site.url("/news/c.html").replace("http://", "http://reader:s3cret@")
    good = [site.url("/news/b.html"), secret, site.url("/gbk.html")]
    urls = [*good, *(site.url(path) for path in bad), "http://[::1"]
    config = tmp_path / "monitor.toml"
    config.write_text(
        '[[sources]]\nname = "watch"\nkind = "urls"\nallow_private = true\ndelay = 0\n'
        f"retries = 0\ntimeout = 5\ndeadline = 2\nurls = {json.dumps(urls)}\n"
        # a source that may not reach private ranges: the cloud metadata service, CGNAT
        '[[sources]]\nname = "outside"\nkind = "urls"\ndelay = 0\n'
        'urls = ["http://169.254.169.254/latest/meta-data/", "http://100.64.0.1/"]\n',
        encoding="utf-8",
    )
    env = {
        **os.environ,
        "PREFECT_API_URL": str(PREFECT_API_URL.value()),
        "MONITOR_DATABASE_URL": database_url,
        "MONITOR_HOME": str(tmp_path / "var"),
    }
    started = time.monotonic()
    first = _monitor("run", "--config", str(config), env=env)
    assert first.returncode == EXIT_SOME_FAILED, first.stdout + first.stderr
    assert time.monotonic() - started < 60  # the drip is given up on at its deadline
    assert "3 captures (3 new), 3 articles" in first.stdout  # the good pages, tracked
    measures = _monitor("measures", "--config", str(config), "-f", "json", env=env).stdout
    assert "s3cret" not in measures and "s3cret" not in first.stdout + first.stderr
    assert (
        "中央预算内投资" in measures and "工业投资" in measures and "地方政府专项债券" in measures
    )
    failures = _monitor("failures", "--config", str(config), "-f", "json", env=env)
    found = json.loads(failures.stdout)
    refused = sorted(f["origin"] for f in found if f["reason"].startswith("refused address"))
    assert refused == ["http://100.64.0.1/", "http://169.254.169.254/latest/meta-data/"]
    reasons = {
        f["origin"].rsplit("/", 1)[-1]: f["reason"] for f in found if f["origin"] not in refused
    }
    assert reasons.pop("drip").startswith("gave up after 2 s")
    assert "429" in reasons.pop("busy")
    assert "exceeds" in reasons.pop("bomb")
    assert "redirect" in reasons.pop("loop").lower()
    assert "404" in reasons.pop("missing")
    assert reasons.pop("[::1").startswith("malformed URL") and not reasons

    config.write_text(
        '[[sources]]\nname = "watch"\nkind = "urls"\nallow_private = true\ndelay = 0\n'
        f'urls = ["{site.url("/news/a.html")}"]\n',
        encoding="utf-8",
    )
    second = _monitor("run", "--config", str(config), env=env)
    assert second.returncode == 0, second.stdout + second.stderr
    assert "1 captures (1 new)" in second.stdout or "1 capture (1 new)" in second.stdout


def _hostile(httpserver) -> None:
    """The bad servers: a drip, a 429 for an hour, a gzip bomb, a redirect loop, a 404."""
    from werkzeug import Response

    def drip(request):
        def body():
            for _ in range(60):
                yield b"<"
                time.sleep(0.25)

        return Response(body(), content_type="text/html", direct_passthrough=True)

    httpserver.expect_request("/drip").respond_with_handler(drip)
    httpserver.expect_request("/busy").respond_with_response(
        Response("slow down", status=429, headers={"Retry-After": "3600"})
    )
    bomb = gzip.compress(b"<p>" + b"0" * (30 * 1024 * 1024))
    httpserver.expect_request("/bomb").respond_with_response(
        Response(bomb, content_type="text/html", headers={"Content-Encoding": "gzip"})
    )
    httpserver.expect_request("/loop").respond_with_response(
        Response("", status=302, headers={"Location": "/loop"})
    )
    httpserver.expect_request("/missing").respond_with_response(Response("gone", status=404))
    gbk = BODY.replace("utf-8", "iso-8859-1").format(
        title="财政部:加快地方政府专项债券发行", text="今年拟安排地方政府专项债券3.65万亿元。"
    )
    httpserver.expect_request("/gbk.html").respond_with_response(
        Response(gbk.encode("gbk"), content_type="text/html; charset=iso-8859-1")
    )
