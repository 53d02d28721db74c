"""Where the warehouse stage reads and writes, derived from the published file's path.

Everything sits beside the published file so that one variable (BUDGETWH_WAREHOUSE) moves the
whole warehouse: `staging/` (Parquet from extraction), `build/` (dbt's private build file and
temp space), and the Parquet export of the marts in `marts/`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from dagster_project.settings import REPO_ROOT

DBT_PROJECT_DIR = REPO_ROOT / "dbt"


@dataclass(frozen=True)
class WarehousePaths:
    published: Path

    @property
    def root(self) -> Path:
        return self.published.parent

    @property
    def staging(self) -> Path:
        return self.root / "staging"

    @property
    def build_dir(self) -> Path:
        return self.root / "build"

    def build_file(self, load_id: str) -> Path:
        """dbt's target for one load: never the published file, so no reader ever sees a
        half-built state, and one per load, so two loads never build into the same file."""
        return self.build_dir / f"{self.published.stem}.{load_id}.duckdb"

    def dbt_target(self, load_id: str) -> Path:
        return self.build_dir / f"dbt-target-{load_id}"

    @property
    def parquet_dir(self) -> Path:
        return self.root / "marts"
