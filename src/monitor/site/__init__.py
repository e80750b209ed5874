"""The commitment pages: a static HTML site (any web server can publish it) with an index of
commitments, one page per commitment (its history, the before → after of every change, every
source with its link) and one per event. The digest links its entries to these pages when
`[site] base_url` says where they are published."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from monitor.digest.render import environment, field_label, field_value, figure_label
from monitor.outcomes import ChangeKind
from monitor.store import Database, queries

_ENV = environment("monitor.site")
# Pages written between two reports of how far the site has gone
_ADVANCE_EVERY = 50
_ENV.globals.update(field_label=field_label, field_value=field_value, figure_label=figure_label)


def commitment_url(base_url: str | None, commitment_id: int) -> str | None:
    """Where a commitment's page is published, when the site's address is configured."""
    return f"{base_url.rstrip('/')}/commitments/{commitment_id}.html" if base_url else None


def write_site(
    db: Database, out: Path, advance: Callable[[str, int, int], None] | None = None
) -> int:
    """Write the whole site to `out`, replacing what was there at once (a reader never sees
    half a site); return the number of pages written. `advance` is told how far it has gone
    ("site", pages written, pages in all)."""
    with db.sessions() as session:
        commitments = queries.list_commitments(session)
        events = queries.list_events(session)
        by_id = queries.commitment_histories(session, [c["id"] for c in commitments])
        histories = [by_id.get(c["id"]) for c in commitments]
    titles = {event["id"]: event["title"] for event in events}
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    pages = 0
    total = 1 + sum(h is not None for h in histories) + len(events)

    def written() -> None:
        nonlocal pages
        pages += 1
        if advance is not None and (pages % _ADVANCE_EVERY == 0 or pages == total):
            advance("site", pages, total)

    try:
        (staging / "commitments").mkdir()
        (staging / "events").mkdir()
        rows = [_row(c, h, titles) for c, h in zip(commitments, histories, strict=True)]
        _write(staging / "index.html", "index.html", commitments=rows, events=events)
        written()
        for history in histories:
            if history is None:
                continue
            _write(
                staging / "commitments" / f"{history['id']}.html",
                "commitment.html",
                commitment=history,
                event_title=titles.get(history["event_id"]),
            )
            written()
        by_event: dict[int | None, list[dict[str, Any]]] = {}
        for row in rows:
            by_event.setdefault(row["event_id"], []).append(row)
        for event in events:
            _write(
                staging / "events" / f"{event['id']}.html",
                "event.html",
                event=event,
                commitments=by_event.get(event["id"], []),
            )
            written()
        if out.exists():
            shutil.rmtree(out)
        staging.rename(out)
    finally:
        if staging.exists():
            shutil.rmtree(staging)
    return pages


def _row(
    commitment: dict[str, Any], history: dict[str, Any] | None, titles: dict[int, str]
) -> dict[str, Any]:
    changes = history["changes"] if history else []
    return commitment | {
        "event_title": titles.get(commitment["event_id"], ""),
        "changed": any(change["kind"] == ChangeKind.CHANGED for change in changes),
        "date": (commitment["last_published_at"] or "")[:10],
    }


def _write(path: Path, template: str, **context: Any) -> None:
    path.write_text(_ENV.get_template(template).render(**context), encoding="utf-8")
