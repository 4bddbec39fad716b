"""A 7-day backfill end to end, with the commands the README documents: raw Hotmart sales and commissions
for 2025-11-24..30 as ONE run, the staging and dimensions, then ``fct_sales`` for the same range as ONE
dbt run; the fact holds exactly those seven days."""

import os
import subprocess
import sys
from datetime import date, timedelta

import dagster as dg
import pytest

from affiliate_assets.defs.automation.devserver import offline_env
from affiliate_assets.lib.settings import PROJECT_ROOT

pytestmark = pytest.mark.slow  # ≈ 3 CLI runs and a dbt build: minutes on a busy 2-core machine

FIRST, LAST = date(2025, 11, 24), date(2025, 11, 30)  # Black Friday week
RANGE = f"{FIRST.isoformat()}...{LAST.isoformat()}"
DAGSTER = str(PROJECT_ROOT / ".venv" / "bin" / "dagster") if (PROJECT_ROOT / ".venv/bin/dagster").exists() \
    else os.path.join(os.path.dirname(sys.executable), "dagster")
# Staging and dimensions the fact reads: the selection syntax the README documents.
UPSTREAM_OF_FACT = '+key:"marts/fct_sales" and not key:"raw/*" and not key:"marts/fct_sales"'


def materialize(env: dict, select: str, partition_range: str | None = None) -> None:
    cmd = [DAGSTER, "asset", "materialize", "-m", "affiliate_assets.definitions", "--select", select]
    if partition_range:
        cmd += ["--partition-range", partition_range]
    out = subprocess.run(cmd, cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, f"{' '.join(cmd)}\n{out.stderr[-4000:]}"


@pytest.fixture(scope="module")
def backfilled(database_url, warehouse, tmp_path_factory):
    home = tmp_path_factory.mktemp("dagster_home")  # no dagster.yaml: a local instance for the CLI runs
    env = offline_env(database_url, home, tmp_path_factory.mktemp("data"))
    materialize(env, "raw/hotmart_sales,raw/hotmart_commissions", RANGE)
    materialize(env, f'key:"raw/product_catalogue" or key:"raw/hotmart_products" or ({UPSTREAM_OF_FACT})')
    materialize(env, "marts/fct_sales", RANGE)
    with dg.DagsterInstance.from_config(str(home)) as instance:
        yield instance


def materializations(instance: dg.DagsterInstance, key: dg.AssetKey):
    return [r.event_log_entry for r in instance.fetch_materializations(key, limit=100).records]


@pytest.mark.parametrize("path", ["raw/hotmart_sales", "raw/hotmart_commissions", "marts/fct_sales"])
def test_each_partitioned_asset_ran_once_for_all_seven_days(backfilled, path):
    events = materializations(backfilled, dg.AssetKey(path.split("/")))
    days = {(FIRST + timedelta(days=i)).isoformat() for i in range(7)}
    assert {e.dagster_event.partition for e in events} == days
    assert len({e.run_id for e in events}) == 1, "a single-run backfill, not one run per day"
    run = backfilled.get_run_by_id(events[0].run_id)
    assert (run.tags["dagster/asset_partition_range_start"], run.tags["dagster/asset_partition_range_end"]) == (
        FIRST.isoformat(), LAST.isoformat())


def test_fact_holds_exactly_the_backfilled_days(backfilled, warehouse):
    raw = dict(warehouse.fetchall(
        "select (order_date at time zone 'UTC')::date, count(*) from raw.hotmart_sales group by 1"))
    assert sorted(raw) == [FIRST + timedelta(days=i) for i in range(7)]
    fact = dict(warehouse.fetchall("select date_day, count(*) from marts.fct_sales group by 1"))
    union = dict(warehouse.fetchall(
        "select sale_date, count(*) from staging.int_sales_unioned where sale_date between %s and %s group by 1",
        (FIRST, LAST)))
    assert fact == union and sorted(fact) == sorted(raw)
    assert max(fact, key=fact.get) == date(2025, 11, 28)  # Black Friday is the week's peak


def test_dbt_source_freshness_passes_on_the_loaded_hotmart_tables(backfilled, database_url, tmp_path):
    """The dbt side of freshness: ``loaded_at`` of the Hotmart sources is within their warn_after."""
    import json

    from affiliate_assets.lib.warehouse import dbt_env

    dbt = os.path.join(os.path.dirname(DAGSTER), "dbt")
    out = subprocess.run([dbt, "source", "freshness", "--select", "source:hotmart", "--profiles-dir", ".",
                          "--target-path", str(tmp_path)], cwd=PROJECT_ROOT / "dbt_project",
                         env={**os.environ, **dbt_env(database_url)}, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stdout[-3000:]
    results = {r["unique_id"].split(".")[-1]: r["status"]
               for r in json.loads((tmp_path / "sources.json").read_text())["results"]}
    assert results["hotmart_sales"] == results["hotmart_commissions"] == "pass"
