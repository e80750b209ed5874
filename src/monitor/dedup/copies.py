"""Near-identical copies: LSH proposes candidates, exact shingle overlap decides."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from monitor.dedup.lsh import LSHIndex
from monitor.dedup.signatures import common_count

# LSH proposes candidates at a low estimated Jaccard so that copies with scattered edits are
# not missed; the exact check below removes the false candidates this admits.
LSH_THRESHOLD = 0.4
# A copy shares at least this share of shingles with the original. On the labelled set
# (tests/dedup/corpus.py) planted copies start at 0.65 (5% of characters scattered: 0.67 and up;
# a paragraph dropped and a lead added: 0.65 and up) and distinct articles, on one topic or not,
# reach 0.35 at most; 0.5 lies between with a margin on both sides. The two seed write-ups of one
# press conference share 0.03.
COPY_JACCARD = 0.5
# Or a short copy lies mostly inside a longer page (a wire story inside a portal page): distinct
# articles of the labelled set reach a containment of 0.60 at most.
COPY_CONTAINMENT = 0.8
# Before a candidate's body is read and its overlap counted, the signatures screen it: the share
# of their values that agree estimates the Jaccard with a standard deviation of at most 0.044
# (128 values), and a candidate estimated this far below the least Jaccard a copy can have is
# dropped. 0.2 is four and a half deviations (a true copy at Jaccard 0.5 is dropped about twice
# in a million times, where LSH itself misses it one time in eight). On the generated corpus at
# 100k, unrelated candidates estimate 0.16 at most and copies 1.0.
SCREEN_MARGIN = 0.2


@dataclass(frozen=True)
class CopyMatch:
    """The article a text is a copy of, and how similar they are."""

    canonical_id: int
    similarity: float
    method: str


class CopyIndex(LSHIndex):
    """The LSH index of canonical articles' signatures.

    Args:
        namespace: names the database the index belongs to, so that databases sharing a Redis
            keep apart.
    """

    def __init__(self, redis_url: str | None = None, namespace: str = "default") -> None:
        super().__init__(LSH_THRESHOLD, f"monitor:copies:{namespace}:", redis_url)


def least_jaccard(own_count: int, other_count: int) -> float:
    """The least Jaccard two texts of these shingle counts have when one is a copy of the other:
    COPY_JACCARD, or lower when the shorter can lie inside the longer (a containment of
    COPY_CONTAINMENT means sharing at least that share of the shorter's shingles)."""
    short, long = sorted((own_count, other_count))
    if not short:
        return 0.0
    contained = COPY_CONTAINMENT * short / (long + (1 - COPY_CONTAINMENT) * short)
    return min(COPY_JACCARD, contained)


def screen(
    own_values: np.ndarray,
    own_count: int,
    candidates: list[int],
    values_of: Callable[[int], np.ndarray],
    count_of: Callable[[int], int | None],
) -> list[int]:
    """The candidates whose signature values (values_of) leave a copy possible, given the
    shingle counts (count_of; None when not known, and such a candidate is kept)."""
    if not candidates:
        return []
    agree = np.count_nonzero(
        np.stack([values_of(c) for c in candidates]) == own_values, axis=1
    ) / len(own_values)
    kept = []
    for candidate, estimate in zip(candidates, agree.tolist(), strict=True):
        count = count_of(candidate)
        if count is None or estimate >= least_jaccard(own_count, count) - SCREEN_MARGIN:
            kept.append(candidate)
    return kept


def find_copy(
    own: np.ndarray,
    candidates: list[int],
    shingles_of: Callable[[int], np.ndarray],
) -> CopyMatch | None:
    """The best verified original among LSH candidates for a text with shingle codes `own`."""
    best: CopyMatch | None = None
    for candidate in candidates:
        other = shingles_of(candidate)
        if not len(own) or not len(other):
            continue
        common = common_count(own, other)  # once, for the Jaccard and both containments
        similarity = common / (len(own) + len(other) - common)
        match = None
        if similarity >= COPY_JACCARD:
            match = CopyMatch(candidate, similarity, "jaccard")
        else:
            contained = common / min(len(own), len(other))  # the shorter inside the longer
            if contained >= COPY_CONTAINMENT:
                match = CopyMatch(candidate, contained, "containment")
        if match and (best is None or match.similarity > best.similarity):
            best = match
    return best
