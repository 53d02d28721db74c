"""The one Definitions object: `dagster dev` and the daemon load `defs`, and `budgetwh run`
executes the same `load_warehouse` job in-process (with its own paths and a progress bar), so
there is a single code path from report file to published mart."""

import dagster as dg

from dagster_project.defs.automation import load_warehouse, nightly_load, raw_folder_sensor
from dagster_project.defs.dbt import dbt_resource, warehouse_models
from dagster_project.defs.documents import document_staging, raw_documents, staging
from dagster_project.defs.progress import Progress
from dagster_project.defs.publishing import published_warehouse
from dagster_project.defs.resources import BudgetPaths, NoDataIOManager


def build_definitions(paths: BudgetPaths | None = None, progress: Progress | None = None) -> dg.Definitions:
    return dg.Definitions(
        assets=[raw_documents, document_staging, staging, warehouse_models, published_warehouse],
        jobs=[load_warehouse],
        schedules=[nightly_load],
        sensors=[raw_folder_sensor],
        resources={
            "paths": paths or BudgetPaths(),
            "dbt": dbt_resource,
            "progress": dg.ResourceDefinition.hardcoded_resource(progress or Progress()),
            "io_manager": NoDataIOManager(),
        },
    )


defs = build_definitions()
