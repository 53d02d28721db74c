"""Ingest, stage 2: stage one document. Read the file's bytes with the stat that belongs to
them (under the size limit), extract it (readers → stitching → classifier → interpreter, under
the page limit), normalize it into staging rows and write its staging Parquet files and then its
manifest entry: one document's whole footprint, so that documents can be staged by separate
worker processes (parallel.py). Every failure quarantines the document with a plain reason.
The limits come in as an argument (`Limits`), never from the environment."""

from __future__ import annotations

import errno
import hashlib
import os
import time
import traceback
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from stat import S_ISREG
from typing import BinaryIO, TypeVar

from dagster_project.faults import crash_point
from dagster_project.document_checks import document_findings
from dagster_project.ingest.outcomes import LOADED, DocumentOutcome
from dagster_project.ingest.walk import NOT_REGULAR, _os_reason
from dagster_project.parsing.extract import DocumentInfo, Extraction, extract_document
from dagster_project.readers.base import ReaderError, page_limit
from dagster_project.readers.registry import sniff_format
from dagster_project.settings import DEFAULT_LIMITS, Limits
from dagster_project.staging.normalize import FACT_ENTITIES, document_frame, fact_rows, facts_fingerprint, frame_of
from dagster_project.staging.store import ManifestEntry, StagingStore


# What a file name claims; files are read by content, a different claim is only reported.
CLAIMED_FORMAT = {
    ".xlsx": "xlsx", ".xlsm": "xlsx", ".xltx": "xlsx", ".xls": "xls", ".docx": "docx",
    ".docm": "docx", ".dotx": "docx", ".doc": "doc", ".htm": "html", ".html": "html",
    ".shtml": "html", ".xhtml": "html", ".txt": "text", ".text": "text", ".md": "text",
    ".csv": "text", ".tsv": "text", ".pdf": "pdf",
}


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


# A file whose modification time is less than this older than the moment it was read may be
# written again within the same timestamp tick (FAT keeps 2 s, ext3 and HFS+ 1 s, ext4 a kernel
# tick): its size and mtime cannot prove a later write, so its manifest entry is marked racy.
RACY_NS = 2_000_000_000


@dataclass(frozen=True)
class FileStamp:
    """The stat of a raw file that goes with exactly the bytes read from it (taken from the
    open file before reading, and checked unchanged after): what the manifest records."""

    size: int
    mtime_ns: int
    racy: bool = False  # not proof of the content: the next plan hashes the file again


class _NotRegular(OSError):
    """The path is no longer a regular file (swapped for a pipe or device since the walk)."""


_T = TypeVar("_T")


def _same_file_state(a: os.stat_result, b: os.stat_result) -> bool:
    # ctime too: a rewrite within one mtime tick, or one that restores the mtime, still changes it
    return (a.st_dev, a.st_ino, a.st_size, a.st_mtime_ns, a.st_ctime_ns) == \
        (b.st_dev, b.st_ino, b.st_size, b.st_mtime_ns, b.st_ctime_ns)


