"""Staging stays true to the raw folder, and damage to it is named, set aside and repaired.

Each test here failed before the fix it covers (issue 15):

- the manifest recorded the sha256 of the bytes read but a size and mtime stat()ed afterwards,
  so a file rewritten during extraction looked unchanged to every later run;
- one damaged staging Parquet file or manifest entry failed every load, the no-op check
  included, with a Polars or JSON error that did not name it;
- the raw-folder sensor keyed its runs on the changed paths only, so Dagster dropped the run of
  a second edit of the same file;
- a file that vanished or could not be read while it was staged raised out of the pool.
"""

from __future__ import annotations

import errno
import hashlib
import os
from pathlib import Path

import dagster as dg
import duckdb
import polars as pl
import pytest

from dagster_project.ingest import stager
from dagster_project.cli import main
from dagster_project.defs.automation import raw_folder_sensor
from dagster_project.defs.partitions import documents_partitions
from dagster_project.defs.resources import BudgetPaths
from dagster_project.freshness import unchanged
from dagster_project.ingest import plan, record_failure, run_ingest, stage_document
from dagster_project.parallel import stage_documents
from dagster_project.staging.normalize import FACT_ENTITIES
from dagster_project.staging.store import DAMAGED_DIR, StagingStore, parser_version

from tests.conftest import RAW, SAMPLES, copy_samples

A, B = "000_6f7a8188d183d2a4.txt", "004_c7edf4338a4ef304.txt"


def _raw(tmp_path: Path, names=SAMPLES) -> Path:
    return copy_samples(tmp_path, names)


def _row(store: StagingStore, display: str) -> dict:
    """The staging row of a file, through its manifest entry."""
    entry = store.load_manifest()[display]
    return pl.read_parquet(store.path("documents", entry.sha256)).row(0, named=True)


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _readable_everywhere(store: StagingStore) -> None:
    """What dbt reads (every `<entity>/*.parquet`) reads whole."""
    for entity in ("documents", *FACT_ENTITIES):
        for path in (store.root / entity).glob("*.parquet"):
            pl.read_parquet(path)


# 1. the manifest records exactly the bytes that were read ----------------------------------


def test_a_file_rewritten_during_extraction_is_extracted_again(tmp_path, monkeypatch):
    """The file is replaced by another report while its first version is being interpreted:
    staging holds the first version, and the manifest must say so, so the next plan sees a
    change and the next load stages the second version."""
    raw = _raw(tmp_path, [])
    (raw / "report.txt").write_bytes((RAW / A).read_bytes())
    old = os.stat(raw / "report.txt").st_mtime_ns
    real = stager.extract_document

    def rewriting(data: bytes, name: str):
        (raw / "report.txt").write_bytes((RAW / B).read_bytes())
        os.utime(raw / "report.txt", ns=(old + 5_000_000_000, old + 5_000_000_000))  # a later write
        return real(data, name)

    monkeypatch.setattr(stager, "extract_document", rewriting)
    root = tmp_path / "staging"
    run_ingest(raw, root)
    monkeypatch.setattr(stager, "extract_document", real)
    store = StagingStore(root)
    assert _row(store, "report.txt")["sha256"] == _sha((RAW / A).read_bytes())  # what was read
    assert plan(raw, store).changed == ["report.txt"]
    run_ingest(raw, root)
    row = _row(store, "report.txt")
    assert row["sha256"] == _sha((RAW / B).read_bytes())
    assert row["department_name"] == "聊城市东昌府区医疗保障局机关"  # 004's department
    assert plan(raw, store).nothing_to_do


def test_a_same_size_rewrite_that_keeps_the_mtime_is_still_seen(tmp_path, monkeypatch):
    """Rewritten in place within the same timestamp tick (same size, mtime put back): size and
    mtime cannot tell, so an entry recorded that close to a write is marked racy and the next
    plan compares content."""
    raw = _raw(tmp_path, [])
    first = (RAW / A).read_bytes()
    second = first.replace("医疗保障局".encode(), "医疗保险局".encode(), 1)
    assert len(first) == len(second) and first != second
    (raw / "report.txt").write_bytes(first)
    stat = os.stat(raw / "report.txt")
    real = stager.extract_document

    def rewriting(data: bytes, name: str):
        (raw / "report.txt").write_bytes(second)
        os.utime(raw / "report.txt", ns=(stat.st_atime_ns, stat.st_mtime_ns))
        return real(data, name)

    monkeypatch.setattr(stager, "extract_document", rewriting)
    root = tmp_path / "staging"
    run_ingest(raw, root)
    monkeypatch.setattr(stager, "extract_document", real)
    store = StagingStore(root)
    assert store.load_manifest()["report.txt"].racy
    assert plan(raw, store).changed == ["report.txt"]
    run_ingest(raw, root)
    assert _row(store, "report.txt")["sha256"] == _sha(second)


