"""The budgetwh command: exit codes, summary, extract --json shape."""

from __future__ import annotations

import json
import shutil

from dagster_project.cli import main

from tests.conftest import RAW

SAMPLE = RAW / "004_c7edf4338a4ef304.txt"


def test_run_on_samples_exits_0_with_summary(tmp_path, capsys):
    raw = tmp_path / "raw"
    shutil.copytree(RAW, raw)
    code = main(["run", "--raw-dir", str(raw), "--warehouse", str(tmp_path / "wh" / "budget.duckdb")])
    out = capsys.readouterr().out
    assert code == 0
    assert "documents by status: ok 5" in out
    assert "unparsed cells: 0" in out
    assert (tmp_path / "wh" / "staging" / "line_items").is_dir()
    # findings as department, check and numbers (003's 208 in its 单位预算支出总表), not dbt test ids
    assert " in 2 of 5 disclosures (marts.mart_data_quality)" in out
    (line,) = [line for line in out.splitlines() if "兴隆县医疗保障局本级" in line]
    assert line.startswith("  fail 兴隆县医疗保障局本级 2021: parent code = Σ child codes: ")
    assert "208" in line and "488,400" in line and "538,400" in line and "50,000" in line
    assert any(line.startswith("  warn 聊城市东昌府区医疗保障局机关 2024: narrative project_amount = tables: ")
               and "155,795,000" in line for line in out.splitlines())
    assert "children_sum_to_parent_" not in out
    # a no-op rerun names the published findings too
    assert main(["run", "--raw-dir", str(raw), "--warehouse", str(tmp_path / "wh" / "budget.duckdb")]) == 0
    again = capsys.readouterr().out
    assert "nothing changed since the published load" in again and line in again


def test_run_with_nothing_loadable_exits_2(tmp_path, capsys):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "empty.txt").write_bytes(b"")
    assert main(["run", "--raw-dir", str(raw), "--warehouse", str(tmp_path / "budget.duckdb")]) == 2
    assert "empty.txt: empty file" in capsys.readouterr().out


def test_run_with_missing_raw_dir_exits_1(tmp_path):
    assert main(["run", "--raw-dir", str(tmp_path / "nope"), "--warehouse", str(tmp_path / "w.duckdb")]) == 1


def test_extract_json_shape(capsys):
    assert main(["extract", str(SAMPLE), "--json"]) == 0
    body = json.loads(capsys.readouterr().out)
    assert body["document"]["department_name"] == "聊城市东昌府区医疗保障局机关"
    assert body["document"]["fiscal_year"] == 2024
    kinds = [t["kind"] for t in body["tables"]]
    assert kinds[:3] == ["budget_summary", "revenue_summary", "expenditure_summary"]
    three = next(t for t in body["tables"] if t["kind"] == "three_public")
    assert {(li["code"], li["value_year"]) for li in three["line_items"]} >= {("total", 2023), ("total", 2024)}
    item = three["line_items"][0]
    assert set(item) >= {"source_line", "code", "measure", "fund_source", "value_year", "amount_yuan", "raw_text"}


def test_extract_human_output(capsys):
    assert main(["extract", str(SAMPLE)]) == 0
    out = capsys.readouterr().out
    assert "expenditure_summary" in out and "2101501" in out
