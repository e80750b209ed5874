"""MinHash signatures and copy detection with real datasketch LSH."""

from monitor.dedup.copies import COPY_JACCARD, CopyIndex, find_copy
from monitor.dedup.signatures import from_bytes, jaccard, normalise, shingles, signature, to_bytes
from tests.conftest import GLOBAL_SEED, PEOPLE_SEED

BODY_A = GLOBAL_SEED.read_text(encoding="utf-8")[400:2400]
BODY_B = PEOPLE_SEED.read_text(encoding="utf-8")[-2400:-400]


def test_normalise_folds_width_and_whitespace():
    assert normalise("科技部，１２３ ABC\u3000") == normalise("科技部,123abc")


def test_signature_survives_storage():
    sig = signature(BODY_A)
    assert from_bytes(to_bytes(sig)).jaccard(sig) == 1.0


def _index(*bodies: str) -> CopyIndex:
    index = CopyIndex()
    for number, body in enumerate(bodies, 1):
        index.add(number, signature(body))
    return index


def test_recapture_with_new_boilerplate_is_a_copy():
    recapture = "首页 > 新闻 > 正文\n" + BODY_A + "\n相关阅读\n分享到微信"
    index = _index(BODY_A, BODY_B)
    match = find_copy(
        shingles(recapture),
        index.candidates(signature(recapture)),
        {1: shingles(BODY_A), 2: shingles(BODY_B)}.__getitem__,
    )
    assert match is not None
    assert match.canonical_id == 1
    assert match.similarity >= COPY_JACCARD


def test_two_write_ups_of_one_event_are_not_copies():
    assert jaccard(shingles(BODY_A), shingles(BODY_B)) < 0.1
    index = _index(BODY_A)
    assert (
        find_copy(
            shingles(BODY_B), index.candidates(signature(BODY_B)), {1: shingles(BODY_A)}.__getitem__
        )
        is None
    )


def test_short_copy_inside_a_longer_page_is_found_by_containment():
    page = BODY_B + BODY_A
    index = _index(page)
    match = find_copy(
        shingles(BODY_A), index.candidates(signature(BODY_A)), {1: shingles(page)}.__getitem__
    )
    # LSH may or may not propose a page twice as long; when it does, containment decides
    if match is not None:
        assert match.method == "containment"
    direct = find_copy(shingles(BODY_A), [1], {1: shingles(page)}.__getitem__)
    assert direct is not None and direct.method == "containment"
