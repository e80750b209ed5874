"""Precision and recall against labelled data: measures, quantities, copies, events."""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Score:
    """Matches between predicted and expected items, and the rates they give."""

    matched: int
    predicted: int
    expected: int

    @property
    def precision(self) -> float:
        """Share of predicted items that were expected (1.0 when nothing was predicted)."""
        return self.matched / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        """Share of expected items that were predicted (1.0 when nothing was expected)."""
        return self.matched / self.expected if self.expected else 1.0

    def __add__(self, other: Score) -> Score:
        return Score(
            self.matched + other.matched,
            self.predicted + other.predicted,
            self.expected + other.expected,
        )


def score(predicted: Iterable[Hashable], expected: Iterable[Hashable]) -> Score:
    """Compare two multisets of items: exact matches count once each."""
    left, right = Counter(predicted), Counter(expected)
    return Score(sum((left & right).values()), sum(left.values()), sum(right.values()))


def quantity_key(raw: str, value: float, unit: str, qualifier: str | None) -> tuple:
    """A quantity as compared: its text, value (to 6 significant digits), unit and qualifier."""
    return (raw, float(f"{value:.6g}"), unit, qualifier)
