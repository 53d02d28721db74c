"""Extraction across worker processes: same staging as in-process, and a document over its
time limit is quarantined (its worker killed) while the others load."""

from __future__ import annotations

import shutil

import polars as pl

from dagster_project.ingest import plan
from dagster_project.parallel import stage_documents
from dagster_project.staging.store import StagingStore

from tests.conftest import RAW, REALPDF


def test_pool_stages_every_document(tmp_path, staging):
    store = StagingStore(tmp_path / "staging")
    work = plan(RAW, store)
    outcomes = stage_documents(sorted(work.files.items()), store, workers=2, seconds_per_document=300)
    assert sorted(o.source_path for o in outcomes) == sorted(work.files)
    assert {o.status for o in outcomes} == {"ok"}
    mine = store.read("line_items").sort("doc_id", "table_id", "source_row", "source_col")
    serial = StagingStore(staging).read("line_items").sort("doc_id", "table_id", "source_row", "source_col")
    assert mine.drop("source_line").equals(serial.drop("source_line"))


def test_document_over_its_time_limit_is_quarantined(tmp_path):
    """A real budget PDF of a dozen tables takes seconds to read, and the pool looks at the clock every tenth of
    a second: a limit of a millisecond is exceeded however fast or busy the machine is (a
    small text sample was not, on a loaded machine: it was read between two looks)."""
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(REALPDF / "jiangsu" / "江苏省委办公厅" / "江苏省委办公厅2017年预算公开表格.pdf", raw / "slow.pdf")
    store = StagingStore(tmp_path / "staging")
    (outcome,) = stage_documents([("slow.pdf", raw / "slow.pdf")], store, workers=1, seconds_per_document=0.001)
    assert outcome.status == "quarantined"
    assert "longer than the limit of 0.001 s per document" in outcome.status_reason
    docs = store.read("documents")
    assert docs["status"].to_list() == ["quarantined"] and docs["source_path"].to_list() == ["slow.pdf"]
    assert store.load_manifest()["slow.pdf"].status == "quarantined"
    assert pl.Series(docs["doc_id"]).str.len_chars()[0] == 64
