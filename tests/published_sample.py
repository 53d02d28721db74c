"""Published warehouses shared by every test module that only reads them.

A load of the five samples takes most of a minute and one of the twelve Jiangsu PDFs several
minutes on this machine; modules that only read the published file (marts, comments, BI
connections, the HTML report, department years) share one load of each per pytest process.
Module-scoped fixtures imported into another module are built again for it, hence cached
functions. Tests that reload, corrupt or republish a warehouse build their own."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from functools import lru_cache
from pathlib import Path

from dagster_project.cli import main
from dagster_project.load import run_load

from .conftest import RAW, REALPDF


def _scratch(prefix: str) -> Path:
    root = Path(tempfile.mkdtemp(prefix=prefix))
    atexit.register(shutil.rmtree, root, ignore_errors=True)
    return root


@lru_cache(maxsize=1)
def published_sample() -> Path:
    """The published warehouse of the five sample reports (read it read-only)."""
    published = _scratch("budgetwh-sample-") / "warehouse" / "budget.duckdb"
    assert main(["run", "--raw-dir", str(RAW), "--warehouse", str(published)]) == 0
    return published


@lru_cache(maxsize=1)
def published_jiangsu() -> Path:
    """The published warehouse of the twelve Jiangsu PDFs: six disclosures (a narrative file and
    a tables file each) of two departments over three years. Copied to a temporary folder, never
    into the repository."""
    jiangsu = REALPDF / "jiangsu"
    root = _scratch("budgetwh-jiangsu-")
    for pdf in jiangsu.rglob("*.pdf"):
        target = root / "raw" / pdf.relative_to(jiangsu)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(pdf, target)
    published = root / "wh" / "budget.duckdb"
    outcome = run_load(root / "raw", published)
    assert outcome.success and outcome.loaded == 12, outcome.failure
    return published
