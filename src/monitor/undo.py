"""Taking back what was derived from an article, in one place: its copy links and event
membership when it is extracted again differently, and its measures with what tracking made of
them (observations, changes not yet in a digest, commitments left with no version) when they
are drafted again. The ordinary stages then derive it all again; a commitment that keeps other
versions has its history replayed without the retracted ones."""

from __future__ import annotations

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from monitor.run import RunContext
from monitor.store.models import (
    Article,
    Change,
    Commitment,
    CopyLink,
    DigestItem,
    Event,
    EventArticle,
    Measure,
    Observation,
    PendingMeasure,
)
from monitor.track.replay import replay_commitment


def retract_article(session: Session, article: Article, context: RunContext) -> None:
    """Take back the copy links and event membership of an article and its copies; its
    measures are compared with the new ones by the measures stage."""
    copies = list(
        session.scalars(select(CopyLink.article_id).where(CopyLink.canonical_id == article.id))
    )
    both = [article.id, *copies]
    session.execute(delete(CopyLink).where(CopyLink.article_id.in_(both)))
    session.execute(delete(CopyLink).where(CopyLink.canonical_id == article.id))
    # its copies are compared again, against whatever is canonical once it is re-extracted
    session.execute(
        update(Article).where(Article.id.in_(copies)).values(dedup_done=False, event_done=False)
    )
    events = set(
        session.scalars(select(EventArticle.event_id).where(EventArticle.article_id.in_(both)))
    )
    session.execute(delete(EventArticle).where(EventArticle.article_id.in_(both)))
    session.flush()
    for event_id in events:
        if session.scalar(select(EventArticle.id).where(EventArticle.event_id == event_id)) is None:
            session.execute(
                update(Commitment).where(Commitment.event_id == event_id).values(event_id=None)
            )
            session.delete(session.get_one(Event, event_id))
    session.flush()


def retract_measures(session: Session, measure_ids: list[int], context: RunContext) -> None:
    """Take back measures and what tracking made of them; their commitments are settled again:
    dropped when no version is left, else their history replayed without them."""
    if not measure_ids:
        return
    commitments = set(
        session.scalars(
            select(Observation.commitment_id).where(Observation.measure_id.in_(measure_ids))
        )
    )
    changes = select(Change.id).where(Change.measure_id.in_(measure_ids))
    session.execute(delete(DigestItem).where(DigestItem.change_id.in_(changes)))
    session.execute(delete(Change).where(Change.measure_id.in_(measure_ids)))
    session.execute(delete(Observation).where(Observation.measure_id.in_(measure_ids)))
    session.flush()
    for commitment_id in commitments:
        commitment = session.get_one(Commitment, commitment_id)
        left = session.scalar(
            select(Observation.id).where(Observation.commitment_id == commitment_id).limit(1)
        )
        if left is not None:
            replay_commitment(session, commitment, context.run_id)
            continue
        stale = select(Change.id).where(Change.commitment_id == commitment_id)
        session.execute(delete(DigestItem).where(DigestItem.change_id.in_(stale)))
        session.execute(delete(Change).where(Change.commitment_id == commitment_id))
        session.delete(commitment)
    session.flush()  # commitments point at their latest measure: settle them, then delete
    session.execute(delete(PendingMeasure).where(PendingMeasure.measure_id.in_(measure_ids)))
    session.execute(delete(Measure).where(Measure.id.in_(measure_ids)))
