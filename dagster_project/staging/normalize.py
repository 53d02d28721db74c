"""Extraction results to staging frames (Polars), one frame per entity, per the DESIGN contract.

Amounts go from Python Decimal straight into Polars Decimal(18, 2): no float ever holds money.
"""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal

import polars as pl

from dagster_project.parsing.classify import BUDGET_KINDS
from dagster_project.parsing.extract import DocumentInfo, Extraction
from dagster_project.parsing.performance import project_name_key

MONEY = pl.Decimal(18, 2)
WEIGHT = pl.Decimal(18, 4)  # 指标权重 / 分值 of a performance indicator (not money)

SCHEMAS: dict[str, dict[str, pl.DataType]] = {
    "documents": {
        "doc_id": pl.String, "source_path": pl.String, "sha256": pl.String, "format": pl.String,
        "encoding": pl.String, "department_name": pl.String, "department_key": pl.String,
        "unit_code": pl.String, "region_province": pl.String, "region_city": pl.String,
        "region_county": pl.String, "fiscal_year": pl.Int32, "scope": pl.String,
        "disclosure_id": pl.String, "published_date": pl.String, "status": pl.String,
        "status_reason": pl.String, "notes": pl.String, "facts_fingerprint": pl.String,
        "n_tables": pl.Int32, "n_line_items": pl.Int32, "n_unparsed": pl.Int32,
        "index_listed": pl.Int32, "index_missing": pl.String,
    },
    "tables": {
        "doc_id": pl.String, "table_id": pl.String, "table_order": pl.Int32,
        "table_kind": pl.String, "title": pl.String, "unit": pl.String,
        "unit_multiplier": pl.Int64, "fiscal_year": pl.Int32, "page_from": pl.Int32,
        "page_to": pl.Int32, "line_from": pl.Int32, "line_to": pl.Int32, "n_rows": pl.Int32,
        "n_cols": pl.Int32, "header_rows": pl.Int32, "confidence": pl.Float64,
        "classify_reason": pl.String, "declared_empty": pl.Boolean, "empty_reason": pl.String,
        "layout": pl.String,
    },
    "line_items": {
        "doc_id": pl.String, "table_id": pl.String, "table_kind": pl.String,
        "source_row": pl.Int32, "source_col": pl.Int32, "source_line": pl.Int32,
        "row_label": pl.String, "column_label": pl.String, "budget_unit_code": pl.String,
        "code": pl.String, "code_system": pl.String, "code_level": pl.String,
        "paired_code": pl.String, "paired_code_system": pl.String, "measure": pl.String,
        "fund_source": pl.String, "value_year": pl.Int32, "amount_yuan": MONEY,
        "raw_text": pl.String, "unit_multiplier": pl.Int64, "is_total": pl.Boolean,
        "side": pl.String,
    },
    "unparsed_cells": {
        "doc_id": pl.String, "table_id": pl.String, "source_row": pl.Int32,
        "source_col": pl.Int32, "source_line": pl.Int32, "raw_text": pl.String, "reason": pl.String,
    },
    "projects": {
        "doc_id": pl.String, "table_id": pl.String, "source_row": pl.Int32,
        "source_line": pl.Int32, "project_name": pl.String, "project_code": pl.String,
        "project_type": pl.String, "budget_unit_code": pl.String, "fund_source": pl.String,
        "value_year": pl.Int32, "amount_yuan": MONEY, "table_kind": pl.String,
        "project_name_key": pl.String,
    },
    "performance_indicators": {
        "doc_id": pl.String, "table_id": pl.String, "source_row": pl.Int32,
        "source_line": pl.Int32, "subject": pl.String, "level1": pl.String, "level2": pl.String,
        "level3": pl.String, "operator": pl.String, "target_value": pl.String,
        "target_unit": pl.String, "raw_text": pl.String, "weight": WEIGHT,
        "subject_key": pl.String, "project_code": pl.String,
    },
    "narrative_amounts": {
        "doc_id": pl.String, "text_index": pl.Int32, "text_offset": pl.Int32, "topic": pl.String,
        "code": pl.String,
        "fund_source": pl.String, "amount_yuan": MONEY, "count": pl.Int32, "unit": pl.String,
        "printed_decimals": pl.Int32, "of_part": pl.Boolean, "value_year": pl.Int32, "raw_text": pl.String,
    },
}
FACT_ENTITIES = ("tables", "line_items", "unparsed_cells", "projects", "performance_indicators",
                 "narrative_amounts")


def printed_decimals(amount: Decimal | None) -> int | None:
    """Decimals a number was printed with (10,806 -> 0, 4,704.239912 -> 6): the precision a
    narrative statement can be held to ('10,806万元' is right to within half a 万元)."""
    if amount is None:
        return None
    exponent = amount.as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else None


def table_id(doc_id: str, order: int) -> str:
    return f"{doc_id[:16]}-t{order:03d}"


def facts_fingerprint(extraction: Extraction) -> str:
    """Identity of a report's content: whose budget it is (the disclosure: department, year,
    scope) and its facts, without provenance. A GBK copy of a UTF-8 report has different bytes
    but the same fingerprint, so it is a duplicate; two departments that print the same
    numbers do not publish the same report."""
    facts = sorted(
        (li.table_kind, li.code or "", li.paired_code or "", li.budget_unit_code or "", li.measure,
         li.fund_source, str(li.value_year), str(li.amount_yuan), li.row_label)
        for li in extraction.line_items
    )
    # a narrative-only file's content is what it states; either way, whose budget it is belongs to it
    stated = sorted((n.topic, n.code or "", str(n.amount_yuan), str(n.count)) for n in extraction.narrative) \
        if not facts else []
    body = json.dumps([extraction.document.disclosure_id or "", facts, stated], ensure_ascii=False)
    return hashlib.sha256(body.encode()).hexdigest()


