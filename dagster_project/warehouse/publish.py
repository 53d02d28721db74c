"""Publishing: the marts of a finished build become the published warehouse in one rename.

The marts are copied from the build file into a fresh file beside the published one, written
in an older storage format so that BI tools bundling DuckDB 1.x can open it, flushed to disk,
and renamed over the published file. A reader holding the old file keeps reading the old,
complete load (the rename does not touch its open inode); a crash before the rename leaves the
previous warehouse as it was. No connection ever opens the published path for writing.

What a killed load leaves is cleared by the next one: temporary warehouse files of processes
that no longer run (their names carry the process id), and build files of other loads once
they are older than BUDGETWH_STALE_HOURS (a live load's build file is never that old; an
abandoned one is only disk space, since every load builds into a file named by its own id).
The Parquet export is written file by file and `marts/_load.json` is written last, naming
the load the export belongs to: a load killed mid-export leaves it naming the previous load
(or missing), and the next run exports again even when nothing else changed.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from dagster_project.faults import crash_point
from dagster_project.files import STALE_SECONDS, file_mode, remove_stale_temp
from dagster_project.staging.store import StagingStore
from dagster_project.warehouse.paths import DBT_PROJECT_DIR, WarehousePaths

# Storage format readable by every DuckDB 1.x client (and 2.x).
STORAGE_VERSION = "v1.0.0"
PUBLISHED_SCHEMAS = ("marts",)


def new_load_id() -> str:
    """Sortable and unique: UTC time of the load plus a random suffix."""
    return f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}"


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _tables(con: duckdb.DuckDBPyConnection, catalog: str, schema: str) -> list[str]:
    rows = con.execute(
        "select table_name from duckdb_tables() where database_name = ? and schema_name = ? order by 1",
        [catalog, schema],
    ).fetchall()
    return [r[0] for r in rows]


def publish(paths: WarehousePaths, load_id: str, summary: dict[str, str | int] | None = None) -> Path:
    """Copy the build's marts into a new file and rename it over the published warehouse."""
    paths.root.mkdir(parents=True, exist_ok=True)
    remove_stale_temp(paths.root)
    tmp = paths.published.with_name(f".{paths.published.name}.{load_id}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    con = duckdb.connect()
    try:
        con.execute("attach ? as build (read_only)", [str(paths.build_file(load_id))])
        con.execute(f"attach ? as pub (storage_version '{STORAGE_VERSION}')", [str(tmp)])
        for schema in PUBLISHED_SCHEMAS:
            con.execute(f"create schema pub.{schema}")
            for table in _tables(con, "build", schema):
                con.execute(f'create table pub.{schema}."{table}" as select * from build.{schema}."{table}"')
        con.execute("create schema pub.meta")
        con.execute(
            "create table pub.meta.load as select ?::varchar as load_id, ?::timestamptz as published_at, "
            "?::json as summary",
            [load_id, datetime.now(UTC), json.dumps(summary or {}, ensure_ascii=False, default=str)],
        )
        con.execute("checkpoint pub")
        con.execute("detach pub")
        con.execute("detach build")
    finally:
        con.close()
    os.chmod(tmp, file_mode())
    _fsync(tmp)
    crash_point("before_publish_rename")
    os.replace(tmp, paths.published)
    _fsync(paths.published.parent)
    crash_point("after_publish_rename")
    return paths.published


def remove_stale_builds(paths: WarehousePaths, keep_load_id: str, now: float | None = None) -> list[Path]:
    """Build files and dbt target folders of other loads, once older than BUDGETWH_STALE_HOURS
    (what a killed load left in build/), and stale temporary files beside the warehouse."""
    removed = remove_stale_temp(paths.root)
    if not paths.build_dir.is_dir():
        return removed
    keep = {paths.build_file(keep_load_id).name, paths.dbt_target(keep_load_id).name}
    cutoff = (now or time.time()) - STALE_SECONDS
    for entry in paths.build_dir.iterdir():
        own = entry.name.startswith(f"{paths.published.stem}.") or entry.name.startswith("dbt-target-")
        if not own or any(entry.name.startswith(k) for k in keep):
            continue
        try:
            if entry.lstat().st_mtime > cutoff:
                continue
        except FileNotFoundError:
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)
        removed.append(entry)
    return removed



