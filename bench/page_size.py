"""Extraction and measures against the size of one page, 1 to 20 MB, with the peak memory of
the process that handles it: the cost must grow in line with the page, never with its square.

A page of a given size is a real Government Work Report repeated (a plain-text dump: the
extractor and the measures see real sentences, lists and chapters), each size in a process of
its own so that its peak memory is its own. `python -m bench.page_size` prints the table.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time

# Sizes of the page, in MB of UTF-8 text (the fetcher and the file reader cap captures at 20)
SIZES_MB = (1, 2, 5, 10, 20)
_QUICK_SIZES_MB = (1, 5)
_REPORT_YEAR = 2018


def measure_page_sizes(quick: bool = False) -> list[dict]:
    """One row a size: seconds of extraction and of measures, and the peak RSS in MiB."""
    from tests.conftest import gwr_report

    if not gwr_report(_REPORT_YEAR).is_file():
        return []
    rows = []
    for size in _QUICK_SIZES_MB if quick else SIZES_MB:
        print(f"... one page of {size} MB", file=sys.stderr, flush=True)
        output = subprocess.run(
            [sys.executable, "-m", "bench.page_size", "--one", str(size)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        rows.append(json.loads(output.strip().splitlines()[-1]))
    return rows


def _one(size_mb: int) -> dict:
    from monitor.extract import extract_article
    from monitor.extract.article import CaptureInput
    from monitor.measures import extract_measures
    from tests.conftest import gwr_report

    report = gwr_report(_REPORT_YEAR).read_bytes()
    copies = max(1, size_mb * 1024 * 1024 // len(report))
    page = b"\n".join([report] * copies)
    started = time.perf_counter()
    draft = extract_article(CaptureInput(page, "text/plain", "bench://page"))
    extracted = time.perf_counter() - started
    # the whole page, not only the body the extractor chose (one report of the copies): the
    # measures' cost on a body that size
    text = page.decode("utf-8")
    started = time.perf_counter()
    measures = extract_measures(text, "国务院", 2018)
    measured = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "megabytes": round(len(page) / 1024 / 1024, 1),
        "body_chars": len(getattr(draft, "body", "")),
        "page_chars": len(text),
        "extract_seconds": round(extracted, 2),
        "measures_seconds": round(measured, 2),
        "measures": len(measures),
        "peak_rss_mib": round(peak),
    }


def table(rows: list[dict]) -> str:
    """The rows as a text table, with each stage's seconds per MB."""
    lines = ["page MB  extract s  measures s  s/MB  peak MiB"]
    for row in rows:
        per_mb = (row["extract_seconds"] + row["measures_seconds"]) / max(row["megabytes"], 0.1)
        lines.append(
            f"{row['megabytes']:>7}  {row['extract_seconds']:>9}  {row['measures_seconds']:>10}"
            f"  {per_mb:>4.2f}  {row['peak_rss_mib']:>8}"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--one":
        print(json.dumps(_one(int(sys.argv[2]))))
    else:
        print(table(measure_page_sizes("--quick" in sys.argv)))
