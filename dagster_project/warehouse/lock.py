"""The warehouse lock: one load at a time per warehouse folder, and never a silent wait.

`budgetwh run` holds it for the whole load; the Dagster steps that build and publish the
warehouse take it too, so a run launched by the daemon (schedule, sensor, UI) waits for a
`budgetwh run` and the other way round. It is re-entrant within one process: the steps of
`budgetwh run` execute inside the process that already holds it.

It is an flock on `<warehouse dir>/.budgetwh.lock`: the kernel drops it when its holder dies,
so a killed load never leaves it behind. The holder writes its pid, its start time and what
it is into the file, so that a waiter can say what it waits for ("waiting for the load lock
held by pid 4242 (budgetwh run) since 2026-12-01T02:00:03Z") instead of hanging in silence
behind a hung load; it gives up after `timeout` seconds (BUDGETWH_LOCK_TIMEOUT_SECONDS, default
3600, from the caller's Settings) with `LockTimeout`, which `budgetwh run` reports with exit
status 75 (EX_TEMPFAIL: nothing is wrong with the data, try again later).
"""

from __future__ import annotations

import fcntl
import json
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from dagster_project.files import pid_alive
from dagster_project.settings import DEFAULT_LOCK_TIMEOUT_SECONDS, LOCK_TIMEOUT_ENV

LOCK_NAME = ".budgetwh.lock"
TIMEOUT_ENV = LOCK_TIMEOUT_ENV
DEFAULT_TIMEOUT_SECONDS = DEFAULT_LOCK_TIMEOUT_SECONDS
POLL_SECONDS = 0.25
EXIT_RETRY_LATER = 75  # EX_TEMPFAIL (sysexits.h): not done now, nothing broken, run again later


class LockTimeout(RuntimeError):
    """The load lock (or the published file) stayed taken longer than the configured wait."""


@dataclass(frozen=True)
class Holder:
    """What the lock file says about its holder (written by the holder once it has the lock)."""

    pid: int | None
    since: str | None
    what: str | None

    def describe(self) -> str:
        if self.pid is None:
            return "a process that did not say who it is"
        text = f"pid {self.pid}" + (f" ({self.what})" if self.what else "") + (f" since {self.since}" if self.since else "")
        if not pid_alive(self.pid):
            text += " (that process has ended: a process it forked still holds the lock)"
        return text


def read_holder(lock_file: Path) -> Holder:
    """The holder recorded in a lock file (fields None when it is empty or unreadable)."""
    try:
        data = json.loads(lock_file.read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        data = {}
    pid = data.get("pid")
    return Holder(pid if isinstance(pid, int) else None, data.get("since"), data.get("what"))


@dataclass
class _Held:
    fd: int
    depth: int
    whole_load: bool


_held: dict[Path, _Held] = {}
_guard = threading.Lock()


@dataclass(frozen=True)
class Hold:
    """A taken lock. `whole_load`: the lock is held from the start of this load to its end
    (budgetwh run), so no other load can be live: anything another load left is abandoned."""

    lock_file: Path
    whole_load: bool


def lock_path(root: Path) -> Path:
    return root / LOCK_NAME


def _what() -> str:
    argv = [Path(sys.argv[0]).name, *sys.argv[1:3]] if sys.argv and sys.argv[0] else ["python"]
    return " ".join(argv)


@contextmanager
def warehouse_lock(root: Path, *, whole_load: bool = False, on_wait: Callable[[str], None] | None = None,
                   timeout: float | None = None, what: str | None = None) -> Iterator[Hold]:
    """Hold the warehouse lock of `root` (re-entrant in this process).

    Waits for another holder, calling `on_wait` once with a line naming it, and raises
    `LockTimeout` after `timeout` seconds (the entry point passes Settings.lock_timeout_seconds; default one hour)."""
    root.mkdir(parents=True, exist_ok=True)
    lock_file = lock_path(root)
    key = lock_file.resolve()
    with _guard:
        held = _held.get(key)
        if held is not None:
            held.depth += 1
    if held is not None:
        try:
            yield Hold(lock_file, held.whole_load)
        finally:
            with _guard:
                held.depth -= 1
        return
    limit = DEFAULT_TIMEOUT_SECONDS if timeout is None else timeout
    fd = os.open(lock_file, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        _acquire(fd, lock_file, limit, on_wait)
        record = json.dumps({"pid": os.getpid(), "since": f"{datetime.now(UTC):%Y-%m-%dT%H:%M:%SZ}",
                             "what": what or _what()})
        os.ftruncate(fd, 0)
        os.pwrite(fd, (record + "\n").encode(), 0)
        with _guard:
            _held[key] = _Held(fd, 1, whole_load)
        try:
            yield Hold(lock_file, whole_load)
        finally:
            with _guard:
                del _held[key]
    finally:
        os.close(fd)  # releases the flock


def _acquire(fd: int, lock_file: Path, limit: float, on_wait: Callable[[str], None] | None) -> None:
    """flock `fd` exclusively, polling (a blocking flock could not give up or say anything)."""
    deadline = time.monotonic() + limit
    told = None
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            pass
        holder = read_holder(lock_file)
        if holder != told and on_wait is not None:
            on_wait(f"waiting for the load lock held by {holder.describe()} ({lock_file}; "
                    f"giving up after {limit:g} s, {TIMEOUT_ENV})")
        told = holder
        if time.monotonic() >= deadline:
            raise LockTimeout(
                f"gave up waiting for the load lock {lock_file}: held by {holder.describe()} for longer than "
                f"{limit:g} s ({TIMEOUT_ENV}); nothing was loaded or published, the published warehouse is "
                "as it was. If that load hangs, stop it; then run again")
        time.sleep(max(0.01, min(POLL_SECONDS, deadline - time.monotonic())))


def held_here(root: Path) -> Hold | None:
    """The hold this process has on the lock of `root`, if any."""
    key = lock_path(root).resolve()
    with _guard:
        held = _held.get(key)
    return Hold(lock_path(root), held.whole_load) if held else None


_reporters: list[Callable[[str], None]] = []


@contextmanager
def reporting_waits(on_wait: Callable[[str], None] | None) -> Iterator[None]:
    """Route `report_wait` lines to `on_wait` for the duration (budgetwh run prints them): the
    steps of a load executed in this process wait for things the command should say."""
    if on_wait is None:
        yield
        return
    _reporters.append(on_wait)
    try:
        yield
    finally:
        _reporters.remove(on_wait)


def report_wait(message: str) -> None:
    """Tell whoever runs this load in this process (see `reporting_waits`) what it waits for."""
    for reporter in list(_reporters):
        reporter(message)
