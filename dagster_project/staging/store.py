"""The staging area on disk: `<warehouse dir>/staging/<entity>/<doc_id>.parquet` plus the
content-hash manifest that decides what needs re-extraction.

Each file is written to a temporary name and renamed into place, so a crash never leaves a
half-written Parquet file for dbt to read. The manifest lives here, not in the Dagster
instance, so a fresh machine or an ephemeral instance makes the same decisions.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
from dataclasses import asdict, dataclass
from functools import cache
from pathlib import Path

import polars as pl

from dagster_project.staging.normalize import FACT_ENTITIES, SCHEMAS

MANIFEST_DIR = "manifest"
_PACKAGE = Path(__file__).resolve().parent.parent


@cache
def parser_version() -> str:
    """A digest of the code and data that turn bytes into staging rows. Changing a reader, the
    interpreter or a catalog changes it, so every document is re-extracted by the next run
    without anyone remembering to bump a number."""
    digest = hashlib.sha256()
    for folder in ("readers", "parsing", "catalogs", "staging"):
        for path in sorted((_PACKAGE / folder).rglob("*")):
            if path.suffix in (".py", ".csv") and path.is_file():
                digest.update(path.relative_to(_PACKAGE).as_posix().encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


@cache
def _empty_parquet(entity: str) -> bytes:
    """The bytes of an entity's empty staging file, made once: writing a Parquet file costs the
    same fixed ~1 ms however few rows it has, and an empty one is always the same file."""
    buffer = io.BytesIO()
    pl.DataFrame(schema=SCHEMAS[entity]).write_parquet(buffer)
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

    def __post_init__(self) -> None:
        self.parser_version = self.parser_version or parser_version()


class StagingStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, entity: str, doc_id: str) -> Path:
        return self.root / entity / f"{doc_id}.parquet"

    def write(self, entity: str, doc_id: str, frame: pl.DataFrame) -> None:
        target = self.path(entity, doc_id)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.tmp")
        if frame.height == 0 and entity in SCHEMAS and frame.schema == pl.Schema(SCHEMAS[entity]):
            tmp.write_bytes(_empty_parquet(entity))  # most documents have no unparsed cells, many no projects
        else:
            frame.write_parquet(tmp)
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)

    def ensure_schemas(self) -> None:
        """An empty `_schema.parquet` in every entity folder: dbt's sources glob the folder,
        and a corpus without a single project table must still give an (empty) projects source."""
        for entity, schema in SCHEMAS.items():
            self.write(entity, "_schema", pl.DataFrame(schema=schema))

    def remove(self, doc_id: str) -> None:
        for entity in ("documents", *FACT_ENTITIES):
            self.path(entity, doc_id).unlink(missing_ok=True)

    def remove_facts(self, doc_id: str) -> None:
        for entity in FACT_ENTITIES:
            self.path(entity, doc_id).unlink(missing_ok=True)

    def has_document(self, doc_id: str) -> bool:
        return self.path("documents", doc_id).exists()

    def read(self, entity: str) -> pl.DataFrame:
        files = sorted((self.root / entity).glob("*.parquet"))
        return pl.concat([pl.read_parquet(f) for f in files], how="vertical") if files else pl.DataFrame()

    def scan(self, entity: str) -> pl.LazyFrame | None:
        """All documents' rows of one entity, lazily (no whole-corpus list in memory)."""
        if not any((self.root / entity).glob("*.parquet")):
            return None
        return pl.scan_parquet(self.root / entity / "*.parquet")

    def _entry_path(self, source_path: str) -> Path:
        name = hashlib.sha1(source_path.encode("utf-8")).hexdigest()
        return self.root / MANIFEST_DIR / f"{name}.json"

    def load_manifest_entry(self, source_path: str) -> ManifestEntry | None:
        path = self._entry_path(source_path)
        if not path.exists():
            return None
        return ManifestEntry(**json.loads(path.read_text(encoding="utf-8")))

    def save_manifest_entry(self, entry: ManifestEntry) -> None:
        """One small file per source file, replaced atomically: documents staged by separate
        processes never overwrite each other's entries."""
        path = self._entry_path(entry.source_path)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(asdict(entry), ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, path)

    def remove_manifest_entry(self, source_path: str) -> None:
        self._entry_path(source_path).unlink(missing_ok=True)

    def load_manifest(self) -> dict[str, ManifestEntry]:
        """Every entry, by source path (relative to the raw folder)."""
        folder = self.root / MANIFEST_DIR
        entries = [ManifestEntry(**json.loads(p.read_text(encoding="utf-8"))) for p in sorted(folder.glob("*.json"))]
        return {e.source_path: e for e in entries}

    def row_stamp(self, doc_id: str) -> list[int] | None:
        """(mtime_ns, size) of a document's staging row file, None when there is none."""
        try:
            stat = self.path("documents", doc_id).stat()
        except FileNotFoundError:
            return None
        return [stat.st_mtime_ns, stat.st_size]

    def staged_documents(self) -> set[str]:
        """doc_ids with a staging row (a directory listing, no file read)."""
        folder = self.root / "documents"
        if not folder.is_dir():
            return set()
        return {p.name[: -len(".parquet")] for p in folder.iterdir()
                if p.name.endswith(".parquet") and not p.name.startswith((".", "_"))}

    def fingerprint(self) -> str:
        """Identity of the staging area's content: what a published warehouse was built from.
        A load whose staging has this fingerprint has nothing new to publish."""
        digest = hashlib.sha256(parser_version().encode())
        for path, entry in sorted(self.load_manifest().items()):
            digest.update(f"{path}\0{entry.sha256}\0{entry.status}\n".encode())
        return digest.hexdigest()[:16]
