"""Paths, from environment variables with defaults anchored on the repository, not the cwd,
and the rules a raw folder and a warehouse must follow to be used together."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlparse

REPO_ROOT = Path(__file__).resolve().parent.parent
# What marks a folder as a budgetwh warehouse's: the lock `budgetwh run` takes beside the
# published file (load.py), and the staging manifest every load writes (staging/store.py).
LOCK_NAME = ".budgetwh.lock"
WAREHOUSE_FOLDERS = ("staging", "build", "marts")


def warehouse_path() -> Path:
    """The published DuckDB file (BUDGETWH_WAREHOUSE, default data/warehouse/budget.duckdb)."""
    return Path(os.environ.get("BUDGETWH_WAREHOUSE", REPO_ROOT / "data" / "warehouse" / "budget.duckdb"))


def raw_dir() -> Path:
    return Path(os.environ.get("BUDGETWH_RAW_DIR", REPO_ROOT / "data" / "raw"))


def staging_dir(warehouse: Path) -> Path:
    """Staging Parquet sits in `staging/` beside the warehouse file."""
    return warehouse.parent / "staging"


def holds_warehouse(folder: Path) -> bool:
    """Whether `folder` is where a budgetwh warehouse lives (its lock file, or a staging folder
    with a manifest). The raw-folder walk never reads such a folder: its Parquet, DuckDB and log
    files are a load's own output, and reading them as reports would feed every load the last."""
    try:
        return (folder / LOCK_NAME).exists() or (folder / "staging" / "manifest").is_dir()
    except OSError:  # a folder that cannot be looked into is reported by the walk itself
        return False


def sql_path_problem(path: Path, *, database: bool = False) -> str | None:
    """Why DuckDB (or, for a `database` file, dbt-duckdb) would not take `path` literally, or
    None; the reason follows the path's name in a message (`<path> contains a backslash ...`).

    Glob characters, quotes and braces are escaped where the path becomes SQL (dbt's staging
    source), and any other character is fine, but two things have no escape:
    - DuckDB reads a backslash as a path separator on every platform, in file patterns and when
      it opens a database: `/srv/a\\b/budget.duckdb` would build into `/srv/a/b/`;
    - dbt-duckdb parses its database path as a URL to name the catalog, so `?` and `#` (and `;`
      in the file name) cut the name short: `/srv/q?/budget.duckdb` makes dbt look for a
      catalog `q`, and the build fails.
    Such a path is refused, naming it and the reason, rather than misread."""
    text = str(path)
    if "\\" in text:
        return ("contains a backslash, which DuckDB reads as a path separator (it would read and "
                "write another folder): choose a warehouse folder without one")
    parsed = urlparse(text)
    if database and (parsed.path != text or parsed.scheme or parsed.netloc):
        return ("would be cut short: dbt-duckdb reads a database path as a URL, where `?` and `#` "
                "(and `;` in a file name) end the path; choose a warehouse folder and file name "
                "without them")
    return None


def build_file_pattern(warehouse: Path) -> Path:
    """Where dbt builds a load of `warehouse` (warehouse/paths.py names it
    `<warehouse dir>/build/<stem>.<load id>.duckdb`; load ids are plain): what to check first."""
    return warehouse.parent / "build" / f"{warehouse.stem}.load.duckdb"


def warehouse_refusal(raw: Path, warehouse: Path) -> str | None:
    """Why `budgetwh run` must not load `raw` into `warehouse`, or None when it may.

    A warehouse inside the raw folder would have each load read the previous load's output as
    reports (the corpus grows with every run); a raw folder inside the warehouse's own staging,
    build or marts folder is the same loop from the other side."""
    raw_real = raw.resolve()
    root = warehouse.absolute().parent.resolve()
    if root.is_relative_to(raw_real):
        return (f"the warehouse {warehouse} lies inside the raw folder {raw}: every load would read "
                "the previous load's output (staging, build files, marts) as reports; "
                "put the warehouse outside the raw folder")
    for name in WAREHOUSE_FOLDERS:
        if raw_real.is_relative_to(root / name):
            return (f"the raw folder {raw} lies inside the warehouse's {name} folder ({root / name}, "
                    f"of {warehouse}): every load would read its own output as reports; "
                    "choose another raw folder")
    if (problem := sql_path_problem(build_file_pattern(warehouse.absolute()).resolve(), database=True)):
        return f"the warehouse path {warehouse} {problem}"
    return None
