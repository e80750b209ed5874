"""Hostile servers and addresses: each bad item fails alone, with its reason, within a bound."""

from __future__ import annotations

import ipaddress
import time

import pytest
from werkzeug import Response

from monitor import fetch
from monitor.config import SourceConfig
from monitor.fetch import Fetcher, FetchError, FetchOptions, public_url
from monitor.sources import RawCapture, SourceFailure, collect

PAGE = "<html><body><article><p>国务院新闻办公室举行新闻发布会。</p></article></body></html>"


def _fetcher(**options) -> Fetcher:
    return Fetcher(FetchOptions(allow_private=True, min_interval=0, backoff=0, **options))


@pytest.mark.parametrize(
    "address",
    [
        "100.64.0.1",  # carrier-grade NAT, where cloud metadata services live
        "100.127.255.254",
        "192.0.2.1",  # documentation
        "198.18.0.1",  # benchmarking
        "240.0.0.1",  # reserved
        "169.254.169.254",
        "::ffff:10.0.0.1",  # IPv4 inside IPv6
        "::ffff:127.0.0.1",
        "2002:a00:1::",  # 6to4 of 10.0.0.1
        "fc00::1",
        "224.0.0.1",
    ],
)
def test_every_non_public_address_is_refused(address):
    assert fetch._internal(ipaddress.ip_address(address))
    host = f"[{address}]" if ":" in address else address
    with pytest.raises(FetchError, match="not a public address"):
        Fetcher(FetchOptions(min_interval=0, retries=0)).get(f"http://{host}/")


def test_public_addresses_pass():
    assert not fetch._internal(ipaddress.ip_address("8.8.8.8"))
    assert not fetch._internal(ipaddress.ip_address("2001:4860:4860::8888"))


@pytest.mark.parametrize(
    "url", ["http://[::1", "http://127.0.0.1:99999/a", "http://exa mple.org:x/"]
)
def test_a_malformed_address_fails_alone_and_the_list_goes_on(httpserver, url):
    httpserver.expect_request("/good").respond_with_data(PAGE, content_type="text/html")
    source = SourceConfig(
        "list", "urls", urls=(url, httpserver.url_for("/good")), allow_private=True, delay=0
    )
    bad, good = collect([source])
    assert isinstance(bad, SourceFailure) and bad.reason.startswith(("malformed URL", "refused"))
    assert isinstance(good, RawCapture)


def test_retry_after_is_capped(httpserver, monkeypatch):
    monkeypatch.setattr(fetch, "MAX_RETRY_AFTER", 0.5)
    httpserver.expect_ordered_request("/busy").respond_with_response(
        Response("slow down", status=429, headers={"Retry-After": "3600"})
    )
    httpserver.expect_ordered_request("/busy").respond_with_data(PAGE, content_type="text/html")
    started = time.monotonic()
    page = _fetcher(retries=1, respect_robots=False).get(httpserver.url_for("/busy"))
    assert page.status == 200 and time.monotonic() - started < 10


def test_a_server_that_drips_is_given_up_on_at_the_deadline(httpserver):
    def drip(request):
        def body():
            for _ in range(100):
                yield b"<"
                time.sleep(0.3)

        return Response(body(), content_type="text/html", direct_passthrough=True)

    httpserver.expect_request("/drip").respond_with_handler(drip)
    started = time.monotonic()
    with pytest.raises(FetchError, match=r"gave up after 1\.5 s"):
        _fetcher(retries=0, deadline=1.5, timeout=5).get(httpserver.url_for("/drip"))
    assert time.monotonic() - started < 8


def test_a_robots_bomb_is_ignored_without_reading_it_all(httpserver):
    httpserver.expect_request("/robots.txt").respond_with_data(
        "User-agent: *\nDisallow: /\n" + "#" * (2 * 1024 * 1024), content_type="text/plain"
    )
    httpserver.expect_request("/page").respond_with_data(PAGE, content_type="text/html")
    page = _fetcher(retries=0).get(httpserver.url_for("/page"))
    assert page.status == 200  # the oversized robots.txt counts as none


def test_credentials_never_reach_the_stored_address(httpserver):
    httpserver.expect_request("/page").respond_with_data(PAGE, content_type="text/html")
    with_password = httpserver.url_for("/page").replace("http://", "http://reader:s3cret@")
    missing = with_password.replace("/page", "/missing")
    source = SourceConfig(
        "list", "urls", urls=(with_password, missing), allow_private=True, delay=0
    )
    stored, failed = collect([source])
    assert isinstance(stored, RawCapture) and "s3cret" not in stored.origin
    assert isinstance(failed, SourceFailure) and "s3cret" not in failed.origin
    assert public_url("https://a:b@host:8/p?q=1") == "https://host:8/p?q=1"
    assert public_url("not a url") == "not a url"


@pytest.mark.parametrize("where", ["header", "meta"])
def test_a_chinese_page_declared_latin_1_is_read_as_chinese(httpserver, where):
    from monitor.extract import ArticleDraft, extract_article
    from monitor.extract.article import CaptureInput

    text = "国务院新闻办公室1月20日举行新闻发布会，科技部副部长李萌介绍有关情况。"
    meta = "<meta charset='iso-8859-1'>" if where == "meta" else ""
    page = (
        f"<html><head>{meta}<title>科技部:支持北京国际科技创新中心建设</title></head><body>"
        f"<article><h1>科技部:支持北京国际科技创新中心建设</h1><p>{text}</p>"
        f"<p>{text}第一，支持北京打造国家实验室。</p></article></body></html>"
    ).encode("gbk")
    content_type = "text/html; charset=ISO-8859-1" if where == "header" else "text/html"
    httpserver.expect_request("/latin").respond_with_data(page, content_type=content_type)
    source = SourceConfig(
        "web", "urls", urls=(httpserver.url_for("/latin"),), allow_private=True, delay=0
    )
    (capture,) = collect([source])
    draft = extract_article(CaptureInput(capture.data, capture.media_type, capture.origin))
    assert isinstance(draft, ArticleDraft) and text in draft.body
