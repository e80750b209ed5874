"""Quality gates for deduplication on the labelled corpus (tests/dedup/corpus.py)."""

from tests.dedup.evaluation import evaluate_copies, evaluate_events

# The floor for scattered-edit copies is 0.95 with no false copy; the others are set at
# what the corpus gives today (1.0) less a margin for the randomness of future corpus changes.
COPY_RECALL_FLOOR = 0.95
EVENT_PRECISION_FLOOR = 0.95
EVENT_RECALL_FLOOR = 0.9


def test_the_corpus_is_large_enough():
    scores = evaluate_copies()
    assert scores["scattered"].expected >= 60
    assert scores["same-topic"].expected == 0 and scores["same-topic"].predicted == 0
    assert evaluate_events().expected >= 40


def test_no_false_copy():
    scores = evaluate_copies()
    assert scores["all"].predicted == scores["all"].matched, scores
    assert scores["originals"].predicted == 0


def test_scattered_edit_copies_are_found():
    assert evaluate_copies()["scattered"].recall >= COPY_RECALL_FLOOR


def test_block_edited_and_syndicated_copies_are_found():
    scores = evaluate_copies()
    assert scores["block"].recall >= COPY_RECALL_FLOOR
    assert scores["syndicated"].recall >= COPY_RECALL_FLOOR


def test_event_grouping_meets_its_floors():
    score = evaluate_events()
    assert score.precision >= EVENT_PRECISION_FLOOR, score
    assert score.recall >= EVENT_RECALL_FLOOR, score
