"""LSH indexes of signatures (datasketch MinHashLSH), in memory or in Redis for several workers."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any
from urllib.parse import urlparse

from datasketch import MinHashLSH

from monitor.dedup.signatures import NUM_PERM, Signature
from monitor.errors import StoreError


class LSHIndex:
    """A MinHashLSH keyed by integers.

    With `redis_url`, the index lives in Redis under `name`, shared by every worker that names
    the same Redis and survives restarts; otherwise it lives in this process.
    """

    def __init__(self, threshold: float, name: str, redis_url: str | None = None) -> None:
        self._threshold, self._name, self._redis_url = threshold, name, redis_url
        self._lsh = self._open()

    def _open(self) -> MinHashLSH:
        storage = _redis_storage(self._redis_url, self._name) if self._redis_url else None
        try:
            lsh = MinHashLSH(threshold=self._threshold, num_perm=NUM_PERM, storage_config=storage)
            lsh.keys.size()  # reach Redis now, not at the first insert
        except Exception as exc:  # redis-py raises its own ConnectionError family
            raise StoreError(
                f"cannot open the LSH index in Redis at {self._redis_url}: {exc}"
            ) from exc
        return lsh

    def add(self, key: int, signature: Signature) -> None:
        """Index a key (adding one twice is a no-op)."""
        if key not in self._lsh:
            self._lsh.insert(key, signature)

    def add_many(self, items: Iterable[tuple[int, Signature]]) -> None:
        """Index many keys at once (one round trip per batch in Redis)."""
        with self._lsh.insertion_session() as session:
            for key, signature in items:
                if key not in self._lsh:
                    session.insert(key, signature)

    def remove(self, key: int) -> None:
        """Drop a key from the index, if present."""
        if key in self._lsh:
            self._lsh.remove(key)

    def candidates(self, signature: Signature) -> list[int]:
        """Keys whose signatures may be similar above the threshold."""
        return sorted(self._lsh.query(signature))

    def clear(self) -> None:
        """Empty the index (in Redis: delete every key under its name)."""
        if self._redis_url:
            client = _redis_client(self._redis_url)
            for key in client.scan_iter(match=f"{self._name}*".encode()):
                client.delete(key)
        self._lsh = self._open()

    def __contains__(self, key: int) -> bool:
        return key in self._lsh

    def __len__(self) -> int:
        return int(self._lsh.keys.size())


def _redis_storage(url: str, name: str) -> dict:
    parsed = urlparse(url)
    return {
        "type": "redis",
        "basename": name.encode(),
        "redis": {
            "host": parsed.hostname or "127.0.0.1",
            "port": parsed.port or 6379,
            "db": int(parsed.path.lstrip("/") or 0),
        },
    }


def _redis_client(url: str) -> Any:
    import redis  # the client datasketch uses for its Redis storage

    return redis.Redis.from_url(url)
