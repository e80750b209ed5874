"""Re-extract stored raw captures after an extractor improved; the later stages follow.

Nothing is fetched again: the raw bytes are in the database. An article that comes out the same
is left alone. One that comes out differently is updated, and everything derived from it (copy
links, event membership, measures and what tracking made of them) is taken back, so that the
ordinary stages derive it again on the next pass.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.extract import ArticleDraft, Rejection
from monitor.extract.parallel import extract_many
from monitor.extract.stage import article_values, capture_input, reject
from monitor.outcomes import CaptureStatus
from monitor.run import RunContext, StageResult, sized_batches
from monitor.store import Database
from monitor.store.models import (
    Article,
    Capture,
    Measure,
)
from monitor.undo import retract_article, retract_measures

# What makes two extractions of one capture the same article.
_COMPARED = ("title", "body", "outlet", "original_source", "date_text", "reporter", "editor")


def reprocess_captures(db: Database, context: RunContext) -> StageResult:
    """Extract every stored capture again; return how many articles were new, changed,
    retracted or unchanged."""
    result = StageResult("reprocess")
    # a pruned capture's raw bytes are gone (store.retention): its article stays as it is
    kept = Capture.status.in_((CaptureStatus.EXTRACTED, CaptureStatus.REJECTED))
    query = select(Capture.id, Capture.size).where(kept).order_by(Capture.id)
    for ids in context.batches("reprocess", list(sized_batches(db, query))):
        with db.transaction() as session:
            captures = list(
                session.scalars(select(Capture).where(Capture.id.in_(ids)).order_by(Capture.id))
            )
            drafts = extract_many([capture_input(c) for c in captures], context.extract_workers)
            for capture, draft in zip(captures, drafts, strict=True):
                result.add(_reprocess(session, capture, draft, context))
    return result


def _reprocess(
    session: Session, capture: Capture, draft: ArticleDraft | Rejection, context: RunContext
) -> str:
    article = session.scalar(select(Article).where(Article.capture_id == capture.id))
    if isinstance(draft, Rejection):
        if article is None:
            return "unchanged"
        retract_article(session, article, context)
        retract_measures(
            session,
            list(session.scalars(select(Measure.id).where(Measure.article_id == article.id))),
            context,
        )
        session.delete(article)
        reject(session, capture, draft.reason, context)
        return "retracted"
    values = article_values(draft)
    if article is None:
        capture.status, capture.error = CaptureStatus.EXTRACTED, None
        session.add(Article(capture_id=capture.id, **values))
        return "articles"
    if all(getattr(article, key) == values[key] for key in _COMPARED):
        return "unchanged"
    retract_article(session, article, context)
    for key, value in values.items():
        setattr(article, key, value)
    # features: the new topic words, the events stage adds the rest
    article.signature, article.shingle_count = None, None
    article.dedup_done = article.event_done = article.measures_done = False
    return "reextracted"