def dbt_project_digest() -> str:
    """The warehouse recipe: every file of the dbt project (models, tests, seeds, macros) and the
    classification catalogs it seeds. Editing any of them makes the next load rebuild."""
    digest = hashlib.sha256()
    roots = (DBT_PROJECT_DIR, DBT_PROJECT_DIR.parent / "dagster_project" / "catalogs")
    for root in roots:
        for path in sorted(root.rglob("*")):
            if path.is_file() and path.suffix in (".sql", ".yml", ".yaml", ".csv", ".md") \
                    and "target" not in path.relative_to(root).parts and "logs" not in path.relative_to(root).parts:
                digest.update(path.relative_to(root).as_posix().encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def inputs_fingerprint(store: StagingStore) -> str:
    """What a published warehouse was built from: the staged content and the dbt project."""
    return f"{store.fingerprint()}-{dbt_project_digest()}"


def published_fingerprint(published: Path) -> str | None:
    """The inputs fingerprint recorded in the published file, or None (no file, older format)."""
    if not published.exists():
        return None
    try:
        with duckdb.connect(str(published), read_only=True) as con:
            (summary,) = con.execute("select summary from meta.load").fetchone()
    except duckdb.Error:
        return None
    return json.loads(summary).get("inputs_fingerprint")


EXPORT_MARKER = "_load.json"


def _sql_string(text: str) -> str:
    """A SQL string literal (DuckDB's COPY takes no parameter for its file name)."""
    return "'" + text.replace("'", "''") + "'"


def export_parquet(paths: WarehousePaths) -> list[Path]:
    """Every mart as `marts/<name>.parquet` beside the warehouse, for tools that prefer files.
    Each file is written under a temporary name and renamed; each row carries its load_id.
    `marts/_load.json` names the load once every file is in place."""
    paths.parquet_dir.mkdir(parents=True, exist_ok=True)
    remove_stale_temp(paths.parquet_dir)
    written = []
    with duckdb.connect(str(paths.published), read_only=True) as con:
        (load_id,) = con.execute("select load_id from meta.load").fetchone()
        for table in _tables(con, paths.published.stem, "marts"):
            target = paths.parquet_dir / f"{table}.parquet"
            tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
            con.execute(f'copy marts."{table}" to {_sql_string(str(tmp))} (format parquet)')
            os.chmod(tmp, file_mode())
            os.replace(tmp, target)
            written.append(target)
            crash_point("mid_parquet_export")
    for stale in paths.parquet_dir.glob("*.parquet"):
        if stale not in written:
            stale.unlink()
    marker = paths.parquet_dir / EXPORT_MARKER
    tmp = marker.with_name(f".{marker.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps({"load_id": load_id, "files": [p.name for p in written]}), encoding="utf-8")
    os.chmod(tmp, file_mode())
    os.replace(tmp, marker)
    return written


def exported_load_id(paths: WarehousePaths) -> str | None:
    """The load the Parquet export is complete for, or None (none, or cut short)."""
    try:
        return json.loads((paths.parquet_dir / EXPORT_MARKER).read_text(encoding="utf-8")).get("load_id")
    except (OSError, ValueError):
        return None


def published_load_id(published: Path) -> str | None:
    """The load_id of the published warehouse (meta.load), or None when it cannot be read."""
    if not published.exists():
        return None
    try:
        with duckdb.connect(str(published), read_only=True) as con:
            return con.execute("select load_id from meta.load").fetchone()[0]
    except duckdb.Error:
        return None
