"""Hostile paths: names and places that must never stop, misdirect or deceive a load (issue 15).

One `budgetwh run` (a subprocess, as cron runs it) loads the five samples together with a file
whose name is not UTF-8, a name carrying an ESC sequence and a line break, an unreadable file
and an unreadable folder, a folder nested past PATH_MAX, hard links (one shared with a file
outside the raw folder), and a folder that holds another budgetwh warehouse. The warehouse
itself lives under `gl[ob]/x{name}y a*b 'q'/`, beside folders (`glo/`, `aZb`) that hold another
warehouse's staging and that DuckDB's glob would match if the path were not escaped (`?` is
escaped for the glob too, but dbt-duckdb cannot open a database under it: such a warehouse is
refused, and the staging source's escaping of it is checked on its own). The run must exit 0,
name every file it did not read with the system's reason, and publish exactly the good
documents. Smaller tests pin each rule in-process.

As root, permission bits do not stop reads: the run drops the two capabilities that let root
read anything (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH) from its bounding set, and the unreadable
cases are skipped, saying so, only where that cannot be done.
"""

from __future__ import annotations

import ctypes
import errno
import os
import subprocess
import sys
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import dagster as dg
import duckdb
import jinja2
import polars as pl
import pytest
import yaml

from dagster_project import settings
from dagster_project.ingest import planner
from dagster_project.cli import main, shown
from dagster_project.defs.partitions import documents_partitions, partition_key
from dagster_project.ingest import (
    HARD_LINK_OUTSIDE,
    LINK_INTO_WAREHOUSE,
    NAME_CLASH,
    WAREHOUSE_FOLDER,
    discover,
    display_path,
    plan,
    run_ingest,
    skipped,
)
from dagster_project.staging.store import StagingStore
from dagster_project.warehouse.dbt_build import dbt_env
from dagster_project.warehouse.paths import DBT_PROJECT_DIR, WarehousePaths

from tests.badinputs.generate import mini_report
from tests.conftest import RAW, SAMPLES
from tests.unit.test_headlines import HEADLINES
from tests.integration.test_warehouse import DEPARTMENTS

REPO = Path(__file__).resolve().parents[2]
UNDECODABLE = b"\xff\xfe.txt"  # not UTF-8: Linux allows it, Dagster, Polars and Parquet do not
UNDECODABLE_SHOWN = "\\xff\\xfe.txt"  # as the summary, staging and the marts name it
FORGED = "evil\x1b[2J\x1b]0;pwned\x07\nbudgetwh run: 99 documents: 99 extracted\r.txt"
FORGED_SHOWN = "evil\\x1b[2J\\x1b]0;pwned\\x07\\nbudgetwh run: 99 documents: 99 extracted\\r.txt"
PERMISSION_DENIED = "Permission denied (EACCES)"
TOO_LONG = "File name too long (ENAMETOOLONG)"
HOSTILE_FOLDER = "x{name}y a*b 'q'"
DECOY = "诱饵县林业局"  # another warehouse's document, beside ours
DEPARTMENT = {  # made-up reports in the raw folder -> the department they print
    "undecodable": "东岭县林业局", "locked": "锁闭县林业局", "locked_folder": "锁目县林业局",
    "deep": "深层县林业局", "outside": "外部县审计局", "linked_inside": "双链县林业局",
    "old_warehouse": "旧仓县林业局",
}
CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, PR_CAPBSET_DROP = 1, 2, 24


def _named(folder: Path, name: bytes) -> Path:
    """The path of a file whose name is these bytes (pathlib carries them as surrogates)."""
    return Path(os.fsdecode(os.fsencode(folder) + b"/" + name))


def _drop_read_anything() -> None:
    """In the child before exec: without these capabilities root obeys permission bits too.
    Where the system refuses (no CAP_SETPCAP), nothing changes and `_can_read` says so."""
    if os.geteuid() != 0:
        return
    libc = ctypes.CDLL(None, use_errno=True)
    for cap in (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH):
        libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0)


