"""HTTP fetching (requests): the only module that talks to the network.

One session reuses connections; 429 and 5xx are retried with exponential backoff (honouring
Retry-After); robots.txt is honoured; requests to one host are spaced; conditional GET turns an
unchanged page into a 304 that costs nothing downstream; bodies are capped; redirects are
followed by hand so that every hop is checked. Only http(s) is fetched, and, unless a source
allows it, no address in a private, loopback, link-local or reserved range: a feed must not be
able to point the fetcher inside the operator's network.
"""

from __future__ import annotations

import contextlib
import ipaddress
import socket
import threading
import time
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from urllib import robotparser
from urllib.parse import urljoin, urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.response import BaseHTTPResponse
from urllib3.util.retry import Retry

from monitor.errors import SourceError

_REDIRECTS = (301, 302, 303, 307, 308)
# The longest a server's Retry-After is honoured
MAX_RETRY_AFTER = 10.0
# robots.txt is a few KB; a larger one is an attack on the parser, and none is assumed
_MAX_ROBOTS_BYTES = 512 * 1024


@dataclass(frozen=True)
class FetchOptions:
    """How a source is fetched."""

    user_agent: str = "policy-monitor/0.1 (government commitment monitor)"
    timeout: float = 20.0
    # A news page is well under this; a larger body is a file or an attack, not an article.
    max_bytes: int = 20 * 1024 * 1024
    max_redirects: int = 5
    retries: int = 3
    backoff: float = 0.5
    # Seconds between two requests to one host: polite to small government sites.
    min_interval: float = 1.0
    allow_private: bool = False
    respect_robots: bool = True
    # The most one page may take, connection, every read and retries included: a server that
    # drips a byte every few seconds never trips the per-read timeout
    deadline: float = 60.0


@dataclass(frozen=True)
class Fetched:
    """A response: 200 with its body, or 304 when the page is unchanged since the validators."""

    url: str
    status: int
    body: bytes
    content_type: str
    etag: str | None
    last_modified: str | None
    fetched_at: datetime


class FetchError(SourceError):
    """A URL could not be fetched; the message is the reason recorded against it."""


