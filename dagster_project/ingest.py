"""The extraction stage as one function: raw folder in, staging Parquet and manifest out.

Decisions are driven by the content-hash manifest in staging: unchanged files are skipped,
new or changed files extracted, vanished files removed. A file that cannot be read is
quarantined with its reason and never stops the others. Duplicates (same facts, different
bytes) are settled over the whole corpus after extraction. The Dagster assets and the CLI
both call into this module; it has no opinion on progress display or logging beyond the
callback it is given.
"""

from __future__ import annotations

import errno
import hashlib
import os
import time
import traceback
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import BinaryIO, TypeVar
from datetime import UTC, datetime
from functools import cmp_to_key
from pathlib import Path
from stat import S_ISDIR, S_ISLNK, S_ISREG

import polars as pl

from dagster_project.faults import crash_point
from dagster_project.identities import document_findings
from dagster_project.parsing.extract import DocumentInfo, Extraction, extract_document
from dagster_project.readers.base import ReaderError
from dagster_project.readers.registry import sniff_format
from dagster_project.settings import WAREHOUSE_FOLDERS, holds_warehouse
from dagster_project.staging.normalize import FACT_ENTITIES, document_frame, fact_rows, facts_fingerprint, frame_of
from dagster_project.staging.store import ManifestEntry, StagingDamaged, StagingStore, parser_version

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
    repairs: list[str] = field(default_factory=list)  # damaged staging files it set aside, and where


@dataclass
class IngestSummary:
    outcomes: list[DocumentOutcome]
    removed: list[str]
    repairs: list[str] = field(default_factory=list)  # damaged staging found by the plan (Plan.repairs)

    @property
    def by_status(self) -> Counter:
        return Counter(o.status for o in self.outcomes)

    @property
    def extracted(self) -> int:
        return sum(o.extracted for o in self.outcomes)


def discover(raw_dir: Path) -> list[Path]:
    """Report files under raw_dir: regular files that can be opened (see `skipped` for what is
    left out and why)."""
    return [path for path, why in _walk(raw_dir) if why is None]


def skipped(raw_dir: Path) -> dict[str, str]:
    """Entries of the raw folder that are not read, with the reason (hidden files aside)."""
    return {display_path(raw_dir, path): why for path, why in _walk(raw_dir) if why}


LINK_LOOP = "symbolic link that cannot be resolved (a loop?): not followed"
LINK_OUTSIDE = "symbolic link leading outside the raw folder: not followed"
LINKED_FOLDER = "linked folder: not followed"
BROKEN_LINK = "broken symbolic link"
NOT_REGULAR = "not a regular file (named pipe, socket or device): not read"
HARD_LINK_OUTSIDE = "hard link shared with a file outside the raw folder: not read"
WAREHOUSE_FOLDER = "folder of a budgetwh warehouse (the output of loads, not reports): not read"
LINK_INTO_WAREHOUSE = "symbolic link into a budgetwh warehouse folder: not followed"
NAME_CLASH = "name is not valid UTF-8 and its escaped form is the name of another file: not read"


def _os_reason(what: str, exc: OSError) -> str:
    """`cannot be read: Permission denied (EACCES)`: the system's words and the error's
    symbolic name, which says the same in every locale."""
    name = errno.errorcode.get(exc.errno) if exc.errno else None
    return f"{what}: {exc.strerror or type(exc).__name__}" + (f" ({name})" if name else "")


