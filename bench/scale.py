"""A store of a million articles, then one hourly ingest of 2,000 new captures.

The store is generated straight into the database (captures, articles with their MinHash
signatures, all stages done), as years of ingest would leave it; then 2,000 new HTML captures
go through the whole pipeline. Reported: the time of the hourly run and of each stage, the
growth of peak memory in the copies stage (the copy index rebuilt from the stored
signatures dominates it; `--redis` keeps the index in Redis instead), and the time of
the daily digest's query.

Run as `python -m bench.scale [--articles N] [--database sqlite|postgresql] [--redis URL]`.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, insert, select

from bench.pages import generate_pages
from bench.stages import fresh_database, peak_mib
from monitor import pipeline
from monitor.dedup.signatures import as_signature, shingles_and_signatures, to_bytes
from monitor.store import Database, open_database
from monitor.store.models import Article, Capture

_CHUNK = 5_000


def fill_store(db: Database, count: int, seed: int = 5) -> float:
    """`count` stored articles (generated bodies on the test corpus's topics); seconds taken."""
    from tests.dedup.corpus import TOPICS, generated_article

    rng = random.Random(seed)
    started = time.perf_counter()
    base = datetime(2020, 1, 1, tzinfo=UTC)
    for first in range(0, count, _CHUNK):
        numbers = range(first, min(first + _CHUNK, count))
        bodies = [generated_article(rng, TOPICS[n % len(TOPICS)]) + f"（第{n}号）" for n in numbers]
        codes, signatures = shingles_and_signatures(bodies)
        captures, articles = [], []
        for n, body, own, values in zip(numbers, bodies, codes, signatures, strict=True):
            raw = body.encode("utf-8")
            digest = hashlib.sha256(raw).hexdigest()
            when = base + timedelta(minutes=n)
            captures.append(
                {
                    "id": n + 1,
                    "sha256": digest,
                    "source": "archive",
                    "origin": f"archive/{n}.txt",
                    "media_type": "text/plain",
                    "captured_at": when,
                    "stored_at": when,
                    "size": len(raw),
                    "raw": raw,
                    "status": "done",
                }
            )
            articles.append(
                {
                    "id": n + 1,
                    "capture_id": n + 1,
                    "title": f"文件第{n}号",
                    "title_derived": False,
                    "body": body,
                    "body_sha256": digest,
                    "outlet": "人民网",
                    "published_at": when,
                    "extractor": "text-dump",
                    "signature": to_bytes(as_signature(values)),
                    "shingle_count": len(own),
                    "dedup_done": True,
                    "event_done": True,
                    "measures_done": True,
                    "created_at": when,
                }
            )
        with db.transaction() as session:
            session.execute(insert(Capture), captures)
            session.execute(insert(Article), articles)
    _advance_sequences(db, count)
    return time.perf_counter() - started


def _advance_sequences(db: Database, count: int) -> None:
    if db.engine.dialect.name != "postgresql":
        return
    from sqlalchemy import text

    with db.transaction() as session:
        for table in ("captures", "articles"):
            session.execute(text(f"SELECT setval('{table}_id_seq', {count + 1})"))


def hourly_run(db: Database, new: int, redis_url: str | None) -> dict:
    """One ingest of `new` captures over the stored corpus, stage by stage."""
    captures = generate_pages(new, seed=99)
    run_id = pipeline.begin_run(db, "hourly")
    context = pipeline.RunContext(run_id=run_id, redis_url=redis_url)
    stages = []
    started = time.perf_counter()
    step = time.perf_counter()
    pipeline.store_captures(db, captures, run_id)
    stages.append({"stage": "storage", "seconds": round(time.perf_counter() - step, 2)})
    for stage in pipeline.STAGES:
        before = peak_mib()
        step = time.perf_counter()
        counts = stage(db, context).counts
        stages.append(
            {
                "stage": stage.__name__,
                "seconds": round(time.perf_counter() - step, 2),
                "peak_rss_mib": peak_mib(),
                "peak_growth_mib": round(peak_mib() - before, 1),
                "counts": counts,
            }
        )
    return {"seconds": round(time.perf_counter() - started, 2), "stages": stages}


def digest_query_seconds(db: Database) -> float:
    """The daily digest's queries (monitor.digest.outbox.digest_contents): undelivered changes,
    the events they belong to, the last day's runs and failures."""
    from monitor.digest.outbox import digest_contents

    started = time.perf_counter()
    with db.sessions() as session:
        digest_contents(session, None, datetime.now(UTC) - timedelta(days=1))
    return time.perf_counter() - started


def measure_scale(articles: int, kind: str, new: int = 2000, redis_url: str | None = None) -> dict:
    with fresh_database(kind) as url:
        db = open_database(url)
        fill = fill_store(db, articles)
        before = peak_mib()
        run = hourly_run(db, new, redis_url)
        copies = next(s for s in run["stages"] if s["stage"] == "find_copies_pending")
        query = digest_query_seconds(db)  # the first, as a daily digest's process reads
        # four more: one run of a second varies by a third here from one run to the next
        again = sorted(digest_query_seconds(db) for _ in range(4))
        with db.sessions() as session:
            stored = session.scalar(select(func.count()).select_from(Article))
        db.engine.dispose()
    return {
        "articles": articles,
        "database": kind,
        "new_captures": new,
        "fill_seconds": round(fill, 1),
        "hourly_run_seconds": run["seconds"],
        "stages": run["stages"],
        "peak_rss_before_run_mib": before,
        "stored_articles": stored,
        # the copies stage's growth of the peak: the index rebuilt from every stored signature
        "copies_peak_growth_mib": copies["peak_growth_mib"],
        "peak_rss_mib": peak_mib(),
        "digest_query_seconds": round(query, 3),
        "digest_query_again_seconds": [round(seconds, 3) for seconds in again],
        "redis": bool(redis_url),
    }


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.scale", description=__doc__)
    parser.add_argument("--articles", type=int, default=1_000_000)
    parser.add_argument("--new", type=int, default=2000)
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--redis", default=None, help="keep the copy index in this Redis")
    args = parser.parse_args()
    result = measure_scale(args.articles, args.database, args.new, args.redis)
    from bench.__main__ import machine, save_result

    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    size = f"{args.articles // 1_000_000}m" if args.articles >= 1_000_000 else str(args.articles)
    name = f"scale-{size}-{args.database}{'-redis' if args.redis else ''}.json"
    save_result(name, result | {"machine": machine(), "at": stamp}, stamp)
    print(json.dumps(result))
    print(f"results: bench/results/{name}")


if __name__ == "__main__":
    main()
