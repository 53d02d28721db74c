"""Paths, from environment variables with defaults anchored on the repository, not the cwd."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent


def warehouse_path() -> Path:
    """The published DuckDB file (BUDGETWH_WAREHOUSE, default data/warehouse/budget.duckdb)."""
    return Path(os.environ.get("BUDGETWH_WAREHOUSE", REPO_ROOT / "data" / "warehouse" / "budget.duckdb"))


def raw_dir() -> Path:
    return Path(os.environ.get("BUDGETWH_RAW_DIR", REPO_ROOT / "data" / "raw"))


def staging_dir(warehouse: Path) -> Path:
    """Staging Parquet sits in `staging/` beside the warehouse file."""
    return warehouse.parent / "staging"
