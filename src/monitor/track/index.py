"""The index of recent commitments that tracking keeps across the batches of a stage run.

A new version is matched against it: by its masked text, the first commitment a version with
that text was made a version of; else, reworded or re-figured, the most similar text among its
actor's most recent commitments.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from monitor import track
from monitor.store.models import Commitment, Measure, Observation
from monitor.track.rows import BatchCommitment, Version

# A reworded version is looked for among this many of its actor's most recent commitments.
_CANDIDATES = 500
# Texts kept in memory across batches, over all actors (about 8 KB each with their index):
# beyond it, the actors least recently seen are dropped, and read again if they come back.
_KEPT_TEXTS = 25_000
# Masked texts whose first commitment is kept across batches (about 150 bytes each).
_KEPT_HASHES = 500_000
# Ids bound in one lookup of the observations of many measures.
_IDS_A_QUERY = 1000


def _not_target(identity: Any) -> ColumnElement[bool]:
    """The SQL condition that a commitment is no quantified target (track.is_target)."""
    return or_(identity.is_(None), ~identity.startswith(track.TARGET_PREFIX))


class RecentCommitments:
    """The texts of each actor's most recent commitments, which a reworded or re-figured version
    is matched against: each actor's are read once per stage run, and kept current as batches
    make and update commitments. Keyed and ranked by commitment id: the most recent has the
    largest, and a batch's new commitments have theirs before they are inserted."""

    def __init__(self) -> None:
        self.of_actor: dict[str | None, track.Candidates[int]] = {}
        self.kept = _KEPT_TEXTS
        self.seen: dict[str | None, int] = {}  # the batch each actor was last seen in
        self.batches = 0
        # masked text: the first commitment a version with it was made a version of, as stored;
        # a hash absent from it is read again (or was never seen)
        self.first_of: dict[str, int] = {}
        # whether first_of holds every stored observation's text: when the store had none as
        # the run began, until first_of overflows
        self.complete = False

    def begin(self, session: Session) -> None:
        """Start a stage run: with no observation stored yet (a first ingest), every one is
        this run's, and first_of knows them all without reading any. Read, a new text was
        looked up among every measure with it, the later versions not tracked yet included
        (29k rows a batch at 100k captures: 32 s of the stage on PostgreSQL)."""
        self.complete = session.scalar(select(Observation.id).limit(1)) is None

    def load(self, session: Session, actors: set[str | None]) -> None:
        """Read the recent commitments of the actors not read before."""
        self.batches += 1
        self.seen.update(dict.fromkeys(actors, self.batches))
        actors = actors - self.of_actor.keys()
        if not actors:
            return
        named = [actor for actor in actors if actor is not None]
        of_actors: ColumnElement[bool] = Commitment.actor.in_(named)
        if None in actors:
            of_actors = or_(of_actors, Commitment.actor.is_(None))
        ranked = (
            select(
                Commitment.id,
                Commitment.actor,
                Commitment.text,
                func.row_number()
                .over(partition_by=Commitment.actor, order_by=Commitment.id.desc())
                .label("rank"),
            )
            .where(of_actors, _not_target(Commitment.identity))
            .subquery()
        )
        query = select(ranked.c.id, ranked.c.actor, ranked.c.text).where(
            ranked.c.rank <= _CANDIDATES
        )
        for actor in actors:
            self.of_actor[actor] = track.Candidates(_CANDIDATES)
        for commitment_id, actor, text in session.execute(query):
            self.of_actor[actor].add(commitment_id, text, commitment_id)

    def first_commitments(self, session: Session, hashes: set[str]) -> dict[str, int]:
        """The first commitment each masked text was a version of, of those that were one: any
        version with the same masked text, not only the latest, identifies the commitment.

        Each hash is read once per stage run and kept current as batches add versions: read
        again in each batch, a recurring text was looked up among every stored measure that
        has it, a lookup that grew with the store (0.3 s a batch at 100k on SQLite)."""
        # a lookup a hash: `hashes - self.first_of.keys()` walks every key kept (up to
        # _KEPT_HASHES), which took 13 s of 250 at 100k on SQLite
        unknown = {sha for sha in hashes if sha not in self.first_of}
        if unknown and not self.complete:
            # the measures with those texts, then their observations, each by its own index:
            # as one join, PostgreSQL planned a scan of every observation once the hashes
            # matched many measures (70 ms a batch, 41 s of 268 at 100k captures)
            with_hash = select(Measure.id, Measure.masked_sha256).where(
                Measure.masked_sha256.in_(unknown)
            )
            hash_of = dict(session.execute(with_hash).tuples().all())
            measure_ids = sorted(hash_of)
            for start in range(0, len(measure_ids), _IDS_A_QUERY):
                observed = select(Observation.measure_id, Observation.commitment_id).where(
                    Observation.measure_id.in_(measure_ids[start : start + _IDS_A_QUERY])
                )
                for measure_id, commitment_id in session.execute(observed).tuples():
                    self.observed(hash_of[measure_id], commitment_id)
        return {sha: self.first_of[sha] for sha in hashes if sha in self.first_of}

    def observed(self, masked_sha256: str, commitment_id: int) -> None:
        """A version with this masked text was stored for that commitment."""
        known = self.first_of.get(masked_sha256)
        if known is None or commitment_id < known:
            self.first_of[masked_sha256] = commitment_id

    def match(self, version: Version) -> int | None:
        """The id of the commitment of the version's actor whose text it is a version of."""
        return self.of_actor[version.actor].best_match(version.text)

    def add(self, commitment: BatchCommitment) -> None:
        """A commitment the batch made; a target is recognised by its identity alone."""
        if track.is_target(commitment.identity):
            return
        self.of_actor[commitment.actor].add(commitment.id, commitment.text, commitment.id)

    def changed(self, commitment: BatchCommitment, actor: str | None) -> None:
        """A new version changed the commitment's text, or who makes it (before: `actor`)."""
        if actor in self.of_actor:
            self.of_actor[actor].discard(commitment.id)
        if commitment.actor in self.of_actor and not track.is_target(commitment.identity):
            self.of_actor[commitment.actor].add(commitment.id, commitment.text, commitment.id)

    def saved(self) -> None:
        """The batch is written: forget what is beyond the limits."""
        if len(self.first_of) > _KEPT_HASHES:
            self.first_of.clear()  # read again as batches need them
            self.complete = False
        total = sum(len(index) for index in self.of_actor.values())
        for actor in sorted(self.of_actor, key=self.seen.__getitem__):
            if total <= self.kept:
                break
            total -= len(self.of_actor.pop(actor))
