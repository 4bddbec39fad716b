"""Helpers for the dbt tests: load the raw layer loaded from the bundled fakes and sample files, then the dbt
models built through Dagster exactly as the demo does (staging + dimensions, the partitioned fact as one
single-run backfill, then the KPI marts)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

import dagster as dg

FIRST_DAY = date(2024, 1, 1)
LAST_DAY = date(2024, 2, 29)  # two months: two cohorts, monthly revenue to compare, a churn window
RANGE_START = "dagster/asset_partition_range_start"
RANGE_END = "dagster/asset_partition_range_end"

FCT_SALES = dg.AssetKey(["marts", "fct_sales"])
RAW_UNPARTITIONED = [
    ["raw", "product_catalogue"], ["raw", "hotmart_products"], ["raw", "sales_history"], ["raw", "sales_files"],
]
RAW_PARTITIONED = [["raw", "hotmart_sales"], ["raw", "hotmart_commissions"], ["raw", "social_metrics"]]
CRAWL_DAYS = (date(2024, 2, 1), date(2024, 2, 15), date(2024, 2, 28))
COMPETITOR_FACTORS = {"loja-a.test": Decimal("0.90"), "loja-b.test": Decimal("1.00"), "loja-c.test": Decimal("1.15")}


def range_tags(first: date, last: date) -> dict[str, str]:
    return {RANGE_START: first.isoformat(), RANGE_END: last.isoformat()}


@dataclass
class Materializer:
    """Materializes a selection of the whole code location's assets (checks included) in one run."""

    defs: dg.Definitions
    resources: dict

    @property
    def graph(self):
        return self.defs.resolve_asset_graph()

    def run(self, keys: Iterable[dg.AssetKey | list[str]], *, tags: dict | None = None,
            partition_key: str | None = None, run_config: dict | None = None) -> dg.ExecuteInProcessResult:
        keys = [k if isinstance(k, dg.AssetKey) else dg.AssetKey(k) for k in keys]
        # The Definitions' own (unbound) assets and checks, so the test resources apply.
        everything = [*(self.defs.assets or []), *(self.defs.asset_checks or [])]
        return dg.materialize(
            everything, selection=dg.AssetSelection.keys(*keys), resources=self.resources,
            tags=tags, partition_key=partition_key, run_config=run_config, raise_on_error=False,
        )

    def dbt_keys(self, *, partitioned: bool) -> set[dg.AssetKey]:
        from affiliate_assets.defs.dbt.assets import dbt_models, dbt_partitioned_models

        return set((dbt_partitioned_models if partitioned else dbt_models).keys)

    def upstream_of_fact(self) -> set[dg.AssetKey]:
        """Unpartitioned dbt models the fact reads (staging, intermediate, dimensions)."""
        selection = dg.AssetSelection.keys(FCT_SALES).upstream() - dg.AssetSelection.keys(FCT_SALES)
        return selection.resolve(self.graph) & self.dbt_keys(partitioned=False)


def assert_ok(result: dg.ExecuteInProcessResult) -> dg.ExecuteInProcessResult:
    """The run succeeded and every check passed, except freshness checks: they compare the sample data's
    2024 days with today's clock, which says nothing about the models."""
    failed = [c for c in result.get_asset_check_evaluations() if not c.passed and "freshness" not in c.check_name]
    assert result.success, [e.message for e in result.all_events if e.is_failure]
    assert not failed, [f"{c.asset_key.to_user_string()}:{c.check_name}" for c in failed]
    return result


def load_price_observations(warehouse) -> int:
    """Competitor prices through the one loader, as three crawls would have appended them: three shops per
    product at 0.90 / 1.00 / 1.15 × the list price, plus a cheaper page that is out of stock (which must not
    set the market price). A fixture instead of a Scrapy run: the crawl has its own tests, and the marts
    only need the table's contract."""
    from affiliate_assets.defs.crawl.tables import PRICE_OBSERVATIONS
    from affiliate_assets.sample_data.catalogue import catalogue

    rows = []
    for day in CRAWL_DAYS:
        crawl_id = f"fixture-{day.isoformat()}"
        fetched_at = datetime(day.year, day.month, day.day, 12, tzinfo=UTC)
        for product in catalogue():
            pages = [(shop, (product.price * f).quantize(Decimal("0.01")), "in_stock")
                     for shop, f in COMPETITOR_FACTORS.items()]
            pages.append(("loja-d.test", (product.price * Decimal("0.5")).quantize(Decimal("0.01")), "out_of_stock"))
            for shop, price, availability in pages:
                url = f"https://{shop}/p/{product.slug}"
                values = {"observation_id": f"{crawl_id}:{product.product_id}:{shop}", "crawl_id": crawl_id,
                          "product_id": product.product_id, "url": url, "domain": shop, "title": product.name,
                          "price": price, "currency": "BRL", "availability": availability,
                          "extraction_method": "json-ld", "http_status": 200, "fetched_at": fetched_at}
                rows.append(tuple(values.get(c) for c in PRICE_OBSERVATIONS.column_names))
    return warehouse.load(PRICE_OBSERVATIONS, rows, mode="upsert").rows_loaded


VOICE_DAY = date(2024, 2, 10)


def load_voice_orders(warehouse) -> None:
    """Two PedidosVoz through the one loader: a registered one (which must become a sale) and one that needs
    review (which must not)."""
    from affiliate_assets.defs.transcripts.voice_tables import VOICE_ORDERS
    from affiliate_assets.sample_data.catalogue import catalogue

    product = catalogue()[0]
    at = datetime(VOICE_DAY.year, VOICE_DAY.month, VOICE_DAY.day, 15, tzinfo=UTC)
    orders = [
        {"order_id": "VOZ-aaaaaaaaaaaa-0", "audio_hash": "a" * 64, "intent_index": 0, "intent": "buy",
         "product_id": product.product_id, "matched_name": product.name, "match_score": Decimal("96.5"),
         "quantity": 2, "unit_price": product.price, "status": "registered",
         "raw_text": f"quero comprar dois {product.name.lower()}", "ordered_at": at},
        {"order_id": "VOZ-bbbbbbbbbbbb-0", "audio_hash": "b" * 64, "intent_index": 0, "intent": "buy",
         "product_id": None, "quantity": 1, "status": "needs_review", "review_reason": "no_product",
         "raw_text": "quero comprar um negócio", "ordered_at": at},
    ]
    warehouse.load(VOICE_ORDERS, [tuple(o.get(c) for c in VOICE_ORDERS.column_names) for o in orders])
