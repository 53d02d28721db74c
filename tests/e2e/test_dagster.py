"""The Dagster definitions, exercised with Dagster's own testing APIs on the sample corpus."""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from types import SimpleNamespace

import dagster as dg
import duckdb
import polars as pl
import pytest

from dagster_project.definitions import build_definitions, defs
from dagster_project.defs import automation
from dagster_project.defs.automation import nightly_load, raw_folder_sensor
from dagster_project.defs.dbt import NodeKeys, dbt_project, node_events, warehouse_models
from dagster_project.defs.documents import document_staging
from dagster_project.defs.partitions import documents_partitions, partition_key
from dagster_project.defs.progress import Progress
from dagster_project.defs.resources import BudgetPaths
from dagster_project.ingest import run_ingest
from dagster_project.defs.publishing import findings_check
from dagster_project.load import dbt_tests, describe_check, run_load
from dagster_project.staging.store import StagingStore
from dagster_project.warehouse.dbt_build import NodeResult

from tests.conftest import RAW, copy_samples

warnings.filterwarnings("ignore", module="dagster")
SAMPLES = ("000_6f7a8188d183d2a4.txt", "003_9360114ddfdd9c2c.txt", "004_c7edf4338a4ef304.txt")


def make_raw(tmp_path: Path, names=SAMPLES) -> Path:
    return copy_samples(tmp_path, names)


def test_definitions_load():
    job = defs.resolve_job_def("load_warehouse")
    keys = {k.to_user_string() for k in defs.resolve_all_asset_keys()}
    assert {"raw_documents", "document_staging", "staging/line_items", "marts/fct_expenditure",
            "marts/mart_budget_overview", "published_warehouse"} <= keys
    assert job.name == "load_warehouse"
    checks = {k.name for k in defs.resolve_asset_graph().asset_check_keys}
    assert {"tables_match_index", "no_unparsed_cells", "identities_hold", "one_load_in_every_mart"} <= checks
    assert sum(1 for c in checks if c.startswith("children_sum_to_parent")) >= 2  # dbt tests as checks


def test_materialize_one_document_partition(tmp_path):
    raw = make_raw(tmp_path)
    paths = BudgetPaths(raw_dir=str(raw), warehouse=str(tmp_path / "wh" / "budget.duckdb"))
    instance = dg.DagsterInstance.ephemeral()
    key = partition_key("004_c7edf4338a4ef304.txt")
    instance.add_dynamic_partitions(documents_partitions.name, [partition_key(n) for n in SAMPLES])
    resources = {"paths": paths, "progress": dg.ResourceDefinition.hardcoded_resource(Progress())}
    result = dg.materialize([document_staging], partition_key=key, instance=instance, resources=resources)
    assert result.success
    (materialization,) = result.asset_materializations_for_node("document_staging")
    assert materialization.partition == key
    assert materialization.metadata["extracted"].value == 1
    assert materialization.metadata["line_items"].value == 353
    checks = {e.check_name: e for e in result.get_asset_check_evaluations()}
    assert checks["no_unparsed_cells"].passed and checks["tables_match_index"].passed
    # the within-table identities are dbt's: their check is on published_warehouse (test_identities.py)
    assert "identities_hold" not in checks
    docs = StagingStore(paths.warehouse_paths.staging).read("documents")
    assert docs["source_path"].to_list() == ["004_c7edf4338a4ef304.txt"] and docs["status"][0] == "ok"
    again = dg.materialize([document_staging], partition_key=key, instance=instance, resources=resources)
    (second,) = again.asset_materializations_for_node("document_staging")
    assert (second.metadata["extracted"].value, second.metadata["unchanged_skipped"].value) == (0, 1)
    # nothing extracted, nothing checked: the checks say so instead of passing
    for evaluation in again.get_asset_check_evaluations():
        assert not evaluation.passed and evaluation.severity == dg.AssetCheckSeverity.WARN
        assert evaluation.description.startswith("checked nothing: none of the 1 document(s)")
        assert evaluation.metadata["documents_checked"].value == 0


