"""Extraction across processes, each document under a time limit and a memory limit.

Documents are independent, so they are staged by a pool of worker processes, each writing its
own document's Parquet files and manifest entry (nothing of a document travels back but a small
outcome, and no list of the corpus is held in memory). pebble's pool is used rather than the
standard library's because it can kill the one worker whose document exceeds its time limit —
one hostile file must not stall a nightly load — and it reports a worker that died (a crash, the
kernel's OOM killer) as that document's failure instead of breaking the pool.

Memory: before each document, its worker's data segment is capped by the operating system
(RLIMIT_DATA: `limit_memory`) at what the worker holds then plus BUDGETWH_MAX_MB_PER_DOC, so a
document that needs more fails in its own worker — a MemoryError in Python code, an abort in
native code (Polars, PDFium) — and is quarantined naming the limit, instead of the host's OOM
killer choosing what dies. The cap is relative because a worker keeps memory between documents
(modules a PDF imports, heap the allocator does not return): an absolute cap would make a
document's fate depend on which documents its worker read before. RLIMIT_DATA counts the
private writable memory a process maps (heap, anonymous mappings, thread stacks), not address
space that allocators only reserve: RLIMIT_AS would also count the 64 MB arenas glibc reserves
per thread and the virtual reservations of Polars' allocator, which grow with the number of
cores rather than with the document (BENCHMARKS.md, "Memory bounds on hostile inputs").

Limits: the caller passes them (`settings.Limits`, from the Settings its entry point built),
and each worker receives them with its document: no worker consults its own environment.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import multiprocessing
import multiprocessing.forkserver
import os
import resource
import signal
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import TimeoutError as FutureTimeout
from concurrent.futures import as_completed
from dataclasses import replace
from pathlib import Path

from pebble import ProcessExpired, ProcessPool

from dagster_project.ingest import DocumentOutcome, record_failure, stage_document
from dagster_project.readers.base import out_of_memory
from dagster_project.settings import DEFAULT_LIMITS, DEFAULT_MB_PER_DOCUMENT, Limits
from dagster_project.staging.store import StagingStore

__all__ = ["DEFAULT_MB_PER_DOCUMENT", "limit_memory", "memory_reason", "stage_documents"]


def memory_reason(megabytes: int) -> str:
    return f"extraction needed more than {megabytes} MB (BUDGETWH_MAX_MB_PER_DOC)"


def _malloc_trim() -> Callable[[int], int] | None:
    name = ctypes.util.find_library("c")
    try:
        return getattr(ctypes.CDLL(name), "malloc_trim") if name else None
    except (OSError, AttributeError):  # not glibc
        return None


_TRIM = _malloc_trim()


def _status_bytes(field: str) -> int | None:
    """A size from /proc/self/status (VmData: what RLIMIT_DATA counts; VmRSS, VmHWM), or None."""
    try:
        with open("/proc/self/status", encoding="ascii", errors="replace") as status:
            for line in status:
                if line.startswith(f"{field}:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def _reset_peak_rss() -> int | None:
    """Start measuring this process's peak resident memory afresh (VmHWM; Linux ≥ 4.0) and
    return its resident memory now."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as refs:
            refs.write("5")
    except OSError:
        return None
    return _status_bytes("VmRSS")


def limit_memory(megabytes: int | None) -> int | None:
    """Cap this process's data segment (RLIMIT_DATA, soft limit) at what it maps now plus
    `megabytes` (all of it where /proc is missing); a lower hard limit is kept. Memory freed by
    the document before is handed back to the system first (glibc's malloc_trim). Returns the
    resident memory now, peak measurement reset (None where that cannot be measured)."""
    if not megabytes:
        return None
    if _TRIM is not None:
        _TRIM(0)
    _, hard = resource.getrlimit(resource.RLIMIT_DATA)
    limit = (_status_bytes("VmData") or 0) + megabytes * 1024 * 1024
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_DATA, (limit, hard))
    return _reset_peak_rss()


def _ran_out(reason: str | None, megabytes: int | None, resident: int | None) -> bool:
    """Did the document just quarantined fail for the memory limit? Its reason says an
    allocation failed, or extraction raised something unexpected (libxml2, for one, reports a
    refused allocation as "unknown error") after its resident memory grew by three quarters of
    the allowance or more."""
    if not megabytes or not reason:
        return False
    if out_of_memory(reason):
        return True
    peak = _status_bytes("VmHWM")
    return (reason.startswith("extraction failed:") and resident is not None and peak is not None
            and peak - resident >= 0.75 * megabytes * 1024 * 1024)


def _lift_limit() -> None:
    _, hard = resource.getrlimit(resource.RLIMIT_DATA)
    resource.setrlimit(resource.RLIMIT_DATA, (hard, hard))


