"""Fetching and web sources against a real HTTP server on loopback (pytest-httpserver)."""

from __future__ import annotations

import io
import time

import pytest
from werkzeug import Response

from monitor.config import SourceConfig
from monitor.extract import ArticleDraft, extract_article
from monitor.extract.article import CaptureInput
from monitor.fetch import Fetcher, FetchError, FetchOptions
from monitor.sources import RawCapture, SourceFailure, Unchanged, collect
from monitor.sources.warc import read_warc

TEXT = "国务院新闻办公室1月20日举行新闻发布会，科技部副部长李萌介绍有关情况。"
PAGE = (
    "<html><head><meta charset='{meta}'><title>科技部:支持北京国际科技创新中心建设-新华网</title>"
    "</head><body><div class='nav'>首页 | 时政</div>"
    "<article><h1>科技部:支持北京国际科技创新中心建设</h1>"
    "<p>新华社北京1月20日电（记者 张三）" + TEXT + "</p>"
    "<p>第一，支持北京打造国家实验室。第二，支持北京深化科技体制改革，推动一批项目落地见效。</p>"
    "</article></body></html>"
)


def _fetcher(**options) -> Fetcher:
    return Fetcher(FetchOptions(allow_private=True, min_interval=0, backoff=0, **options))


def _source(httpserver, **fields) -> SourceConfig:
    return SourceConfig(
        name="web",
        kind=fields.pop("kind", "urls"),
        allow_private=True,
        delay=0,
        retries=fields.pop("retries", 1),
        **fields,
    )


def test_gbk_page_with_header_charset_keeps_raw_bytes_and_decodes(httpserver):
    raw = PAGE.format(meta="gbk").encode("gbk")
    httpserver.expect_request("/gbk").respond_with_data(raw, content_type="text/html; charset=GBK")
    (capture,) = collect([_source(httpserver, urls=(httpserver.url_for("/gbk"),))])
    assert isinstance(capture, RawCapture) and capture.data == raw
    draft = extract_article(CaptureInput(capture.data, capture.media_type, capture.origin))
    assert isinstance(draft, ArticleDraft)
    assert TEXT in draft.body


def test_wrong_meta_charset_loses_to_the_bytes(httpserver):
    raw = PAGE.format(meta="gb2312").encode("utf-8")  # says GB2312, is UTF-8
    httpserver.expect_request("/utf8").respond_with_data(raw, content_type="text/html")
    (capture,) = collect([_source(httpserver, urls=(httpserver.url_for("/utf8"),))])
    draft = extract_article(CaptureInput(capture.data, capture.media_type, capture.origin))
    assert TEXT in draft.body


def test_conditional_get_turns_an_unchanged_page_into_a_304(httpserver):
    def handler(request):
        if request.headers.get("If-None-Match") == '"v1"':
            return Response(status=304)
        return Response(
            PAGE.format(meta="utf-8"),
            headers={"ETag": '"v1"'},
            content_type="text/html; charset=utf-8",
        )

    httpserver.expect_request("/page").respond_with_handler(handler)
    url = httpserver.url_for("/page")
    (first,) = collect([_source(httpserver, urls=(url,))])
    assert first.etag == '"v1"'
    (second,) = collect([_source(httpserver, urls=(url,))], {url: ('"v1"', None)})
    assert second == Unchanged("web", url)


def test_429_and_503_are_retried_then_succeed(httpserver):
    answers = iter(
        [
            Response(status=429, headers={"Retry-After": "0"}),
            Response(status=503),
            Response(PAGE.format(meta="utf-8"), content_type="text/html"),
        ]
    )
    httpserver.expect_request("/busy").respond_with_handler(lambda request: next(answers))
    page = _fetcher().get(httpserver.url_for("/busy"))
    assert page.status == 200


def test_a_server_that_stays_down_is_a_failure_with_its_status(httpserver):
    httpserver.expect_request("/down").respond_with_data("", status=503)
    (failure,) = collect([_source(httpserver, urls=(httpserver.url_for("/down"),))])
    assert isinstance(failure, SourceFailure) and failure.reason.startswith("HTTP 503")