def test_identity_check_names_the_publishers_error(loads):
    """`identities_hold` on published_warehouse gives the mart's within-table verdict per
    document: 003 (兴隆县) prints 208 = 488,400 in its 单位预算支出总表 while its children add
    up to 538,400; the other two documents' tables add up."""
    (check,) = [c for c in loads["first"].check_failures if c[1] == "identities_hold"]
    assert check[0] == "published_warehouse" and check[2] == "WARN"
    assert check[3] == ("1 of 3 document(s): 003_9360114ddfdd9c2c.txt: parent code = Σ child codes at "
                        "code 208, column 4, unit 362001: 488400.00 vs 538400.00")


def test_sensor_adds_changed_and_removes_gone_files(tmp_path, monkeypatch):
    raw = make_raw(tmp_path)
    paths = BudgetPaths(raw_dir=str(raw), warehouse=str(tmp_path / "wh" / "budget.duckdb"))
    instance = dg.DagsterInstance.ephemeral()
    result = raw_folder_sensor(dg.build_sensor_context(instance=instance, resources={"paths": paths}))
    (add, delete) = result.dynamic_partitions_requests
    assert sorted(add.partition_keys) == sorted(SAMPLES) and not delete.partition_keys
    (request,) = result.run_requests
    assert request.tags["dagster/asset_partition_range_start"] == SAMPLES[0]
    assert request.tags["dagster/asset_partition_range_end"] == SAMPLES[-1]
    instance.add_dynamic_partitions(documents_partitions.name, list(add.partition_keys))
    run_ingest(raw, paths.warehouse_paths.staging)  # what the run does to the manifest, and no publish
    # staging is current but nothing was published (a load cut short after extraction): a load,
    # under a key of its own (the first one's would be taken), the same at every tick
    unpublished = [raw_folder_sensor(dg.build_sensor_context(instance=instance, resources={"paths": paths}))
                   for _ in range(2)]
    (first,), (second,) = (r.run_requests for r in unpublished)
    assert first.run_key == second.run_key != request.run_key
    # ... unless a load is queued or running: staging current and not yet published is its middle
    monkeypatch.setattr(automation, "load_in_progress", lambda instance: True)
    busy = raw_folder_sensor(dg.build_sensor_context(instance=instance, resources={"paths": paths}))
    assert isinstance(busy, dg.SkipReason) and busy.skip_message.endswith("a load is in progress")
    monkeypatch.undo()
    (raw / SAMPLES[0]).unlink()
    (raw / SAMPLES[1]).write_bytes((RAW / SAMPLES[1]).read_bytes() + b"\n")
    changed = raw_folder_sensor(dg.build_sensor_context(instance=instance, resources={"paths": paths}))
    (add, delete) = changed.dynamic_partitions_requests
    assert not add.partition_keys and list(delete.partition_keys) == [SAMPLES[0]]
    (request,) = changed.run_requests
    assert request.tags["dagster/asset_partition_range_start"] == SAMPLES[1]


def test_nightly_schedule(tmp_path):
    assert nightly_load.cron_schedule == "0 2 * * *"
    assert nightly_load.execution_timezone == "Asia/Shanghai"
    with dg.instance_for_test() as instance:
        skipped = nightly_load(dg.build_schedule_context(instance=instance))
        assert isinstance(skipped, dg.SkipReason)
        instance.add_dynamic_partitions(documents_partitions.name, list(SAMPLES))
        request = nightly_load(dg.build_schedule_context(instance=instance))
    assert request.tags == {"dagster/asset_partition_range_start": SAMPLES[0],
                            "dagster/asset_partition_range_end": SAMPLES[-1]}


PROVENANCE = ("load_id", "doc_id", "doc_ids", "sha256", "table_id", "table_ids")


def mart_digest(path: Path, ignore_provenance: bool = False) -> dict[str, str]:
    """A hash of each mart's sorted rows, load_id aside (and, on request, the columns derived
    from a file's bytes: doc_id, table ids, row keys)."""
    with duckdb.connect(str(path), read_only=True) as con:
        marts = [r[0] for r in con.execute(
            "select table_name from duckdb_tables() where schema_name = 'marts' order by 1").fetchall()]
        out = {}
        for mart in marts:
            cols = [c[0] for c in con.execute(
                "select column_name from duckdb_columns() where schema_name = 'marts' and table_name = ? "
                "and column_name <> 'load_id' order by column_index", [mart]).fetchall()
                if not ignore_provenance or (c[0] not in PROVENANCE and (not c[0].endswith("_id")
                                                                          or c[0] == "disclosure_id"))]
            collist = ", ".join(f'"{c}"' for c in cols)
            out[mart] = con.execute(
                f"select md5(string_agg(r, '|' order by r)) from (select cast(({collist}) as varchar) r "
                f'from marts."{mart}")').fetchone()[0]
    return out