def test_a_file_changing_while_it_is_read_is_read_again(tmp_path, monkeypatch):
    """Written in place while its bytes are read: the read is done again, and what is staged
    and recorded is the version that was read whole, with its own stat."""
    raw = _raw(tmp_path, [])
    (raw / "report.txt").write_bytes((RAW / A).read_bytes())
    real, calls = stager._read_upto, []

    def interrupted(handle, limit):
        data = real(handle, limit)
        if not calls:
            (raw / "report.txt").write_bytes((RAW / B).read_bytes())
        calls.append(len(data))
        return data

    monkeypatch.setattr(stager, "_read_upto", interrupted)
    store = StagingStore(tmp_path / "staging")
    outcome = stage_document(raw / "report.txt", "report.txt", store)
    assert len(calls) == 2 and outcome.doc_id == _sha((RAW / B).read_bytes())
    entry = store.load_manifest()["report.txt"]
    assert (entry.size, entry.mtime_ns) == (os.stat(raw / "report.txt").st_size, os.stat(raw / "report.txt").st_mtime_ns)


def test_record_failure_records_the_bytes_it_hashed(tmp_path, monkeypatch):
    """A worker past its time limit: the file is hashed again by record_failure; rewritten while
    it is hashed, the hash and the stat recorded are those of one version."""
    raw = _raw(tmp_path, [])
    (raw / "slow.txt").write_bytes((RAW / A).read_bytes())
    real, calls = stager._hash_stream, []

    def interrupted(handle, limit):
        digest = real(handle, limit)
        if not calls:
            (raw / "slow.txt").write_bytes((RAW / B).read_bytes())
        calls.append(digest)
        return digest

    monkeypatch.setattr(stager, "_hash_stream", interrupted)
    store = StagingStore(tmp_path / "staging")
    outcome = record_failure(raw / "slow.txt", "slow.txt", store, "extraction took longer than the limit")
    entry = store.load_manifest()["slow.txt"]
    assert outcome.status == "quarantined" and entry.sha256 == _sha((RAW / B).read_bytes())
    assert entry.size == len((RAW / B).read_bytes())


# 4. no per-file failure raises out of staging ---------------------------------------------


def test_a_file_that_vanished_before_extraction_is_quarantined_by_name(tmp_path):
    raw = _raw(tmp_path, [A])
    gone = raw / "gone.txt"
    summary = run_ingest(raw, tmp_path / "staging", files=[raw / A, gone])  # listed, then removed
    outcome = next(o for o in summary.outcomes if o.source_path == "gone.txt")
    assert outcome.status == "quarantined"
    assert outcome.status_reason.startswith("file vanished before it could be read")
    assert next(o for o in summary.outcomes if o.source_path == A).status == "ok"


def test_the_pool_quarantines_a_vanished_file_and_goes_on(tmp_path):
    raw = _raw(tmp_path, [A])
    store = StagingStore(tmp_path / "staging")
    outcomes = stage_documents([("gone.txt", raw / "gone.txt"), (A, raw / A)], store, workers=2,
                               seconds_per_document=300)
    by_path = {o.source_path: o for o in outcomes}
    assert by_path[A].status == "ok"
    assert by_path["gone.txt"].status == "quarantined" and "vanished" in by_path["gone.txt"].status_reason


