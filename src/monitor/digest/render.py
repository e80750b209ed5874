"""Render the digest with Jinja2: one HTML and one plain-text body from the same data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from monitor.config import DIGEST_MAX_ITEMS
from monitor.outcomes import ChangeKind


def environment(package: str) -> Environment:
    """The templates of a package (its templates/ folder) as every page of ours is made:
    HTML escaped, a missing value an error, no stray blank lines."""
    return Environment(
        loader=PackageLoader(package, "templates"),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


_ENV = environment("monitor.digest")


@dataclass(frozen=True)
class RenderedDigest:
    """A digest ready to write or send."""

    day: date
    subject: str
    html: str
    text: str


# Events of the changes not shown, listed with their counts (the most changes first).
_MORE_EVENTS = 30
# Sources listed under a commitment, the earliest first: a commitment repeated for months has
# hundreds (the 200 changes shown of a 100k backlog listed 31 KB of sources each), which
# `monitor commitment ID` lists in full.
_SOURCES_SHOWN = 10


def render_digest(
    day: date,
    changes: list[dict[str, Any]],
    events: list[dict[str, Any]],
    health: dict[str, Any] | None = None,
    max_items: int = DIGEST_MAX_ITEMS,
    digest_id: int | None = None,
    site_url: str | None = None,
) -> RenderedDigest:
    """Render the changes of a day, grouped by event, then by commitment.

    Args:
        changes: rows of monitor.store.queries.list_changes.
        events: rows of monitor.store.queries.list_events (for titles, dates and outlets).
        health: monitor.store.queries.run_health since the last digest, for the header.
        max_items: changes shown in full (see split_changes); the rest are counted by event.
        digest_id: the stored digest's id, which `monitor changes --digest` lists in full.
        site_url: where the commitment pages are published ([site] base_url): each entry
            links to its page.
    """
    new = len({c["commitment_id"] for c in changes if c["kind"] == ChangeKind.NEW})
    changed = len({c["commitment_id"] for c in changes if c["kind"] == ChangeKind.CHANGED})
    subject = digest_subject(day, changed, new)
    shown, rest = split_changes(changes, max_items)
    context = {
        "subject": subject,
        "day": day.isoformat(),
        "new": new,
        "changed": changed,
        "groups": group_by_event(shown, events),
        "more": _not_shown(rest, len(shown), events),
        "digest_id": digest_id,
        "site_url": site_url.rstrip("/") if site_url else None,
        "health": health,
    }
    return RenderedDigest(
        day=day,
        subject=subject,
        html=_ENV.get_template("digest.html").render(context),
        text=_ENV.get_template("digest.txt").render(context),
    )


# What every digest's subject begins with, so that a mail filter finds them
SUBJECT_TAG = "[policy-monitor]"


def digest_subject(day: date, changed: int, new: int) -> str:
    """A digest's subject: the product, the day, then what changed before what is new
    ("[policy-monitor] 20 Jan 2021: 1 changed, 6 new")."""
    return f"{SUBJECT_TAG} {day.day} {day:%b %Y}: {changed} changed, {new} new"


def resent_subject(subject: str) -> str:
    """The subject of a digest sent again, which says so."""
    return subject.replace(SUBJECT_TAG, f"{SUBJECT_TAG} (resent)", 1)


def split_changes(
    changes: list[dict[str, Any]], max_items: int
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The changes a digest shows in full, in their order, and the rest: all are shown when
    there are at most `max_items`; else CHANGED ones before NEW ones (a changed figure or
    deadline is the news), and of each kind the most recently published first."""
    if len(changes) <= max_items:
        return changes, []
    ranked = sorted(changes, key=lambda c: c["published_at"] or "", reverse=True)
    ranked.sort(key=lambda c: c["kind"] != ChangeKind.CHANGED)  # stable: still newest first
    kept = {id(c) for c in ranked[:max_items]}
    shown: list[dict[str, Any]] = []
    rest: list[dict[str, Any]] = []
    for change in changes:
        (shown if id(change) in kept else rest).append(change)
    return shown, rest


