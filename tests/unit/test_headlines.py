"""The headline figures of ../shared/seeds/README.md, read from staging line items."""

from __future__ import annotations

from decimal import Decimal

import polars as pl
import pytest

from dagster_project.staging.store import StagingStore

HEADLINES = {
    # sample: (total expenditure, basic, project, 三公 this year, 2101501 行政运行) in yuan
    "000_6f7a8188d183d2a4.txt": ("4464272.00", "4104272.00", "360000.00", "0", "616340.00"),
    "001_7457e2252370b02a.txt": ("165061900", "55441900", "109620000", "195000", "9024600"),
    "002_ef53abe7e74d0ed0.txt": ("18677700", "745500", "17932100", "75000", "559800"),
    "003_9360114ddfdd9c2c.txt": ("65963600", "2983000", "62980600", "25000", "4813900"),
    "004_c7edf4338a4ef304.txt": ("163904100", "8104600", "155799500", "0", "5856400"),
}
SUMMARY_KINDS = ["expenditure_summary", "general_budget_expenditure", "basic_expenditure", "budget_summary"]


def _total_row(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.filter(pl.col("code").is_null() & pl.col("row_label").str.contains("合计|总计"))


def _first(frame: pl.DataFrame, kinds: list[str]) -> Decimal | None:
    for kind in kinds:
        hit = frame.filter(pl.col("table_kind") == kind).sort("source_line", "source_col")
        if hit.height:
            return hit["amount_yuan"][0]
    return None


def headline(items: pl.DataFrame, year: int) -> tuple:
    totals = _total_row(items)
    total = _first(totals.filter((pl.col("measure") == "total") & (pl.col("fund_source") == "all")),
                   ["expenditure_summary", "budget_summary"])
    basic = _first(totals.filter(pl.col("measure") == "basic"), SUMMARY_KINDS)
    if basic is None:
        basic = _first(totals.filter(pl.col("measure") == "total"), ["basic_expenditure"])
    project = _first(totals.filter(pl.col("measure") == "project"), SUMMARY_KINDS)
    three = _first(items.filter((pl.col("code") == "total") & (pl.col("value_year") == year)), ["three_public"])
    admin = _first(items.filter((pl.col("code") == "2101501") & (pl.col("measure") == "total")),
                   ["expenditure_summary", "general_budget_expenditure"])
    return total, basic, project, three if three is not None else Decimal("0"), admin


@pytest.mark.parametrize("sample", sorted(HEADLINES))
def test_headline_figures(sample, staging):
    store = StagingStore(staging)
    docs = store.read("documents").filter(pl.col("source_path") == sample)
    assert docs.height == 1 and docs["status"][0] == "ok", docs.to_dicts()
    doc_id, year = docs["doc_id"][0], docs["fiscal_year"][0]
    items = pl.read_parquet(store.path("line_items", doc_id))
    expected = tuple(Decimal(v) for v in HEADLINES[sample])
    assert headline(items, year) == expected
