"""Ingest: the extraction stage, raw folder in, staging Parquet and manifest out, in three steps
named for what they do (docs/architecture.md):

1. plan (walk.py, planner.py): which files of the raw folder are reports, and which of them are
   new or changed, unchanged or removed, decided from the content-hash manifest in staging;
2. stage (stager.py): each planned document extracted and written as staging Parquet with its
   manifest entry, one document at a time, in the worker pool (parallel.py) or serially;
3. settle (settler.py): corpus-wide duplicates, revisions, removed files, final statuses.

serial.py runs the three in one process (`run_ingest`). A file that cannot be read is
quarantined with its reason and never stops the others. Callers import from here; the limits a
document is held to come in as an argument (`settings.Limits`), never from the environment.
"""

from dagster_project.ingest.outcomes import LOADED, DocumentOutcome, IngestSummary
from dagster_project.ingest.planner import Plan, is_current, plan
from dagster_project.ingest.serial import run_ingest
from dagster_project.ingest.settler import settle, settle_revisions
from dagster_project.ingest.stager import (
    CLAIMED_FORMAT,
    RACY_NS,
    FileStamp,
    extract_file,
    extract_with_stamp,
    name_mismatch,
    record_document,
    record_failure,
    stage_document,
    stage_one,
)
from dagster_project.ingest.walk import (
    BROKEN_LINK,
    HARD_LINK_OUTSIDE,
    LINK_INTO_WAREHOUSE,
    LINK_LOOP,
    LINK_OUTSIDE,
    LINKED_FOLDER,
    NAME_CLASH,
    NOT_REGULAR,
    WAREHOUSE_FOLDER,
    discover,
    display_path,
    skipped,
)

__all__ = [
    "BROKEN_LINK", "CLAIMED_FORMAT", "HARD_LINK_OUTSIDE", "LINK_INTO_WAREHOUSE", "LINK_LOOP", "LINK_OUTSIDE",
    "LINKED_FOLDER", "LOADED", "NAME_CLASH", "NOT_REGULAR", "RACY_NS", "WAREHOUSE_FOLDER", "DocumentOutcome",
    "FileStamp", "IngestSummary", "Plan", "discover", "display_path", "extract_file", "extract_with_stamp",
    "is_current", "name_mismatch", "plan", "record_document", "record_failure", "run_ingest", "settle",
    "settle_revisions", "skipped", "stage_document", "stage_one",
]
