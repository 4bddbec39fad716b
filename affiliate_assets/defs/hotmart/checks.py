"""Checks on the Hotmart raw tables.

Blocking (bad data must not reach revenue marts): the table has the declared columns, keys are present,
values are in range, and no clear-text e-mail slipped into a hash column. Warning only: the row count
against the API's ``total_results`` (a sale that changes status between the per-status requests can be
counted twice or missed, and the next run fixes it).
"""

from datetime import datetime

import dagster as dg

from affiliate_assets.defs.hotmart.tables import HOTMART_COMMISSIONS, HOTMART_PRODUCTS, HOTMART_SALES
from affiliate_assets.lib.warehouse import TableSpec, Warehouse

SALES = dg.AssetKey(["raw", "hotmart_sales"])
COMMISSIONS = dg.AssetKey(["raw", "hotmart_commissions"])
PRODUCTS = dg.AssetKey(["raw", "hotmart_products"])
HASH_RE = "^[0-9a-f]{64}$"


def _schema_result(warehouse: Warehouse, spec: TableSpec) -> dg.AssetCheckResult:
    found = dict(warehouse.fetchall(
        """select column_name, is_nullable from information_schema.columns
           where table_schema = %s and table_name = %s""", (spec.schema, spec.name)))
    missing = [c.name for c in spec.columns if c.name not in found]
    nullable_keys = [c.name for c in spec.columns if not c.nullable and found.get(c.name) == "YES"]
    return dg.AssetCheckResult(
        passed=not missing and not nullable_keys,
        metadata={"missing_columns": ", ".join(missing) or "none",
                  "keys_allowing_null": ", ".join(nullable_keys) or "none", "columns": len(found)},
    )


def _latest_metadata(context: dg.AssetCheckExecutionContext, key: dg.AssetKey) -> dict:
    event = context.instance.get_latest_materialization_event(key)
    mat = event.asset_materialization if event else None
    return {k: v.value for k, v in (mat.metadata if mat else {}).items()}


@dg.asset_check(asset=PRODUCTS, blocking=True, description="Declared columns exist; non-null keys.")
def hotmart_products_schema(warehouse: Warehouse) -> dg.AssetCheckResult:
    return _schema_result(warehouse, HOTMART_PRODUCTS)


@dg.asset_check(asset=SALES, blocking=True, description="Declared columns exist; non-null keys.")
def hotmart_sales_schema(warehouse: Warehouse) -> dg.AssetCheckResult:
    return _schema_result(warehouse, HOTMART_SALES)


@dg.asset_check(asset=COMMISSIONS, blocking=True, description="Declared columns exist; non-null keys.")
def hotmart_commissions_schema(warehouse: Warehouse) -> dg.AssetCheckResult:
    return _schema_result(warehouse, HOTMART_COMMISSIONS)


@dg.asset_check(asset=PRODUCTS, blocking=True,
                description="Every product has an id and a name; the count matches the API's total_results.")
def hotmart_products_complete(context: dg.AssetCheckExecutionContext,
                              warehouse: Warehouse) -> dg.AssetCheckResult:
    ((rows, unnamed),) = warehouse.fetchall(
        "select count(*), count(*) filter (where coalesce(name, '') = '') from raw.hotmart_products")
    meta = _latest_metadata(context, PRODUCTS)
    expected = int(meta.get("api_total_results", rows))
    return dg.AssetCheckResult(
        passed=rows > 0 and unnamed == 0 and rows + int(meta.get("rows_rejected", 0)) == expected,
        metadata={"rows": rows, "unnamed": unnamed, "api_total_results": expected},
    )


@dg.asset_check(asset=SALES, blocking=True,
                description="Values in range in the last loaded window: prices >= 0, installments 1..24, "
                            "approval not before the order, 3-letter currency, PII only as SHA-256 hashes.")
def hotmart_sales_values(context: dg.AssetCheckExecutionContext, warehouse: Warehouse) -> dg.AssetCheckResult:
    meta = _latest_metadata(context, SALES)
    start = datetime.fromisoformat(meta["window_start"]) if "window_start" in meta else datetime.min
    end = datetime.fromisoformat(meta["window_end"]) if "window_end" in meta else datetime.max
    ((rows, bad_price, bad_installments, approved_before, bad_currency, clear_pii, no_product),) = warehouse.fetchall(
        """
        select count(*),
               count(*) filter (where price < 0 or price > 1000000),
               count(*) filter (where installments is not null and installments not between 1 and 24),
               count(*) filter (where approved_date < order_date - interval '1 minute'),
               count(*) filter (where currency !~ '^[A-Z]{3}$'),
               count(*) filter (where buyer_email_hash !~ %(h)s or buyer_phone_hash !~ %(h)s
                                   or buyer_name_hash !~ %(h)s),
               count(*) filter (where product_id is null or transaction is null or status is null)
        from raw.hotmart_sales
        where order_date >= %(start)s and order_date < %(end)s
        """,
        {"h": HASH_RE, "start": start, "end": end},
    )
    problems = bad_price + bad_installments + approved_before + bad_currency + clear_pii + no_product
    return dg.AssetCheckResult(
        passed=problems == 0,
        metadata={"rows_checked": rows, "bad_price": bad_price, "bad_installments": bad_installments,
                  "approved_before_order": approved_before, "bad_currency": bad_currency,
                  "pii_not_hashed": clear_pii, "missing_keys": no_product},
    )


@dg.asset_check(asset=SALES, blocking=False,
                description="Loaded + rejected sales of the last window equal the API's total_results.")
def hotmart_sales_count_matches_api(context: dg.AssetCheckExecutionContext) -> dg.AssetCheckResult:
    meta = _latest_metadata(context, SALES)
    seen = int(meta.get("rows_loaded", 0)) + int(meta.get("rows_rejected", 0))
    expected = int(meta.get("api_total_results", seen))
    return dg.AssetCheckResult(passed=seen == expected, severity=dg.AssetCheckSeverity.WARN,
                               metadata={"loaded_plus_rejected": seen, "api_total_results": expected})


@dg.asset_check(asset=COMMISSIONS, blocking=True,
                description="Commissions of the last window: non-negative, known receiver roles, and as many "
                            "transactions as the API listed.")
def hotmart_commissions_values(context: dg.AssetCheckExecutionContext,
                               warehouse: Warehouse) -> dg.AssetCheckResult:
    meta = _latest_metadata(context, COMMISSIONS)
    start = datetime.fromisoformat(meta["window_start"]).date() if "window_start" in meta else None
    end = datetime.fromisoformat(meta["window_end"]).date() if "window_end" in meta else None
    ((rows, transactions, negative, bad_source),) = warehouse.fetchall(
        """
        select count(*), count(distinct transaction),
               count(*) filter (where commission_value < 0),
               count(*) filter (where source not in ('PRODUCER', 'COPRODUCER', 'AFFILIATE', 'ADDON'))
        from raw.hotmart_commissions
        where (%(start)s::date is null or sale_date >= %(start)s) and (%(end)s::date is null or sale_date < %(end)s)
        """,
        {"start": start, "end": end},
    )
    expected = int(meta.get("api_total_results", transactions))
    return dg.AssetCheckResult(
        passed=negative == 0 and bad_source == 0 and transactions == expected,
        metadata={"rows": rows, "transactions": transactions, "api_total_results": expected,
                  "negative_values": negative, "unknown_sources": bad_source},
    )