def _can_read(path: Path) -> bool:
    """Whether a process started like the load (capabilities dropped) can read `path`."""
    try:
        proc = subprocess.run([sys.executable, "-c", "import sys; open(sys.argv[1], 'rb').read()", str(path)],
                              preexec_fn=_drop_read_anything, capture_output=True, timeout=60)
    except (OSError, subprocess.SubprocessError):
        return True
    return proc.returncode == 0


def _nest_past_path_max(top: Path, report: str) -> None:
    """`top/ddd…/ddd…/…/report.txt`, deeper than PATH_MAX (4096): built relative to open
    folders, since no single path can name the bottom."""
    top.mkdir()
    fd = os.open(top, os.O_RDONLY | os.O_DIRECTORY)
    try:
        for _ in range(24):  # 24 x 201 bytes
            os.mkdir("d" * 200, dir_fd=fd)
            deeper = os.open("d" * 200, os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
            os.close(fd)
            fd = deeper
        out = os.open("report.txt", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd)
        os.write(out, report.encode("utf-8"))
        os.close(out)
    finally:
        os.close(fd)


def _fake_warehouse(folder: Path, report: str) -> None:
    """A folder as a load leaves it: lock, staging manifest (and here a report, as bait)."""
    (folder / "staging" / "manifest").mkdir(parents=True)
    (folder / settings.LOCK_NAME).touch()
    (folder / "staging" / "report.txt").write_text(report, encoding="utf-8")


@dataclass
class Run:
    root: Path
    raw: Path
    warehouse: Path
    returncode: int
    stdout: str
    stderr: str
    permissions_apply: bool  # whether chmod 000 kept the load out (False: root with every capability)


def _budgetwh(raw: Path, warehouse: Path, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("BUDGETWH_CRASH_AT", "BUDGETWH_WAREHOUSE")}
    return subprocess.run(
        [sys.executable, "-m", "dagster_project.cli", "run", "--raw-dir", str(raw), "--warehouse", str(warehouse)],
        capture_output=True, text=True, env=env, cwd=cwd, timeout=900, preexec_fn=_drop_read_anything,
    )


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> Run:
    root = tmp_path_factory.mktemp("hostile")
    raw, outside = root / "raw", root / "outside"
    raw.mkdir()
    outside.mkdir()
    for name in SAMPLES:
        (raw / name).write_bytes((RAW / name).read_bytes())
    _named(raw, UNDECODABLE).write_text(mini_report(DEPARTMENT["undecodable"]), encoding="utf-8")
    (raw / FORGED).write_bytes(b"")  # quarantined (empty file), so the summary prints its name
    (raw / "locked.txt").write_text(mini_report(DEPARTMENT["locked"]), encoding="utf-8")
    (raw / "locked folder").mkdir()
    (raw / "locked folder" / "report.txt").write_text(mini_report(DEPARTMENT["locked_folder"]), encoding="utf-8")
    _nest_past_path_max(raw / "deep", mini_report(DEPARTMENT["deep"]))
    (outside / "secret.txt").write_text(mini_report(DEPARTMENT["outside"]), encoding="utf-8")
    os.link(outside / "secret.txt", raw / "hardlink_outside.txt")
    (raw / "linked_a.txt").write_text(mini_report(DEPARTMENT["linked_inside"]), encoding="utf-8")
    (raw / "sub").mkdir()
    os.link(raw / "linked_a.txt", raw / "sub" / "linked_b.txt")
    _fake_warehouse(raw / "old warehouse", mini_report(DEPARTMENT["old_warehouse"]))
    # another warehouse's staging wherever an unescaped glob of ours would reach
    decoy_raw = root / "decoy_raw"
    decoy_raw.mkdir()
    (decoy_raw / "decoy.txt").write_text(mini_report(DECOY), encoding="utf-8")
    for decoy in ("glo/" + HOSTILE_FOLDER, "gl[ob]/x{name}y aZb 'q'"):
        run_ingest(decoy_raw, root / decoy / "staging")
    (raw / "locked.txt").chmod(0)
    (raw / "locked folder").chmod(0)
    warehouse = root / "gl[ob]" / HOSTILE_FOLDER / "budget.duckdb"
    try:
        applies = not _can_read(raw / "locked.txt")
        proc = _budgetwh(raw, warehouse, root)
    finally:
        (raw / "locked.txt").chmod(0o644)
        (raw / "locked folder").chmod(0o755)
    return Run(root, raw, warehouse, proc.returncode, proc.stdout, proc.stderr, applies)


def _query(run: Run, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(run.warehouse), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def _skipped_line(run: Run, display: str) -> str:
    lines = (line.strip() for line in run.stdout.splitlines())
    return next(line for line in lines if line.startswith(f"skipped {display}: "))


def test_the_run_completes_and_names_its_warehouse_literally(hostile):
    assert hostile.returncode == 0, hostile.stdout[-3000:] + hostile.stderr[-3000:]
    assert "Traceback" not in hostile.stdout + hostile.stderr
    # rich markup must not eat "[ob]" from the path it prints
    assert f"warehouse: {hostile.warehouse} (load " in hostile.stdout


def test_the_published_documents_are_ours_and_only_the_readable_ones(hostile):
    """The glob of the staging source reaches no sibling folder (`glo`, `aZb`), and
    nothing that was skipped reaches the marts."""
    published = {r[0] for r in _query(hostile, "select department_name from marts.mart_budget_overview")}
    expected = set(DEPARTMENTS.values()) | {DEPARTMENT["undecodable"], DEPARTMENT["linked_inside"]}
    assert published - {DEPARTMENT["locked"], DEPARTMENT["locked_folder"]} == expected
    if hostile.permissions_apply:
        assert published == expected
    assert DECOY not in published


@pytest.mark.parametrize("sample", sorted(HEADLINES))
def test_samples_are_published_once_with_their_figures(hostile, sample):
    total, basic, project, three, _ = (Decimal(v) for v in HEADLINES[sample])
    rows = _query(hostile, "select total_expenditure_yuan, basic_expenditure_yuan, project_expenditure_yuan, "
                           "three_public_yuan from marts.mart_budget_overview where department_name = ?",
                  [DEPARTMENTS[sample]])
    assert rows == [(total, basic, project, three)]


def test_a_name_that_is_not_utf8_loads_under_its_escaped_name(hostile):
    rows = _query(hostile, "select d.source_path, d.status from marts.dim_document d join marts.dim_disclosure s "
                           "using (disclosure_id) where s.department_name = ?", [DEPARTMENT["undecodable"]])
    assert rows == [(UNDECODABLE_SHOWN, "ok")]
    (total,) = _query(hostile, "select total_expenditure_yuan from marts.mart_budget_overview "
                               "where department_name = ?", [DEPARTMENT["undecodable"]])[0]
    assert total == Decimal("1000000.00")


def test_control_characters_in_a_name_are_shown_escaped(hostile):
    out = hostile.stdout
    assert "\x1b" not in out and "\x07" not in out and "\r" not in out
    assert not any(line.startswith("budgetwh run: 99") for line in out.splitlines())
    assert f"quarantined {FORGED_SHOWN}: empty file" in out


def test_unreadable_file_and_folder_are_skipped_with_the_system_reason(hostile):
    if not hostile.permissions_apply:
        pytest.skip("running as root with CAP_DAC_OVERRIDE that cannot be dropped: chmod 000 does not stop reads")
    assert _skipped_line(hostile, "locked.txt").endswith(f": cannot be read: {PERMISSION_DENIED}")
    assert _skipped_line(hostile, "locked folder").endswith(f": folder cannot be listed: {PERMISSION_DENIED}")


def test_a_folder_past_path_max_is_skipped_with_the_system_reason(hostile):
    line = next(ln.strip() for ln in hostile.stdout.splitlines() if ln.strip().startswith("skipped deep/"))
    assert line.endswith(f": cannot be read: {TOO_LONG}")
    assert len(line) > 3000  # its full name, as deep as the walk got


def test_hard_links_outside_are_skipped_and_inside_are_read(hostile):
    assert _skipped_line(hostile, "hardlink_outside.txt") == f"skipped hardlink_outside.txt: {HARD_LINK_OUTSIDE}"
    assert "duplicate sub/linked_b.txt: same facts as linked_a.txt" in hostile.stdout


def test_a_folder_holding_a_warehouse_is_not_read(hostile):
    assert _skipped_line(hostile, "old warehouse") == f"skipped old warehouse: {WAREHOUSE_FOLDER}"


def test_a_rerun_keeps_every_name(hostile):
    """The escaped names are the same on every run: nothing is removed, nothing renamed (the
    run may extract again if the code changed meanwhile)."""
    proc = _budgetwh(hostile.raw, hostile.warehouse, hostile.root)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "0 removed" in proc.stdout.splitlines()[0]
    assert f"skipped hardlink_outside.txt: {HARD_LINK_OUTSIDE}" in proc.stdout
    assert f"warehouse: {hostile.warehouse} (" in proc.stdout


# --- a warehouse where it would read its own output -----------------------------------------

def test_a_warehouse_inside_the_raw_folder_is_refused(tmp_path):
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / SAMPLES[0]).write_bytes((RAW / SAMPLES[0]).read_bytes())
    proc = _budgetwh(raw, raw / "wh" / "budget.duckdb", tmp_path)
    assert proc.returncode == 2
    assert "lies inside the raw folder" in proc.stderr and str(raw / "wh" / "budget.duckdb") in proc.stderr
    assert not (raw / "wh").exists()  # nothing written


UNUSABLE = {  # where the warehouse is -> what the refusal says
    "beside": ("raw/budget.duckdb", "lies inside the raw folder"),
    "inside staging": ("wh/budget.duckdb", "lies inside the warehouse's staging folder"),
    "backslash": ("a\\b/budget.duckdb", "contains a backslash, which DuckDB reads as a path separator"),
    "question mark": ("q?/budget.duckdb", "dbt-duckdb reads a database path as a URL"),
    "hash": ("a#b/budget.duckdb", "dbt-duckdb reads a database path as a URL"),
    "semicolon in the name": ("wh/bud;get.duckdb", "dbt-duckdb reads a database path as a URL"),
}


@pytest.mark.parametrize("where", sorted(UNUSABLE))
def test_other_unusable_warehouses_are_refused(tmp_path, capsys, where):
    relative, reason = UNUSABLE[where]
    raw = tmp_path / ("wh/staging/raw" if where == "inside staging" else "raw")
    raw.mkdir(parents=True)
    warehouse = tmp_path / relative
    assert main(["run", "--raw-dir", str(raw), "--warehouse", str(warehouse)]) == 2
    err = capsys.readouterr().err
    assert reason in err and str(warehouse) in err
    assert not warehouse.parent.exists() or where in ("beside", "inside staging")  # nothing written


def test_a_warehouse_beside_the_raw_folder_is_fine(tmp_path):
    assert settings.warehouse_refusal(tmp_path / "raw", tmp_path / "raw2" / "budget.duckdb") is None
    assert settings.warehouse_refusal(tmp_path / "raw", tmp_path / "budget.duckdb") is None
    odd = tmp_path / "gl[ob]" / "x{name}y a*b 'q' ;:%3F" / "budget.duckdb"
    assert settings.warehouse_refusal(tmp_path / "raw", odd) is None


def test_dbt_env_refuses_a_path_duckdb_would_misread(tmp_path):
    """The Dagster path has no CLI in front of it: dbt's environment refuses what DuckDB or
    dbt-duckdb would misread, naming the path."""
    with pytest.raises(ValueError, match="backslash"):
        dbt_env(WarehousePaths(tmp_path / "a\\b" / "budget.duckdb"), "x")
    with pytest.raises(ValueError, match=r"q\?/build/budget\.x\.duckdb would be cut short"):
        dbt_env(WarehousePaths(tmp_path / "q?" / "budget.duckdb"), "x")
    env = dbt_env(WarehousePaths(tmp_path / "gl[ob]" / "budget.duckdb"), "x")
    assert env["BUDGETWH_STAGING_DIR"] == str(tmp_path / "gl[ob]" / "staging")  # escaped in one place: the source


# --- the rules, one at a time, in-process -----------------------------------------------------

def _raw(tmp_path: Path) -> Path:
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "a.txt").write_text("report", encoding="utf-8")
    return raw


