"""What a Dagster run costs per document: N runs of one partition each against one run over N
partitions (single-run backfill policy), with extraction already done so only the
orchestration is timed. Decides how loads are launched (BENCHMARKS.md).

    python -m benchmarks.dagster_overhead [N ...]
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
import warnings
from pathlib import Path

import dagster as dg

from benchmarks.measure import machine
from dagster_project.defs.documents import document_staging
from dagster_project.defs.partitions import documents_partitions, partition_key, range_tags
from dagster_project.defs.progress import Progress
from dagster_project.defs.resources import BudgetPaths
from dagster_project.ingest import run_ingest

warnings.filterwarnings("ignore")
REPO = Path(__file__).resolve().parent.parent
QUIET = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}


def corpus(raw: Path, n: int) -> list[str]:
    """n distinct documents: the samples again and again, each copy made distinct by a line."""
    samples = sorted((REPO / "data" / "raw").glob("*.txt"))
    raw.mkdir(parents=True)
    names = []
    for i in range(n):
        src = samples[i % len(samples)]
        name = f"{i:05d}_{src.name}"
        (raw / name).write_bytes(src.read_bytes() + f"\n副本 {i}\n".encode())
        names.append(name)
    return names


def timed(n: int) -> tuple[float, float]:
    with tempfile.TemporaryDirectory() as tmp, dg.instance_for_test() as instance:
        raw = Path(tmp) / "raw"
        names = corpus(raw, n)
        paths = BudgetPaths(raw_dir=str(raw), warehouse=str(Path(tmp) / "wh" / "budget.duckdb"))
        run_ingest(raw, paths.warehouse_paths.staging)  # staged: the runs below only orchestrate
        keys = [partition_key(x) for x in names]
        instance.add_dynamic_partitions(documents_partitions.name, keys)
        resources = {"paths": paths, "progress": dg.ResourceDefinition.hardcoded_resource(Progress())}
        start = time.perf_counter()
        for key in keys:
            dg.materialize([document_staging], partition_key=key, instance=instance, resources=resources,
                           run_config=QUIET)
        per_document = time.perf_counter() - start
        start = time.perf_counter()
        defs = dg.Definitions(assets=[document_staging], jobs=[dg.define_asset_job("one", selection=[document_staging])],
                              resources=resources)
        result = defs.resolve_job_def("one").execute_in_process(instance=instance, tags=range_tags(keys), run_config=QUIET)
        assert result.success
        single = time.perf_counter() - start
        shutil.rmtree(raw, ignore_errors=True)
    return per_document, single


def main(sizes: list[int] | None = None) -> None:
    sizes = sizes or [20, 100]
    print(f"machine: {machine()}")
    print("| documents | one run per document, s | per run, s | one run over all partitions, s |")
    print("|---|---|---|---|")
    for n in sizes:
        per_document, single = timed(n)
        print(f"| {n} | {per_document:.1f} | {per_document / n:.2f} | {single:.1f} |")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or None)
