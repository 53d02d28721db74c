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
import time
import traceback
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cmp_to_key
from pathlib import Path

import polars as pl

from dagster_project.faults import crash_point
from dagster_project.identities import document_findings
from dagster_project.parsing.extract import DocumentInfo, Extraction, extract_document
from dagster_project.readers.base import ReaderError
from dagster_project.readers.registry import sniff_format
from dagster_project.staging.normalize import document_frame, fact_rows, facts_fingerprint, frame_of
from dagster_project.staging.store import ManifestEntry, StagingStore, parser_version

MAX_FILE_BYTES = int(float(os.environ.get("BUDGETWH_MAX_FILE_MB", "200")) * 1024 * 1024)
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
    cpu_seconds: float = 0.0  # CPU time its worker spent staging it (measured by the pool)
    normalize_cpu_seconds: float = 0.0  # of which: normalizing into rows and writing Parquet
    findings: dict[str, str] = field(default_factory=dict)  # failing per-document checks -> why


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
    """Report files under raw_dir: regular files only (see `skipped` for what is left out)."""
    return [path for path, why in _walk(raw_dir) if why is None]


def skipped(raw_dir: Path) -> dict[str, str]:
    """Entries of the raw folder that are not read, with the reason (hidden files aside)."""
    return {display_path(raw_dir, path): why for path, why in _walk(raw_dir) if why}


def _walk(raw_dir: Path) -> list[tuple[Path, str | None]]:
    """Every entry under raw_dir with None (a report to read) or why it is not read.

    Nothing outside the raw folder is ever read: a link (or a chain of links) that resolves
    outside it is skipped, and linked folders are not descended (pathlib's rglob does not
    follow them). Named pipes, sockets and devices are skipped too: reading a pipe would
    block the load forever. Hidden files (editor swap files, .DS_Store) are ignored silently.
    """
    root = raw_dir.resolve()
    entries: list[tuple[Path, str | None]] = []
    for path in sorted(raw_dir.rglob("*")):
        if any(part.startswith(".") for part in path.relative_to(raw_dir).parts):
            continue
        try:
            target = path.resolve()
        except (OSError, RuntimeError):  # a link loop
            entries.append((path, "symbolic link that cannot be resolved (a loop?): not followed"))
            continue
        if not target.is_relative_to(root):
            entries.append((path, "symbolic link leading outside the raw folder: not followed"))
        elif path.is_symlink() and path.is_dir():
            entries.append((path, "linked folder: not followed"))
        elif path.is_symlink() and not path.exists():
            entries.append((path, "broken symbolic link"))
        elif path.is_file():
            entries.append((path, None))
        elif not path.is_dir():
            entries.append((path, "not a regular file (named pipe, socket or device): not read"))
    return entries


def _quarantined(path: str, sha: str, data: bytes, reason: str) -> DocumentInfo:
    return DocumentInfo(
        doc_id=sha, source_path=path, sha256=sha, format=sniff_format(data) if data else "empty",
        encoding=None, department_name=None, department_key=None, unit_code=None,
        region_province=None, region_city=None, region_county=None, fiscal_year=None,
        scope="部门", disclosure_id=None, published_date=None, status="quarantined",
        status_reason=reason,
    )


def name_mismatch(name: str, data: bytes, read: bool = True) -> str | None:
    """A note when the file's extension claims another format than its bytes are in (`read`:
    whether the file could be read, as that format). Bytes no reader recognises are not a
    format: the reason already says they are not text."""
    suffix = Path(name).suffix.lower()
    claimed = CLAIMED_FORMAT.get(suffix)
    if claimed is None or not data:
        return None
    actual = sniff_format(data)
    if actual.lower() == claimed or (actual == "text" and not read):
        return None
    return f"named {suffix} but the content is {actual}" + (f": read as {actual}" if read else "")


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
        reason = f"file too large: {size} bytes > limit of {MAX_FILE_BYTES} bytes (BUDGETWH_MAX_FILE_MB)"
        return _quarantined(display_path, sha, b"", reason), None
    data = path.read_bytes()
    sha = hashlib.sha256(data).hexdigest()
    try:
        extraction = extract_document(data, display_path)
    except ReaderError as exc:
        return _with_note(_quarantined(display_path, sha, data, str(exc)), name_mismatch(display_path, data, False)), None
    except Exception as exc:  # noqa: BLE001 - one bad file must never stop the batch
        last = traceback.extract_tb(exc.__traceback__)[-1]
        reason = f"extraction failed: {type(exc).__name__}: {exc} (at {Path(last.filename).name}:{last.lineno})"
        return _with_note(_quarantined(display_path, sha, data, reason), name_mismatch(display_path, data, False)), None
    return _with_note(extraction.document, name_mismatch(display_path, data)), extraction


