"""``ml/reorder_suggestions``: when to buy each physical product, and how much (seed: estoque_atual).

Classic reorder-point logic on top of the demand forecast: order when the stock left can no longer cover
the forecast demand over the supplier's lead time plus a safety stock sized from the forecast's own
uncertainty; order enough to cover the lead time and one review period. Digital products never run out,
so only physical products get suggestions.
"""

import math
from dataclasses import dataclass
from datetime import date, timedelta
from statistics import NormalDist

import dagster as dg

from affiliate_assets.defs.forecasting.data import DIM_PRODUCT, require
from affiliate_assets.defs.forecasting.tables import DEMAND_FORECASTS, REORDER_SUGGESTIONS
from affiliate_assets.lib.metadata import markdown_table
from affiliate_assets.lib.warehouse import Warehouse

Z_INTERVAL = NormalDist().inv_cdf(0.9)  # the forecasts carry 80 % intervals: half-width = 1.2816 sd


class ReorderConfig(dg.Config):
    service_level: float = 0.95  # probability of not running out during the lead time
    review_days: int = 14  # how often the affiliate reviews orders: each order covers lead time + this
    tail_days: int = 28  # beyond the horizon, demand continues at the mean of the forecast's last days


@dataclass
class Suggestion:
    as_of: date
    forecast_demand_lead_time: float
    safety_stock: float
    reorder_point: float
    suggested_qty: int
    suggested_order_date: date | None
    days_of_cover: int | None


def suggest(yhat: list[float], lower: list[float], upper: list[float], as_of: date, stock: int, lead_time: int,
            service_level: float = 0.95, review_days: int = 14, tail_days: int = 28) -> Suggestion:
    """Walk the forecast day by day: the first day the projected stock falls to the reorder point is the
    order date; the quantity tops the stock up to cover lead time + review period + safety stock."""
    horizon = len(yhat)
    tail = yhat[-tail_days:] or [0.0]
    tail_mean = sum(tail) / len(tail)
    sd = [max(u - lo, 0.0) / (2 * Z_INTERVAL) for lo, u in zip(lower, upper, strict=True)]
    tail_sd = (sum(s * s for s in sd[-tail_days:]) / max(len(sd[-tail_days:]), 1)) ** 0.5

    def demand(day: int) -> float:
        return yhat[day] if day < horizon else tail_mean

    def variance(day: int) -> float:
        return (sd[day] if day < horizon else tail_sd) ** 2

    z = NormalDist().inv_cdf(service_level)

    def window(start: int, days: int) -> tuple[float, float]:
        d = sum(demand(i) for i in range(start, start + days))
        return d, z * math.sqrt(sum(variance(i) for i in range(start, start + days)))

    lead_demand, safety = window(0, lead_time)
    order_day, stock_at_order, projected = None, float(stock), float(stock)
    cover = None
    for day in range(horizon):
        need, ss = window(day, lead_time)
        if order_day is None and projected <= need + ss:
            order_day, stock_at_order = day, projected
        projected -= demand(day)
        if cover is None and projected < 0:
            cover = day
    qty = 0
    if order_day is not None:
        cycle, ss = window(order_day, lead_time + review_days)
        qty = max(math.ceil(cycle + ss - max(stock_at_order, 0.0)), 0)
    return Suggestion(
        as_of=as_of, forecast_demand_lead_time=lead_demand, safety_stock=safety,
        reorder_point=lead_demand + safety, suggested_qty=qty,
        suggested_order_date=as_of + timedelta(days=order_day) if order_day is not None else None,
        days_of_cover=cover,
    )


@dg.asset(
    key=["ml", "reorder_suggestions"],
    deps=[dg.AssetKey(["ml", "demand_forecasts"]), dg.AssetKey(["marts", "dim_product"])],
    group_name="forecasting",
    kinds={"python", "postgres"},
    owners=["team:data-science"],
    code_version="1",
    automation_condition=dg.AutomationCondition.eager(),
    description="For each physical product: forecast demand over its lead time plus safety stock versus "
    "stock on hand → suggested order quantity and date, days of cover and order cost.",
)
def reorder_suggestions(context: dg.AssetExecutionContext, config: ReorderConfig,
                        warehouse: Warehouse) -> dg.MaterializeResult:
    from affiliate_assets.lib.money import format_brl, format_number

    require(warehouse, DIM_PRODUCT, DEMAND_FORECASTS.qualified)
    products = warehouse.fetchall(
        f"""select distinct on (product_id) product_id, product_name, stock_on_hand, lead_time_days, unit_cost
            from {DIM_PRODUCT} where is_physical order by product_id"""
    )
    forecasts: dict[int, list[tuple]] = {}
    for pid, ds, yhat, lo, hi, model_id, method in warehouse.fetchall(
        "select product_id, ds, yhat, yhat_lower, yhat_upper, model_id, method from ml.demand_forecasts "
        "order by product_id, ds"
    ):
        forecasts.setdefault(pid, []).append((ds, float(yhat), float(lo), float(hi), model_id, method))
    rows, skipped = [], []
    for pid, name, stock, lead_time, unit_cost in products:
        f = forecasts.get(pid)
        if not f or stock is None or not lead_time or lead_time <= 0:
            why = "no forecast" if not f else "missing stock_on_hand or lead_time_days"
            skipped.append(f"- {name} ({pid}): {why}")
            continue
        s = suggest([r[1] for r in f], [r[2] for r in f], [r[3] for r in f], f[0][0], max(int(stock), 0),
                    int(lead_time), config.service_level, config.review_days, config.tail_days)
        cost = round(s.suggested_qty * float(unit_cost), 2) if unit_cost is not None else None
        rows.append((pid, name, s.as_of, int(lead_time), int(stock), round(s.forecast_demand_lead_time, 2),
                     round(s.safety_stock, 2), round(s.reorder_point, 2), s.suggested_qty,
                     s.suggested_order_date, s.days_of_cover, cost, f[0][4], f[0][5]))
    loaded = warehouse.load(REORDER_SUGGESTIONS, rows, mode="replace")
    urgent = sorted((r for r in rows if r[9] is not None), key=lambda r: r[9])
    md = markdown_table(
        [(r[1], r[4], r[3], format_number(float(r[7]), 1), r[8], r[9].strftime("%d/%m/%Y"),
          r[10] if r[10] is not None else "> horizonte", format_brl(r[11])) for r in urgent],
        ["produto", "estoque", "prazo (dias)", "ponto de pedido", "pedir", "até", "cobertura (dias)", "custo"], 15,
        align="lrrrrlrr")
    as_of = rows[0][2] if rows else None
    return dg.MaterializeResult(
        metadata={
            **loaded.metadata(),
            "dagster/row_count": loaded.rows_loaded,
            "physical_products": len(products),
            "orders_due_now": sum(1 for r in rows if r[9] is not None and r[9] <= as_of),
            "orders_within_horizon": len(urgent),
            "total_order_cost_brl": round(sum(r[11] or 0 for r in rows), 2),
            "service_level": config.service_level,
            "suggestions": dg.MetadataValue.md(md if urgent else "no order needed within the horizon"),
            "skipped": dg.MetadataValue.md("\n".join(skipped) or "none"),
        }
    )
