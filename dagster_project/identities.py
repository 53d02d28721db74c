"""Within-table accounting identities over staging line items, with the DESIGN tolerance.

A value printed with step d in unit u is off by at most d*u/2, so an identity over n terms
and a printed total holds within (n + 1) * d * u / 2 (50 yuan per term in 万元 tables, half
a fen in 元 tables). A broken identity in a source is data-quality information, reported
with its numbers; it is never "fixed".
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

import polars as pl

STEP = Decimal("0.01")
# Disjoint spending categories whose sum is a row's total.
TOP_CATEGORIES = ("basic", "project", "reserve", "transfer_to_superior", "business_operation",
                  "subsidy_to_affiliates")


@dataclass(frozen=True)
class Finding:
    table_id: str
    rule: str
    where: str
    expected: Decimal
    actual: Decimal
    tolerance: Decimal

    @property
    def difference(self) -> Decimal:
        return self.actual - self.expected


def tolerance(n_terms: int, multiplier: int) -> Decimal:
    return (n_terms + 1) * STEP * multiplier / 2


def _check(findings, table_id, rule, where, total, parts, multiplier, checked):
    checked.append(rule)
    actual = sum(parts, Decimal("0"))
    tol = tolerance(len(parts), multiplier)
    if abs(actual - total) > tol:
        findings.append(Finding(table_id, rule, where, total, actual, tol))


def check_identities(items: pl.DataFrame | list[dict]) -> tuple[list[Finding], int]:
    """(violations, number of identities checked) for expenditure-style tables. `items` are
    staging line items, as a frame or as its rows (the staging worker has the rows at hand)."""
    findings: list[Finding] = []
    checked: list[str] = []
    all_rows = items.to_dicts() if isinstance(items, pl.DataFrame) else items
    # 1. row total = Σ top-level categories (or personnel + public_admin when basic is absent).
    by_row: dict[tuple, dict[str, Decimal]] = defaultdict(dict)
    mult: dict[tuple, int] = {}
    for r in all_rows:
        if r["code_system"] not in ("function", "none", "econ_department"):
            continue
        # row_label and code separate the panels of side-by-side tables sharing a grid row
        key = (r["table_id"], r["source_row"], r["row_label"], r["code"], r["fund_source"],
               r["value_year"], r["paired_code"])
        by_row[key].setdefault(r["measure"], r["amount_yuan"])
        mult[key] = r["unit_multiplier"]
    for key, measures in by_row.items():
        if "total" not in measures:
            continue
        parts = [measures[m] for m in TOP_CATEGORIES if m in measures]
        if "basic" not in measures:
            parts += [measures[m] for m in ("personnel", "public_admin") if m in measures]
        if parts:
            _check(findings, key[0], "row total = Σ categories", f"row {key[1]}", measures["total"], parts, mult[key], checked)
        if "basic" in measures and ("personnel" in measures or "public_admin" in measures):
            sub = [measures[m] for m in ("personnel", "public_admin") if m in measures]
            _check(findings, key[0], "basic = personnel + public_admin", f"row {key[1]}", measures["basic"], sub, mult[key], checked)
    # 2. 类 = Σ 款 = Σ 项 by code prefix, per table, column, unit code and paired code.
    groups: dict[tuple, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    top_level: dict[tuple, list[Decimal]] = defaultdict(list)  # (table, column) -> its 类 rows
    for r in all_rows:
        if r["code_system"] not in ("function", "econ_department") or r["code"] is None:
            continue
        key = (r["table_id"], r["source_col"], r["budget_unit_code"], r["code_system"])
        groups[key][r["code"]] += r["amount_yuan"]  # rows pairing one 部门 code with several 政府 codes add up
        mult[key] = r["unit_multiplier"]
        if len(r["code"]) == 3 and r["budget_unit_code"] is None:
            top_level[(r["table_id"], r["source_col"])].append(r["amount_yuan"])
    for key, plain in groups.items():
        children_of: dict[str, list[Decimal]] = defaultdict(list)
        for code, value in plain.items():
            if len(code) > 3:
                children_of[code[:-2]].append(value)
        for parent, value in plain.items():
            if children := children_of.get(parent):
                _check(findings, key[0], "parent code = Σ child codes", f"code {parent} col {key[1]}", value, children, mult[key], checked)
    # 3. column total row = Σ top-level (类) rows.
    totals = [r for r in all_rows if r["code"] is None and r["row_label"] in ("合计", "总计")]
    for t in totals:
        tops = top_level.get((t["table_id"], t["source_col"]))
        if tops:
            _check(findings, t["table_id"], "column total = Σ top-level rows", f"col {t['source_col']}",
                   t["amount_yuan"], tops, t["unit_multiplier"], checked)
    return findings, len(checked)


def document_findings(doc: dict, items: pl.DataFrame | list[dict]) -> dict[str, str]:
    """What the per-document checks say about one staged document (its staging row as a dict
    and its line items), by check name; only failing checks appear. Computed by the worker
    that staged the document, while its rows are still in memory."""
    findings: dict[str, str] = {}
    if doc.get("index_missing"):
        findings["tables_match_index"] = f"listed in its 目录 but not found: {doc['index_missing']}"
    if doc.get("n_unparsed"):
        findings["no_unparsed_cells"] = f"{doc['n_unparsed']} numeric cells not interpreted"
    broken, checked = check_identities(items)
    if broken:
        findings["identities_hold"] = "; ".join(
            f"{f.rule} at {f.where}: {f.expected} vs {f.actual}" for f in broken[:5]
        ) + (f" (+{len(broken) - 5} more)" if len(broken) > 5 else "") + f" of {checked} checked"
    return findings