def _settle_duplicates(store: StagingStore, manifest: dict[str, ManifestEntry]) -> dict[str, tuple[str, str | None]]:
    """Final (status, reason) per doc: among documents with identical facts the first by path
    stays, the others become `duplicate` naming it (their own reason, if any, follows)."""
    groups: dict[str, list[str]] = {}
    for path, entry in manifest.items():
        if entry.status in LOADED and entry.facts_fingerprint:
            groups.setdefault(entry.facts_fingerprint, []).append(path)
    final = {p: (e.status, e.status_reason) for p, e in manifest.items()}
    for paths in groups.values():
        keep, *dups = sorted(paths)
        for dup in dups:
            earlier = manifest[dup].status_reason  # e.g. a file name claiming another format: still said
            final[dup] = ("duplicate", f"same facts as {keep}" + (f"; {earlier}" if earlier else ""))
    return final


@dataclass
class Plan:
    """What a load has to do, decided from the manifest in staging (not the Dagster instance),
    so a fresh machine or an ephemeral instance decides the same."""

    files: dict[str, Path]  # display path -> file, every report currently in the raw folder
    changed: list[str]  # new or changed files (or a new parser version): extract them
    unchanged: list[str]
    removed: list[str]  # in the manifest, gone from the raw folder

    @property
    def nothing_to_do(self) -> bool:
        return not self.changed and not self.removed


def display_path(raw_dir: Path, path: Path) -> str:
    return path.relative_to(raw_dir).as_posix() if path.is_relative_to(raw_dir) else str(path)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def is_current(entry: ManifestEntry | None, path: Path, store: StagingStore) -> bool:
    """Unchanged since it was staged: same size and mtime (cheap), else same content hash."""
    if entry is None or entry.parser_version != parser_version() or not store.has_document(entry.sha256):
        return False
    stat = path.stat()
    if (entry.size, entry.mtime_ns) == (stat.st_size, stat.st_mtime_ns):
        return True
    return stat.st_size <= MAX_FILE_BYTES and entry.sha256 == _sha256(path)


def plan(raw_dir: Path, store: StagingStore, files: Iterable[Path] | None = None) -> Plan:
    manifest = store.load_manifest()
    found = {display_path(raw_dir, p): p for p in (files if files is not None else discover(raw_dir))}
    changed, unchanged = [], []
    for display, path in found.items():
        (unchanged if is_current(manifest.get(display), path, store) else changed).append(display)
    removed = sorted(set(manifest) - set(found))
    return Plan(found, changed, unchanged, removed)


def stage_document(path: Path, display: str, store: StagingStore) -> DocumentOutcome:
    """Extract one file and write its staging Parquet and manifest entry (one document's whole
    footprint, so documents can be staged by separate processes)."""
    doc, extraction = extract_file(path, display)
    started = time.process_time()
    outcome = record_document(path, display, store, doc, extraction)
    outcome.normalize_cpu_seconds = time.process_time() - started
    crash_point("document_staged")
    return outcome


def record_failure(path: Path, display: str, store: StagingStore, reason: str) -> DocumentOutcome:
    """Quarantine a file whose extraction could not finish (time limit, crashed worker)."""
    sha = _sha256(path) if path.stat().st_size <= MAX_FILE_BYTES else hashlib.sha256(display.encode()).hexdigest()
    return record_document(path, display, store, _quarantined(display, sha, b"", reason), None)


