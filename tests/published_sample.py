"""Published warehouses shared by every test module that only reads them.

A load of the five samples takes most of a minute and one of the twelve Jiangsu PDFs several
minutes on this machine; modules that only read the published file (marts, comments, BI
connections, the HTML report, department years) share one load of each per test run: the first
pytest-xdist worker that asks builds it, under a file lock, in the run's shared folder
(`SHARED_ENV`, made and removed by tests/conftest.py), and the other workers wait for it and
read the same file (DuckDB lets any number of processes read one file). Tests that reload,
corrupt or republish a warehouse build their own."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from filelock import FileLock

from dagster_project.cli import main
from dagster_project.load import run_load

from .conftest import RAW, REALPDF, SHARED_ENV


def _shared_load(name: str, load: Callable[[Path], None]) -> Path:
    """The published file of the run's one load `name`, made by `load(published)` in the first
    process that asks (a load that failed is tried again by the next one that asks)."""
    root = Path(os.environ[SHARED_ENV]) / name
    published, done = root / "warehouse" / "budget.duckdb", root / "loaded"
    with FileLock(f"{root}.lock"):
        if not done.exists():
            shutil.rmtree(root, ignore_errors=True)
            root.mkdir(parents=True)
            load(published)
            done.touch()
    return published


@lru_cache(maxsize=1)
def published_sample() -> Path:
    """The published warehouse of the five sample reports (read it read-only)."""
    def load(published: Path) -> None:
        assert main(["run", "--raw-dir", str(RAW), "--warehouse", str(published)]) == 0
    return _shared_load("sample", load)


@lru_cache(maxsize=1)
def published_jiangsu() -> Path:
    """The published warehouse of the twelve Jiangsu PDFs: six disclosures (a narrative file and
    a tables file each) of two departments over three years. Copied to a temporary folder, never
    into the repository."""
    def load(published: Path) -> None:
        jiangsu, raw = REALPDF / "jiangsu", published.parent.parent / "raw"
        for pdf in jiangsu.rglob("*.pdf"):
            target = raw / pdf.relative_to(jiangsu)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(pdf, target)
        outcome = run_load(raw, published)
        assert outcome.success and outcome.loaded == 12, outcome.failure
    return _shared_load("jiangsu", load)
