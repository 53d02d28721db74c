"""The static HTML report, rebuilt after every publish so the pages never lag the warehouse.

It reads the published file read-only (like any BI tool) and swaps its folder in whole, so a
person reading the report during a load sees the previous complete one (`dagster_project/report`).
"""

import dagster as dg

from dagster_project.defs.resources import BudgetPaths
from dagster_project.faults import fail_point
from dagster_project.report import build_report, report_dir


@dg.asset(
    # by key: the publishing asset is built from dbt's manifest when the definitions load
    deps=[dg.AssetKey("published_warehouse")],
    group_name="warehouse",
    kinds={"html"},
    description="Static HTML report of the published warehouse (overview, one page per disclosure, "
                "data quality), readable from file:// without a server.",
)
def budget_report(context: dg.AssetExecutionContext, paths: BudgetPaths) -> dg.MaterializeResult:
    """Render the report of the file just published into `report/` beside it."""
    warehouse = paths.warehouse_paths
    fail_point("report_write", report_dir(warehouse))
    summary = build_report(warehouse.published, report_dir(warehouse))
    context.log.info(f"report: {summary.pages} pages, {summary.disclosures} disclosures in {summary.seconds}s")
    return dg.MaterializeResult(metadata={
        "path": dg.MetadataValue.path(str(summary.out_dir / "index.html")),
        "pages": summary.pages,
        "disclosures": summary.disclosures,
        "findings": summary.findings,
        "seconds": summary.seconds,
    })
