"""Safe defaults (SECURITY.md): no input is executed or unpickled, SQL never carries document
text, the UIs listen on localhost, files are not group- or world-writable, nothing outside the
raw folder is read, and the limits hold."""

from __future__ import annotations

import ast
import io
import os
import re
from pathlib import Path

import pytest

from dagster_project import files
from dagster_project.definitions import defs
from dagster_project.defs.resources import NoDataIOManager
from dagster_project.ingest import discover, extract_file, skipped
from dagster_project.parsing.extract import extract_document
from dagster_project.readers.base import ReaderError, page_limit
from dagster_project.settings import Settings
from dagster_project.staging.store import StagingStore

from tests.badinputs.generate import _canvas_pdf, mini_report

REPO = Path(__file__).resolve().parents[2]
PACKAGE = REPO / "dagster_project"
UNSAFE_MODULES = {"pickle", "marshal", "shelve", "dill", "cloudpickle", "joblib"}
UNSAFE_CALLS = {"eval", "exec", "compile", "__import__"}
UNSAFE_ATTRIBUTES = {("os", "system"), ("os", "popen"), ("yaml", "load"), ("yaml", "unsafe_load")}
# what SQL f-strings may interpolate: names from our own catalog, constants, quoted paths, and
# dbt's descriptions (our YAML, not document text) copied as comments, quoted as SQL strings
SQL_INTERPOLATIONS = {"schema", "table", "STORAGE_VERSION", "_sql_string(str(tmp))", "key.path[-1]",
                      "quoted", "_sql_string(rows[0][0])", "_sql_string(comment)"}


def _trees() -> list[tuple[Path, ast.Module]]:
    return [(p, ast.parse(p.read_text(encoding="utf-8"))) for p in sorted(PACKAGE.rglob("*.py"))]


def test_no_input_is_executed_or_unpickled():
    problems = []
    for path, tree in _trees():
        where = path.relative_to(REPO)
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                problems += [f"{where}: import {a.name}" for a in node.names if a.name.split(".")[0] in UNSAFE_MODULES]
            elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in UNSAFE_MODULES:
                problems.append(f"{where}: from {node.module} import")
            elif isinstance(node, ast.Call):
                func = node.func
                if isinstance(func, ast.Name) and func.id in UNSAFE_CALLS:
                    problems.append(f"{where}:{node.lineno}: {func.id}()")
                if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) \
                        and (func.value.id, func.attr) in UNSAFE_ATTRIBUTES:
                    problems.append(f"{where}:{node.lineno}: {func.value.id}.{func.attr}()")
                if any(k.arg == "shell" and not (isinstance(k.value, ast.Constant) and k.value.value is False)
                       for k in node.keywords):
                    problems.append(f"{where}:{node.lineno}: shell=")
                if isinstance(func, ast.Attribute) and func.attr in ("run", "Popen", "check_output", "call") \
                        and isinstance(func.value, ast.Name) and func.value.id == "subprocess" and node.args \
                        and isinstance(node.args[0], ast.Constant | ast.JoinedStr):
                    problems.append(f"{where}:{node.lineno}: subprocess with a command string")
    assert problems == []


def test_no_value_travels_through_dagster_storage():
    """The Definitions' IO manager refuses every call, and the job runs (tests/e2e/test_dagster.py,
    test_cli.py, the bad-input suite): no asset output is ever pickled or unpickled."""
    manager = defs.resources["io_manager"]
    assert isinstance(manager, NoDataIOManager)
    with pytest.raises(TypeError):
        manager.load_input(None)


def test_sql_built_in_python_never_interpolates_document_text():
    found = set()
    for path, tree in _trees():
        source = path.read_text(encoding="utf-8")
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                    and node.func.attr in ("execute", "sql", "query") and node.args:
                sql = node.args[0]
                assert not isinstance(sql, ast.BinOp), f"{path}:{node.lineno}: SQL built by concatenation"
                if isinstance(sql, ast.JoinedStr):
                    for part in sql.values:
                        if isinstance(part, ast.FormattedValue):
                            found.add(ast.get_source_segment(source, part.value))
    assert found <= SQL_INTERPOLATIONS, found - SQL_INTERPOLATIONS


def test_dbt_quotes_the_paths_it_puts_into_sql():
    sources = (REPO / "dbt" / "models" / "staging" / "__sources.yml").read_text(encoding="utf-8")
    assert """env_var("BUDGETWH_STAGING_DIR", "../data/warehouse/staging") | replace("'", "''")""" in sources
    assert """env_var("BUDGETWH_LOAD_ID", "manual") | replace("'", "''")""" in (REPO / "dbt" / "macros" / "load_id.sql").read_text()


def test_uis_listen_on_localhost_only():
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    dev = next(line for line in makefile.splitlines() if "dagster dev" in line)
    assert "-h 127.0.0.1" in dev
    serve = next(line for line in makefile.splitlines() if "docs serve" in line)
    assert "--host 127.0.0.1" in serve
    for text in (makefile, (REPO / "README.md").read_text(encoding="utf-8")):
        assert "0.0.0.0" not in text


@pytest.mark.parametrize(("umask", "mode", "after"), [(0o000, 0o644, 0o022), (0o022, 0o644, 0o022),
                                                      (0o077, 0o600, 0o077)])
def test_written_files_are_0644_or_stricter(tmp_path, umask, mode, after):
    old = os.umask(umask)
    try:
        assert files.file_mode() == mode
        assert files.secure_umask() == after  # adds 022, never loosens
        store = StagingStore(tmp_path / "staging")
        import polars as pl

        store.write("documents", "d" * 64, pl.DataFrame({"doc_id": ["x"]}))
        written = store.path("documents", "d" * 64)
        assert written.stat().st_mode & 0o777 == 0o644 & ~after
        assert (tmp_path / "staging" / "documents").stat().st_mode & 0o022 == 0
    finally:
        os.umask(old)


