"""Write a digest to files (.html, .txt and the whole email as .eml), without sending it."""

from __future__ import annotations

from pathlib import Path

from monitor.digest.compose import compose_message
from monitor.digest.render import RenderedDigest
from monitor.errors import DigestError


def write_digest(digest: RenderedDigest, out_dir: Path, sender: str, recipient: str) -> list[Path]:
    """Write `digest-<day>.html`, `.txt` and `.eml` under `out_dir`; return their paths.

    Raises:
        DigestError: the folder or the files cannot be written.
    """
    stem = out_dir / f"digest-{digest.day.isoformat()}"
    paths = [stem.with_suffix(".html"), stem.with_suffix(".txt"), stem.with_suffix(".eml")]
    message = compose_message(digest, sender, recipient)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        paths[0].write_text(digest.html, encoding="utf-8")
        paths[1].write_text(digest.text, encoding="utf-8")
        paths[2].write_bytes(bytes(message))
    except OSError as exc:
        raise DigestError(f"cannot write the digest under {out_dir}: {exc}") from exc
    return paths