def _not_shown(
    rest: list[dict[str, Any]], shown: int, events: list[dict[str, Any]]
) -> dict[str, Any] | None:
    """What the digest carries but does not show: counts, and the events with the most."""
    if not rest:
        return None
    by_id = {event["id"]: event for event in events}
    counts: dict[int | None, dict[str, int]] = {}
    for change in rest:
        of_event = counts.setdefault(change["event_id"], {"NEW": 0, "CHANGED": 0})
        of_event[change["kind"]] += 1
    rows = [
        {
            "title": by_id.get(event_id, {}).get("title", "(no event)"),
            "date": by_id.get(event_id, {}).get("date"),
            "new": c["NEW"],
            "changed": c["CHANGED"],
        }
        for event_id, c in counts.items()
    ]
    rows.sort(key=lambda r: (-(r["new"] + r["changed"]), r["date"] or ""))
    return {
        "shown": shown,
        "changes": len(rest),
        "new": sum(r["new"] for r in rows),
        "changed": sum(r["changed"] for r in rows),
        "events": len(rows),
        "top": rows[:_MORE_EVENTS],
    }


def group_by_event(
    changes: list[dict[str, Any]], events: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Events newest first, each with its commitments and their changes in detection order.

    A commitment is one entry however many of its changes the digest holds: its kinds (NEW
    when it is new since the last digest, CHANGED when it changed since, or both), its state
    now (its latest change), and the before → after of each CHANGED. It carries its sources
    once (the first _SOURCES_SHOWN, and how many more), and the original sources of syndicated
    copies once.
    """
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
                "commitments": {},
            },
        )
        commitment = group["commitments"].setdefault(
            change["commitment_id"],
            {
                "id": change["commitment_id"],
                "sources": change["sources"][:_SOURCES_SHOWN],
                "more_sources": max(0, len(change["sources"]) - _SOURCES_SHOWN),
                "originals": sorted(
                    {s["original_source"] for s in change["sources"] if s["original_source"]}
                ),
                "changes": [],
            },
        )
        commitment["changes"].append(change)
    for group in groups.values():
        for commitment in group["commitments"].values():
            # one entry a commitment: as it stands now, with every change since the last digest
            changes_of = commitment["changes"]
            kinds = {c["kind"] for c in changes_of}
            commitment["kinds"] = [kind for kind in ChangeKind if kind in kinds]
            commitment["now"] = changes_of[-1]
            commitment["revisions"] = [c for c in changes_of if c["kind"] == ChangeKind.CHANGED]
        # changed commitments first: a figure or deadline that moved is the news
        group["commitments"] = sorted(group["commitments"].values(), key=lambda c: not _changed(c))
        group["changed"] = any(_changed(c) for c in group["commitments"])
    ordered = sorted(groups.values(), key=lambda g: g["date"] or "", reverse=True)
    return sorted(ordered, key=lambda g: not g["changed"])  # stable: newest first within


def _changed(commitment: dict[str, Any]) -> bool:
    return ChangeKind.CHANGED in commitment["kinds"]


def field_label(field: str) -> str:
    """A changed field as an analyst reads it: "quantities[1]" -> "figure 2"."""
    name, _, index = field.partition("[")
    labels = {"quantities": "figure", "periods": "period", "text": "wording", "actor": "actor"}
    label = labels.get(name, name)
    return f"{label} {int(index.rstrip(']')) + 1}" if index else label


# What a figure is, as an analyst says it: the kind a measure's figure was read as, and
# whether it is the change against an earlier figure
_FIGURE_LABELS = {"target": "target", "achievement": "already achieved", "context": ""}


def figure_label(quantity: dict[str, Any]) -> str:
    """A figure's label: "target", "change on an earlier figure", "already achieved", or
    nothing for a figure that only describes."""
    if quantity.get("role") == "increment":
        return "change on an earlier figure"
    return _FIGURE_LABELS.get(str(quantity.get("kind") or ""), "")


def field_value(value: Any) -> str:
    """A field's value as text: a figure or period by its words, nothing as "(none)"."""
    if value is None:
        return "(none)"
    if isinstance(value, dict):
        return str(value.get("raw", value))
    return str(value)


_ENV.globals.update(field_label=field_label, field_value=field_value, figure_label=figure_label)
_ENV.filters["oneline"] = lambda value: " ".join(str(value).split())