def test_display_path_is_valid_utf8_and_the_file_is_read_by_its_real_path(tmp_path):
    raw = _raw(tmp_path)
    real = _named(raw, b"sub\xe9/" + UNDECODABLE)
    real.parent.mkdir()
    real.write_bytes(b"bytes")
    work = plan(raw, StagingStore(tmp_path / "staging"))
    assert sorted(work.files) == ["a.txt", "sub\\xe9/" + UNDECODABLE_SHOWN]
    display = "sub\\xe9/" + UNDECODABLE_SHOWN
    assert work.files[display].read_bytes() == b"bytes"
    assert display_path(raw, raw / "a.txt") == "a.txt"
    pl.DataFrame({"source_path": [display]}).write_parquet(tmp_path / "x.parquet")  # Parquet takes it
    instance = dg.DagsterInstance.ephemeral()
    instance.add_dynamic_partitions(documents_partitions.name, [partition_key(display)])  # and Dagster


def test_an_escaped_name_that_clashes_with_a_real_one_is_not_read(tmp_path):
    raw = _raw(tmp_path)
    _named(raw, UNDECODABLE).write_bytes(b"bytes")
    (raw / UNDECODABLE_SHOWN).write_bytes(b"the real name")
    assert [p.read_bytes() for p in discover(raw)] == [b"the real name", b"report"]
    assert skipped(raw) == {UNDECODABLE_SHOWN: NAME_CLASH}


