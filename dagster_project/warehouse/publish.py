"""Publishing: the marts of a finished build become the published warehouse in one rename.

The marts are copied from the build file into a fresh file beside the published one, written
in an older storage format so that BI tools bundling DuckDB 1.x can open it, flushed to disk,
and renamed over the published file. A reader holding the old file keeps reading the old,
complete load (the rename does not touch its open inode); a crash before the rename leaves the
previous warehouse as it was. No connection of ours ever opens the published path for writing.

Nothing but a load may change the published data, and a BI user may still open the file
read-write (`duckdb budget.duckdb`): a session that edits and dies leaves `budget.duckdb.wal`
beside it, which every later read-only open replays (its deletions and scratch tables appear
to every reader, whatever file is published next); one that closes cleanly writes its edits
into the file. So each publish records what it published (load id, inputs fingerprint, size,
inode, times and sha256) in `.budget.duckdb.published.json` beside it, and every load checks
the published file against that record first (`check_published`): a stale write-ahead log is
moved aside into `build/foreign-edits/` (the file is then byte for byte what the load
published: it is verified by its sha256), and a file that differs from its record is not
what a load published, so the load is not a no-op and publishes again. The check costs a
stat when nothing happened; the sha256 (about 0.2 s per 100 MB here) is computed when the
file is written and when its stat no longer matches.

DuckDB takes a POSIX lock on the database file: shared for a read-only connection, exclusive
for a read-write one. A read-write session must not be published over (its write-ahead log
would land beside the new file), so the rename happens under a shared lock of our own: taken
only when no read-write session holds the file, and holding off a new one for the instant of
the rename. A load waits for a live session up to BUDGETWH_LOCK_TIMEOUT_SECONDS and then
refuses to publish (`PublishRefused`; `budgetwh run` exits 75, the published file as it was).

What a killed or failed load leaves is cleared by the next one: temporary warehouse files of
processes that no longer run (their names carry the process id), and build files of other
loads (`remove_stale_builds`): all of them when the caller holds the warehouse lock for a
whole load (no other load can be live then), otherwise once they are older than
BUDGETWH_STALE_HOURS or their run has finished. A failed load deletes its own build file
(`dbt_build.discard_build`) and keeps its dbt target folder for diagnosis.
The Parquet export is written file by file from the build file (never from the published
file, which a foreign session could have touched), and `marts/_load.json` is written last,
naming the load the export belongs to: a load killed mid-export leaves it naming the previous
load (or missing), and the next run exports again even when nothing else changed.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import json
import os
import shutil
import struct
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import psutil

from dagster_project.faults import crash_point, fail_point
from dagster_project.files import STALE_SECONDS, file_mode, remove_stale_temp
from dagster_project.staging.store import StagingStore
from dagster_project.warehouse.lock import DEFAULT_TIMEOUT_SECONDS, TIMEOUT_ENV
from dagster_project.warehouse.paths import DBT_PROJECT_DIR, WarehousePaths

Notify = Callable[[str], None]

# Storage format readable by every DuckDB 1.x client (and 2.x).
STORAGE_VERSION = "v1.0.0"
PUBLISHED_SCHEMAS = ("marts",)


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


class PublishRefused(RuntimeError):
    """The published file is open read-write by another process and stayed open: not published."""


RECORD_SUFFIX = ".published.json"
FOREIGN_DIR = "foreign-edits"
KEEP_FOREIGN = 10  # write-ahead logs set aside, newest first, kept for whoever wants to know what was edited


def record_path(paths: WarehousePaths) -> Path:
    """`.budget.duckdb.published.json` beside the published file: what the last load published."""
    return paths.published.with_name(f".{paths.published.name}{RECORD_SUFFIX}")


def wal_path(published: Path) -> Path:
    """Where DuckDB keeps the write-ahead log of a read-write session on `published`."""
    return published.with_name(published.name + ".wal")


def foreign_dir(paths: WarehousePaths) -> Path:
    """Where write-ahead logs of foreign read-write sessions are moved (build/foreign-edits)."""
    return paths.build_dir / FOREIGN_DIR


def file_sha256(path: Path) -> str:
    with path.open("rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


def file_identity(path: Path) -> dict[str, int]:
    """What a stat says about a file: any write through the file system changes mtime and ctime."""
    st = path.stat()
    return {"size": st.st_size, "inode": st.st_ino, "mtime_ns": st.st_mtime_ns, "ctime_ns": st.st_ctime_ns}


_STAT_KEYS = ("size", "inode", "mtime_ns", "ctime_ns")


def read_record(paths: WarehousePaths) -> dict[str, Any] | None:
    """The record of the last publish: {"current": entry, "pending": entry or None}, or None."""
    try:
        record = json.loads(record_path(paths).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return record if isinstance(record, dict) else None


def _write_record(paths: WarehousePaths, record: dict[str, Any]) -> None:
    target = record_path(paths)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(record, indent=1), encoding="utf-8")
    os.chmod(tmp, file_mode())
    os.replace(tmp, target)


_FLOCK = struct.Struct("hhqqi4x")  # struct flock on Linux (64-bit off_t): type, whence, start, len, pid


def _writer_pid(fd: int) -> int | None:
    """The process holding a POSIX write lock on the file of `fd` (a DuckDB read-write session),
    asked with F_GETLK, which takes no lock itself."""
    reply = fcntl.fcntl(fd, fcntl.F_GETLK, _FLOCK.pack(fcntl.F_RDLCK, os.SEEK_SET, 0, 0, 0))
    kind, _, _, _, pid = _FLOCK.unpack(reply)
    return None if kind == fcntl.F_UNLCK else pid


def read_write_holder(published: Path) -> int | None:
    """The pid of a process that has `published` open read-write through DuckDB, or None.

    Careful: a POSIX lock belongs to the process, and closing any descriptor of a file drops
    all of the process's locks on it; never call this while this process holds a DuckDB
    connection or `no_read_write_session` on the same file."""
    try:
        fd = os.open(published, os.O_RDONLY)
    except FileNotFoundError:
        return None
    try:
        return _writer_pid(fd)
    finally:
        os.close(fd)


def describe_process(pid: int | None) -> str:
    """`pid 4242 (duckdb budget.duckdb)`, as far as it can be told."""
    if pid is None:
        return "a process (it closed the file just now)"
    try:
        command = " ".join(psutil.Process(pid).cmdline()[:3])
    except (psutil.Error, OSError):
        command = ""
    return f"pid {pid}" + (f" ({command})" if command else "")


@contextmanager
def no_read_write_session(published: Path, timeout: float, notify: Notify | None = None) -> Iterator[None]:
    """While inside, no process has `published` open read-write and none can open it so.

    A shared POSIX lock on the file, as a DuckDB read-only connection takes: readers are not
    disturbed, a read-write open fails for that instant. Waits up to `timeout` seconds for a
    live read-write session to end (saying so once through `notify`), then raises
    `PublishRefused`. Nothing to hold when no file is published yet."""
    try:
        fd = os.open(published, os.O_RDONLY)
    except FileNotFoundError:
        fd = None
    try:
        deadline = time.monotonic() + timeout
        told = False
        while fd is not None:
            try:
                fcntl.lockf(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES):
                    raise
            who = describe_process(_writer_pid(fd))
            if not told and notify is not None:
                notify(f"waiting for {who} to close {published}: it is open read-write, and publishing over it "
                       f"would put that session's write-ahead log beside the new file (giving up after "
                       f"{timeout:g} s, {TIMEOUT_ENV})")
            told = True
            if time.monotonic() >= deadline:
                raise PublishRefused(
                    f"not published: {published} is open read-write by {who} and stayed open for {timeout:g} s "
                    f"({TIMEOUT_ENV}); publishing over a read-write session would put its write-ahead log beside "
                    "the new file. The published warehouse is as it was; let that session close (BI tools: open "
                    "the warehouse read-only) and run again")
            time.sleep(max(0.01, min(0.25, deadline - time.monotonic())))
        yield
    finally:
        if fd is not None:
            os.close(fd)  # drops the shared lock


def set_aside_stale_wal(paths: WarehousePaths) -> Path | None:
    """Move a write-ahead log beside the published file into build/foreign-edits/, timestamped.

    The caller holds `no_read_write_session`, so the log belongs to a session that is gone: no
    load writes one (nothing of ours opens the published file read-write), and every reader
    would replay it. Its edits were never part of a load; it is kept for whoever wants to see
    them (the newest KEEP_FOREIGN are kept). Returns where it went, or None when there was none."""
    wal = wal_path(paths.published)
    if not wal.exists():
        return None
    target_dir = foreign_dir(paths)
    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / f"{wal.name}.{datetime.now(UTC):%Y%m%dT%H%M%S%fZ}"
    try:
        os.replace(wal, target)
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise
        shutil.move(wal, target)
    try:
        os.chmod(target, file_mode())
    except PermissionError:  # another user's session: its mode stays as it was
        pass
    _fsync(paths.published.parent)
    crash_point("stale_wal_moved")
    for old in sorted(target_dir.iterdir(), key=lambda p: p.name, reverse=True)[KEEP_FOREIGN:]:
        old.unlink(missing_ok=True)
    return target


@dataclass
class PublishedCheck:
    """The published file against the record of the load that published it."""

    modified: str | None = None  # why it is not what a load published (None: it is, or nothing is published)
    wal_set_aside: Path | None = None  # where a dead session's write-ahead log was moved
    writer_pid: int | None = None  # a live read-write session on it
    record: dict[str, Any] | None = None  # the record entry the file matches (None: no match, or no file)


def _describe_change(current: dict[str, Any] | None, now: dict[str, int]) -> str:
    if not current:
        return "nothing records what the last load published (a warehouse published by an older version)"
    when = datetime.fromtimestamp(now["mtime_ns"] / 1e9, UTC)
    return (f"it changed after load {current.get('load_id')} published it ({current.get('size')} bytes then, "
            f"{now['size']} now, last written {when:%Y-%m-%d %H:%M:%S} UTC): something other than a load "
            "wrote to it (a read-write session?)")


def check_published(paths: WarehousePaths, repair: bool = False) -> PublishedCheck:
    """Whether the published file is exactly what the last load published.

    Costs a stat when nothing happened; the file's sha256 only when its stat differs from the
    record (a copy, a chmod, a load killed between its rename and its record). With `repair`
    (the caller holds the warehouse lock) a stale write-ahead log is set aside first, and the
    record is brought up to date when the content is the recorded one."""
    published = paths.published
    check = PublishedCheck()
    if not published.exists():
        return check
    check.writer_pid = read_write_holder(published)
    wal = wal_path(published)
    if wal.exists() and repair and check.writer_pid is None:
        try:
            with no_read_write_session(published, timeout=0):
                check.wal_set_aside = set_aside_stale_wal(paths)
        except PublishRefused:  # a session opened it just now: the load will wait for it to publish
            check.writer_pid = read_write_holder(published)
    if wal.exists():
        check.modified = (f"{describe_process(check.writer_pid)} has it open read-write (with edits in {wal.name})"
                          if check.writer_pid is not None else
                          f"{wal.name} beside it holds the edits of a read-write session that did not close, "
                          "and every reader replays them")
        return check
    record = read_record(paths) or {}
    current = record.get("current") if isinstance(record.get("current"), dict) else None
    now = file_identity(published)
    if current and all(current.get(k) == now[k] for k in _STAT_KEYS):
        check.record = current
        return check
    digest = file_sha256(published)
    for key in ("current", "pending"):
        entry = record.get(key)
        if isinstance(entry, dict) and entry.get("sha256") == digest:
            check.record = entry
            if repair:
                _write_record(paths, {"current": {**entry, **file_identity(published)}, "pending": None})
            return check
    check.modified = _describe_change(current, now)
    return check


def _copy_comments(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> None:
    """Carry the build table's comments (dbt's descriptions, persisted by `persist_docs`) over to
    its published copy: `create table … as select` copies rows and types, not comments, and the
    comments are what a BI tool shows beside each table and column."""
    rows = con.execute(
        "select comment from duckdb_tables() where database_name = 'build' and schema_name = ? and table_name = ?",
        [schema, table],
    ).fetchall()
    if rows and rows[0][0]:
        con.execute(f'comment on table pub.{schema}."{table}" is {_sql_string(rows[0][0])}')
    for column, comment in con.execute(
        "select column_name, comment from duckdb_columns() where database_name = 'build' and schema_name = ? "
        "and table_name = ? and comment is not null and comment <> '' order by column_index",
        [schema, table],
    ).fetchall():
        quoted = '"' + column.replace('"', '""') + '"'
        con.execute(f'comment on column pub.{schema}."{table}".{quoted} is {_sql_string(comment)}')


def _copy_marts(build: Path, tmp: Path, load_id: str, summary: dict[str, str | int] | None) -> None:
    con = duckdb.connect()
    try:
        con.execute("attach ? as build (read_only)", [str(build)])
        con.execute(f"attach ? as pub (storage_version '{STORAGE_VERSION}')", [str(tmp)])
        for schema in PUBLISHED_SCHEMAS:
            con.execute(f"create schema pub.{schema}")
            for table in _tables(con, "build", schema):
                con.execute(f'create table pub.{schema}."{table}" as select * from build.{schema}."{table}"')
                _copy_comments(con, schema, table)
                fail_point("publish_copy", tmp)
        con.execute("create schema pub.meta")
        con.execute(
            "create table pub.meta.load as select ?::varchar as load_id, ?::timestamptz as published_at, "
            "?::json as summary",
            [load_id, datetime.now(UTC), json.dumps(summary or {}, ensure_ascii=False, default=str)],
        )
        con.execute("comment on table pub.meta.load is 'The load this file holds: its id (every mart row carries "
                    "it), when it was published, and the run summary (documents by status, findings, timings).'")
        con.execute("checkpoint pub")
        con.execute("detach pub")
        con.execute("detach build")
    finally:
        con.close()


def publish(paths: WarehousePaths, load_id: str, summary: dict[str, str | int] | None = None,
            notify: Notify | None = None, timeout: float | None = None,
            stale_seconds: float = STALE_SECONDS) -> Path:
    """Copy the build's marts into a new file and rename it over the published warehouse.

    Never over a live read-write session (waits up to `timeout`: the entry point's
    Settings.lock_timeout_seconds, BUDGETWH_LOCK_TIMEOUT_SECONDS; then `PublishRefused`); a dead session's write-ahead log is
    set aside first, or every reader would replay it over the new file. What is published is
    recorded (`record_path`) before the rename as pending, and after it as current, so that a
    kill between the two still leaves a record the file matches."""
    build = paths.build_file(load_id)
    if not build.exists():
        raise FileNotFoundError(f"cannot publish load {load_id}: its build file {build} is gone (removed by "
                                "another load holding the warehouse lock?); the published warehouse is unchanged")
    paths.root.mkdir(parents=True, exist_ok=True)
    remove_stale_temp(paths.root, stale_seconds)
    tmp = paths.published.with_name(f".{paths.published.name}.{load_id}.{os.getpid()}.tmp")
    tmp.unlink(missing_ok=True)
    limit = DEFAULT_TIMEOUT_SECONDS if timeout is None else timeout
    try:
        _copy_marts(build, tmp, load_id, summary)
        os.chmod(tmp, file_mode())
        _fsync(tmp)
        entry = {"load_id": load_id, "inputs_fingerprint": (summary or {}).get("inputs_fingerprint"),
                 "sha256": file_sha256(tmp), "published_at": f"{datetime.now(UTC):%Y-%m-%dT%H:%M:%SZ}"}
        with no_read_write_session(paths.published, limit, notify):
            if (moved := set_aside_stale_wal(paths)) is not None and notify is not None:
                notify(f"{wal_path(paths.published).name} was left beside the published file by a read-write "
                       f"session that did not close: moved to {moved}")
            previous = read_record(paths) or {}
            _write_record(paths, {"current": previous.get("current"), "pending": entry})
            crash_point("before_publish_rename")
            os.replace(tmp, paths.published)
        _fsync(paths.published.parent)
        _write_record(paths, {"current": {**entry, **file_identity(paths.published)}, "pending": None})
    except BaseException:
        for leftover in (tmp, wal_path(tmp)):
            leftover.unlink(missing_ok=True)
        raise
    crash_point("after_publish_rename")
    return paths.published


def _build_load_id(paths: WarehousePaths, name: str) -> str | None:
    """The load id of a build file's name (`budget.<load_id>.duckdb[.wal]`), or None."""
    prefix = f"{paths.published.stem}."
    for suffix in (".duckdb", ".duckdb.wal"):
        if name.startswith(prefix) and name.endswith(suffix) and len(name) > len(prefix) + len(suffix):
            return name[len(prefix):-len(suffix)]
    return None


