"""Render the digest with Jinja2: one HTML and one plain-text body from the same data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

_ENV = Environment(
    loader=PackageLoader("monitor.digest", "templates"),
    autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


@dataclass(frozen=True)
class RenderedDigest:
    """A digest ready to write or send."""

    day: date
    subject: str
    html: str
    text: str


def render_digest(
    day: date, changes: list[dict[str, Any]], events: list[dict[str, Any]]
) -> RenderedDigest:
    """Render the changes of a day, grouped by the event each commitment belongs to.

    Args:
        changes: rows of monitor.store.queries.list_changes.
        events: rows of monitor.store.queries.list_events (for titles, dates and outlets).
    """
    new = sum(1 for c in changes if c["kind"] == "NEW")
    changed = sum(1 for c in changes if c["kind"] == "CHANGED")
    subject = f"{day.isoformat()}: {new} new, {changed} changed commitments"
    context = {
        "subject": subject,
        "day": day.isoformat(),
        "new": new,
        "changed": changed,
        "groups": group_by_event(changes, events),
    }
    return RenderedDigest(
        day=day,
        subject=subject,
        html=_ENV.get_template("digest.html").render(context),
        text=_ENV.get_template("digest.txt").render(context),
    )


def group_by_event(
    changes: list[dict[str, Any]], events: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Changes grouped by event, events newest first, changes in detection order."""
    by_id = {event["id"]: event for event in events}
    groups: dict[int | None, dict[str, Any]] = {}
    for change in changes:
        event = by_id.get(change["event_id"], {})
        group = groups.setdefault(
            change["event_id"],
            {
                "title": event.get("title", "(no event)"),
                "date": event.get("date"),
                "outlets": sorted({a["outlet"] for a in event.get("articles", []) if a["outlet"]}),
                "changes": [],
            },
        )
        group["changes"].append(change)
    return sorted(groups.values(), key=lambda g: g["date"] or "", reverse=True)
