"""The weekly full retrain: declarative automation retrains when new sales land, but a fixed clock
guarantees a fresh model every week even if automation is paused or upstream was quiet."""

import dagster as dg

forecasting_job = dg.define_asset_job(
    "forecasting_retrain",
    selection=dg.AssetSelection.groups("forecasting"),
    description="Retrain Prophet per product and the demand model; refresh price what-ifs and reorders.",
)

weekly_retrain = dg.ScheduleDefinition(
    name="forecasting_weekly_retrain",
    job=forecasting_job,
    cron_schedule="0 6 * * 1",  # Mondays 06:00 São Paulo, after the nightly loads and dbt
    execution_timezone="America/Sao_Paulo",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Weekly full retrain of the forecasting group.",
)
