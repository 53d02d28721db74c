"""Fourteen real PDFs of twelve other publishers' templates (../shared/realpdf/wild/) through the
whole pipeline, as a new user would load them: the folder as it is, README.md included.

The gold is the README's hand-read table (publisher as printed; total / basic / project / 三公 in
yuan), parsed by benchmarks.wild_accuracy so that the README stays the one place the figures
live. The load must publish (no document fails it), every document must be in a disclosure
under its publisher's name, every figure exact to the cent, and the README itself reported as
not a budget report.
"""

from __future__ import annotations

import shutil
from decimal import Decimal

import duckdb
import pytest

from benchmarks.wild_accuracy import observed, read_gold
from dagster_project.load import run_load

from tests.conftest import REALPDF

WILD = REALPDF / "wild"
GOLD = {g.file: g for g in read_gold(WILD / "README.md")}
FIGURES = ("total", "basic", "project", "三公")


def test_the_readme_gives_fourteen_files_and_fifty_six_figures():
    assert len(GOLD) == 14
    assert sum(len(g.figures()) for g in GOLD.values()) == 56
    assert GOLD["hz_sifaju_2026.pdf"].department == "杭州市司法局"  # remark in parentheses dropped
    assert GOLD["xa_qixiangju_2022.pdf"].three_public == Decimal("0.00")


@pytest.fixture(scope="module")
def load(tmp_path_factory):
    raw = tmp_path_factory.mktemp("wild") / "raw"
    shutil.copytree(WILD, raw)  # copied to a temporary folder, never into the repository
    warehouse = raw.parent / "wh" / "budget.duckdb"
    outcome = run_load(raw, warehouse)
    return outcome, warehouse


@pytest.fixture(scope="module")
def seen(load):
    _, warehouse = load
    return observed(warehouse)


def test_the_load_publishes(load):
    outcome, warehouse = load
    assert outcome.success, outcome.failure
    assert warehouse.exists()


def test_the_readme_is_reported_as_not_a_budget_report(seen, load):
    assert seen["README.md"]["status"] == "quarantined"
    assert seen["README.md"]["reason"].startswith("not a budget report")
    _, warehouse = load
    with duckdb.connect(str(warehouse), read_only=True) as con:
        n = con.execute("""select count(*) from marts.fct_expenditure where doc_id =
                           (select doc_id from marts.dim_document where source_path = 'README.md')""").fetchone()[0]
    assert n == 0


@pytest.mark.parametrize("file", sorted(GOLD))
def test_every_report_loads_under_its_publishers_name(seen, file):
    assert seen[file]["status"] in ("ok", "partial"), seen[file]["reason"]
    assert seen[file]["department"] == GOLD[file].department


@pytest.mark.parametrize("figure", FIGURES)
@pytest.mark.parametrize("file", sorted(GOLD))
def test_headline_figure_is_exact(seen, file, figure):
    assert seen[file]["figures"][figure] == GOLD[file].figures()[figure]
