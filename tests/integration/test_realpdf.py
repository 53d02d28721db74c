"""The twelve real Jiangsu PDFs through the PDF reader, into staging.

The files are read from ../shared/realpdf (never copied into the repository) by the real
ingest stage. They must give the headline figures of ../shared/realpdf/README.md exactly,
make six disclosures of two departments over three years (a narrative file and a tables
file each), and give the values read by hand off their pages (tests/gold/realpdf/*.yaml:
each value with its page and the text printed there, which the first test finds on that
page with pdfplumber, so a gold file cannot drift from its PDF).
"""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pdfplumber
import polars as pl
import pytest
import yaml

from dagster_project.ingest import run_ingest
from dagster_project.text.cells import fold
from dagster_project.staging.store import StagingStore

from tests.conftest import REALPDF

JIANGSU = REALPDF / "jiangsu"
ZX, SW = "江苏省政协办公厅", "江苏省委办公厅"
GOLD = {p.stem: yaml.safe_load(p.read_text(encoding="utf-8"))
        for p in sorted((Path(__file__).parents[1] / "gold" / "realpdf").glob("*.yaml"))}

# ../shared/realpdf/README.md (万元): 支出合计, 基本支出, 项目支出, 单位预留机动经费, 财政拨款
HEADLINES = {
    f"{ZX}/2017年度部门预算公开表.pdf": ("9,146.79", "5,916.27", "3,123.68", "106.84", "9,066.79"),
    f"{ZX}/江苏省政协办公厅2018度部门预算公开表.pdf": ("10,150.48", "5,678.17", "3,314.68", "1,157.63", "10,070.48"),
    f"{ZX}/江苏省政协办公厅2019年预算公开表.pdf": ("13,377.11", "6,522.75", "4,968.34", "1,886.02", "13,297.11"),
    f"{SW}/江苏省委办公厅2017年预算公开表格.pdf": ("20,849.45", "9,964.07", "10,688.66", "196.72", "20,702.25"),
    f"{SW}/江苏省委办公厅2018年度部门预算公开表.pdf": ("24,458.43", "10,403.11", "12,081.46", "1,973.86", "24,458.43"),
    f"{SW}/江苏省委办公厅2019年度部门预算公开表格.pdf": ("27,664.22", "11,700.63", "13,025.38", "2,938.21", "27,664.22"),
}


@pytest.fixture(scope="module")
def staged(tmp_path_factory):
    """The twelve PDFs through run_ingest: (store, {source path: document row})."""
    root = tmp_path_factory.mktemp("realpdf") / "staging"
    run_ingest(JIANGSU, root, files=sorted(JIANGSU.rglob("*.pdf")))  # not the CSV lying beside them
    store = StagingStore(root)
    docs = {r["source_path"]: r for r in store.read("documents").iter_rows(named=True)}
    return store, docs


def _items(store: StagingStore, doc_id: str) -> pl.DataFrame:
    items = pl.read_parquet(store.path("line_items", doc_id))
    tables = pl.read_parquet(store.path("tables", doc_id)).select("table_id", "title", "page_from", "page_to")
    return items.join(tables, on="table_id", how="left")


def _yuan(printed: str) -> Decimal:
    return Decimal(printed.replace(",", "")) * 10000  # 万元 -> yuan


@pytest.mark.parametrize("relative", sorted(HEADLINES))
def test_headline_figures(relative, staged):
    """收支预算总表: 支出合计 (= 收入合计), 基本支出, 项目支出, 单位预留机动经费, 财政拨款."""
    store, docs = staged
    doc = docs[relative]
    assert (doc["status"], doc["status_reason"], doc["format"]) == ("ok", None, "pdf")
    items = _items(store, doc["doc_id"]).filter(pl.col("table_kind") == "budget_summary")
    total, basic, project, reserve, appropriation = (_yuan(v) for v in HEADLINES[relative])
    totals = items.filter(pl.col("code").is_null() & pl.col("row_label").str.contains("合计|总计"))
    assert dict(zip(totals["row_label"], totals["amount_yuan"])) == {"收入合计": total, "支出合计": total}
    assert items.filter(pl.col("measure") == "basic")["amount_yuan"].to_list() == [basic]
    assert items.filter(pl.col("measure") == "project")["amount_yuan"].to_list() == [project]
    assert items.filter(pl.col("measure") == "reserve")["amount_yuan"].to_list() == [reserve]
    assert items.filter(pl.col("fund_source") == "fiscal_appropriation")["amount_yuan"].to_list() == [appropriation]
    assert basic + project + reserve == total


