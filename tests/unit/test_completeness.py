"""Every amount lands once: an independent scan of the sample text against staging.

The scan knows nothing of the parser beyond where each budget table starts and ends. It
splits each line of a table on the separators the dump uses (pipes, tabs, runs of spaces)
and counts cells that are unmistakably amounts: a number with a decimal point or thousands
separators. Bare integers are left out of the scan because in budget tables they are codes
(208, 2101501, 231001), sequence numbers and column numbers as often as amounts.
"""

from __future__ import annotations

import re

import polars as pl
import pytest

from dagster_project.parsing.classify import BUDGET_KINDS
from dagster_project.staging.store import StagingStore

from tests.conftest import RAW, SAMPLES

AMOUNT = re.compile(r"^[-−]?(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+\.\d+)$")
SEPARATORS = re.compile(r"\||\t| {2,}|\u3000{2,}")


def scan(lines: list[str]) -> int:
    return sum(1 for line in lines for cell in SEPARATORS.split(line) if AMOUNT.match(cell.strip()))


@pytest.mark.parametrize("sample", SAMPLES)
def test_every_amount_cell_is_a_line_item_or_reported(sample, staging):
    store = StagingStore(staging)
    doc = store.read("documents").filter(pl.col("source_path") == sample)
    doc_id = doc["doc_id"][0]
    lines = (RAW / sample).read_text(encoding="utf-8").split("\n")
    tables = pl.read_parquet(store.path("tables", doc_id)).filter(pl.col("table_kind").is_in(BUDGET_KINDS))
    items = pl.read_parquet(store.path("line_items", doc_id))
    unparsed = pl.read_parquet(store.path("unparsed_cells", doc_id))
    assert unparsed.height == 0, unparsed.to_dicts()
    mismatches = []
    for table in tables.iter_rows(named=True):
        printed = table["line_from"] is not None  # tables listed as 空表 in the 目录 have no grid
        expected = scan(lines[table["line_from"] - 1 : table["line_to"]]) if printed else 0
        mine = items.filter(pl.col("table_id") == table["table_id"])
        got = sum(1 for raw in mine["raw_text"] if AMOUNT.match(raw.strip()))
        if expected != got:
            mismatches.append((table["table_order"], table["title"], expected, got))
    assert mismatches == []
    assert tables.height >= 8