def record_document(path: Path, display: str, store: StagingStore, doc: DocumentInfo,
                    extraction: Extraction | None) -> DocumentOutcome:
    stat = path.stat()
    # a previous version's staging files are left to settle(), which drops every document no
    # manifest entry references any more in one pass (checking here would read the whole
    # manifest once per changed file)
    fingerprint = facts_fingerprint(extraction) if extraction and doc.status in LOADED else None
    row = document_frame(doc, extraction, fingerprint)
    store.write("documents", doc.doc_id, row)
    findings: dict[str, str] = {}
    if extraction is not None and doc.status in LOADED:
        # only a loading document's facts are staged: a rejected one may hold amounts that do
        # not fit DECIMAL(18,2) at all (`budgetwh extract` shows them for diagnosis)
        rows = fact_rows(extraction)
        for entity, entity_rows in rows.items():
            store.write(entity, doc.doc_id, frame_of(entity, entity_rows))
        findings = document_findings(row.row(0, named=True), rows["line_items"])
    else:
        store.remove_facts(doc.doc_id)
    # the manifest entry comes last: a load killed before it leaves a document the next run
    # extracts again (and whose Parquet files settle removes if the file is gone by then)
    crash_point("before_manifest_entry")
    store.save_manifest_entry(ManifestEntry(display, doc.doc_id, doc.status, doc.status_reason, fingerprint,
                                            size=stat.st_size, mtime_ns=stat.st_mtime_ns, row_status=doc.status,
                                            row_reason=doc.status_reason, row_stamp=store.row_stamp(doc.doc_id)))
    outcome = DocumentOutcome(display, doc.doc_id, doc.status, doc.status_reason, True, findings=findings)
    if extraction:
        outcome.tables_by_kind = Counter(t.kind for t in extraction.tables)
        outcome.line_items = len(extraction.line_items)
        outcome.unparsed = len(extraction.unparsed)
    return outcome


def settle(store: StagingStore, removed: Iterable[str] = ()) -> dict[str, tuple[str, str | None]]:
    """Corpus-wide decisions after staging: forget removed files, drop documents nothing
    references any more, mark duplicates and superseded revisions, and stamp each document's
    final status into its staging row. Returns (status, reason) by path.

    One pass over the manifest whatever the corpus size: orphans are found by comparing the
    staging folders' listings with the manifest (which also clears Parquet files a killed load
    left for a document whose manifest entry it never wrote), and a staging row is only read or
    rewritten when its status changes or its file changed since the manifest recorded it."""
    crash_point("before_settle")
    for gone in removed:
        store.remove_manifest_entry(gone)
    manifest = store.load_manifest()
    store.remove_orphans({entry.sha256 for entry in manifest.values()})
    store.remove_stale_temp()
    final = _settle_duplicates(store, manifest)
    final.update(settle_revisions(store, manifest, final))
    by_doc: dict[str, list[str]] = {}
    for display, entry in manifest.items():
        by_doc.setdefault(entry.sha256, []).append(display)
    for paths in by_doc.values():
        # byte-identical copies share one staging row: it speaks for the first of them
        first = min(paths)
        _restamp(store, manifest[first], *final[first])
    store.ensure_schemas()
    return final


@dataclass(frozen=True)
class _Revision:
    path: str
    published: str | None  # the date printed in the document (ISO), if any
    mtime_ns: int | None
    kinds: frozenset[str]  # table kinds that carry line items


def _newer(a: _Revision, b: _Revision) -> tuple[bool, str]:
    """Whether `a` is a newer revision than `b`, and why: by DESIGN, the date printed in the
    documents when both print one and they differ, else the files' modification times, else
    file-name order (a later name is a later revision: 报告(修订).txt, v2, 2024-03 ...)."""
    if a.published and b.published and a.published != b.published:
        return a.published > b.published, f"printed date {max(a.published, b.published)} is later than " \
            f"{min(a.published, b.published)}"
    if a.mtime_ns is not None and b.mtime_ns is not None and a.mtime_ns != b.mtime_ns:
        first, second = sorted((a.mtime_ns, b.mtime_ns))
        return a.mtime_ns > b.mtime_ns, (
            f"file modified later ({_when(second)} vs {_when(first)}; "
            f"{'no dates printed' if not (a.published or b.published) else 'printed dates do not decide'})")
    return a.path > b.path, "file name sorts later (same modification time, no printed dates to decide)"


