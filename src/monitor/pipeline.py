"""The pipeline's stages as plain functions on batches, each idempotent and resumable.

Each stage picks the rows the previous stage finished and it has not, processes them in
batches, and commits each batch's output together with the flag that marks it done. A re-run
finds nothing pending; a crash loses at most the batch in flight, which the next run redoes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from monitor import track
from monitor.dedup import events as ev
from monitor.dedup.copies import CopyIndex, find_copy
from monitor.dedup.signatures import from_bytes, shingles, signature, to_bytes
from monitor.extract import Rejection, extract_article
from monitor.extract.article import CaptureInput
from monitor.extract.meta import CHINA_TZ, year_for
from monitor.measures import extract_measures
from monitor.sources import RawCapture, SourceFailure
from monitor.store import Database
from monitor.store.models import (
    Article,
    Capture,
    Change,
    Commitment,
    CopyLink,
    Event,
    EventArticle,
    Failure,
    Measure,
    Observation,
    Run,
    utcnow,
)

# Rows a stage handles per transaction: small enough that a crash costs little, large enough that
# commits do not dominate (each batch is one commit).
BATCH_SIZE = 200


@dataclass
class StageResult:
    """What one stage did in one run."""

    stage: str
    counts: dict[str, int] = field(default_factory=dict)

    def add(self, key: str, amount: int = 1) -> None:
        """Count `amount` more of `key`."""
        self.counts[key] = self.counts.get(key, 0) + amount


def begin_run(db: Database, trigger: str) -> int:
    """Record the start of a run and return its id."""
    with db.transaction() as session:
        run = Run(trigger=trigger)
        session.add(run)
        session.flush()
        return run.id


def finish_run(db: Database, run_id: int, results: Iterable[StageResult]) -> dict[str, int]:
    """Record the end of a run with the counts of every stage; return the counts."""
    counts: dict[str, int] = {}
    for result in results:
        for key, value in result.counts.items():
            counts[key] = counts.get(key, 0) + value
    with db.transaction() as session:
        run = session.get_one(Run, run_id)
        run.finished_at, run.status, run.counts = utcnow(), "completed", counts
    return counts


def store_captures(
    db: Database, items: Iterable[RawCapture | SourceFailure], run_id: int | None
) -> StageResult:
    """Keep every raw capture, content-addressed; record unreadable ones as failures."""
    result = StageResult("store")
    batch: list[RawCapture | SourceFailure] = []
    for item in items:
        batch.append(item)
        if len(batch) >= BATCH_SIZE:
            _store_batch(db, batch, run_id, result)
            batch = []
    _store_batch(db, batch, run_id, result)
    return result


def _store_batch(
    db: Database, batch: list[RawCapture | SourceFailure], run_id: int | None, result: StageResult
) -> None:
    with db.transaction() as session:
        hashes = {item.sha256 for item in batch if isinstance(item, RawCapture)}
        known = set(session.scalars(select(Capture.sha256).where(Capture.sha256.in_(hashes))))
        for item in batch:
            if isinstance(item, SourceFailure):
                session.add(
                    Failure(
                        run_id=run_id,
                        source=item.source,
                        origin=item.origin,
                        stage="source",
                        reason=item.reason,
                    )
                )
                result.add("failures")
                continue
            result.add("captures")
            if item.sha256 in known:
                continue
            known.add(item.sha256)
            session.add(
                Capture(
                    sha256=item.sha256,
                    source=item.source,
                    origin=item.origin,
                    media_type=item.media_type,
                    captured_at=item.captured_at,
                    size=len(item.data),
                    raw=item.data,
                    outlet_hint=item.outlet_hint,
                    run_id=run_id,
                )
            )
            result.add("captures_new")


def extract_pending(db: Database, run_id: int | None) -> StageResult:
    """Extract the article of every capture not yet extracted."""
    result = StageResult("extract")
    for ids in _pending_batches(
        db, select(Capture.id).where(Capture.status == "new").order_by(Capture.id)
    ):
        with db.transaction() as session:
            for capture in session.scalars(select(Capture).where(Capture.id.in_(ids))):
                draft = extract_article(
                    CaptureInput(
                        capture.raw,
                        capture.media_type,
                        capture.origin,
                        capture.captured_at,
                        capture.outlet_hint,
                    )
                )
                if isinstance(draft, Rejection):
                    capture.status, capture.error = "rejected", draft.reason
                    session.add(
                        Failure(
                            run_id=run_id,
                            source=capture.source,
                            origin=capture.origin,
                            capture_id=capture.id,
                            stage="extract",
                            reason=draft.reason,
                        )
                    )
                    result.add("failures")
                    continue
                capture.status = "extracted"
                session.add(
                    Article(
                        capture_id=capture.id,
                        url=draft.url,
                        title=draft.title,
                        title_derived=draft.title_derived,
                        body=draft.body,
                        body_sha256=_sha256(draft.body),
                        outlet=draft.outlet,
                        original_source=draft.original_source,
                        published_at=draft.published_at,
                        date_text=draft.published.text if draft.published else None,
                        date_source="page" if draft.published_at else None,
                        reporter=draft.reporter,
                        editor=draft.editor,
                        extractor=draft.extractor,
                    )
                )
                result.add("articles")
    return result


def find_copies_pending(db: Database, run_id: int | None) -> StageResult:
    """Link each new article to the article it is a near-identical copy of, if any."""
    result = StageResult("copies")
    index = _load_copy_index(db)
    for ids in _pending_batches(
        db, select(Article.id).where(Article.dedup_done.is_(False)).order_by(Article.id)
    ):
        with db.transaction() as session:
            shingles_of = _body_shingles(session)
            for article in session.scalars(select(Article).where(Article.id.in_(ids))):
                sig = signature(article.body)
                article.signature, article.dedup_done = to_bytes(sig), True
                own = shingles(article.body)
                match = find_copy(own, index.candidates(sig), shingles_of)
                if match is None:
                    index.add(article.id, sig)
                    continue
                session.add(
                    CopyLink(
                        article_id=article.id,
                        canonical_id=match.canonical_id,
                        similarity=round(match.similarity, 4),
                        method=match.method,
                    )
                )
                result.add("copies")
    return result


def _body_shingles(session: Session) -> Callable[[int], set[str]]:
    """Shingles of stored articles' bodies by id, each computed once per batch."""
    cache: dict[int, set[str]] = {}

    def shingles_of(article_id: int) -> set[str]:
        if article_id not in cache:
            cache[article_id] = shingles(session.get_one(Article, article_id).body)
        return cache[article_id]

    return shingles_of


