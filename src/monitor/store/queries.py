"""Read-side queries: events, measures, commitments and changes as plain dicts with stable keys."""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Collection, Iterator
from datetime import date, datetime
from typing import Any

from sqlalchemy import Result, Row, Select, func, select
from sqlalchemy.orm import Session

from monitor.clock import CHINA_TZ
from monitor.outcomes import ChangeKind
from monitor.store.models import (
    Article,
    Capture,
    Change,
    Commitment,
    CopyLink,
    Digest,
    DigestItem,
    Event,
    EventArticle,
    Failure,
    Measure,
    Observation,
    Run,
)


def iso(value: datetime | None) -> str | None:
    """ISO 8601 text of an aware datetime in China time (+08:00), or None."""
    return value.astimezone(CHINA_TZ).isoformat() if value is not None else None


# Ids bound into one IN (...): PostgreSQL takes at most 65,535 parameters a statement, and a
# digest after a large backfill reads the sources of hundreds of thousands of commitments.
_IN_CHUNK = 10_000


def _chunks(ids: Collection[int]) -> Iterator[list[int]]:
    ordered = sorted(ids)
    for start in range(0, len(ordered), _IN_CHUNK):
        yield ordered[start : start + _IN_CHUNK]


def _columns(session: Session, query: Select[Any]) -> Result[Any]:
    """Rows of a select of columns, read through the session's connection: the ORM's result
    layer adds nothing to plain columns and costs about a third more on a digest's tens of
    thousands of rows."""
    return session.connection().execute(query)


# What source_of reads of an article: not its body.
_SOURCE_COLUMNS = (
    Article.id,
    Article.outlet,
    Article.original_source,
    Article.title,
    Article.url,
    Article.published_at,
)


def source_of(
    article: Article | Row[Any], origin: str, copy_of: int | None = None
) -> dict[str, Any]:
    """Where an article was reported: outlet, title, address and date (`article` may be a row
    of _SOURCE_COLUMNS)."""
    return {
        "article_id": article.id,
        "outlet": article.outlet,
        "original_source": article.original_source,
        "title": article.title,
        "url": article.url,
        "origin": origin,
        "published_at": iso(article.published_at),
        "copy_of": copy_of,
    }


def list_events(
    session: Session, ids: Collection[int | None] | None = None
) -> list[dict[str, Any]]:
    """Every event with its articles, newest first; only those of `ids` when given (a digest
    reads the events of its changes, not every event of the store)."""
    members: dict[int, list[dict[str, Any]]] = defaultdict(list)
    query = (
        select(EventArticle.event_id, *_SOURCE_COLUMNS, Capture.origin, CopyLink.canonical_id)
        .join(Article, Article.id == EventArticle.article_id)
        .join(Capture, Capture.id == Article.capture_id)
        .outerjoin(CopyLink, CopyLink.article_id == Article.id)
        .order_by(Article.published_at, Article.id)
    )
    if ids is None:
        rows = list(_columns(session, query))
        events = list(session.scalars(select(Event).order_by(Event.day.desc(), Event.id.desc())))
    else:
        rows, events = [], []  # an event's articles all come in one chunk, in order
        for chunk in _chunks({i for i in ids if i is not None}):
            rows += _columns(session, query.where(EventArticle.event_id.in_(chunk)))
            events += session.scalars(select(Event).where(Event.id.in_(chunk)))
        events.sort(key=lambda event: (event.day or date.min, event.id), reverse=True)
    for row in rows:
        members[row.event_id].append(source_of(row, row.origin, row.canonical_id))
    return [
        {
            "id": event.id,
            "date": event.day.isoformat() if event.day else None,
            "title": event.title,
            "speakers": [s["name"] for s in event.features.get("speakers", [])],
            "venues": event.features.get("venues", []),
            "articles": members.get(event.id, []),
        }
        for event in events
    ]


