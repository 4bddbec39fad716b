"""Time partitions shared by every daily asset.

Days are UTC days: sales, commissions and social metrics are stored as ``timestamptz`` in UTC and a
partition ``2025-11-28`` holds the instants ``[2025-11-28T00:00Z, 2025-11-29T00:00Z)``. Schedules still
fire on the São Paulo clock (02:00 America/Sao_Paulo) for the previous day.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import dagster as dg

SAMPLE_START_DATE = "2024-01-01"
"""First day of the bundled sample data (and of every daily partition set)."""

daily_partitions = dg.DailyPartitionsDefinition(start_date=SAMPLE_START_DATE, timezone="UTC")


def partition_window(context: dg.AssetExecutionContext) -> tuple[datetime, datetime]:
    """[start, end) of the partition or partition range being materialized (single-run backfills pass a
    range), as aware UTC datetimes."""
    window = context.partition_time_window
    return window.start.astimezone(UTC), window.end.astimezone(UTC)


def partition_batch(context: dg.AssetExecutionContext) -> str:
    """A stable label for the partition (range) of this run: used as the rejects batch key."""
    key_range = context.partition_key_range
    return key_range.start if key_range.start == key_range.end else f"{key_range.start}..{key_range.end}"


def days(start: date, end: date) -> list[date]:
    """Calendar days in [start, end)."""
    return [start + timedelta(days=i) for i in range((end - start).days)]


def yesterday_utc() -> date:
    return datetime.now(UTC).date() - timedelta(days=1)
