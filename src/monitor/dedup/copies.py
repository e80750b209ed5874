"""Near-identical copies: LSH proposes candidates, exact shingle overlap decides."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from datasketch import LeanMinHash, MinHashLSH

from monitor.dedup.signatures import NUM_PERM, containment, jaccard

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


class CopyIndex:
    """An LSH index of canonical articles' signatures."""

    def __init__(self) -> None:
        self._lsh = MinHashLSH(threshold=LSH_THRESHOLD, num_perm=NUM_PERM)
        self._size = 0

    def add(self, article_id: int, signature: LeanMinHash) -> None:
        """Index a canonical article (adding one twice is a no-op)."""
        if article_id not in self._lsh:
            self._lsh.insert(article_id, signature)
            self._size += 1

    def remove(self, article_id: int) -> None:
        """Drop an article from the index (it became a copy of an earlier one)."""
        if article_id in self._lsh:
            self._lsh.remove(article_id)
            self._size -= 1

    def candidates(self, signature: LeanMinHash) -> list[int]:
        """Ids of indexed articles that may be copies of (or originals for) this signature."""
        return sorted(self._lsh.query(signature))

    def __len__(self) -> int:
        return self._size


def find_copy(
    own: set[str],
    candidates: list[int],
    shingles_of: Callable[[int], set[str]],
) -> CopyMatch | None:
    """The best verified original among LSH candidates for a text with shingles `own`."""
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
