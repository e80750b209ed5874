"""Write the digest of undelivered changes to files, without sending it."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from monitor.digest.render import RenderedDigest, render_digest
from monitor.errors import DigestError
from monitor.store import Database
from monitor.store.queries import list_changes, list_events


def build_digest(db: Database, day: date) -> RenderedDigest:
    """The digest of every change not yet delivered in a digest."""
    with db.sessions() as session:
        return render_digest(
            day, list_changes(session, undelivered_only=True), list_events(session)
        )


def write_digest(digest: RenderedDigest, out_dir: Path) -> list[Path]:
    """Write `digest-<day>.html` and `.txt` under `out_dir`; return their paths.

    Raises:
        DigestError: the folder or the files cannot be written.
    """
    stem = out_dir / f"digest-{digest.day.isoformat()}"
    paths = [stem.with_suffix(".html"), stem.with_suffix(".txt")]
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        paths[0].write_text(digest.html, encoding="utf-8")
        paths[1].write_text(digest.text, encoding="utf-8")
    except OSError as exc:
        raise DigestError(f"cannot write the digest under {out_dir}: {exc}") from exc
    return paths
