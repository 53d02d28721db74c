"""The whole extraction stage in one process: plan, stage what changed (one document after the
other), settle. The Dagster asset and `budgetwh run` stage through the worker pool instead
(parallel.py); this serial form serves tests, benchmarks and tools."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from dagster_project.ingest.outcomes import DocumentOutcome, IngestSummary
from dagster_project.ingest.planner import plan
from dagster_project.ingest.settler import settle
from dagster_project.ingest.stager import stage_one
from dagster_project.settings import DEFAULT_LIMITS, Limits
from dagster_project.staging.store import StagingStore


def run_ingest(
    raw_dir: Path,
    staging_root: Path,
    on_progress: Callable[[str], None] | None = None,
    files: Iterable[Path] | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> IngestSummary:
    """The whole extraction stage in one call: plan, stage what changed, settle. As in the
    pool, a document whose staging raises is quarantined with the reason, never fatal."""
    store = StagingStore(staging_root)
    work = plan(raw_dir, store, files, limits)
    manifest = store.load_manifest()
    changed = set(work.changed)
    outcomes: list[DocumentOutcome] = []
    for display, path in work.files.items():
        if display in changed:
            outcomes.append(stage_one(path, display, store, limits))
        else:
            entry = manifest[display]
            outcomes.append(DocumentOutcome(display, entry.sha256, entry.status, entry.status_reason, False))
        if on_progress:
            on_progress(display)
    repairs = list(work.repairs)
    final = settle(store, work.removed, files=work.files, repairs=repairs, limits=limits)
    for outcome in outcomes:
        outcome.status, outcome.status_reason = final.get(outcome.source_path, (outcome.status, outcome.status_reason))
    return IngestSummary(outcomes, work.removed, repairs)
