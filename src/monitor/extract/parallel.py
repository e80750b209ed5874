"""Extraction of many captures over worker processes.

trafilatura and our rules are pure Python and hold the interpreter lock, so threads extract one
page at a time; worker processes extract one per core. Small batches stay in this process, where
starting workers (each imports trafilatura, about a second) would cost more than it saves.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import TypeVar

from monitor.extract.article import ArticleDraft, CaptureInput, Rejection, extract_article

log = logging.getLogger(__name__)

# Below this many captures a batch is extracted in this process.
MIN_PARALLEL = 32
# Each worker gets its share of a batch in this many pieces, so that one slow page does not
# leave the other workers idle at the end of the batch.
_PIECES_PER_WORKER = 4

T = TypeVar("T")
R = TypeVar("R")
_lock = threading.Lock()
_pool: ProcessPoolExecutor | None = None
_pool_size = 0


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity, not the machine's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def extract_safely(capture: CaptureInput) -> ArticleDraft | Rejection:
    """The article of one capture, or a rejection naming the error if extraction fails.

    A page that makes the extractor fail is recorded against its capture; it does not fail the
    batch, which would otherwise fail again on every run.
    """
    try:
        return extract_article(capture)
    except Exception as exc:  # any failure belongs to this capture alone
        return Rejection(f"extraction failed: {type(exc).__name__}: {exc}")


def extract_many(
    captures: Sequence[CaptureInput], workers: int | None = None
) -> list[ArticleDraft | Rejection]:
    """The articles of many captures, in order; over `workers` processes (default: one per
    usable core) when there are enough of them and this process may start processes."""
    workers = workers or usable_cores()
    # a daemonic process (a Dask worker, a pool's worker) may not start processes of its own;
    # its parent spreads the work already
    if workers <= 1 or len(captures) < MIN_PARALLEL or multiprocessing.current_process().daemon:
        return [extract_safely(capture) for capture in captures]
    chunk = max(1, len(captures) // (workers * _PIECES_PER_WORKER))
    for attempt in (1, 2):
        pool = _shared_pool(workers)
        try:
            return list(pool.map(extract_safely, captures, chunksize=chunk))
        except BrokenProcessPool as exc:
            # a worker died (killed for memory, or crashed in a C library): start new ones once,
            # then extract in this process
            log.warning("extraction worker died (%s); attempt %d", exc, attempt)
            _discard_pool(pool)
    return [extract_safely(capture) for capture in captures]


def in_workers(
    function: Callable[[T], R], pieces: Iterable[T], count: int, workers: int | None = None
) -> Iterator[R]:
    """function(piece) of each of `count` pieces, in order, computed in the shared workers a
    few pieces ahead of what the caller has taken, so that they work while the caller uses the
    results. The pieces are read as they are sent. In this process when there is one piece
    (starting workers would cost more than it saves), when it has one usable core or may not
    start processes, and for whatever a dead worker left undone. `function` must be
    importable by the workers."""
    workers = workers or usable_cores()
    if count < 2 or workers <= 1 or multiprocessing.current_process().daemon:
        yield from map(function, pieces)
        return
    pool: ProcessPoolExecutor | None = _shared_pool(workers)
    source = iter(pieces)
    sent: deque[tuple[T, Future[R] | None]] = deque()

    def send() -> None:
        nonlocal pool
        while len(sent) < workers * 2:
            try:
                piece = next(source)
            except StopIteration:
                return
            future = None
            if pool is not None:
                try:
                    future = pool.submit(function, piece)
                except BrokenProcessPool:
                    _discard_pool(pool)
                    pool = None
            sent.append((piece, future))

    send()
    while sent:
        piece, future = sent.popleft()
        try:
            result = future.result() if future is not None else function(piece)
        except BrokenProcessPool as exc:
            log.warning("worker died (%s); the rest is computed in this process", exc)
            if pool is not None:
                _discard_pool(pool)
                pool = None
            sent = deque((p, None) for p, _ in sent)
            result = function(piece)
        send()  # the next pieces go before this one's result is used
        yield result


def _shared_pool(workers: int) -> ProcessPoolExecutor:
    """The process's pool of extraction workers, started on first use and kept for later batches
    (several threads may share it)."""
    global _pool, _pool_size
    with _lock:
        if _pool is None or _pool_size != workers:
            if _pool is not None:
                _pool.shutdown(wait=False, cancel_futures=True)
            _pool = ProcessPoolExecutor(
                workers, mp_context=_context(), initializer=_exit_with_parent
            )
            _pool_size = workers
        return _pool


def _context() -> multiprocessing.context.BaseContext:
    """Workers forked from a fresh server process that has imported the extractors, not from
    this one: a fork of this process would copy its threads' held locks and its database
    connections, and a spawned worker would import everything anew and run the caller's main
    script again, which a script without a `__main__` guard does not survive."""
    if "forkserver" not in multiprocessing.get_all_start_methods():  # not on POSIX
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["monitor.extract.warm"])
    return context


def _exit_with_parent() -> None:
    """In a worker: exit as soon as the process that started it is gone. A parent killed
    outright (out of memory, SIGKILL) cannot stop its workers, which would otherwise wait for
    work forever, each holding its imported extractors in memory."""
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch() -> None:
        parent.join()  # returns when the parent's end of the pipe closes: it has exited
        os._exit(0)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def _discard_pool(pool: ProcessPoolExecutor) -> None:
    global _pool
    with _lock:
        if _pool is pool:
            _pool = None
    pool.shutdown(wait=False, cancel_futures=True)


def shutdown() -> None:
    """Stop the workers (they also stop when this process exits)."""
    global _pool
    with _lock:
        pool, _pool = _pool, None
    if pool is not None:
        pool.shutdown(wait=True)