def list_measures(session: Session) -> list[dict[str, Any]]:
    """Every measure with its article and event."""
    rows = session.execute(
        select(
            Measure, Article, EventArticle.event_id, Observation.commitment_id, Observation.outcome
        )
        .join(Article, Article.id == Measure.article_id)
        .outerjoin(EventArticle, EventArticle.article_id == Article.id)
        .outerjoin(Observation, Observation.measure_id == Measure.id)
        .order_by(Article.id, Measure.ordinal)
    )
    return [
        {
            "id": measure.id,
            "article_id": article.id,
            "event_id": event_id,
            "outlet": article.outlet,
            "published_at": iso(article.published_at),
            "ordinal": measure.ordinal,
            "marker": measure.marker,
            "kind": measure.kind,
            "subject": measure.subject,
            "actor": measure.actor,
            "action": measure.action,
            "object": measure.object,
            "quantities": measure.quantities,
            "periods": measure.periods,
            "text": measure.text,
            "commitment_id": commitment_id,
            "outcome": outcome,
        }
        for measure, article, event_id, commitment_id, outcome in rows
    ]


def list_changes(
    session: Session,
    undelivered_only: bool = False,
    recipient: str | None = None,
    run_id: int | None = None,
    commitment_id: int | None = None,
    limit: int | None = None,
    digest_id: int | None = None,
    change_ids: Collection[int] | None = None,
    kind: str | None = None,
) -> list[dict[str, Any]]:
    """Changes (NEW and CHANGED), oldest first, each with the sources of its commitment.

    Args:
        undelivered_only: only news for a digest: changes not yet delivered (to `recipient`,
            or to anyone when None), and not history written by a backfill.
        run_id: only the changes this run detected.
        commitment_id: only this commitment's changes.
        limit: at most this many, the oldest.
        digest_id: only the changes this digest carries (shown in full or counted).
        change_ids: only these changes (the ones a digest shows in full).
        kind: only changes of this kind, NEW or CHANGED.
    """
    # columns, not ORM objects: a digest can list tens of thousands of changes
    query = _change_rows(
        Change.id,
        Change.kind,
        Change.detected_at,
        Change.commitment_id,
        Change.measure_id,
        Change.before,
        Change.after,
        Change.history,
        Measure.actor,
        Measure.text,
        Measure.quantities,
        Measure.periods,
        Article.published_at,
        Commitment.event_id,
    )
    if run_id is not None:
        query = query.where(Change.run_id == run_id)
    if kind is not None:
        query = query.where(Change.kind == kind)
    if commitment_id is not None:
        query = query.where(Change.commitment_id == commitment_id)
    if digest_id is not None:
        carried = select(DigestItem.change_id).where(DigestItem.digest_id == digest_id)
        query = query.where(Change.id.in_(carried))
    if undelivered_only:
        query = _undelivered(query, recipient)
    if limit is not None:
        query = query.limit(limit)
    if change_ids is None:
        rows = _columns(session, query).all()
    else:  # chunks in ascending order: the rows stay ordered by id
        rows = []
        for chunk in _chunks(change_ids):
            rows += _columns(session, query.where(Change.id.in_(chunk))).all()
        rows = rows[:limit]  # each chunk took at most `limit`: the oldest of them all
    sources = _commitment_sources(session, {row.commitment_id for row in rows})
    previous = _previous_versions(session, [row for row in rows if row.kind == ChangeKind.CHANGED])
    # a run's changes share their detection time and an article's changes its date
    text_of = functools.cache(iso)
    # rows unpacked as tuples: a Row's attributes cost several times as much to read
    return [
        {
            "id": change_id,
            "kind": kind,
            "detected_at": text_of(detected_at),
            "commitment_id": commitment_id,
            "event_id": event_id,
            "published_at": text_of(published_at),
            "actor": actor,
            "text": text,
            "quantities": quantities,
            "periods": periods,
            "before": before,
            "after": after,
            "before_published_at": text_of(previous.get(change_id)),
            "history": history,
            "sources": sources.get(commitment_id, []),
        }
        for (
            change_id,
            kind,
            detected_at,
            commitment_id,
            _measure_id,
            before,
            after,
            history,
            actor,
            text,
            quantities,
            periods,
            published_at,
            event_id,
        ) in rows
    ]


