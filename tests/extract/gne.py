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
# The larger set from public repositories (unseen_pages.toml: which half each page is in, and
# unseen_pages_sources.toml: where each came from); pages whose licence lets them be kept are
# in data/pages/, the others are fetched into MONITOR_PAGES_CACHE by tests/extract/fetch_pages.py
MORE_CASES = Path(__file__).resolve().parent / "data" / "unseen_pages.toml"
MORE_SOURCES = Path(__file__).resolve().parent / "data" / "unseen_pages_sources.toml"
MORE_PAGES = Path(__file__).resolve().parent / "data" / "pages"
# Pages gathered and labelled after the rules were developed, scored as they come (half "fresh")
FRESH_CASES = Path(__file__).resolve().parent / "data" / "fresh_pages.toml"
FRESH_SOURCES = Path(__file__).resolve().parent / "data" / "fresh_pages_sources.toml"


def pages_cache() -> Path:
    """Where fetched pages of the larger set are kept."""
    return Path(os.environ.get("MONITOR_PAGES_CACHE", ROOT / "var" / "pages-cache"))


def more_page(name: str) -> Path | None:
    """The file of a page of the larger set: in the repository, or fetched; None if neither."""
    for folder in (MORE_PAGES, pages_cache()):
        if (folder / f"{name}.html").is_file():
            return folder / f"{name}.html"
    return None


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


def load_cases(path: Path = CASES) -> dict[str, dict]:
    """The checks, by page name."""
    return tomllib.loads(path.read_text(encoding="utf-8"))


def failures(case: dict, got: Extracted) -> list[str]:
    """Every check of one page that an extraction fails."""
    found = []
    for field in ("title", "date", "outlet"):
        if _spaced(getattr(got, field)) != _spaced(case[field]):
            found.append(f"{field}: {getattr(got, field)!r} != {case[field]!r}")
    body = got.body.replace("\n", "")
    found += [f"missing: {text}" for text in case["present"] if text not in body]
    found += [f"kept boilerplate: {text}" for text in case["absent"] if text in body]
    return found


def _spaced(value: str | None) -> str | None:
    """A title, date or outlet compared without its spaces: a space between two phrases of a
    headline is layout (助企纾困 预计4年…)."""
    return None if value is None else "".join(value.split())


def score(extract: Callable[[bytes, str], Extracted], half: str | None = None) -> dict[str, int]:
    """How many checks of each kind an extractor passes: over the gne pages, or, given a half
    ("development", "unseen"), over that half of the larger set, or ("fresh") over the pages
    labelled after development (its pages that are here)."""
    counts: Counter[str] = Counter()
    if half is None:
        pages = {name: pages_dir() / f"{name}.html" for name in load_cases()}
        cases = load_cases()
    else:
        labels = FRESH_CASES if half == "fresh" else MORE_CASES
        cases = {n: c for n, c in load_cases(labels).items() if c["half"] == half}
        pages = {name: more_page(name) for name in cases}
    for name, case in cases.items():
        page = pages[name]
        if page is None:
            counts["pages_missing"] += 1
            continue
        wrong = failures(case, extract(page.read_bytes(), name))
        counts["pages"] += 1
        counts["pages_all_right"] += not wrong
        # the checks the larger set is judged on: sentences, furniture, title and date
        counts["pages_right_but_outlet"] += not [w for w in wrong if not w.startswith("outlet:")]
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
