import dagster as dg

from affiliate_assets.defs.forecasting import checks, demand_forecast, demand_model, reorder
from affiliate_assets.defs.forecasting.schedules import forecasting_job, weekly_retrain

defs = dg.Definitions(
    assets=dg.load_assets_from_modules([demand_forecast, demand_model, reorder]),
    asset_checks=dg.load_asset_checks_from_modules([checks]),
    jobs=[forecasting_job],
    schedules=[weekly_retrain],
)
