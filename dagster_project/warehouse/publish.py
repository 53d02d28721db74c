"""Publishing: the marts of a finished build become the published warehouse in one rename.

The marts are copied from the build file into a fresh file beside the published one, written
in an older storage format so that BI tools bundling DuckDB 1.x can open it, flushed to disk,
and renamed over the published file. A reader holding the old file keeps reading the old,
complete load (the rename does not touch its open inode); a crash before the rename leaves the
previous warehouse as it was. No connection ever opens the published path for writing.
"""

from __future__ import annotations

import json
import os
import uuid
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from dagster_project.warehouse.paths import WarehousePaths

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
    tmp = paths.published.with_name(f".{paths.published.name}.{load_id}.tmp")
    tmp.unlink(missing_ok=True)
    con = duckdb.connect()
    try:
        con.execute("attach ? as build (read_only)", [str(paths.build_file)])
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
    os.chmod(tmp, 0o644)
    _fsync(tmp)
    os.replace(tmp, paths.published)
    _fsync(paths.published.parent)
    return paths.published

