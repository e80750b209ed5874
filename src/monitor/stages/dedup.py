"""Copy links and event membership."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

import numpy as np
from sqlalchemy import Select, func, select, update
from sqlalchemy.orm import Session

from monitor.dedup import events as ev
from monitor.dedup.copies import CopyIndex, find_copy
from monitor.dedup.signatures import (
    Signature,
    as_signature,
    from_bytes,
    shingle_codes,
    signature_matrix,
    to_bytes,
)
from monitor.extract.meta import CHINA_TZ, year_for
from monitor.stages import RunContext, StageResult, pending_batches
from monitor.store import Database
from monitor.store.models import (
    Article,
    Capture,
    Commitment,
    CopyLink,
    Event,
    EventArticle,
    Measure,
    Observation,
)


def find_copies_pending(db: Database, context: RunContext) -> StageResult:
    """Link each new article to the article it is a near-identical copy of, if any."""
    result = StageResult("copies")
    index = _load_copy_index(db, context.redis_url)
    pending = _in_content_order(select(Article.id).where(Article.dedup_done.is_(False)))
    for ids in pending_batches(db, pending):
        with db.transaction() as session:
            shingles_of = _body_shingles(session)
            articles = list(
                session.scalars(_in_content_order(select(Article).where(Article.id.in_(ids))))
            )
            matrix = signature_matrix([article.body for article in articles])
            for article, values in zip(articles, matrix, strict=True):
                sig = as_signature(values)
                article.signature, article.dedup_done = to_bytes(sig), True
                match = find_copy(shingles_of(article.id), index.candidates(sig), shingles_of)
                if match is None:
                    index.add(article.id, sig)
                    continue
                original = session.get_one(Article, match.canonical_id)
                if _published_before(article, original):
                    _promote(session, index, article, sig, original.id)
                    article, original = original, article
                session.add(
                    CopyLink(
                        article_id=article.id,
                        canonical_id=original.id,
                        similarity=round(match.similarity, 4),
                        method=match.method,
                    )
                )
                result.add("copies")
    return result


def _in_content_order(query: Select[Any]) -> Select[Any]:
    """Articles in the order of their captures' content hashes: the same whatever order they
    were captured, stored or extracted in (extraction batches may commit in any order)."""
    return query.join(Capture, Capture.id == Article.capture_id).order_by(Capture.sha256)


def _published_before(article: Article, other: Article) -> bool:
    # publication first; two copies published at the same minute are ordered by content hash
    if article.published_at is None or other.published_at is None:
        return False
    return (article.published_at, article.capture.sha256) < (
        other.published_at,
        other.capture.sha256,
    )


def _promote(
    session: Session, index: CopyIndex, article: Article, sig: Signature, previous: int
) -> None:
    """Make an earlier-published copy the canonical article in place of `previous`.

    The canonical article is the earliest published, whatever order the captures came in.
    """
    session.execute(
        update(CopyLink).where(CopyLink.canonical_id == previous).values(canonical_id=article.id)
    )
    index.remove(previous)
    index.add(article.id, sig)


def _body_shingles(session: Session) -> Callable[[int], np.ndarray]:
    """Shingle codes of stored articles' bodies by id, each computed once per batch."""
    cache: dict[int, np.ndarray] = {}

    def shingles_of(article_id: int) -> np.ndarray:
        if article_id not in cache:
            cache[article_id] = shingle_codes(session.get_one(Article, article_id).body)
        return cache[article_id]

    return shingles_of


def _load_copy_index(db: Database, redis_url: str | None) -> CopyIndex:
    """The index of canonical articles: rebuilt from stored signatures, or Redis's if current."""
    url = db.engine.url.render_as_string(hide_password=True)
    index = CopyIndex(redis_url, hashlib.sha256(url.encode()).hexdigest()[:16])
    canonical = (
        select(Article.id, Article.signature)
        .outerjoin(CopyLink, CopyLink.article_id == Article.id)
        .where(Article.dedup_done.is_(True), CopyLink.id.is_(None), Article.signature.is_not(None))
    )
    with db.sessions() as session:
        expected = session.scalar(select(func.count()).select_from(canonical.subquery())) or 0
        if redis_url and len(index) == expected:
            return index  # another worker or an earlier run left it current
        index.clear()
        rows = session.execute(canonical)
        index.add_many((article_id, from_bytes(data)) for article_id, data in rows if data)
    return index


def group_events_pending(db: Database, context: RunContext) -> StageResult:
    """Put each new article into the event it reports, creating the event if it is the first."""
    result = StageResult("events")
    pending = _in_content_order(
        select(Article.id).where(Article.dedup_done.is_(True), Article.event_done.is_(False))
    )
    touched: set[int] = set()
    index, loaded = ev.EventIndex(), set[str]()
    for ids in pending_batches(db, pending):
        with db.transaction() as session:
            batch = _in_content_order(select(Article).where(Article.id.in_(ids)))
            for article in session.scalars(batch):
                event_id, score = _assign_event(session, article, index, loaded)
                session.add(EventArticle(event_id=event_id, article_id=article.id, score=score))
                article.event_done = True
                touched.add(event_id)
                session.flush()
                for gone in _rehome_copies(session, article.id, event_id):
                    index.drop(gone)
                _adopt_commitments(session, article.id, event_id)
                _settle_event(session, session.get_one(Event, event_id))
    result.add("events", len(touched))
    return result


