"""Prefect's share of an ingest run: the same captures through the core pipeline and through
the `ingest` flow on a fresh SQLite database each; the temporary server's start is reported
apart (a deployment served by `prefect server start` never pays it).

Run as `python -m bench.orchestration --captures N` in its own process (it sets PREFECT_HOME
and MONITOR_DATABASE_URL for itself); prints the result as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path


def measure_overhead(count: int) -> dict[str, float]:
    """Seconds of the core pipeline and of the flow over `count` captures, and the share."""
    from bench.pages import generate_pages

    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        pages = root / "pages"
        pages.mkdir()
        for number, capture in enumerate(generate_pages(count)):
            (pages / f"{number}.html").write_bytes(capture.data)
        os.environ["PREFECT_HOME"] = str(root / "prefect")
        os.environ.pop("PREFECT_API_URL", None)

        from monitor import pipeline
        from monitor.sources.local import iter_paths, read_file
        from monitor.store import open_database

        # one-time costs (imports, jieba's dictionaries) paid before either side is timed
        warm = open_database(f"sqlite:///{root}/warm.db")
        pipeline.run_pipeline(warm, generate_pages(3, seed=1), "warm-up")
        warm.engine.dispose()
        db = open_database(f"sqlite:///{root}/core.db")
        started = time.perf_counter()
        items = (read_file(p, "bench", None) for p in iter_paths([pages]))
        pipeline.run_pipeline(db, items, "bench")
        core = time.perf_counter() - started
        db.engine.dispose()

        os.environ["MONITOR_DATABASE_URL"] = f"sqlite:///{root}/flow.db"
        from prefect import flow as prefect_flow

        from flows.ingest import ingest

        @prefect_flow(name="bench-warm-up")
        def warm_up() -> None:
            return None

        started = time.perf_counter()
        warm_up()  # starts the temporary server, as the first flow of a session does
        start = time.perf_counter() - started
        started = time.perf_counter()
        ingest(paths=[str(pages)], source="bench")
        flow = time.perf_counter() - started
    return {
        "captures": count,
        "core_seconds": round(core, 2),
        "flow_seconds": round(flow, 2),
        "server_start_seconds": round(start, 2),
        "prefect_share": round(max(flow - core, 0.0) / flow, 4),
        "prefect_share_with_server_start": round(max(flow + start - core, 0.0) / (flow + start), 4),
    }


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.orchestration", description=__doc__)
    parser.add_argument("--captures", type=int, required=True)
    args = parser.parse_args()
    print(json.dumps(measure_overhead(args.captures)))


if __name__ == "__main__":
    main()
