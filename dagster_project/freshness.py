"""Whether a load has anything to do, decided without importing Dagster or dbt.

A nightly run over an unchanged folder must cost little: it plans from the staging manifest
(file sizes and times, hashes only for files whose times changed), checks that the published
file is still what the last load published (a stat against the record written when it was
published: a read-write session may have edited it, or left a write-ahead log that every
reader replays), compares the inputs' fingerprint with the recorded one, and stops. Importing Dagster
and dagster-dbt alone takes several seconds, so this check lives here and `budgetwh run`
imports the orchestration only when there is work.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from dagster_project.ingest import LOADED, Plan, plan, skipped
from dagster_project.staging.store import StagingDamaged, StagingStore
from dagster_project.warehouse.paths import WarehousePaths
from dagster_project.warehouse.publish import (
    PublishedCheck,
    PublishRefused,
    check_published,
    export_parquet,
    exported_load_id,
    has_abandoned_builds,
    inputs_fingerprint,
    no_read_write_session,
)


@dataclass(frozen=True)
class ExtractionStats:
    """What the extraction step of a load reports in its materialization's metadata (the
    step's result, not a resource the step mutates): documents staged, the pool's wall time,
    and the workers' CPU time, of which normalizing and writing Parquet."""

    documents: int
    pool_seconds: float
    cpu_seconds: float
    normalize_cpu_seconds: float


@dataclass
class LoadOutcome:
    plan: Plan
    ran: bool  # False: nothing changed, nothing launched
    success: bool = True
    load_id: str | None = None
    failed_step: str | None = None
    failure: str | None = None
    documents: pl.DataFrame = field(default_factory=pl.DataFrame)  # current files' staging rows
    check_failures: list[tuple[str, str, str, str]] = field(default_factory=list)  # (asset, check, severity, what)
    step_seconds: dict[str, float] = field(default_factory=dict)  # stage -> wall seconds, in run order
    skipped: dict[str, str] = field(default_factory=dict)  # raw-folder entries not read, and why
    reexported: bool = False  # nothing changed, but a cut-short Parquet export was redone
    published_modified: str | None = None  # the published file was not what a load published: why
    wal_set_aside: str | None = None  # a dead read-write session's write-ahead log, moved here
    published_writer: int | None = None  # pid of a live read-write session on the published file
    removed_builds: list[tuple[str, int]] = field(default_factory=list)  # what earlier loads left: name, bytes
    low_disk_free: int | None = None  # free bytes on the warehouse's file system, when they are short
    retry_later: bool = False  # not published now (lock or read-write session), nothing wrong: exit 75
    extraction: ExtractionStats | None = None  # None: no document was staged by this load

    def note_published(self, check: PublishedCheck) -> None:
        """What the check of the published file at the start of this load found."""
        self.published_modified = check.modified
        self.wal_set_aside = str(check.wal_set_aside) if check.wal_set_aside else None
        self.published_writer = check.writer_pid

    def notes(self, published: Path) -> list[str]:
        """Lines for the summary about the published file and the build folder: what was found
        that no load did, and what was removed (plain text; the caller escapes it)."""
        lines = list(self.plan.repairs)  # damaged staging found by the plan: named, set aside, re-extracted
        if self.wal_set_aside:
            lines.append(f"{published.name}.wal, the write-ahead log of a read-write session that did not close, was "
                         f"beside the published warehouse (every reader replayed its edits): moved to "
                         f"{self.wal_set_aside}")
        if self.published_modified:
            done = ("published again" if self.ran and self.success else
                    "it is to be published again by the next load that succeeds")
            lines.append(f"{published.name} was not what the last load published: {self.published_modified}; {done}")
        elif self.wal_set_aside:
            lines.append(f"{published.name} itself is unchanged (checked against the record of its load): "
                         "its readers see that load again")
        if self.published_writer is not None and not self.retry_later:
            lines.append(f"{published.name} is open read-write by pid {self.published_writer}: other readers cannot "
                         "open it meanwhile, and a load waits for that session to end before it publishes")
        if self.removed_builds:
            total = sum(n for _, n in self.removed_builds)
            lines.append(f"removed {len(self.removed_builds)} file(s) that earlier loads left behind "
                         f"({total / 2**20:.1f} MiB: killed or failed loads' build and temporary files)")
        if self.low_disk_free is not None:
            lines.append(f"free space on the warehouse's file system is short: {self.low_disk_free / 2**20:.0f} MiB")
            lines += [f"  removed {name} ({size / 2**20:.1f} MiB)" for name, size in self.removed_builds]
        return lines

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
    frame = store.read_files("documents", [Path(p) for p in paths])  # a damaged one: StagingDamaged names it
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

    A published file that is not what the last load published (edited by a read-write
    session, a write-ahead log beside it, no record of it) is work: it is published again.
    A Parquet export that a killed load cut short is work too: with `repair` (the caller holds
    the load lock) it is redone here (and a dead session's write-ahead log set aside),
    otherwise None sends the caller to the locked path. `work` is the caller's plan of this
    raw folder, when it has one already."""
    wpaths = WarehousePaths(warehouse)
    store = StagingStore(wpaths.staging)
    work = work if work is not None else plan(raw_dir, store)
    if not (work.nothing_to_do and work.files):
        return None
    if not repair and has_abandoned_builds(wpaths):  # only the lock's holder may remove them
        return None
    check = check_published(wpaths, repair=repair)
    if check.modified is not None or check.record is None:
        return None
    if check.record.get("inputs_fingerprint") != inputs_fingerprint(store):
        return None
    try:
        documents = current_documents(store, work)
    except StagingDamaged:  # named and set aside by the read: the load's plan re-extracts its report
        return None
    outcome = LoadOutcome(work, ran=False, documents=documents, skipped=skipped(raw_dir))
    outcome.note_published(check)
    if exported_load_id(wpaths) != check.record.get("load_id"):
        if not repair:
            return None
        try:  # from the published file: checked just now, and no read-write session may open it meanwhile
            with no_read_write_session(wpaths.published, timeout=0):
                export_parquet(wpaths)
        except PublishRefused:  # a read-write session has it: the locked path waits for it to publish
            return None
        outcome.reexported = True
    return outcome
