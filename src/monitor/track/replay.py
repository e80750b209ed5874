"""The replay of a commitment's history, after an older version of it arrived (a backfill) or
one of its versions was taken back: its outcomes and changes become what they would be had its
versions arrived in publication order.
"""

from __future__ import annotations

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from monitor import track
from monitor.outcomes import Outcome
from monitor.store.models import Change, Commitment, DigestItem, EventArticle, Observation
from monitor.track.rows import change_row, make_latest, read_versions


def replay_commitment(session: Session, commitment: Commitment, run_id: int | None) -> None:
    """Redo a commitment's history in publication order after an older version arrived.

    The outcomes and changes become what they would be had the versions arrived in order;
    changes that differ from those already stored are rewritten with history=True, since the
    present state of the commitment, which analysts were told of, did not change.
    """
    session.flush()
    own = (Observation.commitment_id == commitment.id, Observation.outcome != Outcome.COPY)
    observed = select(Observation.measure_id).where(*own)
    versions = sorted(read_versions(session, observed), key=lambda version: version.key)
    observations = {o.measure_id: o for o in session.scalars(select(Observation).where(*own))}
    wanted: dict[int, tuple[str, dict | None, dict]] = {}
    previous: dict | None = None
    for version in versions:
        fields = track.commitment_fields(
            version.text, version.actor, version.quantities, version.periods
        )
        outcome = track.decide(previous, fields, track.is_target(commitment.identity))
        observations[version.id].outcome = outcome.kind
        if outcome.kind.change is not None:  # NEW or CHANGED: a change to report
            wanted[version.id] = (outcome.kind.change, outcome.before, outcome.after)
        previous = fields
    kept = set()
    for change in session.scalars(select(Change).where(Change.commitment_id == commitment.id)):
        # what analysts have been told, or are yet to be told, stands: a later capture never
        # withdraws a change; only history the replay wrote itself is rewritten
        if not change.history or wanted.get(change.measure_id) == (
            change.kind,
            change.before,
            change.after,
        ):
            kept.add(change.measure_id)
        else:
            # A digest that carried it keeps its stored message; only the link goes.
            session.execute(delete(DigestItem).where(DigestItem.change_id == change.id))
            session.delete(change)
    session.flush()  # deletions first: a rewritten change reuses its (commitment, measure) key
    for version in versions:
        if version.id in wanted and version.id not in kept:
            kind, before, after = wanted[version.id]
            row = change_row(version.id, commitment.id, kind, before, after, run_id)
            session.add(Change(**row, history=True))
    commitment.first_published_at = versions[0].published_at
    commitment.event_id = session.scalar(
        select(EventArticle.event_id).where(EventArticle.article_id == versions[0].article_id)
    )
    assert previous is not None
    make_latest(commitment, versions[-1], previous)
