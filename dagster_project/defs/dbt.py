"""The dbt project as Dagster assets (dagster-dbt): every seed, model and test, with dbt tests
surfaced as asset checks. The manifest is prepared ahead of time (`make` runs `dbt parse` when
the project changes; `dagster dev` prepares it itself), never parsed at code-location load."""

import importlib.metadata
import os
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from functools import cached_property
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, DbtProject, dbt_assets
from packaging.version import Version

from dagster_project.defs.resources import BudgetPaths
from dagster_project.faults import crash_point, fail_point
from dagster_project.warehouse.dbt_build import dbt_env, dbt_executable, discard_build, prepare_build_file
from dagster_project.warehouse.lock import report_wait, warehouse_lock
from dagster_project.warehouse.publish import remove_stale_builds
from dagster_project.warehouse.paths import DBT_PROJECT_DIR

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
dbt_project.prepare_if_dev()


class WarehouseTranslator(DagsterDbtTranslator):
    """Asset keys follow the DuckDB schema (`marts/fct_expenditure`); sources keep dagster-dbt's
    default (`staging/line_items`), which is exactly the key of the staging assets upstream."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] in ("model", "seed", "snapshot"):
            return dg.AssetKey([dbt_resource_props["schema"], dbt_resource_props["name"]])
        return super().get_asset_key(dbt_resource_props)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        return "warehouse"


TRANSLATOR = WarehouseTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=True))


@contextmanager
def dbt_environment(values: dict[str, str]) -> Iterator[None]:
    """dbt reads its paths from the environment (dbt/profiles.yml); set them for this build only."""
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def run_is_live(instance: dg.DagsterInstance) -> Callable[[str], bool]:
    """Whether the run of a load id (the run id) may still use its build file, as far as this
    Dagster instance knows: a run it does not know (another instance's, or `budgetwh run`'s
    ephemeral one) counts as live, and only age removes its files."""
    def is_live(load_id: str) -> bool:
        try:
            run = instance.get_run_by_id(load_id)
        except Exception:  # noqa: BLE001 - not a run id of this instance's storage
            return True
        return run is None or not run.is_finished
    return is_live


@dbt_assets(manifest=dbt_project.manifest_path, project=dbt_project, dagster_dbt_translator=TRANSLATOR)
def warehouse_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, paths: BudgetPaths):
    """`dbt build` into this load's private build file (the run id is the load id).

    Under the warehouse lock, so that a run the daemon launched waits for `budgetwh run` (which
    holds it already: the lock is re-entrant in its process) and the other way round. A build
    that fails deletes its build file at once (a full disk must not stay full)."""
    load_id = context.run.run_id
    warehouse = paths.warehouse_paths
    crash_point("before_dbt")

    def notify(message: str) -> None:
        context.log.warning(message)
        report_wait(message)

    with warehouse_lock(warehouse.root, on_wait=notify, what=f"dagster run {load_id}: dbt build") as hold:
        removed = remove_stale_builds(warehouse, load_id, exclusive=hold.whole_load,
                                      is_live=run_is_live(context.instance))
        if removed:
            context.log.info("removed what earlier loads left: " + ", ".join(f"{p.name} ({n} bytes)" for p, n in removed))
        prepare_build_file(warehouse, load_id)
        try:
            with dbt_environment(dbt_env(warehouse, load_id)):
                for event in dbt.cli(["build"], context=context, target_path=warehouse.dbt_target(load_id)).stream():
                    crash_point("inside_dbt")  # the dbt process is still running: it dies with the load
                    yield event
            fail_point("dbt_build", warehouse.build_file(load_id))
        except Exception:
            discard_build(warehouse, load_id)
            raise


class WarehouseDbtCli(DbtCliResource):
    """dagster-dbt's resource without two costs a load does not need (measured ~7 s per load on
    2 cores, before dbt even starts): it asked the `dbt` executable for its version in a
    subprocess, which is the pinned dbt-core installed beside us; and it built a dbt adapter
    in-process with every macro loaded, used only by `fetch_row_counts` and
    `fetch_column_metadata`, which these assets never call (dagster-dbt accepts no adapter)."""

    @cached_property
    def _cli_version(self) -> Version:
        return Version(importlib.metadata.version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args):  # noqa: ANN001, ANN202 - dagster-dbt's signature
        return None


dbt_resource = WarehouseDbtCli(project_dir=dbt_project, dbt_executable=dbt_executable())
