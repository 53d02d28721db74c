"""The `identities_hold` check: per document, do the publisher's tables add up?

The within-table accounting identities are defined once, in dbt (`dbt/macros/identities.sql`);
`int_quality_within_table` lists every instance and `marts.mart_data_quality` judges it. This
check reports that result per document, from the published mart, so the verdict Dagster shows
is the mart's, never a second computation that could disagree with it. It belongs to
`published_warehouse` (where the result exists): `IDENTITIES_CHECK` goes in that asset's
`check_specs` and `identities_check(published)` is yielded after the publish.
"""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from dagster_project.quality import DocumentIdentities, document_identity_verdicts

BREAKS_SHOWN = 5  # per document in the details (the mart has them all)

IDENTITIES_CHECK = dg.AssetCheckSpec(
    "identities_hold", asset="published_warehouse",
    description="Within-table identities hold to the rounding tolerance in every loaded document "
                "(marts.mart_data_quality, check_scope within_table; publisher errors warn).")


def _why(document: DocumentIdentities) -> str:
    """The identities a document breaks, with their numbers, as one line."""
    shown = "; ".join(b.line() for b in document.breaks[:BREAKS_SHOWN])
    more = len(document.breaks) - BREAKS_SHOWN
    return shown + (f" (+{more} more)" if more > 0 else "")


def identities_check(published: Path) -> dg.AssetCheckResult:
    """The `identities_hold` result of a published warehouse: each loaded document passes when
    none of its within-table instances in mart_data_quality is outside tolerance; the metadata
    names the failing documents, each with its identities and numbers. A warehouse with no
    loaded document checked nothing and says so instead of passing."""
    documents = document_identity_verdicts(published)
    failing = {d.source_path: _why(d) for d in documents if not d.holds}
    if not documents:
        description = "checked nothing: the published warehouse has no loaded document"
    elif failing:
        description = f"{len(failing)} of {len(documents)} document(s): " + "; ".join(
            f"{path}: {why}" for path, why in sorted(failing.items())[:3]) + ("; …" if len(failing) > 3 else "")
    else:
        description = f"holds for all {len(documents)} loaded document(s)"
    return dg.AssetCheckResult(
        check_name=IDENTITIES_CHECK.name, passed=bool(documents) and not failing,
        severity=dg.AssetCheckSeverity.WARN, description=description,
        metadata={"documents_checked": len(documents), "failing": len(failing),
                  "instances_not_passing": sum(len(d.breaks) for d in documents),
                  "details": dg.MetadataValue.json(failing)})