def _load_copy_index(db: Database) -> CopyIndex:
    index = CopyIndex()
    with db.sessions() as session:
        rows = session.execute(
            select(Article.id, Article.signature)
            .outerjoin(CopyLink, CopyLink.article_id == Article.id)
            .where(Article.dedup_done.is_(True), CopyLink.id.is_(None))
        )
        for article_id, data in rows:
            if data:
                index.add(article_id, from_bytes(data))
    return index


def group_events_pending(db: Database, run_id: int | None) -> StageResult:
    """Put each new article into the event it reports, creating the event if it is the first."""
    result = StageResult("events")
    pending = (
        select(Article.id)
        .where(Article.dedup_done.is_(True), Article.event_done.is_(False))
        .order_by(Article.id)
    )
    touched: set[int] = set()
    for ids in _pending_batches(db, pending):
        with db.transaction() as session:
            for article in session.scalars(select(Article).where(Article.id.in_(ids))):
                event_id, score = _assign_event(session, article)
                session.add(EventArticle(event_id=event_id, article_id=article.id, score=score))
                article.event_done = True
                touched.add(event_id)
                session.flush()
                _settle_event(session, session.get_one(Event, event_id))
    result.add("events", len(touched))
    return result


def _assign_event(session: Session, article: Article) -> tuple[int, float]:
    canonical = session.scalar(
        select(CopyLink.canonical_id).where(CopyLink.article_id == article.id)
    )
    features = ev.event_features(article.title, article.body, _when(article))
    article.features = features.to_json()
    if canonical is not None:
        event_id = session.scalar(
            select(EventArticle.event_id).where(EventArticle.article_id == canonical)
        )
        if event_id is not None:
            return event_id, 1.0
    best: tuple[float, Event | None] = (0.0, None)
    for event in _candidate_events(session, features):
        score = ev.score(features, ev.EventFeatures.from_json(event.features))
        if score > best[0]:
            best = (score, event)
    score, joined = best
    if joined is not None and score >= ev.JOIN_SCORE:
        joined.features = ev.merge(ev.EventFeatures.from_json(joined.features), features).to_json()
        return joined.id, round(score, 4)
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
    return event.id, 1.0


