"""The closed sets of values the store holds as strings: what a capture's processing came to,
what a version meant for its commitment, what a change flags. StrEnums: each member is the
string stored, so rows, JSON and templates read them as they are."""

from __future__ import annotations

from enum import StrEnum


class CaptureStatus(StrEnum):
    """Where a capture stands (captures.status)."""

    NEW = "new"  # stored, not yet read
    EXTRACTED = "extracted"  # its article is stored
    REJECTED = "rejected"  # it holds no article: a failure record says why
    PRUNED = "pruned"  # its raw bytes were dropped (monitor prune); its article stays


class ChangeKind(StrEnum):
    """What a change flags for analysts (changes.kind)."""

    NEW = "NEW"  # a commitment seen for the first time
    CHANGED = "CHANGED"  # a figure, a deadline, the actor or the wording changed


class Outcome(StrEnum):
    """What a version of a commitment meant for it (observations.outcome)."""

    NEW = "new"
    CHANGED = "changed"
    REAFFIRMED = "reaffirmed"  # the same again: no change to report
    COPY = "copy"  # a copy of an article that already gave the version
    PENDING = "pending"  # an older version, until the commitment's history is replayed

    @property
    def change(self) -> ChangeKind | None:
        """The change it flags, if any."""
        return _FLAGS.get(self)


_FLAGS = {Outcome.NEW: ChangeKind.NEW, Outcome.CHANGED: ChangeKind.CHANGED}