def test_twelve_files_make_six_disclosures_of_two_departments(staged):
    """A narrative file and a tables file per department and year: one disclosure each;
    中国共产党江苏省委员会办公厅 / 中共江苏省委办公厅 / 江苏省委办公厅 are one department."""
    _, docs = staged
    assert len(docs) == 12
    by_disclosure: dict[str, list[dict]] = {}
    for doc in docs.values():
        by_disclosure.setdefault(doc["disclosure_id"], []).append(doc)
    assert len(by_disclosure) == 6 and None not in by_disclosure
    assert {d["department_key"] for d in docs.values()} == {"江苏省政协办公厅", "中共江苏省委办公厅"}
    assert {d["fiscal_year"] for d in docs.values()} == {2017, 2018, 2019}
    expected = {(g["department_key"], g["fiscal_year"], g["files"]["narrative"], g["files"]["tables"]) for g in GOLD.values()}
    found = set()
    for group in by_disclosure.values():
        narrative, tables = sorted(group, key=lambda d: d["n_line_items"])
        assert narrative["department_key"] == tables["department_key"]
        assert narrative["fiscal_year"] == tables["fiscal_year"]
        found.add((tables["department_key"], tables["fiscal_year"], narrative["source_path"], tables["source_path"]))
        # the facts are the tables file's: the narrative file adds none
        assert narrative["n_line_items"] == 0 and tables["n_line_items"] > 150
        assert narrative["status"] == "ok" and "narrative only" in narrative["notes"]
    assert found == expected


def test_printed_department_names(staged):
    _, docs = staged
    names = {docs[r]["department_name"] for r in HEADLINES if r.startswith(SW)}
    assert names == {"中国共产党江苏省委员会办公厅", "中共江苏省委办公厅"}


def test_every_disclosure_has_enough_gold_values():
    assert sorted(GOLD) == ["sw-2017", "sw-2018", "sw-2019", "zx-2017", "zx-2018", "zx-2019"]
    assert all(len(g["line_items"]) >= 25 for g in GOLD.values())


@pytest.mark.parametrize("disclosure", sorted(GOLD))
def test_gold_raw_text_is_on_its_page(disclosure):
    wanted: dict[tuple[str, int], set[str]] = {}
    for entry in GOLD[disclosure]["line_items"]:
        wanted.setdefault((entry["file"], entry["page"]), set()).add(entry["raw"])
    missing = []
    for (file, page), raws in sorted(wanted.items()):
        with pdfplumber.open(JIANGSU / file) as pdf:
            words = set((pdf.pages[page - 1].extract_text() or "").split())
        missing += [(file, page, raw) for raw in sorted(raws) if raw not in words]
    assert missing == []


@pytest.mark.parametrize("disclosure", sorted(GOLD))
def test_gold_line_items(disclosure, staged):
    store, docs = staged
    gold = GOLD[disclosure]
    doc = docs[gold["files"]["tables"]]
    assert (doc["department_key"], doc["fiscal_year"]) == (gold["department_key"], gold["fiscal_year"])
    items = _items(store, doc["doc_id"])
    misses = []
    for entry in gold["line_items"]:
        candidates = items.filter(
            (pl.col("raw_text") == entry["raw"]) & (pl.col("page_from") <= entry["page"])
            & (pl.col("page_to") >= entry["page"]) & (pl.col("table_kind") == entry["table_kind"])
        ).to_dicts()
        want = {"code": entry["code"], "measure": entry["measure"], "fund_source": entry["fund_source"],
                "value_year": entry["value_year"], "amount_yuan": Decimal(entry["amount_yuan"])}

        def fits(c: dict) -> bool:
            if any(c[k] != v for k, v in want.items()) or fold(c["title"]) != fold(entry["table_title"]):
                return False
            if "row_label" in entry:
                return fold(c["row_label"]) == fold(entry["row_label"])
            return fold(re.split(r"\s*/\s*", entry["column"])[-1]) in fold(c["column_label"])

        if not any(fits(c) for c in candidates):
            got = [{k: c[k] for k in (*want, "row_label", "column_label", "title")} for c in candidates]
            misses.append({"page": entry["page"], "raw": entry["raw"], "want": want, "got": got})
    assert misses == []


def test_extract_command_shows_a_real_pdf(capsys):
    from dagster_project.cli import main

    assert main(["extract", str(JIANGSU / f"{SW}/江苏省委办公厅2018年度部门预算公开表.pdf")]) == 0
    out = capsys.readouterr().out
    assert "status=ok" in out and "department=中共江苏省委办公厅" in out and "year=2018" in out
    assert "收支预算总表" in out and "244584300.00" in out and "单位预留机动经费" in out
