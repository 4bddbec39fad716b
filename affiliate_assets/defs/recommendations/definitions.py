import dagster as dg

# Filled in by the recommendations issue: assets, checks, sensors and schedules of this domain.
defs = dg.Definitions()
