"""Extraction fanned out over Celery workers: the staging stage as one Dagster step per batch.

`budgetwh run` stages a load's documents inside one step with a process pool (fast on one
machine: no per-step cost, see BENCHMARKS.md). Past one machine the same work is split into
steps that Dagster's celery executor hands to workers on any host: `plan_batches` lists the
new or changed files (the staging manifest decides, as always) and yields one dynamic output
per batch; `stage_batch` stages a batch with the same `stage_document` the pool uses; `settle`
runs once, after every batch, on the whole staging area. dbt and publishing stay a single
writer: run `budgetwh run` afterwards (it finds staging current and only builds and publishes).

Needs `dagster-celery==0.29.27` (pinned to dagster 1.13.27), a broker (Redis) and a persistent
Dagster instance shared by the workers; see docs/scaling.md for the commands.

    dagster job execute -m dagster_project.scaling.celery_fanout -j stage_fanout -c run.yaml
"""

from __future__ import annotations

import os
import socket
import time
from pathlib import Path

import dagster as dg
from dagster_celery import celery_executor

from dagster_project.defs.resources import BudgetPaths
from dagster_project.ingest import LOADED, plan, settle, stage_document

BATCH = int(os.environ.get("BUDGETWH_BATCH", "50"))


@dg.op(out=dg.DynamicOut(list))
def plan_batches(context: dg.OpExecutionContext, paths: BudgetPaths):
    """New or changed files, in batches: each batch becomes one step on some worker."""
    work = plan(paths.raw, paths.store)
    todo = sorted(work.changed)
    context.log.info(f"{len(todo)} of {len(work.files)} files to stage, in batches of {BATCH}")
    for start in range(0, len(todo), BATCH):
        batch = [(display, str(work.files[display])) for display in todo[start:start + BATCH]]
        yield dg.DynamicOutput(batch, mapping_key=f"batch_{start // BATCH:05d}")


@dg.op
def stage_batch(context: dg.OpExecutionContext, paths: BudgetPaths, batch: list) -> dict:
    """Stage one batch where this step runs: staging Parquet and manifest entries per document
    (on several hosts the staging folder must be shared storage)."""
    started, cpu = time.perf_counter(), time.process_time()
    outcomes = [stage_document(Path(path), display, paths.store) for display, path in batch]
    return {
        "host": socket.gethostname(), "pid": os.getpid(), "documents": len(outcomes),
        "loaded": sum(o.status in LOADED for o in outcomes),
        "seconds": round(time.perf_counter() - started, 2), "cpu_seconds": round(time.process_time() - cpu, 2),
    }


@dg.op
def settle_staging(context: dg.OpExecutionContext, paths: BudgetPaths, batches: list[dict]) -> dict:
    """Corpus-wide settling once every batch is staged (duplicates, removed files)."""
    final = settle(paths.store, plan(paths.raw, paths.store).removed)
    workers = sorted({f"{b['host']}:{b['pid']}" for b in batches})
    summary = {"batches": len(batches), "documents": sum(b["documents"] for b in batches),
               "workers": workers, "loaded": sum(1 for s, _ in final.values() if s in LOADED)}
    context.log.info(f"staged by {len(workers)} worker processes: {summary}")
    context.add_output_metadata({"workers": dg.MetadataValue.json(workers), **{k: v for k, v in summary.items()
                                                                              if k != "workers"}})
    return summary


@dg.job(executor_def=celery_executor, resource_defs={"paths": BudgetPaths()})
def stage_fanout():
    settle_staging(plan_batches().map(stage_batch).collect())


defs = dg.Definitions(jobs=[stage_fanout])