def document_frame(doc: DocumentInfo, extraction: Extraction | None, fingerprint: str | None) -> pl.DataFrame:
    budget = [t for t in (extraction.tables if extraction else []) if t.kind in BUDGET_KINDS]
    row = {
        **{k: getattr(doc, k) for k in SCHEMAS["documents"] if hasattr(doc, k) and k not in ("notes", "index_missing")},
        "notes": "; ".join(doc.notes) or None,
        "index_missing": "; ".join(doc.index_missing) or None,
        "facts_fingerprint": fingerprint,
        "n_tables": len(extraction.tables) if extraction else 0,
        "n_line_items": sum(len(t.line_items) for t in budget),
        "n_unparsed": sum(len(t.unparsed) for t in budget),
    }
    return pl.DataFrame([row], schema=SCHEMAS["documents"])


def frame_of(entity: str, rows: list[dict]) -> pl.DataFrame:
    """One entity's rows as a frame in its staging schema."""
    return _frame(entity, rows)


def _frame(entity: str, rows: list[dict]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=SCHEMAS[entity]) if rows else pl.DataFrame(schema=SCHEMAS[entity])


def fact_frames(extraction: Extraction) -> dict[str, pl.DataFrame]:
    """Every staging entity of one document except `documents`."""
    return {entity: _frame(entity, rows) for entity, rows in fact_rows(extraction).items()}


def fact_rows(extraction: Extraction) -> dict[str, list[dict]]:
    """The rows of `fact_frames`, before they become frames."""
    doc_id = extraction.document.doc_id
    tables, items, unparsed, projects, indicators = [], [], [], [], []
    # the code a project form prints (项目编码), by its subject: an indicator grid continued
    # from a form of the previous grid carries its project's code too
    form_codes = {p.project_name: p.project_code for t in extraction.tables if t.kind == "performance_target"
                  for p in t.projects if p.project_code}
    for t in extraction.tables:
        tid = table_id(doc_id, t.order)
        tables.append({
            "doc_id": doc_id, "table_id": tid, "table_order": t.order, "table_kind": t.kind,
            "title": t.title, "unit": t.unit, "unit_multiplier": t.unit_multiplier,
            "fiscal_year": t.year, "page_from": t.page_from, "page_to": t.page_to,
            "line_from": t.line_from, "line_to": t.line_to, "n_rows": t.n_rows, "n_cols": t.n_cols,
            "header_rows": t.header_rows, "confidence": t.confidence,
            "classify_reason": t.classify_reason, "declared_empty": t.declared_empty,
            "empty_reason": t.empty_reason, "layout": t.layout,
        })
        if t.kind not in BUDGET_KINDS:
            continue  # attachments and indexes contribute no amounts
        for li in t.line_items:
            items.append({
                "doc_id": doc_id, "table_id": tid, "table_kind": li.table_kind,
                "source_row": li.source_row, "source_col": li.source_col,
                "source_line": li.source_line, "row_label": li.row_label,
                "column_label": li.column_label, "budget_unit_code": li.budget_unit_code,
                "code": li.code, "code_system": li.code_system, "code_level": li.code_level,
                "paired_code": li.paired_code, "paired_code_system": li.paired_code_system,
                "measure": li.measure, "fund_source": li.fund_source, "value_year": li.value_year,
                "amount_yuan": li.amount_yuan, "raw_text": li.raw_text,
                "unit_multiplier": li.unit_multiplier, "is_total": li.is_total, "side": li.side,
            })
        for u in t.unparsed:
            unparsed.append({
                "doc_id": doc_id, "table_id": tid, "source_row": u.source_row,
                "source_col": u.source_col, "source_line": u.source_line, "raw_text": u.raw_text,
                "reason": u.reason,
            })
        for p in t.projects:
            projects.append({
                "doc_id": doc_id, "table_id": tid, "source_row": p.source_row,
                "source_line": p.source_line, "project_name": p.project_name,
                "project_code": p.project_code, "project_type": p.project_type,
                "budget_unit_code": p.budget_unit_code, "fund_source": p.fund_source,
                "value_year": p.value_year, "amount_yuan": p.amount_yuan,
                # a 项目支出表 row, or the project a 绩效目标表 form states
                "table_kind": t.kind, "project_name_key": project_name_key(p.project_name),
            })
        for ind in t.indicators:
            indicators.append({
                "doc_id": doc_id, "table_id": tid, "source_row": ind.source_row,
                "source_line": ind.source_line, "subject": ind.subject, "level1": ind.level1,
                "level2": ind.level2, "level3": ind.level3, "operator": ind.operator,
                "target_value": ind.target_value, "target_unit": ind.target_unit,
                "raw_text": ind.raw_text,
                "weight": None if ind.weight is None else ind.weight.quantize(Decimal("0.0001")),
                "subject_key": project_name_key(ind.subject), "project_code": form_codes.get(ind.subject),
            })
    narrative = [
        {"doc_id": doc_id, "text_index": n.text_index, "text_offset": n.text_offset, "topic": n.topic,
         "code": n.code,
         "fund_source": n.fund_source, "amount_yuan": n.amount_yuan, "count": n.count, "unit": n.unit,
         "printed_decimals": printed_decimals(n.amount), "of_part": n.of_part, "value_year": n.value_year,
         "raw_text": n.raw_text}
        for n in extraction.narrative
    ]
    return {
        "tables": tables, "line_items": items, "unparsed_cells": unparsed, "projects": projects,
        "performance_indicators": indicators, "narrative_amounts": narrative,
    }


def total_decimal(frame: pl.DataFrame) -> Decimal:
    return frame["amount_yuan"].sum() if frame.height else Decimal("0")
