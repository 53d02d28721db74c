"""How loads are triggered: the nightly schedule and the sensor on the raw folder.

Both launch `load_warehouse`, which stages the run's partitions (skipping unchanged files by the
staging manifest), settles staging, runs dbt and publishes. The daemon must run for either to
fire (`dagster-daemon run`, see the README).
"""

import hashlib
import json
import os
from dataclasses import asdict
from pathlib import Path
from stat import S_ISREG

import dagster as dg

from dagster_project.defs.partitions import documents_partitions, partition_key, range_tags
from dagster_project.defs.resources import BudgetPaths
from dagster_project.freshness import unchanged
from dagster_project.ingest import Plan, plan
from dagster_project.settings import DEFAULT_LIMITS
from dagster_project.staging.store import StagingStore
from dagster_project.warehouse.publish import read_record

load_warehouse = dg.define_asset_job(
    "load_warehouse",
    selection=dg.AssetSelection.all(),
    description="Stage changed reports, settle staging, dbt build, publish the warehouse.",
)


@dg.schedule(job=load_warehouse, cron_schedule="0 2 * * *", execution_timezone="Asia/Shanghai",
             default_status=dg.DefaultScheduleStatus.RUNNING)
def nightly_load(context: dg.ScheduleEvaluationContext):
    """02:00 Asia/Shanghai: one run over every registered document (unchanged ones are skipped
    inside the run, so a quiet night costs little)."""
    keys = context.instance.get_dynamic_partitions(documents_partitions.name)
    if not keys:
        return dg.SkipReason("no documents registered yet (the raw-folder sensor registers them)")
    return dg.RunRequest(tags=range_tags(keys))


@dg.sensor(job=load_warehouse, minimum_interval_seconds=60, default_status=dg.DefaultSensorStatus.RUNNING)
def raw_folder_sensor(context: dg.SensorEvaluationContext, paths: BudgetPaths):
    """New or changed files get a partition and a load; files that are gone lose theirs. The
    staging manifest, not this sensor's cursor, decides what changed; the run key says which
    versions of the files changed (`change_key`), so a second edit of a file gets a run of its
    own, while ticks that see the same pending change do not launch it twice.

    The first tick of a fresh instance has no partitions registered and an empty cursor; it
    compares the folder with the staging manifest and the published file (the same no-op
    test `budgetwh run` makes), so files the published load already holds are registered
    without launching a load."""
    store, limits = paths.store, paths.settings.limits
    work = plan(paths.raw, store, limits=limits)
    registered = context.instance.get_dynamic_partitions(documents_partitions.name)
    current = {partition_key(d) for d in work.files}
    add = sorted(current - set(registered))
    delete = sorted(set(registered) - current)
    up_to_date = work.nothing_to_do and not delete and published_is_current(paths)
    if up_to_date and not add:
        return dg.SkipReason(f"{len(work.files)} documents, none new, changed or removed")
    if work.nothing_to_do and not (add or delete) and load_in_progress(context.instance):
        # staging is current but not yet published: that is the load in progress, mid-way
        return dg.SkipReason(f"{len(work.files)} documents, none new, changed or removed; a load is in progress")
    keys = [k for k in registered if k not in delete] + add
    requests = []
    if up_to_date:
        # a fresh instance (first start of `dagster dev`, a wiped DAGSTER_HOME) registers the
        # files the published load already holds: partitions only, no reload of an unchanged
        # warehouse
        return dg.SensorResult(
            skip_reason=f"{len(work.files)} documents registered; the published warehouse already holds "
                        "them unchanged: no load",
            dynamic_partitions_requests=[documents_partitions.build_add_request(add)],
        )
    if keys:
        # staging may be current while the published file is not (a load interrupted after
        # extraction, a published file edited or removed): the published record joins the key
        key = change_key(work, store, published_record(paths), max_file_bytes=limits.max_file_bytes)
        requests.append(dg.RunRequest(run_key=key, tags=range_tags(keys)))
    return dg.SensorResult(
        run_requests=requests,
        dynamic_partitions_requests=[
            documents_partitions.build_add_request(add),
            documents_partitions.build_delete_request(delete),
        ],
    )


def published_is_current(paths: BudgetPaths) -> bool:
    """Whether the published warehouse was built from exactly this staging and dbt project and
    is still what that load published (no repair: the sensor holds no lock)."""
    return unchanged(paths.raw, paths.warehouse_paths.published) is not None


ACTIVE = [dg.DagsterRunStatus.QUEUED, dg.DagsterRunStatus.NOT_STARTED, dg.DagsterRunStatus.STARTING,
          dg.DagsterRunStatus.STARTED]


def load_in_progress(instance: dg.DagsterInstance) -> bool:
    """Whether a `load_warehouse` run of this instance is queued or running."""
    return bool(instance.get_run_ids(dg.RunsFilter(job_name=load_warehouse.name, statuses=ACTIVE), limit=1))


def published_record(paths: BudgetPaths) -> dict | None:
    """The record of the load that published the warehouse (None before the first)."""
    return read_record(paths.warehouse_paths)


def change_key(work: Plan, store: StagingStore, published: dict | None = None,
               max_file_bytes: int = DEFAULT_LIMITS.max_file_bytes) -> str:
    """The run key of a change: a digest of each changed file's state (size, mtime, ctime, inode
    and content hash) with what staging holds for it now (its manifest entry), of each removed
    file's entry, and of each damaged manifest entry file's stat. Dagster launches one run per
    key, so the key must differ whenever there is something new to load: paths alone repeat
    for a second edit of the same file (which would then never load), content alone repeats
    when a file goes back to an earlier version; ctime changes with every write, and the
    manifest entry changes with every load of the file. Ticks that see the same pending change
    give the same key, so it is not launched twice."""
    manifest = store.load_manifest()
    lines = []
    for display in sorted(work.changed):
        entry = manifest.get(display)
        lines.append(["changed", display, _file_state(work.files[display], max_bytes=max_file_bytes), asdict(entry) if entry else None])
    for display in work.removed:
        entry = manifest.get(display)
        lines.append(["removed", display, asdict(entry) if entry else None])
    for file in sorted(store.damaged_entries):
        lines.append(["damaged entry", file.name, _file_state(file, content=False)])
    lines.append(["published", published])
    body = json.dumps(lines, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(body.encode("utf-8", "surrogateescape")).hexdigest()[:32]


def _file_state(path: Path, content: bool = True, max_bytes: int = DEFAULT_LIMITS.max_file_bytes) -> list[object] | str:
    """(size, mtime_ns, ctime_ns, inode, sha256) of a file, or why it cannot be read (that, too,
    is a state: it changes when the file becomes readable again)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_CLOEXEC)  # a pipe swapped in must not block
    except OSError as exc:
        return f"{type(exc).__name__}: {exc.strerror}"
    try:
        with open(fd, "rb") as handle:
            stat = os.fstat(fd)
            state: list[object] = [stat.st_mode, stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino]
            if content and S_ISREG(stat.st_mode) and stat.st_size <= max_bytes:
                digest = hashlib.sha256()
                for block in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(block)
                state.append(digest.hexdigest())
    except OSError as exc:  # a read error is a state too
        return f"{type(exc).__name__}: {exc.strerror}"
    return state
