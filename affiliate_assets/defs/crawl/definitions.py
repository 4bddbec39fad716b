"""The crawl domain: crawl targets, the 8-hourly price crawl, its checks and schedule.

Scrapy is imported only inside the crawl subprocess, never here: loading the code location stays fast.
"""

import dagster as dg

from affiliate_assets.defs.crawl import assets, checks
from affiliate_assets.defs.crawl.schedules import crawl_job, price_crawl_schedule

defs = dg.Definitions(
    assets=dg.load_assets_from_modules([assets]),
    asset_checks=dg.load_asset_checks_from_modules([checks]),
    jobs=[crawl_job],
    schedules=[price_crawl_schedule],
)
