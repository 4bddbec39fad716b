"""Reading the dbt marts the models train on, defensively.

The marts are another team's contract (``marts.product_daily_features``: one row per product × day,
zero-filled; ``marts.dim_product``). Real data drifts from contracts, so reading repairs what it can and
counts what it repaired (the counts land in asset metadata): duplicate product-days are summed, missing
days become zero sales, null units are zero, negative units (net refunds) are clipped to zero.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import dagster as dg

from affiliate_assets.lib.warehouse import Warehouse

FEATURES = "marts.product_daily_features"
DIM_PRODUCT = "marts.dim_product"
PROMO_DISCOUNT_SHARE = 0.15  # a day whose discounts exceed 15 % of gross sales is a promotion day

MART_DEPS = [dg.AssetKey(["marts", "product_daily_features"]), dg.AssetKey(["marts", "dim_product"])]


@dataclass
class History:
    series: list[Any]  # engine.ProductSeries
    last_day: date
    quality: dict[str, int] = field(default_factory=dict)


def require(warehouse: Warehouse, *tables: str) -> None:
    missing = [t for t in tables if not warehouse.table_exists(t)]
    if missing:
        raise dg.Failure(
            description=f"{', '.join(missing)} not found: materialize the dbt marts first "
            "(they are this asset's upstream).",
            metadata={"missing_tables": ", ".join(missing)},
        )


def has_column(warehouse: Warehouse, table: str, column: str) -> bool:
    schema, name = table.split(".", 1)
    rows = warehouse.fetchall(
        "select 1 from information_schema.columns where table_schema = %s and table_name = %s "
        "and column_name = %s",
        (schema, name, column),
    )
    return bool(rows)


def launch_dates(warehouse: Warehouse) -> dict[int, date]:
    """Launch dates when ``dim_product`` carries them (not in the contract, but the catalogue has them)."""
    if not has_column(warehouse, DIM_PRODUCT, "launch_date"):
        return {}
    rows = warehouse.fetchall(f"select product_id, launch_date from {DIM_PRODUCT} where launch_date is not null")
    return {int(pid): day for pid, day in rows}


def read_history(warehouse: Warehouse) -> History:
    """Daily units per product, contiguous from each product's first row to the last day of the mart."""
    from affiliate_assets.defs.forecasting.engine import ProductSeries

    require(warehouse, FEATURES)
    rows = warehouse.fetchall(
        f"""
        select product_id, date_day, count(*) as n, count(units) as n_units,
               coalesce(sum(units), 0) as units,
               coalesce(sum(discount_amount), 0) as discount, coalesce(sum(revenue), 0) as revenue
        from {FEATURES}
        where product_id is not null and date_day is not null
        group by product_id, date_day
        order by product_id, date_day
        """
    )
    if not rows:
        raise dg.Failure(description=f"{FEATURES} is empty: no sales history to forecast from.")
    quality = {"rows_read": 0, "duplicate_rows_merged": 0, "null_units": 0, "negative_units_clipped": 0,
               "missing_days_zero_filled": 0}
    last_day = max(r[1] for r in rows)
    launches = launch_dates(warehouse) if warehouse.table_exists(DIM_PRODUCT) else {}
    by_product: dict[int, list[tuple]] = {}
    for pid, day, n, n_units, units, discount, revenue in rows:
        quality["rows_read"] += n
        quality["duplicate_rows_merged"] += n - 1
        quality["null_units"] += n - n_units
        by_product.setdefault(int(pid), []).append((day, float(units), float(discount), float(revenue)))
    series = []
    for pid, days in by_product.items():
        first = days[0][0]
        values = {d: (u, disc, rev) for d, u, disc, rev in days}
        span = [first + timedelta(days=i) for i in range((last_day - first).days + 1)]
        quality["missing_days_zero_filled"] += len(span) - len(values)
        y, promos = [], []
        for d in span:
            units, discount, revenue = values.get(d, (0.0, 0.0, 0.0))
            if units < 0:
                quality["negative_units_clipped"] += 1
                units = 0.0
            y.append(units)
            if discount > 0 and discount / max(revenue + discount, 0.01) >= PROMO_DISCOUNT_SHARE:
                promos.append(d)
        launch = launches.get(pid)
        series.append(ProductSeries(pid, span, y, (launch,) if launch else (), tuple(promos)))
    return History(series, last_day, quality)


def product_names(warehouse: Warehouse) -> dict[int, str]:
    if not warehouse.table_exists(DIM_PRODUCT):
        return {}
    return {int(pid): name for pid, name in warehouse.fetchall(f"select product_id, product_name from {DIM_PRODUCT}")}
