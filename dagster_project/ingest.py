"""The extraction stage as one function: raw folder in, staging Parquet and manifest out.

Decisions are driven by the content-hash manifest in staging: unchanged files are skipped,
new or changed files extracted, vanished files removed. A file that cannot be read is
quarantined with its reason and never stops the others. Duplicates (same facts, different
bytes) are settled over the whole corpus after extraction. The Dagster assets and the CLI
both call into this module; it has no opinion on progress display or logging beyond the
callback it is given.
"""

from __future__ import annotations

import hashlib
import os
import traceback
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from dagster_project.parsing.extract import DocumentInfo, Extraction, extract_document
from dagster_project.readers.base import ReaderError
from dagster_project.readers.registry import sniff_format
from dagster_project.staging.normalize import document_frame, fact_frames, facts_fingerprint
from dagster_project.staging.store import ManifestEntry, StagingStore, parser_version

MAX_FILE_BYTES = int(os.environ.get("BUDGETWH_MAX_FILE_MB", "200")) * 1024 * 1024
LOADED = ("ok", "partial")
# What a file name claims; files are read by content, a different claim is only reported.
CLAIMED_FORMAT = {
    ".xlsx": "xlsx", ".xlsm": "xlsx", ".xltx": "xlsx", ".xls": "xls", ".docx": "docx",
    ".docm": "docx", ".dotx": "docx", ".doc": "doc", ".htm": "html", ".html": "html",
    ".shtml": "html", ".xhtml": "html", ".txt": "text", ".text": "text", ".md": "text",
    ".csv": "text", ".tsv": "text", ".pdf": "pdf",
}


@dataclass
class DocumentOutcome:
    source_path: str
    doc_id: str
    status: str
    status_reason: str | None
    extracted: bool
    tables_by_kind: Counter = field(default_factory=Counter)
    line_items: int = 0
    unparsed: int = 0


@dataclass
class IngestSummary:
    outcomes: list[DocumentOutcome]
    removed: list[str]

    @property
    def by_status(self) -> Counter:
        return Counter(o.status for o in self.outcomes)

    @property
    def extracted(self) -> int:
        return sum(o.extracted for o in self.outcomes)


def discover(raw_dir: Path) -> list[Path]:
    """Report files under raw_dir: regular files, hidden ones and links leading outside skipped."""
    root = raw_dir.resolve()
    found = []
    for path in sorted(raw_dir.rglob("*")):
        if any(part.startswith(".") for part in path.relative_to(raw_dir).parts):
            continue
        if path.is_symlink() and not path.resolve().is_relative_to(root):
            continue
        if path.is_file():
            found.append(path)
    return found


def _quarantined(path: str, sha: str, data: bytes, reason: str) -> DocumentInfo:
    return DocumentInfo(
        doc_id=sha, source_path=path, sha256=sha, format=sniff_format(data) if data else "empty",
        encoding=None, department_name=None, department_key=None, unit_code=None,
        region_province=None, region_city=None, region_county=None, fiscal_year=None,
        scope="部门", disclosure_id=None, published_date=None, status="quarantined",
        status_reason=reason,
    )


def name_mismatch(name: str, data: bytes) -> str | None:
    """A note when the file's extension claims another format than its bytes are in."""
    suffix = Path(name).suffix.lower()
    claimed = CLAIMED_FORMAT.get(suffix)
    if claimed is None or not data:
        return None
    actual = sniff_format(data)
    if actual.lower() == claimed:
        return None
    return f"named {suffix} but the content is {actual}: read as {actual}"


def _with_note(doc: DocumentInfo, note: str | None) -> DocumentInfo:
    if note:
        doc.notes.insert(0, note)
        doc.status_reason = f"{doc.status_reason}; {note}" if doc.status_reason else note
    return doc


def extract_file(path: Path, display_path: str) -> tuple[DocumentInfo, Extraction | None]:
    """Extract one file; every failure becomes a quarantined document with a plain reason."""
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        sha = hashlib.sha256(display_path.encode() + str(size).encode()).hexdigest()
        return _quarantined(display_path, sha, b"", f"file too large: {size} bytes > limit {MAX_FILE_BYTES}"), None
    data = path.read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    mismatch = name_mismatch(display_path, data)
    try:
        extraction = extract_document(data, display_path)
    except ReaderError as exc:
        return _with_note(_quarantined(display_path, sha, data, str(exc)), mismatch), None
    except Exception as exc:  # noqa: BLE001 - one bad file must never stop the batch
        last = traceback.extract_tb(exc.__traceback__)[-1]
        reason = f"extraction failed: {type(exc).__name__}: {exc} (at {Path(last.filename).name}:{last.lineno})"
        return _with_note(_quarantined(display_path, sha, data, reason), mismatch), None
    return _with_note(extraction.document, mismatch), extraction