class RecordingProgress(Progress):
    """The stages a load reports, with their totals and the units done."""

    def __init__(self) -> None:
        super().__init__()
        self.stages: list[list] = []

    def begin(self, stage: str, total: int) -> None:
        super().begin(stage, total)
        self.stages.append([stage, total, 0, []])

    def tick(self, label: str) -> None:
        super().tick(label)
        self.stages[-1][1] = self.stage_total
        self.stages[-1][2] += 1
        self.stages[-1][3].append(label)


@pytest.fixture(scope="module")
def loads(tmp_path_factory):
    """A full load, a no-op rerun and a one-file-changed rerun of three samples."""
    tmp = tmp_path_factory.mktemp("loads")
    raw = make_raw(tmp)
    warehouse = tmp / "wh" / "budget.duckdb"
    progress = RecordingProgress()
    first = run_load(raw, warehouse, progress=progress)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        published = (con.execute("select load_id from meta.load").fetchone()[0],
                     con.execute("select count(*) from marts.mart_budget_overview").fetchone()[0])
    parquet = pl.read_parquet(warehouse.parent / "marts" / "mart_budget_overview.parquet")
    digest_first = mart_digest(warehouse)
    noop = run_load(raw, warehouse)
    digest_noop = mart_digest(warehouse)
    bare_first = mart_digest(warehouse, ignore_provenance=True)
    (raw / SAMPLES[2]).write_bytes((RAW / SAMPLES[2]).read_bytes() + b"\n")
    changed = run_load(raw, warehouse)
    bare_changed = mart_digest(warehouse, ignore_provenance=True)
    return dict(first=first, noop=noop, changed=changed, published=published, parquet=parquet,
                digest_first=digest_first, digest_noop=digest_noop, bare_first=bare_first,
                bare_changed=bare_changed, raw=raw, warehouse=warehouse, progress=progress)


def test_full_load_succeeds_and_publishes(loads):
    first = loads["first"]
    assert first.ran and first.success and first.loaded == 3
    assert loads["published"] == (first.load_id, 3)
    assert loads["parquet"].height == 3 and set(loads["parquet"]["load_id"]) == {first.load_id}


def test_noop_rerun_launches_nothing_and_leaves_marts_identical(loads):
    noop = loads["noop"]
    assert not noop.ran and noop.plan.changed == [] and noop.load_id is None
    assert loads["digest_noop"] == loads["digest_first"]


def test_changing_one_file_reextracts_only_that_document(loads):
    changed = loads["changed"]
    assert changed.ran and changed.success
    assert changed.plan.changed == [SAMPLES[2]] and len(changed.plan.unchanged) == 2
    assert changed.load_id != loads["first"].load_id
    # an appended newline changes the file's bytes (its doc_id), not one figure of any mart
    assert loads["bare_changed"] == loads["bare_first"]


def test_definitions_factory_uses_given_paths(tmp_path):
    paths = BudgetPaths(raw_dir=str(tmp_path), warehouse=str(tmp_path / "w.duckdb"))
    built = build_definitions(paths)
    assert built.resolve_job_def("load_warehouse").name == "load_warehouse"


def test_sensor_first_tick_on_a_published_unchanged_warehouse_requests_no_run(loads):
    """A fresh instance (first start of `make dev`) over a folder the published load holds:
    the partitions are registered, no load is launched."""
    paths = BudgetPaths(raw_dir=str(loads["raw"]), warehouse=str(loads["warehouse"]))
    instance = dg.DagsterInstance.ephemeral()
    result = raw_folder_sensor(dg.build_sensor_context(instance=instance, resources={"paths": paths}))
    assert isinstance(result, dg.SensorResult) and not result.run_requests
    (add,) = result.dynamic_partitions_requests
    assert sorted(add.partition_keys) == sorted(SAMPLES)
    assert "already holds them unchanged: no load" in result.skip_reason.skip_message
    instance.add_dynamic_partitions(documents_partitions.name, list(add.partition_keys))
    quiet = raw_folder_sensor(dg.build_sensor_context(instance=instance, resources={"paths": paths}))
    assert isinstance(quiet, dg.SkipReason) and "none new, changed or removed" in quiet.skip_message


