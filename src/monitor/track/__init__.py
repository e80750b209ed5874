"""Commitments over time: which commitment a measure is a version of, and what changed.

A measure is a version of a commitment when its text with numbers masked is the same, or close
enough, and the actor agrees; a target, when it measures the same indicator. A version whose
figures, periods or wording differ is CHANGED; one that says the same again is reaffirmed.

- decide: what a new version means for its commitment, NEW, CHANGED or reaffirmed
- similar: the similarity of two texts, and the index of the texts a version may be a copy of
- index: the recent commitments a run of the stage keeps across its batches
- replay: a commitment's history redone in publication order, after a backfill or a retraction
- rows: measures and commitments as tracking reads and writes them
- stage: the tracking stage, over the measures pending a batch at a time

The names below are the decision's and the similarity's, which need no database; the modules that
read and write the store are imported by their own names (monitor.track.stage).
"""

from monitor.track.decide import (
    SAME_WORDING,
    TARGET_PREFIX,
    Decision,
    commitment_fields,
    compare,
    decide,
    identity,
    is_target,
    likeness,
    same_indicator,
)
from monitor.track.similar import SAME_COMMITMENT, Candidates, similarity

__all__ = [
    "SAME_COMMITMENT",
    "SAME_WORDING",
    "TARGET_PREFIX",
    "Candidates",
    "Decision",
    "commitment_fields",
    "compare",
    "decide",
    "identity",
    "is_target",
    "likeness",
    "same_indicator",
    "similarity",
]
