"""Every schedule of the code location evaluated at chosen instants: what it requests, with which run key
and partition, and when it skips. Partition days are UTC days; the clocks are São Paulo's."""

from datetime import datetime
from zoneinfo import ZoneInfo

import dagster as dg
import pytest

SP = ZoneInfo("America/Sao_Paulo")


@pytest.fixture(scope="module")
def repo(defs):
    return defs.get_repository_def()


@pytest.fixture(scope="module")
def instance():
    with dg.instance_for_test() as test_instance:  # one ephemeral instance for every tick of this module
        yield test_instance


def tick(repo, name: str, when: datetime, instance: dg.DagsterInstance) -> list[dg.RunRequest] | dg.SkipReason:
    schedule = repo.get_schedule_def(name)
    context = dg.build_schedule_context(instance=instance, scheduled_execution_time=when, repository_def=repo)
    data = schedule.evaluate_tick(context)
    if data.skip_message:
        return dg.SkipReason(data.skip_message)
    return list(data.run_requests or [])


@pytest.mark.parametrize("name,job", [("hotmart_daily_0200", "hotmart_daily_job"),
                                      ("social_daily_0200", "social_daily_job")])
def test_daily_schedules_request_the_utc_day_that_just_closed(repo, instance, name, job):
    schedule = repo.get_schedule_def(name)
    assert (schedule.cron_schedule, schedule.execution_timezone) == ("0 2 * * *", "America/Sao_Paulo")
    assert schedule.job_name == job
    requests = tick(repo, name, datetime(2026, 11, 24, 2, 0, tzinfo=SP), instance)  # 05:00 UTC
    assert [(r.partition_key, r.run_key) for r in requests] == [("2026-11-23", f"{job}:2026-11-23")]
    # The same tick evaluated again (daemon restart) asks for the same run key: Dagster dedupes it.
    again = tick(repo, name, datetime(2026, 11, 24, 2, 0, tzinfo=SP), instance)
    assert [r.run_key for r in again] == [r.run_key for r in requests]
    # Across a year boundary: the 1 January tick (05:00 UTC) loads 31 December.
    new_year = tick(repo, name, datetime(2026, 1, 1, 2, 0, tzinfo=SP), instance)
    assert [r.partition_key for r in new_year] == ["2025-12-31"]
    job_def = repo.get_job(job)
    assert {k.to_user_string() for k in job_def.asset_layer.selected_asset_keys} >= (
        {"raw/hotmart_sales", "raw/hotmart_commissions"} if "hotmart" in job else {"raw/social_metrics"})


def test_daily_schedule_skips_before_the_first_day_has_closed(repo, instance):
    result = tick(repo, "hotmart_daily_0200", datetime(2024, 1, 1, 2, 0, tzinfo=SP), instance)  # 2024-01-01 05:00 UTC
    assert isinstance(result, dg.SkipReason) and "no closed day" in result.skip_message


def test_weekly_refresh_reloads_the_last_30_days_as_one_run(repo, instance):
    requests = tick(repo, "hotmart_weekly_refresh_30_days", datetime(2026, 11, 22, 3, 0, tzinfo=SP), instance)
    assert len(requests) == 1
    tags = requests[0].tags
    assert (tags["dagster/asset_partition_range_start"], tags["dagster/asset_partition_range_end"]) == (
        "2026-10-23", "2026-11-21")
    assert requests[0].run_key == "hotmart_refresh:2026-10-23..2026-11-21"
    # Near the start of the partition set the range is clipped to the first day.
    early = tick(repo, "hotmart_weekly_refresh_30_days", datetime(2024, 1, 7, 3, 0, tzinfo=SP), instance)
    assert early[0].tags["dagster/asset_partition_range_start"] == "2024-01-01"


def test_price_crawl_every_8_hours_and_weekly_retrain(repo, instance):
    crawl = repo.get_schedule_def("price_crawl_every_8_hours")
    assert (crawl.cron_schedule, crawl.execution_timezone) == ("0 */8 * * *", "America/Sao_Paulo")
    requests = tick(repo, "price_crawl_every_8_hours", datetime(2026, 11, 24, 8, 0, tzinfo=SP), instance)
    assert len(requests) == 1 and crawl.job_name == "price_crawl_job"
    crawl_keys = {k.to_user_string() for k in repo.get_job("price_crawl_job").asset_layer.selected_asset_keys}
    assert "raw/price_observations" in crawl_keys

    retrain = repo.get_schedule_def("forecasting_weekly_retrain")
    assert (retrain.cron_schedule, retrain.execution_timezone) == ("0 6 * * 1", "America/Sao_Paulo")
    assert len(tick(repo, "forecasting_weekly_retrain", datetime(2026, 11, 23, 6, 0, tzinfo=SP), instance)) == 1
    retrain_keys = {k.to_user_string() for k in repo.get_job(retrain.job_name).asset_layer.selected_asset_keys}
    assert "ml/demand_forecasts" in retrain_keys
