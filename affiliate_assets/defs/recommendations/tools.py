"""The tools the model may call, and their answers from the warehouse.

Each tool takes one ``product_id`` and answers from the day's :class:`Signals` (read from the marts and
``ml`` tables in one query), so the model sees exactly the numbers stored beside its advice, and nothing
after the recommendation day. Answers are small JSON objects with units in the field names.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from affiliate_assets.defs.recommendations.signals import HORIZON_DAYS, Signals


def _r(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)


def _day(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def demand_forecast(s: Signals) -> dict[str, Any]:
    growth, source = s.growth
    return {
        "product_id": s.product_id, "as_of": _day(s.as_of_day), "horizon_days": HORIZON_DAYS,
        "units_last_7d": s.units_7d, "units_last_28d": s.units_28d,
        "forecast_units_next_28d": _r(s.forecast_units_28d),
        "forecast_interval_80pct": [_r(s.forecast_lower_28d), _r(s.forecast_upper_28d)]
        if s.forecast_units_28d is not None else None,
        "forecast_method": s.forecast_method, "forecast_is_fallback": s.forecast_is_fallback,
        "growth": _r(growth, 4), "growth_source": source,
    }


def market_price(s: Signals) -> dict[str, Any]:
    return {
        "product_id": s.product_id, "currency": "BRL", "our_price": _r(s.list_price),
        "competitor_min_price": _r(s.competitor_min_price), "competitor_median_price": _r(s.competitor_median_price),
        "price_gap_vs_median": _r(s.price_gap, 4),
        "unit_cost": _r(s.unit_cost),
    }


def stock_level(s: Signals) -> dict[str, Any]:
    if not s.is_physical:
        return {"product_id": s.product_id, "is_physical": False,
                "note": "produto digital: não tem estoque"}
    return {
        "product_id": s.product_id, "is_physical": True, "stock_on_hand": s.stock_on_hand,
        "lead_time_days": s.lead_time_days, "expected_units_per_day": _r(s.daily_demand, 3),
        "stock_cover_days": s.stock_cover_days, "reorder_suggested_qty": s.reorder_qty,
        "reorder_by": _day(s.reorder_date),
    }


def social_trend(s: Signals) -> dict[str, Any]:
    return {
        "product_id": s.product_id, "views_last_7d": s.views_7d, "views_last_28d": s.views_28d,
        "engagement_last_7d": s.engagement_7d, "engagement_last_28d": s.engagement_28d,
        "engagement_trend": _r(s.engagement_trend, 4),
    }


def commission(s: Signals) -> dict[str, Any]:
    return {
        "product_id": s.product_id, "currency": "BRL", "price": _r(s.list_price),
        "commission_rate": s.commission_rate, "unit_cost": _r(s.unit_cost),
        "earning_per_unit": _r(s.unit_margin),
        "earning_basis": "price_minus_cost" if s.is_physical and s.unit_cost is not None else "commission",
        "expected_earnings_per_day": _r(s.expected_daily_earnings),
    }


HANDLERS: dict[str, Callable[[Signals], dict[str, Any]]] = {
    "get_demand_forecast": demand_forecast,
    "get_market_price": market_price,
    "get_stock_level": stock_level,
    "get_social_trend": social_trend,
    "get_commission": commission,
}

DESCRIPTIONS = {
    "get_demand_forecast": "Units sold in the last 7 and 28 days and the demand forecast for the next 28 days "
    "(80 % interval, method), plus the growth it implies. Use it to judge whether demand is rising.",
    "get_market_price": "Our list price against the competitors' minimum and median price crawled from shops "
    "(BRL), and the gap to the median. Use it before suggesting a new price.",
    "get_stock_level": "Stock on hand, supplier lead time, days of cover at the expected demand and the "
    "reorder suggestion. Physical products only; digital ones have no stock.",
    "get_social_trend": "Social views and engagement in the last 7 and 28 days across Instagram, Facebook "
    "and TikTok posts that mention the product, and the engagement trend.",
    "get_commission": "Commission rate, unit cost and what the affiliate earns per unit and per day (BRL).",
}


def tool_definitions() -> list[dict[str, Any]]:
    """The ``tools`` parameter of the Messages API."""
    return [
        {
            "name": name,
            "description": DESCRIPTIONS[name],
            "input_schema": {
                "type": "object",
                "properties": {"product_id": {"type": "integer", "description": "Product id from the catalogue."}},
                "required": ["product_id"],
            },
        }
        for name in HANDLERS
    ]


class ToolError(ValueError):
    """A tool call the model got wrong: answered as ``is_error`` so it can correct itself."""


def run_tool(name: str, tool_input: Any, day: dict[int, Signals]) -> dict[str, Any]:
    """Answer one tool call from the day's signals; raises :class:`ToolError` for bad calls."""
    handler = HANDLERS.get(name)
    if handler is None:
        raise ToolError(f"unknown tool {name!r}; available: {', '.join(HANDLERS)}")
    if not isinstance(tool_input, dict) or "product_id" not in tool_input:
        raise ToolError("input must be an object with an integer product_id")
    try:
        product_id = int(tool_input["product_id"])
    except (TypeError, ValueError) as exc:
        raise ToolError(f"product_id must be an integer, got {tool_input['product_id']!r}") from exc
    signals = day.get(product_id)
    if signals is None:
        raise ToolError(f"product {product_id} is not in this request's catalogue")
    return handler(signals)
