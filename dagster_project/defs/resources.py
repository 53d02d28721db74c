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
