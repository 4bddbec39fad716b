"""Seasonal daily demand series shaped like ``marts.product_daily_features``, for tests and the benchmark.

Why here and not in ``sample_data``: the forecasting tests must not depend on the pace of the sales
generator other domains write, and the benchmark needs 200 products × 3 years, far beyond the 62-product
catalogue. Demand follows what the models are meant to find: a level per product, a weekly and a yearly
cycle, Black Friday and launch spikes, a price/discount response and lagged social engagement, with Poisson
noise. Deterministic for a given seed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class SyntheticProduct:
    product_id: int
    product_name: str
    category: str
    is_physical: bool
    list_price: float
    commission_rate: float
    unit_cost: float | None
    stock_on_hand: int | None
    lead_time_days: int | None
    base_units: float
    weekly_amplitude: float
    yearly_amplitude: float
    price_elasticity: float
    first_day: date
    launch_date: date | None = None


def black_friday(year: int) -> date:
    """Brazil's Black Friday: the fourth Friday of November (the day after US Thanksgiving)."""
    first = date(year, 11, 1)
    first_friday = first + timedelta(days=(4 - first.weekday()) % 7)
    return first_friday + timedelta(weeks=3)


def make_products(n: int, start: date, seed: int = 7, physical_share: float = 0.3) -> list[SyntheticProduct]:
    import numpy as np

    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        physical = bool(rng.random() < physical_share)
        price = float(round(rng.uniform(40, 600) if physical else rng.uniform(20, 800), 2))
        out.append(
            SyntheticProduct(
                product_id=9_000_000 + i,
                product_name=f"Produto Sintético {i + 1:03d}",
                category="fisico" if physical else "curso_online",
                is_physical=physical,
                list_price=price,
                commission_rate=round(float(rng.uniform(0.05, 0.15) if physical else rng.uniform(0.3, 0.7)), 4),
                unit_cost=round(price * 0.5, 2) if physical else None,
                stock_on_hand=int(rng.integers(0, 400)) if physical else None,
                lead_time_days=int(rng.choice([7, 15, 30])) if physical else None,
                base_units=float(rng.uniform(3, 25)),
                weekly_amplitude=float(rng.uniform(0.25, 0.5)),
                yearly_amplitude=float(rng.uniform(0.2, 0.45)),
                price_elasticity=float(rng.uniform(1.0, 2.5)),
                first_day=start,
                launch_date=start + timedelta(days=int(rng.integers(60, 300))) if rng.random() < 0.3 else None,
            )
        )
    return out


def daily_features(products: list[SyntheticProduct], end: date, seed: int = 11):
    """One row per product × day from each product's first day to ``end`` (exclusive), zero-filled, with
    the columns of ``marts.product_daily_features``."""
    import holidays
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(seed)
    years = range(min(p.first_day.year for p in products), end.year + 1)
    br_holidays = holidays.country_holidays("BR", years=years)
    frames = []
    for p in products:
        days = pd.date_range(p.first_day, end - timedelta(days=1), freq="D")
        n = len(days)
        if n == 0:
            continue
        dow = days.day_of_week.to_numpy()
        doy = days.day_of_year.to_numpy()
        weekly = 1 + p.weekly_amplitude * np.cos(2 * np.pi * (dow - 0) / 7)  # Mondays strongest
        yearly = 1 + p.yearly_amplitude * np.cos(2 * np.pi * (doy - 340) / 365.25)  # peaks in December
        # Promotions: a 15-30 % discount on ~6 % of days; demand answers to the effective price.
        promo = rng.random(n) < 0.06
        discount_rate = np.where(promo, rng.uniform(0.15, 0.3, n), 0.0)
        price_factor = (1 - discount_rate) ** (-p.price_elasticity)
        spikes = np.ones(n)
        for year in sorted({d.year for d in days}):
            bf = pd.Timestamp(black_friday(year))
            spikes[(days >= bf - pd.Timedelta(days=1)) & (days <= bf + pd.Timedelta(days=3))] *= 2.5
        if p.launch_date:
            lt = pd.Timestamp(p.launch_date)
            spikes[(days >= lt) & (days < lt + pd.Timedelta(days=7))] *= 3.0
        views = rng.poisson(400 * (1 + 0.5 * np.sin(2 * np.pi * np.arange(n) / 45)) + 1)
        engagement = rng.binomial(views, 0.06)
        social = 1 + 0.15 * (np.roll(engagement, 1) / max(engagement.mean(), 1) - 1)
        lam = p.base_units * weekly * yearly * price_factor * spikes * np.clip(social, 0.5, 2)
        units = rng.poisson(lam)
        unit_price = p.list_price * (1 - discount_rate)
        gross = units * p.list_price
        competitor_min = p.list_price * rng.uniform(0.85, 1.05, n)
        frames.append(
            pd.DataFrame(
                {
                    "product_id": p.product_id,
                    "date_day": days.date,
                    "units": units.astype(int),
                    "revenue": np.round(units * unit_price, 2),
                    "avg_unit_price": np.where(units > 0, np.round(unit_price, 2), np.nan),
                    "discount_amount": np.round(gross * discount_rate, 2),
                    "commission_amount": np.round(units * unit_price * p.commission_rate, 2),
                    "competitor_min_price": np.round(competitor_min, 2),
                    "competitor_median_price": np.where(
                        rng.random(n) < 0.8, np.round(competitor_min * 1.08, 2), np.nan
                    ),
                    "social_views": views,
                    "social_engagement": engagement,
                    "is_holiday_br": [d in br_holidays for d in days.date],
                }
            )
        )
    return pd.concat(frames, ignore_index=True)