def test_redirects_are_followed_and_capped(httpserver):
    httpserver.expect_request("/old").respond_with_data(
        "", status=301, headers={"Location": "/new"}
    )
    httpserver.expect_request("/new").respond_with_data(
        PAGE.format(meta="utf-8"), content_type="text/html"
    )
    assert _fetcher().get(httpserver.url_for("/old")).url == httpserver.url_for("/new")
    httpserver.expect_request("/loop").respond_with_data(
        "", status=302, headers={"Location": "/loop"}
    )
    with pytest.raises(FetchError, match="more than 5 redirects"):
        _fetcher().get(httpserver.url_for("/loop"))


def test_slow_broken_and_huge_responses_fail_with_reasons(httpserver):
    httpserver.expect_request("/slow").respond_with_handler(
        lambda request: (time.sleep(1.5), Response("late"))[1]
    )
    with pytest.raises(FetchError, match="timed out"):
        _fetcher(timeout=0.5, retries=0).get(httpserver.url_for("/slow"))
    httpserver.expect_request("/huge").respond_with_data(b"x" * 5000, content_type="text/html")
    with pytest.raises(FetchError, match="exceeds 1000"):
        _fetcher(max_bytes=1000).get(httpserver.url_for("/huge"))
    httpserver.expect_request("/404").respond_with_data("gone", status=404)
    with pytest.raises(FetchError, match="HTTP 404"):
        _fetcher().get(httpserver.url_for("/404"))


def test_connection_refused_is_a_failure(httpserver):
    from tests.digest.conftest import free_port

    with pytest.raises(FetchError, match="connection failed"):
        _fetcher(retries=0).get(f"http://127.0.0.1:{free_port()}/")


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("file:///etc/passwd", "refused scheme 'file'"),
        ("ftp://example.org/x", "refused scheme 'ftp'"),
        ("http://127.0.0.1:9/", "refused address 127.0.0.1"),
        ("http://169.254.169.254/latest/meta-data", "refused address 169.254.169.254"),
        ("http://10.0.0.1/", "refused address 10.0.0.1"),
    ],
)
def test_schemes_and_internal_addresses_are_refused(url, reason):
    with pytest.raises(FetchError, match=reason):
        Fetcher().get(url)


def test_a_redirect_into_the_operators_network_is_refused(httpserver):
    httpserver.expect_request("/hop").respond_with_data(
        "", status=302, headers={"Location": "http://169.254.169.254/latest/"}
    )
    fetcher = Fetcher(FetchOptions(allow_private=False, min_interval=0))
    fetcher._check = lambda url, _check=fetcher._check: (  # the test server is on loopback
        None if url.startswith(httpserver.url_for("/")) else _check(url)
    )
    with pytest.raises(FetchError, match=r"refused address 169\.254\.169\.254"):
        fetcher.get(httpserver.url_for("/hop"))


def test_robots_txt_is_honoured(httpserver):
    httpserver.expect_request("/robots.txt").respond_with_data(
        "User-agent: *\nDisallow: /private/\n"
    )
    httpserver.expect_request("/private/a").respond_with_data("secret")
    (failure,) = collect([_source(httpserver, urls=(httpserver.url_for("/private/a"),))])
    assert failure.reason == "disallowed by robots.txt"


def test_requests_to_one_host_are_spaced(httpserver):
    httpserver.expect_request("/a").respond_with_data("a")
    fetcher = Fetcher(FetchOptions(allow_private=True, min_interval=0.3, respect_robots=False))
    started = time.monotonic()
    for _ in range(3):
        fetcher.get(httpserver.url_for("/a"))
    assert time.monotonic() - started >= 0.6


RSS = """<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>时政</title>
<item><title>一</title><link>{base}/news/1.html</link></item>
<item><title>二</title><link>{base}/video/2.html</link></item>
<item><title>三</title><link>{base}/news/3.html</link></item></channel></rss>"""
ATOM = """<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">
<title>要闻</title><entry><title>一</title><link href="{base}/news/1.html"/></entry></feed>"""


@pytest.mark.parametrize("feed", [RSS, ATOM])
def test_feeds_give_their_article_pages_filtered_by_pattern(httpserver, feed):
    base = httpserver.url_for("").rstrip("/")
    httpserver.expect_request("/feed").respond_with_data(
        feed.format(base=base), content_type="application/rss+xml"
    )
    for page in ("/news/1.html", "/news/3.html", "/video/2.html"):
        httpserver.expect_request(page).respond_with_data(
            PAGE.format(meta="utf-8"), content_type="text/html"
        )
    source = _source(httpserver, kind="feed", url=f"{base}/feed", exclude=("*/video/*",))
    origins = [item.origin for item in collect([source])]
    assert origins == [f"{base}/news/1.html", f"{base}/news/3.html"][: len(origins)]
    assert f"{base}/video/2.html" not in origins


