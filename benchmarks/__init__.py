"""Reproducible benchmarks (`make bench`); results with command and machine in BENCHMARKS.md."""
