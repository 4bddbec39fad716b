"""Marts for the forecasting tests (helpers; the fixtures are in conftest.py).

The forecasting assets read ``marts.product_daily_features`` and ``marts.dim_product`` (the dbt team's
contract). These fixtures build those tables from the deterministic sales generator
(``sample_data.sales.daily_counts``: the catalogue's real demand curves) for a few catalogue products,
plus one synthetic product with promotions (so the demand model can see price moves) and one product with
only 3 days of history. A separate database keeps these hand-made marts away from the dbt tests' marts.
"""

from __future__ import annotations

from datetime import date, timedelta

from affiliate_assets.defs.forecasting import synthetic
from affiliate_assets.lib.warehouse import Column, TableSpec, Warehouse

START = date(2024, 1, 1)
END = date(2025, 9, 1)  # exclusive: the last day of data is 2025-08-31
LAST_DAY = END - timedelta(days=1)
NEW_PRODUCT_ID = 9_999_001  # three days of sales only

DIM_PRODUCT = TableSpec("marts", "dim_product", (
    Column("product_key", "text"), Column("product_id", "bigint"), Column("product_name", "text"),
    Column("category", "text"), Column("is_physical", "boolean"), Column("list_price", "numeric(12,2)"),
    Column("commission_rate", "numeric(5,4)"), Column("unit_cost", "numeric(12,2)"),
    Column("stock_on_hand", "integer"), Column("lead_time_days", "integer"), Column("launch_date", "date"),
))
FEATURES = TableSpec("marts", "product_daily_features", (
    Column("product_id", "bigint"), Column("date_day", "date"), Column("units", "integer"),
    Column("revenue", "numeric(12,2)"), Column("avg_unit_price", "numeric(12,2)"),
    Column("discount_amount", "numeric(12,2)"), Column("commission_amount", "numeric(12,2)"),
    Column("competitor_min_price", "numeric(12,2)"), Column("competitor_median_price", "numeric(12,2)"),
    Column("social_views", "bigint"), Column("social_engagement", "bigint"), Column("is_holiday_br", "boolean"),
))


def catalogue_products():
    """Two digital and two physical catalogue products with the most demand: seasonal, enough history."""
    from affiliate_assets.sample_data.catalogue import catalogue

    ranked = sorted(catalogue(), key=lambda p: -p.base_daily_units)
    digital = [p for p in ranked if not p.is_physical][:2]
    physical = [p for p in ranked if p.is_physical][:2]
    return digital + physical


def catalogue_features(products, start: date, end: date):
    """product_daily_features rows from the sales generator's daily Poisson counts."""
    import numpy as np
    import pandas as pd

    from affiliate_assets.defs.forecasting.synthetic import daily_features, make_products
    from affiliate_assets.sample_data.sales import daily_counts

    days = [start + timedelta(days=i) for i in range((end - start).days)]
    counts = {d: daily_counts(d) for d in days}
    # Social and competitor columns come from the synthetic generator's shapes (same seed → same rows).
    shape = daily_features(make_products(1, start, seed=3), end, seed=5)
    frames = []
    for p in products:
        units = np.array([counts[d].get(p.product_id, 0) for d in days])
        price = float(p.price)
        frames.append(pd.DataFrame({
            "product_id": p.product_id, "date_day": days, "units": units,
            "revenue": np.round(units * price, 2), "avg_unit_price": np.where(units > 0, price, np.nan),
            "discount_amount": 0.0, "commission_amount": np.round(units * price * float(p.commission_rate), 2),
            "competitor_min_price": np.round(price * 0.95, 2), "competitor_median_price": np.round(price * 1.02, 2),
            "social_views": shape["social_views"].to_numpy(),
            "social_engagement": shape["social_engagement"].to_numpy(),
            "is_holiday_br": shape["is_holiday_br"].to_numpy(),
        }))
    return pd.concat(frames, ignore_index=True)


def seed_marts(warehouse: Warehouse) -> dict:
    import pandas as pd

    cat = catalogue_products()
    synth = synthetic.make_products(1, START, seed=21, physical_share=1.0)
    new = synthetic.make_products(1, LAST_DAY - timedelta(days=2), seed=4, physical_share=1.0)
    new = [synthetic.SyntheticProduct(**{**new[0].__dict__, "product_id": NEW_PRODUCT_ID,
                                         "product_name": "Garrafa Nova Lançamento", "launch_date": None})]
    features = pd.concat([
        catalogue_features(cat, START, END),
        synthetic.daily_features(synth, END, seed=31),
        synthetic.daily_features(new, END, seed=32),
    ], ignore_index=True)
    feature_rows = [tuple(None if pd.isna(v) else v for v in row)
                    for row in features[FEATURES.column_names].itertuples(index=False)]
    warehouse.load(FEATURES, feature_rows, mode="replace")
    dims = [(f"p{p.product_id}", p.product_id, p.name, p.category, p.is_physical, p.price, p.commission_rate,
             p.unit_cost, p.stock_on_hand, p.lead_time_days, p.launch_date) for p in cat]
    dims += [(f"p{p.product_id}", p.product_id, p.product_name, p.category, p.is_physical, p.list_price,
              p.commission_rate, p.unit_cost, p.stock_on_hand, p.lead_time_days, p.launch_date)
             for p in synth + new]
    warehouse.load(DIM_PRODUCT, dims, mode="replace")
    return {"catalogue": cat, "synthetic": synth, "new": new, "features": features}

