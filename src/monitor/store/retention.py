"""Retention: the raw bytes of old captures that nothing needs any more are dropped.

A capture's row stays (its address, hash, size and dates, and its failure records), so the same
bytes fetched again are still known and not stored twice; only its raw bytes go, and with them
the means to re-extract it (`monitor reprocess` leaves its article as it is). Kept whole is
every capture that an article, a change or a digest cites:

- a capture whose article holds text no earlier capture of the same address holds;
- a capture whose article has a measure a change (NEW or CHANGED, and so a digest) points at.

Dropped, once older than the retention period: captures that gave no article (rejected: the
failure record says why), and re-captures of an address whose article text is the same as an
earlier capture's (only the page's furniture changed), unless a change cites them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Select, func, select, update
from sqlalchemy.orm import aliased

from monitor.outcomes import CaptureStatus
from monitor.store.db import Database
from monitor.store.models import Article, Capture, Change, Measure, utcnow

_BATCH = 500


@dataclass(frozen=True)
class Pruned:
    """What a prune dropped (or would drop, on a dry run)."""

    rejected: int  # captures that gave no article
    recaptured: int  # captures whose article text an earlier capture of the address holds
    bytes: int  # raw bytes as received (before compression)


def prune_captures(db: Database, older_than: timedelta, dry_run: bool = False) -> Pruned:
    """Drop the raw bytes of captures stored before now - older_than that nothing cites."""
    cutoff = utcnow() - older_than
    with db.transaction() as session:
        rejected = list(session.execute(_rejected(cutoff)))
        recaptured = list(session.execute(_recaptured(cutoff)))
        if not dry_run:
            ids = [row.id for row in rejected + recaptured]
            for start in range(0, len(ids), _BATCH):
                batch = ids[start : start + _BATCH]
                session.execute(
                    update(Capture)
                    .where(Capture.id.in_(batch))
                    .values(raw=b"", status=CaptureStatus.PRUNED)
                )
    return Pruned(len(rejected), len(recaptured), sum(row.size for row in rejected + recaptured))


def _rejected(cutoff: datetime) -> Select[tuple[int, int]]:
    """Old captures that gave no article."""
    return select(Capture.id, Capture.size).where(
        Capture.status == CaptureStatus.REJECTED, Capture.stored_at < cutoff
    )


def _recaptured(cutoff: datetime) -> Select[tuple[int, int]]:
    """Old captures whose article text an earlier capture of the same address holds, and whose
    measures no change cites."""
    earlier = aliased(Article)
    earlier_capture = aliased(Capture)
    same_text_before = (
        select(earlier.id)
        .join(earlier_capture, earlier_capture.id == earlier.capture_id)
        .where(
            earlier.body_sha256 == Article.body_sha256,
            earlier_capture.origin == Capture.origin,
            earlier.id < Article.id,
        )
        .exists()
    )
    cited = (
        select(func.count(Change.id))
        .join(Measure, Measure.id == Change.measure_id)
        .where(Measure.article_id == Article.id)
        .scalar_subquery()
    )
    return (
        select(Capture.id, Capture.size)
        .join(Article, Article.capture_id == Capture.id)
        .where(
            Capture.status == CaptureStatus.EXTRACTED,
            Capture.stored_at < cutoff,
            same_text_before,
            cited == 0,
        )
    )
