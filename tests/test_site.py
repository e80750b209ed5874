"""The commitment pages through the command line: `monitor site`, the pages written after
every ingest, the digest's links to them, and both read in headless Chromium."""

from __future__ import annotations

import functools
import http.server
import re
import shutil
import subprocess
import threading

import pytest
from typer.testing import CliRunner

from monitor.cli import app
from tests.conftest import gwr_report

runner = CliRunner()


@pytest.fixture
def reports(tmp_path, monkeypatch):
    """Two Government Work Reports ingested: NEW targets, and CHANGED ones a year later."""
    if not gwr_report(2016).is_file():
        pytest.skip("the Government Work Reports are not here")
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    monkeypatch.delenv("MONITOR_DATABASE_URL", raising=False)
    (tmp_path / "config").mkdir()
    config = tmp_path / "config" / "monitor.toml"
    config.write_text('[site]\nbase_url = "https://monitor.example.org/pages"\n', encoding="utf-8")
    monkeypatch.setenv("MONITOR_CONFIG", str(config))
    for year in (2016, 2017):
        result = runner.invoke(app, ["ingest", str(gwr_report(year))])
        assert result.exit_code == 0, result.output
    return tmp_path


def _changed_page(site) -> tuple[int, str]:
    index = (site / "index.html").read_text(encoding="utf-8")
    found = re.search(r'CHANGED</span> <a href="commitments/(\d+)\.html"', index)
    assert found, "the index marks no changed commitment"
    number = int(found.group(1))
    return number, (site / "commitments" / f"{number}.html").read_text(encoding="utf-8")


def test_every_ingest_writes_the_pages_and_a_changed_one_shows_before_and_after(reports):
    site = reports / "var" / "site"
    assert (site / "index.html").is_file()
    _, page = _changed_page(site)
    assert 'class="before"' in page and 'class="after"' in page and "→" in page
    assert "2017年政府工作报告" in page and "2016年政府工作报告" in page
    assert len(list((site / "events").glob("*.html"))) == 2


def test_monitor_site_writes_them_anywhere(reports):
    out = reports / "published"
    result = runner.invoke(app, ["site", "--out", str(out)])
    assert result.exit_code == 0, result.output
    written = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.html"))
    assert result.stdout == f"{len(written)} pages in {out}\n"
    ours = sorted(
        p.relative_to(reports / "var" / "site").as_posix()
        for p in (reports / "var" / "site").rglob("*.html")
    )
    assert written == ours  # the same pages as the ingest wrote


def test_the_digest_links_each_commitment_to_its_page(reports):
    out = reports / "digest"
    result = runner.invoke(app, ["digest", "--out", str(out), "--date", "2017-03-05"])
    assert result.exit_code == 0, result.output
    html = (out / "digest-2017-03-05.html").read_text(encoding="utf-8")
    number, _ = _changed_page(reports / "var" / "site")
    assert f'href="https://monitor.example.org/pages/commitments/{number}.html"' in html
    text = (out / "digest-2017-03-05.txt").read_text(encoding="utf-8")
    assert f"https://monitor.example.org/pages/commitments/{number}.html" in text


def test_headless_chromium_follows_the_digest_link_to_a_changed_commitments_page(reports):
    """The site served by a web server, the digest linking to it: in Chromium the digest shows
    a CHANGED entry's before → after, and its link opens the commitment's page, which shows
    them too."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        pytest.skip("no Chromium here (apt-get install chromium) to render the pages")
    site = reports / "var" / "site"
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        config = reports / "config" / "monitor.toml"
        config.write_text(f'[site]\nbase_url = "{base}"\n', encoding="utf-8")
        out = reports / "digest"
        result = runner.invoke(app, ["digest", "--out", str(out), "--date", "2017-03-05"])
        assert result.exit_code == 0, result.output
        digest = _dom(browser, (out / "digest-2017-03-05.html").as_uri())
        entry = digest[digest.index(">CHANGED<") :]
        assert "→" in entry[: entry.index("Its history and every source")]
        link = re.search(r'href="([^"]+/commitments/\d+\.html)"', entry)
        assert link and link.group(1).startswith(base)
        page = _dom(browser, link.group(1))
        assert 'class="before"' in page and 'class="after"' in page and "→" in page
    finally:
        server.shutdown()
        server.server_close()


def _dom(browser: str, url: str) -> str:
    """The DOM of a page as headless Chromium renders it."""
    return subprocess.run(
        [browser, "--headless=new", "--no-sandbox", "--disable-gpu", "--dump-dom", url],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout


def test_page_text_is_escaped_as_in_the_email():
    from monitor.site import _ENV

    hostile = '<script>alert("x")</script>国务院将<b>加快</b>'
    page = _ENV.get_template("commitment.html").render(
        commitment={
            "id": 1,
            "text": hostile,
            "actor": hostile,
            "event_id": None,
            "changes": [],
            "history": [
                {
                    "outcome": "new",
                    "text": hostile,
                    "quantities": [],
                    "source": {
                        "published_at": None,
                        "url": "javascript:alert(1)",
                        "outlet": hostile,
                        "title": hostile,
                    },
                }
            ],
        },
        event_title=None,
    )
    assert "<script>" not in page and "&lt;script&gt;" in page and "<b>" not in page
    assert "javascript:" not in page  # only http(s) addresses are linked
