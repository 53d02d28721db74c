"""`make dev`: Dagster's UI and daemon on localhost, started so that stopping it stops
everything it started.

`dagster dev` alone left processes behind: the runs it launches (a run worker, its step
workers, `tail -F` and `watch_orphans` helpers of the compute logs, a `dbt build`) are children
of its code server, not of `dagster dev`, and nothing stops them when `dagster dev` exits; and
started where SIGINT is ignored (any `&` of a non-interactive shell, nohup), `dagster dev`
inherited that and, as it maps SIGTERM to SIGINT's handler, ignored SIGTERM as well.

So this launcher
- prepares dbt's manifest first, with the dbt beside this Python (PATH need not have one);
- starts `dagster dev` in a process group of its own, with SIGINT and SIGTERM at their
  defaults (it installs handlers, which `exec` resets: an inherited "ignore" is not passed on);
- forwards Ctrl-C (SIGINT), SIGTERM and SIGHUP to that whole group, as a terminal's Ctrl-C
  would reach it: `dagster dev` shuts its services down and a running load is interrupted
  (dbt runs inside the run's process and ends with it, the pool's workers end with the run);
- once `dagster dev` has exited, terminates whatever of the group is left, and kills it after
  a grace period.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from dagster_project.settings import REPO_ROOT
from dagster_project.warehouse.dbt_build import main as prepare_manifest

GRACE_SECONDS = 10.0
FORWARDED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # a member we may not signal still exists
        return True
    return True


def signal_group(pgid: int, signum: int) -> None:
    try:
        os.killpg(pgid, signum)
    except ProcessLookupError:
        pass


def members(pgid: int) -> list[str]:
    """`pid command` of each process of the group (Linux /proc; empty elsewhere)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
            fields = text[text.rindex(")") + 2:].split()
            if int(fields[2]) == pgid:
                args = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
                found.append(f"{stat.parent.name} {args[:100]}")
        except (OSError, ValueError):
            continue
    return sorted(found)


def stop_group(pgid: int, grace: float = GRACE_SECONDS) -> list[str]:
    """Terminate what is left of the group, then kill it; what had to be stopped, as lines."""
    stopped = []
    for signum, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 2.0)):
        if not group_alive(pgid):
            break
        left = members(pgid)
        stopped.append(f"{signal.Signals(signum).name} to what was left of process group {pgid}: "
                       + ("; ".join(left) or "?"))
        signal_group(pgid, signum)
        deadline = time.monotonic() + wait
        while group_alive(pgid) and time.monotonic() < deadline:
            time.sleep(0.2)
    return stopped


def dagster_command(host: str, port: int) -> list[str]:
    dagster = Path(sys.executable).with_name("dagster")
    return [str(dagster) if dagster.exists() else "dagster", "dev", "-h", host, "-p", str(port),
            "-m", "dagster_project.definitions"]


def run(command: list[str], env: dict[str, str], cwd: Path, grace: float = GRACE_SECONDS) -> int:
    """Run `command` in a process group of its own, forward the stop signals to the group, and
    leave no member of it behind. Returns the command's exit status (128 + signal when a
    forwarded signal ended it)."""
    received: list[int] = []
    child: subprocess.Popen | None = None

    def forward(signum: int, _frame: object) -> None:
        received.append(signum)
        if child is not None:
            # SIGINT to the whole group, as a terminal's Ctrl-C: every process of Dagster's
            # handles it (SIGTERM and SIGHUP would skip the clean shutdown of a running load)
            signal_group(child.pid, signal.SIGINT)

    previous = {s: signal.signal(s, forward) for s in FORWARDED}
    try:
        child = subprocess.Popen(command, env=env, cwd=cwd, process_group=0)
        while True:
            try:
                code = child.wait()
                break
            except KeyboardInterrupt:  # pragma: no cover - handlers replace the default one
                continue
    finally:
        if child is not None:
            for line in stop_group(child.pid, grace):
                print(f"make dev: {line}", file=sys.stderr, flush=True)
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    return 128 + received[0] if received and code < 0 else code


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dagster_project.dev", description=__doc__.splitlines()[0],
                                     add_help=False)
    parser.add_argument("--help", action="help")
    parser.add_argument("-h", "--host", default="127.0.0.1", help="interface of the UI (default: localhost only)")
    parser.add_argument("-p", "--port", type=int, default=3000)
    args = parser.parse_args(argv)
    prepare_manifest()
    home = Path(os.environ.get("DAGSTER_HOME") or REPO_ROOT / ".dagster_home")
    home.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "DAGSTER_HOME": str(home.resolve())}
    return run(dagster_command(args.host, args.port), env, REPO_ROOT)


if __name__ == "__main__":
    sys.exit(main())
