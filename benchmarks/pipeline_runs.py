"""`budgetwh run` on the sample corpus: a full build, a no-op rerun and a rerun after one file
changed; wall time and peak RSS of the whole process tree (CLI + dbt), three repetitions each.

    python -m benchmarks.pipeline_runs
"""

from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
from pathlib import Path

from benchmarks.measure import machine, measure

REPO = Path(__file__).resolve().parent.parent
BUDGETWH = str(Path(sys.executable).with_name("budgetwh"))
REPEAT = 3


def main() -> dict[str, list]:
    results: dict[str, list] = {"full build": [], "no-op rerun": [], "one file changed": []}
    for _ in range(REPEAT):
        with tempfile.TemporaryDirectory() as tmp:
            raw = Path(tmp) / "raw"
            shutil.copytree(REPO / "data" / "raw", raw)
            cmd = [BUDGETWH, "run", "--raw-dir", str(raw), "--warehouse", str(Path(tmp) / "wh" / "budget.duckdb")]
            for name in results:
                if name == "one file changed":
                    victim = sorted(raw.glob("*.txt"))[-1]
                    victim.write_bytes(victim.read_bytes() + b"\n")
                m = measure(cmd)
                if m.returncode != 0:
                    raise SystemExit(f"{name} failed:\n{m.output}")
                results[name].append(m)
    lines = [f"machine: {machine()}", f"command: {' '.join(['budgetwh run', '--raw-dir', '<copy of data/raw>'])}",
             "| run | wall s (median of 3) | min–max s | peak RSS of process tree, MB (max) |", "|---|---|---|---|"]
    for name, ms in results.items():
        secs = [m.seconds for m in ms]
        lines.append(f"| {name} | {statistics.median(secs):.1f} | {min(secs):.1f}–{max(secs):.1f} | "
                     f"{max(m.peak_rss_mb for m in ms):.0f} |")
    print("\n".join(lines))
    return results


if __name__ == "__main__":
    main()