def test_record_failure_never_raises(tmp_path, monkeypatch):
    """The pool calls record_failure in its error branches: whatever goes wrong there (the file
    gone, its reading refused, staging itself failing) must become the document's reason."""
    raw = _raw(tmp_path, [A])
    store = StagingStore(tmp_path / "staging")
    gone = record_failure(raw / "gone.txt", "gone.txt", store, "extraction process died")
    assert gone.status == "quarantined"
    assert gone.status_reason == ("extraction process died; then the file could not be read again: file vanished "
                                  "before it could be read (removed or renamed since the raw folder was listed)")
    assert store.load_manifest()["gone.txt"].status == "quarantined"

    real_open = os.open

    def refusing(path, *args, **kwargs):
        if str(path).endswith(A):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", refusing)
    denied = record_failure(raw / A, A, store, "extraction took longer than the limit")
    assert denied.status_reason.endswith("cannot be read: Permission denied (EACCES)")
    monkeypatch.setattr(os, "open", real_open)

    def full_disk(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(StagingStore, "write", full_disk)
    full = record_failure(raw / A, A, store, "extraction process died")
    assert full.status == "quarantined"
    assert "recording its quarantine in staging failed too: OSError: [Errno 28] No space left" in full.status_reason


def test_an_error_while_staging_one_file_quarantines_it_in_a_serial_ingest(tmp_path, monkeypatch):
    raw = _raw(tmp_path, [A, B])
    real = stager.fact_rows

    def broken(extraction):
        if extraction.document.source_path == B:
            raise ValueError("cannot normalize this one")
        return real(extraction)

    monkeypatch.setattr(stager, "fact_rows", broken)
    summary = run_ingest(raw, tmp_path / "staging")
    by_path = {o.source_path: o for o in summary.outcomes}
    assert by_path[A].status == "ok"
    assert (by_path[B].status, by_path[B].status_reason) == (
        "quarantined", "staging failed: ValueError: cannot normalize this one")


# 2. damaged staging: named, set aside, re-extracted -----------------------------------------


@pytest.fixture
def staged(tmp_path):
    raw = _raw(tmp_path)
    root = tmp_path / "wh" / "staging"
    run_ingest(raw, root)
    return raw, StagingStore(root)


def test_a_truncated_staging_file_is_set_aside_and_its_document_extracted_again(staged):
    raw, store = staged
    doc = store.load_manifest()[B].sha256
    damaged = store.path("line_items", doc)
    good = pl.read_parquet(damaged)
    damaged.write_bytes(damaged.read_bytes()[:200])
    work = plan(raw, store)
    assert work.changed == [B]
    (line,) = work.repairs
    assert line.startswith(f"staging/line_items/{doc}.parquet (staged from {B}) is damaged (not a readable "
                           "Parquet file: ComputeError: parquet: File out of specification")
    assert line.endswith(f"set aside in staging/_damaged/line_items/, {B} extracted again")
    summary = run_ingest(raw, store.root)
    assert summary.repairs == [line]
    assert pl.read_parquet(damaged).equals(good)
    (aside,) = (store.root / DAMAGED_DIR / "line_items").glob(f"{doc}.*.parquet")
    assert aside.stat().st_size == 200  # kept as it was, not deleted
    assert "File out of specification" in aside.with_name(aside.name + ".why").read_text(encoding="utf-8")
    _readable_everywhere(store)
    assert plan(raw, store).nothing_to_do


def test_a_missing_staging_file_is_extracted_again(staged):
    raw, store = staged
    doc = store.load_manifest()[A].sha256
    store.path("narrative_amounts", doc).unlink()
    work = plan(raw, store)
    assert work.changed == [A]
    assert work.repairs == [f"staging/narrative_amounts/{doc}.parquet (staged from {A}) is missing: "
                            f"{A} extracted again"]
    run_ingest(raw, store.root)
    assert store.path("narrative_amounts", doc).exists() and plan(raw, store).nothing_to_do


@pytest.mark.parametrize("text, why", [
    ("{not json", "not valid JSON (Expecting property name enclosed in double quotes: line 1 column 2 (char 1))"),
    ('{"source_path": "x"}', "lacks sha256, status, status_reason, facts_fingerprint"),
    ("", "not valid JSON (Expecting value: line 1 column 1 (char 0))"),
])
def test_a_damaged_manifest_entry_is_set_aside_and_its_file_extracted_again(staged, text, why):
    raw, store = staged
    entry = store.entry_path(A)
    entry.write_text(text, encoding="utf-8")
    work = plan(raw, store)
    assert work.changed == [A]
    assert work.repairs == [f"manifest entry staging/manifest/{entry.name} is damaged ({why}): set aside in "
                            f"staging/_damaged/manifest/; {A} extracted again"]
    summary = run_ingest(raw, store.root)
    assert next(o for o in summary.outcomes if o.source_path == A).extracted
    (aside,) = (store.root / DAMAGED_DIR / "manifest").glob(f"{entry.stem}.*.json")
    assert aside.read_text(encoding="utf-8") == text
    assert store.load_manifest()[A].status == "ok" and plan(raw, store).nothing_to_do


def test_a_damaged_entry_of_a_file_no_longer_there_is_set_aside_too(staged):
    raw, store = staged
    stray = store.root / "manifest" / ("0" * 40 + ".json")
    stray.write_text("{", encoding="utf-8")
    work = plan(raw, store)
    assert not work.changed and not work.nothing_to_do
    assert work.repairs[0].endswith("it is the entry of no file in the raw folder")
    run_ingest(raw, store.root)
    assert not stray.exists() and plan(raw, store).nothing_to_do


def test_damage_that_keeps_size_and_mtime_is_caught_while_settling(staged):
    """Zero-filled in place with its size and mtime kept (what a power cut can leave): the plan
    cannot tell from a stat, but settling reads the documents rows and must not fail on it
    without a name: the file is set aside and its report staged again in the same load."""
    raw, store = staged
    doc = store.load_manifest()[B].sha256
    row = store.path("documents", doc)
    stat = row.stat()
    row.write_bytes(bytes(stat.st_size))
    os.utime(row, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert plan(raw, store).nothing_to_do
    summary = run_ingest(raw, store.root)
    (line,) = summary.repairs
    assert line.startswith(f"staging/documents/{doc}.parquet (staged from {B}) is damaged (not a readable Parquet "
                           "file: ComputeError")
    assert _row(store, B)["status"] == "ok"
    _readable_everywhere(store)


def _marts(warehouse: Path) -> dict[str, list]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        names = [r[0] for r in con.execute(
            "select table_name from duckdb_tables() where schema_name = 'marts' order by 1").fetchall()]
        return {name: con.execute(f'select * exclude (load_id) from marts."{name}" order by all').fetchall()
                for name in names}


def test_a_load_repairs_damaged_staging_and_says_so(tmp_path, capsys):
    """End to end: a published load, then damage of three kinds. The no-op check notices, the
    next `budgetwh run` names every damaged file in its summary, sets each aside, re-extracts
    its report and publishes the same marts; the run after that is a no-op again. (The extraction
    workers hash the code on disk for the parser version: this process does so afresh too.)"""
    parser_version.cache_clear()
    raw = _raw(tmp_path)
    warehouse = tmp_path / "wh" / "budget.duckdb"
    assert main(["run", "--raw-dir", str(raw), "--warehouse", str(warehouse)]) == 0
    before = _marts(warehouse)
    assert unchanged(raw, warehouse) is not None
    store = StagingStore(warehouse.parent / "staging")
    manifest = store.load_manifest()
    zeroed = store.path("documents", manifest[SAMPLES[3]].sha256)  # size and mtime kept: no stat tells
    stat = zeroed.stat()
    zeroed.write_bytes(bytes(stat.st_size))
    os.utime(zeroed, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert unchanged(raw, warehouse) is None  # it reads the rows: the zeroed one is named and set aside
    truncated = store.path("line_items", manifest[B].sha256)
    truncated.write_bytes(truncated.read_bytes()[:100])
    store.entry_path(SAMPLES[1]).write_text("{", encoding="utf-8")
    capsys.readouterr()

    assert main(["run", "--raw-dir", str(raw), "--warehouse", str(warehouse)]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "budgetwh run: 5 documents: 3 extracted" in out
    assert (f"staging/line_items/{truncated.name} (staged from {B}) is damaged (not a readable Parquet file: "
            f"ComputeError: parquet: File out of specification") in out
    assert (f"manifest entry staging/manifest/{store.entry_path(SAMPLES[1]).name} is damaged (not valid JSON") in out
    assert (f"staging/documents/{zeroed.name} (staged from {SAMPLES[3]}) is missing (found damaged (not a readable "
            f"Parquet file: ComputeError") in out
    assert "documents by status: ok 5" in out
    damaged = sorted(p.parent.name for p in (store.root / DAMAGED_DIR).rglob("*") if p.suffix in (".parquet", ".json"))
    assert damaged == ["documents", "line_items", "manifest"]
    _readable_everywhere(store)
    assert _marts(warehouse) == before
    assert unchanged(raw, warehouse) is not None


# 3. the sensor launches a run for every edit --------------------------------------------------


def test_the_sensor_keys_runs_on_the_files_content_and_state(tmp_path):
    """Dagster launches one run per run key: a second edit of a file (or an edit back to an
    earlier version) must get a new key, and ticks that see the same pending change the same."""
    raw = _raw(tmp_path, [A, B])
    paths = BudgetPaths(raw_dir=str(raw), warehouse=str(tmp_path / "wh" / "budget.duckdb"))
    instance = dg.DagsterInstance.ephemeral()

    def key() -> str:
        result = raw_folder_sensor(dg.build_sensor_context(instance=instance, resources={"paths": paths}))
        for request in result.dynamic_partitions_requests:
            if request.partition_keys and isinstance(request, dg.AddDynamicPartitionsRequest):
                instance.add_dynamic_partitions(documents_partitions.name, list(request.partition_keys))
        (run,) = result.run_requests
        return run.run_key

    first = key()
    assert key() == first  # the same pending change: not launched twice
    run_ingest(raw, paths.warehouse_paths.staging)
    original = (raw / A).read_bytes()
    (raw / A).write_bytes(original + b"\n")
    edit = key()
    assert key() == edit
    run_ingest(raw, paths.warehouse_paths.staging)
    (raw / A).write_bytes(original + b"\n\n")
    second = key()
    run_ingest(raw, paths.warehouse_paths.staging)
    (raw / A).write_bytes(original)  # back to the first version
    back = key()
    assert len({first, edit, second, back}) == 4
