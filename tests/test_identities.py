"""Within-table identities over staging hold for every sample within the DESIGN tolerance."""

from __future__ import annotations

from decimal import Decimal

import polars as pl
import pytest

from dagster_project.identities import check_identities, tolerance
from dagster_project.staging.store import StagingStore

from .conftest import SAMPLES


def test_tolerance_follows_printed_precision():
    assert tolerance(2, 10000) == Decimal("150")  # 万元: 50 yuan per term
    assert tolerance(1, 1) == Decimal("0.01")  # 元: half a fen per term


@pytest.mark.parametrize("sample", SAMPLES)
def test_within_table_identities_hold(sample, staging):
    store = StagingStore(staging)
    doc_id = store.read("documents").filter(pl.col("source_path") == sample)["doc_id"][0]
    items = pl.read_parquet(store.path("line_items", doc_id))
    findings, checked = check_identities(items)
    assert checked > 20
    assert findings == []


def test_rounding_in_source_is_within_tolerance(staging):
    """汾阳 prints 74.55 + 1793.21 = 1867.77 (万元): 100 yuan off, inside 150 yuan tolerance."""
    store = StagingStore(staging)
    doc_id = store.read("documents").filter(pl.col("source_path").str.starts_with("002"))["doc_id"][0]
    items = pl.read_parquet(store.path("line_items", doc_id))
    row = items.filter((pl.col("table_kind") == "expenditure_summary") & (pl.col("row_label") == "合计"))
    by = {r["measure"]: r["amount_yuan"] for r in row.iter_rows(named=True)}
    assert by["total"] - by["basic"] - by["project"] == Decimal("100.00")