def test_stale_temporary_files_are_told_apart_from_live_ones(tmp_path):
    live = tmp_path / f".a.parquet.{os.getpid()}.tmp"
    dead = tmp_path / ".b.parquet.999999999.tmp"
    old = tmp_path / ".c.parquet.tmp"
    young = tmp_path / ".d.parquet.tmp"
    for path in (live, dead, old, young):
        path.write_bytes(b"x")
    os.utime(old, (0, 0))
    assert sorted(p.name for p in files.remove_stale_temp(tmp_path)) == [dead.name, old.name]
    assert live.exists() and young.exists()


def test_links_pipes_and_hidden_files_never_lead_outside_the_raw_folder(tmp_path):
    raw, outside = tmp_path / "raw", tmp_path / "outside"
    (raw / "sub").mkdir(parents=True)
    outside.mkdir()
    (outside / "secret.txt").write_text("outside", encoding="utf-8")
    (outside / "dir").mkdir()
    (outside / "dir" / "inner.txt").write_text("outside", encoding="utf-8")
    (raw / "report.txt").write_text("inside", encoding="utf-8")
    (raw / "alias.txt").symlink_to(raw / "report.txt")  # stays inside: read
    (raw / "out.txt").symlink_to(outside / "secret.txt")
    (raw / "sub" / "hop.txt").symlink_to(raw / "out.txt")  # a chain that ends outside
    (raw / "broken.txt").symlink_to(raw / "missing.txt")
    (raw / "loop.txt").symlink_to(raw / "loop.txt")
    (raw / "outdir").symlink_to(outside / "dir", target_is_directory=True)
    (raw / "indir").symlink_to(raw / "sub", target_is_directory=True)
    os.mkfifo(raw / "pipe.txt")
    (raw / ".hidden.txt").write_text("hidden", encoding="utf-8")
    assert [p.relative_to(raw).as_posix() for p in discover(raw)] == ["alias.txt", "report.txt"]
    reasons = skipped(raw)
    assert reasons == {
        "broken.txt": "broken symbolic link",
        "indir": "linked folder: not followed",
        "loop.txt": "symbolic link that cannot be resolved (a loop?): not followed",
        "out.txt": "symbolic link leading outside the raw folder: not followed",
        "outdir": "symbolic link leading outside the raw folder: not followed",
        "pipe.txt": "not a regular file (named pipe, socket or device): not read",
        "sub/hop.txt": "symbolic link leading outside the raw folder: not followed",
    }


def test_a_file_over_the_size_limit_is_never_read(tmp_path, monkeypatch):
    big = tmp_path / "big.txt"
    with big.open("wb") as handle:
        handle.truncate(201 * 1024 * 1024)
    monkeypatch.setattr(Path, "read_bytes", lambda self: pytest.fail(f"{self} was read"))
    doc, extraction = extract_file(big, "big.txt")
    assert extraction is None and doc.status == "quarantined"
    assert doc.status_reason.startswith("file too large: 210763776 bytes > limit of 209715200 bytes")
    # BUDGETWH_MAX_FILE_MB=1, as an entry point parses it and passes it down
    doc, _ = extract_file(big, "big.txt", Settings.from_env({"BUDGETWH_MAX_FILE_MB": "1"}).limits)
    assert doc.status_reason.startswith("file too large: 210763776 bytes > limit of 1048576 bytes (BUDGETWH_MAX_FILE_MB)")


def test_the_page_limit_is_configurable_and_checked_before_reading():
    with page_limit(2), pytest.raises(ReaderError, match=re.escape("too many pages: 3 > limit of 2 (BUDGETWH_MAX_PAGES)")):
        extract_document(_canvas_pdf(3), "three.pdf")
    with page_limit(3):
        assert extract_document(_canvas_pdf(3), "three.pdf").document.status_reason.startswith("no budget tables")


def test_the_page_limit_reaches_extraction_from_the_settings(tmp_path):
    """BUDGETWH_MAX_PAGES travels as Settings.limits (what the pool sends each worker) down to
    the readers, and the limit applies only inside that extraction."""
    pdf = tmp_path / "three.pdf"
    pdf.write_bytes(_canvas_pdf(3))
    limits = Settings.from_env({"BUDGETWH_MAX_PAGES": "2"}).limits
    doc, extraction = extract_file(pdf, "three.pdf", limits)
    assert extraction is None and doc.status == "quarantined"
    assert doc.status_reason == "too many pages: 3 > limit of 2 (BUDGETWH_MAX_PAGES)"
    assert extract_file(pdf, "three.pdf")[0].status_reason.startswith("no budget tables")  # default 1000


def test_the_page_limit_counts_workbook_sheets_too(monkeypatch):
    from openpyxl import Workbook

    book = Workbook()
    for i in range(3):
        book.create_sheet(f"s{i}").append(["科目编码", "科目名称", "合计"])
    out = io.BytesIO()
    book.save(out)
    with page_limit(3), pytest.raises(ReaderError, match="too many sheets: 4 > limit of 3 \\(BUDGETWH_MAX_PAGES\\)"):
        extract_document(out.getvalue(), "four_sheets.xlsx")


def test_a_report_printing_markup_is_shown_as_text(tmp_path, capsys):
    """`budgetwh extract` prints document text; a title carrying rich markup ('[/]') is text."""
    from dagster_project.cli import main

    report = tmp_path / "markup.txt"
    report.write_text(mini_report("东山县林业局", three_title="[bold red]“三公”[/]经费支出预算表"), encoding="utf-8")
    assert main(["extract", str(report)]) == 0
    assert "[bold red]“三公”[/]经费支出预算表" in capsys.readouterr().out
