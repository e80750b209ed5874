"""The real-page checks (tests/extract/data/gne_pages.toml) and a scorer for any extractor.

Each page states its title, publish date, outlet, sentences the body must keep and
boilerplate it must drop. The pages themselves live outside the repository, in
`../shared/pages/gne/` (see its README); MONITOR_PAGES_DIR points elsewhere.
"""

from __future__ import annotations

import os
import tomllib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CASES = Path(__file__).resolve().parent / "data" / "gne_pages.toml"


def pages_dir() -> Path:
    """Where the page files are."""
    return Path(os.environ.get("MONITOR_PAGES_DIR", ROOT.parent / "shared" / "pages" / "gne"))


@dataclass(frozen=True)
class Extracted:
    """What an extractor made of a page; None where it says nothing."""

    title: str | None
    date: str | None  # YYYY-MM-DD
    outlet: str | None
    body: str


def load_cases() -> dict[str, dict]:
    """The checks, by page name."""
    return tomllib.loads(CASES.read_text(encoding="utf-8"))


def failures(case: dict, got: Extracted) -> list[str]:
    """Every check of one page that an extraction fails."""
    found = []
    for field in ("title", "date", "outlet"):
        if getattr(got, field) != case[field]:
            found.append(f"{field}: {getattr(got, field)!r} != {case[field]!r}")
    body = got.body.replace("\n", "")
    found += [f"missing: {text}" for text in case["present"] if text not in body]
    found += [f"kept boilerplate: {text}" for text in case["absent"] if text in body]
    return found


def score(extract: Callable[[bytes, str], Extracted]) -> dict[str, int]:
    """How many checks of each kind an extractor passes over all pages."""
    counts: Counter[str] = Counter()
    for name, case in load_cases().items():
        wrong = failures(case, extract((pages_dir() / f"{name}.html").read_bytes(), name))
        counts["pages"] += 1
        counts["pages_all_right"] += not wrong
        for field in ("title", "date", "outlet"):
            counts[f"{field}_passed"] += not any(line.startswith(f"{field}:") for line in wrong)
        for kind, prefix in (("present", "missing:"), ("absent", "kept boilerplate:")):
            counts[f"{kind}_checked"] += len(case[kind])
            counts[f"{kind}_passed"] += len(case[kind]) - sum(
                line.startswith(prefix) for line in wrong
            )
    return dict(counts)


def ours(data: bytes, name: str) -> Extracted:
    """Our extractor."""
    from monitor.extract.article import CaptureInput, Rejection, extract_article

    draft = extract_article(CaptureInput(data, "text/html", f"pages/{name}.html"))
    if isinstance(draft, Rejection):
        return Extracted(None, None, None, "")
    published = draft.published
    date = (
        f"{published.year:04d}-{published.month:02d}-{published.day:02d}"
        if published and published.year and published.month and published.day
        else None
    )
    return Extracted(draft.title, date, draft.outlet, draft.body)


def trafilatura_alone(data: bytes, name: str) -> Extracted:
    """trafilatura with its own metadata, as a user calling it directly would get."""
    import trafilatura

    document = trafilatura.bare_extraction(
        data.decode("utf-8", errors="replace"), with_metadata=True, include_tables=True
    )
    if document is None:
        return Extracted(None, None, None, "")
    return Extracted(document.title, document.date, document.sitename, document.text or "")
