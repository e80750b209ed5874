"""LSH indexes of signatures: in this process (CompactLSH), or in Redis for several workers
(datasketch MinHashLSH)."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from typing import Any, TypeVar
from urllib.parse import urlparse

import numpy as np
from datasketch import MinHashLSH

from monitor.dedup.signatures import NUM_PERM, Signature, from_bytes
from monitor.errors import StoreError

_KEY = np.int32  # article ids: the database's integer keys
_CHUNK = 20_000  # signatures read into a matrix at a time
T = TypeVar("T")


class CompactLSH:
    """An LSH of datasketch's bands (the same b and r for the threshold, so the same candidates)
    kept in numpy arrays.

    Each band's r values are hashed to 64 bits and kept, with their key, in that band's sorted
    array: 12 bytes for each band of each key, about 400 bytes an article at b=32, where
    datasketch's dictionaries of byte strings take about 5 KiB. Keys added later go to
    dictionaries, merged into the arrays when they grow; removed keys are left out of answers.
    Two different bands hashing alike (about 2^-64) only add a candidate, which verification
    drops.
    """

    _MERGE_AT = 200_000  # band entries added since the last merge

    def __init__(self, threshold: float, num_perm: int = NUM_PERM) -> None:
        shape = MinHashLSH(threshold=threshold, num_perm=num_perm)
        self.b, self.r = shape.b, shape.r
        mixing = np.random.default_rng(20210120).integers(1, 2**63, size=(self.r + 1, self.b))
        self._mix = mixing.astype(np.uint64) | np.uint64(1)  # odd multipliers
        self._hashes = [np.empty(0, dtype=np.uint64)] * self.b  # each band's, sorted
        self._keys = [np.empty(0, dtype=_KEY)] * self.b  # the key of each hash
        self._stored = np.empty(0, dtype=_KEY)  # the keys in the arrays, sorted
        self._added: dict[int, np.ndarray] = {}  # key: its band hashes, since the last merge
        self._recent: dict[int, set[int]] = {}  # band hash: keys, since the last merge
        self._removed: set[int] = set()  # keys in the arrays taken out
        # prefetch's answers from the arrays, by signature, until the next merge changes them
        self._fetched: dict[bytes, tuple[np.ndarray, set[int]]] = {}

    def band_hashes(self, values: np.ndarray) -> np.ndarray:
        """The b band hashes of each row of a (n, num_perm) matrix of hash values: (n, b)."""
        bands = np.asarray(values, dtype=np.uint64)[:, : self.b * self.r]
        bands = bands.reshape(len(bands), self.b, self.r)
        with np.errstate(over="ignore"):
            hashed = self._mix[self.r] * np.arange(1, self.b + 1, dtype=np.uint64)
            for column in range(self.r):
                hashed = (hashed ^ bands[:, :, column]) * self._mix[column]
                hashed ^= hashed >> np.uint64(29)
        return hashed

    def insert_matrices(self, chunks: Iterable[tuple[np.ndarray, np.ndarray]]) -> None:
        """Index many keys at once: chunks of (keys, (n, num_perm) matrix of hash values), merged
        into the arrays once. Keys already indexed are skipped."""
        hashes, keys = [], []  # (n, b) matrices of band hashes, and their keys
        for chunk_keys, values in chunks:
            chunk_keys = np.asarray(chunk_keys, dtype=np.int64)
            removed = np.fromiter(self._removed, dtype=np.int64, count=len(self._removed))
            added = np.fromiter(self._added, dtype=np.int64, count=len(self._added))
            fresh = ~np.isin(chunk_keys, self._stored) | np.isin(chunk_keys, removed)
            fresh &= ~np.isin(chunk_keys, added)
            if not fresh.any():
                continue
            hashes.append(self.band_hashes(values[fresh]))
            keys.append(chunk_keys[fresh].astype(_KEY))
        if hashes:
            self._merge(hashes, keys)

    def _merge(self, hashes: list[np.ndarray], keys: list[np.ndarray]) -> None:
        """Sort new band hashes ((n, b) matrices with their keys), and those inserted one by one,
        into the bands' arrays, a band at a time; drop the entries of removed keys."""
        if self._added:
            hashes.append(np.vstack(list(self._added.values())))
            keys.append(np.fromiter(self._added, dtype=_KEY, count=len(self._added)))
        self._added.clear()
        self._recent.clear()
        self._fetched.clear()
        removed = np.fromiter(self._removed, dtype=_KEY, count=len(self._removed))
        self._removed.clear()
        for band in range(self.b):
            old_hashes, old_keys = self._hashes[band], self._keys[band]
            if len(removed):
                kept = ~np.isin(old_keys, removed)
                old_hashes, old_keys = old_hashes[kept], old_keys[kept]
            band_hashes = np.concatenate([old_hashes, *(matrix[:, band] for matrix in hashes)])
            band_keys = np.concatenate([old_keys, *keys])
            order = np.argsort(band_hashes, kind="stable")
            self._hashes[band], self._keys[band] = band_hashes[order], band_keys[order]
        self._stored = np.unique(self._keys[0])

    def insert(self, key: int, signature: Signature) -> None:
        """Index a key (adding one twice is a no-op)."""
        if key in self:
            return
        band_hashes = self.band_hashes(np.asarray(signature.hashvalues)[None, :])[0]
        self._added[key] = band_hashes  # if it was removed, its old entries stay hidden
        for value in band_hashes.tolist():
            self._recent.setdefault(value, set()).add(key)
        if len(self._added) * self.b >= self._MERGE_AT:
            self._merge([], [])

    def remove(self, key: int) -> None:
        """Drop a key, if present."""
        band_hashes = self._added.pop(key, None)
        if band_hashes is not None:
            for value in band_hashes.tolist():
                self._recent[value].discard(key)
        elif self._is_stored(key):
            self._removed.add(key)

    def prefetch(self, values: np.ndarray) -> None:
        """Look up the signatures of a (n, num_perm) matrix in the arrays at once: a band's
        array is searched for all of them in one call, where query searches it once a
        signature (32 calls a query, 8.5 million in the copies stage at 100k). query answers
        from these until the arrays next change; each prefetch replaces the last one's."""
        self._fetched.clear()
        values = np.asarray(values, dtype=np.uint64)
        band_hashes = self.band_hashes(values)
        found: list[set[int]] = [set() for _ in range(len(values))]
        if len(self._stored):
            for band in range(self.b):
                hashes, keys, column = self._hashes[band], self._keys[band], band_hashes[:, band]
                starts = np.searchsorted(hashes, column, side="left")
                ends = np.searchsorted(hashes, column, side="right")
                for row in np.flatnonzero(ends > starts).tolist():
                    found[row].update(keys[starts[row] : ends[row]].tolist())
        for row, own in enumerate(found):
            self._fetched[values[row].tobytes()] = (band_hashes[row], own)

    def query(self, signature: Signature) -> set[int]:
        """Keys sharing a band with the signature."""
        values = np.asarray(signature.hashvalues, dtype=np.uint64)
        fetched = self._fetched.get(values.tobytes())
        if fetched is not None:
            band_hashes, stored = fetched
            found = set(stored)
        else:
            band_hashes = self.band_hashes(values[None, :])[0]
            found = set()
            if len(self._stored):
                for band, value in enumerate(band_hashes):
                    hashes = self._hashes[band]
                    start = int(np.searchsorted(hashes, value, side="left"))
                    if start < len(hashes) and hashes[start] == value:
                        end = int(np.searchsorted(hashes, value, side="right"))
                        found.update(self._keys[band][start:end].tolist())
        found -= self._removed
        if self._recent:
            for value in band_hashes.tolist():
                found |= self._recent.get(value, set())
        return found

    def _is_stored(self, key: int) -> bool:
        at = int(np.searchsorted(self._stored, key))
        return at < len(self._stored) and int(self._stored[at]) == key and key not in self._removed

    def __contains__(self, key: object) -> bool:
        return isinstance(key, int | np.integer) and (
            int(key) in self._added or self._is_stored(int(key))
        )

    def __len__(self) -> int:
        return len(self._stored) - len(self._removed) + len(self._added)  # removed: stored ones


