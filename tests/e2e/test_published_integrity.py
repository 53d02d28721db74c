"""The published warehouse is changed by loads only, loads never wait in silence, and a full
disk does not outlive the load that hit it.

A BI user may open `budget.duckdb` read-write (`duckdb budget.duckdb`, a BI tool's default):
a session that edits and is killed leaves `budget.duckdb.wal`, which every later read-only
open replays; one that closes writes its edits into the file; one that stays open must not
be published over. The load lock says whom it waits for and gives up after
BUDGETWH_LOCK_TIMEOUT_SECONDS. A load that fails on a full disk deletes its build file, and
the next one removes what killed loads left, whatever its age (docs/reliability.md).

One clean load of two sample reports is the template; each test loads into its own copy.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl
import pytest

from dagster_project.cli import main
from dagster_project.faults import FAIL_ENV
from dagster_project.load import run_load
from dagster_project.settings import lock_timeout_from
from dagster_project.warehouse import publish as publish_module
from dagster_project.warehouse.lock import (
    EXIT_RETRY_LATER,
    TIMEOUT_ENV,
    LockTimeout,
    lock_path,
    read_holder,
    warehouse_lock,
)
from dagster_project.warehouse.paths import WarehousePaths
from dagster_project.warehouse.publish import (
    check_published,
    foreign_dir,
    read_record,
    record_path,
    remove_stale_builds,
    wal_path,
)

from tests.conftest import RAW
from tests.e2e.test_crash_safety import marts_digest

SAMPLES = ("000_6f7a8188d183d2a4.txt", "004_c7edf4338a4ef304.txt")

# A BI user's read-write session: deletes every spending row with an amount, adds a scratch
# table, then dies (kill), closes (close), or stays open until its stdin closes (hold).
BI_SESSION = textwrap.dedent("""
    import os, signal, sys, duckdb
    con = duckdb.connect(sys.argv[1])
    con.execute("delete from marts.fct_expenditure where amount_yuan > 0")
    con.execute("create table main.scratch as select 42 as answer")
    if sys.argv[2] == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    if sys.argv[2] == "hold":
        print("ready", flush=True)
        sys.stdin.read()
    con.close()
""")

# Holds the warehouse lock until its stdin closes.
LOCK_HOLDER = textwrap.dedent("""
    import sys
    from pathlib import Path
    from dagster_project.warehouse.lock import warehouse_lock
    with warehouse_lock(Path(sys.argv[1]), what="a hung load (test)"):
        print("held", flush=True)
        sys.stdin.read()
""")


@dataclass(frozen=True)
class Published:
    """What a reader of the published file and of the Parquet export sees."""

    load_id: str
    digest: str
    counts: dict[str, int]
    other_tables: list[str]  # tables outside the marts and meta schemas (a user's scratch tables)
    parquet_counts: dict[str, int]
    parquet_load_ids: set[str]


def read_published(paths: WarehousePaths) -> Published:
    with duckdb.connect(str(paths.published), read_only=True) as con:
        (load_id,) = con.execute("select load_id from meta.load").fetchone()
        marts = [r[0] for r in con.execute(
            "select table_name from duckdb_tables() where schema_name = 'marts' order by 1").fetchall()]
        counts = {m: con.execute(f'select count(*) from marts."{m}"').fetchone()[0] for m in marts}
        other = sorted(f"{s}.{t}" for s, t in con.execute(
            "select schema_name, table_name from duckdb_tables() where schema_name not in ('marts', 'meta')").fetchall())
        digest = marts_digest(con)
    parquet_counts, parquet_ids = {}, set()
    for path in sorted(paths.parquet_dir.glob("*.parquet")):
        frame = pl.read_parquet(path, columns=["load_id"])
        parquet_counts[path.stem] = frame.height
        parquet_ids |= set(frame["load_id"].unique().to_list())
    return Published(load_id, digest, counts, other, parquet_counts, parquet_ids)


@dataclass(frozen=True)
class Template:
    root: Path
    published: Published


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Template:
    root = tmp_path_factory.mktemp("integrity")
    raw = root / "raw"
    raw.mkdir()
    for name in SAMPLES:
        shutil.copy(RAW / name, raw / name)
    outcome = run_load(raw, root / "wh" / "budget.duckdb")
    assert outcome.success, outcome.failure
    return Template(root, read_published(WarehousePaths(root / "wh" / "budget.duckdb")))


@pytest.fixture
def copy(template: Template, tmp_path: Path) -> tuple[Path, WarehousePaths]:
    """The template's raw folder and warehouse, copied (file times kept: nothing to extract)."""
    shutil.copytree(template.root, tmp_path / "t", symlinks=True)
    return tmp_path / "t" / "raw", WarehousePaths(tmp_path / "t" / "wh" / "budget.duckdb")