def _unreadable(path: Path) -> str | None:
    """Why a regular file cannot be opened for reading, or None. Asking the kernel (not the
    mode bits) gives the true answer for ACLs, root and network file systems alike;
    O_NONBLOCK keeps a file swapped for a pipe since its stat from blocking the walk."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        return _os_reason("cannot be read", exc)
    os.close(fd)
    return None


def _walk(raw_dir: Path) -> list[tuple[Path, str | None]]:
    """Every entry under raw_dir with None (a report to read) or why it is not read.

    Nothing outside the raw folder is ever read: a link (or a chain of links) that resolves
    outside it is skipped, linked folders are not descended, and a regular file with hard
    links that are not all inside the raw folder is skipped (its other names, counted by
    (device, inode) over the whole walk, would be fewer than its link count). Named pipes,
    sockets and devices are skipped too: reading a pipe would block the load forever. A
    folder holding a budgetwh warehouse (its lock or staging manifest) is not descended: its
    files are loads' output, and reading them would feed each load the previous one's.

    One entry never stops the walk: an error the system gives for one file or folder
    (permission denied, a path past PATH_MAX, ...) becomes that entry's reason, naming the
    error, and every other file is still read. Hidden files (editor swap files, .DS_Store)
    are ignored silently; hidden folders are only looked into, for hard links, when a
    file's link count is not accounted for otherwise.
    """
    root = raw_dir.resolve()
    entries: list[tuple[Path, str | None]] = []
    names: Counter[tuple[int, int]] = Counter()  # (st_dev, st_ino) -> directory entries seen
    linked: list[tuple[int, tuple[int, int], int]] = []  # (entry index, file id, st_nlink)
    hidden: list[Path] = []
    # the raw folder is itself a warehouse's folder (the CLI refuses that): skip its output
    outputs = WAREHOUSE_FOLDERS if holds_warehouse(raw_dir) else ()

    def visit(folder: Path) -> None:
        try:
            with os.scandir(folder) as listing:
                children = sorted(listing, key=lambda child: child.name)
        except OSError as exc:
            if folder == raw_dir:
                if isinstance(exc, FileNotFoundError):
                    return  # no raw folder: no reports (the CLI says so before it gets here)
                raise  # a raw folder that cannot be listed: no load can be planned from it
            entries.append((folder, _os_reason("folder cannot be listed", exc)))
            return
        for child in children:
            path = Path(child.path)
            if child.name.startswith("."):
                hidden.append(path)
                continue
            try:
                info = path.lstat()
            except OSError as exc:  # e.g. a path longer than PATH_MAX
                entries.append((path, _os_reason("cannot be read", exc)))
                continue
            is_link = S_ISLNK(info.st_mode)
            if is_link:
                why, info = _follow(path, root)
                if why:
                    entries.append((path, why))
                    continue
            if S_ISDIR(info.st_mode):
                if is_link:
                    entries.append((path, LINKED_FOLDER))
                elif (folder == raw_dir and child.name in outputs) or holds_warehouse(path):
                    entries.append((path, WAREHOUSE_FOLDER))
                else:
                    visit(path)
                continue
            if not S_ISREG(info.st_mode):
                entries.append((path, NOT_REGULAR))
                continue
            key = (info.st_dev, info.st_ino)
            if not is_link:
                names[key] += 1
            why = _unreadable(path)
            if why is None and info.st_nlink > 1:
                linked.append((len(entries), key, info.st_nlink))
            entries.append((path, why))

    visit(raw_dir)
    unaccounted = {key for _, key, nlink in linked if names[key] < nlink}
    if unaccounted and hidden:
        _count_hidden(hidden, unaccounted, names)
    for index, key, nlink in linked:
        if names[key] < nlink:
            entries[index] = (entries[index][0], HARD_LINK_OUTSIDE)
    return _without_name_clashes(raw_dir, entries)


def _follow(link: Path, root: Path) -> tuple[str | None, os.stat_result | None]:
    """Why a symbolic link inside the raw folder is not followed, or None and its target's stat."""
    try:
        target = link.resolve()
    except (OSError, RuntimeError):  # a link loop
        return LINK_LOOP, None
    if not target.is_relative_to(root):
        return LINK_OUTSIDE, None
    try:
        info = link.stat()
    except FileNotFoundError:
        return BROKEN_LINK, None
    except OSError as exc:
        return _os_reason("cannot be read", exc), None
    inside = [folder for folder in target.parents if folder.is_relative_to(root) and folder != root]
    if any(holds_warehouse(folder) for folder in inside):
        return LINK_INTO_WAREHOUSE, None
    return None, info


