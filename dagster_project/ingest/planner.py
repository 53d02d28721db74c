"""Ingest, stage 1b: plan. From the walk and the content-hash manifest in staging (not the
Dagster instance, so a fresh machine decides the same): which files are new or changed
(extract them), unchanged (keep their staging), removed (forget them), and which staging files
are damaged (set aside, their reports extracted again). Hashes files; never extracts one."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from dagster_project.ingest.stager import too_large_id
from dagster_project.ingest.walk import discover, display_path
from dagster_project.settings import DEFAULT_LIMITS, Limits
from dagster_project.staging.store import ManifestEntry, StagingStore, parser_version


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


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def is_current(entry: ManifestEntry | None, path: Path, store: StagingStore,
               limits: Limits = DEFAULT_LIMITS) -> bool:
    """Unchanged since it was staged: same size and mtime (cheap), else same content hash.
    Size and mtime are trusted only when they were taken with the bytes that were hashed and
    not within a timestamp tick of a write (`FileStamp.racy`); otherwise the file is hashed. A
    file over `limits.max_file_bytes` is known by its size, as stage_document recorded it."""
    if entry is None or entry.parser_version != parser_version() or not store.has_document(entry.sha256):
        return False
    stat = path.stat()
    if not entry.racy and (entry.size, entry.mtime_ns) == (stat.st_size, stat.st_mtime_ns):
        return True
    if stat.st_size > limits.max_file_bytes:  # never read: known by its size (quarantined either way)
        return entry.sha256 == too_large_id(entry.source_path, stat.st_size)
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


def plan(raw_dir: Path, store: StagingStore, files: Iterable[Path] | None = None,
         limits: Limits = DEFAULT_LIMITS) -> Plan:
    """What to extract, keep and remove. A file the system refuses to stat or hash here (it
    changed or lost its permissions since the walk) counts as changed rather than stopping the
    plan: extraction then reads it and quarantines it with the system's reason if it still fails."""
    manifest = store.load_manifest()
    found = {display_path(raw_dir, p): p for p in (files if files is not None else discover(raw_dir))}
    changed, unchanged = [], []
    for display, path in found.items():
        try:
            current = is_current(manifest.get(display), path, store, limits)
        except OSError:
            current = False
        (unchanged if current else changed).append(display)
    removed = sorted(set(manifest) - set(found))
    repairs = _staging_repairs(store, manifest, found, changed, unchanged)
    return Plan(found, changed, unchanged, removed, repairs)
