"""Runs `dbt build` over the staging Parquet into the build file.

The dbt project reads its paths from environment variables (dbt/profiles.yml,
dbt/models/staging/__sources.yml), so this module's job is to set them, to run dbt, and to
report what dbt said node by node. A load runs dbt in its own process through dbt's public
programmatic API (`dbtRunner`, `build_in_process`): a subprocess pays Python's and dbt's
start-up again on every load, and dagster-dbt's resource adds a version check and an adapter
before it (seconds of a small load). A killed load takes dbt with it (same process); an
interrupted one reaches dbt as an exception in the thread that runs it. `run_dbt_build`
(tests, tools) still runs dbt as a subprocess.
"""

from __future__ import annotations

import gc
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import chdir, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from dagster_project.settings import sql_path_problem
from dagster_project.warehouse.paths import DBT_PROJECT_DIR, WarehousePaths

# dbt's events that report one node's result (seed, model, snapshot, data or unit test)
RESULT_EVENTS = frozenset({"LogSeedResult", "LogModelResult", "LogSnapshotResult", "LogTestResult"})
# What every in-process invocation passes: dbt prints its node lines (`12 of 414 PASS …`) to
# the process's stdout as it did from its own process, which `budgetwh run` keeps in
# build/last-load.log and Dagster in the step's captured output; without colour codes, so the
# log reads (and greps) as text; and no usage statistics are sent from a batch job (no network
# is needed for a load).
DBT_FLAGS = ("--log-level", "info", "--no-use-colors", "--no-send-anonymous-usage-stats")
# What a load leaves out: dbt's unit tests check the models' SQL against fixed rows, not the
# data, so a load would rerun the same check with the same result (dbt's documentation keeps
# them out of production builds). The test suite runs them (tests/integration/test_dbt_unit_tests.py).
LOAD_EXCLUDES = ("--exclude-resource-type", "unit_test")


# How the profile names the build file and the staging folder for an in-process build: paths
# relative to the load's dbt target folder (build/dbt-target-<load id>/), the same strings for
# every load of every warehouse, so that dbt can reuse an earlier parse (`build_in_process`).
# `dbt parse` for Dagster's manifest renders the same profile, so that its parse applies too.
BUILD_LINK = "build.duckdb"
PARSE_STATE = "partial_parse.msgpack"  # dbt's name for its parse state in a target folder
# The project's parse state as `ensure_dbt_manifest` left it, under a name of our own: other dbt
# users of dbt/target (sqlfluff's dbt templater in `make lint`, `make docs`) rewrite
# partial_parse.msgpack with their own profile, which a load could not reuse.
PARSE_SEED = "budgetwh_partial_parse.msgpack"


def _stable_profile() -> dict[str, str]:
    layout = WarehousePaths(Path("/warehouse/budget.duckdb"))  # any warehouse: only the layout counts
    return {"BUDGETWH_BUILD_PATH": BUILD_LINK,
            "BUDGETWH_STAGING_DIR": os.path.relpath(layout.staging, layout.dbt_target("load"))}


STABLE_PROFILE = _stable_profile()


@dataclass
class DbtOutcome:
    success: bool
    returncode: int
    results: list[dict] = field(default_factory=list)  # run_results.json "results"
    log_tail: str = ""

    def with_status(self, *statuses: str) -> list[dict]:
        return [r for r in self.results if r.get("status") in statuses]


def dbt_executable() -> str:
    beside = Path(sys.executable).with_name("dbt")
    return str(beside) if beside.exists() else (shutil.which("dbt") or "dbt")


