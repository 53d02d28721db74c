"""Extraction fanned out over Celery workers: the staging stage as one Dagster step per batch.

`budgetwh run` stages a load's documents inside one step with a process pool (fast on one
machine: no per-step cost, see BENCHMARKS.md). Past one machine the same work is split into
steps that Dagster's celery executor hands to workers on any host: `plan_batches` lists the
new or changed files (the staging manifest decides, as always) and yields one dynamic output
per batch; `stage_batch` stages a batch with the same `stage_document` the pool uses; `settle`
runs once, after every batch, on the whole staging area. dbt and publishing stay a single
writer: run `budgetwh run` afterwards (it finds staging current and only builds and publishes).

Needs `dagster-celery==0.29.27` (pinned to dagster 1.13.27) and the `redis` client, a broker
(Redis) and a persistent Dagster instance shared by the workers; see docs/scaling.md for the
commands.

    dagster job execute -m dagster_project.scaling.celery_fanout -j stage_fanout -c run.yaml
"""

# No `from __future__ import annotations` here: Dagster inspects the `context` annotation when
# the op is defined, and a string annotation fails the definition (DagsterInvalidDefinitionError).
import json
import os
import socket
import time
from pathlib import Path

import dagster as dg
from dagster_celery import celery_executor
from upath import UPath

from dagster_project.defs.resources import BudgetPaths
from dagster_project.ingest import LOADED, DocumentOutcome, plan, record_failure, settle, stage_document
from dagster_project.settings import Settings


class JsonFileIOManager(dg.UPathIOManager):
    """This job's step outputs (batches of paths, per-batch counts) as JSON files under the
    instance's storage folder, which every worker reads: Dagster's default IO manager would
    pickle them, and nothing in this project unpickles (SECURITY.md)."""

    extension = ".json"

    def dump_to_path(self, context: dg.OutputContext, obj: object, path: UPath) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(obj, ensure_ascii=False), encoding="utf-8")

    def load_from_path(self, context: dg.InputContext, path: UPath) -> object:
        return json.loads(path.read_text(encoding="utf-8"))


@dg.io_manager
def json_io_manager(init_context: dg.InitResourceContext) -> JsonFileIOManager:
    return JsonFileIOManager(base_path=UPath(init_context.instance.storage_directory()))


@dg.op(out=dg.DynamicOut(list))
def plan_batches(context: dg.OpExecutionContext, paths: BudgetPaths):
    """New or changed files, in batches: each batch becomes one step on some worker."""
    work = plan(paths.raw, paths.store, limits=paths.settings.limits)
    todo = sorted(work.changed)
    size = paths.batch  # BUDGETWH_BATCH
    context.log.info(f"{len(todo)} of {len(work.files)} files to stage, in batches of {size}")
    for start in range(0, len(todo), size):
        batch = [(display, str(work.files[display])) for display in todo[start:start + size]]
        yield dg.DynamicOutput(batch, mapping_key=f"batch_{start // size:05d}")


def _worker_name() -> str:
    """The Celery worker running this step (`w1@host`), else host:pid (another executor)."""
    try:
        from celery import current_task
        name = current_task.request.hostname if current_task else None
    except ImportError:
        name = None
    return name or f"{socket.gethostname()}:{os.getpid()}"


def _stage_one(path: Path, display: str, paths: BudgetPaths) -> DocumentOutcome:
    # as in the local pool (parallel.py): a document whose staging itself raised is quarantined
    # with the reason instead of failing the whole batch (the pool's per-document time limit is
    # not applied here)
    limits = paths.settings.limits
    try:
        return stage_document(path, display, paths.store, limits)
    except Exception as exc:  # noqa: BLE001
        return record_failure(path, display, paths.store, f"staging failed: {type(exc).__name__}: {exc}", limits)


@dg.op
def stage_batch(context: dg.OpExecutionContext, paths: BudgetPaths, batch: list) -> dict:
    """Stage one batch where this step runs: staging Parquet and manifest entries per document
    (on several hosts the staging folder must be shared storage)."""
    started, cpu = time.perf_counter(), time.process_time()
    outcomes = [_stage_one(Path(path), display, paths) for display, path in batch]
    worker = _worker_name()
    context.log.info(f"{worker} staged {len(outcomes)} documents")
    return {
        "worker": worker, "host": socket.gethostname(), "pid": os.getpid(), "documents": len(outcomes),
        "loaded": sum(o.status in LOADED for o in outcomes),
        "seconds": round(time.perf_counter() - started, 2), "cpu_seconds": round(time.process_time() - cpu, 2),
    }


@dg.op
def settle_staging(context: dg.OpExecutionContext, paths: BudgetPaths, batches: list[dict]) -> dict:
    """Corpus-wide settling once every batch is staged (duplicates, removed files)."""
    limits = paths.settings.limits
    final = settle(paths.store, plan(paths.raw, paths.store, limits=limits).removed, limits=limits)
    per_worker: dict[str, list[int]] = {}
    for b in batches:
        tally = per_worker.setdefault(f"{b['worker']} (pid {b['pid']})", [0, 0])
        tally[0] += 1
        tally[1] += b["documents"]
    workers = {name: {"batches": n, "documents": docs} for name, (n, docs) in sorted(per_worker.items())}
    summary = {"batches": len(batches), "documents": sum(b["documents"] for b in batches),
               "workers": workers, "loaded": sum(1 for s, _ in final.values() if s in LOADED)}
    context.log.info(f"staged by {len(workers)} worker processes: {summary}")
    context.add_output_metadata({"workers": dg.MetadataValue.json(workers), **{k: v for k, v in summary.items()
                                                                              if k != "workers"}})
    return summary


@dg.job(executor_def=celery_executor)
def stage_fanout():
    settle_staging(plan_batches().map(stage_batch).collect())


@dg.definitions
def defs() -> dg.Definitions:
    """The code location, loaded by the launching process and by every Celery worker: each reads
    its own environment here, when the location loads (never at import), as docs/scaling.md
    says (BUDGETWH_RAW_DIR, BUDGETWH_WAREHOUSE, BUDGETWH_BATCH and the limits)."""
    return dg.Definitions(jobs=[stage_fanout], resources={
        "paths": BudgetPaths.from_settings(Settings.from_env(os.environ)), "io_manager": json_io_manager})
