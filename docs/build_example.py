"""Rebuild docs/digest-example.html (the digest of the seeds) and its screenshot.

Run from the project root: `.venv/bin/python docs/build_example.py`. The screenshot needs
Debian's chromium (`apt-get install chromium fonts-noto-cjk`).
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from datetime import date
from pathlib import Path

from monitor.digest.outbox import preview_digest
from monitor.pipeline import run_pipeline
from monitor.sources.local import iter_paths, read_file
from monitor.store import open_database

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"


def main() -> None:
    """Ingest the seeds into a scratch database, render the digest, take the screenshot."""
    with tempfile.TemporaryDirectory() as scratch:
        db = open_database(f"sqlite:///{scratch}/example.db")
        run_pipeline(db, (read_file(p, "seeds") for p in iter_paths([ROOT / "seeds"])), "docs")
        digest = preview_digest(db, date(2021, 1, 20))
        db.engine.dispose()
        html = digest.html.replace(f"{ROOT}/", "")  # capture paths relative to the project
        page = DOCS / "digest-example.html"
        page.write_text(html, encoding="utf-8")
        browser = shutil.which("chromium") or shutil.which("chromium-browser")
        if browser is None:
            raise SystemExit("chromium is not installed: apt-get install chromium fonts-noto-cjk")
        subprocess.run(
            [
                browser,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                f"--user-data-dir={scratch}/profile",
                "--hide-scrollbars",
                "--window-size=900,2080",
                f"--screenshot={DOCS / 'digest-example.png'}",
                page.as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )


if __name__ == "__main__":
    main()
