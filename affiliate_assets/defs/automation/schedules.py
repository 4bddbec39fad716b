"""Clock-driven loads of the daily-partitioned API sources (the price crawl and the weekly retrain have
their own schedules in ``defs/crawl`` and ``defs/forecasting``).

- Every day at 02:00 America/Sao_Paulo (05:00 UTC; Brazil has had no DST since 2019) each source loads
  the UTC day that just closed. The run key is the partition, so a daemon restart or a re-evaluated tick
  never loads a day twice, and a tick missed while the daemon was down is caught up by Dagster's catch-up.
- Every Sunday at 03:00 the Hotmart sales and commissions of the last 30 closed days are reloaded as ONE
  run (a single-run partition range): refunds, chargebacks and expired boletos change past days, and
  re-loading a day replaces it (``replace_window``), so this is how late changes reach the marts.

Hotmart and social metrics are separate jobs so an outage of one API never blocks the other's day.
"""

from datetime import UTC, datetime, timedelta
from typing import Any

import dagster as dg

from affiliate_assets.lib.partitions import daily_partitions

SCHEDULE_TZ = "America/Sao_Paulo"
RANGE_START = "dagster/asset_partition_range_start"
RANGE_END = "dagster/asset_partition_range_end"
REFRESH_DAYS = 30

HOTMART_DAILY_KEYS = (dg.AssetKey(["raw", "hotmart_sales"]), dg.AssetKey(["raw", "hotmart_commissions"]))
SOCIAL_DAILY_KEYS = (dg.AssetKey(["raw", "social_metrics"]),)

hotmart_daily_job = dg.define_asset_job(
    "hotmart_daily_job",
    selection=dg.AssetSelection.keys(*HOTMART_DAILY_KEYS),
    partitions_def=daily_partitions,
    description="Hotmart sales and commissions of one UTC day (or a range, as one run).",
)

social_daily_job = dg.define_asset_job(
    "social_daily_job",
    selection=dg.AssetSelection.keys(*SOCIAL_DAILY_KEYS),
    partitions_def=daily_partitions,
    description="Instagram, Facebook and TikTok snapshots of one UTC day.",
)


def last_closed_day(when: datetime) -> str | None:
    """The partition key of the latest UTC day that had ended at ``when`` (None before the first)."""
    day = (when.astimezone(UTC).date() - timedelta(days=1)).isoformat()
    return day if day >= daily_partitions.get_first_partition_key() else None


def daily_partition_schedule(job: Any, name: str) -> dg.ScheduleDefinition:
    """A 02:00 São Paulo schedule that requests the day that just closed, keyed by its partition."""

    @dg.schedule(
        name=name,
        job=job,
        cron_schedule="0 2 * * *",
        execution_timezone=SCHEDULE_TZ,
        default_status=dg.DefaultScheduleStatus.RUNNING,
        description=f"{job.name}: yesterday's UTC partition at 02:00 {SCHEDULE_TZ}.",
    )
    def _schedule(context: dg.ScheduleEvaluationContext) -> dg.RunRequest | dg.SkipReason:
        day = last_closed_day(context.scheduled_execution_time)
        if day is None:
            return dg.SkipReason("no closed day yet in the partition set")
        return dg.RunRequest(run_key=f"{job.name}:{day}", partition_key=day,
                             tags={"affiliate/trigger": "daily_schedule"})

    return _schedule


hotmart_daily_schedule = daily_partition_schedule(hotmart_daily_job, "hotmart_daily_0200")
social_daily_schedule = daily_partition_schedule(social_daily_job, "social_daily_0200")


@dg.schedule(
    name="hotmart_weekly_refresh_30_days",
    job=hotmart_daily_job,
    cron_schedule="0 3 * * 0",
    execution_timezone=SCHEDULE_TZ,
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description=f"Reloads the last {REFRESH_DAYS} closed days of Hotmart sales and commissions as one run, "
                "so refunds and chargebacks that arrived later reach the marts.",
)
def hotmart_weekly_refresh(context: dg.ScheduleEvaluationContext) -> dg.RunRequest | dg.SkipReason:
    end = last_closed_day(context.scheduled_execution_time)
    if end is None:
        return dg.SkipReason("no closed day yet in the partition set")
    first = daily_partitions.get_first_partition_key()
    start = max(first, (datetime.fromisoformat(end) - timedelta(days=REFRESH_DAYS - 1)).date().isoformat())
    return dg.RunRequest(
        run_key=f"hotmart_refresh:{start}..{end}",
        tags={RANGE_START: start, RANGE_END: end, "affiliate/trigger": "weekly_refresh"},
    )


schedules = [hotmart_daily_schedule, social_daily_schedule, hotmart_weekly_refresh]
jobs = [hotmart_daily_job, social_daily_job]
