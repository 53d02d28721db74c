"""`make dev` on a fresh clone: the code location must load with no dbt manifest yet and no
`dbt` on PATH (a shell that has not activated .venv), and importing the definitions module must
do no work at all (Dagster imports it before anything could have parsed the dbt project).

The clone is simulated by copying the package and the dbt project, without dbt's target
folder, into a temporary directory and running Python there in a subprocess whose PATH holds
only the system folders; Python puts that directory first on sys.path, so the copy is what loads.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO

SYSTEM_PATH = "/usr/bin:/bin"
IGNORED = shutil.ignore_patterns("__pycache__", "target", "logs", "*.duckdb", "*.wal")


def fresh_clone(tmp_path: Path) -> Path:
    clone = tmp_path / "clone"
    shutil.copytree(REPO / "dagster_project", clone / "dagster_project", ignore=IGNORED)
    shutil.copytree(REPO / "dbt", clone / "dbt", ignore=IGNORED)
    (clone / "data" / "raw").mkdir(parents=True)
    return clone


def run_python(clone: Path, code: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VIRTUAL_ENV", "PYTHONPATH", "DBT_", "BUDGETWH_"))}
    env["PATH"] = SYSTEM_PATH
    return subprocess.run([sys.executable, "-c", code], cwd=clone, env=env, capture_output=True, text=True,
                          timeout=300)


def test_fresh_clone_imports_and_loads_definitions_without_dbt_on_path(tmp_path):
    clone = fresh_clone(tmp_path)
    assert shutil.which("dbt", path=SYSTEM_PATH) is None  # the situation of the operator's report
    manifest = clone / "dbt" / "target" / "manifest.json"
    imported = run_python(clone, (
        "import dagster_project.definitions as d\n"
        "assert d.__file__.startswith(%r), d.__file__\n"
        "assert type(d.definitions).__name__ == 'LazyDefinitions', type(d.definitions)\n" % str(clone)))
    assert imported.returncode == 0, imported.stderr[-3000:]
    assert not (clone / "dbt" / "target").exists()  # importing did no I/O: no parse, no manifest
    # What Dagster's code server does next: call the definitions function. It parses the dbt
    # project with the dbt installed beside this Python (PATH has none) and builds everything.
    loaded = run_python(clone, (
        "import dagster_project.definitions as d\n"
        "defs = d.definitions()\n"
        "keys = {k.to_user_string() for k in defs.resolve_all_asset_keys()}\n"
        "print(len(keys), 'marts/mart_data_quality' in keys, 'published_warehouse' in keys)\n"
        "print(defs.resolve_job_def('load_warehouse').name)\n"
        "print(sorted(s.name for s in defs.sensors), "
        "sorted(s.name for s in defs.schedules))\n"))
    assert loaded.returncode == 0, loaded.stderr[-3000:]
    lines = loaded.stdout.splitlines()
    count, has_quality, has_published = lines[-3].split()
    assert int(count) > 40 and has_quality == "True" and has_published == "True"
    assert lines[-2] == "load_warehouse"
    assert lines[-1] == "['raw_folder_sensor'] ['nightly_load']"
    assert manifest.is_file()
    assert "was not found on PATH" not in loaded.stderr


def test_make_dev_prepares_the_manifest_with_the_venv_dbt(tmp_path):
    """The step `make dev` runs before `dagster dev`: it says a parse is needed, then where the
    manifest is; a second run finds it current."""
    clone = fresh_clone(tmp_path)
    first = run_python(clone, "from dagster_project.warehouse.dbt_build import main; main()")
    assert first.returncode == 0, first.stderr[-3000:]
    assert "dbt parse: preparing the dbt manifest" in first.stdout
    assert f"dbt manifest ready: {clone / 'dbt' / 'target' / 'manifest.json'}" in first.stdout
    again = run_python(clone, "from dagster_project.warehouse.dbt_build import main; main()")
    assert again.returncode == 0 and "dbt parse" not in again.stdout