def _count_hidden(hidden: list[Path], wanted: set[tuple[int, int]],
                  names: Counter[tuple[int, int]]) -> None:
    """Add the hard links among hidden entries (a `.backup/` folder) to `names`, for the files
    in `wanted` only: links inside the raw folder, even hidden ones, are not outside it."""
    for top in hidden:
        stack = [top]
        while stack:
            path = stack.pop()
            try:
                info = path.lstat()
                if S_ISDIR(info.st_mode) and not holds_warehouse(path):
                    with os.scandir(path) as listing:
                        stack.extend(Path(child.path) for child in listing)
                elif S_ISREG(info.st_mode) and (info.st_dev, info.st_ino) in wanted:
                    names[(info.st_dev, info.st_ino)] += 1
            except OSError:
                continue  # what cannot be looked into cannot vouch for a link


def _without_name_clashes(raw_dir: Path,
                          entries: list[tuple[Path, str | None]]) -> list[tuple[Path, str | None]]:
    """Entries whose display path another entry has too (only a name that is not UTF-8, shown
    escaped, can clash with a real name) are not read: staging knows files by that path."""
    by_display: dict[str, list[int]] = {}
    for index, (path, _) in enumerate(entries):
        by_display.setdefault(display_path(raw_dir, path), []).append(index)
    for indexes in by_display.values():
        if len(indexes) > 1:
            for index in indexes:
                path = entries[index][0]
                if display_path(raw_dir, path) != _relative(raw_dir, path):
                    entries[index] = (path, NAME_CLASH)
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


def _too_large_id(display: str, size: int) -> str:
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


def extract_file(path: Path, display_path: str) -> tuple[DocumentInfo, Extraction | None]:
    """Extract one file; every failure becomes a quarantined document with a plain reason."""
    doc, extraction, _ = extract_with_stamp(path, display_path)
    return doc, extraction


def extract_with_stamp(path: Path, display_path: str) -> tuple[DocumentInfo, Extraction | None, FileStamp | None]:
    """`extract_file` plus the stat that belongs to the bytes extracted (None when the file could
    not be read): the manifest must record exactly what was read, or a file rewritten during
    extraction would look unchanged to every later run."""
    try:
        data, stamp = _consistent(path, MAX_FILE_BYTES, _read_upto)
    except OSError as exc:  # vanished, permission taken away, swapped for a pipe since the walk
        return _quarantined(display_path, _unreadable_id(display_path), b"", _read_failure(exc)), None, None
    if data is None:
        reason = (f"file too large: {stamp.size} bytes > limit of {MAX_FILE_BYTES} bytes (BUDGETWH_MAX_FILE_MB)"
                  if stamp.size > MAX_FILE_BYTES else
                  f"file too large: it grew past the limit of {MAX_FILE_BYTES} bytes while it was read "
                  "(BUDGETWH_MAX_FILE_MB)")
        return _quarantined(display_path, _too_large_id(display_path, stamp.size), b"", reason), None, stamp
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
    # damaged or missing staging files and manifest entries found, one line each, naming the
    # file, why, and what the load does about it (set aside, the report extracted again)
    repairs: list[str] = field(default_factory=list)

    @property
    def nothing_to_do(self) -> bool:
        return not self.changed and not self.removed and not self.repairs


def _relative(raw_dir: Path, path: Path) -> str:
    return path.relative_to(raw_dir).as_posix() if path.is_relative_to(raw_dir) else str(path)


