"""Text similarity of commitments: which commitment's text a new version's is a copy of.

Texts are compared with their numbers and list marker masked, as sets of character pairs: a
changed figure or a reworded clause keeps a version close to its commitment. `Candidates` holds
the texts a version is matched against, with a sketch that rules most of them out at once.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Generic, TypeVar

import numpy as np

from monitor.measures import mask
from monitor.measures.segment import strip_marker

# Masked texts at least this similar (character-pair Jaccard) are versions of one commitment:
# a changed figure or a reworded clause keeps them above it, two different items of one list
# (支持北京科技抗疫 / 支持北京深化科技体制改革) stay far below.
SAME_COMMITMENT = 0.6
# Two texts that similar share at least this share of their two pair counts' sum.
_LEAST_SHARED = SAME_COMMITMENT / (1 + SAME_COMMITMENT)
K = TypeVar("K")


def similarity(a: str, b: str) -> float:
    """Jaccard similarity of the character pairs of two texts with numbers masked."""
    pairs_a, pairs_b = _text_pairs(a), _text_pairs(b)
    if not pairs_a or not pairs_b:
        return 0.0
    common = len(pairs_a & pairs_b)
    return common / (len(pairs_a) + len(pairs_b) - common)


class Candidates(Generic[K]):
    """Commitment texts a new version may be a reworded or re-figured copy of, each with a sketch
    of its character pairs, which rules out at once, for all texts, those that cannot be
    SAME_COMMITMENT similar; only the rest are compared pair by pair.

    A text's sketch is a bitmap of _SKETCH_BITS bits, one bucket for each pair (by its hash).
    Two texts share no more pairs than they share buckets, plus the pairs that landed in a
    bucket already taken in the one of them with fewer such pairs. They are SAME_COMMITMENT
    similar (a Jaccard of s) only if they share at least s / (1 + s) of their two sizes' sum
    (3/8 for 0.6), so a text whose bound is below that is not compared.

    Each text has a rank (higher is more recent); only the `limit` most recent are kept.
    """

    def __init__(self, limit: int | None = None) -> None:
        self.limit = limit
        self._slot_of: dict[K, int] = {}
        self._entries: list[tuple[K, frozenset[str]] | None] = []  # a slot's key and pairs
        self._free: list[int] = []
        capacity = min(limit, 16) if limit else 16
        self._bits = np.zeros((capacity, _SKETCH_WORDS), np.uint64)
        self._sizes = np.zeros(capacity, np.int64)  # a free slot's 0 rules it out
        self._extra = np.zeros(capacity, np.int64)
        self._ranks = np.full(capacity, _NO_RANK, np.int64)
        self._ones = np.ones(_SKETCH_WORDS, np.uint16)  # a row's counts add up to 1,024 at most

    def add(self, key: K, text: str, rank: int) -> None:
        """Add a text, or replace the one the key had; beyond the limit, the least recent goes.
        Ranks are unique."""
        self.discard(key)
        if self.limit is not None and len(self._slot_of) >= self.limit:
            oldest = int(np.argmin(self._ranks[: len(self._entries)]))
            if rank < self._ranks[oldest]:
                return  # it is the least recent itself
            entry = self._entries[oldest]
            assert entry is not None
            self.discard(entry[0])
        pairs, bits, extra = _sketch(text)
        slot = self._free.pop() if self._free else self._slot()
        self._slot_of[key] = slot
        self._entries[slot] = (key, pairs)
        self._bits[slot] = bits
        self._sizes[slot], self._extra[slot], self._ranks[slot] = len(pairs), extra, rank

    def _slot(self) -> int:
        """A new slot at the end, the arrays doubled when they are full."""
        slot = len(self._entries)
        self._entries.append(None)
        if slot == len(self._sizes):
            rows = 2 * slot if self.limit is None else min(2 * slot, self.limit)
            self._bits = _grown(self._bits, rows, 0)
            self._sizes = _grown(self._sizes, rows, 0)
            self._extra = _grown(self._extra, rows, 0)
            self._ranks = _grown(self._ranks, rows, _NO_RANK)
        return slot

    def discard(self, key: K) -> None:
        slot = self._slot_of.pop(key, None)
        if slot is None:
            return
        self._entries[slot] = None
        self._bits[slot] = 0
        self._sizes[slot], self._extra[slot], self._ranks[slot] = 0, 0, _NO_RANK
        self._free.append(slot)

    def __len__(self) -> int:
        return len(self._slot_of)

    def best_match(self, text: str) -> K | None:
        """The most similar text's key, if it is at least SAME_COMMITMENT similar; the most
        recent of equals."""
        if not self._slot_of:
            return None
        pairs, bits, extra = _sketch(text)
        size = len(pairs)
        if not size:
            return None
        used = len(self._entries)
        # each row's 16 counts summed by a product (a third faster than sum(axis=1))
        shared = np.bitwise_count(self._bits[:used] & bits).dot(self._ones)
        bound = shared + np.minimum(self._extra[:used], extra)
        # similar enough only if common >= SAME_COMMITMENT / (1 + SAME_COMMITMENT) of the two
        # sizes' sum (3/8 of it): see the class; a hair lower, so rounding rules out nothing
        possible = np.flatnonzero(bound >= _LEAST_SHARED * (size + self._sizes[:used]) - 1e-9)
        best, best_score, best_rank = None, SAME_COMMITMENT, 0
        for slot, rank in zip(possible.tolist(), self._ranks[possible].tolist(), strict=True):
            entry = self._entries[slot]
            assert entry is not None
            key, other = entry
            common = len(pairs & other)
            score = common / (size + len(other) - common)
            if score > best_score or (score == best_score and rank > best_rank):
                best, best_score, best_rank = key, score, rank
        return best


def _grown(array: np.ndarray, rows: int, fill: int) -> np.ndarray:
    """The array with `rows` rows: its own first, the new ones filled with `fill`."""
    grown = np.full((rows, *array.shape[1:]), fill, array.dtype)
    grown[: len(array)] = array
    return grown


# A commitment's text is compared with every new measure of its actor: its pairs are kept.
@lru_cache(maxsize=65_536)
def _text_pairs(text: str) -> frozenset[str]:
    masked = mask(strip_marker(text))
    return frozenset(masked[i : i + 2] for i in range(len(masked) - 1))


# Bits of a text's pair sketch (Candidates): with 60 pairs, a typical measure, about 2 land in
# a bucket already taken; 1,024 bits keep a sketch at 128 bytes.
_SKETCH_BITS = 1024
_SKETCH_WORDS = _SKETCH_BITS // 64
_NO_RANK = np.iinfo(np.int64).max  # a free slot's, never the least recent


@lru_cache(maxsize=65_536)
def _sketch(text: str) -> tuple[frozenset[str], np.ndarray, int]:
    """A text's pairs, their bitmap, and how many of them share a bucket with another."""
    pairs = _text_pairs(text)
    buckets = np.fromiter((hash(pair) for pair in pairs), np.int64, len(pairs))
    buckets &= _SKETCH_BITS - 1
    taken = np.zeros(_SKETCH_BITS, np.bool_)
    taken[buckets] = True
    extra = len(pairs) - int(np.count_nonzero(taken))
    return pairs, np.packbits(taken, bitorder="little").view(np.uint64), extra
