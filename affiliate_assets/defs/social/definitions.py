import dagster as dg

# Filled in by the social issue: assets, checks, sensors and schedules of this domain.
defs = dg.Definitions()
