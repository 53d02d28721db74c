"""What the per-document checks on `document_staging` say about one staged document.

Computed by the worker that staged the document, from its staging row, so that Dagster can
report per document without reading staging again. Only checks of the extraction itself live
here (every listed table found, every numeric cell interpreted): whether the publisher's
figures add up is an accounting identity, defined once in dbt (`dbt/macros/identities.sql`),
and its per-document verdict is read from the published `marts.mart_data_quality`
(`dagster_project.quality.document_identity_verdicts`, the `identities_hold` check on
`published_warehouse`).
"""

from __future__ import annotations

from typing import Any


def document_findings(doc: dict[str, Any]) -> dict[str, str]:
    """The failing per-document checks of one staged document (its staging row as a dict), by
    check name, with why; a check that passes does not appear."""
    findings: dict[str, str] = {}
    if doc.get("index_missing"):
        findings["tables_match_index"] = f"listed in its 目录 but not found: {doc['index_missing']}"
    if doc.get("n_unparsed"):
        findings["no_unparsed_cells"] = f"{doc['n_unparsed']} numeric cells not interpreted"
    return findings
