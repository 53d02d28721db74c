"""The published warehouse: the marts of this load's build, copied into a fresh DuckDB file
that replaces the published one in one atomic rename, and exported as Parquet.

Publishing happens under the warehouse lock (re-entrant: `budgetwh run` holds it already), is
refused rather than done over a live read-write session on the published file, and a failure
(a full disk, a refusal) deletes the load's build file before the step fails."""

import json

import dagster as dg
import duckdb

from dagster_project.defs.dbt import dbt_project
from dagster_project.defs.resources import BudgetPaths
from dagster_project.faults import crash_point
from dagster_project.warehouse.dbt_build import clean_build, discard_build
from dagster_project.warehouse.lock import report_wait, warehouse_lock
from dagster_project.warehouse.publish import export_parquet, inputs_fingerprint, publish


def _mart_keys() -> list[dg.AssetKey]:
    manifest = json.loads(dbt_project.manifest_path.read_text())
    return sorted(
        dg.AssetKey(["marts", node["name"]]) for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["schema"] == "marts"
    )


MART_KEYS = _mart_keys()


@dg.asset(
    deps=MART_KEYS,
    group_name="warehouse",
    kinds={"duckdb", "parquet"},
    check_specs=[
        dg.AssetCheckSpec("one_load_in_every_mart", asset="published_warehouse",
                          description="Every mart of the published file carries this load's id and no other."),
        dg.AssetCheckSpec("marts_have_rows", asset="published_warehouse",
                          description="Every mart has rows once any document is loaded."),
    ],
)
def published_warehouse(context: dg.AssetExecutionContext, paths: BudgetPaths):
    """Publish this load: BI tools reading the old file keep a complete load throughout."""
    load_id = context.run.run_id
    warehouse = paths.warehouse_paths
    summary = {"inputs_fingerprint": inputs_fingerprint(paths.store)}

    def notify(message: str) -> None:
        context.log.warning(message)
        report_wait(message)

    with warehouse_lock(warehouse.root, on_wait=notify, what=f"dagster run {load_id}: publish"):
        try:
            published = publish(warehouse, load_id, summary, notify=notify)
            # from the build: the published file may be open to a foreign session already
            exported = export_parquet(warehouse, source=warehouse.build_file(load_id), load_id=load_id)
        except Exception:
            crash_point("publish_failed")
            discard_build(warehouse, load_id)
            raise
        clean_build(warehouse, load_id)
    with duckdb.connect(str(published), read_only=True) as con:
        counts = {key.path[-1]: con.execute(f'select count(*) from marts."{key.path[-1]}"').fetchone()[0]
                  for key in MART_KEYS}
        load_ids = {key.path[-1]: [r[0] for r in con.execute(f'select distinct load_id from marts."{key.path[-1]}"').fetchall()]
                    for key in MART_KEYS}
    foreign = {m: ids for m, ids in load_ids.items() if ids and ids != [load_id]}
    yield dg.AssetCheckResult(check_name="one_load_in_every_mart", passed=not foreign,
                              metadata={"load_id": load_id, "other_load_ids": dg.MetadataValue.json(foreign)})
    empty = sorted(m for m, n in counts.items() if n == 0)
    yield dg.AssetCheckResult(check_name="marts_have_rows", passed=not empty, severity=dg.AssetCheckSeverity.WARN,
                              metadata={"row_counts": dg.MetadataValue.json(counts), "empty": dg.MetadataValue.json(empty)})
    yield dg.MaterializeResult(metadata={
        "path": dg.MetadataValue.path(str(published)),
        "load_id": load_id,
        "row_counts": dg.MetadataValue.json(counts),
        "parquet_files": len(exported),
        "disclosures": counts.get("mart_budget_overview", 0),
    })
