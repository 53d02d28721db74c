"""Progress of long work, as a resource: Dagster runs log it; `budgetwh run` swaps in a
progress bar. Kept out of the parsing code, which stays free of side effects."""

from __future__ import annotations

import threading
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
        self.stage = "extract"
        self.stage_total = 0
        self.stage_done = 0
        self._ticks = threading.Lock()  # dbt reports its nodes from its worker threads

    def start(self, context: dg.AssetExecutionContext, total: int) -> None:
        self._log, self.total, self.done = context.log, total, 0

    def advance(self, label: str) -> None:
        self.done += 1
        step = max(1, self.total // 20)
        if self._log and (self.done % step == 0 or self.done == self.total):
            self._log.info(f"staged {self.done}/{self.total} documents (last: {label})")

    def begin(self, stage: str, total: int) -> None:
        """A later stage starts (`dbt build`: one unit per node dbt reports; `publish`)."""
        self.stage, self.stage_total, self.stage_done = stage, total, 0

    def tick(self, label: str) -> None:
        """One unit of the current stage is done (a dbt model built or a test run). The total
        is an estimate from dbt's manifest; a stage that reports more units raises it. dbt calls
        it from its worker threads, so the count is kept under a lock."""
        with self._ticks:
            self.stage_done += 1
            self.stage_total = max(self.stage_total, self.stage_done)
