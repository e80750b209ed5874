"""SQLAlchemy models: the database is the pipeline's source of truth.

Every stage writes rows keyed by content hashes or by the row it was derived from, under unique
constraints, so re-running a stage (or a whole run after a crash) never duplicates anything.
"""

from __future__ import annotations

import zlib
from datetime import UTC, date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

from monitor.outcomes import CaptureStatus


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware datetimes in, aware UTC datetimes out, on SQLite and PostgreSQL alike."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: give a timezone")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# What begins a page compressed by CompressedBytes (a NUL first: no text page begins so)
_COMPRESSED = b"\x00policy-monitor:zlib\x00"


class CompressedBytes(TypeDecorator[bytes]):
    """Raw pages compressed where the database does not compress them itself: SQLite gets
    them through zlib (level 1: a page of 120 KB in about a millisecond, a quarter of its
    size), PostgreSQL compresses long values itself (lz4, migration 0007). Read back as they
    were received, whichever way they were stored (pages stored before are read as they are)."""

    impl = LargeBinary
    cache_ok = True

    def process_bind_param(self, value: bytes | None, dialect: Dialect) -> bytes | None:
        if value is None or dialect.name != "sqlite":
            return value
        return _COMPRESSED + zlib.compress(value, 1)

    def process_result_value(self, value: bytes | None, dialect: Dialect) -> bytes | None:
        if value is None:
            return None
        value = bytes(value)
        if value.startswith(_COMPRESSED):
            return zlib.decompress(value[len(_COMPRESSED) :])
        return value


class Base(DeclarativeBase):
    """Declarative base of all policy-monitor tables."""

    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime,
        dict[str, Any]: JSON,
        list[Any]: JSON,
    }


class Run(Base):
    """One pass of the pipeline, with what it did."""

    __tablename__ = "runs"
    id: Mapped[int] = mapped_column(primary_key=True)
    trigger: Mapped[str] = mapped_column(String(32))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(16), default="running")
    counts: Mapped[dict[str, Any]] = mapped_column(default=dict)


class Capture(Base):
    """A raw capture exactly as received, content-addressed by its SHA-256."""

    __tablename__ = "captures"
    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    source: Mapped[str] = mapped_column(String(100))
    origin: Mapped[str] = mapped_column(Text)
    media_type: Mapped[str] = mapped_column(String(64))
    captured_at: Mapped[datetime | None]
    stored_at: Mapped[datetime] = mapped_column(default=utcnow)
    size: Mapped[int] = mapped_column(Integer)
    raw: Mapped[bytes] = mapped_column(CompressedBytes)
    outlet_hint: Mapped[str | None] = mapped_column(String(100))
    # new -> extracted | rejected
    status: Mapped[str] = mapped_column(String(16), default=CaptureStatus.NEW, index=True)
    error: Mapped[str | None] = mapped_column(Text)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("runs.id"))


class Article(Base):
    """The article extracted from one capture."""

    __tablename__ = "articles"
    id: Mapped[int] = mapped_column(primary_key=True)
    capture_id: Mapped[int] = mapped_column(ForeignKey("captures.id"), unique=True)
    url: Mapped[str | None] = mapped_column(Text)
    title: Mapped[str] = mapped_column(Text)
    title_derived: Mapped[bool] = mapped_column(Boolean, default=False)
    body: Mapped[str] = mapped_column(Text)
    body_sha256: Mapped[str] = mapped_column(String(64), index=True)
    outlet: Mapped[str | None] = mapped_column(String(100))
    original_source: Mapped[str | None] = mapped_column(String(100))
    published_at: Mapped[datetime | None] = mapped_column(index=True)
    # ISO 8601 of what the page says: "2021-01-20T13:38", or "--01-20" when it gives no year
    date_text: Mapped[str | None] = mapped_column(String(32))
    date_source: Mapped[str | None] = mapped_column(String(16))
    reporter: Mapped[str | None] = mapped_column(String(200))
    editor: Mapped[str | None] = mapped_column(String(200))
    extractor: Mapped[str] = mapped_column(String(32))
    signature: Mapped[bytes | None] = mapped_column(LargeBinary)
    # distinct shingles of the body, set with the signature: with it, signatures screen copy
    # candidates before their bodies are read (None for articles signed before it was kept)
    shingle_count: Mapped[int | None]
    # what the article says about its event (dedup.events.EventFeatures): the topic words from
    # extraction, the rest from the events stage
    features: Mapped[dict[str, Any] | None]
    # pipeline progress: each stage sets its flag in the transaction that stores its output
    dedup_done: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    event_done: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    measures_done: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    capture: Mapped[Capture] = relationship()


class CopyLink(Base):
    """Article -> the canonical article it is a near-identical copy of."""

    __tablename__ = "copies"
    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id"), unique=True)
    canonical_id: Mapped[int] = mapped_column(ForeignKey("articles.id"), index=True)
    similarity: Mapped[float] = mapped_column(Float)
    method: Mapped[str] = mapped_column(String(16))


class Event(Base):
    """One real-world event (a press conference, an announcement) and the reports of it."""

    __tablename__ = "events"
    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date | None] = mapped_column(Date, index=True)
    month_day: Mapped[str] = mapped_column(String(5), index=True)
    title: Mapped[str] = mapped_column(Text)
    features: Mapped[dict[str, Any]] = mapped_column(default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class EventArticle(Base):
    """Membership of an article in an event."""

    __tablename__ = "event_articles"
    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), index=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id"), unique=True)
    score: Mapped[float] = mapped_column(Float)