def dbt_env(paths: WarehousePaths, load_id: str) -> dict[str, str]:
    """The variables dbt/profiles.yml and the sources read, as absolute paths.

    The paths go as they are: dbt/models/staging/__sources.yml escapes the staging folder where
    it becomes a glob inside a SQL string (quotes, glob characters, braces), so every caller
    that sets BUDGETWH_STAGING_DIR gets the same treatment. A path DuckDB cannot take literally
    at all (a backslash; `?` or `#`, which dbt-duckdb reads as a URL's) is refused here, naming
    the path, instead of building elsewhere or failing with dbt's words."""
    staging, build = paths.staging.resolve(), paths.build_file(load_id).resolve()
    for path, problem in ((staging, sql_path_problem(staging)), (build, sql_path_problem(build, database=True))):
        if problem is not None:
            raise ValueError(f"{path} {problem}")
    return {
        "BUDGETWH_STAGING_DIR": str(staging),
        "BUDGETWH_BUILD_PATH": str(build),
        "BUDGETWH_LOAD_ID": load_id,
        "DBT_PROFILES_DIR": str(DBT_PROJECT_DIR),
    }


@dataclass(frozen=True)
class NodeResult:
    """One node's result as dbt reported it while building (the fields of its result event
    that a load reports: what it is, how it ended, how long it took, rows a test found)."""

    unique_id: str
    status: str  # dbt's node status: success, error, skipped, pass, warn, fail, no-op, reused
    execution_seconds: float
    invocation_id: str
    failures: int | None = None  # a test's failing rows (None for a model or seed)


@dataclass
class BuildOutcome:
    """What an in-process `dbt build` returned: whether it succeeded, the exception dbt caught
    (an error of dbt itself, or an interruption it swallowed), and every node result."""

    success: bool
    exception: BaseException | None
    nodes: list[NodeResult] = field(default_factory=list)


def node_result(event: object) -> NodeResult | None:
    """The NodeResult of a dbt event (dbt's EventMsg, as dbtRunner callbacks receive it), or
    None for an event that reports no node's result."""
    info = getattr(event, "info", None)
    if info is None or info.name not in RESULT_EVENTS:
        return None
    data = event.data  # type: ignore[attr-defined]
    node = data.node_info
    if not node.unique_id:
        return None
    status = node.node_status if node.node_status not in ("", "None") else str(data.status).lower()
    failures = int(data.num_failures) if info.name == "LogTestResult" else None
    return NodeResult(node.unique_id, status, float(data.execution_time), info.invocation_id, failures)


@contextmanager
def dbt_environment(values: dict[str, str]) -> Iterator[None]:
    """dbt reads its paths from the environment (dbt/profiles.yml); set them for one invocation
    only, and put back what was there."""
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def build_in_process(paths: WarehousePaths, load_id: str, args: list[str],
                     on_node: Callable[[NodeResult], None]) -> BuildOutcome:
    """`dbt build` of this load in this process (dbt's public `dbtRunner`) into the load's own
    target folder, calling `on_node` with each node's result as dbt reports it (from dbt's
    worker threads). dbt's variables are set in os.environ for the invocation only (dbt reads
    them from there when it starts).

    dbt runs from the load's target folder, where the profile names the build file
    `build.duckdb` (a link to the load's own file) and the staging folder `../../staging`: a
    profile that renders the same for every load and every warehouse is what lets dbt reuse an
    earlier parse (its partial parsing starts over whenever the profile changes): 1–2 s
    instead of a full parse (BENCHMARKS.md). The parse comes from this warehouse's previous load,
    or else from the one `ensure_dbt_manifest` made for Dagster.

    An exception dbt raised or swallowed comes back in the outcome; an interruption
    (KeyboardInterrupt, Dagster's termination) is raised again here, once dbt has let go."""
    from dbt.cli.main import dbtRunner  # dbt's imports, paid by the step that builds, not at import

    nodes: list[NodeResult] = []

    def collect(event: object) -> None:
        result = node_result(event)
        if result is not None:
            nodes.append(result)
            on_node(result)

    with build_folder(paths, load_id) as (target, env), dbt_environment(env), chdir(target):
        try:
            built = dbtRunner(callbacks=[collect]).invoke(
                ["build", "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir", str(DBT_PROJECT_DIR),
                 "--target-path", str(target), "--log-path", str(target), *DBT_FLAGS, *LOAD_EXCLUDES, *args])
        finally:
            # DuckDB keeps the relative names it opened with (it deletes its write-ahead log by
            # name on close): the build file is released before the working folder changes back
            release_build_file()
    _raise_interruption(built.exception)
    return BuildOutcome(built.success, built.exception, nodes)


