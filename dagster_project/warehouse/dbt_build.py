"""Runs `dbt build` over the staging Parquet into the build file.

The dbt project reads its paths from environment variables (dbt/profiles.yml,
dbt/models/staging/__sources.yml), so this module's whole job is to set them and to report
what dbt said. dbt runs as a subprocess, as dagster-dbt runs it too: dbt keeps global state
(adapters, caches) that does not belong inside a long-lived process.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from dagster_project.warehouse.paths import DBT_PROJECT_DIR, WarehousePaths


@dataclass
class DbtOutcome:
    success: bool
    returncode: int
    results: list[dict] = field(default_factory=list)  # run_results.json "results"
    log_tail: str = ""

    def with_status(self, *statuses: str) -> list[dict]:
        return [r for r in self.results if r.get("status") in statuses]


def dbt_executable() -> str:
    beside = Path(sys.executable).with_name("dbt")
    return str(beside) if beside.exists() else (shutil.which("dbt") or "dbt")


def dbt_env(paths: WarehousePaths, load_id: str) -> dict[str, str]:
    """The variables dbt/profiles.yml and the sources read, as absolute paths."""
    return {
        "BUDGETWH_STAGING_DIR": str(paths.staging.resolve()),
        "BUDGETWH_BUILD_PATH": str(paths.build_file.resolve()),
        "BUDGETWH_DBT_TEMP": str((paths.build_dir / "tmp").resolve()),
        "BUDGETWH_LOAD_ID": load_id,
        "DBT_PROFILES_DIR": str(DBT_PROJECT_DIR),
    }


def prepare_build_file(paths: WarehousePaths) -> None:
    """Every build starts from an empty file: no table of an earlier load can survive into it."""
    (paths.build_dir / "tmp").mkdir(parents=True, exist_ok=True)
    for leftover in (paths.build_file, paths.build_file.with_name(paths.build_file.name + ".wal")):
        leftover.unlink(missing_ok=True)


def run_dbt_build(paths: WarehousePaths, load_id: str, args: list[str] | None = None) -> DbtOutcome:
    prepare_build_file(paths)
    target = paths.build_dir / "dbt-target"
    command = [dbt_executable(), "build", "--project-dir", str(DBT_PROJECT_DIR),
               "--target-path", str(target), *(args or [])]
    env = {**os.environ, **dbt_env(paths, load_id), "DBT_LOG_PATH": str(paths.build_dir / "dbt-logs")}
    proc = subprocess.run(command, env=env, capture_output=True, text=True, cwd=DBT_PROJECT_DIR)
    results_file = target / "run_results.json"
    results = json.loads(results_file.read_text())["results"] if results_file.exists() else []
    tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-25:])
    return DbtOutcome(proc.returncode == 0, proc.returncode, results, tail)
