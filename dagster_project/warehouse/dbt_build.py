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
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from dagster_project.settings import sql_path_problem
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
    """The variables dbt/profiles.yml and the sources read, as absolute paths.

    The paths go as they are: dbt/models/staging/__sources.yml escapes the staging folder where
    it becomes a glob inside a SQL string (quotes, glob characters, braces), so every caller
    that sets BUDGETWH_STAGING_DIR gets the same treatment. A path DuckDB cannot take literally
    at all (a backslash; `?` or `#`, which dbt-duckdb reads as a URL's) is refused here, naming
    the path, instead of building elsewhere or failing with dbt's words."""
    staging, build = paths.staging.resolve(), paths.build_file(load_id).resolve()
    for path, problem in ((staging, sql_path_problem(staging)), (build, sql_path_problem(build, database=True))):
        if problem is not None:
            raise ValueError(f"{path} {problem}")
    return {
        "BUDGETWH_STAGING_DIR": str(staging),
        "BUDGETWH_BUILD_PATH": str(build),
        "BUDGETWH_LOAD_ID": load_id,
        "DBT_PROFILES_DIR": str(DBT_PROJECT_DIR),
    }


def prepare_build_file(paths: WarehousePaths, load_id: str) -> None:
    """Every build starts from an empty file: no table of an earlier load can survive into it."""
    (paths.build_dir / "tmp").mkdir(parents=True, exist_ok=True)
    build = paths.build_file(load_id)
    for leftover in (build, build.with_name(build.name + ".wal")):
        leftover.unlink(missing_ok=True)


def discard_build(paths: WarehousePaths, load_id: str) -> None:
    """A failed load's build file goes at once: it is the one big file a load writes (as big as
    the warehouse, or bigger), and keeping it after a full disk made the next loads fail too.
    Its dbt target folder (run_results.json, small) stays for diagnosis, until it is stale."""
    build = paths.build_file(load_id)
    for leftover in (build, build.with_name(build.name + ".wal")):
        leftover.unlink(missing_ok=True)


def clean_build(paths: WarehousePaths, load_id: str) -> None:
    """After publishing, the load's build file and dbt artifacts have served their purpose."""
    discard_build(paths, load_id)
    shutil.rmtree(paths.dbt_target(load_id), ignore_errors=True)


def read_results(target: Path) -> list[dict]:
    """The `results` of dbt's run_results.json in a target folder (empty when dbt wrote none)."""
    results_file = target / "run_results.json"
    return json.loads(results_file.read_text())["results"] if results_file.exists() else []


def describe_failures(results: list[dict]) -> list[str]:
    """One line per dbt node that errored or failed: what a user needs to see first."""
    return [f"{r['unique_id']}: {(r.get('message') or '').strip().splitlines()[-1] if r.get('message') else r['status']}"
            for r in results if r.get("status") in ("error", "fail")]


def run_dbt_build(paths: WarehousePaths, load_id: str, args: list[str] | None = None) -> DbtOutcome:
    """`dbt build` outside Dagster (tests and tools); the pipeline runs it through dagster-dbt."""
    prepare_build_file(paths, load_id)
    target = paths.dbt_target(load_id)
    command = [dbt_executable(), "build", "--project-dir", str(DBT_PROJECT_DIR),
               "--target-path", str(target), *(args or [])]
    env = {**os.environ, **dbt_env(paths, load_id), "DBT_LOG_PATH": str(paths.build_dir / "dbt-logs")}
    proc = subprocess.run(command, env=env, capture_output=True, text=True, cwd=DBT_PROJECT_DIR)
    results = read_results(target)
    tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-25:])
    return DbtOutcome(proc.returncode == 0, proc.returncode, results, tail)


def ensure_dbt_manifest(announce: Callable[[], None] | None = None) -> Path:
    """dagster-dbt reads dbt's manifest when the Definitions load; `dbt parse` refreshes it when
    any file of the dbt project is newer (`make dev` and `budgetwh run` call this first).
    `announce` is called before a parse starts (a fresh clone's takes tens of seconds). The dbt
    is the one installed beside this Python, never PATH's (a shell without the virtual
    environment activated has none)."""
    manifest = DBT_PROJECT_DIR / "target" / "manifest.json"
    sources = [p for p in DBT_PROJECT_DIR.rglob("*")
               if p.is_file() and p.suffix in (".sql", ".yml", ".csv", ".md")
               and not {"target", "logs"} & set(p.relative_to(DBT_PROJECT_DIR).parts)]
    sources += list((DBT_PROJECT_DIR.parent / "dagster_project" / "catalogs").glob("*.csv"))
    if manifest.exists() and all(p.stat().st_mtime <= manifest.stat().st_mtime for p in sources):
        return manifest
    if announce is not None:
        announce()
    env = {**os.environ, "DBT_PROFILES_DIR": str(DBT_PROJECT_DIR),
           "DBT_LOG_PATH": str(DBT_PROJECT_DIR / "logs")}
    proc = subprocess.run([dbt_executable(), "parse", "--quiet", "--project-dir", str(DBT_PROJECT_DIR)],
                          env=env, capture_output=True, text=True, cwd=DBT_PROJECT_DIR)
    if proc.returncode != 0:
        raise RuntimeError(f"dbt parse failed: {(proc.stdout + proc.stderr).strip()[-2000:]}")
    return manifest


def main() -> int:
    """`python -m dagster_project.warehouse.dbt_build` (make dev): prepare dbt's manifest, saying
    whether a parse was needed (a fresh clone's first one takes a while)."""
    import time

    started = time.perf_counter()
    manifest = ensure_dbt_manifest(announce=lambda: print("dbt parse: preparing the dbt manifest "
                                                            "(the dbt project changed, or a fresh clone)", flush=True))
    print(f"dbt manifest ready: {manifest} ({time.perf_counter() - started:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
