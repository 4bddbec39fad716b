"""The numbers every recommendation rests on, read from the warehouse in one query per window.

Both paths use them: the offline ranking scores them, and the LLM's tools answer from them, so the
numbers stored next to an LLM recommendation are exactly the numbers the model was shown. Everything is
"as of" the recommendation day: sales and social activity up to that day, the competitor price known that
day, and the demand forecast only when it had already been made by then (a forecast trained on later
data would leak the future into a past day's advice; those days use the recent sales trend instead).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import dagster as dg
from psycopg import sql

from affiliate_assets.lib.warehouse import Warehouse

DIM_PRODUCT = "marts.dim_product"
FEATURES = "marts.product_daily_features"
FORECASTS = "ml.demand_forecasts"
REORDERS = "ml.reorder_suggestions"
HORIZON_DAYS = 28
GROWTH_CAP = 3.0  # +300 %: a new product's first weeks would otherwise dwarf every other signal

UPSTREAM = [
    dg.AssetKey(["marts", "dim_product"]),
    dg.AssetKey(["marts", "product_daily_features"]),
    dg.AssetKey(["ml", "demand_forecasts"]),
    dg.AssetKey(["ml", "reorder_suggestions"]),
]


@dataclass(frozen=True)
class Signals:
    """One product on one day, with the derived figures the advice is about."""

    reco_date: date
    product_id: int
    product_name: str
    category: str | None
    is_physical: bool
    list_price: float | None
    commission_rate: float | None
    unit_cost: float | None
    stock_on_hand: int | None
    lead_time_days: int | None
    as_of_day: date | None  # last day of sales data used (reco_date, or earlier when data stops before)
    units_7d: int
    units_28d: int
    revenue_28d: float
    views_7d: int
    views_28d: int
    engagement_7d: int
    engagement_28d: int
    competitor_min_price: float | None
    competitor_median_price: float | None
    forecast_units_28d: float | None
    forecast_lower_28d: float | None
    forecast_upper_28d: float | None
    forecast_method: str | None
    forecast_is_fallback: bool | None
    reorder_qty: int | None
    reorder_date: date | None

    # Derived ------------------------------------------------------------------------------------------
    @property
    def demand_trend(self) -> float | None:
        """Last 7 days' daily units against the 28-day daily average, minus 1."""
        if self.units_28d <= 0:
            return None
        return _cap(self.units_7d / 7 / (self.units_28d / 28) - 1)

    @property
    def forecast_growth(self) -> float | None:
        """Forecast units for the next 28 days against the last 28 days, minus 1 (capped)."""
        if self.forecast_units_28d is None or self.units_28d <= 0:
            return None
        return _cap(self.forecast_units_28d / self.units_28d - 1)

    @property
    def growth(self) -> tuple[float | None, str | None]:
        """(growth, source): the forecast when there was one on the day, else the recent trend."""
        if self.forecast_growth is not None:
            return self.forecast_growth, "forecast"
        if self.demand_trend is not None:
            return self.demand_trend, "recent_trend"
        return None, None

    @property
    def engagement_trend(self) -> float | None:
        if self.engagement_28d <= 0:
            return None
        return _cap(self.engagement_7d / 7 / (self.engagement_28d / 28) - 1)

    @property
    def price_gap(self) -> float | None:
        if not self.list_price or not self.competitor_median_price:
            return None
        return self.list_price / self.competitor_median_price - 1

    @property
    def unit_margin(self) -> float | None:
        """BRL earned per unit: price minus cost for goods the affiliate stocks, else the commission."""
        if self.list_price is None:
            return None
        if self.is_physical and self.unit_cost is not None:
            return self.list_price - self.unit_cost
        if self.commission_rate is None:
            return None
        return self.list_price * self.commission_rate

    @property
    def daily_demand(self) -> float:
        """Expected units a day: the forecast when available, else the last 28 days' average."""
        if self.forecast_units_28d is not None:
            return self.forecast_units_28d / HORIZON_DAYS
        return self.units_28d / 28

    @property
    def stock_cover_days(self) -> float | None:
        """Days the stock on hand lasts at the expected demand (stocked goods only)."""
        if not self.is_physical or self.stock_on_hand is None:
            return None
        demand = self.daily_demand
        if demand <= 0:
            return None if self.stock_on_hand > 0 else 0.0
        return round(max(self.stock_on_hand, 0) / demand, 1)

    @property
    def expected_daily_earnings(self) -> float:
        return self.daily_demand * (self.unit_margin or 0.0)