def display_path(raw_dir: Path, path: Path) -> str:
    """The name a file goes by everywhere but the file system: manifest, staging rows, partition
    keys, the summary. Always valid UTF-8, because Dagster, Polars and Parquet accept nothing
    else: a name whose bytes are not UTF-8 (Linux allows any bytes but `/` and NUL) shows the
    bytes that are not as `\\xNN` escapes, so `b"\\xff\\xfe.txt"` is `\\xff\\xfe.txt`, as Python's repr
    of the bytes shows it, and the same on every run. The file itself is always read through its real
    Path (Plan.files), never through this name."""
    return os.fsencode(_relative(raw_dir, path)).decode("utf-8", "backslashreplace")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def is_current(entry: ManifestEntry | None, path: Path, store: StagingStore) -> bool:
    """Unchanged since it was staged: same size and mtime (cheap), else same content hash.
    Size and mtime are trusted only when they were taken with the bytes that were hashed and
    not within a timestamp tick of a write (`FileStamp.racy`); otherwise the file is hashed."""
    if entry is None or entry.parser_version != parser_version() or not store.has_document(entry.sha256):
        return False
    stat = path.stat()
    if not entry.racy and (entry.size, entry.mtime_ns) == (stat.st_size, stat.st_mtime_ns):
        return True
    if stat.st_size > MAX_FILE_BYTES:  # never read: known by its size (quarantined either way)
        return entry.sha256 == _too_large_id(entry.source_path, stat.st_size)
    return entry.sha256 == _sha256(path)


def _staging_repairs(store: StagingStore, manifest: dict[str, ManifestEntry], found: dict[str, Path],
                     changed: list[str], unchanged: list[str]) -> list[str]:
    """Check the staging files of the documents the plan would keep, and say what is wrong.

    A staging file that is missing or damaged (a crash or power cut mid-write, a disk error,
    someone's edit) would fail every load that reads it, the no-op check included, without
    naming it. Each file's (mtime_ns, size) recorded when it was written is compared with its
    stat (a few stat calls per document); only a file whose stamp differs is read. A document
    with such a file moves from `unchanged` to `changed` (lists edited in place): staging it
    again sets the damaged file aside in `_damaged/` and writes it anew (record_document).
    A manifest entry that is not a complete entry was left out of `manifest` by
    load_manifest: its report is already `changed` (it has no entry), and settle sets the
    entry aside. Returns one line per finding, for the run's summary."""
    lines: list[str] = []
    by_entry_file = {store.entry_path(display): display for display in found}
    for file, why in sorted(store.damaged_entries.items()):
        display = by_entry_file.get(file)
        lines.append(f"manifest entry {store.shown(file)} is damaged ({why}): set aside in "
                     f"{store.root.name}/_damaged/manifest/; "
                     + (f"{display} extracted again" if display else "it is the entry of no file in the raw folder"))
    damaged: dict[Path, tuple[str, list[str]]] = {}
    for display in list(unchanged):
        for file, why in store.problems(manifest[display]):
            damaged.setdefault(file, (why, []))[1].append(display)
    for display in changed:  # is_current says no to an entry without its row: say why
        entry = manifest.get(display)
        if entry is not None and entry.parser_version == parser_version() and not store.has_document(entry.sha256):
            damaged.setdefault(store.path("documents", entry.sha256), ("missing", []))[1].append(display)
    redo = {display for _, displays in damaged.values() for display in displays}
    if redo:
        kept = [display for display in unchanged if display not in redo]
        pending = redo | set(changed)
        changed[:] = [display for display in found if display in pending]
        unchanged[:] = kept
    for file, (why, displays) in sorted(damaged.items()):
        names = ", ".join(displays)
        if why == "missing":
            earlier = store.last_set_aside(file)  # a reader may have found it damaged and moved it
            lines.append(f"{store.shown(file)} (staged from {names}) is missing" + (
                f" (found damaged{f' ({earlier[1]})' if earlier[1] else ''} and set aside as "
                f"{store.shown(earlier[0])})" if earlier else "") + f": {names} extracted again")
        else:
            lines.append(f"{store.shown(file)} (staged from {names}) is damaged ({why}): set aside in "
                         f"{store.root.name}/_damaged/{file.parent.name}/, {names} extracted again")
    return lines


