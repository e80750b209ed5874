"""Commitments over time: which commitment a measure is a version of, and what changed.

A measure is a version of a commitment when its text with numbers masked is the same, or close
enough, and the actor agrees. A version whose figures, periods or wording differ is CHANGED;
one that says the same again is reaffirmed.
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Generic, TypeVar

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
K = TypeVar("K")


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
    common = len(pairs_a & pairs_b)
    return common / (len(pairs_a) + len(pairs_b) - common)


def best_match(text: str, candidates: list[tuple[K, str]]) -> K | None:
    """The key of the candidate commitment `text` is a version of, if any: the most similar, the
    first of equals (candidates come most recent first)."""
    index: Candidates[K] = Candidates()
    for position, (key, other) in enumerate(candidates):
        index.add(key, other, rank=len(candidates) - position)
    return index.best_match(text)


class Candidates(Generic[K]):
    """Commitment texts a new version may be a reworded or re-figured copy of, with an inverted
    index of their character pairs.

    A text SAME_COMMITMENT-similar to one of `size` pairs shares at least
    `ceil(SAME_COMMITMENT * size)` of them, so it has one of any `size - that + 1` of them: a
    lookup reads the texts filed under that many of its rarest pairs, and compares only those.

    Each text has a rank (higher is more recent); only the `limit` most recent are kept.
    """

    def __init__(self, limit: int | None = None) -> None:
        self.limit = limit
        self._rank_of: dict[K, int] = {}
        self._by_rank: dict[int, tuple[K, frozenset[str]]] = {}  # the key and its text's pairs
        self._postings: dict[str, set[int]] = {}  # pair: ranks of the texts that have it
        self._ranks: list[int] = []  # ascending

    def add(self, key: K, text: str, rank: int) -> None:
        """Add a text, or replace the one the key had; beyond the limit, the least recent goes.
        Ranks are unique."""
        self.discard(key)
        pairs = _text_pairs(text)
        self._rank_of[key] = rank
        self._by_rank[rank] = (key, pairs)
        postings = self._postings
        for pair in pairs:
            # not setdefault(pair, set()): that makes a set for every pair, filed or not (a
            # quarter of tracking's index work)
            filed = postings.get(pair)
            if filed is None:
                postings[pair] = {rank}
            else:
                filed.add(rank)
        bisect.insort(self._ranks, rank)
        if self.limit is not None and len(self._ranks) > self.limit:
            self.discard(self._by_rank[self._ranks[0]][0])

    def discard(self, key: K) -> None:
        rank = self._rank_of.pop(key, None)
        if rank is None:
            return
        _, pairs = self._by_rank.pop(rank)
        postings = self._postings
        for pair in pairs:
            filed = postings[pair]
            if len(filed) == 1:
                del postings[pair]
            else:
                filed.discard(rank)
        del self._ranks[bisect.bisect_left(self._ranks, rank)]

    def __len__(self) -> int:
        return len(self._rank_of)

    def best_match(self, text: str) -> K | None:
        """The most similar text's key, if it is at least SAME_COMMITMENT similar; the most
        recent of equals."""
        pairs = _text_pairs(text)
        size = len(pairs)
        if not size:
            return None
        # one more pair than the bound needs: it is rounded
        probes = size - math.ceil(size * SAME_COMMITMENT) + 2
        filed = self._postings
        postings = [filed[pair] for pair in pairs if pair in filed]
        # the pairs filed under no text are the rarest: when they are enough probes, no text
        # shares enough pairs (most new commitments end here)
        probes -= size - len(postings)
        if probes <= 0:
            return None
        postings.sort(key=len)
        best, best_score, best_rank = None, SAME_COMMITMENT, 0
        for rank in set().union(*postings[:probes]):
            key, other = self._by_rank[rank]
            common = len(pairs & other)
            score = common / (size + len(other) - common)
            if score > best_score or (score == best_score and rank > best_rank):
                best, best_score, best_rank = key, score, rank
        return best


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
