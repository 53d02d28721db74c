"""Raw report files → staging Parquet: one dynamic partition per file.

`document_staging` stages the partitions of its run whose files changed (the content-hash
manifest in staging decides, not the Dagster instance) and skips the others; a file that
cannot be read is quarantined inside, so one bad file never fails the step. A single-run
backfill policy makes a load over thousands of documents one run, not thousands (measured in
BENCHMARKS.md). `staging` then settles what needs the whole corpus (duplicates, removed
files) and is the source the dbt project reads.
"""

import time

import dagster as dg

from dagster_project.defs.partitions import documents_partitions, partition_key
from dagster_project.defs.progress import Progress
from dagster_project.defs.resources import BudgetPaths
from dagster_project.ingest import LOADED, DocumentOutcome, plan, settle
from dagster_project.parallel import stage_documents
from dagster_project.staging.normalize import SCHEMAS

raw_documents = dg.AssetSpec(
    "raw_documents",
    partitions_def=documents_partitions,
    group_name="documents",
    description="Report files under the raw folder (PDF, DOCX, XLSX, HTML, text), one partition each.",
    kinds={"file"},
)

DOCUMENT_CHECKS = (
    dg.AssetCheckSpec("tables_match_index", asset="document_staging",
                      description="Every table the report's own 目录 lists was found (or is declared empty)."),
    dg.AssetCheckSpec("no_unparsed_cells", asset="document_staging",
                      description="Every numeric cell of a budget table became a line item."),
)
# Whether a document's tables add up is not checked here: the identities are defined once, in
# dbt, and `identities_hold` reports their per-document verdict on published_warehouse
# (dagster_project/defs/identities.py).


def document_findings(outcomes: list[DocumentOutcome]) -> dict[str, dict[str, str]]:
    """Per check, the documents that fail it and why (for the documents staged in this run).
    The workers that staged the documents computed them (dagster_project.document_checks)."""
    findings: dict[str, dict[str, str]] = {spec.name: {} for spec in DOCUMENT_CHECKS}
    for outcome in outcomes:
        for check, message in outcome.findings.items():
            findings[check][outcome.source_path] = message
    return findings


def document_checks(outcomes: list[DocumentOutcome], skipped: int) -> list[dg.AssetCheckResult]:
    """The checks of the extraction over the documents this run extracted, each naming the
    documents that fail it and why. A run that extracted nothing (every file unchanged) checked
    nothing: it says so and does not pass (Dagster has no "not run" result for a check an asset
    must yield), pointing to the published findings, which `published_warehouse` reports per
    department."""
    findings = document_findings(outcomes)
    results = []
    for spec in DOCUMENT_CHECKS:
        failing = findings[spec.name]
        if not outcomes:
            description = (f"checked nothing: none of the {skipped} document(s) of this run changed, so none was "
                           "extracted; the published findings are on published_warehouse › publisher_figures_reconcile")
        elif failing:
            description = f"{len(failing)} of {len(outcomes)} document(s): " + "; ".join(
                f"{path}: {why}" for path, why in sorted(failing.items())[:3]) + ("; …" if len(failing) > 3 else "")
        else:
            description = f"holds for all {len(outcomes)} document(s) extracted in this run"
        results.append(dg.AssetCheckResult(
            check_name=spec.name, passed=bool(outcomes) and not failing, severity=dg.AssetCheckSeverity.WARN,
            description=description,
            metadata={"documents_checked": len(outcomes), "unchanged_not_checked": skipped, "failing": len(failing),
                      "details": dg.MetadataValue.json(failing)},
        ))
    return results


@dg.asset(
    partitions_def=documents_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    deps=[raw_documents],
    check_specs=DOCUMENT_CHECKS,
    retry_policy=dg.RetryPolicy(max_retries=2, delay=2),
    group_name="documents",
    kinds={"python", "polars", "parquet"},
)
def document_staging(context: dg.AssetExecutionContext, paths: BudgetPaths, progress: dg.ResourceParam[Progress]):
    """Extract each changed report of the run's partitions into staging Parquet (tables, line
    items, projects, indicators, unparsed cells), exact amounts in yuan."""
    store, config = paths.store, paths.settings
    work = plan(paths.raw, store, limits=config.limits)
    for line in work.repairs:  # damaged staging: set aside by staging its document again
        context.log.warning(line)
    by_key = {partition_key(display): display for display in work.files}
    selected = [by_key[k] for k in context.partition_keys if k in by_key]
    changed = set(work.changed)
    todo = [d for d in selected if d in changed]
    progress.start(context, len(todo))
    started = time.perf_counter()
    outcomes = stage_documents([(d, work.files[d]) for d in todo], store, workers=config.workers, limits=config.limits,
                               on_done=lambda o: progress.advance(o.source_path))
    pool_seconds = time.perf_counter() - started  # the rest of the step is Dagster's bookkeeping
    yield from document_checks(outcomes, skipped=len(selected) - len(todo))
    statuses: dict[str, int] = {}
    for o in outcomes:
        statuses[o.status] = statuses.get(o.status, 0) + 1
    yield dg.MaterializeResult(metadata={
        "extracted": len(outcomes),
        "unchanged_skipped": len(selected) - len(todo),
        "worker_cpu_seconds": round(sum(o.cpu_seconds for o in outcomes), 3),
        "normalize_cpu_seconds": round(sum(o.normalize_cpu_seconds for o in outcomes), 3),
        "pool_wall_seconds": round(pool_seconds, 3),
        "statuses": dg.MetadataValue.json(statuses),
        "line_items": sum(o.line_items for o in outcomes),
        "unparsed_cells": sum(o.unparsed for o in outcomes),
        "quarantined": dg.MetadataValue.json(
            {o.source_path: o.status_reason for o in outcomes if o.status not in LOADED}),
        "repairs": dg.MetadataValue.json(list(work.repairs) + [line for o in outcomes for line in o.repairs]),
    })


STAGING_SPECS = [
    dg.AssetSpec(["staging", entity], group_name="documents", kinds={"parquet"}, deps=[document_staging],
                 description=f"staging/{entity}/*.parquet (contract: docs/staging.md)")
    for entity in SCHEMAS
]


@dg.multi_asset(specs=STAGING_SPECS)
def staging(context: dg.AssetExecutionContext, paths: BudgetPaths):
    """Corpus-wide settling after the documents are staged: files gone from the raw folder leave
    staging, documents with the same facts as another become duplicates. Fails (so nothing is
    published) when there are reports but none of them could be loaded."""
    store, limits = paths.store, paths.settings.limits
    work = plan(paths.raw, store, limits=limits)
    repairs: list[str] = []
    final = settle(store, work.removed, files=work.files, repairs=repairs, limits=limits)
    for line in repairs:
        context.log.warning(line)
    loaded = sum(1 for status, _ in final.values() if status in LOADED)
    if work.files and not loaded:
        raise dg.Failure(
            description=f"none of the {len(work.files)} reports could be loaded; "
                        "the published warehouse is left as it was",
            metadata={"statuses": dg.MetadataValue.json({p: s for p, s in final.items()})},
        )
    counts: dict[str, int] = {}
    for status, _ in final.values():
        counts[status] = counts.get(status, 0) + 1
    for spec in STAGING_SPECS:
        entity = spec.key.path[-1]
        yield dg.MaterializeResult(asset_key=spec.key, metadata={
            "files": len([p for p in (store.root / entity).glob("*.parquet") if p.name != "_schema.parquet"]),
            "documents_by_status": dg.MetadataValue.json(counts),
            "removed": dg.MetadataValue.json(work.removed),
        })
