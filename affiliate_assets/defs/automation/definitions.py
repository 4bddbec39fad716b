"""The automation domain: the sensor that runs declarative automation, the run-failure recorder and the
daily API schedules. Platform-wide conditions, freshness policies and the time-partition freshness
checks are applied to the merged code location by ``policies.apply_platform_policies``."""

import dagster as dg

from affiliate_assets.defs.automation import failures, schedules

automation_sensor = dg.AutomationConditionSensorDefinition(
    "automation_sensor",
    target=dg.AssetSelection.all(),
    default_status=dg.DefaultSensorStatus.RUNNING,
    minimum_interval_seconds=30,
    description="Evaluates every asset's AutomationCondition (new raw data → staging → marts → forecasts "
                "→ recommendations); on by default.",
)

defs = dg.Definitions(
    jobs=schedules.jobs,
    schedules=schedules.schedules,
    sensors=[automation_sensor, failures.run_failure_recorder],
)