def _when(mtime_ns: int) -> str:
    return datetime.fromtimestamp(mtime_ns / 1e9, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def settle_revisions(store: StagingStore, manifest: dict[str, ManifestEntry],
                     final: dict[str, tuple[str, str | None]]) -> dict[str, tuple[str, str | None]]:
    """`superseded` for older revisions of a disclosure: among loaded documents of one
    disclosure whose tables overlap (a table kind with amounts in both), the newest stays
    and each older one names it and the rule that decided (`_newer`). Documents of one
    disclosure that do not overlap (a narrative file and a tables file, or two parts of the
    tables) are parts of the disclosure, not revisions: all of them stay."""
    loaded = {path: manifest[path].sha256 for path, (status, _) in final.items() if status in LOADED}
    frame = store.scan("documents")
    if frame is None or len(loaded) < 2:
        return {}
    rows = (frame.select("doc_id", "disclosure_id", "published_date")
            .filter(pl.col("doc_id").is_in(list(set(loaded.values()))) & pl.col("disclosure_id").is_not_null())
            .unique("doc_id").collect())
    disclosure = dict(zip(rows["doc_id"], rows["disclosure_id"]))
    printed = dict(zip(rows["doc_id"], rows["published_date"]))
    groups: dict[str, list[str]] = {}
    for path, doc_id in sorted(loaded.items()):
        if doc_id in disclosure:
            groups.setdefault(disclosure[doc_id], []).append(path)
    decided: dict[str, tuple[str, str | None]] = {}
    for paths in groups.values():
        if len(paths) < 2:
            continue
        revisions = []
        for path in paths:
            doc_id = loaded[path]
            items = store.path("line_items", doc_id)
            kinds = frozenset(pl.read_parquet(items, columns=["table_kind"])["table_kind"].unique().to_list()) \
                if items.exists() else frozenset()
            revisions.append(_Revision(path, printed[doc_id], manifest[path].mtime_ns, kinds))
        newest_first = sorted(revisions, key=cmp_to_key(lambda a, b: -1 if _newer(a, b)[0] else 1))
        kept: list[_Revision] = []
        for revision in newest_first:
            winner = next((k for k in kept if k.kinds & revision.kinds), None)
            if winner is None:
                kept.append(revision)
                continue
            shared = ", ".join(sorted(winner.kinds & revision.kinds))
            decided[revision.path] = ("superseded", f"superseded by {winner.path}: "
                                      f"{_newer(winner, revision)[1]}; both print {shared}")
    return decided


def run_ingest(
    raw_dir: Path,
    staging_root: Path,
    on_progress: Callable[[str], None] | None = None,
    files: Iterable[Path] | None = None,
) -> IngestSummary:
    """The whole extraction stage in one call: plan, stage what changed, settle."""
    store = StagingStore(staging_root)
    work = plan(raw_dir, store, files)
    manifest = store.load_manifest()
    outcomes: list[DocumentOutcome] = []
    for display, path in work.files.items():
        if display in work.changed:
            outcomes.append(stage_document(path, display, store))
        else:
            entry = manifest[display]
            outcomes.append(DocumentOutcome(display, entry.sha256, entry.status, entry.status_reason, False))
        if on_progress:
            on_progress(display)
    final = settle(store, work.removed)
    for outcome in outcomes:
        outcome.status, outcome.status_reason = final.get(outcome.source_path, (outcome.status, outcome.status_reason))
    return IngestSummary(outcomes, work.removed)


def _restamp(store: StagingStore, entry: ManifestEntry, status: str, reason: str | None) -> None:
    """Write the settled status (and the path the row speaks for) into the document's staging
    row, only when it changed. The manifest entry remembers the row file's stamp as last
    written for it, so an unchanged row is not even read."""
    stamp = store.row_stamp(entry.sha256)
    if stamp is None:
        return
    wanted = (entry.source_path, status, reason)
    if entry.row_stamp == stamp and entry.row_status is not None:
        if (entry.row_status, entry.row_reason) == (status, reason):
            return  # the row says so already (its file is as we last wrote it, for this path)
    frame = pl.read_parquet(store.path("documents", entry.sha256))
    if frame.height and (frame["source_path"][0], frame["status"][0], frame["status_reason"][0]) == wanted:
        _remember(store, entry, status, reason, stamp)
        return
    frame = frame.with_columns(pl.lit(entry.source_path).alias("source_path"), pl.lit(status).alias("status"),
                               pl.lit(reason, dtype=pl.String).alias("status_reason"))
    store.write("documents", entry.sha256, frame)
    crash_point("settle_restamped")
    _remember(store, entry, status, reason, store.row_stamp(entry.sha256))


def _remember(store: StagingStore, entry: ManifestEntry, status: str, reason: str | None,
              stamp: list[int] | None) -> None:
    entry.row_status, entry.row_reason, entry.row_stamp = status, reason, stamp
    store.save_manifest_entry(entry)
