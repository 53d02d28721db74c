"""Progress of long work, as a resource: Dagster runs log it; `budgetwh run` swaps in a
progress bar. Kept out of the parsing code, which stays free of side effects."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the CLI imports this module; Dagster itself only when a load runs
    import dagster as dg


class Progress:
    """Counts documents through extraction, then dbt's nodes and the publish steps (`begin` a
    stage, `tick` per unit of it); the default reports through the run's log."""

    def __init__(self) -> None:
        self._log = None
        self.total = 0
        self.done = 0
        self.cpu_seconds = 0.0  # extraction workers' CPU time over the documents done
        self.normalize_cpu_seconds = 0.0  # the part of it spent normalizing and writing Parquet
        self.pool_seconds = 0.0  # wall time of the worker pool (extraction and normalization)
        self.stage = "extract"
        self.stage_total = 0
        self.stage_done = 0

    def start(self, context: dg.AssetExecutionContext, total: int) -> None:
        self._log, self.total, self.done = context.log, total, 0

    def advance(self, label: str, cpu_seconds: float = 0.0, normalize_cpu_seconds: float = 0.0) -> None:
        self.done += 1
        self.cpu_seconds += cpu_seconds
        self.normalize_cpu_seconds += normalize_cpu_seconds
        step = max(1, self.total // 20)
        if self._log and (self.done % step == 0 or self.done == self.total):
            self._log.info(f"staged {self.done}/{self.total} documents (last: {label})")

    def begin(self, stage: str, total: int) -> None:
        """A later stage starts (`dbt build`: one unit per node dbt reports; `publish`)."""
        self.stage, self.stage_total, self.stage_done = stage, total, 0

    def tick(self, label: str) -> None:
        """One unit of the current stage is done (a dbt model built or a test run). The total
        is an estimate from dbt's manifest; a stage that reports more units raises it."""
        self.stage_done += 1
        self.stage_total = max(self.stage_total, self.stage_done)
