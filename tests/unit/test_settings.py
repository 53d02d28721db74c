"""Configuration is read once, at an entry point, into one typed Settings: every variable is
parsed and checked there, a bad value is refused naming the variable, and no module of the
package reads the environment when it is imported (a poisoned environment imports cleanly)."""

from __future__ import annotations

import os
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import dagster_project
from dagster_project.cli import main
from dagster_project.defs.resources import BudgetPaths
from dagster_project.settings import (
    DEFAULT_RAW_DIR,
    DEFAULT_WAREHOUSE,
    Limits,
    Settings,
    SettingsError,
)

REPO = Path(__file__).resolve().parents[2]

EVERY_VARIABLE = {
    "BUDGETWH_WAREHOUSE": "/srv/wh/budget.duckdb",
    "BUDGETWH_RAW_DIR": "/srv/raw",
    "BUDGETWH_WORKERS": "3",
    "BUDGETWH_MAX_FILE_MB": "1.5",
    "BUDGETWH_MAX_PAGES": "40",
    "BUDGETWH_MAX_SECONDS_PER_DOC": "12.5",
    "BUDGETWH_MAX_MB_PER_DOC": "300",
    "BUDGETWH_STALE_HOURS": "0.5",
    "BUDGETWH_LOCK_TIMEOUT_SECONDS": "0",
    "BUDGETWH_BATCH": "7",
    "BUDGETWH_DBT_MEMORY": "2GB",
    "BUDGETWH_DBT_THREADS": "4",
}


def test_every_variable_is_parsed():
    config = Settings.from_env(EVERY_VARIABLE)
    assert config == Settings(
        warehouse=Path("/srv/wh/budget.duckdb"), raw_dir=Path("/srv/raw"), workers=3, max_file_mb=1.5,
        max_pages=40, max_seconds_per_doc=12.5, max_mb_per_doc=300, stale_hours=0.5, lock_timeout_seconds=0.0,
        batch=7, dbt_memory="2GB", dbt_threads=4)
    assert config.limits == Limits(max_file_bytes=1572864, max_pages=40, seconds_per_document=12.5,
                                   megabytes_per_document=300)
    assert config.stale_seconds == 1800.0


def test_defaults_are_the_documented_ones():
    config = Settings.from_env({"BUDGETWH_WORKERS": "0", "BUDGETWH_MAX_PAGES": "  "})  # 0 and blank: defaults
    assert (config.warehouse, config.raw_dir) == (DEFAULT_WAREHOUSE, DEFAULT_RAW_DIR)
    assert config.warehouse == REPO / "data" / "warehouse" / "budget.duckdb"
    assert config.workers == (os.cpu_count() or 1)
    assert config.limits == Limits(max_file_bytes=200 * 1024 * 1024, max_pages=1000, seconds_per_document=300.0,
                                   megabytes_per_document=2048)
    assert (config.stale_hours, config.lock_timeout_seconds, config.batch) == (12.0, 3600.0, 50)
    assert (config.dbt_memory, config.dbt_threads) == ("600MB", 2)
    assert Settings.from_env({"BUDGETWH_MAX_MB_PER_DOC": "0"}).max_mb_per_doc is None  # 0: no memory limit
    assert Settings.from_env({}) == Settings()


