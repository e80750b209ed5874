"""Quality and per-stage throughput of the pipeline (`make bench`).

First the quality of measure extraction on the labelled passages (precision and recall of
measure boundaries and of quantity parsing). Then throughput: captures are built from the seed
pages, page chrome around a body of seed paragraphs drawn at random, with varied figures and
dates, and a third of them re-captures of earlier ones with new boilerplate. Each stage runs
over all of them on a fresh SQLite database; the table gives documents per second and the
process's peak memory.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import resource
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.dedup import measure_dedup
from bench.quality import measure_quality
from monitor import pipeline
from monitor.sources import RawCapture
from monitor.store import open_database

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"
_HEADER = "首页> 经济频道 > 正文\n\n{title}\n\n来源:光明网2021-{month:02d}-{day:02d} 10:00\n\n"
_FOOTER = "\n\n[ 责编:陶媛 ]\n\n相关阅读\n\n推荐阅读\n{teaser}\n2026-03-19 10:11\n加载更多\n"


def generate(count: int, seed: int = 7) -> list[RawCapture]:
    """`count` captures: two thirds distinct pages, one third re-captures of earlier ones."""
    rng = random.Random(seed)
    paragraphs = [
        line.strip()
        for path in sorted((ROOT / "seeds").glob("*.txt"))
        for line in path.read_text(encoding="utf-8").splitlines()
        if len(line.strip()) > 60 and "。" in line
    ]
    captures: list[RawCapture] = []
    for number in range(count):
        if number % 3 == 2 and captures:
            original = rng.choice(captures).data.decode("utf-8")
            text = original.replace("相关阅读", f"热点专题 {number}\n\n相关阅读")
        else:
            body = "\n\n".join(
                p.replace("600", str(500 + number)).replace("170", str(100 + number % 97))
                for p in rng.sample(paragraphs, k=min(6, len(paragraphs)))
            )
            month, day = 1 + number % 12, 1 + number % 28
            text = (
                _HEADER.format(title=f"科技部发布会第{number}号", month=month, day=day)
                + f"  光明网讯(记者 杨亚楠){month}月{day}日,第{number}次发布会。\n\n"
                + body
                + _FOOTER.format(teaser=rng.choice(paragraphs))
            )
        captures.append(RawCapture("bench", f"bench/{number}.txt", text.encode(), "text/plain"))
    return captures


def measure(count: int) -> dict:
    """Time every stage over `count` generated captures on a fresh SQLite database."""
    captures = generate(count)
    with tempfile.TemporaryDirectory() as folder:
        db = open_database(f"sqlite:///{folder}/bench.db")
        run_id = pipeline.begin_run(db, "bench")
        rows = []
        steps = [("store", lambda: pipeline.store_captures(db, captures, run_id))]
        context = pipeline.RunContext(run_id=run_id)
        steps += [
            (stage.__name__, lambda stage=stage: stage(db, context)) for stage in pipeline.STAGES
        ]
        for name, step in steps:
            started = time.perf_counter()
            result = step()
            seconds = time.perf_counter() - started
            rows.append(
                {
                    "stage": name,
                    "seconds": round(seconds, 3),
                    "docs_per_second": round(count / seconds, 1),
                    "counts": result.counts,
                }
            )
        db.engine.dispose()
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"captures": count, "stages": rows, "peak_rss_mib": round(peak_mib, 1)}


def main() -> None:
    """Run the benchmark, print a table and write the results as JSON."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--captures", type=int, default=600)
    parser.add_argument("--quick", action="store_true", help="LSH at 10k documents only")
    args = parser.parse_args()
    result = measure(args.captures)
    result["quality"] = measure_quality()
    result["dedup"] = measure_dedup((10_000,) if args.quick else (10_000, 100_000))
    rates = result["dedup"]["signatures"]
    print(
        f"signatures: ours {rates['ours_docs_per_s']:.0f} docs/s, datasketch update "
        f"{rates['datasketch_update_docs_per_s']:.0f} docs/s ({rates['ratio_vs_update']}x), "
        f"update_batch {rates['datasketch_update_batch_docs_per_s']:.0f} docs/s "
        f"({rates['ratio_vs_update_batch']}x)"
    )
    for row in result["dedup"]["lsh"]:
        print(
            f"LSH at {row['documents']:>7} docs: insert {row['insert_per_s']:.0f}/s, "
            f"query {row['query_per_s']:.0f}/s, index {row['index_rss_mib']} MiB"
        )
    for name, rates in result["quality"].items():
        if name.startswith("pages_"):
            print(
                f"{name:<28} pages all right {rates['pages_all_right_passed']}/"
                f"{rates['pages_checked']}, titles {rates['title_passed']}, dates "
                f"{rates['date_passed']}, outlets {rates['outlet_passed']}, sentences kept "
                f"{rates['present_passed']}/{rates['present_checked']}, boilerplate dropped "
                f"{rates['absent_passed']}/{rates['absent_checked']}"
            )
            continue
        print(
            f"{name:<28} precision {rates['precision']:.3f}  recall {rates['recall']:.3f}"
            f"  ({rates['matched']} matched, {rates['predicted']} predicted,"
            f" {rates['expected']} expected)"
        )
    print(f"{'stage':<28}{'seconds':>10}{'docs/s':>12}")
    for row in result["stages"]:
        print(f"{row['stage']:<28}{row['seconds']:>10.3f}{row['docs_per_second']:>12.1f}")
    print(f"peak RSS {result['peak_rss_mib']} MiB over {result['captures']} captures")
    RESULTS.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    machine = {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "system": platform.platform(),
    }
    (RESULTS / f"stages-{stamp}.json").write_text(
        json.dumps(result | {"machine": machine, "at": stamp}, indent=2, ensure_ascii=False)
    )


if __name__ == "__main__":
    main()
