"""Web sources: URL lists, RSS/Atom feeds (feedparser) and sitemaps, fetched politely."""

from __future__ import annotations

import fnmatch
from collections.abc import Iterator
from dataclasses import replace

import feedparser
from lxml import etree

from monitor.config import SourceConfig
from monitor.fetch import Fetched, Fetcher, FetchError, FetchOptions, public_url
from monitor.sources.base import Item, RawCapture, SourceFailure, Unchanged, Validators

# A sitemap index nests sitemaps; deeper than this is a loop or an abuse.
_MAX_SITEMAP_DEPTH = 3
_SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def read_web_source(source: SourceConfig, validators: Validators) -> Iterator[Item]:
    """Fetch the pages of a URL list, a feed or a sitemap; or, for an address given on the
    command line (kind "address"), the page, feed or sitemap it turns out to be."""
    fetcher = Fetcher(fetch_options(source))
    if source.kind == "address":
        try:
            yield from _read_address(fetcher, source, validators)
        finally:
            fetcher.close()
        return
    try:
        pages = list(_page_urls(source, fetcher))
    except (FetchError, OSError, UnicodeDecodeError) as exc:
        where = public_url(source.url) if source.url else str(source.path or source.name)
        yield SourceFailure(source.name, where, _why(exc))
        fetcher.close()
        return
    try:
        selected = [url for url in dict.fromkeys(pages) if _selected(url, source)]
        for url in selected[: source.max_pages]:
            yield fetch_page(fetcher, source, url, validators.get(public_url(url), (None, None)))
    finally:
        fetcher.close()


def fetch_options(source: SourceConfig) -> FetchOptions:
    """The fetch options a source's configuration asks for."""
    options = FetchOptions(
        allow_private=source.allow_private,
        min_interval=source.delay,
        timeout=source.timeout,
        deadline=source.deadline,
        retries=source.retries,
    )
    if source.user_agent:
        options = replace(options, user_agent=source.user_agent)
    return options


def fetch_page(
    fetcher: Fetcher, source: SourceConfig, url: str, validators: tuple[str | None, str | None]
) -> Item:
    """One page as a capture, an unchanged marker (304) or a failure with its reason."""
    try:
        page = fetcher.get(url, *validators)
    except FetchError as exc:
        return SourceFailure(source.name, public_url(url), str(exc))
    if page.status == 304:
        return Unchanged(source.name, public_url(url))
    return _capture(source, page)


def _read_address(fetcher: Fetcher, source: SourceConfig, validators: Validators) -> Iterator[Item]:
    """An address of unknown kind: fetched once, then read as the feed, sitemap or page its
    body is."""
    url = source.url or ""
    try:
        page = fetcher.get(url, *validators.get(public_url(url), (None, None)))
        kind = recognise(page.body, page.content_type) if page.status == 200 else "page"
        if kind == "feed":
            links = feed_links(page.body)
        elif kind == "sitemap":
            links = list(_sitemap(fetcher, page.url, 0, page.body))
    except FetchError as exc:
        yield SourceFailure(source.name, public_url(url), str(exc))
        return
    if page.status == 304:
        yield Unchanged(source.name, public_url(url))
    elif kind == "page":
        yield _capture(source, page)
    else:
        selected = [link for link in dict.fromkeys(links) if _selected(link, source)]
        for link in selected[: source.max_pages]:
            yield fetch_page(fetcher, source, link, validators.get(public_url(link), (None, None)))


def recognise(body: bytes, content_type: str | None) -> str:
    """What a fetched body is: "feed" (RSS, Atom, RDF), "sitemap" (urlset, sitemapindex) or
    "page", from its root element; HTML is a page whatever its server says."""
    head = body[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if head.startswith((b"<!doctype html", b"<html")) or not head.startswith(b"<"):
        return "page"
    try:
        root = etree.fromstring(
            body, parser=etree.XMLParser(resolve_entities=False, no_network=True, recover=False)
        )
    except etree.XMLSyntaxError:
        return "page"
    name = etree.QName(root).localname.lower()
    if name in ("rss", "feed", "rdf"):
        return "feed"
    if name in ("urlset", "sitemapindex"):
        return "sitemap"
    return "page"


def _capture(source: SourceConfig, page: Fetched) -> RawCapture:
    # kept whole: its charset is what the server declared, which decoding weighs
    media_type = (page.content_type or "text/html").strip()[:64]
    return RawCapture(
        source=source.name,
        origin=public_url(page.url),
        data=page.body,
        media_type=media_type,
        captured_at=page.fetched_at,
        outlet_hint=source.outlet,
        etag=page.etag,
        last_modified=page.last_modified,
    )


def _page_urls(source: SourceConfig, fetcher: Fetcher) -> Iterator[str]:
    if source.kind == "urls":
        yield from source.urls
        if source.path is not None:
            text = source.path.read_text(encoding="utf-8")
            yield from (
                line.strip() for line in text.splitlines() if line.strip()[:1] not in ("", "#")
            )
    elif source.kind == "feed":
        yield from feed_links(fetcher.get(source.url or "").body)
    elif source.kind == "sitemap":
        yield from _sitemap(fetcher, source.url or "", 0)


def feed_links(data: bytes) -> list[str]:
    """The article links of an RSS or Atom feed.

    Raises:
        FetchError: the feed is malformed and holds no entry.
    """
    parsed = feedparser.parse(data)
    links = [entry.get("link") for entry in parsed.entries if entry.get("link")]
    if not links and parsed.bozo:
        raise FetchError(f"malformed feed: {parsed.bozo_exception}")
    return links


def _sitemap(fetcher: Fetcher, url: str, depth: int, body: bytes | None = None) -> Iterator[str]:
    if depth > _MAX_SITEMAP_DEPTH:
        raise FetchError(f"sitemaps nested deeper than {_MAX_SITEMAP_DEPTH}")
    if body is None:
        body = fetcher.get(url).body
    try:
        root = etree.fromstring(
            body, parser=etree.XMLParser(resolve_entities=False, no_network=True)
        )
    except etree.XMLSyntaxError as exc:
        raise FetchError(f"malformed sitemap {url}: {exc}") from exc
    locations = [loc.text.strip() for loc in root.iter(f"{_SITEMAP_NS}loc") if loc.text]
    if root.tag == f"{_SITEMAP_NS}sitemapindex":
        for child in locations:
            yield from _sitemap(fetcher, child, depth + 1)
    else:
        yield from locations


def _why(exc: Exception) -> str:
    if isinstance(exc, UnicodeDecodeError):
        return f"URL list is not UTF-8 text: {exc.reason} at byte {exc.start}"
    if isinstance(exc, OSError):
        return f"cannot read URL list: {exc.strerror or exc}"
    return str(exc)


def _selected(url: str, source: SourceConfig) -> bool:
    if source.include and not any(fnmatch.fnmatch(url, pattern) for pattern in source.include):
        return False
    return not any(fnmatch.fnmatch(url, pattern) for pattern in source.exclude)
