"""Prefect's share of an ingest run, measured two ways on the same captures:

- inside the flow run: the time the `ingest` flow spends outside the core's functions (the
  stages its tasks call, counted once where extraction batches overlap), over the run's time;
  publishing the artifacts counts as Prefect's;
- the CPU time the temporary server's process used while the flow ran, counted on top as if
  every second of it had been taken from the stages (an upper bound: on 2 cores only the
  extraction's workers keep both busy), which catches what the first way cannot, the server
  competing with the stages for the cores;
- with `--separate`, against a separate run as well: the core pipeline alone and the flow,
  each on a fresh SQLite database. On 2 cores two runs of a few minutes differ by several
  percent between themselves, more than the share measured (the flow came out faster than
  the core alone in the runs of 2 December), so `make bench` leaves it out.

The temporary server's start is reported apart (a deployment served by `prefect server start`
never pays it).

Run as `python -m bench.orchestration --captures N` in its own process (it sets PREFECT_HOME
and MONITOR_DATABASE_URL for itself); prints the result as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import threading
import time
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any


class CoreClock:
    """The intervals during which any thread runs one of the core's functions."""

    def __init__(self) -> None:
        self.intervals: list[tuple[float, float, str]] = []
        self._lock = threading.Lock()

    def wrap(self, function: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(function)
        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                with self._lock:
                    self.intervals.append((started, time.perf_counter(), function.__name__))

        return timed

    def busy_seconds(self) -> float:
        """Seconds covered by at least one interval."""
        total, end = 0.0, float("-inf")
        for start, stop, _ in sorted(self.intervals):
            if stop > end:
                total += stop - max(start, end)
                end = stop
        return total

    def gaps(self, begin: float, finish: float, count: int = 5) -> list[dict[str, Any]]:
        """The longest stretches between `begin` and `finish` outside every interval: where
        the time outside the core went, named by the calls around them."""
        found: list[dict[str, Any]] = []
        end, last = begin, "flow start"
        for start, stop, name in sorted(self.intervals):
            if start > end:
                found.append({"after": last, "before": name, "seconds": start - end})
            if stop > end:
                end, last = stop, name
        if finish > end:
            found.append({"after": last, "before": "flow end", "seconds": finish - end})
        found.sort(key=lambda gap: -gap["seconds"])
        return [gap | {"seconds": round(gap["seconds"], 2)} for gap in found[:count]]


def _clock_the_core(clock: CoreClock) -> None:
    """Route the flow's calls into the core through the clock."""
    import flows.ingest as ingest_flow
    from monitor import pipeline

    for name in ("begin_run", "store_captures", "finish_run"):
        setattr(pipeline, name, clock.wrap(getattr(pipeline, name)))
    pipeline.STAGES = tuple(clock.wrap(stage) for stage in pipeline.STAGES)
    ingest_flow.extract_batch = clock.wrap(ingest_flow.extract_batch)
    ingest_flow.extraction_batches = clock.wrap(ingest_flow.extraction_batches)


def measure_overhead(count: int, separate: bool = False) -> dict[str, Any]:
    """Seconds of the flow over `count` captures, of the core inside it, the server's CPU
    seconds meanwhile and (if `separate`) the core alone's, and Prefect's share."""
    from bench.pages import cached_pages, generate_pages

    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        pages = root / "pages"
        pages.mkdir()
        for number, capture in enumerate(cached_pages(count)):
            (pages / f"{number}.html").write_bytes(capture.data)
        os.environ["PREFECT_HOME"] = str(root / "prefect")
        os.environ.pop("PREFECT_API_URL", None)
        # as `flows` sets it; Prefect reads its settings when first imported, which is below
        os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")

        from monitor import pipeline
        from monitor.sources.local import iter_paths, read_file
        from monitor.store import open_database

        # one-time costs (imports, jieba's dictionaries) paid before either side is timed
        warm = open_database(f"sqlite:///{root}/warm.db")
        pipeline.run_pipeline(warm, generate_pages(3, seed=1), "warm-up")
        warm.engine.dispose()
        core = None
        if separate:
            db = open_database(f"sqlite:///{root}/core.db")
            started = time.perf_counter()
            items = (read_file(p, "bench", None) for p in iter_paths([pages]))
            pipeline.run_pipeline(db, items, "bench")
            core = time.perf_counter() - started
            db.engine.dispose()

        # both sides start from a created schema: creating it is not Prefect's
        os.environ["MONITOR_DATABASE_URL"] = f"sqlite:///{root}/flow.db"
        open_database(os.environ["MONITOR_DATABASE_URL"]).engine.dispose()
        from prefect import flow as prefect_flow

        from flows.ingest import ingest

        @prefect_flow(name="bench-warm-up")
        def warm_up() -> None:
            return None

        started = time.perf_counter()
        warm_up()  # starts the temporary server, as the first flow of a session does
        start = time.perf_counter() - started
        clock = CoreClock()
        _clock_the_core(clock)
        server = _server_pid()
        server_cpu = _cpu_seconds(server)
        started = time.perf_counter()
        ingest(paths=[str(pages)], source="bench")
        finished = time.perf_counter()
        server_after = _cpu_seconds(server)
        flow = finished - started
        inside = clock.busy_seconds()
        gaps = clock.gaps(started, finished)
    result = {
        "captures": count,
        "flow_seconds": round(flow, 2),
        "flow_core_seconds": round(inside, 2),
        "server_start_seconds": round(start, 2),
        "prefect_share_in_run": round(max(flow - inside, 0.0) / flow, 4),
        "prefect_share_with_server_start": round((flow + start - inside) / (flow + start), 4),
        "longest_outside": gaps,
    }
    if server_cpu is not None and server_after is not None:
        cpu = server_after - server_cpu
        result["server_cpu_seconds"] = round(cpu, 2)
        result["prefect_share_counting_server_cpu"] = round(
            (max(flow - inside, 0.0) + cpu) / flow, 4
        )
    if core is not None:
        result["core_seconds"] = round(core, 2)
        result["prefect_share"] = round(max(flow - core, 0.0) / flow, 4)
    return result


def _server_pid() -> int | None:
    """The process id of the temporary server the flows of this process talk to, if any."""
    from prefect.server.api.server import SubprocessASGIServer

    process = getattr(SubprocessASGIServer(), "server_process", None)
    return None if process is None else process.pid


def _cpu_seconds(pid: int | None) -> float | None:
    """User and system CPU seconds a process and its waited-for children have used, from
    /proc (None where there is none, or no process)."""
    if pid is None:
        return None
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # after the command's name (in parentheses, which may hold spaces): utime, stime, cutime
    # and cstime are the 12th to 15th fields
    fields = stat.rsplit(")", 1)[1].split()
    return sum(int(field) for field in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.orchestration", description=__doc__)
    parser.add_argument("--captures", type=int, required=True)
    parser.add_argument(
        "--separate", action="store_true", help="also time the core alone in a separate run"
    )
    args = parser.parse_args()
    print(json.dumps(measure_overhead(args.captures, separate=args.separate)))


if __name__ == "__main__":
    main()