class Fetcher:
    """A polite HTTP client shared by the sources of a run."""

    def __init__(self, options: FetchOptions | None = None) -> None:
        self.options = options or FetchOptions()
        self._session = requests.Session()
        self._session.headers["User-Agent"] = self.options.user_agent
        retry = _CappedRetry(
            total=self.options.retries,
            backoff_factor=self.options.backoff,
            status_forcelist=(429, 500, 502, 503, 504),
            allowed_methods=frozenset({"GET"}),
            respect_retry_after_header=True,
            redirect=False,
            raise_on_status=False,
        )
        adapter = HTTPAdapter(max_retries=retry)
        self._session.mount("http://", adapter)
        self._session.mount("https://", adapter)
        self._robots: dict[str, robotparser.RobotFileParser | None] = {}
        self._last_request: dict[str, float] = {}
        self._lock = threading.Lock()

    def close(self) -> None:
        """Close the pooled connections."""
        self._session.close()

    def get(self, url: str, etag: str | None = None, last_modified: str | None = None) -> Fetched:
        """GET a URL, conditionally when validators are given.

        Raises:
            FetchError: refused scheme or address, disallowed by robots.txt, HTTP error, timeout,
                connection failure, too many redirects or a body over the cap.
        """
        try:
            return self._get(url, etag, last_modified)
        except ValueError as exc:  # http://[::1, a port of 99999, in the URL or a Location
            raise FetchError(f"malformed URL: {exc}") from exc

    def _get(self, url: str, etag: str | None, last_modified: str | None) -> Fetched:
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        for _ in range(self.options.max_redirects + 1):
            self._check(url)
            response = self._request(url, headers)
            if response.status_code in _REDIRECTS and response.headers.get("Location"):
                response.close()
                url = urljoin(url, response.headers["Location"])
                continue
            return self._read(url, response)
        raise FetchError(f"more than {self.options.max_redirects} redirects")

    def _request(self, url: str, headers: dict[str, str]) -> requests.Response:
        self._wait_turn(urlsplit(url).netloc)
        try:
            return self._session.get(
                url,
                headers=headers,
                timeout=self.options.timeout,
                stream=True,
                allow_redirects=False,
            )
        except requests.Timeout as exc:
            raise FetchError(f"timed out after {self.options.timeout:g} s") from exc
        except requests.TooManyRedirects as exc:
            raise FetchError("too many redirects") from exc
        except requests.exceptions.InvalidURL as exc:
            raise FetchError(f"malformed URL: {exc}") from exc
        except requests.RequestException as exc:
            raise FetchError(f"connection failed: {type(exc).__name__}: {exc}") from exc

    def _read(self, url: str, response: requests.Response) -> Fetched:
        aborted = threading.Event()
        timer = threading.Timer(self.options.deadline, _abort, (response, aborted))
        timer.daemon = True
        timer.start()
        slow = FetchError(f"gave up after {self.options.deadline:g} s: the server sends too slowly")
        try:
            page = self._read_within(url, response)
        except FetchError:
            if aborted.is_set():
                raise slow from None
            raise
        finally:
            timer.cancel()
        if aborted.is_set():  # the connection was shut under the read: what came is not all
            raise slow
        return page

    def _read_within(self, url: str, response: requests.Response) -> Fetched:
        with response:
            if response.status_code == 304:
                body = b""
            elif response.status_code >= 400:
                raise FetchError(f"HTTP {response.status_code} {response.reason or ''}".strip())
            else:
                body = self._capped_body(response)
            return Fetched(
                url=url,
                status=response.status_code,
                body=body,
                content_type=response.headers.get("Content-Type", ""),
                etag=response.headers.get("ETag"),
                last_modified=response.headers.get("Last-Modified"),
                fetched_at=datetime.now(UTC),
            )

    def _capped_body(self, response: requests.Response) -> bytes:
        declared = response.headers.get("Content-Length")
        if declared and declared.isdigit() and int(declared) > self.options.max_bytes:
            raise FetchError(f"response of {declared} bytes exceeds {self.options.max_bytes}")
        chunks, size = [], 0
        try:
            for chunk in response.iter_content(64 * 1024):
                size += len(chunk)
                if size > self.options.max_bytes:
                    raise FetchError(f"response exceeds {self.options.max_bytes} bytes")
                chunks.append(chunk)
        except (requests.RequestException, OSError, AttributeError, ValueError) as exc:
            # AttributeError, ValueError: the deadline closed the connection under the read
            raise FetchError(f"broken response: {type(exc).__name__}: {exc}") from exc
        return b"".join(chunks)

    def _check(self, url: str) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https"):
            raise FetchError(f"refused scheme {parts.scheme or '(none)'!r}: only http and https")
        if not parts.hostname:
            raise FetchError("URL has no host")
        if parts.port is not None and not parts.port > 0:  # port raises beyond 65535
            raise FetchError(f"malformed URL: port {parts.port}")
        if any(char.isspace() or ord(char) < 32 for char in parts.netloc):
            raise FetchError("malformed URL: spaces or control characters in the host")
        if not self.options.allow_private:
            for address in _addresses(parts.hostname, parts.port):
                if _internal(address):
                    raise FetchError(
                        f"refused address {address} of {parts.hostname}: not a public address"
                        " (private, loopback, link-local, shared or reserved; allow_private ="
                        " true on the source allows it)"
                    )
        if self.options.respect_robots and not self._allowed(url):
            raise FetchError("disallowed by robots.txt")

    def _allowed(self, url: str) -> bool:
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in self._robots:
            self._robots[origin] = self._load_robots(origin)
        rules = self._robots[origin]
        return rules is None or rules.can_fetch(self.options.user_agent, url)

    def _load_robots(self, origin: str) -> robotparser.RobotFileParser | None:
        """robots.txt, fetched as pages are: every redirect checked, the body capped (a larger
        one is ignored), within the deadline; none to be had disallows nothing."""
        robots = Fetcher(
            replace(self.options, respect_robots=False, max_bytes=_MAX_ROBOTS_BYTES, retries=0)
        )
        try:
            page = robots.get(f"{origin}/robots.txt")
        except FetchError:
            return None
        finally:
            robots.close()
        rules = robotparser.RobotFileParser()
        rules.parse(page.body.decode("utf-8", "replace").splitlines())
        return rules

    def _wait_turn(self, host: str) -> None:
        with self._lock:
            now = time.monotonic()
            wait = self._last_request.get(host, -1e9) + self.options.min_interval - now
            self._last_request[host] = now + max(wait, 0.0)
        if wait > 0:
            time.sleep(wait)


class _CappedRetry(Retry):
    """Retries that wait at most MAX_RETRY_AFTER seconds, whatever a server's Retry-After
    asks (3600 would hold the run for an hour): a host that needs longer is tried next run."""

    def get_retry_after(self, response: BaseHTTPResponse) -> float | None:
        wait = super().get_retry_after(response)
        return None if wait is None else min(wait, MAX_RETRY_AFTER)


def public_url(url: str) -> str:
    """A URL as it may be stored and shown: without the user and password it may carry."""
    scheme, separator, rest = url.partition("://")
    authority, slash, path = rest.partition("/")
    if not separator or "@" not in authority:
        return url
    return f"{scheme}://{authority.rsplit('@', 1)[1]}{slash}{path}"


def _abort(response: requests.Response, aborted: threading.Event) -> None:
    """Shut a response's connection under a read that outlasts the deadline: the read in
    progress returns at once."""
    aborted.set()
    for path in (("_connection", "sock"), ("_fp", "fp", "raw", "_sock")):
        sock: object = response.raw
        for name in path:
            sock = getattr(sock, name, None)
        if isinstance(sock, socket.socket):
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


def _addresses(host: str, port: int | None) -> list[ipaddress.IPv4Address | ipaddress.IPv6Address]:
    try:
        infos = socket.getaddrinfo(host, port or 80, proto=socket.IPPROTO_TCP)
    except socket.gaierror as exc:
        raise FetchError(f"cannot resolve {host}: {exc.strerror}") from exc
    return [ipaddress.ip_address(info[4][0]) for info in infos]


def _internal(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Whether an address is anything but a public unicast one: private, loopback, link-local,
    carrier-grade NAT (100.64.0.0/10), documentation, benchmarking, reserved, multicast, as
    the standard library's registries say, an IPv4 address inside IPv6 judged as itself."""
    if isinstance(address, ipaddress.IPv6Address):
        inner = address.ipv4_mapped or address.sixtofour or (address.teredo or (None, None))[1]
        if inner is not None:
            return _internal(inner)
    return not address.is_global or address.is_multicast
