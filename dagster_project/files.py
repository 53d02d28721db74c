"""How the pipeline writes files: permissions and temporary names that a crash can leave.

Every file the pipeline publishes (staging Parquet, manifest entries, the warehouse, its
Parquet export) is written under a temporary name and renamed into place. The temporary name
carries the writer's process id, `.<name>.<pid>.tmp`, so that the next load can tell a live
writer's file from one a killed load left behind (`remove_stale_temp`) without any lock and
without anyone cleaning up by hand. Globs of readers (`*.parquet`, `*.duckdb`) never match it.

Permissions: files are 0644 and folders 0755 at most (never group- or world-writable), less
when the caller's umask is stricter: `secure_umask` adds 022 to the process umask, never
removes a bit, and `file_mode` is 0644 under that umask.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

from dagster_project.settings import DEFAULT_STALE_HOURS

# A temporary file without a process id (an older version's) counts as stale after this long:
# BUDGETWH_STALE_HOURS's default. Callers that hold a Settings pass `settings.stale_seconds`.
STALE_SECONDS = DEFAULT_STALE_HOURS * 3600
_TEMP = re.compile(r"^\..+\.(?P<pid>\d+)\.tmp(?:\.wal)?$|^\..+\.tmp(?:\.wal)?$")


def _current_umask() -> int:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except OSError:
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def secure_umask() -> int:
    """Mask group and other write permission for everything this process creates from now on
    (folders included), keeping any stricter bits the caller set. Returns the new umask."""
    mask = _current_umask() | 0o022
    os.umask(mask)
    return mask


def file_mode() -> int:
    """0644 under the process umask: what a written file is chmod-ed to before its rename."""
    return 0o644 & ~_current_umask()


def temp_name(target: Path) -> Path:
    """The temporary sibling a file is written to before it is renamed over `target`."""
    return target.with_name(f".{target.name}.{os.getpid()}.tmp")


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def is_stale_temp(path: Path, now: float | None = None, stale_seconds: float = STALE_SECONDS) -> bool:
    """A temporary file of a writer that is gone: its process no longer runs (or, for a name
    without a process id, it is older than `stale_seconds`, BUDGETWH_STALE_HOURS)."""
    match = _TEMP.match(path.name)
    if not match:
        return False
    if match.group("pid"):
        return not pid_alive(int(match.group("pid")))
    try:
        return (now or time.time()) - path.stat().st_mtime > stale_seconds
    except FileNotFoundError:
        return False


def remove_stale_temp(folder: Path, stale_seconds: float = STALE_SECONDS) -> list[Path]:
    """Delete the stale temporary files directly inside `folder`; returns what was removed."""
    removed = []
    if not folder.is_dir():
        return removed
    for path in folder.glob(".*tmp*"):
        if path.is_file() and is_stale_temp(path, stale_seconds=stale_seconds):
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed
