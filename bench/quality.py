"""Precision and recall of measure extraction on the labelled set in tests/measures/labelled.py."""

from __future__ import annotations

from monitor.evaluate import Score


def measure_quality() -> dict[str, dict[str, float]]:
    """Boundary and quantity precision/recall over the labelled passages."""
    from tests.measures.test_quality import evaluate

    boundaries, quantities = evaluate()
    return {"measure_boundaries": _rates(boundaries), "quantities": _rates(quantities)}


def _rates(value: Score) -> dict[str, float]:
    return {
        "precision": round(value.precision, 4),
        "recall": round(value.recall, 4),
        "matched": value.matched,
        "predicted": value.predicted,
        "expected": value.expected,
    }