def test_partition_keys_dagster_cannot_take_become_digests():
    assert partition_key("sub dir/报告 [1].txt") == "sub dir/报告 [1].txt"
    for bad in ("\udcff\udcfe.txt", "a\x1bb.txt", "a\nb.txt", "a...b.txt", "a\x85b.txt"):
        assert partition_key(bad).startswith("path-sha1-")
    assert partition_key("a\nb.txt") != partition_key("a\rb.txt")


def _deny(monkeypatch, denied: Path, function: str) -> None:
    """The system refuses `denied` with EACCES (what chmod 000 does for anyone but root)."""
    real = getattr(os, function)

    def refuse(path=".", *args, **kwargs):
        if os.fsencode(path) == os.fsencode(denied):
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real(path, *args, **kwargs)
    monkeypatch.setattr(os, function, refuse)


def test_a_file_that_cannot_be_opened_is_skipped_naming_the_error(tmp_path, monkeypatch):
    raw = _raw(tmp_path)
    (raw / "locked.txt").write_text("secret", encoding="utf-8")
    _deny(monkeypatch, raw / "locked.txt", "open")
    assert skipped(raw) == {"locked.txt": f"cannot be read: {PERMISSION_DENIED}"}
    assert list(plan(raw, StagingStore(tmp_path / "staging")).files) == ["a.txt"]