def _consistent(path: Path, limit: int, consume: Callable[[BinaryIO, int], _T]) -> tuple[_T | None, FileStamp]:
    """`consume(file, limit)` over the file's bytes, with the stat that belongs to them.

    The stat is taken from the open file before reading and again after: if the file changed
    meanwhile (written in place while it was read), it is read once more; if it changed again,
    the bytes may mix two versions, so the stamp is the one from before the read (the file's
    stat no longer matches it) and marked racy: the next plan hashes the file and extracts it
    again. A file replaced by a rename while it is read keeps its old bytes and old stat in the
    open file: the stamp still describes what was read. None for a file over `limit` (not read)."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)  # a pipe swapped in must not block
    try:
        with open(fd, "rb", closefd=False) as handle:
            for _ in range(2):
                before = os.fstat(fd)
                if not S_ISREG(before.st_mode):
                    raise _NotRegular(errno.EINVAL, NOT_REGULAR, str(path))
                started = time.time_ns()
                if before.st_size > limit:
                    return None, FileStamp(before.st_size, before.st_mtime_ns, started - before.st_mtime_ns < RACY_NS)
                handle.seek(0)
                result = consume(handle, limit)
                if _same_file_state(before, os.fstat(fd)):
                    return result, FileStamp(before.st_size, before.st_mtime_ns, started - before.st_mtime_ns < RACY_NS)
            return result, FileStamp(before.st_size, before.st_mtime_ns, racy=True)
    finally:
        os.close(fd)


def _read_upto(handle: BinaryIO, limit: int) -> bytes | None:
    """The file's bytes; None when it grew past `limit` while being read. Sized by the file,
    not by the limit: one `read(limit + 1)` reserves the whole limit (200 MB by default) for
    every document, memory that BUDGETWH_MAX_MB_PER_DOC counts."""
    size = os.fstat(handle.fileno()).st_size
    data = handle.read(min(size, limit) + 1)
    if len(data) > size:  # it grew while being read: the rest, up to one byte past the limit
        data += handle.read(max(0, limit + 1 - len(data)))
    return None if len(data) > limit else data


def _hash_stream(handle: BinaryIO, limit: int) -> str:
    digest = hashlib.sha256()
    for block in iter(lambda: handle.read(1 << 20), b""):
        digest.update(block)
    return digest.hexdigest()


def too_large_id(display: str, size: int) -> str:
    return hashlib.sha256(display.encode() + str(size).encode()).hexdigest()


def _unreadable_id(display: str) -> str:
    """doc_id of a file that could not be read at all: one per path (there are no bytes)."""
    return hashlib.sha256(b"unreadable\0" + display.encode()).hexdigest()


def _read_failure(exc: OSError) -> str:
    """Why a file listed by the walk could not be read when its turn came, in plain words."""
    if isinstance(exc, _NotRegular):
        return NOT_REGULAR
    if isinstance(exc, FileNotFoundError):
        return "file vanished before it could be read (removed or renamed since the raw folder was listed)"
    return _os_reason("cannot be read", exc)


def extract_file(path: Path, display_path: str,
                 limits: Limits = DEFAULT_LIMITS) -> tuple[DocumentInfo, Extraction | None]:
    """Extract one file; every failure becomes a quarantined document with a plain reason."""
    doc, extraction, _ = extract_with_stamp(path, display_path, limits)
    return doc, extraction


def extract_with_stamp(path: Path, display_path: str,
                       limits: Limits = DEFAULT_LIMITS) -> tuple[DocumentInfo, Extraction | None, FileStamp | None]:
    """`extract_file` plus the stat that belongs to the bytes extracted (None when the file could
    not be read): the manifest must record exactly what was read, or a file rewritten during
    extraction would look unchanged to every later run. The file is not read past
    `limits.max_file_bytes`, and readers stop at `limits.max_pages`."""
    max_file_bytes = limits.max_file_bytes
    try:
        data, stamp = _consistent(path, max_file_bytes, _read_upto)
    except OSError as exc:  # vanished, permission taken away, swapped for a pipe since the walk
        return _quarantined(display_path, _unreadable_id(display_path), b"", _read_failure(exc)), None, None
    if data is None:
        reason = (f"file too large: {stamp.size} bytes > limit of {max_file_bytes} bytes (BUDGETWH_MAX_FILE_MB)"
                  if stamp.size > max_file_bytes else
                  f"file too large: it grew past the limit of {max_file_bytes} bytes while it was read "
                  "(BUDGETWH_MAX_FILE_MB)")
        return _quarantined(display_path, too_large_id(display_path, stamp.size), b"", reason), None, stamp
    with page_limit(limits.max_pages):
        doc, extraction = _extract_bytes(data, display_path)
    return doc, extraction, stamp


def _extract_bytes(data: bytes, display_path: str) -> tuple[DocumentInfo, Extraction | None]:
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


def stage_document(path: Path, display: str, store: StagingStore,
                   limits: Limits = DEFAULT_LIMITS) -> DocumentOutcome:
    """Extract one file and write its staging Parquet and manifest entry (one document's whole
    footprint, so documents can be staged by separate processes)."""
    doc, extraction, stamp = extract_with_stamp(path, display, limits)
    started = time.process_time()
    outcome = record_document(path, display, store, doc, extraction, stamp)
    outcome.normalize_cpu_seconds = time.process_time() - started
    crash_point("document_staged")
    return outcome


def stage_one(path: Path, display: str, store: StagingStore, limits: Limits = DEFAULT_LIMITS) -> DocumentOutcome:
    """`stage_document`, with whatever it raises (a write refused, a bug in normalizing)
    quarantining this file with the reason instead of stopping the others."""
    try:
        return stage_document(path, display, store, limits)
    except Exception as exc:  # noqa: BLE001 - one file must never stop the batch
        return record_failure(path, display, store, f"staging failed: {type(exc).__name__}: {exc}", limits)


def record_failure(path: Path, display: str, store: StagingStore, reason: str,
                   limits: Limits = DEFAULT_LIMITS) -> DocumentOutcome:
    """Quarantine a file whose staging could not finish (time limit, crashed worker, an error
    while staging it), with `reason`. Called from the pool's error branches, so it never
    raises: the file is hashed again here with the stat that goes with those bytes (it may
    have changed since the worker read it); a file that cannot be read any more is recorded
    under its path, with why; and if even staging the quarantine fails (a full disk), the
    outcome still says so, and with no manifest entry the next run tries the file again."""
    stamp: FileStamp | None = None
    try:
        sha, stamp = _consistent(path, limits.max_file_bytes, _hash_stream)
        sha = sha if sha is not None else too_large_id(display, stamp.size)
    except OSError as exc:
        sha = _unreadable_id(display)
        reason = f"{reason}; then the file could not be read again: {_read_failure(exc)}"
    try:
        return record_document(path, display, store, _quarantined(display, sha, b"", reason), None, stamp)
    except Exception as exc:  # noqa: BLE001 - the pool must go on with the other documents
        why = f"{reason}; recording its quarantine in staging failed too: {type(exc).__name__}: {exc}"
        return DocumentOutcome(display, sha, "quarantined", why, True)


def _set_aside_damage(store: StagingStore, display: str, doc_id: str) -> list[str]:
    """Before a document is staged: move aside what of its previous staging is damaged (its
    manifest entry, its Parquet files), so that it is kept for inspection rather than
    overwritten or deleted. A file is read only when its stamp is not the one its entry
    recorded (`StagingStore.problems`); files of this doc_id that no entry of this path vouches
    for (a byte-identical copy's, a killed load's) are read when they exist."""
    moved: list[str] = []

    def aside(file: Path, why: str, like: os.stat_result | None = None) -> None:
        if (where := store.set_aside(file, why, like)) is not None:
            moved.append(f"{store.shown(file)} of {display} was damaged ({why}): moved to {store.shown(where)}")

    previous = store.load_manifest_entry(display)
    entry_file = store.entry_path(display)
    if entry_file in store.damaged_entries:
        aside(entry_file, store.damaged_entries[entry_file])
    if previous is not None and previous.sha256 == doc_id:
        damaged = {file for file, why in store.problems(previous) if why != "missing"}
        suspects = [entity for entity in ("documents", *(previous.stamps or {}))
                    if store.path(entity, doc_id) in damaged]
    else:
        suspects = [entity for entity in ("documents", *FACT_ENTITIES) if store.path(entity, doc_id).exists()]
    for entity in suspects:
        why, stat = store.check(entity, doc_id)  # the file itself, read again: its stat goes with it
        if why is not None and why != "missing":
            aside(store.path(entity, doc_id), why, stat)
    return moved


def record_document(path: Path, display: str, store: StagingStore, doc: DocumentInfo,
                    extraction: Extraction | None, stamp: FileStamp | None = None) -> DocumentOutcome:
    """Write one document's staging files and then its manifest entry. `stamp` is the stat
    taken with the bytes the document came from (None: not known, so the next plan hashes the
    file); never a stat taken now, which may describe a newer version than the one staged."""
    # a previous version's staging files are left to settle(), which drops every document no
    # manifest entry references any more in one pass (checking here would read the whole
    # manifest once per changed file)
    repairs = _set_aside_damage(store, display, doc.doc_id)
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
        findings = document_findings(row.row(0, named=True))
        stamps = {entity: store.stamp(entity, doc.doc_id) for entity in rows}
    else:
        store.remove_facts(doc.doc_id)
        stamps = {}
    # the manifest entry comes last: a load killed before it leaves a document the next run
    # extracts again (and whose Parquet files settle removes if the file is gone by then)
    crash_point("before_manifest_entry")
    store.save_manifest_entry(ManifestEntry(
        display, doc.doc_id, doc.status, doc.status_reason, fingerprint,
        size=stamp.size if stamp else None, mtime_ns=stamp.mtime_ns if stamp else None,
        racy=stamp.racy if stamp else False, row_status=doc.status, row_reason=doc.status_reason,
        row_stamp=store.row_stamp(doc.doc_id), stamps={e: s for e, s in stamps.items() if s is not None} or None))
    outcome = DocumentOutcome(display, doc.doc_id, doc.status, doc.status_reason, True, findings=findings,
                              repairs=repairs)
    if extraction:
        outcome.tables_by_kind = Counter(t.kind for t in extraction.tables)
        outcome.line_items = len(extraction.line_items)
        outcome.unparsed = len(extraction.unparsed)
    return outcome
