"""The dbt project (staging → marts) as Dagster assets."""
