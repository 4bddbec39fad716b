"""The time-partition freshness check of raw Hotmart sales: failing while yesterday's partition (as of the
04:00 São Paulo deadline) is missing, even when older days are loaded, and passing once it is loaded by a
real materialization from the bundled fake."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import dagster as dg
import pytest

from affiliate_assets.defs.automation.policies import RAW_PARTITION_DEADLINE
from affiliate_assets.defs.automation.schedules import last_closed_day

SALES = dg.AssetKey(["raw", "hotmart_sales"])
SP = ZoneInfo("America/Sao_Paulo")


def due_partition(now: datetime) -> str:
    """The day the check expects: the last closed UTC day at the latest 04:00 São Paulo deadline."""
    assert RAW_PARTITION_DEADLINE == "0 4 * * *"
    local = now.astimezone(SP)
    deadline = local.replace(hour=4, minute=0, second=0, microsecond=0)
    if deadline > local:
        deadline -= timedelta(days=1)
    return last_closed_day(deadline)


@pytest.fixture(scope="module")
def job(defs, database_url):
    """The code location's implicit asset job, as the daemon runs it (the freshness sensor launches the
    check alone on it); its resources read DATABASE_URL, the test database."""
    return defs.resolve_implicit_global_asset_job_def()


def run_check(job, instance) -> dg.AssetCheckEvaluation:
    check = job.get_subset(asset_selection=set(), asset_check_selection={dg.AssetCheckKey(SALES, "freshness_check")})
    [evaluation] = check.execute_in_process(instance=instance).get_asset_check_evaluations()
    return evaluation


def load_day(job, instance, day: str) -> None:
    assert job.get_subset(asset_selection={SALES}).execute_in_process(instance=instance, partition_key=day).success


def test_freshness_check_fails_on_a_stale_partition_and_passes_after_loading_it(job):
    due = due_partition(datetime.now(SP))
    older = (datetime.fromisoformat(due) - timedelta(days=3)).date().isoformat()
    with dg.instance_for_test() as instance:
        assert not run_check(job, instance).passed  # nothing loaded at all

        load_day(job, instance, older)
        stale = run_check(job, instance)
        assert not stale.passed and stale.severity == dg.AssetCheckSeverity.ERROR  # an old day is not enough

        load_day(job, instance, due)
        assert run_check(job, instance).passed
