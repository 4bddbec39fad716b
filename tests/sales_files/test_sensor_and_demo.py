"""The inbox sensor (run requests, cursor, SkipReason) and the demo's unconfigured run."""

from __future__ import annotations

import json

import dagster as dg
from sales_files_helpers import age, file_row

from affiliate_assets.defs.sales_files import checks
from affiliate_assets.defs.sales_files.assets import OP_NAME, ingest_sales_files
from affiliate_assets.defs.sales_files.demo import prepare_demo
from affiliate_assets.defs.sales_files.sensors import sales_files_inbox_sensor
from affiliate_assets.lib.files import file_hash
from affiliate_assets.lib.settings import load_settings
from affiliate_assets.sample_data import sales_files as sample


def _tick(warehouse, cursor: str | None = None) -> dg.SensorResult:
    context = dg.build_sensor_context(cursor=cursor, resources={"warehouse": warehouse})
    return sales_files_inbox_sensor(context)


def test_sensor_requests_one_run_per_new_file_keyed_by_content_hash(inbox, warehouse, resources, defs):
    # Empty inbox: a SkipReason, not a run.
    empty = _tick(warehouse)
    assert not empty.run_requests and "no new files" in empty.skip_reason.skip_message

    a = age(sample.write_superstore_csv(inbox / "a.csv", 10, seed=41))
    b = age(sample.write_superstore_csv(inbox / "b.csv", 10, seed=42))
    copying = sample.write_superstore_csv(inbox / "c.csv", 10, seed=43)  # just written: maybe still copying
    (inbox / "~$b.xlsx").write_bytes(b"lock file")  # Excel's lock file is not a sales file
    first = _tick(warehouse)
    assert sorted(r.run_key for r in first.run_requests) == sorted([file_hash(a), file_hash(b)])
    request = next(r for r in first.run_requests if r.run_key == file_hash(a))
    assert request.run_config["ops"][OP_NAME]["config"]["paths"] == [str(a)]
    cursor = json.loads(first.cursor)["files"]
    assert set(cursor) == {"a.csv", "b.csv"} and cursor["a.csv"][2] == file_hash(a)

    # Next tick: a and b already requested (nothing re-hashed), c has settled → only c.
    age(copying)
    second = _tick(warehouse, first.cursor)
    assert [r.run_key for r in second.run_requests] == [file_hash(copying)]
    third = _tick(warehouse, second.cursor)
    assert not third.run_requests and "3 already requested" in third.skip_reason.skip_message

    # The request runs as is in the sensor's own job (asset + checks) and loads exactly its file;
    # the cursor then forgets the archived file.
    job = defs.get_repository_def().get_job(sales_files_inbox_sensor.job_name)
    result = job.execute_in_process(run_config=request.run_config, tags=request.tags)
    assert result.success and not a.exists() and b.exists()
    assert all(e.passed for e in result.get_asset_check_evaluations())
    assert file_row(warehouse, "a.csv")["rows_loaded"] == 10
    after = _tick(warehouse, third.cursor)
    assert set(json.loads(after.cursor)["files"]) == {"b.csv", "c.csv"}

    # The same bytes dropped again: a run that loads nothing and clears the inbox, with its own key.
    again = age(sample.write_superstore_csv(inbox / "a.csv", 10, seed=41))
    redrop = _tick(warehouse, after.cursor)
    (request,) = redrop.run_requests
    assert request.run_key.startswith(file_hash(again) + ":redrop:")
    before = warehouse.count("raw.sales_history")
    assert dg.materialize([ingest_sales_files], resources=resources, run_config=request.run_config).success
    assert warehouse.count("raw.sales_history") == before and not again.exists()


def test_demo_inbox_loads_with_no_config_and_again_loads_nothing(inbox, warehouse, resources):
    settings = load_settings()
    note = prepare_demo(settings)
    files = sorted(p.name for p in inbox.iterdir())
    assert len(files) == 5 and "5 sample sales files" in note
    hashes = {p.name: file_hash(p) for p in inbox.iterdir()}
    assets = [ingest_sales_files, *dg.load_asset_checks_from_modules([checks])]
    first = dg.materialize(assets, resources=resources)
    assert first.success and not list(inbox.iterdir())
    evaluations = first.get_asset_check_evaluations()
    assert len(evaluations) == 4 and all(e.passed for e in evaluations)
    for name in files:
        meta = file_row(warehouse, name)
        assert meta["file_hash"] == hashes[name]
        assert meta["rows_read"] == meta["rows_loaded"] + meta["rows_rejected"]
    assert file_row(warehouse, "exportacao_vendas_2024.csv")["fast_path"]
    assert file_row(warehouse, "vendas_com_erros.csv")["rows_rejected"] == 7
    rows = warehouse.count("raw.sales_history")

    # prepare_demo is idempotent: the same bytes again, and a second run adds nothing.
    prepare_demo(settings)
    assert {p.name: file_hash(p) for p in inbox.iterdir()} == hashes
    second = dg.materialize(assets, resources=resources)
    assert second.success and warehouse.count("raw.sales_history") == rows
    mat = next(m for m in second.get_asset_materialization_events()
               if m.asset_key == dg.AssetKey(["raw", "sales_history"]))
    assert mat.materialization.metadata["files_duplicate"].value == 5


def test_reconcile_check_fails_when_counts_disagree(inbox, warehouse, resources):
    path = age(sample.write_superstore_csv(inbox / "tamper.csv", 5, seed=44))
    digest = file_hash(path)
    assets = [ingest_sales_files, *dg.load_asset_checks_from_modules([checks])]
    assert dg.materialize(assets, resources=resources).success
    # Someone deletes a loaded row by hand: the ledger no longer matches the table.
    warehouse.execute("delete from raw.sales_history where file_hash = %s and line_number = 2", (digest,))
    try:
        result = dg.materialize(assets, resources=resources, raise_on_error=False)
        failed = {e.check_name for e in result.get_asset_check_evaluations() if not e.passed}
        assert failed == {"sales_files_counts_reconcile"}
    finally:
        warehouse.execute("delete from raw.sales_files where file_hash = %s", (digest,))
        warehouse.execute("delete from raw.sales_history where file_hash = %s", (digest,))
