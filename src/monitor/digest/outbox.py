"""Digests per recipient, delivered exactly once.

A change is delivered to a recipient when a digest that carries it was sent to them. Each
send first records the digest and the changes it carries (status "sending"), then sends, then
marks it "sent" or "failed". The changes of a failed or interrupted send stay pending, so the
next digest carries them; a sent digest is never sent again unless resent on purpose.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from monitor.collector import fewer_collections
from monitor.config import DIGEST_MAX_ITEMS, Recipient, Settings
from monitor.digest.compose import compose_message
from monitor.digest.deliver import send_message
from monitor.digest.render import RenderedDigest, render_digest, resent_subject, split_changes
from monitor.errors import DigestError
from monitor.notify import NotifyError, notify
from monitor.store import Database
from monitor.store.bulk import insert_rows
from monitor.store.models import Change, Digest, DigestItem, utcnow
from monitor.store.queries import (
    commitment_titles,
    event_summaries,
    list_changes,
    list_events,
    pending_changes,
    run_health,
)


@dataclass(frozen=True)
class Delivery:
    """What happened to one recipient's digest."""

    recipient: str
    status: str  # sent | failed | skipped | resent
    changes: int
    digest_id: int | None = None
    reason: str | None = None


def preview_digest(
    db: Database, day: date, max_items: int = DIGEST_MAX_ITEMS, site_url: str | None = None
) -> RenderedDigest:
    """The digest of every change not yet delivered to anyone, as it would read; sends nothing."""
    with db.sessions() as session:
        changes, events, health = digest_contents(session, None, None, max_items)
        return render_digest(day, changes, events, health, max_items, site_url=site_url)


def send_digests(
    db: Database, settings: Settings, day: date, secret: Callable[[str], str] | None = None
) -> list[Delivery]:
    """Send each configured recipient the changes not yet delivered to them: by email, and
    its summary to the chat and push services it names (Apprise URLs).

    Args:
        secret: reads a Prefect Secret block a notify URL names (${secret:name}).
    """
    if not settings.recipients:
        raise DigestError("no digest recipients are configured ([digest] recipients)")
    return [_send_one(db, settings, recipient, day, secret) for recipient in settings.recipients]


def _send_one(
    db: Database,
    settings: Settings,
    recipient: Recipient,
    day: date,
    secret: Callable[[str], str] | None = None,
) -> Delivery:
    with db.transaction() as session:
        since = _last_sent_at(session, recipient)
        changes, events, health = digest_contents(
            session, recipient, since, settings.digest_max_items
        )
        if not changes and (settings.quiet_day == "skip" or _sent_on(session, recipient, day)):
            return Delivery(recipient.address, "skipped", 0, reason="no new or changed commitments")
        digest = Digest(day=day, subject="", recipient=recipient.address)
        session.add(digest)
        session.flush()  # its id, which the email names for the changes it does not show
        rendered = render_digest(
            day,
            changes,
            events,
            health,
            settings.digest_max_items,
            digest.id,
            settings.site_base_url,
        )
        message = compose_message(rendered, settings.smtp.sender, recipient.address)
        digest.subject, digest.message = rendered.subject, bytes(message)
        if changes:  # one executemany: a backlog's digest carries hundreds of thousands
            rows = [{"digest_id": digest.id, "change_id": c["id"]} for c in changes]
            insert_rows(session, DigestItem, rows)
        digest_id = digest.id
    try:
        if recipient.emailed:
            send_message(message, settings.smtp)
        if recipient.notify:
            notify(recipient.notify, rendered.subject, rendered.text, secret)
    except (DigestError, NotifyError) as exc:
        _finish(db, digest_id, "failed", str(exc))
        return Delivery(recipient.address, "failed", len(changes), digest_id, str(exc))
    _finish(db, digest_id, "sent", None)
    return Delivery(recipient.address, "sent", len(changes), digest_id)


