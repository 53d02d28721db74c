"""The staging area on disk: `<warehouse dir>/staging/<entity>/<doc_id>.parquet` plus the
content-hash manifest that decides what needs re-extraction.

Each file is written to a temporary name and renamed into place, so a crash never leaves a
half-written Parquet file for dbt to read. Temporary names carry the writer's process id
(`.<name>.<pid>.tmp`): two processes never share one, dbt's `*.parquet` globs never match
one, and `remove_stale_temp` deletes those whose process is gone. The manifest lives here,
not in the Dagster instance, so a fresh machine or an ephemeral instance makes the same
decisions.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
from dataclasses import asdict, dataclass, fields
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import polars as pl

from dagster_project.faults import crash_point
from dagster_project.files import file_mode, remove_stale_temp, temp_name
from dagster_project.parsing.vocabulary import EXTRACTION_SEEDS, SEEDS_DIR
from dagster_project.staging.normalize import FACT_ENTITIES, SCHEMAS

MANIFEST_DIR = "manifest"
# Damaged staging files and manifest entries are moved here (`_damaged/<entity>/<name>.<UTC time>.<ext>`),
# never deleted: outside every entity folder, so neither dbt's `<entity>/*.parquet` globs nor a
# scan of the manifest ever reads them again, and kept for whoever wants to know what happened.
DAMAGED_DIR = "_damaged"
_PACKAGE = Path(__file__).resolve().parent.parent


@cache
def parser_version() -> str:
    """A digest of the code and data that turn bytes into staging rows. Changing a reader, the
    interpreter, a catalog or a seed the vocabulary reads changes it, so every document is re-extracted by the next run
    without anyone remembering to bump a number."""
    digest = hashlib.sha256()
    for folder in ("text", "readers", "parsing", "catalogs", "staging"):
        for path in sorted((_PACKAGE / folder).rglob("*")):
            if path.suffix in (".py", ".csv") and path.is_file():
                digest.update(path.relative_to(_PACKAGE).as_posix().encode())
                digest.update(path.read_bytes())
    for name in EXTRACTION_SEEDS:
        digest.update(name.encode())
        digest.update((SEEDS_DIR / f"{name}.csv").read_bytes())
    return digest.hexdigest()[:16]


# Staging files are small (one document each) and read once per build: Parquet's default zstd
# spends more CPU per file than the whole rest of writing it (2.9 ms against 1.1 ms for a
# 250-row line-item file) for 6% fewer bytes. LZ4 keeps them compressed at a third of the cost.
COMPRESSION = "lz4"


@cache
def _empty_parquet(entity: str) -> bytes:
    """The bytes of an entity's empty staging file, made once: writing a Parquet file costs the
    same fixed ~1 ms however few rows it has, and an empty one is always the same file."""
    buffer = io.BytesIO()
    pl.DataFrame(schema=SCHEMAS[entity]).write_parquet(buffer, compression=COMPRESSION)
    return buffer.getvalue()


@dataclass
class ManifestEntry:
    source_path: str
    sha256: str
    status: str
    status_reason: str | None
    facts_fingerprint: str | None
    parser_version: str = ""
    size: int | None = None  # with mtime_ns: an unchanged file is recognised without hashing it
    mtime_ns: int | None = None
    # What the document's staging row says and the (mtime_ns, size) of that file when it was last
    # written by us: settling trusts these while the file is unchanged instead of reading it.
    row_status: str | None = None
    row_reason: str | None = None
    row_stamp: list[int] | None = None
    # (mtime_ns, size) of each fact file written for the document (entity -> stamp), as written:
    # a file whose stamp differs is read before it is trusted again, and set aside if damaged
    stamps: dict[str, list[int]] | None = None
    # size and mtime_ns were taken too close to a write of the file (or it changed while it was
    # read) to prove that a later write changes them: the file is hashed again before it counts
    # as unchanged (as git treats a "racily clean" index entry)
    racy: bool = False

    def __post_init__(self) -> None:
        self.parser_version = self.parser_version or parser_version()


_FIELDS = {f.name: f for f in fields(ManifestEntry)}
_REQUIRED = ("source_path", "sha256", "status", "status_reason", "facts_fingerprint")


def _stamp_ok(value: object) -> bool:
    return value is None or (isinstance(value, list) and len(value) == 2
                             and all(isinstance(v, int) and not isinstance(v, bool) for v in value))


def parse_manifest_entry(text: str, file_name: str) -> ManifestEntry:
    """A manifest entry from its file's text; ValueError saying what is wrong when the text is
    not a complete entry (not JSON, a field missing or of the wrong type, or filed under a name
    that is not its path's), so that one damaged entry is named and set aside instead of
    failing every load that reads the manifest."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not valid JSON ({exc})") from None
    if not isinstance(data, dict):
        raise ValueError("not a JSON object")
    missing = [name for name in _REQUIRED if name not in data]
    if missing:
        raise ValueError(f"lacks {', '.join(missing)}")
    for name in ("source_path", "sha256", "status"):
        if not isinstance(data[name], str) or not data[name]:
            raise ValueError(f"{name} is not a non-empty string")
    for name in ("status_reason", "facts_fingerprint", "parser_version", "row_status", "row_reason"):
        if data.get(name) is not None and not isinstance(data[name], str):
            raise ValueError(f"{name} is not a string")
    for name in ("size", "mtime_ns"):
        if data.get(name) is not None and (not isinstance(data[name], int) or isinstance(data[name], bool)):
            raise ValueError(f"{name} is not an integer")
    if not isinstance(data.get("racy", False), bool):
        raise ValueError("racy is not true or false")
    if not _stamp_ok(data.get("row_stamp")):
        raise ValueError("row_stamp is not [mtime_ns, size]")
    stamps = data.get("stamps")
    if stamps is not None and not (isinstance(stamps, dict) and all(
            entity in FACT_ENTITIES and value is not None and _stamp_ok(value) for entity, value in stamps.items())):
        raise ValueError("stamps is not {entity: [mtime_ns, size]}")
    if f"{_entry_name(data['source_path'])}.json" != file_name:
        raise ValueError(f"names {data['source_path']!r}, whose entry has another file name")
    # fields a later version added are ignored: what this version needs was checked above
    return ManifestEntry(**{name: value for name, value in data.items() if name in _FIELDS})


