"""The dbt project as Dagster assets (dagster-dbt's `@dbt_assets`): every seed, model and test,
with dbt tests surfaced as asset checks.

dbt runs inside the step's process through dbt's public programmatic API (`dbtRunner`, see
`warehouse/dbt_build.build_in_process`), not through dagster-dbt's `DbtCliResource`: that one
starts a dbt subprocess that parses the whole project again, asks the executable for its
version and builds a dbt adapter before every build (seconds a small load does not have), and
it has no public switch for any of it. The results come back node by node through dbt's
callback; this module turns them into Dagster events with public APIs only: the asset and check
keys are those `@dbt_assets` put on its specs (their `dagster_dbt/unique_id` metadata), and
metadata keeps dagster-dbt's names (`unique_id`, `status`, `dagster_dbt/failed_row_count`).

Nothing here touches the disk at import: a fresh clone has no `dbt/target/manifest.json`, and
`dagster dev` imports the code location before anything could have parsed the project. The
definitions are built by functions that `dagster_project.definitions` calls when Dagster loads
the code location (`@dg.definitions`), and those first make sure the manifest is current
(`prepare_manifest`: a `dbt parse` with the dbt installed beside this Python, only when a file
of the dbt project is newer than the manifest). dagster-dbt's own `DbtProject.prepare_if_dev()`
is not used: its preparer runs the executable named `dbt` from PATH, which is exactly what
failed for a `make dev` whose shell has not activated the virtual environment."""

import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtProject, dbt_assets

from dagster_project.defs.progress import Progress
from dagster_project.defs.resources import BudgetPaths
from dagster_project.faults import crash_point, fail_point
from dagster_project.warehouse.dbt_build import (
    BuildOutcome,
    NodeResult,
    build_in_process,
    dbt_environment,
    discard_build,
    ensure_dbt_manifest,
    prepare_build_file,
)
from dagster_project.warehouse.lock import report_wait, warehouse_lock
from dagster_project.warehouse.paths import DBT_PROJECT_DIR, WarehousePaths
from dagster_project.warehouse.publish import remove_stale_builds

__all__ = ["WAREHOUSE_MODELS", "DbtBuilder", "dbt_environment", "dbt_project", "dbt_resource", "warehouse_models"]

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
    """How many results a load's `dbt build` reports for this project: seeds, models,
    snapshots and data tests (the total of the progress bar over the build; a load leaves the
    unit tests out, `LOAD_EXCLUDES`)."""
    kinds = ("seed", "model", "snapshot", "test")
    return sum(1 for node in manifest.get("nodes", {}).values() if node.get("resource_type") in kinds)


class DbtBuilder(dg.ConfigurableResource):
    """Runs this load's `dbt build` in the step's process (dbt's public `dbtRunner`): a
    resource, so that a test or another deployment can put another builder in its place."""

    def build(self, paths: WarehousePaths, load_id: str, args: list[str],
              on_node: Callable[[NodeResult], None]) -> BuildOutcome:
        return build_in_process(paths, load_id, args, on_node)


@dataclass(frozen=True)
class NodeKeys:
    """The Dagster keys of the dbt nodes of an assets definition, by dbt unique id, read from
    the specs `@dbt_assets` built (their `dagster_dbt/unique_id` metadata): the same keys the
    definitions show, without translating the manifest a second time."""

    assets: dict[str, dg.AssetKey]
    checks: dict[str, dg.AssetCheckKey]
    # tests that are no asset check (a singular test over several models), by the assets they read
    observed: dict[str, list[dg.AssetKey]] = field(default_factory=dict)

    @classmethod
    def of(cls, assets_def: dg.AssetsDefinition, manifest: Mapping[str, Any] | None = None) -> "NodeKeys":
        specs = [assets_def.get_asset_spec(key) for key in assets_def.keys]
        assets = {spec.metadata[UNIQUE_ID]: spec.key for spec in specs if UNIQUE_ID in spec.metadata}
        checks = {spec.metadata[UNIQUE_ID]: spec.key for spec in assets_def.check_specs
                  if UNIQUE_ID in (spec.metadata or {})}
        observed: dict[str, list[dg.AssetKey]] = {}
        for uid, node in (manifest or {}).get("nodes", {}).items():
            if node["resource_type"] == "test" and uid not in checks:
                upstream = [manifest["nodes"].get(u) or manifest["sources"].get(u) for u in node["depends_on"]["nodes"]]
                observed[uid] = [TRANSLATOR.get_asset_key(props) for props in upstream if props]
        return cls(assets, checks, observed)

    def label(self, node: NodeResult) -> str:
        """What the progress bar shows for a node: its asset, or the asset and check of a test."""
        if node.unique_id in self.assets:
            return self.assets[node.unique_id].to_user_string()
        if node.unique_id in self.checks:
            key = self.checks[node.unique_id]
            return f"{key.asset_key.to_user_string()}: {key.name}"
        return node.unique_id


UNIQUE_ID = "dagster_dbt/unique_id"  # the metadata key dagster-dbt puts on every spec it builds
MATERIALIZED = frozenset({"success", "no-op", "reused", "warn"})  # a model or seed that is built


