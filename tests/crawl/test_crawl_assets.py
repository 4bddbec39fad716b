"""A real crawl of the fixture shop through the Dagster assets, into a real PostgreSQL database."""

from __future__ import annotations

import dagster as dg
import pytest

from affiliate_assets.defs.catalogue.assets import product_catalogue
from affiliate_assets.defs.crawl.assets import crawl_targets, price_crawl
from affiliate_assets.defs.crawl.checks import latest_crawl_accounts_for_every_target, observed_prices_are_consistent
from affiliate_assets.defs.crawl.targets import FIXTURE_BASE
from affiliate_assets.fakes.runtime import shared_fake
from affiliate_assets.fakes.shop_pages import all_offers, broken_paths, product_paths

ASSETS = [product_catalogue, crawl_targets, price_crawl, latest_crawl_accounts_for_every_target,
          observed_prices_are_consistent]
METHOD = {"jsonld": "json-ld", "microdata": "microdata", "opengraph": "opengraph", "meli": "css:mercadolivre",
          "plain": "heuristic"}
FAST = {"ops": {"price_crawl": {"config": {"retry_backoff_s": 0.05}}}}
CRAWL = [dg.AssetKey(["raw", "price_observations"]), dg.AssetKey(["raw", "crawl_errors"])]
FAILING = 5  # broken pages that give no observation (see test_broken_pages_are_recorded_with_the_reason)
SEED = [dg.AssetKey(["raw", "product_catalogue"]), dg.AssetKey(["raw", "crawl_targets"])]


def crawl(resources) -> dg.ExecuteInProcessResult:
    result = dg.materialize(ASSETS, resources=resources, run_config=FAST, selection=CRAWL)
    assert result.success
    return result


@pytest.fixture(scope="module")
def two_crawls(warehouse, resources):
    seeded = dg.materialize(ASSETS, resources=resources, selection=SEED)
    assert seeded.success
    return seeded, crawl(resources), crawl(resources)


def test_targets_are_seeded_from_the_catalogue(warehouse, two_crawls):
    rows = warehouse.fetchall("select product_id, url, domain, active, source from raw.crawl_targets")
    assert len(rows) == len(product_paths())
    assert {(p, FIXTURE_BASE + path) for p, path in product_paths()} == {(r[0], r[1]) for r in rows}
    assert all(r[2] == "loja-modelo.test" and r[3] and r[4] == "seed" for r in rows)


def test_every_template_gives_the_page_price(warehouse, two_crawls):
    _, first, _ = two_crawls
    rows = warehouse.fetchall(
        """select url, price, old_price, currency, installments, installment_price, availability, seller,
                  extraction_method, http_status, title
           from raw.price_observations where crawl_id = %s""", (first.run_id,))
    seen = {r[0]: r for r in rows}
    offers = all_offers()
    assert any(o.price >= 1000 for o in offers)  # R$ 1.234,56 forms are among them
    for o in offers:
        row = seen[FIXTURE_BASE + o.path]
        assert row[1:6] == (o.price, o.old_price, "BRL", o.installments, o.installment_price), o
        assert row[6] == ("in_stock" if o.in_stock else "out_of_stock")
        assert row[8] == METHOD[o.template] and row[9] == 200 and row[10] == o.product.name
        if o.template != "opengraph":
            assert row[7] == o.seller


def test_broken_pages_are_recorded_with_the_reason(warehouse, two_crawls):
    _, first, _ = two_crawls
    errors = {url: (status, reason) for url, status, reason in warehouse.fetchall(
        "select url, http_status, reason from raw.crawl_errors where crawl_id = %s", (first.run_id,))}
    by_kind = {kind: FIXTURE_BASE + path for path, (_, kind) in broken_paths().items()}
    assert errors == {
        by_kind["404"]: (404, "http_404"),
        by_kind["500"]: (500, "http_500"),
        by_kind["no price"]: (200, "no_price"),
        by_kind["robots disallowed"]: (None, "robots_disallowed"),
        by_kind["captcha"]: (200, "blocked"),
    }
    assert len(errors) == FAILING
    # The page that failed once (503) was retried, the slow page waited for: both were priced.
    priced = {u for (u,) in warehouse.fetchall("select url from raw.price_observations where crawl_id = %s",
                                               (first.run_id,))}
    assert {by_kind["503 once"], by_kind["slow"]} <= priced
    assert len(priced) + len(errors) == len(product_paths())


