"""The in-process LSH proposes what datasketch's MinHashLSH proposes."""

import numpy as np
import pytest
from datasketch import MinHashLSH

from monitor.dedup.lsh import CompactLSH, LSHIndex
from monitor.dedup.signatures import NUM_PERM, as_signature, to_bytes


@pytest.mark.parametrize("threshold", [0.4, 0.1])
@pytest.mark.parametrize("merge_at", [200_000, 64])
def test_candidates_are_datasketchs(threshold, merge_at, monkeypatch):
    monkeypatch.setattr(CompactLSH, "_MERGE_AT", merge_at)  # 64: merged every few inserts
    rng = np.random.default_rng(7)
    stored = rng.integers(0, 2**32, size=(1200, NUM_PERM), dtype=np.uint64)
    probes = stored.copy()
    replaced = rng.random(probes.shape) < 0.5  # near copies of every stored row
    probes[replaced] = rng.integers(0, 2**32, size=replaced.sum(), dtype=np.uint64)
    signatures = [as_signature(values) for values in stored]
    theirs, ours = MinHashLSH(threshold=threshold, num_perm=NUM_PERM), CompactLSH(threshold)
    for key, signature in enumerate(signatures[:800]):
        theirs.insert(key, signature)
    ours.insert_matrices([(np.arange(400), stored[:400])])  # in bulk, then one by one
    for key in range(400, 800):
        ours.insert(key, signatures[key])
    for key in range(0, 800, 7):  # removed, and some added again
        theirs.remove(key)
        ours.remove(key)
    for key in range(0, 200, 7):
        theirs.insert(key, signatures[key])
        ours.insert(key, signatures[key])
    found = 0
    for values in np.vstack([probes[:1000], stored[800:900]]):
        signature = as_signature(values)
        expected = set(theirs.query(signature))
        assert ours.query(signature) == expected
        found += len(expected)
    assert found > 300  # near copies are found
    assert len(ours) == 800 - len(range(0, 800, 7)) + len(range(0, 200, 7))
    assert all(key in ours for key in range(1, 800, 7)) and 7 * 30 not in ours


def test_an_index_loaded_from_stored_signatures_finds_them():
    rng = np.random.default_rng(8)
    values = rng.integers(0, 2**32, size=(50, NUM_PERM), dtype=np.uint64)
    index = LSHIndex(0.4, "test:")
    index.add_stored((key, to_bytes(as_signature(row))) for key, row in enumerate(values))
    index.add_stored([(3, to_bytes(as_signature(values[3])))])  # already there: a no-op
    assert len(index) == 50
    assert all(index.candidates(as_signature(row)) == [key] for key, row in enumerate(values))


@pytest.mark.parametrize("merge_at", [200_000, 64])
def test_prefetched_answers_stay_datasketchs_as_keys_come_and_go(merge_at, monkeypatch):
    monkeypatch.setattr(CompactLSH, "_MERGE_AT", merge_at)  # 64: merges between the queries
    rng = np.random.default_rng(9)
    stored = rng.integers(0, 2**32, size=(600, NUM_PERM), dtype=np.uint64)
    probes = stored.copy()
    replaced = rng.random(probes.shape) < 0.5
    probes[replaced] = rng.integers(0, 2**32, size=replaced.sum(), dtype=np.uint64)
    theirs, ours = MinHashLSH(threshold=0.4, num_perm=NUM_PERM), CompactLSH(0.4)
    for key in range(300):
        theirs.insert(key, as_signature(stored[key]))
    ours.insert_matrices([(np.arange(300), stored[:300])])
    ours.prefetch(probes)
    found = 0
    for key, values in enumerate(probes):  # as the copies stage: each probe joins or removes
        signature = as_signature(values)
        expected = set(theirs.query(signature))
        assert ours.query(signature) == expected
        found += len(expected)
        if key % 5 == 0 and key < 300:
            theirs.remove(key)
            ours.remove(key)
        elif key >= 300:
            theirs.insert(key, as_signature(stored[key]))
            ours.insert(key, as_signature(stored[key]))
    assert found > 200  # near copies are found