# A worker is replaced after this many documents, so memory a parser leaks cannot accumulate.
# Replacements are forked from the warm fork server (dagster_project/warm.py): cheap.
TASKS_PER_WORKER = 500


def _context() -> multiprocessing.context.BaseContext:
    """Workers come from a fork server that has imported the extraction code once: forking the
    calling process itself (Dagster's threads, Polars' thread pool) can deadlock a child, and
    spawning would re-import everything for every worker."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["dagster_project.warm_preload"])
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


def _stage(path: str, display: str, staging_root: str, limits: Limits) -> DocumentOutcome:
    """Stage one document in a worker, held to the parent's `limits`. Under a memory limit
    (`limits.megabytes_per_document`), a document whose extraction ran out of memory — caught
    by the extraction as a failure, or raised while staging — is quarantined with the limit as
    its reason."""
    megabytes = limits.megabytes_per_document
    resident = limit_memory(megabytes)
    started = time.process_time()
    store = StagingStore(Path(staging_root))
    try:
        outcome = stage_document(Path(path), display, store, limits)
    except MemoryError:
        if not megabytes:
            raise
        _lift_limit()  # recording the failure must not fail on memory the allocator keeps
        outcome = record_failure(Path(path), display, store, memory_reason(megabytes), limits)
    else:
        if outcome.status == "quarantined" and _ran_out(outcome.status_reason, megabytes, resident):
            _lift_limit()
            outcome = record_failure(Path(path), display, store, memory_reason(megabytes), limits)
    outcome.cpu_seconds = time.process_time() - started
    return outcome


def _died(exc: ProcessExpired, megabytes: int | None) -> str:
    """The reason for a document whose worker died. Native code aborts the process when an
    allocation fails (Rust's allocation error handler, C++'s std::bad_alloc uncaught): under a
    memory limit, an abort is reported as the limit."""
    code = getattr(exc, "exitcode", None)
    if megabytes and code == -signal.SIGABRT:
        return f"{memory_reason(megabytes)}: its worker aborted when an allocation failed"
    if code == -signal.SIGKILL:
        return f"extraction process was killed (SIGKILL: the host's out-of-memory killer, or an operator): {exc}"
    return f"extraction process died: {exc}" + (f" (exit code {code})" if code else "")


def stage_documents(
    items: Iterable[tuple[str, Path]],
    store: StagingStore,
    workers: int | None = None,
    seconds_per_document: float | None = None,
    on_done: Callable[[DocumentOutcome], None] | None = None,
    megabytes_per_document: int | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> list[DocumentOutcome]:
    """Stage every (display path, file) with `workers` processes (default: the CPU count) and
    return the outcomes in completion order; each document held to `limits` (the caller's
    Settings.limits; default: the documented defaults), of which `seconds_per_document` and
    `megabytes_per_document` (0 for no limit) override one."""
    items = list(items)
    if workers is None:
        workers = os.cpu_count() or 1
    if seconds_per_document is not None:
        limits = replace(limits, seconds_per_document=seconds_per_document)
    if megabytes_per_document is not None:
        limits = replace(limits, megabytes_per_document=megabytes_per_document or None)
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
        _run_pool(items, store, workers, limits, done)
    finally:
        with _pools_lock:
            _active_pools -= 1
            if not _active_pools:
                _release_fork_server()
    return outcomes


def _run_pool(items: list[tuple[str, Path]], store: StagingStore, workers: int, limits: Limits,
              done: Callable[[DocumentOutcome], None]) -> None:
    seconds_per_document, megabytes = limits.seconds_per_document, limits.megabytes_per_document
    with ProcessPool(max_workers=max(1, min(workers, len(items))), max_tasks=TASKS_PER_WORKER,
                     context=_context()) as pool:
        futures = {
            pool.schedule(_stage, (str(path), display, str(store.root), limits),
                          timeout=seconds_per_document): (display, path)
            for display, path in items
        }
        for future in as_completed(futures):
            display, path = futures[future]
            try:
                done(future.result())
            except FutureTimeout:
                done(record_failure(path, display, store,
                                    f"extraction took longer than the limit of {seconds_per_document:g} s "
                                    "per document (BUDGETWH_MAX_SECONDS_PER_DOC)", limits))
            except ProcessExpired as exc:
                done(record_failure(path, display, store, _died(exc, megabytes), limits))
            except MemoryError:  # raised in the worker but not caught there (no limit set)
                done(record_failure(path, display, store, "extraction ran out of memory (MemoryError)", limits))
            except Exception as exc:  # noqa: BLE001 - staging itself failed for this document
                done(record_failure(path, display, store, f"staging failed: {type(exc).__name__}: {exc}", limits))
