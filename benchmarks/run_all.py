"""Every benchmark, one after the other (`make bench`). Add a module to MODULES to add one;
each module's `main()` prints its figures (and may write its section of BENCHMARKS.md)."""

from __future__ import annotations

import importlib

MODULES = [
    "benchmarks.pdf_speed",
    "benchmarks.aligned_dumps",
    "benchmarks.pipeline_runs",
    "benchmarks.dagster_overhead",
    "benchmarks.hostile_inputs",
]


def main() -> None:
    for name in MODULES:
        print(f"\n### {name}\n", flush=True)
        importlib.import_module(name).main()


if __name__ == "__main__":
    main()
