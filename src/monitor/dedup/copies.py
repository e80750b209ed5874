"""Near-identical copies: LSH proposes candidates, exact shingle overlap decides."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from monitor.dedup.lsh import LSHIndex
from monitor.dedup.signatures import containment, jaccard

# LSH proposes candidates at a low estimated Jaccard so that copies with scattered edits are
# not missed; the exact check below removes the false candidates this admits.
LSH_THRESHOLD = 0.4
# A copy shares at least this share of shingles with the original (a re-captured page with new
# boilerplate keeps over 0.9; two write-ups of one press conference share about 0.03).
COPY_JACCARD = 0.7
# Or a short copy lies almost whole inside a longer page (a wire story inside a portal page).
COPY_CONTAINMENT = 0.9


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


def find_copy(
    own: np.ndarray,
    candidates: list[int],
    shingles_of: Callable[[int], np.ndarray],
) -> CopyMatch | None:
    """The best verified original among LSH candidates for a text with shingle codes `own`."""
    best: CopyMatch | None = None
    for candidate in candidates:
        other = shingles_of(candidate)
        similarity = jaccard(own, other)
        match = None
        if similarity >= COPY_JACCARD:
            match = CopyMatch(candidate, similarity, "jaccard")
        else:
            contained = max(containment(own, other), containment(other, own))
            if contained >= COPY_CONTAINMENT:
                match = CopyMatch(candidate, contained, "containment")
        if match and (best is None or match.similarity > best.similarity):
            best = match
    return best
