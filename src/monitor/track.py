"""Commitments over time: which commitment a measure is a version of, and what changed.

A measure is a version of a commitment when its text with numbers masked is the same, or close
enough, and the actor agrees. A version whose figures, periods or wording differ is CHANGED;
one that says the same again is reaffirmed.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from monitor.measures import mask
from monitor.measures.segment import strip_marker

# Masked texts at least this similar (character-pair Jaccard) are versions of one commitment:
# a changed figure or a reworded clause keeps them above it, two different items of one list
# (支持北京科技抗疫 / 支持北京深化科技体制改革) stay far below.
SAME_COMMITMENT = 0.6
# Masked texts less similar than this have materially different wording.
SAME_WORDING = 0.95
_COMPARED_QUANTITY_KEYS = ("raw", "value", "unit", "qualifier")
_COMPARED_PERIOD_KEYS = ("raw", "kind", "start", "end")


@dataclass(frozen=True)
class Outcome:
    """What a new version means for its commitment: new, changed or reaffirmed."""

    kind: str
    before: dict[str, Any] | None
    after: dict[str, Any]


def commitment_fields(text: str, actor: str | None, quantities: list, periods: list) -> dict:
    """The fields of a commitment version that a change is reported on."""
    return {
        "text": text,
        "actor": actor,
        "quantities": [{k: q.get(k) for k in _COMPARED_QUANTITY_KEYS} for q in quantities],
        "periods": [{k: p.get(k) for k in _COMPARED_PERIOD_KEYS} for p in periods],
    }


def similarity(a: str, b: str) -> float:
    """Jaccard similarity of the character pairs of two texts with numbers masked."""
    pairs_a, pairs_b = _text_pairs(a), _text_pairs(b)
    if not pairs_a or not pairs_b:
        return 0.0
    return len(pairs_a & pairs_b) / len(pairs_a | pairs_b)


def best_match(text: str, candidates: list[tuple[int, str]]) -> int | None:
    """The id of the candidate commitment `text` is a version of, if any."""
    scored = [(similarity(text, other), cid) for cid, other in candidates]
    best = max(scored, default=(0.0, None))
    return best[1] if best[0] >= SAME_COMMITMENT else None


def compare(previous: dict[str, Any], current: dict[str, Any]) -> Outcome:
    """Compare a commitment's fields with a new version's: changed fields before and after."""
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for key in ("quantities", "periods"):
        old, new = previous.get(key, []), current.get(key, [])
        for index in range(max(len(old), len(new))):
            a = old[index] if index < len(old) else None
            b = new[index] if index < len(new) else None
            if a != b:
                before[f"{key}[{index}]"], after[f"{key}[{index}]"] = a, b
    if previous.get("actor") != current.get("actor") and current.get("actor"):
        before["actor"], after["actor"] = previous.get("actor"), current.get("actor")
    if similarity(previous.get("text", ""), current.get("text", "")) < SAME_WORDING:
        before["text"], after["text"] = previous.get("text"), current.get("text")
    if not after:
        return Outcome("reaffirmed", None, current)
    return Outcome("CHANGED", before, after)


# A commitment's text is compared with every new measure of its actor: its pairs are kept.
@lru_cache(maxsize=65_536)
def _text_pairs(text: str) -> frozenset[str]:
    masked = mask(strip_marker(text))
    return frozenset(masked[i : i + 2] for i in range(len(masked) - 1))
