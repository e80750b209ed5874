"""Measures of articles, and commitments followed over time."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor import track
from monitor.dedup import events as ev
from monitor.extract.meta import CHINA_TZ
from monitor.measures import extract_measures
from monitor.stages import StageResult, pending_batches
from monitor.store import Database
from monitor.store.models import (
    Article,
    Change,
    Commitment,
    EventArticle,
    Measure,
    Observation,
)


def extract_measures_pending(db: Database, run_id: int | None) -> StageResult:
    """Extract the measures of every article placed in an event."""
    result = StageResult("measures")
    pending = (
        select(Article.id)
        .where(Article.event_done.is_(True), Article.measures_done.is_(False))
        .order_by(Article.id)
    )
    for ids in pending_batches(db, pending):
        with db.transaction() as session:
            for article in session.scalars(select(Article).where(Article.id.in_(ids))):
                features = ev.EventFeatures.from_json(article.features or {})
                year = (
                    article.published_at.astimezone(CHINA_TZ).year if article.published_at else None
                )
                for draft in extract_measures(article.body, features.speaker_org, year):
                    session.add(Measure(article_id=article.id, **draft.__dict__))
                    result.add("measures")
                article.measures_done = True
    return result


def track_pending(db: Database, run_id: int | None) -> StageResult:
    """Follow each new measure as a version of a commitment; flag NEW and CHANGED ones."""
    result = StageResult("track")
    pending = (
        select(Measure.id)
        .join(Article, Article.id == Measure.article_id)
        .where(Measure.tracked.is_(False))
        .order_by(Article.published_at.is_(None), Article.published_at, Article.id, Measure.ordinal)
    )
    for ids in pending_batches(db, pending):
        with db.transaction() as session:
            for measure_id in ids:
                outcome = _track_measure(session, session.get_one(Measure, measure_id), run_id)
                result.add(outcome)
    return result


def _track_measure(session: Session, measure: Measure, run_id: int | None) -> str:
    article = measure.article
    event_id = session.scalar(
        select(EventArticle.event_id).where(EventArticle.article_id == article.id)
    )
    fields = track.commitment_fields(
        measure.text, measure.actor, measure.quantities, measure.periods
    )
    commitment = _find_commitment(session, measure)
    measure.tracked = True
    if commitment is None:
        commitment = Commitment(
            masked_sha256=measure.masked_sha256,
            event_id=event_id,
            actor=measure.actor,
            text=measure.text,
            fields=fields,
            first_published_at=article.published_at,
            last_published_at=article.published_at,
            latest_measure_id=measure.id,
        )
        session.add(commitment)
        session.flush()
        session.add(
            Observation(
                commitment_id=commitment.id,
                measure_id=measure.id,
                published_at=article.published_at,
                outcome="new",
            )
        )
        session.add(
            Change(
                commitment_id=commitment.id,
                measure_id=measure.id,
                kind="NEW",
                before=None,
                after=fields,
                run_id=run_id,
            )
        )
        return "NEW"
    outcome = track.compare(commitment.fields, fields)
    session.add(
        Observation(
            commitment_id=commitment.id,
            measure_id=measure.id,
            published_at=article.published_at,
            outcome=outcome.kind.lower(),
        )
    )
    if outcome.kind == "CHANGED":
        session.add(
            Change(
                commitment_id=commitment.id,
                measure_id=measure.id,
                kind="CHANGED",
                before=outcome.before,
                after=outcome.after,
                run_id=run_id,
            )
        )
        commitment.text, commitment.fields, commitment.actor = measure.text, fields, measure.actor
        commitment.masked_sha256, commitment.latest_measure_id = measure.masked_sha256, measure.id
    commitment.last_published_at = article.published_at or commitment.last_published_at
    return outcome.kind


def _find_commitment(session: Session, measure: Measure) -> Commitment | None:
    exact = session.scalars(
        select(Commitment)
        .where(Commitment.masked_sha256 == measure.masked_sha256)
        .order_by(Commitment.id)
    ).first()
    if exact is not None:
        return exact
    # Same actor: a reworded or re-figured version of a commitment keeps who makes it.
    candidates = session.execute(
        select(Commitment.id, Commitment.text)
        .where(Commitment.actor == measure.actor)
        .order_by(Commitment.id.desc())
        .limit(500)
    ).all()
    match = track.best_match(measure.text, [(cid, text) for cid, text in candidates])
    return session.get(Commitment, match) if match is not None else None