def bi_session(paths: WarehousePaths, mode: str) -> subprocess.Popen | None:
    proc = subprocess.Popen([sys.executable, "-c", BI_SESSION, str(paths.published), mode],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    if mode == "hold":
        assert proc.stdout.readline().strip() == "ready"
        return proc
    proc.communicate(timeout=120)
    return None


def cli(raw: Path, paths: WarehousePaths, *extra: str) -> list[str]:
    return ["run", "--raw-dir", str(raw), "--warehouse", str(paths.published), *extra]


# --- a read-write session that was killed, closed, or is still open --------------------------


def test_a_killed_read_write_session_is_set_aside_and_the_load_is_seen_again(copy, template, capsys):
    """The session's WAL made every reader see its edits; the next run (nothing else to do)
    moves it into build/foreign-edits, checks the file against its record, and says so."""
    raw, paths = copy
    bi_session(paths, "kill")
    assert wal_path(paths.published).exists()
    tampered = read_published(paths)
    assert tampered.counts["fct_expenditure"] < template.published.counts["fct_expenditure"]
    assert tampered.other_tables == ["main.scratch"]  # the bug: every reader saw the session's edits

    assert main(cli(raw, paths)) == 0
    out = capsys.readouterr().out
    after = read_published(paths)
    assert after == template.published  # rows back, no scratch table, same load, same export
    assert not wal_path(paths.published).exists()
    kept = list(foreign_dir(paths).iterdir())
    assert [p.name.startswith("budget.duckdb.wal.") for p in kept] == [True]
    assert "budget.duckdb.wal, the write-ahead log of a read-write session that did not close" in out
    assert f"moved to {kept[0]}" in out
    assert "budget.duckdb itself is unchanged" in out


def test_a_load_never_publishes_next_to_a_stale_wal(copy, template):
    """A load that publishes a new file with a dead session's WAL beside the old one: the WAL
    would be replayed over the new file by every reader, and by the Parquet export."""
    raw, paths = copy
    bi_session(paths, "kill")
    outcome = run_load(raw, paths.published, force=True)
    assert outcome.success, outcome.failure
    after = read_published(paths)
    assert after.load_id == outcome.load_id != template.published.load_id
    assert after.digest == template.published.digest and after.other_tables == []
    assert after.counts == template.published.counts
    assert after.parquet_counts == template.published.parquet_counts and after.parquet_load_ids == {after.load_id}
    assert outcome.wal_set_aside and Path(outcome.wal_set_aside).parent == foreign_dir(paths)


def test_a_clean_read_write_edit_is_published_over_and_said(copy, template, capsys):
    """The session closed: its edits are in the file itself and no WAL says so. The record of
    the load that published it does: the run, which had nothing else to do, publishes again."""
    raw, paths = copy
    bi_session(paths, "close")
    assert not wal_path(paths.published).exists()
    assert read_published(paths).other_tables == ["main.scratch"]
    assert main(cli(raw, paths)) == 0
    out = capsys.readouterr().out
    after = read_published(paths)
    assert after.load_id != template.published.load_id
    assert after.digest == template.published.digest and after.counts == template.published.counts
    assert after.other_tables == [] and after.parquet_counts == template.published.parquet_counts
    assert "budget.duckdb was not what the last load published: it changed after load" in out
    assert "published again" in out
    assert "nothing changed since the published load" not in out
    assert check_published(paths).modified is None  # and the new file is recorded


def test_a_live_read_write_session_is_not_published_over(copy, template, monkeypatch, capsys):
    """Its WAL would land beside the new file. The load waits for it (says so), gives up after
    BUDGETWH_LOCK_TIMEOUT_SECONDS, exits 75, and leaves the published file and the session's
    WAL alone; the failed publish's build file is deleted, its dbt target kept."""
    raw, paths = copy
    monkeypatch.setenv(TIMEOUT_ENV, "0.5")
    session = bi_session(paths, "hold")
    try:
        inode = paths.published.stat().st_ino
        code = main(cli(raw, paths, "--force"))
        err = capsys.readouterr().err
        assert code == EXIT_RETRY_LATER
        assert f"waiting for pid {session.pid}" in err and "to close" in err
        assert f"not published: {paths.published} is open read-write by pid {session.pid}" in " ".join(err.split())
        assert paths.published.stat().st_ino == inode and wal_path(paths.published).exists()
        assert read_record(paths)["current"]["load_id"] == template.published.load_id
        assert not list(paths.build_dir.glob("budget.*.duckdb")) and list(paths.build_dir.glob("dbt-target-*"))
        assert not list(paths.root.glob(".*tmp*"))
    finally:
        session.stdin.close()
        session.wait(timeout=120)


def test_check_published_trusts_content_not_the_inode(copy, template):
    """A copy (new inode, new times) or a chmod is the same load; no record is not verifiable."""
    _, paths = copy  # copied: inode and times differ from the record, the sha256 does not
    check = check_published(paths, repair=True)
    assert check.modified is None and check.record["load_id"] == template.published.load_id
    assert read_record(paths)["current"]["inode"] == paths.published.stat().st_ino  # repaired
    os.chmod(paths.published, 0o600)
    assert check_published(paths).modified is None
    record_path(paths).unlink()
    assert "nothing records what the last load published" in check_published(paths).modified


# --- the load lock ----------------------------------------------------------------------------


@pytest.fixture
def lock_holder(tmp_path: Path) -> Iterator[tuple[Path, subprocess.Popen]]:
    root = tmp_path / "wh"
    proc = subprocess.Popen([sys.executable, "-c", LOCK_HOLDER, str(root)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True, cwd=Path(__file__).resolve().parents[2])
    try:
        assert proc.stdout.readline().strip() == "held"
        yield root, proc
    finally:
        proc.stdin.close()
        proc.wait(timeout=60)


def test_a_load_says_whom_it_waits_for_and_gives_up(lock_holder, tmp_path, monkeypatch, capsys):
    root, holder = lock_holder
    raw = tmp_path / "raw"
    raw.mkdir()
    shutil.copy(RAW / SAMPLES[0], raw / SAMPLES[0])
    assert read_holder(lock_path(root)).pid == holder.pid
    monkeypatch.setenv(TIMEOUT_ENV, "0.3")  # read when the load starts
    lines: list[str] = []
    with pytest.raises(LockTimeout, match=f"held by pid {holder.pid} \\(a hung load \\(test\\)\\) since"):
        run_load(raw, root / "budget.duckdb", on_wait=lines.append)
    assert len(lines) == 1 and lines[0].startswith(f"waiting for the load lock held by pid {holder.pid}")
    assert TIMEOUT_ENV in lines[0]
    assert main(["run", "--raw-dir", str(raw), "--warehouse", str(root / "budget.duckdb")]) == EXIT_RETRY_LATER
    err = " ".join(capsys.readouterr().err.split())
    assert f"waiting for the load lock held by pid {holder.pid}" in err
    assert "not loaded: gave up waiting for the load lock" in err
    assert not (root / "budget.duckdb").exists()


def test_the_lock_is_reentrant_and_records_its_holder(tmp_path, monkeypatch):
    """budgetwh run holds it while its own steps (dbt, publish) take it again: no deadlock."""
    with warehouse_lock(tmp_path, whole_load=True, timeout=0) as outer:
        holder = read_holder(lock_path(tmp_path))
        assert holder.pid == os.getpid() and holder.since
        with warehouse_lock(tmp_path, timeout=0) as inner:
            assert inner.whole_load and outer.whole_load
        other = subprocess.run([sys.executable, "-c", textwrap.dedent(f"""
            from pathlib import Path
            from dagster_project.warehouse.lock import LockTimeout, warehouse_lock
            try:
                with warehouse_lock(Path({str(tmp_path)!r}), timeout=0):
                    print("acquired")
            except LockTimeout as exc:
                print("timeout:", exc)
        """)], capture_output=True, text=True, cwd=Path(__file__).resolve().parents[2])
        assert other.stdout.startswith(f"timeout: gave up waiting for the load lock {lock_path(tmp_path)}: "
                                       f"held by pid {os.getpid()}"), other.stderr
    with pytest.raises(ValueError, match=TIMEOUT_ENV):
        lock_timeout_from({TIMEOUT_ENV: "abc"})
    assert lock_timeout_from({TIMEOUT_ENV: "12"}) == 12.0


# --- a full disk ------------------------------------------------------------------------------


def fake_build(paths: WarehousePaths, mb: int) -> Path:
    """A build file a killed load left behind, just now (not stale by age)."""
    paths.build_dir.mkdir(parents=True, exist_ok=True)
    path = paths.build_file(str(uuid.uuid4()))
    with path.open("wb") as handle:
        handle.write(os.urandom(1 << 20) * mb)
    return path


@pytest.mark.parametrize("point", ["dbt_build", "publish_copy"])
def test_a_load_failing_on_a_full_disk_removes_its_build_and_the_next_succeeds(copy, template, monkeypatch, point):
    raw, paths = copy
    left = fake_build(paths, 4)
    fresh_target = paths.build_dir / f"dbt-target-{uuid.uuid4()}"
    fresh_target.mkdir()
    monkeypatch.setenv(FAIL_ENV, point)
    failed = run_load(raw, paths.published, force=True)
    assert not failed.success and "No space left on device" in failed.failure
    assert [name for name, _ in failed.removed_builds] == [left.name]  # no other load can be live
    assert sorted(p.name for p in paths.build_dir.glob("budget.*")) == []  # its own build file too
    assert paths.dbt_target(failed.load_id).is_dir() and fresh_target.is_dir()  # diagnosis kept
    assert not list(paths.root.glob(".*tmp*"))
    assert read_published(paths) == template.published
    if point == "publish_copy":
        monkeypatch.delenv(FAIL_ENV)
        again = run_load(raw, paths.published, force=True)
        assert again.success, again.failure
        assert read_published(paths).digest == template.published.digest
        assert sorted(p.name for p in paths.build_dir.glob("budget.*")) == []


def test_short_free_space_lists_what_was_removed(copy, monkeypatch, capsys):
    raw, paths = copy
    left = fake_build(paths, 2)
    real = shutil.disk_usage
    monkeypatch.setattr(publish_module.shutil, "disk_usage",
                        lambda path: real(path)._replace(free=300 << 20))
    assert main(cli(raw, paths)) == 0
    out = capsys.readouterr().out
    assert "removed 1 file(s) that earlier loads left behind (2.0 MiB" in out
    assert "free space on the warehouse's file system is short: 300 MiB" in out
    assert f"removed {left.name} (2.0 MiB)" in out
    assert not left.exists()


def test_only_a_whole_load_removes_fresh_build_files(tmp_path):
    """A step of a daemon run holds the lock only for itself: another run may be between its
    dbt and publish steps, so fresh build files go only when their run is known to be over."""
    paths = WarehousePaths(tmp_path / "budget.duckdb")
    live, done = fake_build(paths, 1), fake_build(paths, 1)
    target = paths.build_dir / f"dbt-target-{uuid.uuid4()}"
    target.mkdir()
    finished = {done.name.split(".")[1]}
    removed = remove_stale_builds(paths, None, is_live=lambda load_id: load_id not in finished)
    assert [p for p, _ in removed] == [done]
    removed = remove_stale_builds(paths, None, exclusive=True)
    assert [p for p, _ in removed] == [live] and target.is_dir()
    old = time.time() - 3 * 86400
    os.utime(target, (old, old))
    assert [p for p, _ in remove_stale_builds(paths, None)] == [target]
