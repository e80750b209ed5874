"""Deduplication costs: signatures against datasketch's own, LSH throughput and memory at scale."""

from __future__ import annotations

import random
import time
from pathlib import Path

from datasketch import MinHash

from monitor.dedup import signatures as sig
from monitor.dedup.copies import CopyIndex

_BASELINE_DOCS = 200  # datasketch's per-shingle update is slow; a sample gives its rate


def corpus(count: int, seed: int = 11) -> list[str]:
    """`count` generated article bodies (about 700 characters each)."""
    from tests.dedup.corpus import TOPICS, generated_article

    rng = random.Random(seed)
    return [generated_article(rng, TOPICS[n % len(TOPICS)]) for n in range(count)]


def signature_rates(texts: list[str]) -> dict[str, float]:
    """Documents per second: ours (batched), datasketch update_batch and per-shingle update."""
    started = time.perf_counter()
    sig.signature_matrix(texts)
    ours = len(texts) / (time.perf_counter() - started)
    sample = texts[:_BASELINE_DOCS]
    started = time.perf_counter()
    for text in sample:
        minhash = MinHash(num_perm=sig.NUM_PERM, seed=sig.SEED, scheme=sig.SCHEME)
        for shingle in sig.shingles(text):
            minhash.update(shingle.encode("utf-8"))
    per_shingle = len(sample) / (time.perf_counter() - started)
    started = time.perf_counter()
    for text in sample:
        minhash = MinHash(num_perm=sig.NUM_PERM, seed=sig.SEED, scheme=sig.SCHEME)
        minhash.update_batch([s.encode("utf-8") for s in sig.shingles(text)])
    batch = len(sample) / (time.perf_counter() - started)
    return {
        "ours_docs_per_s": round(ours, 1),
        "datasketch_update_docs_per_s": round(per_shingle, 1),
        "datasketch_update_batch_docs_per_s": round(batch, 1),
        "ratio_vs_update": round(ours / per_shingle, 1),
        "ratio_vs_update_batch": round(ours / batch, 1),
    }


def lsh_rates(texts: list[str], queries: int = 1000) -> dict[str, float]:
    """LSH insert and query throughput over `texts`, and the index's resident memory."""
    matrix = sig.signature_matrix(texts)
    signatures = [sig.as_signature(row) for row in matrix]
    before = _rss_mib()
    index = CopyIndex()
    started = time.perf_counter()
    index.add_many(enumerate(signatures))
    insert = len(texts) / (time.perf_counter() - started)
    memory = _rss_mib() - before
    started = time.perf_counter()
    for signature in signatures[:queries]:
        index.candidates(signature)
    query = min(queries, len(texts)) / (time.perf_counter() - started)
    return {
        "documents": len(texts),
        "insert_per_s": round(insert, 1),
        "query_per_s": round(query, 1),
        "index_rss_mib": round(memory, 1),
    }


def _rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def measure_dedup(sizes: tuple[int, ...]) -> dict:
    """Signature rates on the largest corpus and LSH rates at every size."""
    texts = corpus(max(sizes))
    return {
        "signatures": signature_rates(texts[: min(len(texts), 10_000)]),
        "lsh": [lsh_rates(texts[:size]) for size in sizes],
    }
