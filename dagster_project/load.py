"""One load, executed in-process: what `budgetwh run` does.

It takes the warehouse lock for the whole load (saying what it waits for, giving up after
BUDGETWH_LOCK_TIMEOUT_SECONDS), checks the published file against the record of the load that
published it (setting aside a write-ahead log a dead read-write session left), removes what
earlier loads left in build/ (every build file: none of their loads can be live), decides from
the staging manifest and the published file whether anything needs doing (a no-op nightly
rerun launches nothing), registers a partition per report in an ephemeral Dagster instance,
and executes the Definitions' `load_warehouse` job over all of them in one run. The outcome is
read back from the run's events and the staging area; a failed load's build file is deleted.

`run_load` is an entry point: it takes the caller's `Settings` (`budgetwh run` passes its own),
or reads the environment once when it starts, and hands them to the Definitions' resource.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg

from dagster_project.definitions import build_definitions
from dagster_project.defs.dbt import WAREHOUSE_MODELS, dbt_project
from dagster_project.defs.documents import document_staging
from dagster_project.defs.partitions import documents_partitions, partition_key, range_tags
from dagster_project.defs.progress import Progress
from dagster_project.defs.report import budget_report
from dagster_project.defs.resources import BudgetPaths
from dagster_project.faults import mark_load_root
from dagster_project.files import secure_umask
from dagster_project.freshness import ExtractionStats, LoadOutcome, current_documents, unchanged
from dagster_project.ingest import plan, skipped
from dagster_project.staging.store import StagingStore
from dagster_project.warehouse.dbt_build import describe_failures, discard_build, read_results
from dagster_project.settings import Settings
from dagster_project.warehouse.lock import Hold, reporting_waits, warehouse_lock
from dagster_project.warehouse.paths import WarehousePaths
from dagster_project.warehouse.publish import check_published, low_disk_space, remove_stale_builds


# The job's steps under the names a reader of the summary knows them by.
STAGES = {"document_staging": "extract", "staging": "settle", WAREHOUSE_MODELS: "dbt build",
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


# Failures that mean "not now", not "broken": budgetwh run exits 75 for them.
RETRY_LATER = {"LockTimeout", "PublishRefused"}


@contextmanager
def load_lock(wpaths: WarehousePaths, on_wait: Callable[[str], None] | None = None,
              timeout: float | None = None) -> Iterator[Hold]:
    """One load at a time per warehouse: a second `budgetwh run` waits for the first, says so
    through `on_wait` ("waiting for the load lock held by pid N (budgetwh run) since …"), and
    gives up after `timeout` seconds (BUDGETWH_LOCK_TIMEOUT_SECONDS) with LockTimeout. The
    kernel drops the lock when its holder dies, so a killed load never leaves it behind."""
    with warehouse_lock(wpaths.root, whole_load=True, on_wait=on_wait, timeout=timeout, what="budgetwh run") as hold:
        yield hold


def run_load(raw_dir: Path, warehouse: Path, progress: Progress | None = None,
             instance: dg.DagsterInstance | None = None, log_level: str = "WARNING",
             force: bool = False, on_wait: Callable[[str], None] | None = None,
             settings: Settings | None = None) -> LoadOutcome:
    """`on_wait` hears every wait of this load (for the load lock, for a read-write session on
    the published file) as one line, when it starts. `settings`: the caller's; without them the
    environment is read now, when the load starts (never at import)."""
    config = settings if settings is not None else Settings.from_env(os.environ)
    secure_umask()
    mark_load_root()
    wpaths = WarehousePaths(warehouse)
    with load_lock(wpaths, on_wait, config.lock_timeout_seconds), reporting_waits(on_wait):
        return _run_load(raw_dir, warehouse, wpaths, progress, instance, log_level, force, config)


def extraction_stats(result: dg.ExecuteInProcessResult) -> ExtractionStats | None:
    """The extraction figures document_staging reported in its materialization (one per
    partition of the run, all with the step's figures), or None when it staged nothing."""
    for event in result.asset_materializations_for_node(document_staging.op.name):
        meta = {key: value.value for key, value in event.metadata.items()}
        if meta.get("extracted"):
            return ExtractionStats(documents=int(meta["extracted"]), pool_seconds=float(meta["pool_wall_seconds"]),
                                   cpu_seconds=float(meta["worker_cpu_seconds"]),
                                   normalize_cpu_seconds=float(meta["normalize_cpu_seconds"]))
    return None


def _run_load(raw_dir: Path, warehouse: Path, wpaths: WarehousePaths, progress: Progress | None,
              instance: dg.DagsterInstance | None, log_level: str, force: bool, config: Settings) -> LoadOutcome:
    check = check_published(wpaths, repair=True)  # first: a dead session's write-ahead log goes aside
    removed = [(p.name, n) for p, n in remove_stale_builds(wpaths, None, exclusive=True,
                                                                 stale_seconds=config.stale_seconds)]
    low = low_disk_space(wpaths)

    def noted(outcome: LoadOutcome) -> LoadOutcome:
        outcome.note_published(check)
        outcome.removed_builds, outcome.low_disk_free = removed, low
        return outcome

    store = StagingStore(wpaths.staging)
    work = plan(raw_dir, store, limits=config.limits)
    if not force and (nothing := unchanged(raw_dir, warehouse, repair=True, work=work)) is not None:
        return noted(nothing)
    keys = [partition_key(d) for d in work.files]
    defs = build_definitions(BudgetPaths.from_settings(config, raw_dir, warehouse), progress)
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
    outcome = noted(LoadOutcome(work, ran=True, success=result.success, load_id=result.run_id,
                                documents=current_documents(store, work), skipped=skipped(raw_dir),
                                step_seconds=step_seconds(instance, result.run_id),
                                extraction=extraction_stats(result)))
    if not result.success:  # its build file is as big as the warehouse: never leave it behind
        discard_build(wpaths, result.run_id)
    for event in result.get_step_failure_events():
        outcome.failed_step = event.step_key
        error = event.step_failure_data.error
        user = error.cause if error and error.cause else error
        outcome.failure = (user.message.strip() if user else "unknown failure").splitlines()[0]
        outcome.retry_later = bool(user and user.cls_name in RETRY_LATER)
        if outcome.retry_later:  # its message says all; the exception's dotted name is noise here
            outcome.failure = outcome.failure.split(f"{user.cls_name}: ", 1)[-1]
        if event.step_key == WAREHOUSE_MODELS:
            failures = describe_failures(read_results(wpaths.dbt_target(result.run_id)))
            outcome.failure = "dbt build failed: " + ("; ".join(failures) or outcome.failure)
        break
    if outcome.failed_step == budget_report.op.name:
        # the warehouse is published: a report that could not be rendered is a finding of this
        # load (the previous report stays in place, whole), not a failed load
        outcome.check_failures.append((budget_report.key.to_user_string(), "report_written", "WARN",
                                       f"the HTML report was not refreshed: {outcome.failure}"))
        outcome.success, outcome.failed_step, outcome.failure = True, None, None
    tests = dbt_tests()
    for evaluation in result.get_asset_check_evaluations():
        if not evaluation.passed:
            outcome.check_failures.append((evaluation.asset_key.to_user_string(), evaluation.check_name,
                                           evaluation.severity.value, describe_check(evaluation, tests)))
    return outcome


def dbt_tests() -> dict[str, dict]:
    """dbt's test nodes by name (the name dagster-dbt gives their asset checks)."""
    manifest = json.loads(dbt_project().manifest_path.read_text())
    return {node["name"]: node for node in manifest["nodes"].values() if node["resource_type"] == "test"}


def describe_check(evaluation: dg.AssetCheckEvaluation, tests: dict[str, dict]) -> str:
    """A failed check as an operator reads it: for a dbt test, the test and what it tests
    (model, column, the grouping of an identity test) and how many rows failed, instead of
    dbt's generated id (`children_sum_to_parent_fct_expenditure_disclosure_id__table_id__…`);
    the check's own description (the documents and numbers) otherwise."""
    node = tests.get(evaluation.check_name)
    metadata = evaluation.metadata
    if node is None:
        return evaluation.description or evaluation.check_name
    test = (node.get("test_metadata") or {}).get("name") or node["name"]
    kwargs = (node.get("test_metadata") or {}).get("kwargs") or {}
    model = evaluation.asset_key.to_user_string().replace("/", ".")
    column = node.get("column_name") or kwargs.get("column_name")
    on = f"{model}.{column}" if column else model
    by = kwargs.get("group_by")
    rows = metadata.get("dagster_dbt/failed_row_count")
    failed = f", {rows.value} row(s) failed" if rows is not None else ""
    return f"dbt test {test} on {on}" + (f" (per {', '.join(by)})" if by else "") + failed
