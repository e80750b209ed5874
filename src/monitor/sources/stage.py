"""The storage stage: every raw capture kept, content-addressed, before anything reads it;
what could not be read recorded as a failure with its reason."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from monitor.run import StageResult, split_by_size
from monitor.sources.base import Item, RawCapture, Skipped, SourceFailure, Unchanged
from monitor.store import Database, storable
from monitor.store.models import Capture, Failure, FetchState, utcnow

log = logging.getLogger(__name__)


def store_captures(db: Database, items: Iterable[Item], run_id: int | None) -> StageResult:
    """Keep every raw capture, content-addressed; record unreadable ones as failures."""
    result = StageResult("store")
    sized = ((item, len(item.data) if isinstance(item, RawCapture) else 0) for item in items)
    for batch in split_by_size(sized):
        _store_batch(db, batch, run_id, result)
    return result


def known_validators(db: Database) -> dict[str, tuple[str | None, str | None]]:
    """(ETag, Last-Modified) of every URL fetched before, for conditional GET."""
    with db.sessions() as session:
        rows = session.execute(select(FetchState.url, FetchState.etag, FetchState.last_modified))
        return {url: (etag, modified) for url, etag, modified in rows}


def _store_batch(db: Database, batch: list[Item], run_id: int | None, result: StageResult) -> None:
    rows: dict[str, dict[str, object]] = {}
    with db.transaction() as session:
        for item in batch:
            if isinstance(item, Unchanged):
                result.add("unchanged")
                continue
            if isinstance(item, Skipped):
                log.info("skipped %s: %s", item.origin, item.reason)
                result.add("skipped")
                continue
            if isinstance(item, SourceFailure):
                session.add(
                    Failure(
                        run_id=run_id,
                        source=item.source,
                        origin=storable(item.origin),
                        stage="source",
                        reason=storable(item.reason),
                    )
                )
                result.add("failures")
                continue
            result.add("captures")
            if item.etag or item.last_modified:
                _remember_validators(session, item)
            rows.setdefault(
                item.sha256,
                {
                    "sha256": item.sha256,
                    "source": item.source,
                    "origin": storable(item.origin),
                    "media_type": item.media_type,
                    "captured_at": item.captured_at,
                    "size": len(item.data),
                    "raw": item.data,
                    "outlet_hint": item.outlet_hint,
                    "run_id": run_id,
                },
            )
        if rows:
            result.add("captures_new", _insert_new(session, list(rows.values())))


def _insert_new(session: Session, rows: list[dict[str, object]]) -> int:
    """Insert the captures whose content is not stored yet; how many were new.

    The unique index on the hash decides, in the same statement: no lookup first, which on
    PostgreSQL was planned as a scan of the whole table while its statistics were not yet
    gathered (a first backfill), and no race with another run storing the same page.
    """
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(Capture).on_conflict_do_nothing(index_elements=["sha256"]).returning(Capture.id)
    )
    return len(session.execute(statement, rows).all())


def _remember_validators(session: Session, item: RawCapture) -> None:
    # in the capture's own transaction: a crash loses both, so the page is fetched again
    url = storable(item.origin)
    state = session.scalar(select(FetchState).where(FetchState.url == url))
    if state is None:
        state = FetchState(url=url, sha256=item.sha256)
        session.add(state)
    state.etag, state.last_modified, state.sha256 = item.etag, item.last_modified, item.sha256
    state.fetched_at = item.captured_at or utcnow()