def test_published_findings_check_names_department_and_numbers(loads):
    """003 (兴隆县) prints 208 = 488,400 in its 单位预算支出总表 while its children add up to
    538,400; 004 (东昌府) states a project amount in its narrative 4,500 yuan off the tables."""
    first = loads["first"]
    (check,) = [c for c in first.check_failures if c[1] == "publisher_figures_reconcile"]
    assert check[0] == "published_warehouse" and check[2] == "WARN"
    assert " in 2 of 3 disclosures: 兴隆县医疗保障局本级 2021: fail parent code = Σ child codes: " in check[3]
    result = findings_check(loads["warehouse"])
    assert not result.passed and result.metadata["disclosures_checked"].value == 3
    assert result.metadata["departments_with_findings"].value == ["兴隆县医疗保障局本级", "聊城市东昌府区医疗保障局机关"]
    rows = [(r.data["department"], r.data["verdict"], r.data["check"], r.data["expected_yuan"], r.data["actual_yuan"],
             r.data["difference_yuan"], r.data["finding"]) for r in result.metadata["findings_table"].value.records]
    assert rows[0][:6] == ("兴隆县医疗保障局本级", "fail", "parent code = Σ child codes", "488400.00", "538400.00", "50000.00")
    assert "208" in rows[0][6] and "488,400" in rows[0][6] and "538,400" in rows[0][6] and "50,000" in rows[0][6]
    # the narrative's project amount, once per sentence that states it
    assert {row[:6] for row in rows[1:]} == {("聊城市东昌府区医疗保障局机关", "warn", "narrative project_amount = tables",
                                              "155795000.00", "155799500.00", "4500.00")}
    assert result.metadata["findings"].value == len(rows)


def test_findings_check_of_an_empty_warehouse_checked_nothing(tmp_path):
    result = findings_check(tmp_path / "none.duckdb")
    assert not result.passed and result.description.startswith("checked nothing")


def test_progress_covers_dbt_node_by_node_then_publish(loads):
    stages = {stage: (total, done, labels) for stage, total, done, labels in loads["progress"].stages}
    total, done, labels = stages["dbt build"]
    assert done > 100 and total - done <= 5  # models, seeds and tests, as dbt reports each
    assert "marts/mart_data_quality" in labels and any(label.startswith("marts/fct_expenditure: ") for label in labels)
    assert stages["publish"][:2] == (2, 2) and stages["publish"][2] == ["budget.duckdb", "Parquet export"]
    assert loads["progress"].done == 3  # the three documents of the extraction stage


def test_dbt_test_failures_are_described_by_test_model_and_column():
    evaluation = dg.AssetCheckEvaluation(
        asset_key=dg.AssetKey(["marts", "fct_expenditure"]), passed=False,
        check_name="children_sum_to_parent_fct_expenditure_disclosure_id__table_id__source_col__budget_unit_code__code_system",
        metadata={"dagster_dbt/failed_row_count": dg.MetadataValue.int(2)}, severity=dg.AssetCheckSeverity.WARN)
    assert describe_check(evaluation, dbt_tests()) == (
        "dbt test children_sum_to_parent on marts.fct_expenditure "
        "(per disclosure_id, table_id, source_col, budget_unit_code, code_system), 2 row(s) failed")


def dagster_refuses(key: str) -> bool:
    """Whether Dagster refuses a partition key, asked through its public API."""
    try:
        dg.StaticPartitionsDefinition([key])
    except dg.DagsterInvalidDefinitionError:
        return True
    return False