@contextmanager
def build_folder(paths: WarehousePaths, load_id: str) -> Iterator[tuple[Path, dict[str, str]]]:
    """The load's dbt target folder, ready for dbt to run from it, and dbt's variables for it:
    the load's build file linked under the profile's fixed name, the parse to start from copied
    in, and afterwards this load's parse kept for the warehouse's next load."""
    target = paths.dbt_target(load_id).resolve()
    env = {**dbt_env(paths, load_id), **STABLE_PROFILE}  # dbt_env first: it refuses a hostile path
    target.mkdir(parents=True, exist_ok=True)
    link = target / BUILD_LINK
    link.unlink(missing_ok=True)
    link.symlink_to(paths.build_file(load_id).resolve())
    seed_parse_state(paths, target)
    yield target, env
    keep_parse_state(paths, target)


def seed_parse_state(paths: WarehousePaths, target: Path) -> None:
    """Start dbt from the newest parse that can apply: this warehouse's last load's, else the
    project's own (`ensure_dbt_manifest`). dbt checks it (its version, the profile, the
    project's files) and parses again whatever differs, so a stale one costs only time."""
    for state in (paths.build_dir / PARSE_STATE, DBT_PROJECT_DIR / "target" / PARSE_SEED):
        if state.is_file():
            shutil.copyfile(state, target / PARSE_STATE)
            return


def keep_parse_state(paths: WarehousePaths, target: Path) -> None:
    """This load's parse for the next load of the warehouse (loads of one warehouse build one
    at a time, under its lock; the file is replaced whole)."""
    state = target / PARSE_STATE
    if state.is_file():
        staged = paths.build_dir / f".{PARSE_STATE}.tmp"
        shutil.copyfile(state, staged)
        os.replace(staged, paths.build_dir / PARSE_STATE)


def release_build_file() -> None:
    """Close the DuckDB database dbt-duckdb keeps open in this process after a build (its
    profile default `keep_open`), with dbt-duckdb's own close-all (what it runs at exit):
    publishing attaches the build file next, DuckDB refuses a file already attached in the
    same process, and a failed load deletes the file."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    # close_all_connections only drops the environment; a cursor still referenced somewhere (a
    # process that has run several loads, as a test session does) would keep the database
    # open. Closing the environment's connection closes its cursors with it.
    connection = getattr(getattr(DuckDBConnectionManager, "_ENV", None), "conn", None)
    DuckDBConnectionManager.close_all_connections()
    if connection is not None:
        connection.close()
    gc.collect()  # the dropped environment closes its database when it is collected


def _raise_interruption(exception: BaseException | None) -> None:
    """dbtRunner returns every exception, even the run's interruption: that one goes on."""
    if exception is not None and not isinstance(exception, Exception):
        raise exception


def prepare_build_file(paths: WarehousePaths, load_id: str) -> None:
    """Every build starts from an empty file: no table of an earlier load can survive into it."""
    (paths.build_dir / "tmp").mkdir(parents=True, exist_ok=True)
    build = paths.build_file(load_id)
    for leftover in (build, build.with_name(build.name + ".wal")):
        leftover.unlink(missing_ok=True)


def discard_build(paths: WarehousePaths, load_id: str) -> None:
    """A failed load's build file goes at once: it is the one big file a load writes (as big as
    the warehouse, or bigger), and keeping it after a full disk made the next loads fail too.
    Its dbt target folder (run_results.json, small) stays for diagnosis, until it is stale;
    what DuckDB wrote there under the build file's link (its log, its spill folder) goes too."""
    build, link = paths.build_file(load_id), paths.dbt_target(load_id) / BUILD_LINK
    for leftover in (build, build.with_name(build.name + ".wal"), link, link.with_name(link.name + ".wal")):
        leftover.unlink(missing_ok=True)
    shutil.rmtree(link.with_name(link.name + ".tmp"), ignore_errors=True)


