"""The cost of every stage and how it grows (`make bench`; `make bench-scale` for the
million-article store).

For each corpus size and database, every stage runs over generated HTML captures in its own
process (bench/stages.py) and the table gives documents per second and the process's peak
memory after the stage. In the same run: fetching from a loopback server, our signatures
against datasketch's per-shingle update, LSH at 10k and 100k documents, the end-to-end ingest
against trafilatura alone on the same pages, Prefect's share of an ingest run, and the quality
figures (labelled measures, copies, events, the real Chinese pages). Results go to
`bench/results/` as JSON with the machine described, and a plot of throughput against corpus
size to `bench/results/throughput.svg`.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"
# Earlier runs, kept out of the tree: bench/results holds the latest of each kind
HISTORY = Path(__file__).resolve().parent.parent / "var" / "bench-history"


def save_result(name: str, result: dict, stamp: str) -> None:
    """Write a benchmark's result as the latest of its kind (bench/results/<name>), and a copy
    stamped with its time under var/bench-history (not in the repository)."""
    text = json.dumps(result, indent=2, ensure_ascii=False)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / name).write_text(text)
    HISTORY.mkdir(parents=True, exist_ok=True)
    (HISTORY / f"{Path(name).stem}-{stamp}.json").write_text(text)


_FULL_TIERS = (1_000, 10_000, 100_000)
_QUICK_TIERS = (1_000,)


def _child(module: str, *args: str) -> dict:
    """Run a benchmark module in its own process and read its JSON."""
    done = subprocess.run(
        [sys.executable, "-m", module, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env=os.environ | {"PYTHONPATH": str(ROOT)},
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def postgres_available() -> bool:
    from bench.stages import POSTGRES_SERVER

    try:
        import psycopg

        with psycopg.connect(
            POSTGRES_SERVER.replace("postgresql+psycopg://", "postgresql://"), connect_timeout=3
        ):
            return True
    except Exception:
        return False


def machine() -> dict[str, object]:
    """What the figures were measured on."""

    def first(path: str, key: str) -> str | None:
        if not Path(path).exists():
            return None
        lines = Path(path).read_text().splitlines()
        return next((line.split(":", 1)[1].strip() for line in lines if line.startswith(key)), None)

    memory = first("/proc/meminfo", "MemTotal")
    return {
        "cpu": first("/proc/cpuinfo", "model name"),
        "cores": os.cpu_count(),
        "memory_gib": round(int(memory.split()[0]) / 1024 / 1024, 1) if memory else None,
        "python": platform.python_version(),
        "system": platform.platform(),
    }


def yardstick(additions: int = 10_000_000, runs: int = 5) -> float:
    """Seconds of a fixed pure-Python loop, the best of `runs` (the first runs of a process are
    slower): the machine's speed for this interpreter, timed at a run's start and end, so that
    runs on different machines, or on a machine that slowed within the run, can be compared."""
    best = float("inf")
    for _ in range(runs):
        started = time.perf_counter()
        total = 0
        for i in range(additions):
            total += i
        best = min(best, time.perf_counter() - started)
    return round(best, 3)


def run(quick: bool, databases: list[str], save: Callable[[dict], None]) -> dict:
    """Every measurement of `make bench` (or its quick mode); `save` keeps what is measured so
    far after each part, so that an interrupted run keeps it."""
    from bench.pages import PAGES_CACHE

    with tempfile.TemporaryDirectory(prefix="bench-pages-") as pages:
        os.environ[PAGES_CACHE] = pages  # the tiers of one size share one generation
        try:
            return _measure(quick, databases, save)
        finally:
            del os.environ[PAGES_CACHE]


def _measure(quick: bool, databases: list[str], save: Callable[[dict], None]) -> dict:
    from bench.dedup import measure_dedup
    from bench.fetching import fetch_rate
    from bench.page_size import measure_page_sizes
    from bench.pages import generate_pages
    from bench.quality import measure_quality
    from bench.reports import report_ingest

    tiers = _QUICK_TIERS if quick else _FULL_TIERS
    result: dict = {"quick": quick, "tiers": [], "finished": False, "yardstick_seconds": []}
    result["yardstick_seconds"].append(yardstick())
    for count in tiers:
        for kind in databases:
            print(f"... {count} captures on {kind}", file=sys.stderr, flush=True)
            result["tiers"].append(
                _child("bench.stages", f"--captures={count}", f"--database={kind}")
            )
            save(result)
    result["fetch"] = fetch_rate([c.data for c in generate_pages(1000 if quick else 5000)])
    result["dedup"] = measure_dedup((10_000,) if quick else (10_000, 100_000))
    save(result)
    overhead_at = 1_000 if quick else 10_000
    print(f"... Prefect's share at {overhead_at} captures", file=sys.stderr, flush=True)
    result["orchestration"] = _child("bench.orchestration", f"--captures={overhead_at}")
    result["quality"] = measure_quality()
    result["report_ingest"] = report_ingest()
    result["page_size"] = measure_page_sizes(quick)
    result["yardstick_seconds"].append(yardstick())
    result["finished"] = True
    save(result)
    return result


def table(result: dict) -> str:
    """The one table: each stage's documents per second and peak memory, by size and database."""
    columns = [(t["database"], t["captures"]) for t in result["tiers"]]
    stages = [row["stage"] for row in result["tiers"][0]["stages"]] if result["tiers"] else []
    head = f"{'stage':<34}" + "".join(f"{f'{db[:6]} {n // 1000}k':>22}" for db, n in columns)
    lines = [head, f"{'':<34}" + "".join(f"{'docs/s   peak MiB':>22}" for _ in columns)]
    fetch = result.get("fetch")  # measured once: fetching does not depend on the store
    if fetch:
        lines.append(
            f"{'fetch (loopback, ' + str(fetch['pages']) + ' pages, once)':<34}"
            + f"{fetch['docs_per_second']:>13.0f}"
        )
    for stage in stages:
        cells = []
        for tier in result["tiers"]:
            row = next(r for r in tier["stages"] if r["stage"] == stage)
            cells.append(f"{row['docs_per_second']:>13.0f}{row['peak_rss_mib']:>9.0f}")
        lines.append(f"{stage:<34}" + "".join(cells))
    lines.append(
        f"{'end to end (storage → tracking)':<34}"
        + "".join(f"{t['end_to_end_docs_per_second']:>13.0f}{'':>9}" for t in result["tiers"])
    )
    lines.append(
        f"{'trafilatura alone, same pages':<34}"
        + "".join(
            f"{t['trafilatura_alone_docs_per_second']:>13.0f}{'':>9}" for t in result["tiers"]
        )
    )
    return "\n".join(lines)


