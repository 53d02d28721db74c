"""A BI client reading the published warehouse while loads run never sees an error or a
mixture of loads: the publish step renames a complete new file over the old one."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time

from dagster_project.load import run_load

from tests.e2e.test_dagster import SAMPLES, make_raw

READER = textwrap.dedent("""
    import json, sys, time, pathlib, duckdb
    path, stop, out = sys.argv[1], pathlib.Path(sys.argv[2]), sys.argv[3]
    marts = ["dim_document", "dim_disclosure", "fct_expenditure", "fct_revenue", "fct_three_public",
             "fct_project", "fct_performance_indicator", "mart_budget_overview", "mart_data_quality"]
    query = " union ".join(f"select distinct load_id from marts.{m}" for m in marts)
    reads, errors, mixed, seen = 0, [], 0, set()
    while not stop.exists():
        try:
            con = duckdb.connect(path, read_only=True)
            try:
                ids = {r[0] for r in con.execute(query).fetchall()}
                (meta,) = con.execute("select load_id from meta.load").fetchone()
            finally:
                con.close()
            reads += 1
            seen |= ids
            if ids != {meta}:
                mixed += 1
        except Exception as exc:
            errors.append(f"{type(exc).__name__}: {exc}")
        time.sleep(0.02)
    json.dump({"reads": reads, "errors": errors, "mixed": mixed, "seen": sorted(seen)}, open(out, "w"))
""")


def test_reader_sees_one_complete_load_at_a_time(tmp_path):
    raw = make_raw(tmp_path, SAMPLES[:2])
    warehouse = tmp_path / "wh" / "budget.duckdb"
    first = run_load(raw, warehouse)
    assert first.success
    stop, out = tmp_path / "stop", tmp_path / "reader.json"
    reader = subprocess.Popen([sys.executable, "-c", READER, str(warehouse), str(stop), str(out)])
    try:
        time.sleep(1)
        loads = [run_load(raw, warehouse, force=True) for _ in range(2)]
        time.sleep(1)
    finally:
        stop.touch()
        reader.wait(timeout=60)
    report = json.loads(out.read_text())
    assert all(load.success for load in loads)
    assert report["errors"] == []
    assert report["mixed"] == 0
    assert report["reads"] > 10
    # the reader saw the first load and at least one of the two that replaced it
    assert first.load_id in report["seen"] and {load.load_id for load in loads} & set(report["seen"])
