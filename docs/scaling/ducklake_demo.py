"""The dbt project built into a DuckLake catalog: two builds, their snapshots, time travel.

Runs in its own environment, never the project's (.venv has DuckDB 2.0, for which no ducklake
extension can be installed offline):

    grep -v '^duckdb==' requirements.lock > /tmp/constraints.txt
    python3.11 -m venv .venv-ducklake
    .venv-ducklake/bin/pip install -c /tmp/constraints.txt duckdb==1.4.4 \\
        duckdb-ext-ducklake==1.4.4.20260205 dbt-core==1.11.16 dbt-duckdb==1.11.1
    .venv/bin/budgetwh run --raw-dir data/raw --warehouse /tmp/dl/wh/budget.duckdb
    .venv-ducklake/bin/python docs/scaling/ducklake_demo.py --warehouse /tmp/dl/wh/budget.duckdb \\
        --lake /tmp/dl/lake

`--warehouse` is a warehouse `budgetwh run` built: its staging Parquet is dbt's input here, and
its exported Parquet marts (`marts/*.parquet`) are what the lake's marts are compared with.

Build 1 reads a copy of staging without the last report (by source path), build 2 the whole
staging: the state of the warehouse before and after one report arrived. Both run the
project's `dbt build` unchanged against docs/scaling/profiles.ducklake.yml (catalog: a DuckDB
file, data: a folder). Then the script lists the snapshots, queries the marts as of the end of
build 1 (time travel) and as of now, shows what a reader saw in the middle of build 2, and
checks the lake's marts against the published ones.
"""

import argparse
import importlib.metadata as md
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

REPO = Path(__file__).resolve().parents[2]
PROFILE = REPO / "docs" / "scaling" / "profiles.ducklake.yml"
DBT_PROJECT = REPO / "dbt"


def extension_dir() -> Path:
    """The folder of the `duckdb-ext-ducklake` wheel: <dir>/v1.4.4/linux_amd64/ducklake.duckdb_extension
    (the wheel only ships the file; there is no Python module to import)."""
    for file in md.files("duckdb-ext-ducklake") or []:
        if file.name == "ducklake.duckdb_extension":
            return Path(file.locate()).resolve().parents[2]
    raise SystemExit("duckdb-ext-ducklake is not installed in this environment")


