"""Signatures (datasketch-compatible, batched) and copy detection with real datasketch LSH."""

import os
import uuid

import numpy as np
import pytest
from datasketch import LeanMinHash, MinHash, MinHashLSH

from monitor.dedup import signatures as sig
from monitor.dedup.copies import COPY_JACCARD, CopyIndex, find_copy, least_jaccard, screen
from monitor.errors import StoreError
from tests.conftest import GLOBAL_SEED, PEOPLE_SEED

BODY_A = GLOBAL_SEED.read_text(encoding="utf-8")[400:2400]
BODY_B = PEOPLE_SEED.read_text(encoding="utf-8")[-2400:-400]
REDIS_URL = os.environ.get("MONITOR_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def test_normalise_folds_width_case_whitespace_and_traditional_characters():
    assert sig.normalise("國務院 新聞辦公室，ＡＢＣ\u3000１２３") == "国务院新闻办公室,abc123"


def test_signatures_are_datasketch_affine32_values_of_our_shingle_hash():
    codes = sig.shingle_codes(BODY_A)
    reference = MinHash(
        num_perm=sig.NUM_PERM, seed=sig.SEED, scheme=sig.SCHEME, hashfunc=lambda value: value
    )
    reference.update_batch([int(h) for h in sig._hash32(codes)])
    assert np.array_equal(sig.signature(BODY_A).hashvalues, reference.hashvalues)


def test_batched_signatures_equal_one_by_one():
    texts = [BODY_A, BODY_B, "短文", BODY_A + BODY_B]
    matrix = sig.signature_matrix(texts)
    for text, row in zip(texts, matrix, strict=True):
        assert np.array_equal(row, sig.signature(text).hashvalues)


def test_shingling_once_gives_the_same_signatures():
    texts = [BODY_A, BODY_B, "短文", ""]
    codes, matrix = sig.shingles_and_signatures(texts)
    assert np.array_equal(matrix, sig.signature_matrix(texts))
    for text, own in zip(texts, codes, strict=True):
        assert np.array_equal(own, sig.shingle_codes(text))


def test_shared_codes_are_counted_as_a_set_intersection_would():
    generator = np.random.default_rng(7)
    for size_a, size_b in ((0, 5), (1, 1), (50, 3000), (3000, 50), (2000, 2000)):
        a = np.unique(generator.integers(0, 5000, size_a, dtype=np.uint64))
        b = np.unique(generator.integers(0, 5000, size_b, dtype=np.uint64))
        assert sig.common_count(a, b) == len(np.intersect1d(a, b)) == sig.common_count(b, a)


def test_signatures_load_as_lean_minhash_and_index_in_datasketch_lsh():
    stored = sig.from_bytes(sig.to_bytes(sig.signature(BODY_A)))
    assert isinstance(stored, LeanMinHash)
    lsh = MinHashLSH(threshold=0.5, num_perm=sig.NUM_PERM)
    lsh.insert("a", stored)
    assert lsh.query(sig.signature(BODY_A + "。另据报道。")) == ["a"]


def test_estimate_tracks_the_exact_jaccard():
    edited = BODY_A.replace("支持", "扶持")
    exact = sig.jaccard(sig.shingle_codes(BODY_A), sig.shingle_codes(edited))
    assert abs(sig.signature(BODY_A).jaccard(sig.signature(edited)) - exact) < 0.15


def _index(*bodies: str) -> CopyIndex:
    index = CopyIndex()
    for number, body in enumerate(bodies, 1):
        index.add(number, sig.signature(body))
    return index


def test_recapture_with_new_boilerplate_is_a_copy():
    recapture = "首页 > 新闻 > 正文\n" + BODY_A + "\n相关阅读\n分享到微信"
    index = _index(BODY_A, BODY_B)
    codes = {1: sig.shingle_codes(BODY_A), 2: sig.shingle_codes(BODY_B)}
    match = find_copy(
        sig.shingle_codes(recapture), index.candidates(sig.signature(recapture)), codes.__getitem__
    )
    assert match is not None
    assert match.canonical_id == 1
    assert match.similarity >= COPY_JACCARD


def test_two_write_ups_of_one_event_are_not_copies():
    assert sig.jaccard(sig.shingle_codes(BODY_A), sig.shingle_codes(BODY_B)) < 0.1
    index = _index(BODY_A)
    assert (
        find_copy(
            sig.shingle_codes(BODY_B),
            index.candidates(sig.signature(BODY_B)),
            {1: sig.shingle_codes(BODY_A)}.__getitem__,
        )
        is None
    )


def test_short_copy_inside_a_longer_page_is_found_by_containment():
    page = sig.shingle_codes(
        GLOBAL_SEED.read_text(encoding="utf-8") + PEOPLE_SEED.read_text("utf-8")
    )
    match = find_copy(sig.shingle_codes(BODY_A), [1], {1: page}.__getitem__)
    assert match is not None and match.method == "containment"


def test_the_least_jaccard_of_a_copy_allows_for_containment():
    assert least_jaccard(1000, 1000) == COPY_JACCARD
    # a fifth of a page inside it: 0.8 of the short one's shingles shared, Jaccard 0.15
    assert least_jaccard(200, 1000) == least_jaccard(1000, 200) == pytest.approx(160 / 1040)
    assert least_jaccard(0, 50) == 0.0


def test_signatures_screen_out_what_cannot_be_a_copy_and_keep_what_can():
    page_text = GLOBAL_SEED.read_text(encoding="utf-8") + PEOPLE_SEED.read_text("utf-8")
    texts = {1: BODY_A + "相关阅读", 2: BODY_B, 3: page_text, 4: BODY_B}
    codes = {key: sig.shingle_codes(text) for key, text in texts.items()}
    values = {key: sig.signature(text).hashvalues for key, text in texts.items()}
    counts = {1: len(codes[1]), 2: len(codes[2]), 3: len(codes[3]), 4: None}
    own = sig.shingle_codes(BODY_A)
    kept = screen(sig.signature(BODY_A).hashvalues, len(own), [1, 2, 3, 4], values.get, counts.get)
    # the copy, and the page it lies inside, stay; the other write-up goes unless its count is
    # unknown (stored before counts were kept)
    assert kept == [1, 3, 4]
    assert screen(values[1], len(own), [], values.get, counts.get) == []


@pytest.fixture
def redis_url():
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as exc:
        message = f"Redis tests need a server at {REDIS_URL} ({exc}); set MONITOR_TEST_REDIS_URL"
        if os.environ.get("MONITOR_REQUIRE_POSTGRES"):
            pytest.fail(message)
        pytest.skip(message)
    return REDIS_URL


def test_redis_index_is_shared_and_survives_a_new_process_object(redis_url):
    name = f"test:{uuid.uuid4().hex}:"
    from monitor.dedup.lsh import LSHIndex

    first = LSHIndex(0.4, name, redis_url)
    first.add_many([(1, sig.signature(BODY_A)), (2, sig.signature(BODY_B))])
    second = LSHIndex(0.4, name, redis_url)  # another worker, or after a restart
    assert len(second) == 2
    assert second.candidates(sig.signature(BODY_A)) == [1]
    second.remove(1)
    assert first.candidates(sig.signature(BODY_A)) == []
    second.clear()
    assert len(LSHIndex(0.4, name, redis_url)) == 0


def test_unreachable_redis_is_a_store_error():
    from monitor.dedup.lsh import LSHIndex

    with pytest.raises(StoreError, match="cannot open the LSH index"):
        LSHIndex(0.4, "x:", "redis://127.0.0.1:1/0")
