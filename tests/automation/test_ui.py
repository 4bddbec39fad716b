"""The Dagster UI as a user sees it: ``dagster dev`` (webserver + daemon) on a free port, on an instance
whose storage is the test database, driven in headless Chromium (Debian's, through playwright; never a
downloaded browser). Screenshots go to tests/automation/artifacts/ (ignored by git).

The instance queues runs without launching them (max_concurrent_runs 0), so the daemon's sensors and
automation cannot start work in the background of the test.
"""

import os
from pathlib import Path

import dagster as dg
import pytest

from affiliate_assets.defs.automation.devserver import dagster_dev, dagster_home, free_port, graphql, offline_env

pytestmark = [pytest.mark.ui, pytest.mark.slow]

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).parent / "artifacts"
CATALOGUE = dg.AssetKey(["raw", "product_catalogue"])
BROWSER_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def ui(database_url, defs, tmp_path_factory):
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is missing: `apt-get install chromium` (make test-deps) to run the UI test")
    pytest.importorskip("playwright.sync_api", reason="pip package playwright is not installed")
    home = dagster_home(tmp_path_factory.mktemp("dagster_home_ui"), max_concurrent_runs=0)
    env = offline_env(database_url, home, tmp_path_factory.mktemp("data_ui"))
    # One real materialization for the UI to show, written to the same instance storage.
    saved = {k: os.environ.get(k) for k in ("DAGSTER_HOME", "DAGSTER_PG_URL")}
    os.environ.update(DAGSTER_HOME=env["DAGSTER_HOME"], DAGSTER_PG_URL=env["DAGSTER_PG_URL"])
    try:
        with dg.DagsterInstance.get() as instance:
            job = defs.resolve_implicit_global_asset_job_def().get_subset(asset_selection={CATALOGUE})
            run_id = job.execute_in_process(instance=instance).run_id
    finally:
        for key, value in saved.items():
            os.environ.pop(key, None) if value is None else os.environ.__setitem__(key, value)
    with dagster_dev(env, free_port(), home / "dagster-dev.log") as base:
        yield base, run_id


@pytest.fixture(scope="module")
def page(ui, tmp_path_factory):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium")), executable_path=CHROMIUM, headless=True, args=BROWSER_ARGS,
            viewport={"width": 1600, "height": 1000})
        context.add_init_script("window.localStorage.setItem('communityNux', '\"1\"')")  # no community pop-up
        page = context.new_page()
        page.set_default_timeout(120_000)
        yield page
        context.close()


def shot(page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / name
    page.screenshot(path=str(path), full_page=True)
    return path


def test_lineage_shows_every_domain_group(ui, page):
    base, _ = ui
    page.goto(f"{base}/asset-groups")
    for group in ("hotmart", "social", "sales_files", "crawl", "staging", "marts", "kpis", "forecasting"):
        page.get_by_text(group, exact=True).first.wait_for()
    path = shot(page, "lineage.png")
    assert path.stat().st_size > 10_000


def test_asset_page_shows_its_materialization_and_metadata(ui, page):
    base, run_id = ui
    page.goto(f"{base}/assets/raw/product_catalogue")
    page.locator(f'a[href^="/runs/{run_id}"]').first.wait_for()
    page.locator('[class*="Skeleton_skeleton"]').first.wait_for(state="detached")
    page.get_by_text("Freshness policy").first.wait_for()
    body = page.inner_text("body")
    assert "product_catalogue" in body
    # What the audit promises a user: freshness state, row count, owner, group, kinds, automation.
    for shown in ("Freshness policy\nPassing", "Row count\n62", "data-eng", "Group\ncatalogue", "Postgres",
                  "automation_sensor"):
        assert shown in body, shown
    shot(page, "asset_product_catalogue.png")


def test_graphql_sees_the_whole_location_with_automation_on(ui):
    base, _ = ui
    data = graphql(base, """{ assetNodes { assetKey { path } groupName owners { ... on TeamAssetOwner { team } }
                                           internalFreshnessPolicy { ... on TimeWindowFreshnessPolicy {
                                               failWindowSeconds } } }
                              repositoriesOrError { ... on RepositoryConnection { nodes {
                                  sensors { name sensorState { status } } schedules { name scheduleState { status } }
                              } } } }""")
    nodes = {"/".join(n["assetKey"]["path"]): n for n in data["assetNodes"]}
    assert nodes["raw/product_catalogue"]["groupName"] == "catalogue"
    assert nodes["raw/price_observations"]["internalFreshnessPolicy"]["failWindowSeconds"] == 17 * 3600
    [repo] = data["repositoriesOrError"]["nodes"]
    sensors = {s["name"]: s["sensorState"]["status"] for s in repo["sensors"]}
    schedules = {s["name"]: s["scheduleState"]["status"] for s in repo["schedules"]}
    assert sensors["automation_sensor"] == "RUNNING" and sensors["run_failure_recorder"] == "RUNNING"
    assert sensors["freshness_checks_sensor"] == "RUNNING" and schedules["hotmart_daily_0200"] == "RUNNING"