def connect(lake: Path, ext: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(config={"extension_directory": str(ext), "autoinstall_known_extensions": "false"})
    con.execute("LOAD ducklake")
    con.execute(f"ATTACH 'ducklake:{lake / 'catalog.ducklake'}' AS lake (READ_ONLY)")
    return con


def last_snapshot(lake: Path, ext: Path) -> int:
    con = connect(lake, ext)
    try:
        return con.execute("SELECT max(snapshot_id) FROM ducklake_snapshots('lake')").fetchall()[0][0]
    finally:
        con.close()


def staging_without(staging: Path, out: Path) -> str:
    """A copy of `staging` without the documents of the last report by source path."""
    rows = duckdb.execute(f"SELECT source_path, doc_id FROM read_parquet('{staging}/documents/*.parquet') "
                          "ORDER BY source_path DESC LIMIT 1").fetchall()
    source_path, doc_id = rows[0]
    for folder in staging.iterdir():
        if folder.is_dir() and folder.name != "manifest":  # dbt reads the entity folders only
            (out / folder.name).mkdir(parents=True)
            for file in folder.glob("*.parquet"):
                if file.stem != doc_id:
                    shutil.copy2(file, out / folder.name / file.name)
    return source_path


def dbt_build(staging: Path, lake: Path, ext: Path, load_id: str, work: Path) -> float:
    profiles = work / "profiles"
    profiles.mkdir(exist_ok=True)
    shutil.copy(PROFILE, profiles / "profiles.yml")  # dbt reads only a file named profiles.yml
    env = {**os.environ, "BUDGETWH_LAKE_DIR": str(lake), "BUDGETWH_STAGING_DIR": str(staging),
           "BUDGETWH_LOAD_ID": load_id, "BUDGETWH_DUCKDB_EXTENSIONS": str(ext)}
    dbt = Path(sys.executable).with_name("dbt")
    command = [str(dbt), "build", "--profiles-dir", str(profiles), "--project-dir", str(DBT_PROJECT),
               "--target-path", str(work / f"target-{load_id}"), "--log-path", str(work / f"logs-{load_id}")]
    started = time.perf_counter()
    proc = subprocess.run(command, env=env, cwd=DBT_PROJECT, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    summary = [line for line in proc.stdout.splitlines() if "Done. PASS=" in line]
    print(f"  dbt build ({load_id}): exit {proc.returncode} in {seconds:.1f} s; "
          f"{summary[-1].split('Done. ')[-1] if summary else ''}")
    if proc.returncode != 0:
        print("\n".join(proc.stdout.splitlines()[-30:]))
        raise SystemExit(f"dbt build failed for {load_id}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--warehouse", type=Path, required=True, help="a published warehouse (budget.duckdb)")
    parser.add_argument("--lake", type=Path, required=True, help="new folder for the lake (catalog + data)")
    args = parser.parse_args()
    staging, marts, lake = args.warehouse.parent / "staging", args.warehouse.parent / "marts", args.lake.resolve()
    if lake.exists():
        raise SystemExit(f"{lake} exists: give a new folder")
    (lake / "data").mkdir(parents=True)
    ext = extension_dir()
    con = duckdb.connect(config={"extension_directory": str(ext)})
    con.execute("LOAD ducklake")
    ducklake_version = con.execute("SELECT extension_version FROM duckdb_extensions() "
                                   "WHERE extension_name = 'ducklake'").fetchall()[0][0]
    con.close()
    print(f"duckdb {duckdb.__version__}, ducklake extension {ducklake_version} "
          f"(duckdb-ext-ducklake {md.version('duckdb-ext-ducklake')}), dbt-core {md.version('dbt-core')}, "
          f"dbt-duckdb {md.version('dbt-duckdb')}")

    with tempfile.TemporaryDirectory(prefix="ducklake-demo-") as tmp:
        work = Path(tmp)
        before = work / "staging-before"
        held_back = staging_without(staging, before)
        print(f"build 1: staging without {held_back}; build 2: all of {staging}")
        seconds = [dbt_build(before, lake, ext, "load-1", work)]
        s1 = last_snapshot(lake, ext)
        seconds.append(dbt_build(staging, lake, ext, "load-2", work))
        s2 = last_snapshot(lake, ext)

    con = connect(lake, ext)
    q = con.execute
    print(f"snapshots: {q('SELECT count(*) FROM ducklake_snapshots(?)', ['lake']).fetchall()[0][0]} "
          f"(0 = the empty catalog); build 1 ended at snapshot {s1}, build 2 at {s2}: "
          "dbt commits every model on its own")
    for label, at in ((f"AT (VERSION => {s1})", f" AT (VERSION => {s1})"), ("now", "")):
        docs, loads = q(f"SELECT count(*), list(DISTINCT load_id) FROM lake.marts.dim_document{at}").fetchall()[0]
        lines = q(f"SELECT count(*) FROM lake.marts.fct_expenditure{at}").fetchall()[0][0]
        print(f"  dim_document {label}: {docs} documents, load {loads}; fct_expenditure: {lines} rows")
    mid = (s1 + s2) // 2
    loads = q(f"SELECT (SELECT list(DISTINCT load_id) FROM lake.marts.dim_document AT (VERSION => {mid})), "
              f"(SELECT list(DISTINCT load_id) FROM lake.marts.mart_budget_overview AT (VERSION => {mid}))").fetchall()[0]
    print(f"  a reader at snapshot {mid} (mid build 2): dim_document {loads[0]}, mart_budget_overview {loads[1]}")
    changes = q("SELECT snapshot_id, changes FROM ducklake_snapshots('lake') WHERE snapshot_id IN (?, ?)",
                [s1, s2]).fetchall()
    for snapshot_id, change in changes:
        print(f"  snapshot {snapshot_id}: {change}")

    # the lake's marts against the marts `budgetwh run` published (its Parquet export)
    differing = []
    tables = sorted(p.stem for p in marts.glob("*.parquet"))
    for table in tables:
        cols = [r[0] for r in q("SELECT column_name FROM duckdb_columns() WHERE database_name = 'lake' "
                                "AND schema_name = 'marts' AND table_name = ? AND column_name <> 'load_id' "
                                "ORDER BY column_index", [table]).fetchall()]
        listed = ", ".join(f'"{c}"' for c in cols)
        published = f"(SELECT {listed} FROM read_parquet('{marts / table}.parquet'))"
        built = f"(SELECT {listed} FROM lake.marts.{table})"
        diff = q(f"SELECT (SELECT count(*) FROM ({built} EXCEPT ALL {published})) + "
                 f"(SELECT count(*) FROM ({published} EXCEPT ALL {built}))").fetchall()[0][0]
        if diff:
            differing.append(f"{table} ({diff} rows)")
    print(f"lake marts vs published marts ({len(tables)} tables, load_id aside): "
          f"{'identical' if not differing else 'differ: ' + ', '.join(differing)}")
    files = list((lake / "data").rglob("*.parquet"))
    print(f"lake: catalog {(lake / 'catalog.ducklake').stat().st_size / 1e6:.1f} MB, "
          f"{len(files)} Parquet data files, {sum(f.stat().st_size for f in files) / 1e6:.1f} MB "
          "(build 1's files stay until snapshots are expired)")
    print(f"dbt build seconds: {seconds[0]:.1f} (build 1), {seconds[1]:.1f} (build 2)")


if __name__ == "__main__":
    main()
