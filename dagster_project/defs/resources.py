"""Paths as a Dagster resource, configured by environment variables with repository defaults,
so `dagster dev`, the daemon and `budgetwh run` all read and write the same places."""

from pathlib import Path

import dagster as dg

from dagster_project import settings
from dagster_project.staging.store import StagingStore
from dagster_project.warehouse.paths import WarehousePaths


class BudgetPaths(dg.ConfigurableResource):
    """Where reports are read from and the warehouse is published to."""

    raw_dir: str = str(settings.raw_dir())
    warehouse: str = str(settings.warehouse_path())

    @property
    def raw(self) -> Path:
        return Path(self.raw_dir)

    @property
    def warehouse_paths(self) -> WarehousePaths:
        return WarehousePaths(Path(self.warehouse))

    @property
    def store(self) -> StagingStore:
        return StagingStore(self.warehouse_paths.staging)


class NoDataIOManager(dg.ConfigurableIOManager):
    """The IO manager of every asset, and it is never called.

    Assets write their own files (staging Parquet, the DuckDB warehouse) and report with
    `MaterializeResult` (dbt's assets have no value at all), so no value travels between steps
    through Dagster's storage and nothing is pickled: Dagster's default filesystem IO manager
    pickles outputs, and unpickling is running code. An asset that started returning a value
    would fail its run here instead of writing a pickle."""

    def handle_output(self, context: dg.OutputContext, obj: object) -> None:
        raise TypeError(f"{context.step_key}: assets write their own files and return MaterializeResult; "
                        "no value is stored through an IO manager")

    def load_input(self, context: dg.InputContext) -> object:
        raise TypeError("no asset value is ever loaded through an IO manager (dependencies are files)")
