"""The run-failure sensor: every failed run becomes a row in ``ops.run_failures`` and, when
``FAILURE_WEBHOOK_URL`` is set, a JSON POST (Slack-compatible ``text`` plus structured fields).

Why a table as well as the UI: failures outlive Dagster's run retention, can be counted per job and week
with SQL next to the data they broke, and a dashboard can read them without Dagster access. The webhook
is best effort: a webhook that is down is written into the row (``webhook_status``) and never makes the
sensor itself fail, which would stop the recording of later failures.
"""

from datetime import UTC, datetime
from typing import Any

import dagster as dg

from affiliate_assets.defs.automation.schedules import RANGE_END, RANGE_START
from affiliate_assets.defs.automation.tables import RUN_FAILURES
from affiliate_assets.lib.http import HttpClient, HttpError, RetryPolicy
from affiliate_assets.lib.settings import load_settings
from affiliate_assets.lib.warehouse import Warehouse, to_json

WEBHOOK_RETRY = RetryPolicy(max_attempts=3, backoff_base_s=0.5, backoff_max_s=4.0, max_wait_s=10.0)


def partition_of(tags: dict[str, str]) -> str | None:
    """``2025-11-28`` for a one-partition run, ``start..end`` for a single-run backfill range."""
    if tags.get("dagster/partition"):
        return tags["dagster/partition"]
    if tags.get(RANGE_START):
        return f"{tags[RANGE_START]}..{tags.get(RANGE_END, '')}"
    return None


def planned_assets(context: dg.RunFailureSensorContext) -> list[str]:
    """Assets the run meant to materialize: its asset selection, else its planned materializations (an
    ad hoc ``materialize`` or a whole-job run has no explicit selection)."""
    run = context.dagster_run
    if run.asset_selection:
        return sorted(k.to_user_string() for k in run.asset_selection)
    planned = context.instance.all_logs(run.run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION_PLANNED)
    return sorted({e.dagster_event.asset_key.to_user_string() for e in planned
                   if e.dagster_event and e.dagster_event.asset_key})


def root_error(info: Any) -> str:
    """The innermost cause of a serialized error: Dagster wraps the user's exception in its own."""
    while info.cause is not None:
        info = info.cause
    message = info.message.strip()  # already "ValueError: ..." for Python exceptions
    return (message if message.startswith(info.cls_name) else f"{info.cls_name}: {message}")[:2000]


def describe_failure(context: dg.RunFailureSensorContext) -> dict[str, Any]:
    """The row (as a dict) for the failed run of ``context``."""
    run = context.dagster_run
    step_failures = context.get_step_failure_events()
    errors = [e.step_failure_data.error for e in step_failures if e.step_failure_data]
    run_data = context.failure_event.event_specific_data
    # A run can fail outside any step (a step process that crashed while importing, a launch error):
    # then the run failure event carries the error.
    errors.append(getattr(run_data, "error", None))
    error = next((root_error(info) for info in errors if info is not None), None)
    tags = dict(run.tags)
    return {
        "run_id": run.run_id,
        "job_name": run.job_name,
        "failed_at": datetime.fromtimestamp(context.failure_event.timestamp, UTC)
        if getattr(context.failure_event, "timestamp", None) else datetime.now(UTC),
        "message": (context.failure_event.message or "")[:2000],
        "error": error,
        "failed_steps": sorted({e.step_key for e in step_failures if e.step_key}),
        "asset_keys": planned_assets(context),
        "partition": partition_of(tags),
        "tags": tags,
    }


def post_webhook(url: str, failure: dict[str, Any]) -> str:
    """POST the failure; returns what happened, for the row. Never raises."""
    where = f" [{failure['partition']}]" if failure.get("partition") else ""
    why = failure["error"] or failure["message"]
    payload = {
        "text": f":red_circle: Dagster run failed: {failure['job_name']}{where} — {why}",
        "event": "run_failure",
        **{k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in failure.items()},
    }
    client = HttpClient(url, timeout=(3.0, 10.0), retry=WEBHOOK_RETRY)
    try:
        response = client.request("POST", url, json=payload)
    except HttpError as exc:
        return f"failed: {exc}"[:500]
    return f"sent HTTP {response.status_code}"


def record_failure(warehouse: Warehouse, failure: dict[str, Any], webhook_url: str | None) -> dict[str, Any]:
    """Post to the webhook (if configured), then upsert the row through the one loader."""
    status = post_webhook(webhook_url, failure) if webhook_url else "not configured"
    row = {**failure, "webhook_status": status}
    values = {**row, "tags": to_json(row["tags"])}
    warehouse.load(RUN_FAILURES, [tuple(values[c] for c in RUN_FAILURES.column_names)], mode="upsert",
                   reject_batch="run_failures")
    return row


@dg.run_failure_sensor(
    name="run_failure_recorder",
    default_status=dg.DefaultSensorStatus.RUNNING,
    minimum_interval_seconds=30,
    description="Records every failed run in ops.run_failures and POSTs it to FAILURE_WEBHOOK_URL when set.",
)
def run_failure_recorder(context: dg.RunFailureSensorContext, warehouse: Warehouse) -> None:
    failure = describe_failure(context)
    row = record_failure(warehouse, failure, load_settings().failure_webhook_url)
    context.log.info("recorded failed run %s of %s (webhook: %s)", row["run_id"], row["job_name"],
                     row["webhook_status"])
