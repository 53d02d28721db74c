"""The one set of Definitions: `dagster dev` and the daemon load it, and `budgetwh run`
executes the same `load_warehouse` job in-process (with its own paths and a progress bar), so
there is a single code path from report file to published mart.

Importing this module does no I/O: the dbt assets need dbt's manifest, which a fresh clone does
not have, so Dagster loads the code location through `definitions` (`@dg.definitions`, called
when the code location loads), which prepares the manifest with the dbt beside this Python and
then builds everything. `defs` is the same object for code that wants a value (tests, tools):
built on first use and kept.

Settings: `build_definitions` is an entry point. Given no paths (the code location of `dagster
dev` and the daemon), it reads the environment once, when it is called
(`Settings.from_env`), and every step gets those settings through the `paths` resource;
`budgetwh run` passes the resource built from its own Settings."""

from __future__ import annotations

import json
import os
from functools import cache

import dagster as dg

from dagster_project.defs.automation import load_warehouse, nightly_load, raw_folder_sensor
from dagster_project.defs.dbt import dbt_project, dbt_resource, warehouse_models
from dagster_project.defs.documents import document_staging, raw_documents, staging
from dagster_project.defs.progress import Progress
from dagster_project.defs.publishing import build_published_warehouse, mart_keys
from dagster_project.defs.report import budget_report
from dagster_project.defs.resources import BudgetPaths, NoDataIOManager
from dagster_project.settings import Settings


@cache
def _published_warehouse() -> dg.AssetsDefinition:
    return build_published_warehouse(mart_keys(json.loads(dbt_project().manifest_path.read_text())))


def build_definitions(paths: BudgetPaths | None = None, progress: Progress | None = None) -> dg.Definitions:
    """The Definitions over the given paths (default: the environment's, read now)."""
    return dg.Definitions(
        assets=[raw_documents, document_staging, staging, warehouse_models(), _published_warehouse(),
                budget_report],
        jobs=[load_warehouse],
        schedules=[nightly_load],
        sensors=[raw_folder_sensor],
        resources={
            "paths": paths or BudgetPaths.from_settings(Settings.from_env(os.environ)),
            "dbt": dbt_resource(),
            "progress": dg.ResourceDefinition.hardcoded_resource(progress or Progress()),
            "io_manager": NoDataIOManager(),
        },
    )


@cache
def _default_definitions() -> dg.Definitions:
    return build_definitions()


@dg.definitions
def definitions() -> dg.Definitions:
    """What `dagster dev -m dagster_project.definitions` and the daemon load."""
    return _default_definitions()


def __getattr__(name: str) -> dg.Definitions:
    """`from dagster_project.definitions import defs`: the default Definitions, built on first
    use (a module attribute would be built at import, which is what this module avoids)."""
    if name == "defs":
        return _default_definitions()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
