"""Failpoints for the crash-safety test: kill the whole load at a named point.

`crash_point(name)` does nothing unless the environment variable BUDGETWH_CRASH_AT equals
`name`; then it SIGKILLs the load's process tree (the process that started the load, its
extraction workers, the dbt subprocess, and itself last), exactly as the kernel's OOM killer
or a power cut would end a nightly load: no exception handler, `finally` block or atexit hook
runs. The test (tests/e2e/test_crash_safety.py) runs `budgetwh run` once per point and checks that
the published warehouse is still the previous complete one and that the next run recovers by
itself. The points are named where they are called; `CRASH_POINTS` lists them all.

With BUDGETWH_CRASH_AFTER=N the point fires on its N-th pass instead of the first (e.g. after
the second document was staged). The load's root process is the one that called
`mark_load_root()` (run_load does); without it, the calling process and its children die.

`fail_point(name)` is the other kind of fault: when BUDGETWH_FAIL_AT names it, it raises
OSError(ENOSPC), as a full disk would in the middle of writing, so that the tests can show
that a load failing that way cleans up after itself and the next one succeeds (a real full
disk needs a small file system, which needs root to mount). `FAIL_POINTS` lists them.
"""

from __future__ import annotations

import errno
import os
import signal

import psutil

CRASH_ENV = "BUDGETWH_CRASH_AT"
FAIL_ENV = "BUDGETWH_FAIL_AT"
AFTER_ENV = "BUDGETWH_CRASH_AFTER"
ROOT_ENV = "BUDGETWH_LOAD_ROOT_PID"

CRASH_POINTS = {
    "stale_wal_moved": "the write-ahead log a dead read-write session left beside the published file is moved "
                       "aside (a load does it first, under its lock, and again just before its rename); "
                       "nothing else is done yet",
    "document_staged": "an extraction worker has written a document's Parquet and manifest entry",
    "staging_parquet_written": "a staging Parquet file is written under its temporary name, not yet renamed",
    "before_manifest_entry": "a document's Parquet files are in place, its manifest entry is not",
    "before_settle": "every document is staged; duplicates and revisions are not settled yet",
    "settle_restamped": "settling has rewritten one document's status, not the others'",
    "before_dbt": "staging is settled; dbt has not started",
    "inside_dbt": "dbt is building (models done, more to come): the dbt process dies with the load",
    "publish_failed": "publishing failed (e.g. the disk is full); the load has not removed its build file yet",
    "before_publish_rename": "the new warehouse file is complete under its temporary name, not renamed",
    "after_publish_rename": "the new warehouse is published; the Parquet export has not started",
    "mid_parquet_export": "some marts are exported as Parquet, the others not yet",
}

FAIL_POINTS = {
    "dbt_build": "dbt has built the whole build file; the disk fills up as it finishes",
    "publish_copy": "the marts are being copied into the new warehouse file when the disk fills up",
    "report_write": "the warehouse is published; the disk fills up while the HTML report is written",
}

_passes: dict[str, int] = {}


def mark_load_root() -> None:
    """Record this process as the load's root, so a crash point inside a worker or a dbt
    subprocess kills the whole load, not only the process it runs in."""
    os.environ[ROOT_ENV] = str(os.getpid())


def crash_point(name: str) -> None:
    """SIGKILL the load here when BUDGETWH_CRASH_AT names this point (a no-op otherwise)."""
    if os.environ.get(CRASH_ENV) != name:
        return
    _passes[name] = _passes.get(name, 0) + 1
    if _passes[name] < int(os.environ.get(AFTER_ENV, "1")):
        return
    _kill_load()


def _kill_load() -> None:
    me = psutil.Process()
    root_pid = int(os.environ.get(ROOT_ENV, me.pid))
    try:
        root = psutil.Process(root_pid)
    except psutil.NoSuchProcess:
        root = me
    victims = [root, *root.children(recursive=True)]
    for process in victims:
        if process.pid != me.pid:
            try:
                process.send_signal(signal.SIGKILL)
            except psutil.NoSuchProcess:
                pass
    os.kill(me.pid, signal.SIGKILL)


def fail_point(name: str, path: str | os.PathLike[str] | None = None) -> None:
    """Raise OSError(ENOSPC) here when BUDGETWH_FAIL_AT names this point (a no-op otherwise)."""
    if os.environ.get(FAIL_ENV) == name:
        raise OSError(errno.ENOSPC, f"No space left on device (injected by {FAIL_ENV}={name})",
                      None if path is None else os.fspath(path))