def _size(path: Path) -> int:
    try:
        if path.is_dir() and not path.is_symlink():
            return sum(p.lstat().st_size for p in path.rglob("*"))
        return path.lstat().st_size
    except OSError:
        return 0


def remove_stale_builds(paths: WarehousePaths, keep_load_id: str | None, exclusive: bool = False,
                        is_live: Callable[[str], bool] | None = None,
                        now: float | None = None, stale_seconds: float = STALE_SECONDS) -> list[tuple[Path, int]]:
    """Remove what other loads left in build/ and stale temporary files beside the warehouse;
    returns each removed path with its size in bytes.

    Build files (`budget.<load>.duckdb`, its .wal): with `exclusive` (the caller holds the
    warehouse lock for a whole load, so no other load can be live) every one but
    `keep_load_id`'s, whatever its age, so that after a full disk the next load finds the
    space again; otherwise those older than `stale_seconds` (BUDGETWH_STALE_HOURS), or whose run `is_live` says
    has ended. dbt target folders (small; a failed load's log and results) once older than
    BUDGETWH_STALE_HOURS."""
    sizes = {p: _size(p) for p in paths.root.glob(".*tmp*")} if paths.root.is_dir() else {}
    removed = [(p, sizes.get(p, 0)) for p in remove_stale_temp(paths.root, stale_seconds)]
    if not paths.build_dir.is_dir():
        return removed
    keep = {paths.build_file(keep_load_id).name, paths.dbt_target(keep_load_id).name} if keep_load_id else set()
    cutoff = (now or time.time()) - stale_seconds
    for entry in paths.build_dir.iterdir():
        if any(entry.name.startswith(k) for k in keep):
            continue
        load_id = _build_load_id(paths, entry.name)
        if load_id is None and not entry.name.startswith("dbt-target-"):
            continue
        try:
            old = entry.lstat().st_mtime <= cutoff
        except FileNotFoundError:
            continue
        if load_id is not None:
            if not (exclusive or old or (is_live is not None and not is_live(load_id))):
                continue
        elif not old:
            continue
        size = _size(entry)
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            entry.unlink(missing_ok=True)
        removed.append((entry, size))
    return removed


