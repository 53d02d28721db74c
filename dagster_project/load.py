"""One load, executed in-process: what `budgetwh run` does.

It decides from the staging manifest and the published file whether anything needs doing (a
no-op nightly rerun launches nothing), registers a partition per report in an ephemeral Dagster
instance, and executes the Definitions' `load_warehouse` job over all of them in one run. The
outcome is read back from the run's events and the staging area.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import dagster as dg
import polars as pl

from dagster_project.definitions import build_definitions
from dagster_project.defs.dbt import warehouse_models
from dagster_project.defs.documents import document_staging
from dagster_project.defs.partitions import documents_partitions, partition_key, range_tags
from dagster_project.defs.progress import Progress
from dagster_project.defs.resources import BudgetPaths
from dagster_project.ingest import LOADED, Plan, plan
from dagster_project.staging.store import StagingStore
from dagster_project.warehouse.dbt_build import describe_failures, read_results
from dagster_project.warehouse.paths import WarehousePaths
from dagster_project.warehouse.publish import inputs_fingerprint, published_fingerprint


@dataclass
class LoadOutcome:
    plan: Plan
    ran: bool  # False: nothing changed, nothing launched
    success: bool = True
    load_id: str | None = None
    failed_step: str | None = None
    failure: str | None = None
    documents: pl.DataFrame = field(default_factory=pl.DataFrame)  # current files' staging rows
    check_failures: list[tuple[str, str, str]] = field(default_factory=list)  # (asset, check, severity)
    step_seconds: dict[str, float] = field(default_factory=dict)  # stage -> wall seconds, in run order

    @property
    def by_status(self) -> Counter:
        return Counter(self.documents["status"]) if self.documents.height else Counter()

    @property
    def loaded(self) -> int:
        return sum(n for s, n in self.by_status.items() if s in LOADED)


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


def current_documents(store: StagingStore, work: Plan) -> pl.DataFrame:
    """Staging rows of the files currently in the raw folder (the warehouse's documents)."""
    frame = store.read("documents")
    if not frame.height:
        return frame
    return frame.filter(pl.col("source_path").is_in(list(work.files))).sort("source_path")


def run_load(raw_dir: Path, warehouse: Path, progress: Progress | None = None,
             instance: dg.DagsterInstance | None = None, log_level: str = "WARNING",
             force: bool = False) -> LoadOutcome:
    wpaths = WarehousePaths(warehouse)
    store = StagingStore(wpaths.staging)
    work = plan(raw_dir, store)
    if not force and work.nothing_to_do and work.files and published_fingerprint(warehouse) == inputs_fingerprint(store):
        return LoadOutcome(work, ran=False, documents=current_documents(store, work))
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
        others = [k for k in defs.resolve_all_asset_keys() if k != document_staging.key]
        result = job.execute_in_process(run_config=run_config, instance=instance, asset_selection=others,
                                        raise_on_error=False)
    outcome = LoadOutcome(work, ran=True, success=result.success, load_id=result.run_id,
                          documents=current_documents(store, work), step_seconds=step_seconds(instance, result.run_id))
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