def _cap(value: float) -> float:
    return max(-1.0, min(GROWTH_CAP, value))


def _f(value: Decimal | float | None) -> float | None:
    return None if value is None else float(value)


QUERY = """
with days as (
    select generate_series(%(start)s::date, %(end)s::date - 1, interval '1 day')::date as reco_date
),
products as (
    select distinct on (product_id) product_id, product_name, category, coalesce(is_physical, false) as is_physical,
           list_price, commission_rate, unit_cost, stock_on_hand, lead_time_days
    from marts.dim_product where product_id is not null
    order by product_id, list_price is null
),
daily as (  -- duplicates merged, negative net units clipped: the mart is a contract, data still drifts
    select product_id, date_day, greatest(coalesce(sum(units), 0), 0) as units, coalesce(sum(revenue), 0) as revenue,
           coalesce(sum(social_views), 0) as views, coalesce(sum(social_engagement), 0) as engagement,
           min(competitor_min_price) as competitor_min_price, max(competitor_median_price) as competitor_median_price
    from marts.product_daily_features
    where product_id is not null and date_day >= %(start)s::date - 35 and date_day < %(end)s::date
    group by product_id, date_day
),
rolled as (
    select product_id, date_day, competitor_min_price, competitor_median_price,
           sum(units) over w7 as units_7d, sum(units) over w28 as units_28d, sum(revenue) over w28 as revenue_28d,
           sum(views) over w7 as views_7d, sum(views) over w28 as views_28d,
           sum(engagement) over w7 as engagement_7d, sum(engagement) over w28 as engagement_28d
    from daily
    window w7 as (partition by product_id order by date_day
                  range between '6 days'::interval preceding and current row),
           w28 as (partition by product_id order by date_day
                   range between '27 days'::interval preceding and current row)
),
span as (
    select product_id, min(date_day) as first_day, max(date_day) as last_day
    from marts.product_daily_features where product_id is not null group by product_id
),
fc as ({forecasts}),
base as (
    select days.reco_date, products.*, span.first_day,
           case when span.last_day is not null then least(days.reco_date, span.last_day) end as as_of_day
    from days cross join products
    left join span using (product_id)
    where span.first_day is null or span.first_day <= days.reco_date
)
select base.reco_date, base.product_id, base.product_name, base.category, base.is_physical, base.list_price,
       base.commission_rate, base.unit_cost, base.stock_on_hand, base.lead_time_days,
       rolled.date_day as as_of_day,
       coalesce(rolled.units_7d, 0), coalesce(rolled.units_28d, 0), coalesce(rolled.revenue_28d, 0),
       coalesce(rolled.views_7d, 0), coalesce(rolled.views_28d, 0),
       coalesce(rolled.engagement_7d, 0), coalesce(rolled.engagement_28d, 0),
       rolled.competitor_min_price, rolled.competitor_median_price,
       case when f_end.ds is not null and base.reco_date >= f_end.origin - 1
            then f_end.cum - coalesce(f_start.cum, 0) end,
       case when f_end.ds is not null and base.reco_date >= f_end.origin - 1
            then f_end.cum_lower - coalesce(f_start.cum_lower, 0) end,
       case when f_end.ds is not null and base.reco_date >= f_end.origin - 1
            then f_end.cum_upper - coalesce(f_start.cum_upper, 0) end,
       case when base.reco_date >= f_end.origin - 1 then f_end.method end,
       case when base.reco_date >= f_end.origin - 1 then f_end.is_fallback end,
       {reorder_cols}
from base
left join rolled on rolled.product_id = base.product_id and rolled.date_day = base.as_of_day
left join fc as f_end on f_end.product_id = base.product_id and f_end.ds = base.reco_date + {horizon}
left join fc as f_start on f_start.product_id = base.product_id and f_start.ds = base.reco_date
{reorder_join}
order by base.reco_date, base.product_id
"""

