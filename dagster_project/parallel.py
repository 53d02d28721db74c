"""Extraction across processes, each document under a time limit.

Documents are independent, so they are staged by a pool of worker processes, each writing its
own document's Parquet files and manifest entry (nothing of a document travels back but a small
outcome, and no list of the corpus is held in memory). pebble's pool is used rather than the
standard library's because it can kill the one worker whose document exceeds its time limit —
one hostile file must not stall a nightly load — and it reports a worker that died (a crash, the
kernel's OOM killer) as that document's failure instead of breaking the pool.
"""

from __future__ import annotations

import multiprocessing
import multiprocessing.forkserver
import os
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures import as_completed
from pathlib import Path

from pebble import ProcessExpired, ProcessPool

from dagster_project.ingest import DocumentOutcome, record_failure, stage_document
from dagster_project.staging.store import StagingStore

WORKERS = int(os.environ.get("BUDGETWH_WORKERS", "0")) or (os.cpu_count() or 1)
SECONDS_PER_DOCUMENT = float(os.environ.get("BUDGETWH_MAX_SECONDS_PER_DOC", "300"))


def seconds_per_document_limit() -> float:
    """BUDGETWH_MAX_SECONDS_PER_DOC as it is now (default 300 s): read when a pool starts, so a
    long-lived process (the Dagster daemon, a test session) honours a changed setting."""
    return float(os.environ.get("BUDGETWH_MAX_SECONDS_PER_DOC", "300"))
# A worker is replaced after this many documents, so memory a parser leaks cannot accumulate.
# Replacements are forked from the warm fork server (dagster_project/warm.py): cheap.
TASKS_PER_WORKER = 500


def _context() -> multiprocessing.context.BaseContext:
    """Workers come from a fork server that has imported the extraction code once: forking the
    calling process itself (Dagster's threads, Polars' thread pool) can deadlock a child, and
    spawning would re-import everything for every worker."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["dagster_project.warm"])
    return context


_active_pools = 0
_pools_lock = threading.Lock()


def _release_fork_server() -> None:
    """Stop the warm fork server once no pool of this process needs it: it holds Polars, the
    readers and cpca's place names (~150 MB) that dbt's build, which runs next, can use better.
    The next load starts a new one (about a second)."""
    server = getattr(multiprocessing.forkserver, "_forkserver", None)
    stop = getattr(server, "_stop", None)  # CPython's own shutdown hook (3.8+); absent elsewhere
    if stop is not None:
        stop()


def _stage(path: str, display: str, staging_root: str) -> DocumentOutcome:
    started = time.process_time()
    outcome = stage_document(Path(path), display, StagingStore(Path(staging_root)))
    outcome.cpu_seconds = time.process_time() - started
    return outcome


def stage_documents(
    items: Iterable[tuple[str, Path]],
    store: StagingStore,
    workers: int = WORKERS,
    seconds_per_document: float | None = None,
    on_done: Callable[[DocumentOutcome], None] | None = None,
) -> list[DocumentOutcome]:
    """Stage every (display path, file) and return the outcomes in completion order; each
    document under `seconds_per_document` (default: BUDGETWH_MAX_SECONDS_PER_DOC)."""
    items = list(items)
    if seconds_per_document is None:
        seconds_per_document = seconds_per_document_limit()
    outcomes: list[DocumentOutcome] = []

    def done(outcome: DocumentOutcome) -> None:
        outcomes.append(outcome)
        if on_done:
            on_done(outcome)

    if not items:
        return outcomes
    global _active_pools
    with _pools_lock:
        _active_pools += 1
    try:
        _run_pool(items, store, workers, seconds_per_document, done)
    finally:
        with _pools_lock:
            _active_pools -= 1
            if not _active_pools:
                _release_fork_server()
    return outcomes


def _run_pool(items: list[tuple[str, Path]], store: StagingStore, workers: int, seconds_per_document: float,
              done: Callable[[DocumentOutcome], None]) -> None:
    with ProcessPool(max_workers=max(1, min(workers, len(items))), max_tasks=TASKS_PER_WORKER,
                     context=_context()) as pool:
        futures = {
            pool.schedule(_stage, (str(path), display, str(store.root)), timeout=seconds_per_document): (display, path)
            for display, path in items
        }
        for future in as_completed(futures):
            display, path = futures[future]
            try:
                done(future.result())
            except FutureTimeout:
                done(record_failure(path, display, store,
                                    f"extraction took longer than the limit of {seconds_per_document:g} s "
                                    "per document (BUDGETWH_MAX_SECONDS_PER_DOC)"))
            except ProcessExpired as exc:
                done(record_failure(path, display, store, f"extraction process died: {exc}"))
            except Exception as exc:  # noqa: BLE001 - staging itself failed for this document
                done(record_failure(path, display, store, f"staging failed: {type(exc).__name__}: {exc}"))
