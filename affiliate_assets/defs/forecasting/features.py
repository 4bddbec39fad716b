"""Feature frame for the demand model: one row per product × day, only what was known that morning.

Why leak-free matters: ``avg_unit_price`` and discounts are only observed on days that sold, so using
them raw tells the model "this day sold". Prices are carried forward from the last day with a sale (the
shelf price a buyer saw), social signals and sales history are lagged one day.
"""

from __future__ import annotations

from typing import Any

from affiliate_assets.defs.forecasting.data import DIM_PRODUCT, FEATURES, require
from affiliate_assets.defs.forecasting.synthetic import black_friday
from affiliate_assets.lib.warehouse import Warehouse

FEATURE_COLUMNS = [
    "unit_price", "price_ratio", "discount_rate", "competitor_gap", "competitor_median_gap", "commission_rate",
    "social_views_lag1", "social_engagement_lag1", "engagement_7d_lag1", "units_lag7", "units_mean28_lag1",
    "day_of_week", "month", "day_of_year", "is_holiday_br", "days_to_black_friday", "is_physical", "list_price",
]
PRICE_COLUMNS = ("unit_price", "price_ratio", "competitor_gap", "competitor_median_gap")
# Demand does not rise with the product's own price: the constraint keeps the what-if sane on noisy data.
MONOTONIC = {"unit_price": -1, "price_ratio": -1, "competitor_gap": -1, "competitor_median_gap": -1}


def read_frames(warehouse: Warehouse):
    require(warehouse, FEATURES, DIM_PRODUCT)
    daily = warehouse.fetch_df(
        f"""select product_id, date_day, units, revenue, avg_unit_price, discount_amount, commission_amount,
                   competitor_min_price, competitor_median_price, social_views, social_engagement, is_holiday_br
            from {FEATURES} order by product_id, date_day"""
    )
    products = warehouse.fetch_df(
        f"""select distinct on (product_id) product_id, product_name, is_physical, list_price, commission_rate
            from {DIM_PRODUCT} order by product_id"""
    )
    return daily, products


def _days_to_black_friday(days) -> Any:
    import numpy as np
    import pandas as pd

    years = sorted({d.year for d in days})
    bfs = pd.to_datetime([black_friday(y) for y in [*years, years[-1] + 1]]).to_numpy()
    ts = pd.to_datetime(days).to_numpy()
    nxt = bfs[np.searchsorted(bfs, ts)]
    return np.clip((nxt - ts) / np.timedelta64(1, "D"), 0, 60)


def build(daily, products):
    """The feature frame (``FEATURE_COLUMNS`` + product_id, date_day, units), rows with NaN target dropped."""
    import numpy as np
    import pandas as pd

    df = daily.copy()
    for col in ("units", "revenue", "avg_unit_price", "discount_amount", "commission_amount",
                "competitor_min_price", "competitor_median_price", "social_views", "social_engagement"):
        df[col] = pd.to_numeric(df[col], errors="coerce").astype(float)
    df["date_day"] = pd.to_datetime(df["date_day"])
    df = df.dropna(subset=["units"]).groupby(["product_id", "date_day"], as_index=False).agg(
        units=("units", "sum"), revenue=("revenue", "sum"), avg_unit_price=("avg_unit_price", "mean"),
        discount_amount=("discount_amount", "sum"), commission_amount=("commission_amount", "sum"),
        competitor_min_price=("competitor_min_price", "min"),
        competitor_median_price=("competitor_median_price", "median"),
        social_views=("social_views", "sum"), social_engagement=("social_engagement", "sum"),
        is_holiday_br=("is_holiday_br", "max"),
    )
    df["units"] = df["units"].clip(lower=0)
    prod = products.copy()
    prod["list_price"] = pd.to_numeric(prod["list_price"], errors="coerce").astype(float)
    prod["commission_rate"] = pd.to_numeric(prod["commission_rate"], errors="coerce").astype(float)
    df = df.merge(prod[["product_id", "is_physical", "list_price", "commission_rate"]], on="product_id", how="left")
    df = df.sort_values(["product_id", "date_day"]).reset_index(drop=True)
    g = df.groupby("product_id", sort=False)

    sold = df["units"] > 0
    price = df["avg_unit_price"].where(sold & (df["avg_unit_price"] > 0))
    df["unit_price"] = price.groupby(df["product_id"]).ffill().fillna(df["list_price"])
    gross = df["revenue"] + df["discount_amount"]
    disc = (df["discount_amount"] / gross.where(gross > 0)).where(sold)
    df["discount_rate"] = disc.groupby(df["product_id"]).ffill().fillna(0.0).clip(0, 1)
    df["price_ratio"] = df["unit_price"] / df["list_price"].where(df["list_price"] > 0)
    df["competitor_gap"] = df["unit_price"] / df["competitor_min_price"].where(df["competitor_min_price"] > 0) - 1
    df["competitor_median_gap"] = (
        df["unit_price"] / df["competitor_median_price"].where(df["competitor_median_price"] > 0) - 1
    )
    df["social_views_lag1"] = g["social_views"].shift(1)
    df["social_engagement_lag1"] = g["social_engagement"].shift(1)
    df["engagement_7d_lag1"] = g["social_engagement"].transform(lambda s: s.shift(1).rolling(7, 1).mean())
    df["units_lag7"] = g["units"].shift(7)
    df["units_mean28_lag1"] = g["units"].transform(lambda s: s.shift(1).rolling(28, 1).mean())
    df["day_of_week"] = df["date_day"].dt.day_of_week
    df["month"] = df["date_day"].dt.month
    df["day_of_year"] = df["date_day"].dt.day_of_year
    df["is_holiday_br"] = df["is_holiday_br"].fillna(False).astype(float)
    df["is_physical"] = df["is_physical"].fillna(False).astype(float)
    df["days_to_black_friday"] = _days_to_black_friday(df["date_day"].dt.date)
    df[FEATURE_COLUMNS] = df[FEATURE_COLUMNS].astype(float).replace([np.inf, -np.inf], np.nan)
    return df


def with_price_change(frame, change: float):
    """The same rows with the product's own price moved by ``change`` (e.g. -0.1): the what-if input."""
    out = frame.copy()
    factor = 1.0 + change
    out["unit_price"] = frame["unit_price"] * factor
    out["price_ratio"] = frame["price_ratio"] * factor
    out["competitor_gap"] = (1 + frame["competitor_gap"]) * factor - 1
    out["competitor_median_gap"] = (1 + frame["competitor_median_gap"]) * factor - 1
    return out
