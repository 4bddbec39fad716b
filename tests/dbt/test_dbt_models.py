"""The dbt project built through Dagster on the sample data, checked against pandas computations made
independently from the raw tables."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import dagster as dg
import pandas as pd
import pytest
from dbt_helpers import FCT_SALES, FIRST_DAY, LAST_DAY, assert_ok, range_tags

SETTLED = ("APPROVED", "COMPLETE")
NOT_SOLD = {"CANCELLED", "CANCELED", "REFUNDED", "CHARGEBACK", "CANCELADO", "CANCELADA", "DEVOLVIDO", "DEVOLVIDA",
            "REEMBOLSADO", "REEMBOLSADA", "ESTORNADO", "ESTORNADA"}


# --------------------------------------------------------------------------------------------------
# Independent computations from raw (pandas), written from the rules, not from the SQL
# --------------------------------------------------------------------------------------------------


def raw_sales(warehouse) -> pd.DataFrame:
    """Every sale that stands, from the raw tables (Hotmart, registered voice orders, sales files):
    (sale key, customer key, day, order, amount)."""
    hotmart = warehouse.fetch_df(
        "select transaction, order_date, status, currency, price, buyer_email_hash, buyer_ucode from raw.hotmart_sales"
    )
    hotmart = hotmart[hotmart.status.str.upper().isin(SETTLED) & (hotmart.currency.str.upper() == "BRL")]
    hotmart = pd.DataFrame({
        "sale": "hotmart:" + hotmart.transaction,
        "customer": hotmart.buyer_email_hash.fillna("hotmart:" + hotmart.buyer_ucode),
        "day": pd.to_datetime(hotmart.order_date, utc=True).dt.date,
        "order": hotmart.transaction,
        "amount": hotmart.price.astype(float),
    })
    lines = warehouse.fetch_df(
        """select h.order_id, h.order_line, h.order_date, h.status, h.quantity, h.sales, h.currency,
                  h.customer_email_hash, h.customer_id, h.file_hash, coalesce(f.loaded_at, h.loaded_at) as file_at
           from raw.sales_history h left join raw.sales_files f using (file_hash)"""
    )
    voice = warehouse.fetch_df(
        "select order_id, ordered_at, loaded_at, status, product_id, quantity, unit_price from raw.voice_orders")
    voice = voice[(voice.status == "registered") & voice.product_id.notna() & (voice.quantity > 0)]
    voice = pd.DataFrame({
        "sale": "voice:" + voice.order_id,
        "customer": "unknown",  # a voice note says what to buy, not who buys
        "day": pd.to_datetime(voice.ordered_at.fillna(voice.loaded_at), utc=True).dt.date,
        "order": voice.order_id,
        "amount": voice.unit_price.astype(float) * voice.quantity,
    })
    hotmart = pd.concat([hotmart, voice], ignore_index=True)
    if lines.empty:
        return hotmart
    lines["order_id"] = lines.order_id.str.strip()
    latest = lines.sort_values(["file_at", "file_hash"]).groupby("order_id").tail(1)[["order_id", "file_hash"]]
    lines = lines.merge(latest, on=["order_id", "file_hash"])
    currency = lines.currency.str.strip().str.upper().replace({"R$": "BRL", "REAL": "BRL", "REAIS": "BRL"})
    status = lines.status.fillna("").str.strip().str.upper()
    lines = lines[(currency == "BRL") & (lines.quantity > 0) & ~status.isin(NOT_SOLD)]
    files = pd.DataFrame({
        "sale": "file:" + lines.order_id + ":" + lines.order_line.astype(str),
        "customer": lines.customer_email_hash.fillna("file:" + lines.customer_id),
        "day": lines.order_date,
        "order": lines.order_id,
        "amount": lines.sales.astype(float),
    })
    return pd.concat([hotmart, files], ignore_index=True)


def rfm_scores(values: pd.Series, *, descending: bool = False) -> pd.Series:
    """1 + floor(5 × (rank - 1) / (n - 1)), capped at 5; ties share the lowest rank."""
    rank = values.rank(method="min", ascending=not descending).astype(int)
    n = len(values)
    return (1 + (5 * (rank - 1)) // max(n - 1, 1)).clip(upper=5)


def segment(r: int, f: int, m: int) -> str:
    if r >= 4 and f >= 4 and m >= 4:
        return "Campeões"
    if r >= 3 and f >= 4:
        return "Clientes fiéis"
    if r >= 4 and f <= 1:
        return "Novos clientes"
    if r >= 4:
        return "Promissores"
    if r <= 2 and f >= 3:
        return "Em risco"
    if r <= 1 and f <= 2:
        return "Perdidos"
    if r <= 2:
        return "Hibernando"
    return "Precisam de atenção"


# --------------------------------------------------------------------------------------------------
# Tests
# --------------------------------------------------------------------------------------------------


def test_dbt_build_is_green_and_tests_are_asset_checks(dbt_built, warehouse):
    checks = [c for result in dbt_built.values() for c in result.get_asset_check_evaluations()
              if "freshness" not in c.check_name]  # wall-clock checks on 2024 sample data: not ours
    names = {(c.asset_key.to_user_string(), c.check_name) for c in checks}
    assert len(checks) >= 100 and all(c.passed for c in checks)
    assert ("marts/fct_sales", "relationships_fct_sales_customer_key__customer_key__ref_dim_customer_") in names
    assert ("marts/dim_product", "unique_dim_product_product_key") in names
    # Every layer has rows, and the raw sources really fed them.
    for table in ("staging.stg_hotmart__sales", "staging.stg_files__sales", "staging.stg_social__metrics",
                  "staging.stg_crawl__prices", "marts.fct_sales", "marts.dim_customer", "marts.kpi_rfm_segments",
                  "marts.kpi_price_competitiveness", "marts.kpi_product_conversion", "marts.product_daily_features"):
        assert warehouse.count(table) > 0, table
    channels = dict(warehouse.fetchall(
        "select c.channel_id, count(*) from marts.fct_sales f join marts.dim_channel c using (channel_key) group by 1"))
    assert channels.get("hotmart", 0) > 1000 and channels.get("sales_file", 0) > 0


def test_registered_voice_orders_become_sales_and_the_rest_wait(dbt_built, warehouse):
    registered = warehouse.fetchall(
        "select 'voice:' || order_id, product_id, quantity, unit_price * quantity from raw.voice_orders "
        "where status = 'registered' order by 1")
    sales = warehouse.fetchall(
        """select f.sale_id, f.product_id, f.quantity, f.sales_amount from marts.fct_sales f
           join marts.dim_channel c using (channel_key) where c.channel_id = 'voice' order by 1""")
    assert registered and sales == registered
    assert warehouse.count("raw.voice_orders") > len(registered)  # the needs_review order is not a sale


def test_materializations_carry_row_counts_and_column_schemas(dbt_built, warehouse):
    mats = {m.asset_key: m.materialization.metadata
            for result in dbt_built.values() for m in result.get_asset_materialization_events()}
    fact = mats[FCT_SALES]
    assert fact["dagster/row_count"].value == warehouse.count("marts.fct_sales")
    columns = {c.name for c in fact["dagster/column_schema"].schema.columns}
    assert {"sale_id", "date_key", "customer_key", "product_key", "geography_key", "channel_key", "sales_amount",
            "quantity", "discount_amount", "commission_amount", "profit_margin"} <= columns


def test_revenue_per_month_matches_pandas(dbt_built, warehouse):
    sales = raw_sales(warehouse)
    sales = sales[(sales.day >= FIRST_DAY) & (sales.day <= LAST_DAY)]
    expected = sales.groupby(sales.day.map(lambda d: d.replace(day=1))).amount.sum().round(2)
    got = dict(warehouse.fetchall(
        "select period_start, sum(revenue) from marts.kpi_revenue_monthly group by 1 order by 1"))
    assert len(expected) == 2
    assert {d: float(v) for d, v in got.items()} == pytest.approx(expected.to_dict(), abs=0.005)
    # The daily and weekly rollups add up to the same total.
    for table in ("marts.kpi_revenue_daily", "marts.kpi_revenue_weekly"):
        (total,), = warehouse.fetchall(f"select sum(revenue) from {table}")
        assert float(total) == pytest.approx(expected.sum(), abs=0.01)


def test_rfm_segments_of_known_customers_match_pandas(dbt_built, warehouse):
    sales = raw_sales(warehouse)
    sales = sales[(sales.day >= FIRST_DAY) & (sales.day <= LAST_DAY)]
    as_of = sales.day.max()
    sales = sales[sales.customer != "unknown"]  # sales with no buyer are not a customer
    customers = sales.groupby("customer").agg(last=("day", "max"), orders=("order", "nunique"),
                                              revenue=("amount", "sum"))
    customers["recency"] = customers["last"].map(lambda d: (as_of - d).days)
    customers["r"] = rfm_scores(customers.recency, descending=True)
    customers["f"] = rfm_scores(customers.orders)
    customers["m"] = rfm_scores(customers.revenue.round(2))
    customers["segment"] = [segment(r, f, m) for r, f, m in zip(customers.r, customers.f, customers.m,
                                                                            strict=True)]
    got = warehouse.fetch_df(
        "select customer_id, recency_score, frequency_score, monetary_score, rfm_segment from marts.kpi_rfm_segments"
    ).set_index("customer_id")
    assert len(got) == len(customers)
    # Known customers: the biggest spenders, the most frequent buyers, and the ones who bought first and last.
    known = set(customers.revenue.nlargest(5).index) | set(customers.orders.nlargest(5).index) \
        | set(customers.recency.nlargest(3).index) | set(customers.recency.nsmallest(3).index)
    for customer in known:
        want = customers.loc[customer]
        have = got.loc[customer]
        assert (have.recency_score, have.frequency_score, have.monetary_score, have.rfm_segment) == \
            (want.r, want.f, want.m, want.segment), customer
    # And the whole distribution agrees.
    assert got.rfm_segment.value_counts().to_dict() == customers.segment.value_counts().to_dict()


def test_conversion_of_a_known_product_matches_pandas(dbt_built, warehouse):
    snaps = warehouse.fetch_df(
        "select platform, post_id, metric_date, views, clicks, product_ids from raw.social_metrics")
    snaps = snaps.sort_values(["platform", "post_id", "metric_date"])
    for col in ("views", "clicks"):
        value = snaps[col].fillna(0).astype(int)
        previous = value.groupby([snaps.platform, snaps.post_id]).shift(1).fillna(0)
        snaps[f"day_{col}"] = (value - previous).clip(lower=0)
    per_product = snaps.explode("product_ids").dropna(subset=["product_ids"])
    per_product["product_ids"] = per_product.product_ids.astype(int)
    totals = per_product.groupby("product_ids").agg(clicks=("day_clicks", "sum"), views=("day_views", "sum"),
                                                    first=("metric_date", "min"), last=("metric_date", "max"))
    product = int(totals.clicks.idxmax())
    first, last = totals.loc[product, "first"], totals.loc[product, "last"]
    hotmart = warehouse.fetch_df(
        "select product_id, order_date, status, currency from raw.hotmart_sales where product_id = %s", (product,))
    days = pd.to_datetime(hotmart.order_date, utc=True).dt.date
    orders = int((hotmart.status.isin(SETTLED) & (hotmart.currency == "BRL") & (days >= first)
                  & (days <= last)).sum())
    (clicks, views, got_orders, rate), = warehouse.fetchall(
        "select clicks, views, orders, conversion_rate from marts.kpi_product_conversion where product_id = %s",
        (product,))
    assert (clicks, views) == (totals.loc[product, "clicks"], totals.loc[product, "views"])
    # Sales files may name the product too; the Hotmart part alone is a lower bound, files make up the rest.
    file_orders = got_orders - orders
    assert orders > 0 and file_orders >= 0
    assert rate == round(Decimal(got_orders) / Decimal(int(clicks)), 6)


def test_product_daily_features_follow_the_forecasting_contract(dbt_built, warehouse):
    rows = warehouse.fetchall(
        """select product_id, count(*), min(date_day), max(date_day), count(distinct date_day)
           from marts.product_daily_features group by product_id""")
    (last_day,), = warehouse.fetchall("select max(date_day) from marts.fct_sales")
    firsts = dict(warehouse.fetchall(
        "select product_id, min(date_day) from marts.fct_sales where product_id is not null group by 1"))
    assert {r[0] for r in rows} == set(firsts)
    for product_id, n, first, last, distinct in rows:
        assert (first, last) == (firsts[product_id], last_day)
        assert n == distinct == (last - first).days + 1  # zero-filled, one row per day
    units = dict(warehouse.fetchall(
        "select product_id, sum(units) from marts.product_daily_features group by 1"))
    sold = dict(warehouse.fetchall(
        "select product_id, sum(quantity) from marts.fct_sales where product_id is not null group by 1"))
    assert units == sold
    # New Year's Day is a national holiday.
    (holiday,), = warehouse.fetchall(
        "select bool_and(is_holiday_br) from marts.product_daily_features where date_day = '2024-01-01'")
    assert holiday is True


def test_a_7_day_backfill_of_fct_sales_is_one_run_touching_only_its_days(dbt_built, raw_loaded, warehouse):
    first, last = date(2024, 2, 5), date(2024, 2, 11)
    window_sql = "date_day between %s and %s"

    def versions(where: str) -> dict[str, str]:
        # xmin changes when a row is rewritten: it tells which rows a run touched.
        return dict(warehouse.fetchall(f"select sale_id, xmin::text from marts.fct_sales where {where}",
                                       (first, last)))

    outside_before = versions(f"not ({window_sql})")
    inside_before = versions(window_sql)
    result = assert_ok(raw_loaded.run([FCT_SALES], tags=range_tags(first, last)))
    # One run covered the seven partitions.
    mats = result.get_asset_materialization_events()
    assert {m.partition for m in mats} == {(first + timedelta(days=i)).isoformat() for i in range(7)}
    outside_after = versions(f"not ({window_sql})")
    inside_after = versions(window_sql)
    assert outside_after == outside_before  # not one row outside the window was rewritten
    assert set(inside_after) == set(inside_before) and inside_before
    assert all(inside_after[k] != inside_before[k] for k in inside_after)  # every row inside was rebuilt
    (view_count,), = warehouse.fetchall(
        "select count(*) from staging.int_sales_unioned where sale_date between %s and %s", (first, last))
    assert len(inside_after) == view_count


def test_a_partition_rerun_removes_sales_that_vanished_upstream(dbt_built, raw_loaded, warehouse):
    day = date(2024, 2, 20)
    (victim,), = warehouse.fetchall(
        "select transaction from raw.hotmart_sales "
        "where (order_date at time zone 'UTC')::date = %s and status = 'APPROVED' limit 1",
        (day,))
    with warehouse.connect() as conn:
        conn.execute("update raw.hotmart_sales set status = 'REFUNDED' where transaction = %s", (victim,))
    try:
        assert_ok(raw_loaded.run([FCT_SALES], partition_key=day.isoformat()))
        assert warehouse.count("marts.fct_sales", dg_sql("sale_id = %s"), ("hotmart:" + victim,)) == 0
    finally:
        with warehouse.connect() as conn:
            conn.execute("update raw.hotmart_sales set status = 'APPROVED' where transaction = %s", (victim,))
        assert_ok(raw_loaded.run([FCT_SALES], partition_key=day.isoformat()))
    assert warehouse.count("marts.fct_sales", dg_sql("sale_id = %s"), ("hotmart:" + victim,)) == 1


def dg_sql(text: str):
    from psycopg import sql

    return sql.SQL(text)


def test_dbt_assets_are_wired_by_layer_and_partition(defs):
    graph = defs.resolve_asset_graph()
    fact = graph.get(FCT_SALES)
    from affiliate_assets.lib.partitions import daily_partitions

    assert fact.partitions_def == daily_partitions
    assert fact.backfill_policy == dg.BackfillPolicy.single_run()
    assert graph.get(dg.AssetKey(["raw", "hotmart_sales"])).partitions_def == daily_partitions
    groups = {k.to_user_string(): graph.get(k).group_name for k in graph.materializable_asset_keys}
    assert groups["staging/stg_hotmart__sales"] == "staging"
    assert groups["marts/dim_product"] == "marts" and groups["marts/fct_sales"] == "marts"
    assert groups["marts/kpi_rfm_segments"] == "kpis" and groups["marts/kpi_revenue_monthly"] == "kpis"
    assert graph.get(dg.AssetKey(["marts", "dim_customer"])).partitions_def is None
    # Lineage reaches the raw assets other domains own.
    staging = graph.get(dg.AssetKey(["staging", "stg_hotmart__sales"]))
    assert dg.AssetKey(["raw", "hotmart_sales"]) in staging.parent_keys
