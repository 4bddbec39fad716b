import dagster as dg

# Filled in by the crawl issue: assets, checks, sensors and schedules of this domain.
defs = dg.Definitions()
