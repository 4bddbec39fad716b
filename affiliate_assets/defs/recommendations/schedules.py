"""Yesterday's recommendations every morning, after the nightly loads, dbt and the forecast refresh.

A schedule rather than eager automation: in LLM mode every run costs tokens, so it runs once a day on a
fixed clock instead of each time an upstream mart is rebuilt.
"""

import dagster as dg

recommendations_job = dg.define_asset_job(
    "recommendations_daily",
    selection=dg.AssetSelection.assets(["reco", "recommendations"]),
    partitions_def=None,
    description="Recommend an action per product for the day (LLM or offline ranking).",
)

daily_recommendations = dg.build_schedule_from_partitioned_job(
    recommendations_job, hour_of_day=10, minute_of_hour=0,  # 10:00 UTC = 07:00 São Paulo
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Yesterday's recommendations at 07:00 São Paulo (the daily floor under automation).",
)
