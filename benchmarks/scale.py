"""The pipeline at scale: generated corpora of N reports through `budgetwh run`.

For each N (default 100, 1,000 and 5,000 text reports, and 100 PDF reports): generate the corpus with `budgetwh generate` (fixed seed), run a
full build, then a no-op rerun, each as its own process tree measured for wall time and peak
RSS (benchmarks/measure.py); read the per-stage wall times and the extraction workers' CPU time
from the run's summary; measure the warehouse on disk; score staging and marts against the
gold. Finally fit time = a + b·N per stage (least squares) and report whether growth is linear.

    python -m benchmarks.scale [--sizes 100,1000,5000] [--pdf 100] [--dir DIR] [--seed 1]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

from benchmarks.measure import machine, measure

BUDGETWH = str(Path(sys.executable).with_name("budgetwh"))
STAGES = ("extract", "settle", "dbt build", "publish")


@dataclass
class Run:
    label: str
    n: int
    generate_s: float = 0.0
    corpus_mb: float = 0.0
    wall_s: float = 0.0
    peak_rss_mb: float = 0.0
    stages: dict[str, float] = field(default_factory=dict)
    worker_cpu_ms_per_doc: float | None = None
    normalize_cpu_ms_per_doc: float | None = None  # of the worker CPU: normalizing and writing Parquet
    pool_s: float | None = None  # wall time of the worker pool inside the extract step
    noop_wall_s: float = 0.0
    noop_peak_rss_mb: float = 0.0
    warehouse_mb: float = 0.0
    staging_mb: float = 0.0
    accuracy: dict = field(default_factory=dict)
    failures: list[str] = field(default_factory=list)
    load_before: tuple[float, float, float] = (0.0, 0.0, 0.0)

    @property
    def docs_per_s(self) -> float | None:
        """Through the whole extract step, Dagster's per-partition bookkeeping included."""
        seconds = self.stages.get("extract")
        return self.n / seconds if seconds else None

    @property
    def pool_docs_per_s(self) -> float | None:
        """Through extraction and normalization alone (the worker pool)."""
        return self.n / self.pool_s if self.pool_s else None

    @property
    def startup_s(self) -> float:
        """Everything outside the four stages: process start, imports, planning, the summary."""
        return self.wall_s - sum(self.stages.get(s, 0.0) for s in STAGES)


def _size_mb(path: Path) -> float:
    if path.is_file():
        return path.stat().st_size / 2**20
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20


def _stages(output: str) -> dict[str, float]:
    line = next((x for x in output.splitlines() if x.startswith("stages:")), "")
    return {m.group(1): float(m.group(2)) for m in re.finditer(r"([a-z][a-z ]*?) (\d+(?:\.\d+)?) s", line[7:])}


def _pool_seconds(output: str) -> float | None:
    match = re.search(r"extraction: \d+ documents in (\d+(?:\.\d+)?) s", output)
    return float(match.group(1)) if match else None


def _worker_cpu(output: str) -> tuple[float | None, float | None]:
    """Worker CPU per document, and the part of it spent normalizing and writing Parquet."""
    total = re.search(r"(\d+(?:\.\d+)?) ms worker CPU per document", output)
    normalize = re.search(r"normalize and write (\d+(?:\.\d+)?) ms", output)
    return (float(total.group(1)) if total else None, float(normalize.group(1)) if normalize else None)


def bench(label: str, n: int, root: Path, seed: int, formats: str) -> Run:
    from dagster_project.synth.generator.accuracy import score_corpus

    run = Run(label, n, load_before=os.getloadavg())
    corpus = root / label
    shutil.rmtree(corpus, ignore_errors=True)
    started = time.perf_counter()
    generated = measure([BUDGETWH, "generate", "--n", str(n), "--out", str(corpus), "--seed", str(seed),
                         "--formats", formats])
    if generated.returncode:
        raise SystemExit(f"generate failed:\n{generated.output}")
    run.generate_s = time.perf_counter() - started
    run.corpus_mb = _size_mb(corpus / "raw")
    warehouse = corpus / "warehouse" / "budget.duckdb"
    command = [BUDGETWH, "run", "--raw-dir", str(corpus / "raw"), "--warehouse", str(warehouse)]
    full = measure(command)
    if full.returncode:
        raise SystemExit(f"full build of {label} failed:\n{full.output[-3000:]}")
    run.wall_s, run.peak_rss_mb = full.seconds, full.peak_rss_mb
    run.stages = _stages(full.output)
    run.worker_cpu_ms_per_doc, run.normalize_cpu_ms_per_doc = _worker_cpu(full.output)
    run.pool_s = _pool_seconds(full.output)
    noop = measure(command)
    if noop.returncode or "nothing changed" not in noop.output:
        raise SystemExit(f"no-op rerun of {label} did work or failed:\n{noop.output[-3000:]}")
    run.noop_wall_s, run.noop_peak_rss_mb = noop.seconds, noop.peak_rss_mb
    run.warehouse_mb = _size_mb(warehouse)
    run.staging_mb = _size_mb(warehouse.parent / "staging")
    score = score_corpus(corpus / "gold", warehouse)
    run.accuracy = score.summary()
    run.failures = score.failures(10)
    return run