class LSHIndex:
    """An LSH of signatures keyed by integers.

    With `redis_url`, the index lives in Redis under `name` (datasketch's MinHashLSH), shared by
    every worker that names the same Redis and survives restarts; otherwise it lives in this
    process (CompactLSH).
    """

    def __init__(self, threshold: float, name: str, redis_url: str | None = None) -> None:
        self._threshold, self._name, self._redis_url = threshold, name, redis_url
        self._lsh: Any = self._open()

    def _open(self) -> Any:
        if not self._redis_url:
            return CompactLSH(self._threshold)
        _redis_client(self._redis_url)  # says so if the Redis client is not installed
        storage = _redis_storage(self._redis_url, self._name)
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
        if isinstance(self._lsh, CompactLSH):
            self._lsh.insert_matrices(
                (
                    np.array([key for key, _ in chunk]),
                    np.array([signature.hashvalues for _, signature in chunk], dtype=np.uint64),
                )
                for chunk in _chunks(items)
            )
            return
        with self._lsh.insertion_session() as session:
            for key, signature in items:
                if key not in self._lsh:
                    session.insert(key, signature)

    def add_stored(self, rows: Iterable[tuple[int, bytes]]) -> None:
        """Index many keys from stored signatures (signatures.to_bytes), without making a
        signature object of each in this process."""
        if not isinstance(self._lsh, CompactLSH):
            self.add_many((key, from_bytes(data)) for key, data in rows)
            return
        self._lsh.insert_matrices(
            (
                np.array([key for key, _ in chunk]),
                np.frombuffer(b"".join(data for _, data in chunk), dtype="<u4").reshape(
                    len(chunk), NUM_PERM
                ),
            )
            for chunk in _chunks(rows)
        )

    def remove(self, key: int) -> None:
        """Drop a key from the index, if present."""
        if key in self._lsh:
            self._lsh.remove(key)

    def prefetch(self, signatures: np.ndarray) -> None:
        """Look many signatures (a (n, num_perm) matrix) up at once, for candidates to answer
        from memory (in this process; Redis is asked at each candidates)."""
        if isinstance(self._lsh, CompactLSH):
            self._lsh.prefetch(signatures)

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
        if isinstance(self._lsh, CompactLSH):
            return len(self._lsh)
        return int(self._lsh.keys.size())


def _chunks(items: Iterable[T]) -> Iterator[list[T]]:
    iterator = iter(items)
    while chunk := list(itertools.islice(iterator, _CHUNK)):
        yield chunk


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
    try:
        import redis  # the client datasketch uses for its Redis storage
    except ImportError as exc:
        raise StoreError(
            "a Redis URL is configured, but the Redis client is not installed:"
            " pip install 'policy-monitor[redis]'"
        ) from exc
    return redis.Redis.from_url(url)
