"""Fetching from a loopback web server: the polite fetcher's own cost per page (no network
latency, no per-host delay), through a URL-list source as an analyst would configure one."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from monitor.config import SourceConfig
from monitor.sources import RawCapture
from monitor.sources.web import read_web_source


def fetch_rate(pages: list[bytes]) -> dict[str, float]:
    """Pages per second fetched from a loopback server serving `pages`."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            if not self.path.startswith("/p/"):
                self.send_error(404)
                return
            body = pages[int(self.path[3:].split(".")[0])]
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        port = server.server_address[1]
        source = SourceConfig(
            name="bench-web",
            kind="urls",
            urls=tuple(f"http://127.0.0.1:{port}/p/{n}.html" for n in range(len(pages))),
            allow_private=True,
            max_pages=len(pages),
            delay=0.0,
        )
        started = time.perf_counter()
        fetched = sum(isinstance(item, RawCapture) for item in read_web_source(source, {}))
        seconds = time.perf_counter() - started
    finally:
        server.shutdown()
        server.server_close()
    return {
        "pages": fetched,
        "seconds": round(seconds, 3),
        "docs_per_second": round(fetched / seconds, 1),
    }