def _assign_event(
    session: Session, article: Article, index: ev.EventIndex, loaded: set[str]
) -> tuple[int, float]:
    features = ev.event_features(article.title, article.body, _when(article))
    article.features = features.to_json()
    canonical = session.scalar(
        select(CopyLink.canonical_id).where(CopyLink.article_id == article.id)
    )
    if canonical is not None:
        event_id = session.scalar(
            select(EventArticle.event_id).where(EventArticle.article_id == canonical)
        )
        if event_id is not None:
            return event_id, 1.0
    _load_events(session, features, index, loaded)
    found = index.best(features)
    if found is not None:
        event = session.get_one(Event, found[0])
        merged = ev.merge(index.features(event.id), features)
        event.features = merged.to_json()
        index.put(event.id, merged)
        return event.id, round(found[1], 4)
    event = Event(
        day=_day(features),
        month_day=f"{features.month:02d}-{features.day:02d}"
        if features.month and features.day
        else "",
        title=article.title,
        features=features.to_json(),
    )
    session.add(event)
    session.flush()
    index.put(event.id, features)
    return event.id, 1.0


def _load_events(
    session: Session, features: ev.EventFeatures, index: ev.EventIndex, loaded: set[str]
) -> None:
    """Put the stored events of the days around an article's date into the index, once."""
    if features.month is None or features.day is None:
        return
    anchor = date(features.year or 2000, features.month, features.day)
    days = {
        date.fromordinal(anchor.toordinal() + offset).strftime("%m-%d")
        for offset in range(-ev.MAX_DAYS_APART, ev.MAX_DAYS_APART + 1)
    } - loaded
    if days:
        for event in session.scalars(select(Event).where(Event.month_day.in_(days))):
            index.put(event.id, ev.EventFeatures.from_json(event.features))
        loaded |= days


def _adopt_commitments(session: Session, article_id: int, event_id: int) -> None:
    """Give an event the commitments of an article that lost theirs (a reprocessed article)."""
    observed = (
        select(Observation.commitment_id)
        .join(Measure, Measure.id == Observation.measure_id)
        .where(Measure.article_id == article_id)
    )
    session.execute(
        update(Commitment)
        .where(Commitment.id.in_(observed), Commitment.event_id.is_(None))
        .values(event_id=event_id)
        .execution_options(synchronize_session=False)
    )


def _rehome_copies(session: Session, canonical_id: int, event_id: int) -> list[int]:
    """Move the copies of a canonical article into its event; drop events left empty.

    A copy goes where its original goes. When an earlier-published copy became the canonical
    article after its copies were placed, they follow it here.
    """
    copies = select(CopyLink.article_id).where(CopyLink.canonical_id == canonical_id)
    old_events = set(
        session.scalars(
            select(EventArticle.event_id).where(
                EventArticle.article_id.in_(copies), EventArticle.event_id != event_id
            )
        )
    )
    if not old_events:
        return []
    session.execute(
        update(EventArticle)
        .where(EventArticle.article_id.in_(copies))
        .values(event_id=event_id)
        .execution_options(synchronize_session=False)
    )
    gone = []
    for old in old_events:
        if session.scalar(select(EventArticle.id).where(EventArticle.event_id == old).limit(1)):
            continue
        session.execute(
            update(Commitment).where(Commitment.event_id == old).values(event_id=event_id)
        )
        session.delete(session.get_one(Event, old))
        gone.append(old)
    session.flush()
    return gone


def _settle_event(session: Session, event: Event) -> None:
    """Give the event the earliest full date of its members, and that year to undated members."""
    features = ev.EventFeatures.from_json(event.features)
    event.day = _day(features) or event.day
    if event.day is None:
        return
    members = session.scalars(
        select(Article)
        .join(EventArticle, EventArticle.article_id == Article.id)
        .where(EventArticle.event_id == event.id)
    ).all()
    titled = [a for a in members if a.published_at is not None and not a.title_derived]
    if titled:
        event.title = min(titled, key=lambda a: (a.published_at, a.capture.sha256)).title
    for article in members:
        if (
            article.published_at is None
            and article.date_text
            and article.date_text.startswith("--")
        ):
            month, day = int(article.date_text[2:4]), int(article.date_text[5:7])
            year = year_for(month, day, event.day)
            article.published_at = _china_midnight(date(year, month, day))
            article.date_source = "event"


def _when(article: Article) -> tuple[int | None, int, int] | None:
    if article.published_at is not None:
        local = article.published_at.astimezone(CHINA_TZ)
        return local.year, local.month, local.day
    if article.date_text and article.date_text.startswith("--"):
        return None, int(article.date_text[2:4]), int(article.date_text[5:7])
    return None


def _day(features: ev.EventFeatures) -> date | None:
    if features.year and features.month and features.day:
        return date(features.year, features.month, features.day)
    return None


def _china_midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=CHINA_TZ)
