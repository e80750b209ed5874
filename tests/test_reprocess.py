"""Re-extracting stored captures after an extractor improved: nothing refetched, later stages
follow, unchanged commitments keep their history and flag nothing."""

from dataclasses import replace

from sqlalchemy import func, select

from monitor.extract import ArticleDraft, Rejection, parallel
from monitor.pipeline import reprocess_pipeline, run_pipeline
from monitor.store.models import Article, Capture, Change, Commitment, Measure
from tests.test_tracking import _state


def _count(db, model) -> int:
    with db.sessions() as session:
        return session.scalar(select(func.count()).select_from(model))


def test_reprocessing_with_the_same_extractor_changes_nothing(db, seed_captures):
    run_pipeline(db, seed_captures, "test")
    before = _state(db)
    counts = reprocess_pipeline(db, "test")
    assert counts["unchanged"] == 2
    assert counts.get("NEW", 0) == counts.get("CHANGED", 0) == 0
    assert _state(db) == before


def _without_last_item(capture):
    draft = real(capture)
    if isinstance(draft, ArticleDraft) and "第六," in draft.body:
        return replace(draft, body=draft.body[: draft.body.index("\n第六,")])
    return draft


# the extractor both the extraction and the reprocessing stage call
real = parallel.extract_article


def test_an_improved_extractor_recovers_a_lost_item_and_keeps_the_rest(
    db, seed_captures, monkeypatch
):
    monkeypatch.setattr(parallel, "extract_article", _without_last_item)
    first = run_pipeline(db, seed_captures, "test")
    assert (first["measures"], first["NEW"]) == (10, 10)
    with db.sessions() as session:
        new_before = {c.id for c in session.scalars(select(Change))}

    monkeypatch.undo()  # the extractor improves
    counts = reprocess_pipeline(db, "test")
    assert (counts["reextracted"], counts["unchanged"]) == (1, 1)
    assert (counts["measures"], counts["NEW"], counts.get("CHANGED", 0)) == (1, 1, 0)
    assert _count(db, Measure) == _count(db, Commitment) == 11
    with db.sessions() as session:
        changes = session.scalars(select(Change)).all()
    assert new_before <= {c.id for c in changes}  # the earlier NEW flags were kept, not redone
    assert _count(db, Capture) == 2  # nothing was fetched or stored again


def test_a_capture_that_becomes_readable_joins_and_one_that_stops_is_retracted(
    db, seed_captures, monkeypatch
):
    def reject_people(capture):
        if "001_72ddc1701e8a334b" in capture.origin:
            return Rejection("no article body: an older extractor")
        return real(capture)

    monkeypatch.setattr(parallel, "extract_article", reject_people)
    run_pipeline(db, seed_captures, "test")
    assert _count(db, Article) == 1
    monkeypatch.undo()
    counts = reprocess_pipeline(db, "test")
    assert (counts["articles"], counts["NEW"]) == (1, 5)

    monkeypatch.setattr(parallel, "extract_article", reject_people)
    counts = reprocess_pipeline(db, "test")
    assert counts["retracted"] == 1
    assert (_count(db, Article), _count(db, Measure), _count(db, Commitment)) == (1, 6, 6)