def plan(raw_dir: Path, store: StagingStore, files: Iterable[Path] | None = None) -> Plan:
    """What to extract, keep and remove. A file the system refuses to stat or hash here (it
    changed or lost its permissions since the walk) counts as changed rather than stopping the
    plan: extraction then reads it and quarantines it with the system's reason if it still fails."""
    manifest = store.load_manifest()
    found = {display_path(raw_dir, p): p for p in (files if files is not None else discover(raw_dir))}
    changed, unchanged = [], []
    for display, path in found.items():
        try:
            current = is_current(manifest.get(display), path, store)
        except OSError:
            current = False
        (unchanged if current else changed).append(display)
    removed = sorted(set(manifest) - set(found))
    repairs = _staging_repairs(store, manifest, found, changed, unchanged)
    return Plan(found, changed, unchanged, removed, repairs)


def stage_document(path: Path, display: str, store: StagingStore) -> DocumentOutcome:
    """Extract one file and write its staging Parquet and manifest entry (one document's whole
    footprint, so documents can be staged by separate processes)."""
    doc, extraction, stamp = extract_with_stamp(path, display)
    started = time.process_time()
    outcome = record_document(path, display, store, doc, extraction, stamp)
    outcome.normalize_cpu_seconds = time.process_time() - started
    crash_point("document_staged")
    return outcome


def record_failure(path: Path, display: str, store: StagingStore, reason: str) -> DocumentOutcome:
    """Quarantine a file whose staging could not finish (time limit, crashed worker, an error
    while staging it), with `reason`. Called from the pool's error branches, so it never
    raises: the file is hashed again here with the stat that goes with those bytes (it may
    have changed since the worker read it); a file that cannot be read any more is recorded
    under its path, with why; and if even staging the quarantine fails (a full disk), the
    outcome still says so, and with no manifest entry the next run tries the file again."""
    stamp: FileStamp | None = None
    try:
        sha, stamp = _consistent(path, MAX_FILE_BYTES, _hash_stream)
        sha = sha if sha is not None else _too_large_id(display, stamp.size)
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
        findings = document_findings(row.row(0, named=True), rows["line_items"])
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


def settle(store: StagingStore, removed: Iterable[str] = (), files: dict[str, Path] | None = None,
           repairs: list[str] | None = None) -> dict[str, tuple[str, str | None]]:
    """Corpus-wide decisions after staging: forget removed files, drop documents nothing
    references any more, mark duplicates and superseded revisions, and stamp each document's
    final status into its staging row. Returns (status, reason) by path.

    One pass over the manifest whatever the corpus size: orphans are found by comparing the
    staging folders' listings with the manifest (which also clears Parquet files a killed load
    left for a document whose manifest entry it never wrote), and a staging row is only read or
    rewritten when its status changes or its file changed since the manifest recorded it.

    A staging file that settling cannot read (damaged without its size or mtime changing, so
    the plan could not tell) must not fail this load and every later one without a name: the
    loaded documents' files are then checked one by one, the damaged ones set aside, and their
    reports staged again from `files` (the plan's display path -> file), or, without them,
    forgotten so that the next run extracts them, and StagingDamaged raised naming them. What
    was done is appended to `repairs`."""
    crash_point("before_settle")
    for gone in removed:
        store.remove_manifest_entry(gone)
    try:
        return _settle(store)
    except (pl.exceptions.PolarsError, OSError):
        redo = _set_aside_unreadable(store)
        if not redo:
            raise
    if repairs is not None:
        repairs.extend(line for lines in redo.values() for line in lines)
    missing = sorted(display for display in redo if files is None or display not in files)
    if missing:
        for display in missing:
            store.remove_manifest_entry(display)
        raise StagingDamaged([line for lines in redo.values() for line in lines]
                             + [f"the next run extracts {', '.join(missing)} again"])
    for display in sorted(redo):
        stage_document(files[display], display, store)
    return _settle(store)


