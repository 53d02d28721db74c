"""The published warehouse: the marts of this load's build, copied into a fresh DuckDB file
that replaces the published one in one atomic rename, and exported as Parquet.

Publishing happens under the warehouse lock (re-entrant: `budgetwh run` holds it already), is
refused rather than done over a live read-write session on the published file, and a failure
(a full disk, a refusal) deletes the load's build file before the step fails."""

from collections.abc import Sequence
from pathlib import Path

import dagster as dg
import duckdb

from dagster_project.defs.identities import IDENTITIES_CHECK, identities_check
from dagster_project.defs.progress import Progress
from dagster_project.defs.resources import BudgetPaths
from dagster_project.faults import crash_point
from dagster_project.quality import read_findings
from dagster_project.warehouse.dbt_build import clean_build, discard_build
from dagster_project.warehouse.lock import report_wait, warehouse_lock
from dagster_project.warehouse.publish import export_parquet, inputs_fingerprint, publish


def mart_keys(manifest: dict) -> list[dg.AssetKey]:
    """The marts of the dbt project (its models in schema `marts`): what is published."""
    return sorted(
        dg.AssetKey(["marts", node["name"]]) for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["schema"] == "marts"
    )


FINDINGS_SHOWN = 200  # rows of the findings table in the check's metadata (the mart has them all)
# marts fed by a table most reports leave out (国有资产占用情况): empty is normal for a corpus
MAY_BE_EMPTY = frozenset({"fct_state_assets"})


def findings_check(published: Path) -> dg.AssetCheckResult:
    """The publishers' figures that do not add up, per disclosure, from the published
    mart_data_quality: department, check and numbers in a table. Warns when there are any; a
    load with no disclosure says it checked nothing instead of passing."""
    findings, checked = read_findings(published)
    schema = dg.TableSchema(columns=[
        dg.TableColumn("department", "string"), dg.TableColumn("fiscal_year", "int"),
        dg.TableColumn("verdict", "string"), dg.TableColumn("check", "string"),
        dg.TableColumn("finding", "string"), dg.TableColumn("expected_yuan", "string"),
        dg.TableColumn("actual_yuan", "string"), dg.TableColumn("difference_yuan", "string"),
    ])
    records = [dg.TableRecord({
        "department": f.department, "fiscal_year": f.fiscal_year or 0, "verdict": f.verdict,
        "check": f.check_name, "finding": f.finding_zh, "expected_yuan": str(f.expected_yuan),
        "actual_yuan": str(f.actual_yuan), "difference_yuan": str(f.difference_yuan),
    }) for f in findings[:FINDINGS_SHOWN]]
    departments = sorted({f.department for f in findings})
    if not checked:
        description = "checked nothing: the published warehouse has no disclosure"
    elif findings:
        description = (f"{len(findings)} finding(s) in {len(departments)} of {checked} disclosures: "
                       + "; ".join(f.line() for f in findings[:3]) + ("; …" if len(findings) > 3 else ""))
    else:
        description = f"every identity of the {checked} disclosures holds"
    return dg.AssetCheckResult(
        check_name="publisher_figures_reconcile", passed=bool(checked) and not findings,
        severity=dg.AssetCheckSeverity.WARN, description=description,
        metadata={"disclosures_checked": checked, "findings": len(findings),
                  "departments_with_findings": dg.MetadataValue.json(departments),
                  "findings_table": dg.MetadataValue.table(records, schema=schema)})


def build_published_warehouse(marts: Sequence[dg.AssetKey]) -> dg.AssetsDefinition:
    """The publishing asset over the given marts (read from dbt's manifest by the caller, when
    Dagster loads the definitions: never at import)."""
    marts = list(marts)

    @dg.asset(
        deps=marts,
        group_name="warehouse",
        kinds={"duckdb", "parquet"},
        check_specs=[
            dg.AssetCheckSpec("one_load_in_every_mart", asset="published_warehouse",
                              description="Every mart of the published file carries this load's id and no other."),
            dg.AssetCheckSpec("marts_have_rows", asset="published_warehouse",
                              description="Every mart has rows once any document is loaded (but those of tables "
                                          "most reports leave out, such as 国有资产)."),
            dg.AssetCheckSpec("publisher_figures_reconcile", asset="published_warehouse",
                              description="Every total the publishers printed adds up (marts.mart_data_quality): "
                                          "the findings by department, check and numbers."),
            IDENTITIES_CHECK,
        ],
    )
    def published_warehouse(context: dg.AssetExecutionContext, paths: BudgetPaths,
                            progress: dg.ResourceParam[Progress]):
        """Publish this load: BI tools reading the old file keep a complete load throughout."""
        load_id = context.run.run_id
        warehouse = paths.warehouse_paths
        summary = {"inputs_fingerprint": inputs_fingerprint(paths.store)}

        def notify(message: str) -> None:
            context.log.warning(message)
            report_wait(message)

        progress.begin("publish", 2)
        with warehouse_lock(warehouse.root, on_wait=notify, what=f"dagster run {load_id}: publish",
                            timeout=paths.lock_timeout_seconds):
            try:
                published = publish(warehouse, load_id, summary, notify=notify, timeout=paths.lock_timeout_seconds,
                                    stale_seconds=paths.settings.stale_seconds)
                progress.tick(published.name)
                # from the build: the published file may be open to a foreign session already
                exported = export_parquet(warehouse, source=warehouse.build_file(load_id), load_id=load_id)
                progress.tick("Parquet export")
            except Exception:
                crash_point("publish_failed")
                discard_build(warehouse, load_id)
                raise
            clean_build(warehouse, load_id)
        with duckdb.connect(str(published), read_only=True) as con:
            counts = {key.path[-1]: con.execute(f'select count(*) from marts."{key.path[-1]}"').fetchone()[0]
                      for key in marts}
            load_ids = {key.path[-1]: [r[0] for r in con.execute(f'select distinct load_id from marts."{key.path[-1]}"').fetchall()]
                        for key in marts}
        foreign = {m: ids for m, ids in load_ids.items() if ids and ids != [load_id]}
        yield dg.AssetCheckResult(check_name="one_load_in_every_mart", passed=not foreign,
                                  metadata={"load_id": load_id, "other_load_ids": dg.MetadataValue.json(foreign)})
        empty = sorted(m for m, n in counts.items() if n == 0 and m not in MAY_BE_EMPTY)
        yield dg.AssetCheckResult(check_name="marts_have_rows", passed=not empty, severity=dg.AssetCheckSeverity.WARN,
                                  metadata={"row_counts": dg.MetadataValue.json(counts), "empty": dg.MetadataValue.json(empty)})
        yield findings_check(published)
        yield identities_check(published)
        yield dg.MaterializeResult(metadata={
            "path": dg.MetadataValue.path(str(published)),
            "load_id": load_id,
            "row_counts": dg.MetadataValue.json(counts),
            "parquet_files": len(exported),
            "disclosures": counts.get("mart_budget_overview", 0),
        })

    return published_warehouse