@pytest.mark.parametrize(("name", "value", "message"), [
    ("BUDGETWH_WORKERS", "abc", "BUDGETWH_WORKERS=abc: not a whole number"),
    ("BUDGETWH_WORKERS", "-1", "BUDGETWH_WORKERS=-1: must be 0 or more"),
    ("BUDGETWH_MAX_FILE_MB", "lots", "BUDGETWH_MAX_FILE_MB=lots: not a number"),
    ("BUDGETWH_MAX_FILE_MB", "0", "BUDGETWH_MAX_FILE_MB=0: must be more than 0"),
    ("BUDGETWH_MAX_PAGES", "2.5", "BUDGETWH_MAX_PAGES=2.5: not a whole number"),
    ("BUDGETWH_MAX_PAGES", "0", "BUDGETWH_MAX_PAGES=0: must be 1 or more"),
    ("BUDGETWH_MAX_SECONDS_PER_DOC", "nan", "BUDGETWH_MAX_SECONDS_PER_DOC=nan: not a finite number"),
    ("BUDGETWH_MAX_SECONDS_PER_DOC", "-3", "BUDGETWH_MAX_SECONDS_PER_DOC=-3: must be more than 0"),
    ("BUDGETWH_MAX_MB_PER_DOC", "2G", "BUDGETWH_MAX_MB_PER_DOC=2G: not a number"),
    ("BUDGETWH_STALE_HOURS", "-1", "BUDGETWH_STALE_HOURS=-1: must be 0 or more"),
    ("BUDGETWH_LOCK_TIMEOUT_SECONDS", "abc", "BUDGETWH_LOCK_TIMEOUT_SECONDS='abc' is not a number of seconds"),
    ("BUDGETWH_LOCK_TIMEOUT_SECONDS", "-1", "BUDGETWH_LOCK_TIMEOUT_SECONDS='-1' must be zero or more seconds"),
    ("BUDGETWH_BATCH", "0", "BUDGETWH_BATCH=0: must be 1 or more"),
    ("BUDGETWH_DBT_MEMORY", "lots", "BUDGETWH_DBT_MEMORY=lots: not a memory size such as 600MB or 2GB"),
    ("BUDGETWH_DBT_THREADS", "two", "BUDGETWH_DBT_THREADS=two: not a whole number"),
])
def test_a_bad_value_is_refused_naming_the_variable(name, value, message):
    with pytest.raises(SettingsError) as caught:
        Settings.from_env({name: value})
    assert str(caught.value) == message


def test_budgetwh_refuses_a_bad_variable_before_reading_anything(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("BUDGETWH_WORKERS", "abc")
    assert main(["run", "--raw-dir", str(tmp_path), "--warehouse", str(tmp_path / "wh" / "budget.duckdb")]) == 2
    assert "error: BUDGETWH_WORKERS=abc: not a whole number" in capsys.readouterr().err
    assert not (tmp_path / "wh").exists()


def test_the_dagster_resource_carries_the_settings():
    config = Settings.from_env(EVERY_VARIABLE)
    paths = BudgetPaths.from_settings(config)
    assert paths.settings == Settings.from_env({**EVERY_VARIABLE, "BUDGETWH_DBT_MEMORY": "", "BUDGETWH_DBT_THREADS": ""})
    assert BudgetPaths.from_settings(Settings(), Path("/r"), Path("/w/b.duckdb")).settings.limits == Settings().limits
    assert BudgetPaths().settings.raw_dir == DEFAULT_RAW_DIR  # defaults are the documented ones, no environment


# The fork server's preload: importing it is its purpose (it prepares the extraction workers).
PRELOAD = {"dagster_project.warm_preload"}


def test_no_module_reads_the_environment_when_imported():
    """Every module of the package imports in a fresh interpreter whose every budgetwh variable
    is invalid: a module that read one at import would raise (or would need it)."""
    poisoned = {**os.environ, **{name: "bad" for name in EVERY_VARIABLE}}
    modules = [name for name in (info.name for info in pkgutil.walk_packages(dagster_project.__path__,
                                                                             "dagster_project."))
               if name not in PRELOAD]
    assert "dagster_project.ingest.planner" in modules and "dagster_project.settings" in modules
    script = ("import importlib, sys\nfailed = []\n"
              "for name in sys.argv[1:]:\n"
              "    try:\n        importlib.import_module(name)\n"
              "    except ModuleNotFoundError as exc:\n"
              "        if not (exc.name or '').startswith('dagster_project'):\n            continue  # an optional extra (dagster_celery)\n"
              "        failed.append(f'{name}: {exc!r}')\n"
              "    except Exception as exc:\n        failed.append(f'{name}: {exc!r}')\n"
              "print('\\n'.join(failed))\nsys.exit(1 if failed else 0)\n")
    done = subprocess.run([sys.executable, "-c", script, *modules], env=poisoned, cwd=REPO,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout + done.stderr