def clean_build(paths: WarehousePaths, load_id: str) -> None:
    """After publishing, the load's build file and dbt artifacts have served their purpose."""
    discard_build(paths, load_id)
    shutil.rmtree(paths.dbt_target(load_id), ignore_errors=True)


def read_results(target: Path) -> list[dict]:
    """The `results` of dbt's run_results.json in a target folder (empty when dbt wrote none)."""
    results_file = target / "run_results.json"
    return json.loads(results_file.read_text())["results"] if results_file.exists() else []


def describe_failures(results: list[dict]) -> list[str]:
    """One line per dbt node that errored or failed: what a user needs to see first."""
    return [f"{r['unique_id']}: {(r.get('message') or '').strip().splitlines()[-1] if r.get('message') else r['status']}"
            for r in results if r.get("status") in ("error", "fail")]


def run_dbt_build(paths: WarehousePaths, load_id: str, args: list[str] | None = None) -> DbtOutcome:
    """`dbt build` in a dbt process of its own (tests and tools), from the same folder and with
    the same profile as a load's in-process build; all of the project, unit tests included,
    unless `args` selects."""
    prepare_build_file(paths, load_id)
    with build_folder(paths, load_id) as (target, env):
        command = [dbt_executable(), "build", "--project-dir", str(DBT_PROJECT_DIR), "--profiles-dir",
                   str(DBT_PROJECT_DIR), "--target-path", str(target), "--log-path", str(target), *(args or [])]
        proc = subprocess.run(command, env={**os.environ, **env}, capture_output=True, text=True, cwd=target)
    results = read_results(target)
    tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-25:])
    return DbtOutcome(proc.returncode == 0, proc.returncode, results, tail)


def ensure_dbt_manifest(announce: Callable[[], None] | None = None) -> Path:
    """dagster-dbt reads dbt's manifest when the Definitions load; `dbt parse` refreshes it when
    any file of the dbt project is newer (`make dev` and `budgetwh run` call this first).
    `announce` is called before a parse starts (a fresh clone's takes tens of seconds). The dbt
    is the one installed beside this Python, never PATH's (a shell without the virtual
    environment activated has none)."""
    target = DBT_PROJECT_DIR / "target"
    manifest, seed = target / "manifest.json", target / PARSE_SEED
    sources = [p for p in DBT_PROJECT_DIR.rglob("*")
               if p.is_file() and p.suffix in (".sql", ".yml", ".csv", ".md")
               and not {"target", "logs"} & set(p.relative_to(DBT_PROJECT_DIR).parts)]
    sources += list((DBT_PROJECT_DIR.parent / "dagster_project" / "catalogs").glob("*.csv"))
    if manifest.exists() and seed.exists() and all(
            p.stat().st_mtime <= min(manifest.stat().st_mtime, seed.stat().st_mtime) for p in sources):
        return manifest
    if announce is not None:
        announce()
    env = {**os.environ, "DBT_PROFILES_DIR": str(DBT_PROJECT_DIR),
           "DBT_LOG_PATH": str(DBT_PROJECT_DIR / "logs"), **STABLE_PROFILE}
    proc = subprocess.run([dbt_executable(), "parse", "--quiet", "--project-dir", str(DBT_PROJECT_DIR)],
                          env=env, capture_output=True, text=True, cwd=DBT_PROJECT_DIR)
    if proc.returncode != 0:
        raise RuntimeError(f"dbt parse failed: {(proc.stdout + proc.stderr).strip()[-2000:]}")
    shutil.copyfile(target / PARSE_STATE, seed)
    return manifest


def main() -> int:
    """`python -m dagster_project.warehouse.dbt_build` (make dev): prepare dbt's manifest, saying
    whether a parse was needed (a fresh clone's first one takes a while)."""
    import time

    started = time.perf_counter()
    manifest = ensure_dbt_manifest(announce=lambda: print("dbt parse: preparing the dbt manifest "
                                                            "(the dbt project changed, or a fresh clone)", flush=True))
    print(f"dbt manifest ready: {manifest} ({time.perf_counter() - started:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
