"""Constants the social tests share (imported as a plain module: tests/ is not a package)."""

from __future__ import annotations

from datetime import datetime

NOW = "2026-11-24T04:00:00+00:00"
"""A fixed "now" for the fake and the resource, so partitions and expected values do not move."""
AT = datetime.fromisoformat(NOW)