def _set_aside_unreadable(store: StagingStore) -> dict[str, list[str]]:
    """Read every staging file of every document in the manifest (only after settling failed
    on one: this is the slow, thorough check), set the damaged ones aside and return what was
    found by the reports that staged them."""
    manifest = store.load_manifest()
    by_doc: dict[str, list[ManifestEntry]] = {}
    for entry in manifest.values():
        by_doc.setdefault(entry.sha256, []).append(entry)
    found: dict[str, list[str]] = {}
    for doc_id, entries in sorted(by_doc.items()):
        entities = {"documents"} | {entity for entry in entries for entity in (entry.stamps or {})}
        for entity in sorted(entities):
            why, stat = store.check(entity, doc_id)
            if why is None or why == "missing":
                continue
            file = store.path(entity, doc_id)
            where = store.set_aside(file, why, like=stat)
            names = ", ".join(sorted(entry.source_path for entry in entries))
            for entry in entries:
                found.setdefault(entry.source_path, []).append(
                    f"{store.shown(file)} (staged from {names}) is damaged ({why}): moved to "
                    f"{store.shown(where) if where else 'nowhere (it vanished meanwhile)'}")
    return found


def _settle(store: StagingStore) -> dict[str, tuple[str, str | None]]:
    manifest = store.load_manifest()
    for file, why in sorted(store.damaged_entries.items()):  # entries of no file staged in this run (see plan)
        store.set_aside(file, why)
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
        if len(paths) > 1:
            _restamp_copies(store, [manifest[path] for path in paths])
    store.ensure_schemas()
    return final


def _restamp_copies(store: StagingStore, entries: list[ManifestEntry]) -> None:
    """Byte-identical copies share one document's staging files, and each copy staged writes
    them again: the entries staged earlier then hold stamps of files since replaced, which the
    plan would read on every run to tell them from damaged ones. Once the files read whole,
    every copy's entry gets their current stamps."""
    doc_id = entries[0].sha256
    row = store.row_stamp(doc_id)
    wanted = {}
    for entry in entries:
        stamps = {entity: store.stamp(entity, doc_id) for entity in entry.stamps} if entry.stamps else None
        if entry.row_stamp != row or stamps != entry.stamps:
            wanted[entry.source_path] = stamps
    stale = [entry for entry in entries if entry.source_path in wanted]
    if not stale or any(store.problems(entry) for entry in stale):
        return  # a missing or damaged file is the plan's to report and the next staging's to set aside
    for entry in stale:
        entry.row_stamp, entry.stamps = row, wanted[entry.source_path]
        store.save_manifest_entry(entry)


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
            kinds = frozenset(pl.read_parquet(items, columns=["table_kind"], glob=False)["table_kind"].unique().to_list()) \
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
    """The whole extraction stage in one call: plan, stage what changed, settle. As in the
    pool, a document whose staging raises is quarantined with the reason, never fatal."""
    store = StagingStore(staging_root)
    work = plan(raw_dir, store, files)
    manifest = store.load_manifest()
    changed = set(work.changed)
    outcomes: list[DocumentOutcome] = []
    for display, path in work.files.items():
        if display in changed:
            outcomes.append(stage_one(path, display, store))
        else:
            entry = manifest[display]
            outcomes.append(DocumentOutcome(display, entry.sha256, entry.status, entry.status_reason, False))
        if on_progress:
            on_progress(display)
    repairs = list(work.repairs)
    final = settle(store, work.removed, files=work.files, repairs=repairs)
    for outcome in outcomes:
        outcome.status, outcome.status_reason = final.get(outcome.source_path, (outcome.status, outcome.status_reason))
    return IngestSummary(outcomes, work.removed, repairs)


def stage_one(path: Path, display: str, store: StagingStore) -> DocumentOutcome:
    """`stage_document`, with whatever it raises (a write refused, a bug in normalizing)
    quarantining this file with the reason instead of stopping the others."""
    try:
        return stage_document(path, display, store)
    except Exception as exc:  # noqa: BLE001 - one file must never stop the batch
        return record_failure(path, display, store, f"staging failed: {type(exc).__name__}: {exc}")


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
    frame = pl.read_parquet(store.path("documents", entry.sha256), glob=False)
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
