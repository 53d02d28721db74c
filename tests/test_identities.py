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


# Where the publisher's own table does not add up. Each entry: (table title, rule, where,
# printed value, computed sum), all in yuan.
SOURCE_ERRORS = {
    "003_9360114ddfdd9c2c.txt": [
        # 单位预算支出总表: 208 prints 基本支出 48.84 万元, but its children 20805 (48.84) and
        # 20899 (5.00, printed under 基本支出 although 208 puts those 5.00 under 项目支出) sum to 53.84.
        ("单位预算支出总表", "parent code = Σ child codes", "code 208 col 4",
         Decimal("488400.00"), Decimal("538400.00")),
    ],
}


@pytest.mark.parametrize("sample", SAMPLES)
def test_within_table_identities_hold(sample, staging):
    store = StagingStore(staging)
    doc_id = store.read("documents").filter(pl.col("source_path") == sample)["doc_id"][0]
    items = pl.read_parquet(store.path("line_items", doc_id))
    titles = dict(pl.read_parquet(store.path("tables", doc_id)).select("table_id", "title").iter_rows())
    findings, checked = check_identities(items)
    assert checked > 20
    found = [(titles[f.table_id], f.rule, f.where, f.expected, f.actual) for f in findings]
    assert found == SOURCE_ERRORS.get(sample, [])


def test_rounding_in_source_is_within_tolerance(staging):
    """汾阳 prints 74.55 + 1793.21 = 1867.77 (万元): 100 yuan off, inside 150 yuan tolerance."""
    store = StagingStore(staging)
    doc_id = store.read("documents").filter(pl.col("source_path").str.starts_with("002"))["doc_id"][0]
    items = pl.read_parquet(store.path("line_items", doc_id))
    row = items.filter((pl.col("table_kind") == "expenditure_summary") & (pl.col("row_label") == "合计"))
    by = {r["measure"]: r["amount_yuan"] for r in row.iter_rows(named=True)}
    assert by["total"] - by["basic"] - by["project"] == Decimal("100.00")
