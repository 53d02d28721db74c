"""Paths and limits as a Dagster resource, so `dagster dev`, the daemon and `budgetwh run` all
read and write the same places under the same limits. The resource is built from a `Settings`
(`BudgetPaths.from_settings`) where the Definitions are built (definitions.py: the code
location, from the environment then; load.py: from `budgetwh run`'s Settings); its defaults are
the documented ones, never an environment read at import."""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from dagster_project.settings import (
    DEFAULT_BATCH,
    DEFAULT_LOCK_TIMEOUT_SECONDS,
    DEFAULT_MAX_FILE_MB,
    DEFAULT_MAX_PAGES,
    DEFAULT_MB_PER_DOCUMENT,
    DEFAULT_RAW_DIR,
    DEFAULT_SECONDS_PER_DOCUMENT,
    DEFAULT_STALE_HOURS,
    DEFAULT_WAREHOUSE,
    Settings,
)
from dagster_project.staging.store import StagingStore
from dagster_project.warehouse.paths import WarehousePaths


class BudgetPaths(dg.ConfigurableResource):
    """Where reports are read from and the warehouse is published to, and the limits the
    steps hold documents to (the fields of `Settings` a Dagster step needs)."""

    raw_dir: str = str(DEFAULT_RAW_DIR)
    warehouse: str = str(DEFAULT_WAREHOUSE)
    workers: int = 0  # 0: the CPU count
    max_file_mb: float = DEFAULT_MAX_FILE_MB
    max_pages: int = DEFAULT_MAX_PAGES
    max_seconds_per_doc: float = DEFAULT_SECONDS_PER_DOCUMENT
    max_mb_per_doc: int = DEFAULT_MB_PER_DOCUMENT  # 0: no limit
    stale_hours: float = DEFAULT_STALE_HOURS
    lock_timeout_seconds: float = DEFAULT_LOCK_TIMEOUT_SECONDS
    batch: int = DEFAULT_BATCH

    @classmethod
    def from_settings(cls, settings: Settings, raw_dir: Path | None = None,
                      warehouse: Path | None = None) -> BudgetPaths:
        """The resource for `settings` (`raw_dir` / `warehouse`: the command line's, when given)."""
        return cls(raw_dir=str(raw_dir or settings.raw_dir), warehouse=str(warehouse or settings.warehouse),
                   workers=settings.workers, max_file_mb=settings.max_file_mb, max_pages=settings.max_pages,
                   max_seconds_per_doc=settings.max_seconds_per_doc, max_mb_per_doc=settings.max_mb_per_doc or 0,
                   stale_hours=settings.stale_hours, lock_timeout_seconds=settings.lock_timeout_seconds,
                   batch=settings.batch)

    @property
    def settings(self) -> Settings:
        """The Settings this resource was built from (the dbt values aside: dbt reads those)."""
        return Settings(warehouse=Path(self.warehouse), raw_dir=Path(self.raw_dir),
                        workers=self.workers or Settings().workers, max_file_mb=self.max_file_mb,
                        max_pages=self.max_pages, max_seconds_per_doc=self.max_seconds_per_doc,
                        max_mb_per_doc=self.max_mb_per_doc or None, stale_hours=self.stale_hours,
                        lock_timeout_seconds=self.lock_timeout_seconds, batch=self.batch)

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