def _settle_duplicates(store: StagingStore, manifest: dict[str, ManifestEntry]) -> dict[str, tuple[str, str | None]]:
    """Final (status, reason) per doc: among documents with identical facts the first by path
    stays, the others become `duplicate` naming it."""
    groups: dict[str, list[str]] = {}
    for path, entry in manifest.items():
        if entry.status in LOADED and entry.facts_fingerprint:
            groups.setdefault(entry.facts_fingerprint, []).append(path)
    final = {p: (e.status, e.status_reason) for p, e in manifest.items()}
    for paths in groups.values():
        keep, *dups = sorted(paths)
        for dup in dups:
            final[dup] = ("duplicate", f"same facts as {keep}")
    return final


def run_ingest(
    raw_dir: Path,
    staging_root: Path,
    on_progress: Callable[[str], None] | None = None,
    files: Iterable[Path] | None = None,
) -> IngestSummary:
    store = StagingStore(staging_root)
    manifest = store.load_manifest()
    paths = list(files) if files is not None else discover(raw_dir)
    outcomes: list[DocumentOutcome] = []
    seen: set[str] = set()
    for path in paths:
        display = path.relative_to(raw_dir).as_posix() if path.is_relative_to(raw_dir) else str(path)
        seen.add(display)
        sha = hashlib.sha256(path.read_bytes()).hexdigest() if path.stat().st_size <= MAX_FILE_BYTES else None
        previous = manifest.get(display)
        if previous and sha and previous.sha256 == sha and store.has_document(previous.sha256) \
                and previous.parser_version == parser_version():
            outcomes.append(DocumentOutcome(display, previous.sha256, previous.status, previous.status_reason, False))
            if on_progress:
                on_progress(display)
            continue
        if previous:
            store.remove(previous.sha256)
        doc, extraction = extract_file(path, display)
        fingerprint = facts_fingerprint(extraction) if extraction and doc.status in LOADED else None
        store.write("documents", doc.doc_id, document_frame(doc, extraction, fingerprint))
        if extraction is not None:
            for entity, frame in fact_frames(extraction).items():
                store.write(entity, doc.doc_id, frame)
        manifest[display] = ManifestEntry(display, doc.doc_id, doc.status, doc.status_reason, fingerprint)
        outcome = DocumentOutcome(display, doc.doc_id, doc.status, doc.status_reason, True)
        if extraction:
            outcome.tables_by_kind = Counter(t.kind for t in extraction.tables)
            outcome.line_items = len(extraction.line_items)
            outcome.unparsed = len(extraction.unparsed)
        outcomes.append(outcome)
        if on_progress:
            on_progress(display)
    removed = sorted(set(manifest) - seen)
    for gone in removed:
        entry = manifest.pop(gone)
        if not any(e.sha256 == entry.sha256 for e in manifest.values()):
            store.remove(entry.sha256)
    final = _settle_duplicates(store, manifest)
    for outcome in outcomes:
        status, reason = final.get(outcome.source_path, (outcome.status, outcome.status_reason))
        if (status, reason) != (outcome.status, outcome.status_reason) or store.has_document(outcome.doc_id):
            _restamp(store, outcome.doc_id, status, reason)
        outcome.status, outcome.status_reason = status, reason
    store.save_manifest(manifest)
    return IngestSummary(outcomes, removed)


def _restamp(store: StagingStore, doc_id: str, status: str, reason: str | None) -> None:
    """Write the settled status into the document's staging row (only when it changed)."""
    path = store.path("documents", doc_id)
    if not path.exists():
        return
    frame = pl.read_parquet(path)
    if frame.height and (frame["status"][0], frame["status_reason"][0]) == (status, reason):
        return
    frame = frame.with_columns(pl.lit(status).alias("status"), pl.lit(reason, dtype=pl.String).alias("status_reason"))
    store.write("documents", doc_id, frame)
