"""What "the same facts" means when one report is read from two formats.

Provenance (source row, column, line, page, raw text, table order) differs by format and is
left out; everything an analyst would query is kept. The multiset form makes a lost, doubled
or altered amount show up as a difference rather than cancel out.
"""

from __future__ import annotations

from collections import Counter

from dagster_project.parsing.extract import Extraction


def line_item_facts(extraction: Extraction) -> Counter:
    """Each line item as (kind, label, unit code, code, system, paired code, measure, fund,
    year, yuan)."""
    return Counter(
        (li.table_kind, li.row_label, li.budget_unit_code or "", li.code or "", li.code_system,
         li.paired_code or "", li.measure, li.fund_source, li.value_year, str(li.amount_yuan))
        for li in extraction.line_items
    )


def project_facts(extraction: Extraction) -> Counter:
    return Counter(
        (p.project_name, p.project_code or "", p.project_type or "", p.budget_unit_code or "",
         p.fund_source, p.value_year, str(p.amount_yuan))
        for t in extraction.tables for p in t.projects
    )


def indicator_facts(extraction: Extraction) -> Counter:
    return Counter(
        (i.subject, i.level1, i.level2, i.level3, i.operator, i.target_value, i.target_unit, str(i.weight))
        for t in extraction.tables for i in t.indicators
    )


def fact_differences(expected: Extraction, actual: Extraction) -> dict[str, tuple[Counter, Counter]]:
    """Per fact kind: (missing from actual, extra in actual); empty when the facts agree."""
    out = {}
    for name, facts in (("line_items", line_item_facts), ("projects", project_facts),
                        ("indicators", indicator_facts)):
        a, b = facts(expected), facts(actual)
        if a != b:
            out[name] = (a - b, b - a)
    return out
