import dagster as dg

# Filled in by the sales_files issue: assets, checks, sensors and schedules of this domain.
defs = dg.Definitions()
