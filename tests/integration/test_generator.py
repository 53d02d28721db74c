"""Accuracy as a tested property: generated reports in every style and format, read back by the
whole pipeline, give exactly their gold (line items, document metadata, projects, headline
figures, and a data-quality finding exactly where a publisher error was injected)."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from dagster_project.cli import main
from dagster_project.parsing.extract import extract_document
from dagster_project.synth.generator.accuracy import compare_items, score_corpus
from dagster_project.synth.generator.generate import generate, write_corpus

N = 20
FORMATS = ("text", "xlsx", "docx", "html")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("generated")
    summary = write_corpus(out, N, error_rate=0.25, seed=20, formats=FORMATS)
    assert set(summary["style"]) == {"pipe", "leaf", "names", "cells", "split"}
    assert set(summary["format"]) == set(FORMATS)
    assert sum(summary["error"].values()) >= 3
    return out


@pytest.fixture(scope="module")
def loaded(corpus) -> Path:
    warehouse = corpus / "warehouse" / "budget.duckdb"
    assert main(["run", "--raw-dir", str(corpus / "raw"), "--warehouse", str(warehouse)]) == 0
    return warehouse


def _gold(corpus: Path) -> list[dict]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted((corpus / "gold").glob("0*.json"))]


def test_the_corpus_has_the_traps_it_claims(corpus):
    golds = _gold(corpus)
    texts = {g["style"]: (corpus / "raw" / g["file"]).read_text(encoding="utf-8")
             for g in golds if g["format"] == "text"}
    assert "|---" in texts["pipe"] and "是否空表" in texts["pipe"]  # pipes, 报表目录 with 空表
    assert any(line.startswith("类\t款\t项\t") for line in texts["split"].splitlines())  # split code columns
    assert any(t.startswith("\t") for t in texts["cells"].splitlines())  # one cell per line
    assert any("declared_empty" in g and g["declared_empty"] for g in golds)
    assert any(item["paired_code"] for g in golds for item in g["line_items"])  # 部门/政府 pairs
    assert {g["unit"] for g in golds} == {"元", "万元"}
    assert len({g["fiscal_year"] for g in golds}) >= 3
    assert all(g["region"][0] and g["region"][1] for g in golds)


def test_generation_is_deterministic():
    first = [(d.name, d.data) for d in generate(3, seed=5)]
    again = [(d.name, d.data) for d in generate(3, seed=5)]
    other = [(d.name, d.data) for d in generate(3, seed=6)]
    assert first == again and first != other


def test_comparison_sees_one_changed_amount(corpus):
    gold = next(g for g in _gold(corpus) if g["format"] == "text" and g["style"] == "leaf" and not g["errors"])
    data = (corpus / "raw" / gold["file"]).read_bytes()
    item = next(i for i in gold["line_items"] if i["table_kind"] == "expenditure_summary" and i["code"]
                and i["amount_yuan"] != "0.00")
    printed = f"{int(item['amount_yuan'].split('.')[0]) / 10000:.2f}".encode()
    changed = data.replace(b"\t" + printed + b"\t", b"\t" + printed[:-1] + b"7\t", 1)
    assert changed != data
    items = [vars(li) for li in extract_document(changed, gold["file"]).line_items]
    missing, extra = compare_items(gold["line_items"], items)
    assert sum(missing.values()) == 1 and sum(extra.values()) == 1


def test_staging_and_marts_match_the_gold(corpus, loaded):
    score = score_corpus(corpus / "gold", loaded)
    assert score.failures() == []
    assert score.exact == N
    assert score.items_matched == score.gold_items > 3000
    kinds = Counter(error["kind"] for g in _gold(corpus) for error in g["errors"])
    assert len(kinds) >= 2  # the quality check above covered more than one kind of publisher error
