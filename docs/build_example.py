"""Rebuild docs/digest-example.html (the digest of the seeds, one of them then corrected by
its outlet: two figures changed) and its screenshot.

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
        # the outlet corrects two figures of its report: a re-capture of the same article
        seed = next(p for p in iter_paths([ROOT / "seeds"]) if p.name.startswith("000_"))
        corrected = Path(scratch) / seed.name
        corrected.write_text(
            seed.read_text(encoding="utf-8")
            .replace("170多亿元", "190多亿元")
            .replace("1980个项目", "2080个项目"),
            encoding="utf-8",
        )
        run_pipeline(db, [read_file(corrected, "seeds")], "docs")
        digest = preview_digest(db, date(2021, 1, 20), site_url="https://monitor.example.org")
        db.engine.dispose()
        # capture paths relative to the project, the corrected capture's beside the seeds
        html = digest.html.replace(f"{ROOT}/", "").replace(f"{scratch}/", "seeds/")
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
