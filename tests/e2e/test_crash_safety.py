"""Crash safety and idempotency: `budgetwh run` killed with SIGKILL at every crash point.

One story, told by a module fixture (each step a `budgetwh run` subprocess, as cron would run
it, under umask 000 and with a quote and a space in the warehouse path):

0. a clean load of a small corpus (a sample, three made-up reports, a GBK copy of one) is the
   published warehouse L0;
1. staging is wiped and a byte-identical copy of one report is added (the only manual acts in
   the story: they give the next runs work to do without changing what the marts must hold,
   and make them the "run from a wiped staging area" of the idempotency check); then the load is killed
   at each crash point of `dagster_project.faults.CRASH_POINTS` in pipeline order, every run
   picking up where the killed one left off, with no clean-up by anyone. Two kills come with
   trouble of their own: before the first, a BI user's read-write session on the published file
   deletes rows, adds a scratch table and is SIGKILLed, leaving `budget.duckdb.wal` (which every
   reader replays); the load is killed right after moving it aside. Before `publish_failed`,
   build files of killed loads fill build/ (made just now: not stale by age), and the disk
   "fills up" while publishing (BUDGETWH_FAIL_AT=publish_copy, an OSError ENOSPC); the load is
   killed before it removes its build file, and the next run fails on the full disk once more,
   without the kill, then the runs after it go on;
2. after each kill the published warehouse is inspected: it must open, carry one load_id in
   every mart and meta.load, hold no table of the BI session, and be L0 until a kill after the
   publishing rename, then the new load; staging must never hold an unreadable Parquet file;
3. plain runs then recover what the kills left (an incomplete Parquet export, temporary files,
   orphan Parquet, abandoned build files) and a `--force` run rebuilds: the marts of every
   complete load are identical (a digest of each mart's sorted rows, load_id aside).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import stat
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl
import pytest

from dagster_project.faults import AFTER_ENV, CRASH_ENV, CRASH_POINTS, FAIL_ENV
from dagster_project.staging.store import StagingStore
from dagster_project.warehouse.paths import WarehousePaths
from dagster_project.warehouse.publish import exported_load_id, foreign_dir, wal_path

from tests.badinputs.generate import mini_report
from tests.conftest import RAW

# (crash point, BUDGETWH_CRASH_AFTER, extra arguments, extra environment), in the order a load passes them
FULL_DISK = {FAIL_ENV: "publish_copy"}
KILLS = [
    ("stale_wal_moved", 1, [], {}),
    ("document_staged", 1, [], {}),
    ("staging_parquet_written", 1, [], {}),
    ("before_manifest_entry", 1, [], {}),
    ("before_settle", 1, [], {}),
    ("settle_restamped", 1, [], {}),
    ("before_dbt", 1, [], {}),
    ("inside_dbt", 10, [], {}),
    ("publish_failed", 1, [], FULL_DISK),
    ("before_publish_rename", 1, [], {}),
    ("after_publish_rename", 1, [], {}),
    ("mid_parquet_export", 3, ["--force"], {}),
]

# A BI user's read-write session on the published file, SIGKILLed after its edits.
BI_SESSION = """
import os, signal, sys, duckdb
con = duckdb.connect(sys.argv[1])
con.execute("delete from marts.fct_expenditure where amount_yuan > 0")
con.execute("create table main.scratch as select 42 as answer")
os.kill(os.getpid(), signal.SIGKILL)
"""
PUBLISHED_BY_THE_KILLED_RUN = {"after_publish_rename", "mid_parquet_export"}


@dataclass
class State:
    """What a reader and the next run find after a step."""

    returncode: int
    stdout: str
    load_id: str | None  # meta.load of the published file
    mart_load_ids: set[str]  # every load_id found in any mart
    digest: str | None  # the marts' rows, load_id aside
    open_error: str | None
    unreadable_parquet: list[str]
    staging_temp: list[str]
    warehouse_temp: list[str]
    orphans: list[str]  # staged documents no manifest entry names
    manifest: dict[str, str]  # source path -> doc_id
    build: list[str]
    exported: str | None  # the load the Parquet export is complete for
    export_load_ids: set[str] = field(default_factory=set)
    other_tables: list[str] = field(default_factory=list)  # tables outside marts and meta (a user's)
    wal_beside: bool = False  # a write-ahead log beside the published file
    foreign: list[str] = field(default_factory=list)  # build/foreign-edits: write-ahead logs set aside
    fct_expenditure_parquet_rows: int | None = None
    seconds: float = 0.0


def marts_digest(con: duckdb.DuckDBPyConnection) -> str:
    digest = hashlib.sha256()
    tables = [r[0] for r in con.execute("select table_name from duckdb_tables() where schema_name = 'marts' "
                                        "order by 1").fetchall()]
    for table in tables:
        columns = [r[0] for r in con.execute(
            "select column_name from duckdb_columns() where schema_name = 'marts' and table_name = ? "
            "and column_name <> 'load_id' order by column_index", [table]).fetchall()]
        rows = con.execute(f'select {", ".join(chr(34) + c + chr(34) for c in columns)} from marts."{table}" '
                           "order by all").fetchall()
        digest.update(f"{table}:{columns}:{rows!r}\n".encode())
    return digest.hexdigest()


def inspect(paths: WarehousePaths, proc: subprocess.CompletedProcess) -> State:
    load_id, mart_ids, digest, error, other = None, set(), None, None, []
    try:
        with duckdb.connect(str(paths.published), read_only=True) as con:
            (load_id,) = con.execute("select load_id from meta.load").fetchone()
            for (table,) in con.execute("select table_name from duckdb_tables() where schema_name = 'marts'").fetchall():
                mart_ids |= {r[0] for r in con.execute(f'select distinct load_id from marts."{table}"').fetchall()}
            digest = marts_digest(con)
            other = sorted(f"{s}.{t}" for s, t in con.execute(
                "select schema_name, table_name from duckdb_tables() where schema_name not in ('marts', 'meta')"
            ).fetchall())
    except Exception as exc:  # noqa: BLE001 - recorded, asserted by the tests
        error = f"{type(exc).__name__}: {exc}"
    unreadable = []
    for path in sorted(paths.staging.rglob("*.parquet")):
        try:
            pl.read_parquet(path)
        except Exception:  # noqa: BLE001
            unreadable.append(str(path.relative_to(paths.staging)))
    store = StagingStore(paths.staging)
    manifest = {p: e.sha256 for p, e in store.load_manifest().items()}
    staged = {p.stem for p in (paths.staging / "documents").glob("*.parquet")} - {"_schema"}
    export_ids: set[str] = set()
    for path in paths.parquet_dir.glob("*.parquet"):
        export_ids |= set(pl.read_parquet(path, columns=["load_id"])["load_id"].unique().to_list())
    return State(
        returncode=proc.returncode, stdout=proc.stdout + proc.stderr, load_id=load_id, mart_load_ids=mart_ids,
        digest=digest, open_error=error, unreadable_parquet=unreadable,
        staging_temp=sorted(str(p.relative_to(paths.staging)) for p in paths.staging.rglob(".*tmp*")),
        warehouse_temp=sorted(p.name for p in paths.root.glob(".*tmp*")),
        orphans=sorted(staged - set(manifest.values())), manifest=manifest,
        build=sorted(p.name for p in paths.build_dir.iterdir()) if paths.build_dir.exists() else [],
        exported=exported_load_id(paths), export_load_ids=export_ids, other_tables=other,
        wal_beside=wal_path(paths.published).exists(),
        foreign=sorted(p.name for p in foreign_dir(paths).glob("*")) if foreign_dir(paths).is_dir() else [],
        fct_expenditure_parquet_rows=(pl.read_parquet(paths.parquet_dir / "fct_expenditure.parquet").height
                                      if (paths.parquet_dir / "fct_expenditure.parquet").exists() else None),
    )


def budgetwh(raw: Path, paths: WarehousePaths, point: str | None = None, after: int = 1,
             extra: list[str] | None = None, faults: dict[str, str] | None = None) -> State:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BUDGETWH_CRASH", FAIL_ENV))}
    env.update(faults or {})
    if point:
        env[CRASH_ENV], env[AFTER_ENV] = point, str(after)
    start = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "dagster_project.cli", "run", "--raw-dir", str(raw),
         "--warehouse", str(paths.published), *(extra or [])],
        env=env, capture_output=True, text=True, timeout=600, preexec_fn=lambda: os.umask(0),
    )
    state = inspect(paths, proc)
    state.seconds = time.monotonic() - start
    return state


@dataclass
class Story:
    paths: WarehousePaths
    first: State  # the clean load the kills must never damage
    kills: dict[str, State]
    reexported: State  # the plain run after the kill after the publishing rename
    recovered: State  # the plain run after the last kill
    orphans_after_kill: list[str]
    aged_builds: list[str]
    tampered: State  # what readers saw after the BI session died, before any run
    abandoned: list[str]  # fresh build files of killed loads, put in build/ before the full disk
    disk_full: State  # the run after the kill on the full disk: fails on it again, not killed


@pytest.fixture(scope="module")
def story(tmp_path_factory) -> Story:
    root = tmp_path_factory.mktemp("crash")
    raw = root / "raw"
    raw.mkdir()
    shutil.copy(RAW / "004_c7edf4338a4ef304.txt", raw / "004_c7edf4338a4ef304.txt")
    for name, dept in (("a.txt", "东岭县林业局"), ("b.txt", "南湖县水务局"), ("c.txt", "北川县林业局")):
        (raw / name).write_text(mini_report(dept), encoding="utf-8")
    (raw / "b_gbk.txt").write_bytes(mini_report("南湖县水务局").encode("gbk"))  # a duplicate to settle
    paths = WarehousePaths(root / "wh 'q'" / "budget.duckdb")
    first = budgetwh(raw, paths)
    # work for the runs to come that changes nothing in the marts: staging starts from nothing,
    # and a byte-identical copy (one document, whose row speaks for its first path) joins
    shutil.rmtree(paths.staging)
    shutil.copy(raw / "a.txt", raw / "zz_copy_of_a.txt")
    kills: dict[str, State] = {}
    orphans_after_kill: list[str] = []
    aged: list[str] = []
    reexported = tampered = disk_full = None
    abandoned: list[str] = []
    for point, after, extra, faults in KILLS:
        if point == "stale_wal_moved":
            subprocess.run([sys.executable, "-c", BI_SESSION, str(paths.published)], timeout=120,
                           preexec_fn=lambda: os.umask(0))
            tampered = inspect(paths, subprocess.CompletedProcess([], 0, "", ""))
        if point == "publish_failed":
            for _ in range(2):  # killed loads' build files, as big as a build and made just now
                build = paths.build_file(f"killed-{len(abandoned)}")
                build.write_bytes(os.urandom(1 << 20) * 8)
                abandoned.append(build.name)
        if point == "mid_parquet_export":
            reexported = budgetwh(raw, paths)  # recovers the export the previous kill cut short
            # builds abandoned by the killed loads, made older than BUDGETWH_STALE_HOURS
            old = time.time() - 3 * 86400
            for entry in paths.build_dir.iterdir():
                if entry.name.startswith(("budget.", "dbt-target-")):
                    os.utime(entry, (old, old))
                    aged.append(entry.name)
        kills[point] = budgetwh(raw, paths, point, after, extra, faults)
        if point == "before_manifest_entry":
            orphans_after_kill = kills[point].orphans
        if point == "publish_failed":
            disk_full = budgetwh(raw, paths, faults=FULL_DISK)
    recovered = budgetwh(raw, paths)
    return Story(paths, first, kills, reexported, recovered, orphans_after_kill, aged, tampered, abandoned,
                 disk_full)


def test_the_story_covers_every_crash_point_and_at_least_ten():
    assert [k[0] for k in KILLS] == list(CRASH_POINTS) and len(KILLS) >= 12


def test_the_first_load_is_complete(story):
    assert story.first.returncode == 0, story.first.stdout[-3000:]
    assert story.first.mart_load_ids == {story.first.load_id} and story.first.digest


@pytest.mark.parametrize("point", [k[0] for k in KILLS])
def test_the_load_was_killed_there(story, point):
    state = story.kills[point]
    assert state.returncode == -signal.SIGKILL, state.stdout[-3000:]


@pytest.mark.parametrize("point", [k[0] for k in KILLS])
def test_the_published_warehouse_is_always_one_complete_load(story, point):
    """Previous or new, never a mixture or a broken file: it opens, and every mart carries
    exactly the load_id of meta.load."""
    state = story.kills[point]
    assert state.open_error is None
    assert state.mart_load_ids == {state.load_id}
    assert state.other_tables == [] and not state.wal_beside  # nothing of the BI session
    if point in PUBLISHED_BY_THE_KILLED_RUN:
        assert state.load_id != story.first.load_id
        assert state.digest == story.first.digest  # same input, same marts
    else:
        assert (state.load_id, state.digest) == (story.first.load_id, story.first.digest)


@pytest.mark.parametrize("point", [k[0] for k in KILLS])
def test_staging_never_holds_a_half_written_parquet_file(story, point):
    assert story.kills[point].unreadable_parquet == []


def test_a_parquet_file_killed_mid_write_stays_a_temporary_file(story):
    assert any(name.endswith(".tmp") for name in story.kills["staging_parquet_written"].staging_temp)


def test_a_document_killed_before_its_manifest_entry_is_extracted_again(story):
    """Its Parquet files were written, its manifest entry was not: the next run extracts it
    again (its entry, written last, then names it)."""
    assert story.orphans_after_kill
    after = story.kills["before_settle"]
    assert set(story.orphans_after_kill) <= set(after.manifest.values())


def test_dbt_was_killed_mid_build_and_left_only_its_own_build_file(story):
    state = story.kills["inside_dbt"]
    assert any(name.startswith("budget.") and name.endswith(".duckdb") for name in state.build)
    assert state.load_id == story.first.load_id


def test_a_complete_copy_killed_before_its_rename_is_never_seen(story):
    state = story.kills["before_publish_rename"]
    assert any(name.startswith(".budget.duckdb.") for name in state.warehouse_temp)
    assert state.load_id == story.first.load_id


def test_the_next_run_recovers_an_export_cut_short(story):
    killed = story.kills["after_publish_rename"]
    assert killed.exported == story.first.load_id  # export still names the previous load
    again = story.reexported
    assert again.returncode == 0 and "exported again" in again.stdout
    assert again.load_id == killed.load_id and again.exported == killed.load_id
    assert again.export_load_ids == {killed.load_id}


def test_the_last_run_recovers_everything_by_itself(story):
    killed, final = story.kills["mid_parquet_export"], story.recovered
    assert killed.exported != killed.load_id and len(killed.export_load_ids) == 2  # cut short mid-way
    assert final.returncode == 0, final.stdout[-3000:]
    assert final.load_id == killed.load_id and final.exported == final.load_id
    assert final.export_load_ids == {final.load_id}
    assert final.staging_temp == [] and final.warehouse_temp == [] and final.orphans == []
    assert final.digest == story.first.digest


def test_abandoned_build_files_are_removed_once_stale(story):
    assert story.aged_builds
    assert not set(story.aged_builds) & set(story.kills["mid_parquet_export"].build)


def test_marts_are_identical_across_complete_loads(story):
    """Idempotency: the clean first load, the load rebuilt from a wiped staging area after the
    kills, and a --force rebuild of unchanged input have the same marts, row for row."""
    digests = {story.first.digest, story.kills["after_publish_rename"].digest,
               story.kills["mid_parquet_export"].digest, story.recovered.digest}
    assert len(digests) == 1 and None not in digests
    loads = {story.first.load_id, story.kills["after_publish_rename"].load_id, story.kills["mid_parquet_export"].load_id}
    assert len(loads) == 3


def test_written_files_are_never_group_or_world_writable(story):
    """Every run ran under umask 000; the command masks 022 itself."""
    loose = []
    for path in [story.paths.root, *story.paths.root.rglob("*")]:
        mode = path.lstat().st_mode
        if stat.S_ISLNK(mode):
            continue
        if mode & 0o022:
            loose.append(f"{path.relative_to(story.paths.root.parent)} {oct(mode & 0o777)}")
    assert loose == []
    published = story.paths.published.stat().st_mode & 0o777
    assert published == 0o644


def test_a_dead_sessions_wal_is_set_aside_before_anything_else(story):
    """Its edits were what every reader saw (the bug); the load killed right after moving the
    log aside leaves the published file exactly as L0 published it, and the log in build/."""
    tampered, killed = story.tampered, story.kills["stale_wal_moved"]
    assert tampered.wal_beside and tampered.other_tables == ["main.scratch"]
    assert tampered.digest != story.first.digest and tampered.load_id == story.first.load_id
    assert (killed.load_id, killed.digest) == (story.first.load_id, story.first.digest)
    assert not killed.wal_beside and [n.startswith("budget.duckdb.wal.") for n in killed.foreign] == [True]
    assert killed.fct_expenditure_parquet_rows == story.first.fct_expenditure_parquet_rows


def test_a_full_disk_does_not_outlive_the_loads_that_hit_it(story):
    """Build files of killed loads go whatever their age (the load holds the lock: none of them
    can be live); a load failing on a full disk deletes its own build file and exits 1; the
    next runs succeed with nobody cleaning up."""
    killed, failed = story.kills["publish_failed"], story.disk_full
    assert story.abandoned and not set(story.abandoned) & set(killed.build)  # removed, though fresh
    assert [n for n in killed.build if n.startswith("budget.") and n.endswith(".duckdb")]  # killed before its own
    assert failed.returncode == 1 and "No space left on device" in failed.stdout, failed.stdout[-3000:]
    assert "that earlier loads left behind" in failed.stdout
    assert [n for n in failed.build if n.startswith("budget.")] == [] and failed.warehouse_temp == []
    assert [n for n in failed.build if n.startswith("dbt-target-")]  # its dbt results stay, for diagnosis
    assert (failed.load_id, failed.digest) == (story.first.load_id, story.first.digest)
    assert story.recovered.returncode == 0
    assert [n for n in story.recovered.build if n.startswith("budget.")] == []
