"""Ingest, stage 3: settle staging across the corpus, after every changed document is staged.
Forget removed files, drop staging files nothing references, mark `duplicate`s (same facts as
another document) and `superseded` revisions (an older report of a disclosure whose tables
overlap a newer one), and restamp each document's final status into its staging row. What
needs the whole corpus lives here; everything per document is in stager.py."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cmp_to_key
from pathlib import Path

import polars as pl

from dagster_project.faults import crash_point
from dagster_project.ingest.outcomes import LOADED
from dagster_project.ingest.stager import stage_document
from dagster_project.settings import DEFAULT_LIMITS, Limits
from dagster_project.staging.store import ManifestEntry, StagingDamaged, StagingStore


def settle(store: StagingStore, removed: Iterable[str] = (), files: dict[str, Path] | None = None,
           repairs: list[str] | None = None, limits: Limits = DEFAULT_LIMITS) -> dict[str, tuple[str, str | None]]:
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
        stage_document(files[display], display, store, limits)
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
        _restamp(store, manifest[first], *final[first], trust_stamp=len(paths) == 1)
        if len(paths) > 1:
            _restamp_copies(store, [manifest[path] for path in paths])
    store.ensure_schemas()
    return final


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


def _restamp(store: StagingStore, entry: ManifestEntry, status: str, reason: str | None,
             trust_stamp: bool = True) -> None:
    """Write the settled status (and the path the row speaks for) into the document's staging
    row, only when it changed. The manifest entry remembers the row file's stamp as last
    written for it, so an unchanged row is not even read; except for byte-identical copies
    (`trust_stamp` False): two workers staging copies at once each rewrite the one row, and the
    one that stats the file after the other's write records the other's stamp as its own, so
    the stamp cannot tell which path the row speaks for."""
    stamp = store.row_stamp(entry.sha256)
    if stamp is None:
        return
    wanted = (entry.source_path, status, reason)
    if trust_stamp and entry.row_stamp == stamp and entry.row_status is not None:
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
