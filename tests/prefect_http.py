"""The Prefect API asked directly, as its UI asks it, with the retries its own client makes.

A Prefect server on SQLite answers 503 when its database is locked by another writer (the
scheduler, a runner's heartbeat) and 429 when it sheds load; the request did nothing and may be
sent again. Prefect's client retries both; so do these helpers, for up to a minute.
"""

from __future__ import annotations

import time
from typing import Any

import httpx

RETRY_CODES = frozenset({429, 502, 503})


def request(method: str, url: str, *, json: Any = None, patience: float = 60.0) -> httpx.Response:
    """Send one request, again after a pause while the server answers a retryable code."""
    deadline = time.monotonic() + patience
    pause = 0.25
    while True:
        response = httpx.request(method, url, json=json, timeout=30.0)
        if response.status_code not in RETRY_CODES or time.monotonic() >= deadline:
            response.raise_for_status()
            return response
        time.sleep(pause)
        pause = min(pause * 2, 4.0)


def get(url: str) -> Any:
    """The decoded body of a GET."""
    return request("GET", url).json()


def post(url: str, json: Any) -> Any:
    """The decoded body of a POST."""
    return request("POST", url, json=json).json()