def _change_rows(*columns: Any) -> Select[Any]:
    """Columns of changes, oldest first, with each change's measure, the measure's article and
    the commitment joined."""
    return (
        select(*columns)
        .join(Measure, Measure.id == Change.measure_id)
        .join(Article, Article.id == Measure.article_id)
        .join(Commitment, Commitment.id == Change.commitment_id)
        .order_by(Change.id)
    )


def _undelivered(query: Select[Any], recipient: str | None) -> Select[Any]:
    """Only news for a digest: changes not yet delivered (to `recipient`, or to anyone when
    None), and not history written by a backfill."""
    query = query.where(Change.history.is_(False))
    if recipient is None:
        return query.where(Change.digest_id.is_(None))
    delivered = (
        select(DigestItem.change_id)
        .join(Digest, Digest.id == DigestItem.digest_id)
        .where(Digest.recipient == recipient, Digest.status == "sent")
    )
    return query.where(Change.id.not_in(delivered))


def pending_changes(session: Session, recipient: str | None = None) -> list[dict[str, Any]]:
    """The changes not yet delivered (to `recipient`, or to anyone when None), oldest first, as
    summaries: id, kind, commitment_id, event_id, published_at, actor and text, the keys of a
    list_changes row that choose and count what a digest shows.

    A digest shows a few hundred of a backlog in full and counts the rest: reading every one
    with its figures, sources and previous version took 58 s of a digest of 511,009 changes.
    """
    query = _undelivered(
        _change_rows(
            Change.id,
            Change.kind,
            Change.commitment_id,
            Commitment.event_id,
            Article.published_at,
            Measure.actor,
            Measure.text,
        ),
        recipient,
    )
    text_of = functools.cache(iso)
    return [
        {
            "id": change_id,
            "kind": kind,
            "commitment_id": commitment_id,
            "event_id": event_id,
            "published_at": text_of(published_at),
            "actor": actor,
            "text": text,
        }
        for change_id, kind, commitment_id, event_id, published_at, actor, text in _columns(
            session, query
        )
    ]


def commitment_titles(session: Session, ids: Collection[int]) -> dict[int, list[str]]:
    """The titles of the articles that reported each commitment (what a recipient's topics are
    looked for in, with the commitment's text)."""
    titles: dict[int, list[str]] = defaultdict(list)
    query = (
        select(Observation.commitment_id, Article.title)
        .join(Measure, Measure.id == Observation.measure_id)
        .join(Article, Article.id == Measure.article_id)
    )
    for chunk in _chunks(ids):
        for commitment_id, title in _columns(
            session, query.where(Observation.commitment_id.in_(chunk))
        ):
            titles[commitment_id].append(title or "")
    return titles


def event_summaries(session: Session, ids: Collection[int | None]) -> list[dict[str, Any]]:
    """Events as list_events gives them but without their articles, speakers and venues: what a
    digest names for the events of the changes it only counts."""
    query = select(Event.id, Event.day, Event.title)
    result = []
    for chunk in _chunks({i for i in ids if i is not None}):
        for event_id, day, title in _columns(session, query.where(Event.id.in_(chunk))):
            result.append(
                {
                    "id": event_id,
                    "date": day.isoformat() if day else None,
                    "title": title,
                    "speakers": [],
                    "venues": [],
                    "articles": [],
                }
            )
    result.sort(key=lambda event: (event["date"] or "", event["id"]), reverse=True)
    return result


