"""One load, executed in-process: what `budgetwh run` does.

It decides from the staging manifest and the published file whether anything needs doing (a
no-op nightly rerun launches nothing), registers a partition per report in an ephemeral Dagster
instance, and executes the Definitions' `load_warehouse` job over all of them in one run. The
outcome is read back from the run's events and the staging area.
"""

from __future__ import annotations

import fcntl
import os
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
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
from dagster_project.faults import mark_load_root
from dagster_project.files import secure_umask
from dagster_project.ingest import LOADED, Plan, plan, skipped
from dagster_project.staging.store import StagingStore
from dagster_project.warehouse.dbt_build import describe_failures, read_results
from dagster_project.warehouse.paths import WarehousePaths
from dagster_project.warehouse.publish import (
    export_parquet,
    exported_load_id,
    inputs_fingerprint,
    published_fingerprint,
    published_load_id,
)


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
    skipped: dict[str, str] = field(default_factory=dict)  # raw-folder entries not read, and why
    reexported: bool = False  # nothing changed, but a cut-short Parquet export was redone

    @property
    def by_status(self) -> Counter:
        return Counter(self.documents["status"]) if self.documents.height else Counter()

    @property
    def loaded(self) -> int:
        return sum(n for s, n in self.by_status.items() if s in LOADED)


def current_documents(store: StagingStore, work: Plan) -> pl.DataFrame:
    """One staging row per file currently in the raw folder (the warehouse's documents).

    Byte-identical copies are one document (doc_id = sha256 of the bytes) with one staging
    row, which speaks for the first of them; the other copies are reported here as duplicates
    of it (or with its status, when it did not load)."""
    frame = store.read("documents")
    if not frame.height:
        return frame
    manifest = store.load_manifest()
    by_doc = {row["doc_id"]: row for row in frame.iter_rows(named=True)}
    rows = []
    for path in sorted(work.files):
        entry = manifest.get(path)
        row = by_doc.get(entry.sha256) if entry else None
        if row is None:
            continue
        if row["source_path"] != path:
            status, reason = (("duplicate", f"same facts as {row['source_path']}") if row["status"] in LOADED
                              else (row["status"], row["status_reason"]))
            row = {**row, "source_path": path, "status": status, "status_reason": reason}
        rows.append(row)
    return pl.DataFrame(rows, schema=frame.schema)


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
    if not force and work.nothing_to_do and work.files and published_fingerprint(warehouse) == inputs_fingerprint(store):
        outcome = LoadOutcome(work, ran=False, documents=current_documents(store, work), skipped=skipped(raw_dir))
        if exported_load_id(wpaths) != published_load_id(warehouse):  # an export cut short
            export_parquet(wpaths)
            outcome.reexported = True
        return outcome
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
                          documents=current_documents(store, work), skipped=skipped(raw_dir))
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