def test_a_malformed_feed_is_one_failure(httpserver):
    httpserver.expect_request("/feed").respond_with_data(
        "<rss><channel><item><link>", content_type="application/rss+xml"
    )
    source = _source(httpserver, kind="feed", url=httpserver.url_for("/feed"))
    (failure,) = collect([source])
    assert isinstance(failure, SourceFailure) and "malformed feed" in failure.reason


def test_sitemap_index_leads_to_pages(httpserver):
    base = httpserver.url_for("").rstrip("/")
    ns = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
    httpserver.expect_request("/sitemap.xml").respond_with_data(
        f"<sitemapindex {ns}><sitemap><loc>{base}/s1.xml</loc></sitemap></sitemapindex>"
    )
    httpserver.expect_request("/s1.xml").respond_with_data(
        f"<urlset {ns}><url><loc>{base}/a.html</loc></url><url><loc>{base}/b.html</loc></url>"
        "</urlset>"
    )
    for page in ("/a.html", "/b.html"):
        httpserver.expect_request(page).respond_with_data(
            PAGE.format(meta="utf-8"), content_type="text/html"
        )
    source = _source(httpserver, kind="sitemap", url=f"{base}/sitemap.xml", include=(f"{base}/a*",))
    assert [item.origin for item in collect([source])] == [f"{base}/a.html"]


# warcio's writer leaves a temporary buffer for the garbage collector (writing only, in this test)
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_warc_html_responses_become_captures(tmp_path):
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    path = tmp_path / "crawl.warc.gz"
    with path.open("wb") as stream:
        writer = WARCWriter(stream, gzip=True)
        for uri, media, body in (
            (
                "http://www.news.cn/a.html",
                "text/html; charset=utf-8",
                PAGE.format(meta="utf-8").encode(),
            ),
            ("http://www.news.cn/logo.png", "image/png", b"\x89PNG\r\n"),
            (
                "http://www.gov.cn/b.html",
                "text/html; charset=gbk",
                PAGE.format(meta="gbk").encode("gbk"),
            ),
        ):
            headers = StatusAndHeaders("200 OK", [("Content-Type", media)], protocol="HTTP/1.1")
            writer.write_record(
                writer.create_warc_record(
                    uri, "response", payload=io.BytesIO(body), http_headers=headers
                )
            )
    captures = list(read_warc(path, "archive"))
    assert [c.origin for c in captures] == ["http://www.news.cn/a.html", "http://www.gov.cn/b.html"]
    assert all(c.captured_at is not None for c in captures)
    assert captures[1].data == PAGE.format(meta="gbk").encode("gbk")

    broken = tmp_path / "broken.warc.gz"
    broken.write_bytes(path.read_bytes()[:-40])  # a transfer that stopped in the last record
    *kept, failure = list(read_warc(broken, "archive"))
    assert [c.origin for c in kept] == ["http://www.news.cn/a.html"]
    assert isinstance(failure, SourceFailure) and "truncated WARC record" in failure.reason
    garbage = tmp_path / "garbage.warc"
    garbage.write_bytes(b"this is not a WARC file\r\n" * 10)
    (failure,) = list(read_warc(garbage, "archive"))
    assert "unreadable WARC file" in failure.reason


def test_a_rerun_stores_validators_and_skips_unchanged_pages(db, httpserver):
    from monitor.pipeline import run_pipeline
    from monitor.sources.stage import known_validators

    def handler(request):
        if request.headers.get("If-Modified-Since") == "Wed, 20 Jan 2021 05:38:00 GMT":
            return Response(status=304)
        return Response(
            PAGE.format(meta="utf-8"),
            content_type="text/html; charset=utf-8",
            headers={"Last-Modified": "Wed, 20 Jan 2021 05:38:00 GMT"},
        )

    httpserver.expect_request("/news/1.html").respond_with_handler(handler)
    source = _source(httpserver, urls=(httpserver.url_for("/news/1.html"),), outlet="新华网")
    first = run_pipeline(db, collect([source], known_validators(db)), "test")
    assert (first["captures_new"], first["articles"]) == (1, 1)
    second = run_pipeline(db, collect([source], known_validators(db)), "test")
    assert second.get("unchanged") == 1 and second.get("captures", 0) == 0