def test_a_folder_that_cannot_be_listed_is_skipped_naming_the_error(tmp_path, monkeypatch):
    raw = _raw(tmp_path)
    (raw / "locked").mkdir()
    (raw / "locked" / "report.txt").write_text("secret", encoding="utf-8")
    _deny(monkeypatch, raw / "locked", "scandir")
    assert skipped(raw) == {"locked": f"folder cannot be listed: {PERMISSION_DENIED}"}
    assert discover(raw) == [raw / "a.txt"]


def test_a_path_past_path_max_is_skipped_naming_the_error(tmp_path):
    raw = _raw(tmp_path)
    _nest_past_path_max(raw / "deep", "x")
    (why,) = skipped(raw).values()
    assert why == f"cannot be read: {TOO_LONG}"
    assert discover(raw) == [raw / "a.txt"]


def test_a_file_that_fails_while_planning_is_extracted_not_fatal(tmp_path, monkeypatch):
    """Stat or hash refused after the walk (permissions changed meanwhile): the file counts as
    changed, and extraction reports it; the plan of the others goes on."""
    raw = _raw(tmp_path)
    (raw / "b.txt").write_text("other", encoding="utf-8")
    real = planner.is_current

    def flaky(entry, path, store, *limits):
        if path.name == "b.txt":
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real(entry, path, store, *limits)
    monkeypatch.setattr(planner, "is_current", flaky)
    work = plan(raw, StagingStore(tmp_path / "staging"))
    assert sorted(work.files) == ["a.txt", "b.txt"] and sorted(work.changed) == ["a.txt", "b.txt"]