def node_events(node: NodeResult, keys: NodeKeys, context: dg.AssetExecutionContext
                ) -> Iterator[dg.MaterializeResult | dg.AssetCheckResult | dg.AssetObservation]:
    """The Dagster events of one dbt result, as dagster-dbt reports them: a materialization of
    a built seed or model, a check result of a test that ran (a skipped one has none), for
    what the run selected, and an observation of each asset a test without a check read; the
    metadata under dagster-dbt's names."""
    metadata: dict[str, Any] = {"unique_id": node.unique_id, "invocation_id": node.invocation_id,
                                "Execution Duration": node.execution_seconds, "status": node.status}
    asset = keys.assets.get(node.unique_id)
    if asset is not None and node.status in MATERIALIZED and asset in context.selected_asset_keys:
        yield dg.MaterializeResult(asset_key=asset, metadata=metadata)
    check = keys.checks.get(node.unique_id)
    if check is not None and node.status != "skipped" and check in context.selected_asset_check_keys:
        if node.failures is not None:
            metadata["dagster_dbt/failed_row_count"] = node.failures
        yield dg.AssetCheckResult(
            asset_key=check.asset_key, check_name=check.name, passed=node.status == "pass",
            severity=dg.AssetCheckSeverity.WARN if node.status == "warn" else dg.AssetCheckSeverity.ERROR,
            metadata=metadata)
    if node.unique_id in keys.observed and node.status != "skipped":
        if node.failures is not None:
            metadata["dagster_dbt/failed_row_count"] = node.failures
        for key in keys.observed[node.unique_id]:
            yield dg.AssetObservation(asset_key=key, metadata=metadata)


def selection_args(context: dg.AssetExecutionContext, keys: NodeKeys, manifest: Mapping[str, Any]) -> list[str]:
    """dbt's selection for a run that selected part of the dbt assets (a model materialized
    from the UI): the selected seeds and models and the tests of the selected checks, by their
    fully qualified names, and no test dbt would add by itself. Nothing for the whole project,
    which is what a load builds."""
    if not context.is_subset:
        return []
    wanted = {uid for uid, key in keys.assets.items() if key in context.selected_asset_keys}
    wanted |= {uid for uid, key in keys.checks.items() if key in context.selected_asset_check_keys}
    nodes = manifest.get("nodes", {})
    names = sorted("fqn:" + ".".join(nodes[uid]["fqn"]) for uid in wanted if uid in nodes)
    return ["--select", *names, "--indirect-selection", "empty"] if names else ["--select", "fqn:none-selected"]


def build_failure(outcome: BuildOutcome) -> Exception:
    """The step's error when dbt's build did not succeed (the nodes that failed are in the
    load's run_results.json, which `budgetwh run` reads for its summary)."""
    failed = [n.unique_id for n in outcome.nodes if n.status in ("error", "fail")]
    if failed:
        return RuntimeError(f"dbt build failed: {len(failed)} node(s) failed: " + ", ".join(failed[:5]))
    return RuntimeError(f"dbt build failed: {outcome.exception or 'no node failed; see dbt.log'}")


@cache
def warehouse_models() -> dg.AssetsDefinition:
    """The dbt assets, built from the prepared manifest (once per process)."""
    project = dbt_project()
    manifest = json.loads(project.manifest_path.read_text())

    @dbt_assets(manifest=project.manifest_path, project=project, dagster_dbt_translator=TRANSLATOR,
                name=WAREHOUSE_MODELS)
    def _warehouse_models(context: dg.AssetExecutionContext, dbt: DbtBuilder, paths: BudgetPaths,
                          progress: dg.ResourceParam[Progress]):
        """`dbt build` into this load's private build file (the run id is the load id).

        Under the warehouse lock, so that a run the daemon launched waits for `budgetwh run`
        (which holds it already: the lock is re-entrant in its process) and the other way
        round. A build that fails deletes its build file at once (a full disk must not stay
        full). dbt's results reach the progress resource node by node, as dbt reports them;
        their Dagster events follow when dbt is done (dbt runs in this thread, so that an
        interruption of the run reaches dbt and no dbt outlives the step)."""
        load_id = context.run.run_id
        warehouse = paths.warehouse_paths
        keys = NodeKeys.of(context.assets_def, manifest)
        crash_point("before_dbt")

        def notify(message: str) -> None:
            context.log.warning(message)
            report_wait(message)

        def reported(node: NodeResult) -> None:
            crash_point("inside_dbt")  # dbt runs in this process: it dies with the load
            progress.tick(keys.label(node))

        with warehouse_lock(warehouse.root, on_wait=notify, what=f"dagster run {load_id}: dbt build",
                            timeout=paths.lock_timeout_seconds) as hold:
            removed = remove_stale_builds(warehouse, load_id, exclusive=hold.whole_load,
                                          is_live=run_is_live(context.instance),
                                          stale_seconds=paths.settings.stale_seconds)
            if removed:
                context.log.info("removed what earlier loads left: "
                                 + ", ".join(f"{p.name} ({n} bytes)" for p, n in removed))
            prepare_build_file(warehouse, load_id)
            try:
                progress.begin("dbt build", build_nodes(manifest))
                outcome = dbt.build(warehouse, load_id, selection_args(context, keys, manifest), reported)
                for node in outcome.nodes:
                    yield from node_events(node, keys, context)
                if not outcome.success:
                    raise build_failure(outcome) from outcome.exception
                fail_point("dbt_build", warehouse.build_file(load_id))
            except BaseException:  # a failure, or the run interrupted: no build file outlives it
                discard_build(warehouse, load_id)
                raise

    return _warehouse_models


@cache
def dbt_resource() -> DbtBuilder:
    """The dbt of this virtual environment, in-process (never whatever `dbt` PATH has)."""
    return DbtBuilder()
