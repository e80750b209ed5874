"""Quality on the labelled sets: measures (tests/measures), copies and events (tests/dedup)."""

from __future__ import annotations

from typing import Any

from monitor.evaluate import Score


def measure_quality() -> dict[str, dict[str, Any]]:
    """Precision/recall of measures, quantities, copies (per kind) and events on labelled sets."""
    from tests.dedup.evaluation import evaluate_copies, evaluate_events
    from tests.measures.test_quality import evaluate

    boundaries, quantities = evaluate()
    result: dict[str, dict[str, Any]] = {
        "measure_boundaries": _rates(boundaries),
        "quantities": _rates(quantities),
    }
    for kind, score in evaluate_copies().items():
        result[f"copies_{kind}"] = _rates(score)
    result["event_pairs"] = _rates(evaluate_events())
    result.update(page_quality())
    result.update(commitment_quality())
    return result


def commitment_quality() -> dict[str, dict[str, Any]]:
    """NEW / CHANGED / reaffirmed on the Government Work Reports, ingested through the command
    line in date order: all six, and the three pairs the rules were not developed on; empty
    when the reports are not there."""
    import tempfile
    from pathlib import Path

    from tests.track.gwr import DEVELOPMENT, YEARS, available, ingest_reports, score_run

    if not available():
        return {}
    with tempfile.TemporaryDirectory() as home:
        measures, changes = ingest_reports(Path(home), YEARS)
    unseen = [year for year in YEARS if year not in DEVELOPMENT]
    return {
        "commitments_gwr_all": score_run(measures, changes).as_dict(),
        "commitments_gwr_unseen": score_run(measures, changes, unseen).as_dict(),
    }


def page_quality() -> dict[str, dict[str, int]]:
    """Checks passed on the real Chinese pages, by our extractor and by trafilatura alone
    (its own title, date and site name); empty when the page corpus is not there."""
    from tests.extract.gne import ours, pages_dir, score, trafilatura_alone

    found = {}
    if pages_dir().is_dir():
        found = {"pages_ours": score(ours), "pages_trafilatura_alone": score(trafilatura_alone)}
    # the larger set from public repositories, its two halves apart (the rules were developed
    # on the first), and the pages labelled after development ("fresh")
    for half in ("development", "unseen", "fresh"):
        found[f"pages_{half}_ours"] = score(ours, half)
        found[f"pages_{half}_trafilatura_alone"] = score(trafilatura_alone, half)
    return found


def _rates(value: Score) -> dict[str, float]:
    return {
        "precision": round(value.precision, 4),
        "recall": round(value.recall, 4),
        "matched": value.matched,
        "predicted": value.predicted,
        "expected": value.expected,
    }
