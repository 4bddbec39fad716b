"""Operational tables of the automation domain (schema ``ops``)."""

from __future__ import annotations

from affiliate_assets.lib.warehouse import Column, TableSpec

RUN_FAILURES = TableSpec(
    schema="ops",
    name="run_failures",
    columns=(
        Column("run_id", "text", nullable=False, description="Dagster run id (one row per failed run)."),
        Column("job_name", "text", nullable=False),
        Column("failed_at", "timestamptz", nullable=False, description="When the failure event was written."),
        Column("message", "text", description="Dagster's failure message for the run."),
        Column("error", "text", description="The first failed step's error class and message, when known."),
        Column("failed_steps", "text[]", description="Step keys that failed."),
        Column("asset_keys", "text[]", description="Assets the run was materializing."),
        Column("partition", "text", description="Partition key or range start..end, when partitioned."),
        Column("tags", "jsonb", description="Run tags: who launched it (sensor, schedule, backfill, user)."),
        Column("webhook_status", "text", description="'sent HTTP 200', 'not configured' or the error."),
    ),
    primary_key=("run_id",),
    indexes=(("failed_at",),),
    description="Every failed Dagster run, recorded by the run-failure sensor: what failed, where, why.",
)