class Measure(Base):
    """One measure (an enumerated item or a commitment sentence) of an article."""

    __tablename__ = "measures"
    __table_args__ = (UniqueConstraint("article_id", "ordinal"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    # looked up by article through the unique constraint's index, whose first column it is
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id"))
    ordinal: Mapped[int] = mapped_column(Integer)
    marker: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    masked_sha256: Mapped[str] = mapped_column(String(64), index=True)
    actor: Mapped[str | None] = mapped_column(String(100))
    action: Mapped[str | None] = mapped_column(String(32))
    object: Mapped[str | None] = mapped_column(Text)
    quantities: Mapped[list[Any]] = mapped_column(default=list)
    periods: Mapped[list[Any]] = mapped_column(default=list)
    kind: Mapped[str] = mapped_column(String(16))
    # what a target measures (its indicator) or the policy an undertaking is about
    subject: Mapped[str | None] = mapped_column(Text)

    article: Mapped[Article] = relationship()


class PendingMeasure(Base):
    """A measure tracking has still to follow: a row is added with the measure and deleted
    when it is tracked (or the measure retracted), in the transactions that do so.

    A row of its own rather than a flag of the measure: on PostgreSQL flagging a measure wrote
    a new version of its whole row with an entry in each of its indexes, where deleting this
    row only marks it gone. No foreign key: its check, a trigger a row on PostgreSQL, took two
    thirds of the rows' insert, and tracking reads them joined to their measures."""

    __tablename__ = "pending_measures"
    measure_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)


class Commitment(Base):
    """One promise followed over time; its fields are those of its latest version."""

    __tablename__ = "commitments"
    id: Mapped[int] = mapped_column(primary_key=True)
    # not indexed: versions are matched by their measures' hashes (migration 0009)
    masked_sha256: Mapped[str] = mapped_column(String(64))
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id"), index=True)
    actor: Mapped[str | None] = mapped_column(String(100), index=True)
    text: Mapped[str] = mapped_column(Text)
    fields: Mapped[dict[str, Any]] = mapped_column(default=dict)
    first_published_at: Mapped[datetime | None]
    last_published_at: Mapped[datetime | None]
    latest_measure_id: Mapped[int] = mapped_column(ForeignKey("measures.id"))
    # kind, actor and subject of a commitment recognised by what it measures (track.identity)
    identity: Mapped[str | None] = mapped_column(Text, index=True)


class Observation(Base):
    """A measure seen as a version of a commitment: new, changed, reaffirmed or a copy."""

    __tablename__ = "observations"
    id: Mapped[int] = mapped_column(primary_key=True)
    commitment_id: Mapped[int] = mapped_column(ForeignKey("commitments.id"), index=True)
    measure_id: Mapped[int] = mapped_column(ForeignKey("measures.id"), unique=True)
    published_at: Mapped[datetime | None]
    outcome: Mapped[str] = mapped_column(String(16))

    commitment: Mapped[Commitment] = relationship()


class Digest(Base):
    """One digest email to one recipient: what it said, and whether and when it went out."""

    __tablename__ = "digests"
    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    subject: Mapped[str] = mapped_column(Text)
    delivered_at: Mapped[datetime | None]
    recipient: Mapped[str] = mapped_column(String(320), default="", server_default="", index=True)
    # sending -> sent | failed
    status: Mapped[str] = mapped_column(String(16), default="sending", server_default="sending")
    error: Mapped[str | None] = mapped_column(Text)
    # the message exactly as sent (RFC 5322 bytes), so that a resend is the same email
    message: Mapped[bytes | None] = mapped_column(LargeBinary)
    resent_at: Mapped[datetime | None]


class DigestItem(Base):
    """A change carried by a digest: delivered to its recipient once the digest is sent."""

    __tablename__ = "digest_items"
    __table_args__ = (UniqueConstraint("digest_id", "change_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    digest_id: Mapped[int] = mapped_column(ForeignKey("digests.id"), index=True)
    change_id: Mapped[int] = mapped_column(ForeignKey("changes.id"), index=True)


class Change(Base):
    """A flag for analysts: a commitment is NEW or CHANGED, with the fields before and after."""

    __tablename__ = "changes"
    __table_args__ = (UniqueConstraint("commitment_id", "measure_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    # looked up by commitment through the unique constraint's index, whose first column it is
    commitment_id: Mapped[int] = mapped_column(ForeignKey("commitments.id"))
    measure_id: Mapped[int] = mapped_column(ForeignKey("measures.id"))
    kind: Mapped[str] = mapped_column(String(8))
    detected_at: Mapped[datetime] = mapped_column(default=utcnow)
    before: Mapped[dict[str, Any] | None]
    after: Mapped[dict[str, Any]]
    digest_id: Mapped[int | None] = mapped_column(ForeignKey("digests.id"), index=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("runs.id"))
    # Set on changes written when an older version arrived after newer ones (a backfill): they
    # complete the history in publication order but are not news, so no digest flags them.
    history: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    commitment: Mapped[Commitment] = relationship()
    measure: Mapped[Measure] = relationship()


class Failure(Base):
    """Bad input recorded against its capture or source, with a clear reason."""

    __tablename__ = "failures"
    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("runs.id"), index=True)
    source: Mapped[str] = mapped_column(String(100))
    origin: Mapped[str] = mapped_column(Text)
    capture_id: Mapped[int | None] = mapped_column(ForeignKey("captures.id"))
    stage: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class FetchState(Base):
    """What a URL returned last time: its validators, for the next conditional GET."""

    __tablename__ = "fetch_state"
    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(2048), unique=True)
    etag: Mapped[str | None] = mapped_column(String(512))
    last_modified: Mapped[str | None] = mapped_column(String(64))
    sha256: Mapped[str] = mapped_column(String(64))
    fetched_at: Mapped[datetime] = mapped_column(default=utcnow)