def _previous_versions(session: Session, changed: list[Row[Any]]) -> dict[int, datetime | None]:
    """For each CHANGED change (a row of list_changes), when the latest other version of its
    commitment published no later was published; all versions read in one query."""
    versions: dict[int, list[tuple[int, datetime]]] = defaultdict(list)
    ids = {change.commitment_id for change in changed}
    query = (
        select(Observation.commitment_id, Observation.measure_id, Article.published_at)
        .join(Measure, Measure.id == Observation.measure_id)
        .join(Article, Article.id == Measure.article_id)
        .where(Article.published_at.is_not(None))
    )
    for chunk in _chunks(ids):
        rows = _columns(session, query.where(Observation.commitment_id.in_(chunk)))
        for commitment_id, measure_id, published_at in rows:
            versions[commitment_id].append((measure_id, published_at))
    result: dict[int, datetime | None] = {}
    for change in changed:
        published = change.published_at
        earlier = [
            at
            for measure_id, at in versions[change.commitment_id]
            if measure_id != change.measure_id and published is not None and at <= published
        ]
        result[change.id] = max(earlier, default=None)
    return result


def run_health(session: Session, since: datetime | None) -> dict[str, Any]:
    """Pipeline runs and failures since a moment (the last digest), for the digest's header."""
    runs = list(
        session.scalars(select(Run).where(Run.started_at > since) if since else select(Run)).all()
    )
    failures = session.scalar(
        select(func.count())
        .select_from(Failure)
        .where(*([Failure.created_at > since] if since else []))
    )
    last = max(runs, key=lambda run: run.started_at, default=None)
    return {
        "since": iso(since),
        "runs": len(runs),
        "completed": sum(1 for run in runs if run.status == "completed"),
        "failures": failures or 0,
        "last_run_at": iso(last.finished_at or last.started_at) if last else None,
    }


def list_commitments(session: Session) -> list[dict[str, Any]]:
    """Every commitment in its latest version, with how often and where it was reported."""
    counts: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for commitment_id, outcome in _columns(
        session, select(Observation.commitment_id, Observation.outcome)
    ):
        counts[commitment_id][outcome] += 1
    sources = _commitment_sources(session, set(counts))
    return [
        {
            "id": c.id,
            "event_id": c.event_id,
            "actor": c.actor,
            "text": c.text,
            "quantities": c.fields.get("quantities", []),
            "periods": c.fields.get("periods", []),
            "first_published_at": iso(c.first_published_at),
            "last_published_at": iso(c.last_published_at),
            "versions": counts[c.id].get("new", 0) + counts[c.id].get("changed", 0),
            "reports": sum(counts[c.id].values()),
            "outlets": sorted({s["outlet"] for s in sources.get(c.id, []) if s["outlet"]}),
        }
        for c in session.scalars(select(Commitment).order_by(Commitment.id))
    ]


def commitment_history(session: Session, commitment_id: int) -> dict[str, Any] | None:
    """One commitment with every report of it in publication order, and its changes."""
    commitment = session.get(Commitment, commitment_id)
    if commitment is None:
        return None
    rows = session.execute(
        select(Observation, Measure, Article, Capture.origin, CopyLink.canonical_id)
        .join(Measure, Measure.id == Observation.measure_id)
        .join(Article, Article.id == Measure.article_id)
        .join(Capture, Capture.id == Article.capture_id)
        .outerjoin(CopyLink, CopyLink.article_id == Article.id)
        .where(Observation.commitment_id == commitment_id)
        .order_by(Article.published_at, Article.id, Measure.ordinal)
    )
    changes = {c["id"]: c for c in list_changes(session, commitment_id=commitment_id)}
    return {
        "id": commitment.id,
        "event_id": commitment.event_id,
        "actor": commitment.actor,
        "text": commitment.text,
        "fields": commitment.fields,
        "history": [
            {
                "outcome": observation.outcome,
                "measure_id": measure.id,
                "text": measure.text,
                "quantities": measure.quantities,
                "periods": measure.periods,
                "source": source_of(article, origin, copy_of),
            }
            for observation, measure, article, origin, copy_of in rows
        ],
        "changes": [
            {key: c[key] for key in ("id", "kind", "detected_at", "before", "after", "history")}
            for c in changes.values()
        ],
    }


