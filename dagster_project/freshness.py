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

from dagster_project.ingest import LOADED, Plan, plan, skipped
from dagster_project.staging.store import StagingStore
from dagster_project.warehouse.paths import WarehousePaths
from dagster_project.warehouse.publish import (
    export_parquet,
    exported_load_id,
    inputs_fingerprint,
    published_fingerprint,
    published_load_id,
)


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
    skipped: dict[str, str] = field(default_factory=dict)  # raw-folder entries not read, and why
    reexported: bool = False  # nothing changed, but a cut-short Parquet export was redone

    @property
    def by_status(self) -> Counter:
        return Counter(self.documents["status"]) if self.documents.height else Counter()

    @property
    def loaded(self) -> int:
        return sum(n for s, n in self.by_status.items() if s in LOADED)


def current_documents(store: StagingStore, work: Plan) -> pl.DataFrame:
    """One staging row per file currently in the raw folder (the warehouse's documents).

    The manifest names their staging files, which are read in one scan (never the whole
    staging area). Byte-identical copies are one document (doc_id = sha256 of the bytes) with
    one staging row, which speaks for the first of them; the other copies are reported here as
    duplicates of it (or with its status, when it did not load)."""
    manifest = store.load_manifest()
    doc_ids = {manifest[d].sha256 for d in work.files if d in manifest}
    paths = [str(p) for doc_id in sorted(doc_ids) if (p := store.path("documents", doc_id)).exists()]
    if not paths:
        return pl.DataFrame()
    frame = pl.scan_parquet(paths).collect()
    by_doc = {row["doc_id"]: row for row in frame.iter_rows(named=True)}
    rows = []
    for path in sorted(work.files):
        entry = manifest.get(path)
        row = by_doc.get(entry.sha256) if entry else None
        if row is None:
            continue
        if row["source_path"] != path:
            status, reason = (("duplicate", f"same facts as {row['source_path']}") if row["status"] in LOADED
                              else (row["status"], row["status_reason"]))
            row = {**row, "source_path": path, "status": status, "status_reason": reason}
        rows.append(row)
    return pl.DataFrame(rows, schema=frame.schema)


def unchanged(raw_dir: Path, warehouse: Path, repair: bool = False, work: Plan | None = None) -> LoadOutcome | None:
    """The outcome of a load with nothing to do, or None when there is work.

    A Parquet export that a killed load cut short is work too: with `repair` (the caller holds
    the load lock) it is redone here, otherwise None sends the caller to the locked path.
    `work` is the caller's plan of this raw folder, when it has one already."""
    wpaths = WarehousePaths(warehouse)
    store = StagingStore(wpaths.staging)
    work = work if work is not None else plan(raw_dir, store)
    if not (work.nothing_to_do and work.files and published_fingerprint(warehouse) == inputs_fingerprint(store)):
        return None
    outcome = LoadOutcome(work, ran=False, documents=current_documents(store, work), skipped=skipped(raw_dir))
    if exported_load_id(wpaths) != published_load_id(warehouse):
        if not repair:
            return None
        export_parquet(wpaths)
        outcome.reexported = True
    return outcome