def summary(result: dict) -> str:
    """The ratios, LSH and quality figures under the table; parts an interrupted run did not
    reach are said to be missing."""
    ratios = ", ".join(
        f"{t['database']} {t['captures'] // 1000}k {t['end_to_end_vs_trafilatura']}x"
        for t in result["tiers"]
    )
    lines = [f"end to end against trafilatura alone (goal ≥ 0.7x): {ratios}"]
    if not result.get("finished", True):
        lines.append("the run was interrupted: the parts below that are missing were not reached")
    if result.get("yardstick_seconds"):
        timings = " and ".join(f"{seconds} s" for seconds in result["yardstick_seconds"])
        lines.append(
            f"the machine: 10 million additions in a Python loop took {timings} "
            "(the best of five, at the run's start and end)"
        )
    if "dedup" in result:
        rates = result["dedup"]["signatures"]
        lines.append(
            f"signatures: ours {rates['ours_docs_per_s']:.0f} docs/s against datasketch's "
            f"per-shingle update {rates['datasketch_update_docs_per_s']:.0f} docs/s "
            f"({rates['ratio_vs_update']}x)"
        )
    if "orchestration" in result:
        orchestration = result["orchestration"]
        shares = []
        if "prefect_share_in_run" in orchestration:
            shares.append(
                f"{orchestration['prefect_share_in_run']:.1%} of the flow run spent outside "
                f"the core ({orchestration['flow_seconds']} s)"
            )
        if "server_cpu_seconds" in orchestration:
            shares.append(
                f"{orchestration['prefect_share_counting_server_cpu']:.1%} counting the "
                f"server's CPU meanwhile ({orchestration['server_cpu_seconds']} s) as taken "
                "from the stages"
            )
        if "core_seconds" in orchestration:
            shares.append(
                f"{orchestration['prefect_share']:.1%} against a separate core run "
                f"({orchestration['flow_seconds']} s against {orchestration['core_seconds']} s)"
            )
        shares.append(
            f"{orchestration['prefect_share_with_server_start']:.1%} counting the temporary "
            f"server's start ({orchestration['server_start_seconds']} s)"
        )
        lines.append(
            f"Prefect's share of a {orchestration['captures']}-capture ingest (goal < 5%): "
            + ", ".join(shares)
        )
    for row in result.get("dedup", {}).get("lsh", []):
        lines.append(
            f"LSH at {row['documents']} docs: insert {row['insert_per_s']:.0f}/s, "
            f"query {row['query_per_s']:.0f}/s, index {row['index_rss_mib']} MiB"
        )
    report = result.get("report_ingest")
    if report:
        lines.append(
            f"one Government Work Report ({report['bytes']:,} bytes) by `monitor ingest`: "
            f"{report['best_seconds']:.2f} s, best of {report['runs']}"
        )
    if result.get("page_size"):
        from bench.page_size import table as page_table

        lines.append("one page against its size (a report repeated; peak memory of its process):")
        lines.extend("  " + line for line in page_table(result["page_size"]).splitlines())
    for name, rates in result.get("quality", {}).items():
        if name.startswith("pages_"):
            lines.append(
                f"{name}: pages all right {rates['pages_all_right']}/"
                f"{rates['pages']} ({rates.get('pages_right_but_outlet', 0)} but the outlet), "
                f"titles {rates['title_passed']}, dates {rates['date_passed']}, outlets "
                f"{rates['outlet_passed']}, sentences kept {rates['present_passed']}/"
                f"{rates['present_checked']}, boilerplate dropped {rates['absent_passed']}/"
                f"{rates['absent_checked']}"
            )
        elif name.startswith("commitments_"):
            lines.append(
                f"{name}: CHANGED precision {rates['changed_precision']:.3f} recall "
                f"{rates['changed_recall']:.3f}, NEW precision {rates['new_precision']:.3f} "
                f"recall {rates['new_recall']:.3f}, reaffirmed flagged "
                f"{rates['reaffirmed_flagged']:.3f} ({rates['labelled']} targets)"
            )
        else:
            lines.append(f"{name}: precision {rates['precision']:.3f} recall {rates['recall']:.3f}")
    return "\n".join(lines)


