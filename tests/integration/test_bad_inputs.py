"""Bad input gets a clear status and reason; the other documents still load."""

from __future__ import annotations

import shutil

import pytest

from dagster_project.ingest import run_ingest
from dagster_project.staging.store import StagingStore

from tests.conftest import RAW, assert_outcome

GOOD = "001_7457e2252370b02a.txt"


@pytest.fixture(scope="module")
def mixed(tmp_path_factory):
    raw = tmp_path_factory.mktemp("raw")
    shutil.copy(RAW / GOOD, raw / GOOD)
    (raw / "empty.txt").write_bytes(b"")
    (raw / "garbage.txt").write_bytes(bytes(range(256)) * 64)
    (raw / "notables.txt").write_text("2024年部门预算公开说明\n\n本部门负责全县医疗保障工作。\n", encoding="utf-8")
    text = (RAW / GOOD).read_text(encoding="utf-8")
    (raw / "gbk_copy.txt").write_bytes(text.encode("gb18030"))
    (raw / "report.pdf").write_bytes(b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n")
    staging = raw.parent / "staging"
    summary = run_ingest(raw, staging)
    docs = StagingStore(staging).read("documents")
    return summary, {r["source_path"]: r for r in docs.iter_rows(named=True)}


@pytest.mark.parametrize(
    ("name", "status", "reason"),
    [
        ("empty.txt", "quarantined", "empty file"),
        ("garbage.txt", "quarantined", "not a text file"),
        ("notables.txt", "quarantined", "no budget tables found"),
        ("gbk_copy.txt", "duplicate", f"same facts as {GOOD}"),
        ("report.pdf", "quarantined", "PDF"),
        (GOOD, "ok", None),
    ],
)
def test_status_and_reason(mixed, name, status, reason):
    assert_outcome(mixed, name, status, reason)


def test_good_document_still_loads(mixed):
    _, docs = mixed
    assert docs[GOOD]["n_line_items"] > 400 and docs[GOOD]["department_name"] == "漳州市医疗保障局(汇总)"


def test_gbk_copy_is_read_as_the_same_report(mixed):
    _, docs = mixed
    assert docs["gbk_copy.txt"]["encoding"] == "gb18030"
    assert docs["gbk_copy.txt"]["facts_fingerprint"] == docs[GOOD]["facts_fingerprint"]


def test_rerun_skips_unchanged_and_reextracts_changed(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    for name in ("000_6f7a8188d183d2a4.txt", "004_c7edf4338a4ef304.txt"):
        shutil.copy(RAW / name, raw / name)
    staging = tmp_path / "staging"
    first = run_ingest(raw, staging)
    assert first.extracted == 2
    again = run_ingest(raw, staging)
    assert again.extracted == 0 and again.by_status["ok"] == 2
    (raw / "004_c7edf4338a4ef304.txt").write_bytes((RAW / "004_c7edf4338a4ef304.txt").read_bytes() + b"\n")
    changed = run_ingest(raw, staging)
    assert [o.source_path for o in changed.outcomes if o.extracted] == ["004_c7edf4338a4ef304.txt"]
    (raw / "000_6f7a8188d183d2a4.txt").unlink()
    removed = run_ingest(raw, staging)
    assert removed.removed == ["000_6f7a8188d183d2a4.txt"]
    assert StagingStore(staging).read("documents").height == 1
    assert len(list((staging / "line_items").glob("[0-9a-f]*.parquet"))) == 1  # plus _schema.parquet
