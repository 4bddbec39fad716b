"""The whole code location, audited the way a user meets it in the UI.

It is loaded in a fresh interpreter with placeholder credentials for every service (as a deployment that
has them would), so nothing here depends on what an earlier test imported or on the test database.
"""

import json
import os
import subprocess
import sys

import pytest

from affiliate_assets.lib.settings import PROJECT_ROOT

GROUPS = {"catalogue", "hotmart", "social", "sales_files", "crawl", "transcripts", "staging", "marts", "kpis",
          "forecasting", "recommendations"}
PLACEHOLDER_ENV = {
    "DATABASE_URL": "postgresql://placeholder:placeholder@db.invalid:5432/affiliate",
    "HOTMART_CLIENT_ID": "placeholder", "HOTMART_CLIENT_SECRET": "placeholder", "HOTMART_BASIC": "placeholder",
    "INSTAGRAM_ACCESS_TOKEN": "placeholder", "INSTAGRAM_USER_ID": "1", "FACEBOOK_ACCESS_TOKEN": "placeholder",
    "FACEBOOK_PAGE_ID": "1", "TIKTOK_ACCESS_TOKEN": "placeholder", "ANTHROPIC_API_KEY": "placeholder",
    "GOOGLE_APPLICATION_CREDENTIALS": "/nonexistent/placeholder.json", "FAILURE_WEBHOOK_URL": "http://hook.invalid/",
    "PII_SALT": "placeholder",
}

DUMP = r"""
import json, warnings
warnings.simplefilter("ignore")
from affiliate_assets.definitions import defs
graph = defs.resolve_asset_graph()
repo = defs.get_repository_def()
assets = {}
for key in graph.materializable_asset_keys:
    node = graph.get(key)
    assets[key.to_user_string()] = {
        "group": node.group_name, "description": node.description or "", "owners": list(node.owners),
        "kinds": sorted(t.split("/")[-1] for t in node.tags if t.startswith("dagster/kind/")),
        "code_version": node.code_version, "partitioned": node.partitions_def is not None,
        "backfill_policy": str(node.backfill_policy.policy_type) if node.backfill_policy else None,
        "condition": node.automation_condition.get_label() if node.automation_condition else None,
        "has_condition": node.automation_condition is not None,
        "freshness": node.freshness_policy is not None,
        "parents": sorted(p.to_user_string() for p in node.parent_keys),
    }
checks = {k.to_user_string(): graph.get(k).description or "" for k in graph.asset_check_keys}
sensors = {s.name: {"status": s.default_status.value, "description": s.description or ""}
           for s in repo.sensor_defs}
schedules = {s.name: {"status": s.default_status.value, "description": s.description or "",
                      "cron": s.cron_schedule, "tz": s.execution_timezone} for s in repo.schedule_defs}
print(json.dumps({"assets": assets, "checks": checks, "sensors": sensors, "schedules": schedules}))
"""


@pytest.fixture(scope="module")
def location() -> dict:
    env = {**os.environ, **PLACEHOLDER_ENV, "AFFILIATE_ENV_FILE": "/nonexistent/.env"}
    out = subprocess.run([sys.executable, "-c", DUMP], cwd=PROJECT_ROOT, env=env, capture_output=True, text=True,
                         timeout=180)
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_every_asset_has_a_domain_group_description_owner_kind_and_code_version(location):
    problems = []
    for key, a in sorted(location["assets"].items()):
        if a["group"] not in GROUPS:
            problems.append(f"{key}: group {a['group']!r} is not a domain group")
        if len(a["description"].strip()) < 20:
            problems.append(f"{key}: no real description")
        if not a["owners"]:
            problems.append(f"{key}: no owner")
        if not a["kinds"]:
            problems.append(f"{key}: no kind")
        if not a["code_version"]:
            problems.append(f"{key}: no code version")
    assert not problems, "\n".join(problems)
    # The domains the UI groups by are all there (recommendations once that domain lands).
    assert {"hotmart", "social", "sales_files", "crawl", "transcripts", "staging", "marts", "kpis",
            "forecasting"} <= {a["group"] for a in location["assets"].values()}


def test_partitioned_assets_backfill_as_one_run_and_have_freshness_checks(location):
    partitioned = {k for k, a in location["assets"].items() if a["partitioned"]}
    assert {"raw/hotmart_sales", "raw/hotmart_commissions", "raw/social_metrics", "marts/fct_sales"} <= partitioned
    for key in partitioned:
        assert location["assets"][key]["backfill_policy"] == "BackfillPolicyType.SINGLE_RUN", key
        assert f"{key}:freshness_check" in location["checks"], key
        assert not location["assets"][key]["freshness"], f"{key}: time-window policy on a partitioned asset"


def test_unpartitioned_assets_that_are_expected_to_change_have_a_freshness_policy(location):
    static = {"staging/br_holidays", "staging/br_states", "marts/dim_date", "marts/dim_channel"}
    missing = [k for k, a in location["assets"].items()
               if not a["partitioned"] and not a["freshness"] and k not in static]
    assert not missing, missing


def test_everything_downstream_of_raw_updates_itself(location):
    """New raw data must reach marts, forecasts and recommendations without a manual run."""
    no_condition = [k for k, a in location["assets"].items()
                    if not k.startswith("raw/") and not a["has_condition"]]
    assert not no_condition, no_condition
    # Views over daily-partitioned raw tables must not wait for every historical day to be loaded.
    for key in ("staging/stg_hotmart__sales", "staging/stg_social__metrics", "marts/kpi_revenue_daily"):
        assert location["assets"][key]["condition"].startswith("eager_over_partitioned"), key
    # Raw API partitions are loaded by schedules, not by automation (no double requests).
    for key in ("raw/hotmart_sales", "raw/hotmart_commissions", "raw/social_metrics"):
        assert location["assets"][key]["condition"] is None, key


def test_sensors_and_schedules_are_on_by_default_and_described(location):
    sensors, schedules = location["sensors"], location["schedules"]
    for name in ("automation_sensor", "run_failure_recorder", "freshness_checks_sensor",
                 "sales_files_inbox_sensor", "screens_inbox_sensor", "voice_inbox_sensor"):
        assert sensors[name]["status"] == "RUNNING", name
    for name in ("hotmart_daily_0200", "social_daily_0200", "price_crawl_every_8_hours",
                 "forecasting_weekly_retrain", "hotmart_weekly_refresh_30_days"):
        assert schedules[name]["status"] == "RUNNING", name
        assert schedules[name]["tz"] == "America/Sao_Paulo", name
    assert schedules["hotmart_daily_0200"]["cron"] == "0 2 * * *"
    assert schedules["price_crawl_every_8_hours"]["cron"] == "0 */8 * * *"
    assert all(s["description"] for s in [*sensors.values(), *schedules.values()])
    # Python checks say what they guard; dbt tests are named by dbt (not_null_<model>_<column>, ...).
    undescribed = [k for k, d in location["checks"].items() if len(d) <= 10
                   and "dbt" not in location["assets"][k.split(":")[0]]["kinds"]]
    assert not undescribed, undescribed