def _entry_name(source_path: str) -> str:
    return hashlib.sha1(source_path.encode("utf-8")).hexdigest()


class StagingDamaged(RuntimeError):
    """Staging files that a reader found damaged: each is named with why and where it was set
    aside. The next load's plan sees them missing and extracts their reports again."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__("; ".join(lines))
        self.lines = lines


class StagingStore:
    def __init__(self, root: Path) -> None:
        self.root = root
        # manifest entry files that the last load_manifest() could not use: file -> why
        self.damaged_entries: dict[Path, str] = {}

    def path(self, entity: str, doc_id: str) -> Path:
        return self.root / entity / f"{doc_id}.parquet"

    def write(self, entity: str, doc_id: str, frame: pl.DataFrame) -> None:
        target = self.path(entity, doc_id)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = temp_name(target)
        try:
            if frame.height == 0 and entity in SCHEMAS and frame.schema == pl.Schema(SCHEMAS[entity]):
                tmp.write_bytes(_empty_parquet(entity))  # most documents have no unparsed cells, many no projects
            else:
                frame.write_parquet(tmp, compression=COMPRESSION)
            os.chmod(tmp, file_mode())
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        crash_point("staging_parquet_written")
        os.replace(tmp, target)

    def ensure_schemas(self) -> None:
        """An empty `_schema.parquet` in every entity folder: dbt's sources glob the folder,
        and a corpus without a single project table must still give an (empty) projects source."""
        for entity, schema in SCHEMAS.items():
            self.write(entity, "_schema", pl.DataFrame(schema=schema))

    def remove(self, doc_id: str) -> None:
        for entity in ("documents", *FACT_ENTITIES):
            self.path(entity, doc_id).unlink(missing_ok=True)

    def remove_orphans(self, live: set[str]) -> list[Path]:
        """Delete Parquet files of documents no manifest entry names (left by a load killed
        between a document's Parquet files and its manifest entry, whose file then changed or
        went away): dbt reads every file in staging, so an orphan would reach the marts."""
        gone = []
        for entity in ("documents", *FACT_ENTITIES):
            for path in (self.root / entity).glob("*.parquet"):
                if path.stem != "_schema" and path.stem not in live:
                    path.unlink(missing_ok=True)
                    gone.append(path)
        return gone

    def remove_stale_temp(self) -> list[Path]:
        """Delete temporary files of writers that no longer run (a killed load's)."""
        return [p for folder in (*(self.root / e for e in ("documents", *FACT_ENTITIES)), self.root / MANIFEST_DIR)
                for p in remove_stale_temp(folder)]

    def remove_facts(self, doc_id: str) -> None:
        for entity in FACT_ENTITIES:
            self.path(entity, doc_id).unlink(missing_ok=True)

    def has_document(self, doc_id: str) -> bool:
        return self.path("documents", doc_id).exists()

    def read(self, entity: str) -> pl.DataFrame:
        files = sorted((self.root / entity).glob("*.parquet"))
        return pl.concat([pl.read_parquet(f, glob=False) for f in files], how="vertical") if files else pl.DataFrame()

    def scan(self, entity: str) -> pl.LazyFrame | None:
        """All documents' rows of one entity, lazily (no whole-corpus list in memory)."""
        # listed here, not globbed by Polars: `[`, `*` or `?` in the warehouse path would be a pattern
        files = sorted(str(path) for path in (self.root / entity).glob("*.parquet"))
        return pl.scan_parquet(files, glob=False) if files else None

    def _entry_path(self, source_path: str) -> Path:
        return self.root / MANIFEST_DIR / f"{_entry_name(source_path)}.json"

    def entry_path(self, source_path: str) -> Path:
        """The manifest entry file of a source path (whether it exists or not)."""
        return self._entry_path(source_path)

    def _read_entry(self, path: Path) -> ManifestEntry | None:
        """The entry in `path`; None when it is gone, or damaged (then noted in damaged_entries)."""
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None  # removed meanwhile (settle forgets files gone from the raw folder)
        except UnicodeDecodeError:
            self.damaged_entries[path] = "not UTF-8 text"
            return None
        try:
            return parse_manifest_entry(text, path.name)
        except ValueError as exc:
            self.damaged_entries[path] = str(exc)
            return None

    def load_manifest_entry(self, source_path: str) -> ManifestEntry | None:
        """The entry of one source path; None when there is none or it is damaged (noted in
        damaged_entries, for the caller to set aside: the file is then extracted as new)."""
        path = self._entry_path(source_path)
        self.damaged_entries.pop(path, None)
        return self._read_entry(path)

    def save_manifest_entry(self, entry: ManifestEntry) -> None:
        """One small file per source file, replaced atomically: documents staged by separate
        processes never overwrite each other's entries."""
        path = self._entry_path(entry.source_path)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = temp_name(path)
        tmp.write_text(json.dumps(asdict(entry), ensure_ascii=False), encoding="utf-8")
        os.chmod(tmp, file_mode())
        os.replace(tmp, path)

    def remove_manifest_entry(self, source_path: str) -> None:
        self._entry_path(source_path).unlink(missing_ok=True)

    def load_manifest(self) -> dict[str, ManifestEntry]:
        """Every usable entry, by source path (relative to the raw folder). An entry file that
        is not a complete entry is left out and listed in `damaged_entries` with the reason:
        its source file then counts as new (extracted again), and whoever holds the load sets
        the file aside (`set_aside`)."""
        self.damaged_entries = {}
        entries = [e for p in sorted((self.root / MANIFEST_DIR).glob("*.json")) if (e := self._read_entry(p))]
        return {e.source_path: e for e in entries}

    def row_stamp(self, doc_id: str) -> list[int] | None:
        """(mtime_ns, size) of a document's staging row file, None when there is none."""
        return self.stamp("documents", doc_id)

    def stamp(self, entity: str, doc_id: str) -> list[int] | None:
        """(mtime_ns, size) of a document's staging file of `entity`, None when there is none."""
        try:
            stat = self.path(entity, doc_id).stat()
        except FileNotFoundError:
            return None
        return [stat.st_mtime_ns, stat.st_size]

    def unreadable(self, entity: str, doc_id: str) -> str | None:
        """Why a document's staging file of `entity` cannot be what dbt reads, or None when it
        reads whole, with the entity's columns, as this document's rows. Reads the whole file
        (a damaged page passes a footer check), so it is called only for files whose stamp
        differs from the one recorded when they were written."""
        return self.check(entity, doc_id)[0]

    def check(self, entity: str, doc_id: str) -> tuple[str | None, os.stat_result | None]:
        """`unreadable`, with the stat of the very file that was read (for `set_aside`)."""
        path = self.path(entity, doc_id)
        try:
            with path.open("rb") as handle:
                stat = os.fstat(handle.fileno())
                try:
                    frame = pl.read_parquet(handle)
                except Exception as exc:  # noqa: BLE001 - whatever Polars says is the reason
                    first = (str(exc).strip().splitlines() or [""])[0]
                    return f"not a readable Parquet file: {type(exc).__name__}: {first}".rstrip(": "), stat
        except FileNotFoundError:
            return "missing", None
        except OSError as exc:
            return f"cannot be read: {exc.strerror or type(exc).__name__}", None
        if set(frame.columns) != set(SCHEMAS[entity]):
            return f"its columns are not those of staging/{entity}", stat
        if frame.height and (frame["doc_id"] != doc_id).any():
            return "it holds rows of another document", stat
        return None, stat

    def problems(self, entry: ManifestEntry) -> list[tuple[Path, str]]:
        """The staging files of an entry's document that are missing or damaged, with why.
        Cheap: a stat per file; a file is read only when its (mtime_ns, size) is not what was
        recorded when it was written (written again since by a byte-identical copy or by
        settling, or damaged: truncated, zero-filled, replaced)."""
        found = []
        for entity, recorded in [("documents", entry.row_stamp), *(entry.stamps or {}).items()]:
            path = self.path(entity, entry.sha256)
            try:
                stat = path.stat()
            except FileNotFoundError:
                found.append((path, "missing"))
                continue
            if recorded is not None and [stat.st_mtime_ns, stat.st_size] == list(recorded):
                continue
            if (why := self.unreadable(entity, entry.sha256)) is not None:
                found.append((path, why))
        return found

    def read_files(self, entity: str, files: list[Path]) -> pl.DataFrame:
        """The rows of the given staging files of `entity`, in one scan. When the scan fails,
        the files are checked one by one: damaged ones are set aside and StagingDamaged names
        them (and the reports they were staged from), so that no reader fails on them without
        a name, again and again; the plan of the next load sees them missing and extracts
        their reports again. Any other failure is raised as it is."""
        try:
            # literal paths: `[`, `*` or `?` in the warehouse path must not be a pattern
            return pl.scan_parquet([str(f) for f in files], glob=False).collect()
        except Exception:
            found = []
            for file in files:
                why, stat = self.check(entity, file.stem)
                if why is not None and why != "missing" and stat is not None:
                    found.append((file, why, self.set_aside(file, why, like=stat)))
            if not found:
                raise
        sources: dict[str, list[str]] = {}
        for entry in self.load_manifest().values():
            sources.setdefault(entry.sha256, []).append(entry.source_path)
        raise StagingDamaged([
            f"{self.shown(file)} (staged from {', '.join(sorted(sources.get(file.stem, ['no file'])))}) "
            f"is damaged ({why}): " + (f"moved to {self.shown(where)}" if where else "could not be moved aside")
            for file, why, where in found])

    def shown(self, path: Path) -> str:
        """A staging path as the summary names it: `staging/line_items/<doc_id>.parquet`."""
        return f"{self.root.name}/{path.relative_to(self.root).as_posix()}"

    def set_aside(self, path: Path, why: str | None = None, like: os.stat_result | None = None) -> Path | None:
        """Move a damaged staging file or manifest entry to `_damaged/` (same sub-folder, the
        UTC time added to its name, `why` in a `.why` file beside it) instead of deleting it;
        returns where it went, None when it was gone already or was not the file found damaged.

        Staging files are only ever replaced by a rename, so a damaged file at its final name
        stays damaged until someone moves or replaces it: moving it is safe at any time. `like`
        is the stat of the file that was found damaged: if a writer replaced it meanwhile (its
        document was staged again), the good file is put back where it was."""
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        relative = path.relative_to(self.root)
        target = self.root / DAMAGED_DIR / relative.parent / f"{path.stem}.{stamp}{path.suffix}"
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.rename(path, target)
        except FileNotFoundError:
            return None
        if like is not None:
            moved = target.stat()
            if (moved.st_dev, moved.st_ino) != (like.st_dev, like.st_ino):
                try:
                    os.link(target, path)  # never over a file written since
                except FileExistsError:
                    pass
                target.unlink()
                return None
        if why:
            target.with_name(target.name + ".why").write_text(why + "\n", encoding="utf-8")
        return target

    def last_set_aside(self, path: Path) -> tuple[Path, str | None] | None:
        """The latest copy of `path` in `_damaged/` and why it was set aside, if there is one:
        a file found missing may have been set aside by a reader that found it damaged."""
        relative = path.relative_to(self.root)
        folder = self.root / DAMAGED_DIR / relative.parent
        copies = sorted(folder.glob(f"{path.stem}.*{path.suffix}")) if folder.is_dir() else []
        if not copies:
            return None
        why = copies[-1].with_name(copies[-1].name + ".why")
        try:
            return copies[-1], why.read_text(encoding="utf-8").strip() or None
        except OSError:
            return copies[-1], None

    def fingerprint(self) -> str:
        """Identity of the staging area's content: what a published warehouse was built from.
        A load whose staging has this fingerprint has nothing new to publish."""
        digest = hashlib.sha256(parser_version().encode())
        for path, entry in sorted(self.load_manifest().items()):
            digest.update(f"{path}\0{entry.sha256}\0{entry.status}\n".encode())
        return digest.hexdigest()[:16]
