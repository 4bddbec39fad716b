"""The recommendations domain: LLM (tool use) or offline advice per product and day, and its KPI."""

import dagster as dg

from affiliate_assets.defs.recommendations import assets, checks, outcomes
from affiliate_assets.defs.recommendations.schedules import daily_recommendations, recommendations_job

defs = dg.Definitions(
    assets=dg.load_assets_from_modules([assets, outcomes]),
    asset_checks=dg.load_asset_checks_from_modules([checks]),
    jobs=[recommendations_job],
    schedules=[daily_recommendations],
)
