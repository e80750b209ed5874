"""Web sources reached the way users reach them: a TOML file and `monitor run`, and web
addresses given to `monitor ingest`, against a loopback server (pytest-httpserver)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner
from werkzeug import Request, Response

from monitor.cli import EXIT_NOTHING_READ, EXIT_SOME_FAILED, app

runner = CliRunner()
BODY = (
    "<html><head><meta charset='utf-8'><title>{title}</title></head><body>"
    "<div class='nav'>首页 | 时政</div><article><h1>{title}</h1>"
    "<p>新华社北京1月20日电 国务院新闻办公室1月20日举行新闻发布会，"
    "科技部副部长李萌介绍有关情况。</p>"
    "<p>{text}</p></article></body></html>"
)
TEXTS = {
    "/news/a.html": ("科技部:支持北京国际科技创新中心建设", "第一，支持北京打造国家实验室。"),
    "/news/b.html": ("国家发展改革委:加快推进重大项目建设", "今年安排中央预算内投资6100亿元。"),
    "/news/c.html": ("工业和信息化部:推动制造业高质量发展", "力争工业投资增长5%以上。"),
    "/private/d.html": ("不应抓取的页面", "robots.txt 不允许抓取这一页。"),
}


class Site:
    """A loopback site: pages with ETags, a feed, a sitemap, robots.txt; it notes the
    conditional requests it is sent."""

    def __init__(self, httpserver) -> None:
        self.server = httpserver
        self.conditional: list[str] = []
        self.fetched: list[str] = []
        for path in TEXTS:
            httpserver.expect_request(path).respond_with_handler(self._page)
        links = "".join(
            f"<item><title>{t}</title><link>{httpserver.url_for(p)}</link></item>"
            for p, (t, _) in TEXTS.items()
            if p != "/news/c.html"
        )
        feed = (
            "<?xml version='1.0'?><rss version='2.0'><channel><title>t</title>"
            f"{links}</channel></rss>"
        )
        httpserver.expect_request("/feed.xml").respond_with_data(
            feed, content_type="application/rss+xml"
        )
        urlset = "".join(
            f"<url><loc>{httpserver.url_for(path)}</loc></url>"
            for path in ("/news/b.html", "/news/c.html")
        )
        sitemap = (
            "<?xml version='1.0'?><urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>"
            f"{urlset}</urlset>"
        )
        httpserver.expect_request("/sitemap.xml").respond_with_data(
            sitemap, content_type="application/xml"
        )
        httpserver.expect_request("/robots.txt").respond_with_data(
            "User-agent: *\nDisallow: /private/\n", content_type="text/plain"
        )

    def _page(self, request: Request) -> Response:
        self.fetched.append(request.path)
        etag = f'"{request.path}-v1"'
        if request.headers.get("If-None-Match") == etag:
            self.conditional.append(request.path)
            return Response(status=304)
        title, text = TEXTS[request.path]
        return Response(
            BODY.format(title=title, text=text),
            headers={"ETag": etag},
            content_type="text/html; charset=utf-8",
        )

    def url(self, path: str) -> str:
        return self.server.url_for(path)


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    monkeypatch.delenv("MONITOR_CONFIG", raising=False)
    monkeypatch.setenv("MONITOR_DATABASE_URL", f"sqlite:///{tmp_path / 'var' / 'monitor.db'}")
    return tmp_path


def _json(*args: str) -> list[dict]:
    result = runner.invoke(app, [*args, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_ingest_recognises_a_feed_by_its_address_and_fetches_it_conditionally(home, httpserver):
    site = Site(httpserver)
    first = runner.invoke(app, ["ingest", "--allow-private", site.url("/feed.xml")])
    # the feed lists a page robots.txt disallows: read, but not all of it
    assert first.exit_code == EXIT_SOME_FAILED, first.output
    assert "2 captures (2 new)" in first.stdout
    assert sorted(site.fetched) == ["/news/a.html", "/news/b.html"]
    (refused,) = _json("failures")
    assert refused["origin"].endswith("/private/d.html")
    assert refused["reason"] == "disallowed by robots.txt"

    again = runner.invoke(app, ["ingest", "--allow-private", site.url("/feed.xml")])
    assert again.exit_code == EXIT_SOME_FAILED, again.output
    assert "0 captures (0 new), 2 pages unchanged" in again.stdout
    assert sorted(site.conditional) == ["/news/a.html", "/news/b.html"]


def test_ingest_takes_a_page_and_a_sitemap_as_they_are_given(home, httpserver):
    site = Site(httpserver)
    page = runner.invoke(app, ["ingest", "--allow-private", site.url("/news/a.html")])
    assert page.exit_code == 0, page.output
    assert "1 captures (1 new)" in page.stdout or "1 capture (1 new)" in page.stdout
    sitemap = runner.invoke(
        app, ["ingest", "--allow-private", "--kind", "sitemap", site.url("/sitemap.xml")]
    )
    assert sitemap.exit_code == 0, sitemap.output
    assert "(2 new)" in sitemap.stdout


def test_a_private_address_is_refused_unless_allowed_and_the_reason_recorded(home, httpserver):
    site = Site(httpserver)
    result = runner.invoke(app, ["ingest", site.url("/news/a.html")])
    assert result.exit_code == EXIT_NOTHING_READ, result.output
    assert "nothing could be read" in result.output
    (refused,) = _json("failures")
    assert "private" in refused["reason"] or "loopback" in refused["reason"]
    assert site.fetched == []


def test_exit_statuses_say_what_was_read(home):
    missing = runner.invoke(app, ["ingest", str(home / "nowhere")])
    assert missing.exit_code == EXIT_NOTHING_READ, missing.output
    (home / "pages").mkdir()
    (home / "pages" / "a.txt").write_text(
        "科技部:支持北京国际科技创新中心建设\n2021-01-20\n国务院新闻办公室1月20日举行新闻发布会。\n",
        encoding="utf-8",
    )
    some = runner.invoke(app, ["ingest", str(home / "pages"), str(home / "nowhere")])
    assert some.exit_code == EXIT_SOME_FAILED, some.output
    assert "`monitor failures` says why" in some.output


def test_ingest_reads_a_file_of_addresses_with_kind_urls(home, httpserver):
    site = Site(httpserver)
    listed = home / "watch-list.txt"
    listed.write_text(
        f"# pages to watch\n{site.url('/news/a.html')}\n{site.url('/news/b.html')}\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["ingest", "--allow-private", "--kind", "urls", str(listed)])
    assert result.exit_code == 0, result.output
    assert "2 captures (2 new)" in result.stdout
    assert sorted(site.fetched) == ["/news/a.html", "/news/b.html"]
