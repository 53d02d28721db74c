"""Values read by hand from the sample reports (tests/gold/*.yaml) against staging.

Each gold entry names the sample's line and the raw text it was read from; the first test
proves that text really is on that line, so a gold file cannot drift from its sample.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest
import yaml

from dagster_project.staging.store import StagingStore

from tests.conftest import RAW

GOLD_DIR = Path(__file__).parents[1] / "gold"
GOLD = {p.stem + ".txt": yaml.safe_load(p.read_text(encoding="utf-8")) for p in sorted(GOLD_DIR.glob("*.yaml"))}
ITEM_FIELDS = ("table_kind", "code", "paired_code", "budget_unit_code", "measure", "fund_source", "value_year")


def _lines(sample: str) -> list[str]:
    return (RAW / sample).read_text(encoding="utf-8").split("\n")


def _doc(staging: Path, sample: str) -> str:
    docs = StagingStore(staging).read("documents")
    return docs.filter(pl.col("source_path") == sample)["doc_id"][0]


def test_every_sample_has_a_gold_file():
    assert sorted(GOLD) == sorted(p.name for p in RAW.glob("*.txt"))


@pytest.mark.parametrize("sample", sorted(GOLD))
def test_gold_raw_text_is_on_its_line(sample):
    lines = _lines(sample)
    gold = GOLD[sample]
    entries = gold["line_items"] + gold.get("projects", []) + gold.get("performance_indicators", [])
    wrong = [(e["line"], e["raw"]) for e in entries if e["raw"] not in lines[e["line"] - 1]]
    assert wrong == []
    assert len(gold["line_items"]) >= 30


@pytest.mark.parametrize("sample", sorted(GOLD))
def test_gold_line_items(sample, staging):
    doc_id = _doc(staging, sample)
    items = pl.read_parquet(StagingStore(staging).path("line_items", doc_id))
    misses = []
    for entry in GOLD[sample]["line_items"]:
        candidates = items.filter(
            (pl.col("source_line") == entry["line"]) & (pl.col("raw_text") == entry["raw"])
        ).to_dicts()
        want = {f: entry.get(f) for f in ITEM_FIELDS}
        want["amount_yuan"] = Decimal(entry["amount_yuan"])
        if not any(all(c[f] == v for f, v in want.items()) for c in candidates):
            got = [{f: c[f] for f in want} for c in candidates]
            misses.append({"line": entry["line"], "raw": entry["raw"], "want": want, "got": got})
    assert misses == []


@pytest.mark.parametrize("sample", sorted(GOLD))
def test_gold_projects(sample, staging):
    doc_id = _doc(staging, sample)
    projects = pl.read_parquet(StagingStore(staging).path("projects", doc_id)).to_dicts()
    misses = [
        e for e in GOLD[sample].get("projects", [])
        if not any("".join(e["project_name"].split()) in p["project_name"]
                   and p["amount_yuan"] == Decimal(e["amount_yuan"])
                   for p in projects)
    ]
    assert misses == []


@pytest.mark.parametrize("sample", sorted(GOLD))
def test_gold_performance_indicators(sample, staging):
    doc_id = _doc(staging, sample)
    found = pl.read_parquet(StagingStore(staging).path("performance_indicators", doc_id)).to_dicts()
    fields = ("level1", "level2", "operator", "target_value", "target_unit")
    misses = []
    for e in GOLD[sample].get("performance_indicators", []):
        ok = any(
            f["source_line"] == e["line"] and e["subject"] in (f["subject"] or "")
            and "".join((e.get("level3") or "").split()) in (f["level3"] or "")
            and all(f[k] == e.get(k) for k in fields)
            for f in found
        )
        if not ok:
            misses.append(e)
    assert misses == []