def resend_digests(db: Database, settings: Settings, day: date) -> list[Delivery]:
    """Send again, unchanged, the digests of `day` that were sent."""
    from email import message_from_bytes, policy

    with db.sessions() as session:
        sent = list(
            session.scalars(
                select(Digest).where(Digest.day == day, Digest.status == "sent").order_by(Digest.id)
            )
        )
    if not sent:
        raise DigestError(f"no digest was sent on {day.isoformat()}")
    deliveries = []
    for digest in sent:
        if "@" not in digest.recipient:
            reason = "reached by chat only: a chat message is not sent again"
            deliveries.append(Delivery(digest.recipient, "skipped", 0, digest.id, reason))
            continue
        message = message_from_bytes(digest.message or b"", policy=policy.SMTP)
        subject = str(message["Subject"] or "")
        del message["Subject"]
        message["Subject"] = resent_subject(subject)
        send_message(message, settings.smtp)
        with db.transaction() as session:
            session.get_one(Digest, digest.id).resent_at = utcnow()
        items = _item_count(db, digest.id)
        deliveries.append(Delivery(digest.recipient, "resent", items, digest.id))
    return deliveries


def _finish(db: Database, digest_id: int, status: str, error: str | None) -> None:
    with db.transaction() as session:
        digest = session.get_one(Digest, digest_id)
        digest.status, digest.error = status, error
        if status != "sent":
            return
        digest.delivered_at = utcnow()
        carried = select(DigestItem.change_id).where(DigestItem.digest_id == digest_id)
        session.execute(
            update(Change)
            .where(Change.id.in_(carried), Change.digest_id.is_(None))
            .values(digest_id=digest_id)
            .execution_options(synchronize_session=False)
        )


def digest_contents(
    session: Session,
    recipient: Recipient | None,
    since: datetime | None,
    max_items: int = DIGEST_MAX_ITEMS,
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, Any]]:
    """What a digest carries: the changes not yet delivered (to `recipient`, those it asks
    for; or to anyone), the events they belong to, and the runs and failures since `since`.

    The changes it shows (render.split_changes with `max_items`) are rows of list_changes, with
    their events in full; the rest, which it only counts, are summaries
    (queries.pending_changes), with their events' titles and dates. A backlog carries hundreds
    of thousands: read in full, 511,009 took 58 s. The reads run with fewer cycle collections
    (a third of their time at a million stored articles).
    """
    with fewer_collections():
        pending = pending_changes(session, None if recipient is None else recipient.address)
        if recipient is not None:
            titles = (
                commitment_titles(session, {c["commitment_id"] for c in pending})
                if recipient.topics
                else {}
            )
            pending = [c for c in pending if _wanted(recipient, c, titles)]
        shown, rest = split_changes(pending, max_items)
        full = {c["id"]: c for c in list_changes(session, change_ids=[c["id"] for c in shown])}
        events = list_events(session, {c["event_id"] for c in shown})
        counted = {c["event_id"] for c in rest} - {e["id"] for e in events}
        if counted:
            events += event_summaries(session, counted)
        changes = [full.get(c["id"], c) for c in pending]
        return changes, events, run_health(session, since)


def _wanted(recipient: Recipient, change: dict[str, Any], titles: dict[int, list[str]]) -> bool:
    """Whether the recipient asks for the change: its actor, and a topic in its text or in the
    title of an article that reported its commitment."""
    if recipient.actors and change["actor"] not in recipient.actors:
        return False
    if recipient.topics:
        reported = " ".join(titles.get(change["commitment_id"], ()))
        return any(word in change["text"] or word in reported for word in recipient.topics)
    return True


def _sent_on(session: Session, recipient: Recipient, day: date) -> bool:
    return (
        session.scalar(
            select(Digest.id)
            .where(Digest.recipient == recipient.address, Digest.day == day)
            .where(Digest.status == "sent")
            .limit(1)
        )
        is not None
    )


def _last_sent_at(session: Session, recipient: Recipient) -> datetime | None:
    return session.scalar(
        select(Digest.created_at)
        .where(Digest.recipient == recipient.address, Digest.status == "sent")
        .order_by(Digest.created_at.desc())
        .limit(1)
    )


def _item_count(db: Database, digest_id: int) -> int:
    with db.sessions() as session:
        return len(
            session.scalars(select(DigestItem.id).where(DigestItem.digest_id == digest_id)).all()
        )
