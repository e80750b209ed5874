"""The benchmarks still run (on tiny inputs); their figures are read from `make bench`."""

from bench.__main__ import summary, table, yardstick
from bench.dedup import corpus, lsh_rates, signature_rates
from bench.fetching import fetch_rate
from bench.pages import PAGES_CACHE, cached_pages, generate_pages
from bench.scale import measure_scale
from bench.stages import measure_tier


def test_stage_benchmark_runs_every_stage_and_the_baseline():
    tier = measure_tier(12, "sqlite")
    assert [row["stage"] for row in tier["stages"]] == [
        "storage",
        "extraction",
        "copies (signatures, LSH, verify)",
        "events",
        "measures",
        "tracking",
        "digest",
    ]
    assert tier["stages"][1]["counts"] == {"articles": 12}
    # the faster of the timings before the stages and after tracking
    assert tier["trafilatura_alone_docs_per_second"] == max(tier["trafilatura_alone_before_after"])
    assert tier["end_to_end_vs_trafilatura"] > 0


def test_generated_pages_plant_copies_and_recurring_commitments():
    pages = generate_pages(30)
    assert len({page.data for page in pages}) == 30  # re-captures differ in their chrome
    tier = measure_tier(30, "sqlite")
    counts = {row["stage"]: row["counts"] for row in tier["stages"]}
    assert counts["copies (signatures, LSH, verify)"].get("copies", 0) >= 5
    assert counts["tracking"].get("NEW", 0) > 0


def test_pages_are_made_in_runs_in_worker_processes(monkeypatch):
    monkeypatch.setattr("bench.pages._RUN", 10)
    pages = generate_pages(45)  # five runs: made in worker processes
    runs = [generate_pages(10, start=first) for first in (0, 10, 20, 30)]
    runs.append(generate_pages(5, start=40))
    assert [p.data for p in pages] == [p.data for run in runs for p in run]
    assert [p.origin for p in pages] == [f"bench/{number}.html" for number in range(45)]
    assert generate_pages(4)[3].data == pages[3].data  # a run's first pages are a corpus's


def test_cached_pages_are_the_generated_ones_made_once(tmp_path, monkeypatch):
    monkeypatch.setenv(PAGES_CACHE, str(tmp_path))
    first = cached_pages(12, seed=3)
    assert [p.data for p in first] == [p.data for p in generate_pages(12, seed=3)]
    [kept] = tmp_path.glob("pages-12-3-0-*.pickle")
    monkeypatch.setattr("bench.pages.generate_pages", None)  # read, not made again
    again = cached_pages(12, seed=3)
    assert [(p.origin, p.data, p.sha256) for p in again] == [
        (p.origin, p.data, p.sha256) for p in first
    ]
    assert list(tmp_path.iterdir()) == [kept]


def test_fetch_benchmark_fetches_every_page_from_loopback():
    assert fetch_rate([page.data for page in generate_pages(5)])["pages"] == 5


def test_scale_benchmark_fills_the_store_and_runs_an_hourly_ingest():
    result = measure_scale(300, "sqlite", new=15)
    assert next(s["stage"] for s in result["stages"]) == "storage"
    assert result["stages"][1]["counts"] == {"articles": 15}
    assert result["stored_articles"] == 300 + 15
    assert result["digest_query_seconds"] > 0 and len(result["digest_query_again_seconds"]) == 4


def test_dedup_benchmark_measures_both_sides():
    texts = corpus(30)
    rates = signature_rates(texts)
    assert rates["ours_docs_per_s"] > 0 and rates["datasketch_update_docs_per_s"] > 0
    assert lsh_rates(texts, queries=5)["documents"] == 30


def test_table_and_summary_render():
    tier = measure_tier(6, "sqlite")
    result = {
        "tiers": [tier],
        "fetch": {"pages": 5, "docs_per_second": 100.0},
        "dedup": {
            "signatures": signature_rates(corpus(5)),
            "lsh": [lsh_rates(corpus(5), queries=2)],
        },
        "orchestration": {
            "captures": 6,
            "core_seconds": 9.0,
            "flow_seconds": 10.0,
            "prefect_share_in_run": 0.04,
            "prefect_share": 0.1,
            "prefect_share_with_server_start": 0.5,
            "server_start_seconds": 4.0,
            "server_cpu_seconds": 0.3,
            "prefect_share_counting_server_cpu": 0.07,
        },
        "quality": {},
        "yardstick_seconds": [2.5, 2.75],
    }
    assert "extraction" in table(result)
    assert "10 million additions in a Python loop took 2.5 s and 2.75 s" in summary(result)
    assert "trafilatura alone" in summary(result)
    assert "4.0% of the flow run spent outside the core" in summary(result)
    assert "10.0% against a separate core run" in summary(result)
    assert "7.0% counting the server's CPU meanwhile (0.3 s)" in summary(result)
    for key in ("core_seconds", "prefect_share"):  # measured only with --separate
        del result["orchestration"][key]
    assert "against a separate core run" not in summary(result)
    assert "4.0% of the flow run spent outside the core" in summary(result)


def test_the_yardstick_is_the_best_of_its_runs(monkeypatch):
    clock = iter([0.0, 5.0, 10.0, 12.0, 20.0, 27.0])  # runs of 5 s, 2 s and 7 s
    monkeypatch.setattr("bench.__main__.time.perf_counter", lambda: next(clock))
    assert yardstick(1000, runs=3) == 2.0


def test_the_core_clock_counts_overlapping_calls_once():
    from bench.orchestration import CoreClock

    clock = CoreClock()
    clock.intervals = [(0.0, 2.0, "a"), (1.0, 3.0, "b"), (5.0, 6.0, "c"), (5.5, 5.7, "d")]
    assert clock.busy_seconds() == 4.0
    assert clock.gaps(-0.5, 6.25) == [
        {"after": "b", "before": "c", "seconds": 2.0},
        {"after": "flow start", "before": "a", "seconds": 0.5},
        {"after": "c", "before": "flow end", "seconds": 0.25},
    ]
    assert clock.wrap(lambda x: x * 2)(3) == 6
    assert len(clock.intervals) == 5


def test_a_process_cpu_time_is_read_from_proc():
    import os

    from bench.orchestration import _cpu_seconds

    assert _cpu_seconds(None) is None
    if not os.path.exists("/proc/self/stat"):
        assert _cpu_seconds(os.getpid()) is None
        return
    before = _cpu_seconds(os.getpid())
    assert before is not None and before > 0
    sum(i * i for i in range(2_000_000))  # some CPU of its own
    after = _cpu_seconds(os.getpid())
    assert after is not None and after > before
    assert _cpu_seconds(2**22 + 12345) is None  # no such process


def test_an_interrupted_run_is_reported_with_its_plot(tmp_path, monkeypatch, capsys):
    import json
    import sys

    from bench.__main__ import main

    small, larger = measure_tier(4, "sqlite"), measure_tier(8, "sqlite")
    saved = tmp_path / "bench-partial.json"
    saved.write_text(json.dumps({"tiers": [small, larger], "finished": False}))
    monkeypatch.setattr(sys, "argv", ["bench", "--report", str(saved)])
    main()
    printed = capsys.readouterr().out
    assert "extraction" in printed and "interrupted" in printed
    assert "per-shingle" not in printed and "Prefect" not in printed  # not reached
    assert saved.with_suffix(".svg").read_text().lstrip().startswith("<?xml")
