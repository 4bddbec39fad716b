"""The code location: every domain's definitions merged, plus the shared resources.

Kept short on purpose (the dagster-open-platform shape): each domain under ``defs/`` owns its assets,
checks, sensors, schedules and domain resources and exposes them as ``defs``; this file only merges them.
Heavy libraries (prophet, sklearn, scrapy, pytesseract, google.cloud, anthropic) are imported inside
asset bodies, so loading this module stays under 3 s.
"""

from __future__ import annotations

import importlib

import dagster as dg

from affiliate_assets.defs.automation.policies import apply_platform_policies
from affiliate_assets.lib.resources import shared_resources

DOMAINS = (
    "catalogue",
    "hotmart",
    "social",
    "sales_files",
    "crawl",
    "transcripts",
    "dbt",
    "forecasting",
    "recommendations",
    "automation",
)


def build_definitions() -> dg.Definitions:
    domain_defs = [importlib.import_module(f"affiliate_assets.defs.{d}.definitions").defs for d in DOMAINS]
    merged = dg.Definitions.merge(*domain_defs, dg.Definitions(resources=shared_resources()))
    # One place gives every asset its automation condition and freshness policy (defs/automation).
    return apply_platform_policies(merged)


defs = build_definitions()
