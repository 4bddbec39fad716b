"""The price crawl runs every 8 hours (00:00, 08:00, 16:00 in São Paulo): shops change prices during
the day, and three looks a day catch a "promoção relâmpago" without hammering anyone."""

import dagster as dg

crawl_job = dg.define_asset_job(
    "price_crawl_job",
    selection=dg.AssetSelection.keys(["raw", "price_observations"], ["raw", "crawl_errors"]),
    description="Crawl every active target in raw.crawl_targets and append what was seen.",
)

price_crawl_schedule = dg.ScheduleDefinition(
    name="price_crawl_every_8_hours",
    job=crawl_job,
    cron_schedule="0 */8 * * *",
    execution_timezone="America/Sao_Paulo",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Competitor price crawl every 8 hours (seed requirement).",
)
