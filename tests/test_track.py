"""Deciding NEW, CHANGED and reaffirmed from commitment fields."""

import random

import pytest

from monitor.outcomes import Outcome
from monitor.track import (
    SAME_COMMITMENT,
    Candidates,
    commitment_fields,
    compare,
    decide,
    similar,
    similarity,
)

TEXT = "第一,支持北京打造战略科技力量。科技部支持北京近600个项目,财政资金达170多亿元。"
QUANTITY = {
    "raw": "170多亿元",
    "value": 1.7e10,
    "unit": "元",
    "qualifier": "over",
    "upper": None,
    "role": None,
}


def _fields(text=TEXT, quantities=(QUANTITY,), periods=()):
    return commitment_fields(text, "科技部", list(quantities), list(periods))


def test_a_version_with_no_commitment_before_it_is_new():
    outcome = decide(None, _fields(), target=False)
    assert (outcome.kind, outcome.before, outcome.after) == (Outcome.NEW, None, _fields())


def test_same_fields_are_reaffirmed():
    assert compare(_fields(), _fields()).kind == Outcome.REAFFIRMED


def test_changed_figure_reports_only_that_field():
    new_quantity = QUANTITY | {"raw": "190多亿元", "value": 1.9e10}
    outcome = compare(_fields(), _fields(TEXT.replace("170", "190"), [new_quantity]))
    assert outcome.kind == Outcome.CHANGED
    assert outcome.before == {"quantities[0]": QUANTITY}
    assert outcome.after == {"quantities[0]": new_quantity}


def test_materially_different_wording_is_a_change_of_text():
    reworded = TEXT.replace("打造战略科技力量", "建设具有全球影响力的科技创新高地")
    outcome = compare(_fields(), _fields(reworded))
    assert outcome.kind == Outcome.CHANGED
    assert set(outcome.after) == {"text"}


def test_a_different_item_does_not_match():
    candidates: Candidates[int] = Candidates()
    candidates.add(1, TEXT, rank=2)
    candidates.add(2, "第三,支持北京科技抗疫。我们建立了部市合作机制。", rank=1)
    assert candidates.best_match(TEXT.replace("170", "190")) == 1
    assert candidates.best_match("第四,支持北京建设国际人才引进的平台。") is None


def _brute_force(text, entries):
    """The most similar of the entries (key: text, rank), the most recent of equals: what the
    index must find."""
    scored = [(similarity(text, other), rank, key) for key, (other, rank) in entries.items()]
    best = max(scored, default=(0.0, 0, None))
    return best[2] if best[0] >= SAME_COMMITMENT else None


@pytest.fixture(params=[1024, 64], ids=["sketch of 1024 bits", "crowded sketch of 64 bits"])
def sketch_bits(request, monkeypatch):
    """The sketch as it is, and one so small that most pairs share a bucket: the bound on
    shared pairs must still never rule out a similar text."""
    monkeypatch.setattr(similar, "_SKETCH_BITS", request.param)
    monkeypatch.setattr(similar, "_SKETCH_WORDS", request.param // 64)
    similar._sketch.cache_clear()
    yield request.param
    similar._sketch.cache_clear()


def test_the_index_finds_what_comparing_with_every_text_finds(sketch_bits):
    generator = random.Random(7)
    words = [
        "支持",
        "北京",
        "科技",
        "建设",
        "项目",
        "资金",
        "创新",
        "人才",
        "平台",
        "改革",
        "到2025年",
    ]
    index, entries = Candidates(limit=120), {}

    def add(key, text, rank):
        index.add(key, text, rank)
        entries[key] = (text, rank)
        if len(entries) > 120:  # the least recent goes
            del entries[min(entries, key=lambda k: entries[k][1])]

    texts = ["".join(generator.choices(words, k=generator.randint(3, 12))) for _ in range(300)]
    for rank, text in enumerate(texts, start=1):
        add(rank, text, rank)
    for key in generator.sample(sorted(entries), 40):  # texts replaced, and dropped
        add(key, "".join(generator.choices(words, k=6)), entries[key][1])
    for key in generator.sample(sorted(entries), 20):
        index.discard(key)
        del entries[key]
    assert len(index) == len(entries) == 100
    queries = texts + ["".join(generator.choices(words, k=5)) for _ in range(150)]
    found = [index.best_match(text) for text in queries]
    assert found == [_brute_force(text, entries) for text in queries]
    assert sum(key is not None for key in found) > 50  # the comparison is not vacuous


def test_only_the_most_recent_texts_are_kept():
    index = Candidates(limit=2)
    index.add("old", TEXT, rank=1)
    index.add("newer", "第三,支持北京科技抗疫。", rank=2)
    assert index.best_match(TEXT) == "old"
    index.add("newest", "第四,支持北京建设国际人才引进的平台。", rank=3)
    assert index.best_match(TEXT) is None
    assert len(index) == 2


def test_of_equally_similar_texts_the_most_recent_is_matched():
    index = Candidates()
    index.add("first", TEXT, rank=1)
    index.add("second", TEXT, rank=5)
    index.add("third", TEXT, rank=3)
    assert index.best_match(TEXT.replace("170", "190")) == "second"


def test_a_replaced_text_is_found_under_its_key_and_the_old_one_is_not():
    index = Candidates(limit=2)
    index.add("a", TEXT, rank=1)
    index.add("a", "第三,支持北京科技抗疫。", rank=1)
    assert index.best_match(TEXT) is None and len(index) == 1
    assert index.best_match("第三,支持北京科技抗疫。") == "a"