def test_partition_keys_dagster_refuses_are_digested():
    """Every substring Dagster refuses in a key (probed over "..." and every ASCII character)
    makes partition_key digest the path, and every key it keeps is one Dagster accepts."""
    probes = ["...", ".."] + [chr(c) for c in range(128)] + ["\x85", "\u2028", "部门/预算.pdf"]
    refused = [p for p in probes if dagster_refuses(f"a{p}b")]
    assert "..." in refused and "\n" in refused and "\0" in refused and "/" not in refused
    for probe in refused:
        assert partition_key(f"a{probe}b").startswith("path-sha1-")
    for probe in probes:
        key = partition_key(f"a{probe}b")
        assert not dagster_refuses(key), repr(probe)
    assert partition_key("部门/预算.pdf") == "部门/预算.pdf" and partition_key("a..b") == "a..b"
    assert partition_key("a\x1bb").startswith("path-sha1-")  # an ESC: Dagster takes it, the UI must not show it


def test_every_dbt_node_has_the_dagster_key_the_definitions_show():
    """The in-process build names its results by dbt unique id; the keys come from the specs
    `@dbt_assets` built, so every seed and model has its asset and every test its check."""
    nodes = json.loads(dbt_project().manifest_path.read_text())
    keys = NodeKeys.of(warehouse_models(), nodes)
    nodes = nodes["nodes"]
    built = {uid for uid, node in nodes.items() if node["resource_type"] in ("seed", "model")}
    tests = {uid for uid, node in nodes.items() if node["resource_type"] == "test"}
    assert set(keys.assets) == built and len(built) > 50
    assert set(keys.checks) | set(keys.observed) == tests and len(keys.checks) > 200
    # a singular test over several marts is no check: its result is observed on what it reads
    assert dg.AssetKey(["marts", "mart_revenue_by_source"]) in keys.observed[
        "test.budget_warehouse.assert_mart_revenue_by_source_matches_headlines"]
    assert keys.assets["model.budget_warehouse.fct_expenditure"] == dg.AssetKey(["marts", "fct_expenditure"])
    assert keys.assets["seed.budget_warehouse.measures"] == dg.AssetKey(["reference", "measures"])


def test_dbt_results_become_the_events_dagster_dbt_gave():
    """A built model is a materialization; a warning test a failed WARN check with its failing
    rows; a failing error test an ERROR check; a skipped test and an unselected asset nothing."""
    keys = NodeKeys(assets={"model.p.m": dg.AssetKey(["marts", "m"]), "model.p.other": dg.AssetKey(["marts", "o"])},
                    checks={"test.p.t": dg.AssetCheckKey(dg.AssetKey(["marts", "m"]), "t")})
    context = SimpleNamespace(selected_asset_keys={dg.AssetKey(["marts", "m"])},
                              selected_asset_check_keys={dg.AssetCheckKey(dg.AssetKey(["marts", "m"]), "t")})
    (model,) = node_events(NodeResult("model.p.m", "success", 1.5, "inv"), keys, context)
    assert isinstance(model, dg.MaterializeResult) and model.asset_key == dg.AssetKey(["marts", "m"])
    assert {k: getattr(v, "value", v) for k, v in model.metadata.items()} == {"unique_id": "model.p.m", "invocation_id": "inv", "Execution Duration": 1.5,
                              "status": "success"}
    (warned,) = node_events(NodeResult("test.p.t", "warn", 0.2, "inv", failures=2), keys, context)
    assert (warned.passed, warned.severity, warned.check_name) == (False, dg.AssetCheckSeverity.WARN, "t")
    assert warned.metadata["dagster_dbt/failed_row_count"].value == 2
    (failed,) = node_events(NodeResult("test.p.t", "fail", 0.2, "inv", failures=1), keys, context)
    assert (failed.passed, failed.severity) == (False, dg.AssetCheckSeverity.ERROR)
    (passed,) = node_events(NodeResult("test.p.t", "pass", 0.2, "inv", failures=0), keys, context)
    assert passed.passed and passed.metadata["dagster_dbt/failed_row_count"].value == 0
    assert list(node_events(NodeResult("test.p.t", "skipped", 0.0, "inv", failures=0), keys, context)) == []
    assert list(node_events(NodeResult("model.p.m", "error", 0.1, "inv"), keys, context)) == []
    assert list(node_events(NodeResult("model.p.other", "success", 0.1, "inv"), keys, context)) == []
