"""How loads are triggered: the nightly schedule and the sensor on the raw folder.

Both launch `load_warehouse`, which stages the run's partitions (skipping unchanged files by the
staging manifest), settles staging, runs dbt and publishes. The daemon must run for either to
fire (`dagster-daemon run`, see the README).
"""

import hashlib

import dagster as dg

from dagster_project.defs.partitions import documents_partitions, partition_key, range_tags
from dagster_project.defs.resources import BudgetPaths
from dagster_project.ingest import plan

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
    staging manifest, not this sensor's cursor, decides what changed."""
    work = plan(paths.raw, paths.store)
    registered = context.instance.get_dynamic_partitions(documents_partitions.name)
    current = {partition_key(d) for d in work.files}
    add = sorted(current - set(registered))
    delete = sorted(set(registered) - current)
    if not (work.changed or work.removed or add or delete):
        return dg.SkipReason(f"{len(work.files)} documents, none new, changed or removed")
    keys = [k for k in registered if k not in delete] + add
    change = "\n".join(sorted(work.changed) + ["-" + r for r in work.removed])
    requests = []
    if keys:
        run_key = hashlib.sha256(change.encode()).hexdigest()[:16]
        requests.append(dg.RunRequest(run_key=run_key, tags=range_tags(keys)))
    return dg.SensorResult(
        run_requests=requests,
        dynamic_partitions_requests=[
            documents_partitions.build_add_request(add),
            documents_partitions.build_delete_request(delete),
        ],
    )