def fit(xs: list[float], ys: list[float]) -> tuple[float, float, float]:
    """Least-squares y = a + b·x and its R²."""
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    b = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sxx if sxx else 0.0
    a = my - b * mx
    ss_tot = sum((y - my) ** 2 for y in ys)
    ss_res = sum((y - a - b * x) ** 2 for x, y in zip(xs, ys))
    return a, b, 1 - ss_res / ss_tot if ss_tot else 1.0


def report(runs: list[Run]) -> str:
    lines = [f"machine: {machine()}", "command: python -m benchmarks.scale (budgetwh generate, then budgetwh run twice)", "",
             "| corpus | N | load avg before | full build s | extract s | of which pool s | docs/s (pool) | docs/s (extract step) "
             "| worker CPU ms/doc "
             "| of which normalize ms/doc | settle s | dbt build s | publish s | startup+summary s | peak RSS MB | no-op rerun s | no-op RSS MB "
             "| warehouse MB | staging MB | corpus MB |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in runs:
        s = r.stages
        lines.append(
            f"| {r.label} | {r.n:,} | {r.load_before[0]:.1f} | {r.wall_s:.1f} | {s.get('extract', 0):.1f} | "
            f"{r.pool_s or 0:.1f} | {(r.pool_docs_per_s or 0):.1f} | "
            f"{(r.docs_per_s or 0):.1f} | {r.worker_cpu_ms_per_doc or 0:.0f} | {r.normalize_cpu_ms_per_doc or 0:.0f} | "
            f"{s.get('settle', 0):.1f} | "
            f"{s.get('dbt build', 0):.1f} | {s.get('publish', 0):.1f} | {r.startup_s:.1f} | {r.peak_rss_mb:.0f} | "
            f"{r.noop_wall_s:.1f} | {r.noop_peak_rss_mb:.0f} | {r.warehouse_mb:.1f} | {r.staging_mb:.1f} | "
            f"{r.corpus_mb:.1f} |")
    lines += ["", "| corpus | documents exact | line items matched / gold | extra | headline misses | project misses "
              "| metadata misses | quality-flag misses |", "|---|---|---|---|---|---|---|---|"]
    for r in runs:
        a = r.accuracy
        lines.append(f"| {r.label} | {a['documents_exact']}/{a['documents']} | {a['line_items_matched']:,}/"
                     f"{a['gold_line_items']:,} | {a['line_items_extra']} | {a['documents_with_headline_miss']} | "
                     f"{a['documents_with_project_miss']} | {a['documents_with_metadata_miss']} | "
                     f"{a['documents_with_quality_miss']} |")
    text_runs = [r for r in runs if r.label.startswith("text")]
    if len(text_runs) >= 2:
        lines += ["", "Growth with N (text corpora), least squares seconds = a + b·N:", "",
                  "| stage | a (s) | b (ms per report) | R² |", "|---|---|---|---|"]
        xs = [float(r.n) for r in text_runs]
        series = {"full build": [r.wall_s for r in text_runs]}
        series.update({stage: [r.stages.get(stage, 0.0) for r in text_runs] for stage in STAGES})
        series["worker pool (in extract)"] = [r.pool_s or 0.0 for r in text_runs]
        series["no-op rerun"] = [r.noop_wall_s for r in text_runs]
        for name, ys in series.items():
            a, b, r2 = fit(xs, ys)
            lines.append(f"| {name} | {a:.1f} | {b * 1000:.1f} | {r2:.3f} |")
    for r in runs:
        for failure in r.failures:
            lines.append(f"- {r.label}: {failure}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> list[Run]:
    parser = argparse.ArgumentParser(prog="benchmarks.scale")
    parser.add_argument("--sizes", default="100,1000,5000", help="text corpus sizes")
    parser.add_argument("--pdf", type=int, default=100, help="PDF corpus size (0: none)")
    parser.add_argument("--dir", default=None, help="where corpora and warehouses go (default: a temp dir)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", default=None, help="also write the results here")
    args = parser.parse_args(argv)
    root = Path(args.dir) if args.dir else Path(tempfile.mkdtemp(prefix="budgetwh-scale-"))
    root.mkdir(parents=True, exist_ok=True)
    from dagster_project.warehouse.dbt_build import ensure_dbt_manifest

    ensure_dbt_manifest()  # a one-off `dbt parse` after editing the dbt project is not the load's cost
    runs: list[Run] = []
    for n in (int(x) for x in args.sizes.split(",") if x.strip()):
        runs.append(bench(f"text-{n}", n, root, args.seed, "text"))
        print(report(runs[-1:]), flush=True)
    if args.pdf:
        runs.append(bench(f"pdf-{args.pdf}", args.pdf, root, args.seed, "pdf"))
    text = report(runs)
    print("\n" + text)
    if args.json:
        Path(args.json).write_text(json.dumps([asdict(r) for r in runs], ensure_ascii=False, indent=1))
    if not args.dir:
        shutil.rmtree(root, ignore_errors=True)
    return runs


if __name__ == "__main__":
    main()
