"""Declarative automation of the real code location, evaluated tick by tick the way the automation sensor
does (``evaluate_automation_conditions``), with materializations reported to a test instance.

What must hold: a new day of raw Hotmart sales flows to staging, then the fact's latest partition, then
the KPI marts and the forecasts, then the day's recommendations, with no manual run, even though most
historical days were never loaded.
"""

from datetime import date, timedelta

import dagster as dg
import pytest

from affiliate_assets.defs.automation.policies import eager_over_partitioned

SALES = dg.AssetKey(["raw", "hotmart_sales"])
FACT = dg.AssetKey(["marts", "fct_sales"])


def key(path: str) -> dg.AssetKey:
    return dg.AssetKey(path.split("/"))


def report(instance: dg.DagsterInstance, keys, partition: str | None = None) -> None:
    for k in keys:
        instance.report_runless_asset_event(dg.AssetMaterialization(asset_key=k, partition=partition))


def requested(result) -> dict[str, set]:
    return {r.key.to_user_string(): set(r.true_subset.expensively_compute_partition_keys() or [])
            if r.true_subset.is_partitioned else {None}
            for r in result.results if r.true_subset.size > 0 and isinstance(r.key, dg.AssetKey)}


@pytest.fixture(scope="module")
def world(defs):
    """An instance where everything unpartitioned exists and raw sales have only the last three days."""
    graph = defs.resolve_asset_graph()
    latest = daily_latest(graph)
    with dg.instance_for_test() as instance:
        unpartitioned = [k for k in graph.materializable_asset_keys if graph.get(k).partitions_def is None]
        report(instance, unpartitioned)
        for days_ago in (1, 2):
            for k in (SALES, FACT):
                report(instance, [k], (date.fromisoformat(latest) - timedelta(days=days_ago)).isoformat())
        first = dg.evaluate_automation_conditions(defs=defs, instance=instance)
        yield instance, first.cursor, latest


def daily_latest(graph) -> str:
    return graph.get(SALES).partitions_def.get_last_partition_key()


def test_new_raw_day_flows_to_marts_and_forecasts_without_a_manual_run(defs, world):
    instance, cursor, latest = world
    # Tick: nothing new → nothing requested beyond what the first tick handled.
    idle = dg.evaluate_automation_conditions(defs=defs, instance=instance, cursor=cursor)
    assert "staging/stg_hotmart__sales" not in requested(idle)

    # The 02:00 schedule loads yesterday's sales.
    report(instance, [SALES], latest)
    tick1 = dg.evaluate_automation_conditions(defs=defs, instance=instance, cursor=idle.cursor)
    asked = requested(tick1)
    # Staging and dimensions in one unpartitioned run; the fact waits for them (different partitioning).
    assert {"staging/stg_hotmart__sales", "staging/int_sales_unioned", "marts/dim_product"} <= set(asked)
    assert "marts/fct_sales" not in asked and "raw/hotmart_sales" not in asked
    # Marts over the fact wait for it: built now they would mix new dimensions with the old fact.
    over_fact = {"marts/kpi_revenue_daily", "marts/product_daily_features", "ml/demand_forecasts"}
    assert not over_fact & set(asked)

    report(instance, [key(k) for k, parts in asked.items() if parts == {None}])
    tick2 = dg.evaluate_automation_conditions(defs=defs, instance=instance, cursor=tick1.cursor)
    assert requested(tick2).get("marts/fct_sales") == {latest}  # only the latest day, not history
    assert not over_fact & set(requested(tick2))

    # Once the fact has its new day: the marts over it and the forecasts, in one run.
    report(instance, [FACT], latest)
    tick3 = dg.evaluate_automation_conditions(defs=defs, instance=instance, cursor=tick2.cursor)
    asked3 = requested(tick3)
    assert over_fact | {"marts/kpi_rfm_segments", "ml/reorder_suggestions"} <= set(asked3)
    # The sklearn model retrains on its daily clock, not on every update; the recommendations (a run of
    # their own: they are partitioned) wait for the new forecasts instead of running beside them.
    assert "ml/demand_model" not in asked3 and "reco/recommendations" not in asked3

    report(instance, [key(k) for k in asked3])  # their run finished
    tick4 = dg.evaluate_automation_conditions(defs=defs, instance=instance, cursor=tick3.cursor)
    asked4 = requested(tick4)
    assert asked4.get("reco/recommendations") == {latest}  # offline ranking: no token budget to guard
    assert not set(asked4) & set(asked3)  # nothing runs twice

    report(instance, [key(k) for k in asked4 if k != "reco/recommendations"])
    report(instance, [dg.AssetKey(["reco", "recommendations"])], latest)
    tick5 = dg.evaluate_automation_conditions(defs=defs, instance=instance, cursor=tick4.cursor)
    assert "reco/recommendation_outcomes" in requested(tick5)  # what reads the recommendations follows


def test_plain_eager_would_wait_for_every_historical_partition():
    """Why ``eager_over_partitioned`` exists: with Dagster's ``eager``, one missing day of a partitioned
    parent blocks an unpartitioned child forever."""
    parts = dg.DailyPartitionsDefinition(start_date="2026-01-01", end_date="2026-01-10")

    @dg.asset(partitions_def=parts)
    def raw_days() -> None: ...

    @dg.asset(deps=[raw_days], automation_condition=dg.AutomationCondition.eager())
    def plain_view() -> None: ...

    @dg.asset(deps=[raw_days], automation_condition=eager_over_partitioned([raw_days.key]))
    def platform_view() -> None: ...

    defs = dg.Definitions(assets=[raw_days, plain_view, platform_view])
    with dg.instance_for_test() as instance:
        report(instance, [plain_view.key, platform_view.key])
        report(instance, [raw_days.key], "2026-01-08")
        cursor = dg.evaluate_automation_conditions(defs=defs, instance=instance).cursor
        report(instance, [raw_days.key], "2026-01-09")  # a new day lands; 2026-01-01..07 never did
        result = dg.evaluate_automation_conditions(defs=defs, instance=instance, cursor=cursor)
    assert set(requested(result)) == {"platform_view"}
