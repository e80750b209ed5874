"""Measures and commitments as tracking reads and writes them: columns, not ORM objects.

Shared by the batch runner (stage), its index of recent commitments and the replay of a history.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, aliased

from monitor import track
from monitor.store.models import Article, Commitment, CopyLink, Measure


@dataclass(slots=True, eq=False)
class Version:
    """A measure as tracking reads it: a version of a commitment, with what orders it."""

    id: int
    article_id: int
    actor: str | None
    text: str
    masked_sha256: str
    quantities: list
    periods: list
    published_at: datetime | None
    key: tuple[datetime, int, int]  # _order: the version's place in publication order
    identity: str | None  # track.identity: what the version measures, when it says
    copy: bool  # of an article syndicated by another outlet: it adds a source, flags nothing


def read_versions(session: Session, ids: Iterable[int] | Select) -> list[Version]:
    """Measures as versions, in one query: columns, not ORM objects (a batch reads a thousand,
    and the objects with their articles and captures cost more than the rest of tracking)."""
    canonical = aliased(Article)
    query = (
        select(
            Measure.id,
            Measure.article_id,
            Measure.actor,
            Measure.text,
            Measure.masked_sha256,
            Measure.quantities,
            Measure.periods,
            Article.published_at,
            Article.capture_id,
            Measure.ordinal,
            Measure.kind,
            Measure.subject,
            Article.outlet,
            canonical.outlet.label("original_outlet"),
        )
        .join(Article, Article.id == Measure.article_id)
        .outerjoin(CopyLink, CopyLink.article_id == Article.id)
        .outerjoin(canonical, canonical.id == CopyLink.canonical_id)
        .where(Measure.id.in_(ids))
    )
    return [
        Version(
            row.id,
            row.article_id,
            row.actor,
            row.text,
            row.masked_sha256,
            row.quantities,
            row.periods,
            row.published_at,
            _order(row.published_at, row.capture_id, row.ordinal),
            track.identity(row.kind, row.actor, row.subject),
            row.original_outlet is not None and row.original_outlet != row.outlet,
        )
        for row in session.execute(query)
    ]


def _order(published_at: datetime | None, capture_id: int, ordinal: int) -> tuple:
    """Order of versions: publication time (unknown last), then the order the captures were
    stored in, then position. Captures of one publication time are re-captures of one article
    (a correction, a page with new furniture): the later capture is the later version."""
    return (published_at or datetime.max.replace(tzinfo=UTC), capture_id, ordinal)


COMMITMENT_COLUMNS = (
    "id",
    "masked_sha256",
    "event_id",
    "actor",
    "text",
    "fields",
    "first_published_at",
    "last_published_at",
    "latest_measure_id",
    "identity",
)


@dataclass(slots=True, eq=False)
class BatchCommitment:
    """A commitment as tracking keeps it in a batch: its columns, written at the batch's end
    (inserted if the batch made it, else updated if `dirty`)."""

    id: int
    masked_sha256: str
    event_id: int | None
    actor: str | None
    text: str
    fields: dict
    first_published_at: datetime | None
    last_published_at: datetime | None
    latest_measure_id: int
    identity: str | None
    dirty: bool = False

    def row(self) -> dict:
        """The commitment's columns, as a row to insert or update."""
        return {name: getattr(self, name) for name in COMMITMENT_COLUMNS}

    def settled(self, commitment: Commitment) -> None:
        """Take the columns of the same commitment as the ORM left them (after a replay)."""
        for name in COMMITMENT_COLUMNS:
            setattr(self, name, getattr(commitment, name))
        self.dirty = False


def make_latest(commitment: Commitment | BatchCommitment, version: Version, fields: dict) -> None:
    """The version is the commitment's latest: the commitment says what it says."""
    commitment.text, commitment.fields, commitment.actor = version.text, fields, version.actor
    commitment.masked_sha256, commitment.latest_measure_id = version.masked_sha256, version.id
    commitment.last_published_at = version.published_at or commitment.last_published_at
    # known by its latest wording (铁路投资, then 铁路建设投资)
    commitment.identity = version.identity or commitment.identity


def change_row(
    measure_id: int,
    commitment_id: int,
    kind: str,
    before: dict | None,
    after: dict,
    run_id: int | None,
) -> dict:
    """The row of a change a version made."""
    return {
        "commitment_id": commitment_id,
        "measure_id": measure_id,
        "kind": kind,
        "before": before,
        "after": after,
        "run_id": run_id,
    }