def plot(result: dict, path: Path) -> None:
    """Throughput of each stage against corpus size (log-log), one line per stage and database."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axes = plt.subplots(figsize=(8, 5))
    for kind in sorted({t["database"] for t in result["tiers"]}):
        tiers = sorted(
            (t for t in result["tiers"] if t["database"] == kind), key=lambda t: t["captures"]
        )
        sizes = [t["captures"] for t in tiers]
        for stage in [r["stage"] for r in tiers[0]["stages"]] + ["end to end"]:
            rates = [
                t["end_to_end_docs_per_second"]
                if stage == "end to end"
                else next(r for r in t["stages"] if r["stage"] == stage)["docs_per_second"]
                for t in tiers
            ]
            axes.plot(
                sizes,
                rates,
                marker="o",
                linestyle="-" if kind == "sqlite" else "--",
                label=f"{stage} ({kind})",
            )
    axes.set_xscale("log")
    axes.set_yscale("log")
    axes.set_xlabel("captures in the run")
    axes.set_ylabel("documents per second")
    axes.set_title("Throughput against corpus size")
    axes.legend(fontsize=6, ncol=2)
    figure.tight_layout()
    figure.savefig(path)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="1k captures only (under 2 minutes)")
    parser.add_argument("--sqlite-only", action="store_true", help="skip PostgreSQL")
    parser.add_argument(
        "--report",
        type=Path,
        metavar="RESULT_JSON",
        help="measure nothing: print the table of a saved result (an interrupted run's too) "
        "and draw its plot next to it",
    )
    args = parser.parse_args()
    if args.report:
        result = json.loads(args.report.read_text())
        print(table(result))
        print(summary(result))
        if len({t["captures"] for t in result["tiers"]}) > 1:
            plot(result, args.report.with_suffix(".svg"))
            print(f"plot: {args.report.with_suffix('.svg')}")
        return
    databases = ["sqlite"]
    if not args.sqlite_only:
        if postgres_available():
            databases.append("postgresql")
        else:
            print("PostgreSQL unreachable at 127.0.0.1:5432: SQLite only", file=sys.stderr)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    name = f"bench{'-quick' if args.quick else ''}.json"
    started = time.perf_counter()

    def save(result: dict) -> None:
        seconds = round(time.perf_counter() - started)
        about = {"machine": machine(), "at": stamp, "seconds": seconds}
        save_result(name, result | about, stamp)

    result = run(args.quick, databases, save)
    print(table(result))
    print(summary(result))
    print(f"the whole run: {time.perf_counter() - started:.0f} s")
    if not args.quick:
        plot(result, RESULTS / "throughput.svg")
    print(f"results: bench/results/{name}")


if __name__ == "__main__":
    main()