def test_hard_links_count_only_when_every_link_is_inside(tmp_path):
    raw = _raw(tmp_path)
    (tmp_path / "secret.txt").write_text("outside", encoding="utf-8")
    os.link(tmp_path / "secret.txt", raw / "out.txt")
    (raw / "in.txt").write_text("inside", encoding="utf-8")
    (raw / "sub").mkdir()
    os.link(raw / "in.txt", raw / "sub" / "in.txt")
    (raw / "kept.txt").write_text("backed up", encoding="utf-8")
    (raw / ".backup").mkdir()
    os.link(raw / "kept.txt", raw / ".backup" / "kept.txt")  # hidden, but inside: not outside
    (raw / "via_link.txt").symlink_to(raw / "out.txt")
    assert skipped(raw) == {"out.txt": HARD_LINK_OUTSIDE, "via_link.txt": HARD_LINK_OUTSIDE}
    assert sorted(display_path(raw, p) for p in discover(raw)) == ["a.txt", "in.txt", "kept.txt", "sub/in.txt"]


def test_folders_holding_a_warehouse_are_not_descended(tmp_path):
    raw = _raw(tmp_path)
    _fake_warehouse(raw / "wh", "report")
    (raw / "wh2" / "staging" / "manifest").mkdir(parents=True)  # a Dagster load leaves no lock
    (raw / "wh2" / "budget.duckdb").write_bytes(b"DUCK")
    (raw / "to_staging.txt").symlink_to(raw / "wh" / "staging" / "report.txt")
    assert skipped(raw) == {"wh": WAREHOUSE_FOLDER, "wh2": WAREHOUSE_FOLDER, "to_staging.txt": LINK_INTO_WAREHOUSE}
    assert discover(raw) == [raw / "a.txt"]


def test_the_raw_folder_being_a_warehouse_folder_skips_its_output(tmp_path):
    raw = _raw(tmp_path)
    for name in settings.WAREHOUSE_FOLDERS:
        (raw / name).mkdir()
        (raw / name / "x.txt").write_text("output", encoding="utf-8")
    (raw / settings.LOCK_NAME).touch()
    assert skipped(raw) == {name: WAREHOUSE_FOLDER for name in settings.WAREHOUSE_FOLDERS}


def test_shown_escapes_controls_markup_and_undecodable_bytes():
    assert shown("a\x1b[31mb\nc\rd\x07\x85\u202etxt.exe") == "a\\x1b[31mb\\nc\\rd\\x07\\x85\\u202etxt.exe"
    assert shown("[red]x[/] 报告.txt") == "\\[red]x\\[/] 报告.txt"
    assert shown("\udcff.txt") == "\\xff.txt"
    assert shown(Path("/srv/gl[ob]/wh")) == "/srv/gl\\[ob]/wh"


def test_the_staging_source_is_a_literal_path(tmp_path):
    """dbt's staging source, rendered for a folder full of glob characters, braces and quotes
    (as dbt renders it, then dbt-duckdb's str.format), reads that folder and no look-alike."""
    meta = yaml.safe_load((DBT_PROJECT_DIR / "models" / "staging" / "__sources.yml").read_text(encoding="utf-8"))
    template = meta["sources"][0]["meta"]["external_location"]
    folder = tmp_path / "gl[ob]" / HOSTILE_FOLDER / "staging"
    decoys = [tmp_path / "glo" / HOSTILE_FOLDER / "staging", tmp_path / "gl[ob]" / "x{name}y aZb q? 'q'" / "staging",
              tmp_path / "gl[ob]" / "x{name}y a*b qZ 'q'" / "staging"]
    for value, where in enumerate([folder, *decoys]):
        (where / "documents").mkdir(parents=True)
        pl.DataFrame({"v": [value]}).write_parquet(where / "documents" / "d.parquet")
    rendered = jinja2.Environment().from_string(template).render(env_var=lambda name, default=None: str(folder))
    sql = rendered.format_map({"name": "documents"})
    with duckdb.connect() as con:
        assert con.execute(f"select v from {sql}").fetchall() == [(0,)]