FORECAST_CTE = """
    select product_id, ds, method, is_fallback, min(ds) over (partition by product_id) as origin,
           sum(yhat) over w as cum, sum(yhat_lower) over w as cum_lower, sum(yhat_upper) over w as cum_upper
    from ml.demand_forecasts
    window w as (partition by product_id order by ds rows between unbounded preceding and current row)
"""
NO_FORECAST_CTE = """
    select null::bigint as product_id, null::date as ds, null::text as method, null::boolean as is_fallback,
           null::date as origin, null::numeric as cum, null::numeric as cum_lower, null::numeric as cum_upper
    where false
"""
# A reorder suggestion describes the stock at its as_of day: shown only for days from the day before on.
REORDER_COLS = ("case when base.reco_date >= ro.as_of - 1 then ro.suggested_qty end, "
                "case when base.reco_date >= ro.as_of - 1 then ro.suggested_order_date end")
REORDER_JOIN = "left join ml.reorder_suggestions as ro on ro.product_id = base.product_id"


def require(warehouse: Warehouse, *tables: str) -> None:
    missing = [t for t in tables if not warehouse.table_exists(t)]
    if missing:
        raise dg.Failure(
            description=f"{', '.join(missing)} not found: materialize the upstream marts first.",
            metadata={"missing_tables": ", ".join(missing)},
        )


def read_signals(warehouse: Warehouse, start: date, end: date) -> tuple[list[Signals], dict[str, bool]]:
    """Signals for every eligible product on every day in [start, end), and which optional inputs existed.

    A product is eligible on a day once it has sold (its first row in the features mart) — or on every
    day when it never sold at all (a catalogue product nobody bought is a decision too).
    """
    require(warehouse, DIM_PRODUCT, FEATURES)
    inputs = {"forecasts": warehouse.table_exists(FORECASTS), "reorders": warehouse.table_exists(REORDERS)}
    # Only constant fragments are spliced in (which optional tables exist); values are parameters.
    query = sql.SQL(QUERY).format(
        forecasts=sql.SQL(FORECAST_CTE if inputs["forecasts"] else NO_FORECAST_CTE),
        reorder_cols=sql.SQL(REORDER_COLS if inputs["reorders"] else "null::integer, null::date"),
        reorder_join=sql.SQL(REORDER_JOIN if inputs["reorders"] else ""),
        horizon=sql.Literal(HORIZON_DAYS),
    )
    rows = warehouse.fetchall(query, {"start": start, "end": end})
    out = []
    for r in rows:
        out.append(Signals(
            reco_date=r[0], product_id=int(r[1]), product_name=r[2] or str(r[1]), category=r[3],
            is_physical=bool(r[4]), list_price=_f(r[5]), commission_rate=_f(r[6]), unit_cost=_f(r[7]),
            stock_on_hand=r[8], lead_time_days=r[9], as_of_day=r[10], units_7d=int(r[11]), units_28d=int(r[12]),
            revenue_28d=float(r[13]), views_7d=int(r[14]), views_28d=int(r[15]), engagement_7d=int(r[16]),
            engagement_28d=int(r[17]), competitor_min_price=_f(r[18]), competitor_median_price=_f(r[19]),
            forecast_units_28d=_f(r[20]), forecast_lower_28d=_f(r[21]), forecast_upper_28d=_f(r[22]),
            forecast_method=r[23], forecast_is_fallback=r[24], reorder_qty=r[25], reorder_date=r[26],
        ))
    return out, inputs