def _candidate_events(session: Session, features: ev.EventFeatures) -> list[Event]:
    if features.month is None or features.day is None:
        return []
    days = []
    for offset in range(-ev.MAX_DAYS_APART, ev.MAX_DAYS_APART + 1):
        anchor = date(features.year or 2000, features.month, features.day)
        days.append((anchor.fromordinal(anchor.toordinal() + offset)).strftime("%m-%d"))
    return list(session.scalars(select(Event).where(Event.month_day.in_(days))))


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
        event.title = min(titled, key=lambda a: (a.published_at, a.id)).title
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


def extract_measures_pending(db: Database, run_id: int | None) -> StageResult:
    """Extract the measures of every article placed in an event."""
    result = StageResult("measures")
    pending = (
        select(Article.id)
        .where(Article.event_done.is_(True), Article.measures_done.is_(False))
        .order_by(Article.id)
    )
    for ids in _pending_batches(db, pending):
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
    for ids in _pending_batches(db, pending):
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


STAGES: tuple[Callable[[Database, int | None], StageResult], ...] = (
    extract_pending,
    find_copies_pending,
    group_events_pending,
    extract_measures_pending,
    track_pending,
)


def run_pipeline(
    db: Database, items: Iterable[RawCapture | SourceFailure], trigger: str
) -> dict[str, int]:
    """One whole pass: store the captures, run every stage, record the run; return its counts."""
    run_id = begin_run(db, trigger)
    results = [store_captures(db, items, run_id)]
    results += [stage(db, run_id) for stage in STAGES]
    return finish_run(db, run_id, results) | {"run_id": run_id}


def _pending_batches(db: Database, query: Select[Any]) -> Iterator[list[int]]:
    """The ids the query selects now, in batches of BATCH_SIZE."""
    with db.sessions() as session:
        ids: list[int] = list(session.scalars(query))
    for start in range(0, len(ids), BATCH_SIZE):
        yield ids[start : start + BATCH_SIZE]


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


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def count_rows(session: Session, model: type) -> int:
    """Number of rows of a table."""
    return session.scalar(select(func.count()).select_from(model)) or 0


SUMMARY_KEYS = (
    ("captures", "captures"),
    ("captures_new", "new captures"),
    ("articles", "articles"),
    ("copies", "copies"),
    ("events", "events"),
    ("measures", "measures"),
    ("NEW", "NEW"),
    ("CHANGED", "CHANGED"),
    ("reaffirmed", "reaffirmed"),
    ("failures", "failures"),
)


def summary_line(counts: dict[str, int]) -> str:
    """One line saying what a run did: "2 captures (2 new), 2 articles, 0 copies, 1 event, …"."""
    parts = [f"{counts.get('captures', 0)} captures ({counts.get('captures_new', 0)} new)"]
    for key, label in SUMMARY_KEYS[2:]:
        value = counts.get(key, 0)
        parts.append(f"{value} {label[:-1] if value == 1 and label.endswith('s') else label}")
    return ", ".join(parts)


def summary_rows(counts: dict[str, int]) -> list[tuple[str, int]]:
    """(label, count) pairs of a run, in pipeline order."""
    return [(label, counts.get(key, 0)) for key, label in SUMMARY_KEYS]
