"""The extraction stage: the article of every stored capture not yet read, in batches spread
over the worker processes, or the reason it holds none."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from monitor.extract.article import ArticleDraft, CaptureInput
from monitor.extract.decode import Rejection
from monitor.extract.parallel import extract_many, extract_safely, in_workers
from monitor.outcomes import CaptureStatus
from monitor.run import RunContext, StageResult, sized_batches, stage
from monitor.store import Database, storable
from monitor.store.bulk import insert_rows, mark_done
from monitor.store.models import Article, Capture, Failure


@stage
def extract_pending(db: Database, context: RunContext) -> StageResult:
    """Extract the article of every capture not yet extracted.

    Several batches: each is extracted whole in a worker, a few batches ahead of the one
    stored, so that the workers extract while this process stores (batch after batch, the
    workers waited for each store: 2.3 s of a 16.4 s extraction of 10k captures). One batch:
    its pages are spread over the workers.
    """
    result = StageResult("extract")
    batches = extraction_batches(db)
    context.report(f"extract: {sum(len(ids) for ids in batches)} captures to read")
    if len(batches) < 2:
        for ids in context.batches("extract", batches):
            result = result + extract_batch(db, ids, context)
        return result
    inputs = _capture_inputs(db, batches)
    drafted = in_workers(extract_each, inputs, len(batches), context.extract_workers)
    total, done = sum(len(ids) for ids in batches), 0
    for ids, drafts in zip(context.batches("extract", batches), drafted, strict=True):
        done += len(ids)
        context.report(f"extract: {done} of {total} captures")
        with db.transaction() as session:
            made = dict(drafts)
            still_new = select(Capture.id).where(
                Capture.id.in_(ids), Capture.status == CaptureStatus.NEW
            )
            settled: dict[int, ArticleDraft | Rejection] = {}
            for capture_id in session.scalars(still_new.order_by(Capture.id)):
                draft = made.get(capture_id)
                if draft is None:  # made new since it was read: extracted here
                    draft = extract_safely(capture_input(session.get_one(Capture, capture_id)))
                settled[capture_id] = draft
            _settle(session, settled, context, result)
    return result


def _capture_inputs(
    db: Database, batches: list[list[int]]
) -> Iterator[list[tuple[int, CaptureInput]]]:
    """What the workers extract each batch from, read a batch at a time."""
    for ids in batches:
        with db.sessions() as session:
            inputs = [(c.id, capture_input(c)) for c in _new_captures(session, ids)]
        yield inputs  # the session closed: none is left open while the batch waits


def extract_each(
    inputs: list[tuple[int, CaptureInput]],
) -> list[tuple[int, ArticleDraft | Rejection]]:
    """In a worker: the article of each capture of a batch, by capture id."""
    return [(capture_id, extract_safely(capture)) for capture_id, capture in inputs]


def _new_captures(session: Session, ids: list[int]) -> list[Capture]:
    query = select(Capture).where(Capture.id.in_(ids), Capture.status == CaptureStatus.NEW)
    return list(session.scalars(query.order_by(Capture.id)))


def extraction_batches(db: Database) -> list[list[int]]:
    """The captures waiting for extraction, as batches that may run in parallel."""
    query = (
        select(Capture.id, Capture.size)
        .where(Capture.status == CaptureStatus.NEW)
        .order_by(Capture.id)
    )
    return list(sized_batches(db, query))


def extract_batch(db: Database, ids: list[int], context: RunContext) -> StageResult:
    """Extract the articles of some captures in one transaction; others may run at once.

    The pages are extracted over the worker processes of `context.extract_workers`.
    """
    result = StageResult("extract")
    with db.transaction() as session:
        captures = _new_captures(session, ids)
        drafts = extract_many([capture_input(c) for c in captures], context.extract_workers)
        _settle(session, {c.id: d for c, d in zip(captures, drafts, strict=True)}, context, result)
    return result


def _settle(
    session: Session,
    drafts: dict[int, ArticleDraft | Rejection],
    context: RunContext,
    result: StageResult,
) -> None:
    """Store the articles of captures (by id), or record why one has none.

    The articles in one statement and the captures flagged in another, not through the ORM,
    whose objects, each capture's raw bytes read again and, on SQLite, an INSERT an article
    (it gives no ids back from many rows) cost this process 3.0-3.2 s of CPU in extracting
    10k captures, against 1.8-2.1 s this way: CPU the extraction workers on the same cores
    go without.
    """
    articles = {i: d for i, d in drafts.items() if not isinstance(d, Rejection)}
    if articles:
        flagged = (
            update(Capture).where(Capture.id.in_(articles)).values(status=CaptureStatus.EXTRACTED)
        )
        mark_done(session, flagged)
        rows = [{"capture_id": i, **article_values(d)} for i, d in articles.items()]
        insert_rows(session, Article, rows)
        result.add("articles", len(rows))
    for capture_id, draft in drafts.items():
        if isinstance(draft, Rejection):
            reject(session, session.get_one(Capture, capture_id), draft.reason, context)
            result.add("failures")
        elif draft.decode_lost:
            _record_loss(session, session.get_one(Capture, capture_id), draft.decode_lost, context)
            result.add("lossy")


def capture_input(capture: Capture) -> CaptureInput:
    """What the extractor is given of a stored capture."""
    return CaptureInput(
        capture.raw, capture.media_type, capture.origin, capture.captured_at, capture.outlet_hint
    )


def reject(session: Session, capture: Capture, reason: str, context: RunContext) -> None:
    """Mark a capture as holding no article and record why, against this run."""
    reason = storable(reason)
    capture.status, capture.error = CaptureStatus.REJECTED, reason
    session.add(
        Failure(
            run_id=context.run_id,
            source=capture.source,
            origin=capture.origin,
            capture_id=capture.id,
            stage="extract",
            reason=reason,
        )
    )


def _record_loss(session: Session, capture: Capture, lost: str, context: RunContext) -> None:
    """Record what decoding a capture lost, though its article was read: against the capture
    (its error) and in `monitor failures` (stage decode), not as a failed input."""
    reason = storable(f"read with losses: {lost}")
    capture.error = reason
    session.add(
        Failure(
            run_id=context.run_id,
            source=capture.source,
            origin=capture.origin,
            capture_id=capture.id,
            stage="decode",
            reason=reason,
        )
    )


def article_values(draft: ArticleDraft) -> dict:
    """The columns of an Article row for an extracted draft, its text made storable."""
    values = _article_values(draft)
    values["features"] = {
        key: [storable(word) if isinstance(word, str) else word for word in words]
        for key, words in values["features"].items()
    }
    return {k: storable(v) if isinstance(v, str) else v for k, v in values.items()}


def _article_values(draft: ArticleDraft) -> dict:
    return {
        "url": draft.url,
        "title": draft.title,
        "title_derived": draft.title_derived,
        "body": draft.body,
        "body_sha256": _sha256(draft.body),
        "outlet": draft.outlet,
        "original_source": draft.original_source,
        "published_at": draft.published_at,
        "date_text": draft.published.text if draft.published else None,
        "date_source": "page" if draft.published_at else None,
        "reporter": draft.reporter,
        "editor": draft.editor,
        "extractor": draft.extractor,
        # the events stage completes the features; the topic words come from the workers
        "features": {"topics": list(draft.topics)}
        | ({"speaker": list(draft.speaker)} if draft.speaker else {}),
    }


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
