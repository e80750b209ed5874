"""Commitments over time: which commitment a measure is a version of, and what changed.

A measure is a version of a commitment when its text with numbers masked is the same, or close
enough, and the actor agrees. A version whose figures, periods or wording differ is CHANGED;
one that says the same again is reaffirmed.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Generic, TypeVar

import numpy as np

from monitor.measures import mask
from monitor.measures.segment import strip_marker
from monitor.measures.targets import PLAN_KEY

# Masked texts at least this similar (character-pair Jaccard) are versions of one commitment:
# a changed figure or a reworded clause keeps them above it, two different items of one list
# (支持北京科技抗疫 / 支持北京深化科技体制改革) stay far below.
SAME_COMMITMENT = 0.6
# Two texts that similar share at least this share of their two pair counts' sum.
_LEAST_SHARED = SAME_COMMITMENT / (1 + SAME_COMMITMENT)
# Masked texts less similar than this have materially different wording.
SAME_WORDING = 0.95
_COMPARED_QUANTITY_KEYS = ("raw", "value", "unit", "qualifier", "upper", "role")
# what a figure or a period says: its keys but the words it is written in ("raw")
# (not its role: 再降低10% and 降低10% set one figure)
_MEANING_KEYS = ("value", "unit", "qualifier", "upper", "kind", "start", "end")
_COMPARED_PERIOD_KEYS = ("raw", "kind", "start", "end")
K = TypeVar("K")


@dataclass(frozen=True)
class Outcome:
    """What a new version means for its commitment: new, changed or reaffirmed."""

    kind: str
    before: dict[str, Any] | None
    after: dict[str, Any]


def identity(kind: str, actor: str | None, subject: str | None) -> str | None:
    """What a version of a commitment measures or is about, when it says: a target by its
    actor and indicator, an undertaking by its actor and the policy it names."""
    if subject is None or kind not in ("target", "commitment"):
        return None
    return f"{kind}|{actor or ''}|{subject}"


TARGET_PREFIX = "target|"


def is_target(identity: str | None) -> bool:
    """Whether an identity is a quantified target's."""
    return identity is not None and identity.startswith(TARGET_PREFIX)


# One indicator worded two ways keeps its first and last characters and at most this many
# characters put in between (铁路投资 / 铁路建设投资, 地方专项债券 / 地方政府专项债券).
_MAX_INSERTED = 4
_MIN_INDICATOR = 4
# Names of at least this many characters are one indicator when they share more than this share
# of the longer one's characters in order, and their last word
_LONG_INDICATOR = 8
_LONG_KEPT = 0.8


def same_indicator(one: str, other: str) -> bool:
    """Whether two target identities name one indicator worded two ways: the shorter one's
    characters stand in the longer one in order, with the same first and last, a few words put
    in between. A word in front changes what is measured (财政赤字 / 中央财政赤字), and one
    word for another (铁路投资 / 公路投资, 城镇调查失业率 / 城镇登记失业率) is another
    indicator."""
    head_one, _, short = one.rpartition("|")
    head_other, _, long = other.rpartition("|")
    if head_one != head_other or short == long:
        return False
    if short.startswith(PLAN_KEY) != long.startswith(PLAN_KEY):
        return False  # a five-year plan's target and the year's
    short, long = short.removeprefix(PLAN_KEY), long.removeprefix(PLAN_KEY)
    if len(short) > len(long):
        short, long = long, short
    if (
        len(short) >= _LONG_INDICATOR
        and short[-2:] == long[-2:]
        and _common(short, long) > _LONG_KEPT * len(long)
    ):
        return True  # a long name keeps most of its words: 国有大型商业银行小微企业贷款 /
        # 大型商业银行普惠小微企业贷款
    if len(short) < _MIN_INDICATOR or len(long) - len(short) > _MAX_INSERTED:
        return False
    if short[0] != long[0] or short[-1] != long[-1]:
        return False
    rest = iter(long)
    return all(char in rest for char in short)


def likeness(one: str, other: str) -> float:
    """How alike two identities' indicators are: the share of the longer one's characters the
    two hold in order."""
    one, other = one.rpartition("|")[2], other.rpartition("|")[2]
    return _common(one, other) / max(len(one), len(other), 1)


def _common(one: str, other: str) -> int:
    """The length of the longest sequence of characters both hold in order."""
    previous = [0] * (len(other) + 1)
    for char in one:
        current = [0]
        for index, theirs in enumerate(other):
            current.append(
                previous[index] + 1 if char == theirs else max(previous[index + 1], current[index])
            )
        previous = current
    return previous[-1]


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


def compare(previous: dict[str, Any], current: dict[str, Any], target: bool = False) -> Outcome:
    """Compare a commitment's fields with a new version's: changed fields before and after.

    A target is its figure: its value, unit, qualifier and range, and its deadline; the
    words around the figure and the year it is set for (今年) may change, it is the same target.
    Where both versions give the target's value, an increment beside it (比去年增加2000亿元)
    follows from last year's figure and is no change of its own.
    """
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for key in ("quantities", "periods"):
        old, new = previous.get(key, []), current.get(key, [])
        if target and key == "periods":
            old, new = _deadlines(old), _deadlines(new)
        elif target and _values(old) and _values(new):
            old, new = _values(old), _values(new)
        for index in range(max(len(old), len(new))):
            a = old[index] if index < len(old) else None
            b = new[index] if index < len(new) else None
            if _meaning(a) != _meaning(b) if target else a != b:
                before[f"{key}[{index}]"], after[f"{key}[{index}]"] = a, b
    if previous.get("actor") != current.get("actor") and current.get("actor"):
        before["actor"], after["actor"] = previous.get("actor"), current.get("actor")
    wording = similarity(previous.get("text", ""), current.get("text", ""))
    if not target and wording < SAME_WORDING:
        before["text"], after["text"] = previous.get("text"), current.get("text")
    if not after:
        return Outcome("reaffirmed", None, current)
    if target and not any(key.startswith("quantities") for key in after):
        # the same figure for another plan or deadline: the figure says which target it is
        old, new = previous.get("quantities") or [None], current.get("quantities") or [None]
        before["quantities[0]"], after["quantities[0]"] = old[0], new[0]
    return Outcome("CHANGED", before, after)


def _values(quantities: list[dict]) -> list[dict]:
    return [q for q in quantities if q.get("role") == "value"]


def _deadlines(periods: list[dict]) -> list[dict]:
    return [p for p in periods if p.get("kind") in ("deadline", "plan")]


def _meaning(value: dict | None) -> tuple | None:
    """What a figure or period says, whatever its wording (6.5%左右 and 6.5％左右)."""
    if value is None:
        return None
    return tuple(value.get(k) for k in _MEANING_KEYS)


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
