"""One load, executed in-process: what `budgetwh run` does.

It decides from the staging manifest and the published file whether anything needs doing (a
no-op nightly rerun launches nothing), registers a partition per report in an ephemeral Dagster
instance, and executes the Definitions' `load_warehouse` job over all of them in one run. The
outcome is read back from the run's events and the staging area.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg

from dagster_project.definitions import build_definitions
from dagster_project.defs.dbt import warehouse_models
from dagster_project.defs.documents import document_staging
from dagster_project.defs.partitions import documents_partitions, partition_key, range_tags
from dagster_project.defs.progress import Progress
from dagster_project.defs.resources import BudgetPaths
from dagster_project.faults import mark_load_root
from dagster_project.files import secure_umask
from dagster_project.freshness import LoadOutcome, current_documents, unchanged
from dagster_project.ingest import plan, skipped
from dagster_project.staging.store import StagingStore
from dagster_project.warehouse.dbt_build import describe_failures, read_results
from dagster_project.warehouse.paths import WarehousePaths


# The job's steps under the names a reader of the summary knows them by.
STAGES = {"document_staging": "extract", "staging": "settle", "warehouse_models": "dbt build",
          "published_warehouse": "publish"}


def step_seconds(instance: dg.DagsterInstance, run_id: str) -> dict[str, float]:
    """Wall time of each step of a run, from its start and success/failure events."""
    started: dict[str, float] = {}
    out: dict[str, float] = {}
    for entry in instance.all_logs(run_id):
        event = entry.dagster_event
        if event is None or not event.step_key:
            continue
        if event.event_type_value == dg.DagsterEventType.STEP_START.value:
            started[event.step_key] = entry.timestamp
        elif event.event_type_value in (dg.DagsterEventType.STEP_SUCCESS.value, dg.DagsterEventType.STEP_FAILURE.value):
            if event.step_key in started:
                out[STAGES.get(event.step_key, event.step_key)] = entry.timestamp - started[event.step_key]
    return out


@contextmanager
def load_lock(wpaths: WarehousePaths) -> Iterator[None]:
    """One load at a time per warehouse: a second `budgetwh run` waits for the first. The
    kernel drops the lock when its holder dies, so a killed load never leaves it behind."""
    wpaths.root.mkdir(parents=True, exist_ok=True)
    fd = os.open(wpaths.root / ".budgetwh.lock", os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


def run_load(raw_dir: Path, warehouse: Path, progress: Progress | None = None,
             instance: dg.DagsterInstance | None = None, log_level: str = "WARNING",
             force: bool = False) -> LoadOutcome:
    secure_umask()
    mark_load_root()
    wpaths = WarehousePaths(warehouse)
    with load_lock(wpaths):
        return _run_load(raw_dir, warehouse, wpaths, progress, instance, log_level, force)


def _run_load(raw_dir: Path, warehouse: Path, wpaths: WarehousePaths, progress: Progress | None,
              instance: dg.DagsterInstance | None, log_level: str, force: bool) -> LoadOutcome:
    store = StagingStore(wpaths.staging)
    work = plan(raw_dir, store)
    if not force and (nothing := unchanged(raw_dir, warehouse, repair=True, work=work)) is not None:
        return nothing
    keys = [partition_key(d) for d in work.files]
    defs = build_definitions(BudgetPaths(raw_dir=str(raw_dir), warehouse=str(warehouse)), progress)
    job = defs.resolve_job_def("load_warehouse")
    instance = instance or dg.DagsterInstance.ephemeral()
    run_config = {"loggers": {"console": {"config": {"log_level": log_level}}}}
    if keys:
        instance.add_dynamic_partitions(documents_partitions.name, keys)
        result = job.execute_in_process(run_config=run_config, instance=instance, tags=range_tags(keys),
                                        raise_on_error=False)
    else:  # every file removed: settle staging and publish an empty warehouse
        others = [k for k in defs.resolve_asset_graph().executable_asset_keys if k != document_staging.key]
        result = job.execute_in_process(run_config=run_config, instance=instance, asset_selection=others,
                                        raise_on_error=False)
    outcome = LoadOutcome(work, ran=True, success=result.success, load_id=result.run_id,
                          documents=current_documents(store, work), skipped=skipped(raw_dir),
                          step_seconds=step_seconds(instance, result.run_id))
    for event in result.get_step_failure_events():
        outcome.failed_step = event.step_key
        error = event.step_failure_data.error
        user = error.cause if error and error.cause else error
        outcome.failure = (user.message.strip() if user else "unknown failure").splitlines()[0]
        if event.step_key == warehouse_models.op.name:
            failures = describe_failures(read_results(wpaths.dbt_target(result.run_id)))
            outcome.failure = "dbt build failed: " + ("; ".join(failures) or outcome.failure)
        break
    for evaluation in result.get_asset_check_evaluations():
        if not evaluation.passed:
            outcome.check_failures.append((evaluation.asset_key.to_user_string(), evaluation.check_name,
                                           evaluation.severity.value))
    return outcome