def commitment_histories(session: Session, ids: Collection[int]) -> dict[int, dict[str, Any]]:
    """commitment_history of many commitments, by id, in three queries a thousand: what the
    commitment pages are written from (one query a commitment took 5.7 s for 2,197 pages)."""
    found: dict[int, dict[str, Any]] = {}
    for chunk in _chunks(ids):
        for commitment in session.scalars(select(Commitment).where(Commitment.id.in_(chunk))):
            found[commitment.id] = {
                "id": commitment.id,
                "event_id": commitment.event_id,
                "actor": commitment.actor,
                "text": commitment.text,
                "fields": commitment.fields,
                "history": [],
                "changes": [],
            }
        rows = session.execute(
            select(Observation, Measure, Article, Capture.origin, CopyLink.canonical_id)
            .join(Measure, Measure.id == Observation.measure_id)
            .join(Article, Article.id == Measure.article_id)
            .join(Capture, Capture.id == Article.capture_id)
            .outerjoin(CopyLink, CopyLink.article_id == Article.id)
            .where(Observation.commitment_id.in_(chunk))
            .order_by(Article.published_at, Article.id, Measure.ordinal)
        )
        for observation, measure, article, origin, copy_of in rows:
            found[observation.commitment_id]["history"].append(
                {
                    "outcome": observation.outcome,
                    "measure_id": measure.id,
                    "text": measure.text,
                    "quantities": measure.quantities,
                    "periods": measure.periods,
                    "source": source_of(article, origin, copy_of),
                }
            )
        changes = select(
            Change.id,
            Change.commitment_id,
            Change.kind,
            Change.detected_at,
            Change.before,
            Change.after,
            Change.history,
        ).where(Change.commitment_id.in_(chunk))
        for row in session.execute(changes.order_by(Change.id)):
            found[row.commitment_id]["changes"].append(
                {
                    "id": row.id,
                    "kind": row.kind,
                    "detected_at": iso(row.detected_at),
                    "before": row.before,
                    "after": row.after,
                    "history": row.history,
                }
            )
    return found


def _commitment_sources(session: Session, ids: set[int]) -> dict[int, list[dict[str, Any]]]:
    """Where each commitment was reported, in publication order. An article reports several
    commitments: each article is read and described once, and each commitment gets its own
    copy of the description."""
    result: dict[int, list[dict[str, Any]]] = defaultdict(list)
    if not ids:
        return result
    reports = (
        select(Observation.commitment_id, Measure.article_id)
        .join(Measure, Measure.id == Observation.measure_id)
        .join(Article, Article.id == Measure.article_id)
        .order_by(Article.published_at, Article.id)
    )
    pairs: list[tuple[int, int]] = []
    for chunk in _chunks(ids):
        pairs += _columns(session, reports.where(Observation.commitment_id.in_(chunk))).tuples()
    articles = (
        select(*_SOURCE_COLUMNS, Capture.origin, CopyLink.canonical_id)
        .join(Capture, Capture.id == Article.capture_id)
        .outerjoin(CopyLink, CopyLink.article_id == Article.id)
    )
    described: dict[int, dict[str, Any]] = {}
    for chunk in _chunks({article_id for _, article_id in pairs}):
        for row in _columns(session, articles.where(Article.id.in_(chunk))):
            described[row.id] = source_of(row, row.origin, row.canonical_id)
    # a commitment's reports all come in one chunk, in publication order
    for commitment_id, article_id in pairs:
        result[commitment_id].append(dict(described[article_id]))
    return result


def list_failures(session: Session, run_id: int | None = None) -> list[dict[str, Any]]:
    """Recorded failures, newest first (of one run, if given)."""
    query = select(Failure).order_by(Failure.id.desc())
    if run_id is not None:
        query = query.where(Failure.run_id == run_id)
    failures = session.scalars(query)
    return [
        {
            "id": f.id,
            "run_id": f.run_id,
            "stage": f.stage,
            "source": f.source,
            "origin": f.origin,
            "capture_id": f.capture_id,
            "reason": f.reason,
            "created_at": iso(f.created_at),
        }
        for f in failures
    ]