def has_abandoned_builds(paths: WarehousePaths) -> bool:
    """Whether build/ holds a build file: a load that is not running left it (killed, or from
    before this version), and only a load holding the lock may remove it. The lock-free no-op
    check sends such a run to the locked path, so that a quiet night frees the space too."""
    if not paths.build_dir.is_dir():
        return False
    return any(_build_load_id(paths, entry.name) is not None for entry in paths.build_dir.iterdir())


LOW_SPACE_BYTES = 1 << 30


def low_disk_space(paths: WarehousePaths) -> int | None:
    """Free bytes on the warehouse's file system when they are short (under 1 GiB, or under
    three times the published file: a load needs room for a build file and a copy), else None."""
    try:
        free = shutil.disk_usage(paths.root).free
        published = paths.published.stat().st_size if paths.published.exists() else 0
    except OSError:
        return None
    return free if free < max(LOW_SPACE_BYTES, 3 * published) else None


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


def export_parquet(paths: WarehousePaths, source: Path | None = None, load_id: str | None = None) -> list[Path]:
    """Every mart as `marts/<name>.parquet` beside the warehouse, for tools that prefer files.
    Each file is written under a temporary name and renamed; each row carries its load_id.
    `marts/_load.json` names the load once every file is in place.

    `source` is the load's build file when the load has just published it (with `load_id`):
    the published file itself may already be open to someone else, and only the build is
    certainly the load's own. Without it the published file is read (re-exporting a load cut
    short), which the caller has checked against its record first."""
    paths.parquet_dir.mkdir(parents=True, exist_ok=True)
    remove_stale_temp(paths.parquet_dir)
    written = []
    with duckdb.connect(str(source or paths.published), read_only=True) as con:
        if load_id is None:
            (load_id,) = con.execute("select load_id from meta.load").fetchone()
        (catalog,) = con.execute("select current_database()").fetchone()
        for table in _tables(con, catalog, "marts"):
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
