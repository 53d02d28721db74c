"""The dbt project as Dagster assets (dagster-dbt): every seed, model and test, with dbt tests
surfaced as asset checks.

Nothing here touches the disk at import: a fresh clone has no `dbt/target/manifest.json`, and
`dagster dev` imports the code location before anything could have parsed the project. The
definitions are built by functions that `dagster_project.definitions` calls when Dagster loads
the code location (`@dg.definitions`), and those first make sure the manifest is current
(`prepare_manifest`: a `dbt parse` with the dbt installed beside this Python, only when a file
of the dbt project is newer than the manifest). dagster-dbt's own `DbtProject.prepare_if_dev()`
is not used: its preparer runs the executable named `dbt` from PATH (a `DbtCliResource` with the
default executable, not configurable through DbtProject), which is exactly what failed for a
`make dev` whose shell has not activated the virtual environment."""

import importlib.metadata
import os
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from functools import cache, cached_property
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, DbtProject, dbt_assets
from packaging.version import Version

from dagster_project.defs.progress import Progress
from dagster_project.defs.resources import BudgetPaths
from dagster_project.faults import crash_point, fail_point
from dagster_project.warehouse.dbt_build import (
    dbt_env,
    dbt_executable,
    discard_build,
    ensure_dbt_manifest,
    prepare_build_file,
)
from dagster_project.warehouse.lock import report_wait, warehouse_lock
from dagster_project.warehouse.paths import DBT_PROJECT_DIR
from dagster_project.warehouse.publish import remove_stale_builds

# The op of the dbt assets: `load.py` names the failed step by it without building the assets.
WAREHOUSE_MODELS = "warehouse_models"


def prepare_manifest() -> Path:
    """dbt's manifest, parsed now when missing or older than a file of the dbt project."""
    return ensure_dbt_manifest()


@cache
def dbt_project() -> DbtProject:
    """The dbt project, after its manifest is prepared (DbtProject reads dbt_project.yml)."""
    prepare_manifest()
    return DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)


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


def build_nodes(manifest: Mapping[str, Any]) -> int:
    """How many results `dbt build` reports for this project: seeds, models, snapshots, data
    tests and unit tests (the total of the progress bar over the build)."""
    kinds = ("seed", "model", "snapshot", "test", "unit_test")
    nodes = list(manifest.get("nodes", {}).values()) + list(manifest.get("unit_tests", {}).values())
    return sum(1 for node in nodes if node.get("resource_type") in kinds)


def node_label(context: dg.AssetExecutionContext, event: Any) -> str:
    """What a dagster-dbt event is about, for the progress bar: the asset (a model's Output
    names only its output, whose asset the context knows), and the check of a test."""
    key = getattr(event, "asset_key", None)
    if key is None and isinstance(event, dg.Output):
        key = context.asset_key_for_output(event.output_name)
    check = getattr(event, "check_name", None)
    name = key.to_user_string() if isinstance(key, dg.AssetKey) else ""
    return f"{name}: {check}" if check else name


@cache
def warehouse_models() -> dg.AssetsDefinition:
    """The dbt assets, built from the prepared manifest (once per process)."""
    project = dbt_project()

    @dbt_assets(manifest=project.manifest_path, project=project, dagster_dbt_translator=TRANSLATOR,
                name=WAREHOUSE_MODELS)
    def _warehouse_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, paths: BudgetPaths,
                          progress: dg.ResourceParam[Progress]):
        """`dbt build` into this load's private build file (the run id is the load id).

        Under the warehouse lock, so that a run the daemon launched waits for `budgetwh run`
        (which holds it already: the lock is re-entrant in its process) and the other way
        round. A build that fails deletes its build file at once (a full disk must not stay
        full). dbt's results reach the progress resource node by node, as dbt reports them."""
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
                context.log.info("removed what earlier loads left: "
                                 + ", ".join(f"{p.name} ({n} bytes)" for p, n in removed))
            prepare_build_file(warehouse, load_id)
            invocation = None
            try:
                with dbt_environment(dbt_env(warehouse, load_id)):
                    invocation = dbt.cli(["build"], context=context, target_path=warehouse.dbt_target(load_id))
                    progress.begin("dbt build", build_nodes(invocation.manifest))
                    for event in invocation.stream():
                        crash_point("inside_dbt")  # the dbt process is still running: it dies with the load
                        progress.tick(node_label(context, event))
                        yield event
                fail_point("dbt_build", warehouse.build_file(load_id))
            except BaseException:  # a failure, or the run interrupted: dbt must not outlive it
                if invocation is not None and invocation.process.poll() is None:
                    invocation.process.terminate()
                discard_build(warehouse, load_id)
                raise

    return _warehouse_models


class WarehouseDbtCli(DbtCliResource):
    """dagster-dbt's resource without two costs a load does not need (measured ~7 s per load on
    2 cores, before dbt even starts): it asked the `dbt` executable for its version in a
    subprocess, which is the pinned dbt-core installed beside us; and it built a dbt adapter
    in-process with every macro loaded, used only by `fetch_row_counts` and
    `fetch_column_metadata`, which these assets never call (dagster-dbt accepts no adapter).
    Both are private members of DbtCliResource: dagster-dbt 0.29 has no public switch for
    either, so these two overrides stay (pinned version; tests/test_dagster.py loads through them)."""

    @cached_property
    def _cli_version(self) -> Version:
        return Version(importlib.metadata.version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args):  # noqa: ANN001, ANN202 - dagster-dbt's signature
        return None


@cache
def dbt_resource() -> WarehouseDbtCli:
    """dbt from this virtual environment (beside sys.executable), never whatever `dbt` PATH has."""
    return WarehouseDbtCli(project_dir=dbt_project(), dbt_executable=dbt_executable())
