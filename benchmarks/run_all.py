"""Every benchmark, one after the other (`make bench`). Add a module to MODULES to add one;
each module's `main()` prints its figures (and may write its section of BENCHMARKS.md)."""

from __future__ import annotations

import importlib
import sys
import traceback

MODULES = [
    "benchmarks.pdf_speed",
    "benchmarks.aligned_dumps",
    "benchmarks.pipeline_runs",
    "benchmarks.dagster_overhead",
    "benchmarks.hostile_inputs",
    "benchmarks.scale",
]


def main() -> None:
    failed = []
    for name in MODULES:
        print(f"\n### {name}\n", flush=True)
        try:
            importlib.import_module(name).main()
        except (Exception, SystemExit) as exc:  # noqa: BLE001 - report it, run the others
            traceback.print_exc()
            failed.append(f"{name}: {exc}")
    if failed:
        print("\nfailed:\n" + "\n".join(failed))
        sys.exit(1)


if __name__ == "__main__":
    main()
