"""`budgetwh run` on the sample corpus: a full build, a no-op rerun and a rerun after one file
changed; wall time and peak RSS of the whole process tree (CLI + dbt), three repetitions each
(or N: `python -m benchmarks.pipeline_runs N`), with the stages `budgetwh run` reports (the
median of each stage's seconds; what is left of the wall time is start-up and bookkeeping:
imports, the Dagster instance, the summary).

`--tree DIR` runs another checkout's code instead (`python -m dagster_project.cli` from DIR,
e.g. a `git worktree` of an earlier commit, with this virtual environment), so that a change is
measured against its base on the same machine, one run after the other.

    python -m benchmarks.pipeline_runs [N] [--tree DIR]
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

from benchmarks.measure import machine, measure

REPO = Path(__file__).resolve().parent.parent
BUDGETWH = str(Path(sys.executable).with_name("budgetwh"))
REPEAT = 3


def stage_seconds(output: str) -> dict[str, float]:
    """The `stages:` line of `budgetwh run`'s summary: `extract 2.1 s, settle 0.1 s, ...`."""
    line = next((x for x in output.splitlines() if x.startswith("stages: ")), "")
    return {name.strip(): float(sec) for name, sec in re.findall(r"([\w ]+?) ([\d.]+) s(?:,|$)", line[len("stages: "):])}


def main(repeat: int = REPEAT, tree: Path | None = None) -> dict[str, list]:
    results: dict[str, list] = {"full build": [], "no-op rerun": [], "one file changed": []}
    program = [sys.executable, "-m", "dagster_project.cli"] if tree else [BUDGETWH]
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as tmp:
            raw = Path(tmp) / "raw"
            shutil.copytree(REPO / "data" / "raw", raw)
            cmd = [*program, "run", "--raw-dir", str(raw), "--warehouse", str(Path(tmp) / "wh" / "budget.duckdb")]
            for name in results:
                if name == "one file changed":
                    victim = sorted(raw.glob("*.txt"))[-1]
                    victim.write_bytes(victim.read_bytes() + b"\n")
                m = measure(cmd, cwd=tree)
                if m.returncode != 0:
                    raise SystemExit(f"{name} failed:\n{m.output}")
                results[name].append(m)
    lines = [f"machine: {machine()}", f"code: {tree or REPO}",
             f"command: {' '.join(['budgetwh run', '--raw-dir', '<copy of data/raw>'])}",
             f"| run | wall s (median of {repeat}) | min–max s | peak RSS of process tree, MB (max) | stages, s (median) |",
             "|---|---|---|---|---|"]
    for name, ms in results.items():
        secs = [m.seconds for m in ms]
        lines.append(f"| {name} | {statistics.median(secs):.1f} | {min(secs):.1f}–{max(secs):.1f} | "
                     f"{max(m.peak_rss_mb for m in ms):.0f} | {stages_cell(ms)} |")
    print("\n".join(lines))
    return results


def stages_cell(ms: list) -> str:
    """Each stage's median seconds over the repetitions (none for a no-op rerun)."""
    per_run = [stage_seconds(m.output) for m in ms]
    names = [n for n in per_run[0]] if per_run else []
    return ", ".join(f"{n} {statistics.median(r.get(n, 0.0) for r in per_run):.1f}" for n in names) or "–"


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("repeat", nargs="?", type=int, default=REPEAT, help="repetitions of each run")
    parser.add_argument("--tree", type=Path, help="a checkout whose code to run (default: this one)")
    args = parser.parse_args()
    main(args.repeat, args.tree.resolve() if args.tree else None)
