"""The benchmarks still run (on tiny inputs); their figures are read from `make bench`."""

from bench.__main__ import measure
from bench.dedup import lsh_rates, signature_rates


def test_stage_benchmark_runs_every_stage():
    result = measure(12)
    assert [row["stage"] for row in result["stages"]][:2] == ["store", "extract_pending"]
    assert len(result["stages"]) == 6


def test_dedup_benchmark_measures_both_sides():
    from bench.dedup import corpus

    texts = corpus(30)
    rates = signature_rates(texts)
    assert rates["ours_docs_per_s"] > 0 and rates["datasketch_update_docs_per_s"] > 0
    assert lsh_rates(texts, queries=5)["documents"] == 30
