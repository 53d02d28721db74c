"""What staging one document comes to (`DocumentOutcome`) and what a whole extraction stage
comes to (`IngestSummary`): the small records the worker pool sends back, the Dagster assets
report and `budgetwh run` summarises. Shared by every stage of ingest, so it depends on none."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


LOADED = ("ok", "partial")


@dataclass
class DocumentOutcome:
    source_path: str
    doc_id: str
    status: str
    status_reason: str | None
    extracted: bool
    tables_by_kind: Counter = field(default_factory=Counter)
    line_items: int = 0
    unparsed: int = 0
    cpu_seconds: float = 0.0  # CPU time its worker spent staging it (measured by the pool)
    normalize_cpu_seconds: float = 0.0  # of which: normalizing into rows and writing Parquet
    findings: dict[str, str] = field(default_factory=dict)  # failing per-document checks -> why
    repairs: list[str] = field(default_factory=list)  # damaged staging files it set aside, and where


@dataclass
class IngestSummary:
    outcomes: list[DocumentOutcome]
    removed: list[str]
    repairs: list[str] = field(default_factory=list)  # damaged staging found by the plan (Plan.repairs)

    @property
    def by_status(self) -> Counter:
        return Counter(o.status for o in self.outcomes)

    @property
    def extracted(self) -> int:
        return sum(o.extracted for o in self.outcomes)
