"""Quality gate: measure boundaries and quantity parsing on the labelled set stay above floors."""

import pytest

from monitor.evaluate import Score, quantity_key, score
from monitor.measures import extract_measures
from tests.measures.labelled import CASES, all_cases

# Floors the issue sets; the labelled set scores 1.0 on both today.
BOUNDARY_FLOOR = 0.95
QUANTITY_FLOOR = 0.95


def evaluate() -> tuple[Score, Score]:
    """Summed boundary and quantity scores over every labelled passage."""
    boundaries = quantities = Score(0, 0, 0)
    for case in all_cases():
        measures = extract_measures(case.text, case.speaker_org, case.year)
        boundaries += score([m.text for m in measures], case.measures)
        predicted = [
            quantity_key(q["raw"], q["value"], q["unit"], q["qualifier"])
            for m in measures
            for q in m.quantities
        ]
        quantities += score(predicted, [quantity_key(*q) for q in case.quantities])
    return boundaries, quantities


def test_the_set_is_large_and_varied():
    cases = all_cases()
    assert len(cases) >= 30
    assert sum(1 for c in cases if c.measures) >= 30
    assert sum(1 for c in cases if not c.measures) >= 4


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_labels_are_taken_from_their_passage(case):
    for measure in case.measures:
        assert measure in case.text
    for raw, *_ in case.quantities:
        assert any(raw in measure for measure in case.measures)


def test_measure_boundaries_meet_the_floor():
    boundaries, _ = evaluate()
    assert boundaries.precision >= BOUNDARY_FLOOR, boundaries
    assert boundaries.recall >= BOUNDARY_FLOOR, boundaries


def test_quantity_parsing_meets_the_floor():
    _, quantities = evaluate()
    assert quantities.precision >= QUANTITY_FLOOR, quantities
    assert quantities.recall >= QUANTITY_FLOOR, quantities
