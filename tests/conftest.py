"""Shared fixtures and paths for every test folder (unit, integration, e2e): the sample corpus
extracted once per session, and staging built from it."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from dagster_project.ingest import run_ingest
from dagster_project.parsing.extract import extract_document
from dagster_project.warehouse.dbt_build import ensure_dbt_manifest

REPO = Path(__file__).resolve().parent.parent
RAW = REPO / "data" / "raw"
SAMPLES = sorted(p.name for p in RAW.glob("*.txt"))


def _shared() -> Path:
    """The team's shared folder (sample reports, real PDFs), which the repository never copies:
    $BUDGETWH_SHARED, else `shared/` beside the checkout or beside one of its parents (a CI clone
    may sit deeper), else the workspace's /work/shared. Tests that need it fail, loudly, without it."""
    candidates = [Path(p) for p in [os.environ.get("BUDGETWH_SHARED")] if p]
    candidates += [parent / "shared" for parent in REPO.parents]
    candidates.append(Path("/work/shared"))
    return next((c for c in candidates if (c / "realpdf").is_dir()), REPO.parent / "shared")


SHARED = _shared()
REALPDF = SHARED / "realpdf"


@pytest.fixture(scope="session")
def extractions():
    return {name: extract_document((RAW / name).read_bytes(), name) for name in SAMPLES}


@pytest.fixture(scope="session")
def staging(tmp_path_factory):
    """Staging Parquet of the five samples, written by the real ingest stage."""
    root = tmp_path_factory.mktemp("warehouse") / "staging"
    run_ingest(RAW, root)
    return root


def assert_outcome(mixed, name: str, status: str, reason: str | None) -> None:
    """One file of a mixed folder (fixture `mixed`: ingest summary, staging rows by path) got
    `status` in the run's outcome and in its staging row, and a reason containing `reason`
    (none at all when `reason` is None)."""
    summary, docs = mixed
    outcome = next(o for o in summary.outcomes if o.source_path == name)
    assert (outcome.status, docs[name]["status"]) == (status, status)
    if reason is None:
        assert docs[name]["status_reason"] is None
    else:
        assert reason in docs[name]["status_reason"]


SPEEDS = ("unit", "integration", "e2e")
# The folder the run's shared loads live in (tests/published_sample.py): made by the main
# process before pytest-xdist starts its workers, which inherit the variable, and removed at the end.
SHARED_ENV = "PYTEST_BUDGETWH_SHARED_LOADS"


def pytest_configure(config: pytest.Config) -> None:
    """The Dagster definitions read dbt's manifest when they load: make it current once, in the
    main process, before any test (and before pytest-xdist starts its workers, which would
    otherwise parse the dbt project side by side into the same target folder)."""
    for speed in SPEEDS:
        config.addinivalue_line("markers", f"{speed}: a test of tests/{speed}/ (see tests/README.md)")
    if not hasattr(config, "workerinput"):
        ensure_dbt_manifest()
        os.environ[SHARED_ENV] = tempfile.mkdtemp(prefix="budgetwh-shared-loads-")


def pytest_unconfigure(config: pytest.Config) -> None:
    if not hasattr(config, "workerinput") and SHARED_ENV in os.environ:
        shutil.rmtree(os.environ.pop(SHARED_ENV), ignore_errors=True)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Each test is marked with the folder it lives in, so `-m "not e2e"` selects by speed too."""
    for item in items:
        folder = Path(str(item.fspath)).parent.name
        folder = {"badinputs": "e2e"}.get(folder, folder)  # the bad-input corpus, loaded whole
        if folder in SPEEDS:
            item.add_marker(getattr(pytest.mark, folder))


def copy_samples(tmp_path: Path, names) -> Path:
    """A raw folder `tmp_path/raw` holding copies of the named sample reports."""
    raw = tmp_path / "raw"
    raw.mkdir()
    for name in names:
        shutil.copy(RAW / name, raw / name)
    return raw
