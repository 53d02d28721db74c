"""Whether a load has anything to do, decided without importing Dagster or dbt.

A nightly run over an unchanged folder must cost little: it plans from the staging manifest
(file sizes and times, hashes only for files whose times changed), compares the inputs'
fingerprint with the one recorded in the published warehouse, and stops. Importing Dagster
and dagster-dbt alone takes several seconds, so this check lives here and `budgetwh run`
imports the orchestration only when there is work.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from dagster_project.ingest import LOADED, Plan, plan
from dagster_project.staging.store import StagingStore
from dagster_project.warehouse.paths import WarehousePaths
from dagster_project.warehouse.publish import inputs_fingerprint, published_fingerprint


@dataclass
class LoadOutcome:
    plan: Plan
    ran: bool  # False: nothing changed, nothing launched
    success: bool = True
    load_id: str | None = None
    failed_step: str | None = None
    failure: str | None = None
    documents: pl.DataFrame = field(default_factory=pl.DataFrame)  # current files' staging rows
    check_failures: list[tuple[str, str, str]] = field(default_factory=list)  # (asset, check, severity)
    step_seconds: dict[str, float] = field(default_factory=dict)  # stage -> wall seconds, in run order

    @property
    def by_status(self) -> Counter:
        return Counter(self.documents["status"]) if self.documents.height else Counter()

    @property
    def loaded(self) -> int:
        return sum(n for s, n in self.by_status.items() if s in LOADED)


def current_documents(store: StagingStore, work: Plan) -> pl.DataFrame:
    """Staging rows of the files currently in the raw folder (the warehouse's documents): the
    manifest names their files, which are read in one scan."""
    manifest = store.load_manifest()
    doc_ids = {manifest[d].sha256 for d in work.files if d in manifest}
    paths = [str(p) for doc_id in sorted(doc_ids) if (p := store.path("documents", doc_id)).exists()]
    if not paths:
        return pl.DataFrame()
    frame = pl.scan_parquet(paths).filter(pl.col("source_path").is_in(list(work.files)))
    return frame.unique("source_path").sort("source_path").collect()


def unchanged(raw_dir: Path, warehouse: Path) -> LoadOutcome | None:
    """The outcome of a load with nothing to do, or None when there is work."""
    store = StagingStore(WarehousePaths(warehouse).staging)
    work = plan(raw_dir, store)
    if work.nothing_to_do and work.files and published_fingerprint(warehouse) == inputs_fingerprint(store):
        return LoadOutcome(work, ran=False, documents=current_documents(store, work))
    return None