def test_robots_txt_is_obeyed(two_crawls):
    hits = shared_fake("shop").server.hits
    assert hits["/robots.txt"] >= 1
    disallowed = [p for p in broken_paths() if p.startswith("/privado/")]
    assert disallowed and all(hits[p] == 0 for p in disallowed)
    assert hits[next(p for p in broken_paths() if p.startswith("/oscila/"))] >= 2  # retried after 503


def test_two_crawls_give_two_observations_per_url(warehouse, two_crawls):
    _, first, second = two_crawls
    counts = warehouse.fetchall(
        "select url, count(*), count(distinct crawl_id) from raw.price_observations group by url")
    assert len(counts) == len(product_paths()) - FAILING
    assert all(n == 2 and crawls == 2 for _, n, crawls in counts)
    crawl_ids = {c for (c,) in warehouse.fetchall("select distinct crawl_id from raw.price_observations")}
    assert crawl_ids == {first.run_id, second.run_id}


def test_metadata_and_checks(two_crawls):
    _, first, _ = two_crawls
    mat = next(m.materialization for m in first.get_asset_materialization_events()
               if m.asset_key == dg.AssetKey(["raw", "price_observations"]))
    meta = {k: v.value for k, v in mat.metadata.items()}
    assert meta["source_mode"] == "fake"
    assert meta["rows_loaded"] == meta["observations_this_crawl"] == len(product_paths()) - FAILING
    assert meta["scrapy_pages"] >= len(product_paths()) - 1 and meta["scrapy_retries"] >= 3
    assert meta["scrapy_robots_forbidden"] == 1 and meta["scrapy_response_bytes"] > 100_000
    checks = first.get_asset_check_evaluations()
    assert {c.check_name for c in checks} == {"latest_crawl_accounts_for_every_target",
                                              "observed_prices_are_consistent"}
    assert all(c.passed for c in checks)


def test_user_edits_survive_seeding_and_real_urls_are_kept(warehouse, resources, two_crawls):
    """Users deactivate a seed row and add real targets (here: the shop on its real address, and a typo).
    Re-seeding changes none of it, and the next crawl uses exactly the edited table."""
    shop = shared_fake("shop").base_url
    paused, = warehouse.fetchall("select url from raw.crawl_targets order by url limit 1")[0]
    offer = all_offers()[0]
    real_url = shop + offer.path
    warehouse.execute("update raw.crawl_targets set active = false, notes = 'pausado' where url = %s", (paused,))
    warehouse.execute("insert into raw.crawl_targets (product_id, url) values (%s, %s), (%s, 'htp:/erro')",
                      (offer.product.product_id, real_url, offer.product.product_id))
    before = warehouse.fetchall("select product_id, url, active, source, notes from raw.crawl_targets order by 1, 2")
    assert dg.materialize(ASSETS, resources=resources, selection=[dg.AssetKey(["raw", "crawl_targets"])]).success
    after = warehouse.fetchall("select product_id, url, active, source, notes from raw.crawl_targets order by 1, 2")
    assert after == before

    result = crawl(resources)
    observed = dict(warehouse.fetchall("select url, price from raw.price_observations where crawl_id = %s",
                                       (result.run_id,)))
    assert observed[real_url] == offer.price  # a real URL is crawled as written
    assert paused not in observed
    errors = dict(warehouse.fetchall("select url, reason from raw.crawl_errors where crawl_id = %s",
                                     (result.run_id,)))
    assert errors["htp:/erro"] == "invalid_url"
    mat = next(m.materialization for m in result.get_asset_materialization_events()
               if m.asset_key == dg.AssetKey(["raw", "price_observations"]))
    assert mat.metadata["source_mode"].value == "mixed"
